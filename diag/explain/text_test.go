package explain

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

func TestStripANSI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b[97;42m 200 \x1b[0m|", " 200 |"},
		{"\x1b]0;title\x07after", "after"},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"a\x1b(Bb", "ab"},
		{"trailing\x1b", "trailing\x1b"},
		{"\x1b[", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(StripANSI([]byte(tc.in))); got != tc.want {
				t.Fatalf("StripANSI(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestColouredLogLines: a log written to a terminal carries colour codes;
// those lines were all counted as "not text" and nothing was classified.
func TestColouredLogLines(t *testing.T) {
	for _, tc := range []struct {
		name, log       string
		errors, garbage int64
	}{
		{"coloured", "[ERR] 2025/03/01 - 12:00:00 | \x1b[31mrelay error (channel #3): Post \"https://api.openai.com/v1/chat/completions\": dial tcp 1.2.3.4:443: connect: connection refused\x1b[0m\n", 1, 0},
		{"binary", "\x00\x01\x02 connection refused\n", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := AnalyzeLog(strings.NewReader(tc.log), LogOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Garbage != tc.garbage || int64(len(rep.Causes)) != tc.errors {
				t.Fatalf("garbage %d, causes %+v; want %d garbage, %d causes", rep.Garbage, rep.Causes, tc.garbage, tc.errors)
			}
		})
	}
}

func FuzzStripANSI(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred\x1b[0m", "\x1b]0;t\x07", "\x1b", "\x1b[", "\x1b]8;;x\x1b\\", "\x1b(B"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := StripANSI(b)
		if len(out) > len(b) {
			t.Fatalf("grew: %q -> %q", b, out)
		}
	})
}

// TestClassifyTextHeaders: a status line and the headers after it (curl -i)
// are one answer; squid's X-Squid-Error in them outranks its 503.
func TestClassifyTextHeaders(t *testing.T) {
	text := "$ curl -sD - -o /dev/null -x http://proxy.example.test:3128 http://invalid.example.test/\nHTTP/1.1 503 Service Unavailable\nServer: squid/4.6\nContent-Type: text/html\nX-Squid-Error: ERR_DNS_FAIL 0\n\nnext: not a header of it"
	lines := ClassifyText(text)
	if len(lines) != 1 || lines[0].Result.Cause != "proxy-target-dns" || !strings.Contains(lines[0].Input, "X-Squid-Error") {
		t.Fatalf("got %+v, want one proxy-target-dns read from the joined headers", lines)
	}
	if got := joinHeaders([]string{"HTTP/1.1 502 Bad Gateway", "body text", "Server: x"}); len(got) != 3 {
		t.Errorf("a line that is no header was joined: %q", got)
	}
}

// TestClassifyTextPastes: how lines of one paste are read together.
func TestClassifyTextPastes(t *testing.T) {
	cases := []struct {
		name, text string
		want       []diag.Cause
	}{
		// A gateway's access line is its answer to its own client: the
		// line beside it says why its upstream failed.
		{"an access line beside a connect time-out",
			"WARN[0144] Post \"https://api.example.test/v1\": dial tcp 192.0.2.7:443: connect: connection timed out\n[GIN] 2023/10/11 - 19:26:50 | 403 |          2m7s |   192.168.160.1 | POST     \"/v1/chat\"",
			[]diag.Cause{diag.CauseSYNTimeout}},
		{"an access line alone is read",
			"[GIN] 2023/10/11 - 19:26:50 | 429 |          2m7s |   192.168.160.1 | POST     \"/v1/chat\"",
			[]diag.Cause{diag.CauseRateLimited}},
		// Cloudflare's page copied as text: its title is no connect of ours.
		{"cloudflare's 522 over lines",
			"Error 522 Ray ID: 2b06db3818810da9 • 2016-06-09 19:05:54 UTC\nConnection timed out",
			[]diag.Cause{diag.CauseGatewayTO}},
		{"cloudflare's explanation after its title",
			"Connection timed out\nWhat happened? The initial connection between Cloudflare's network and the origin web server timed out.",
			[]diag.Cause{diag.CauseGatewayTO}},
		// curl -v's response lines ("< "): Cloudflare's 403 told by its headers.
		{"a cloudflare 403 in curl -v's headers",
			"< HTTP/1.1 403 Forbidden\n< Content-Type: text/html; charset=UTF-8\n< Set-Cookie: __cfduid=d0; path=/\n< Server: cloudflare",
			[]diag.Cause{diag.CauseBotWall}},
		// A connect's reason wrapped onto a line of its own.
		{"a connect time-out wrapped over lines",
			"ClientConnectorError: Cannot connect to host \napi.example.test:443 ssl:default [The semaphore \ntimeout period has expired]",
			[]diag.Cause{diag.CauseSYNTimeout}},
		// A TLS cut after the proxy's words is the tunnel's.
		{"a reset beside a tunnel that failed",
			"{ [Error: tunneling socket could not be established, cause=write EPROTO 1403:error:140770FC:SSL routines:SSL23_GET_SERVER_HELLO:unknown protocol:s23_clnt.c:782:\n] code: 'ECONNRESET' }",
			nil}, // any proxy cause, one line
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := ClassifyText(c.text)
			if c.want == nil {
				if len(lines) != 1 || lines[0].Result.Category != diag.CatProxy {
					t.Fatalf("got %+v, want one proxy verdict", lines)
				}
				return
			}
			var got []diag.Cause
			for _, l := range lines {
				got = append(got, l.Result.Cause)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
