package explain

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain/explaintest"
)

// newAPIStatusCauses are what new-api's own status codes (500 for a
// transport failure, 504 for a timeout) would read as: never a channel's
// cause when the log holds the real one.
var newAPIStatusCauses = []diag.Cause{diag.CauseServerError, diag.CauseGatewayTO}

func analyze(t *testing.T, log string, o LogOptions) *LogReport {
	t.Helper()
	rep, err := AnalyzeLog(strings.NewReader(log), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func channelByID(rep *LogReport, id int) (ChannelStat, bool) {
	for _, c := range rep.Channels {
		if c.ID == id {
			return c, true
		}
	}
	return ChannelStat{}, false
}

// TestJoinByRequestID reads new-api's three lines per failure the way it
// writes them, interleaved with another request, retries included.
func TestJoinByRequestID(t *testing.T) {
	log := `[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 203.0.113.7:443: connect: connection refused 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000222222222 | do request failed: Post "https://api.moonshot.cn/v1/chat/completions": dial tcp: lookup api.moonshot.cn on 127.0.0.11:53: no such host 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | channel error (channel #3, status code: 500): upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | do request failed: Post "https://api.anthropic.com/v1/messages": proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused 
[ERR] 2025/03/01 - 10:00:03 | 2025030110000222222222 | channel error (channel #5, status code: 500): upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:03 | 2025030110000211111111 | channel error (channel #4, status code: 500): upstream error: do request failed 
[GIN] 2025/03/01 - 10:00:03 | 500 |  2.1s |  172.18.0.1 | POST     "/v1/chat/completions"
[ERR] 2025/03/01 - 10:00:03 | 2025030110000211111111 | relay error: upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:03 | 2025030110000222222222 | relay error: upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:09 | 2025030110000933333333 | do request failed: Post "https://api.anthropic.com/v1/messages": context deadline exceeded (Client.Timeout exceeded while awaiting headers) 
[ERR] 2025/03/01 - 10:00:09 | 2025030110000933333333 | channel error (channel #6, status code: 504): upstream response timed out 
[ERR] 2025/03/01 - 10:00:09 | 2025030110000933333333 | relay error: upstream response timed out 
[ERR] 2025/03/01 - 10:00:10 | 2025030110001044444444 | channel error (channel #7, status code: 401): Incorrect API key provided: sk-****abcd. You can find your API key at https://platform.openai.com/account/api-keys. 
[ERR] 2025/03/01 - 10:00:10 | 2025030110001044444444 | relay error: Incorrect API key provided: sk-****abcd. You can find your API key at https://platform.openai.com/account/api-keys. 
`
	rep := analyze(t, log, LogOptions{})
	want := map[int]diag.Cause{3: diag.CauseConnRefused, 4: diag.CauseProxyRefused, 5: diag.CauseNXDOMAIN, 6: diag.CauseNoResponse, 7: diag.CauseUnauthorized}
	for id, cause := range want {
		t.Run(fmt.Sprintf("#%d", id), func(t *testing.T) {
			c, ok := channelByID(rep, id)
			if !ok {
				t.Fatalf("channel #%d missing: %+v", id, rep.Channels)
			}
			if c.TopCause != cause || c.Errors != 1 || len(c.ByCause) != 1 {
				t.Errorf("channel #%d: %d errors, top %s %v; want one %s", id, c.Errors, c.TopCause, c.ByCause, cause)
			}
		})
	}
	if rep.Errors != 5 || rep.Unrecognized != 0 {
		t.Errorf("errors %d unrecognized %d (%v), want 5 and 0", rep.Errors, rep.Unrecognized, rep.UnrecognizedExamples)
	}
	// 4 channel errors joined to their cause, 4 relay errors that repeat one.
	if rep.Joined != 8 {
		t.Errorf("joined %d, want 8", rep.Joined)
	}
	if len(rep.Channels) != len(want) {
		t.Errorf("channels %+v: want only the 5 channels, no host entries", rep.Channels)
	}
	for _, c := range rep.Causes {
		for _, bad := range newAPIStatusCauses {
			if c.Cause == bad {
				t.Errorf("new-api's own status counted as the upstream's: %+v", c)
			}
		}
	}
	if c, _ := channelByID(rep, 3); c.Host != "api.openai.com" {
		t.Errorf("#3 host %q, want the request's host", c.Host)
	}
	if c, _ := channelByID(rep, 7); c.Host != "" || strings.Contains(c.Probe, "platform.openai.com") {
		t.Errorf("#7 host %q, probe %q: a URL in the provider's message is not a host that failed", c.Host, c.Probe)
	}
	for _, c := range rep.Causes {
		if strings.Contains(c.Probe, "platform.openai.com") {
			t.Errorf("cause %s: probe %q", c.Cause, c.Probe)
		}
	}
}

// TestHostNotFromMessage: a line without a channel is keyed by the host
// it dialled, never by a URL quoted in an upstream's message.
func TestHostNotFromMessage(t *testing.T) {
	log := "bad response status code 401, message: Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys., body: {}\n" +
		`Post "https://api.deepseek.com/v1/chat/completions": dial tcp 203.0.113.9:443: i/o timeout` + "\n"
	rep := analyze(t, log, LogOptions{})
	if rep.Errors != 2 || len(rep.Channels) != 1 || rep.Channels[0].Key != "host api.deepseek.com" {
		t.Errorf("errors %d, channels %+v: want only host api.deepseek.com", rep.Errors, rep.Channels)
	}
}

// TestChannelTestJoin: a channel test's failure is logged under the id
// SYSTEM after `testing channel N with model …`: it is channel N's.
func TestChannelTestJoin(t *testing.T) {
	log := `[SYS] 2025/03/01 - 10:00:00 | testing channel 12 with model gpt-4o-mini , info {ChannelId:12} 
[ERR] 2025/03/01 - 10:00:01 | SYSTEM | do request failed: Post "https://api.deepseek.com/v1/chat/completions": tls: failed to verify certificate: x509: certificate signed by unknown authority 
[SYS] 2025/03/01 - 10:00:02 | testing channel 13 with model gpt-4o-mini , info {ChannelId:13} 
[SYS] 2025/03/01 - 10:00:02 | testing channel #13, response: 
[ERR] 2025/03/01 - 10:00:03 | SYSTEM | do request failed: Post "https://api.x.ai/v1/chat/completions": dial tcp 203.0.113.20:443: connect: connection refused 
[SYS] 2025/03/01 - 10:00:04 | channel test bad response: channel_id=14 name=ch type=1 model=m endpoint_type= status=429 err=Rate limit reached for requests 
`
	rep := analyze(t, log, LogOptions{})
	if c, ok := channelByID(rep, 12); !ok || c.TopCause != diag.CauseTLSUntrusted {
		t.Errorf("#12: %+v", c)
	}
	if _, ok := channelByID(rep, 13); ok {
		t.Errorf("#13 passed its test; the later SYSTEM error is not its: %+v", rep.Channels)
	}
	if c, ok := channelByID(rep, 14); !ok || c.TopCause != diag.CauseRateLimited {
		t.Errorf("#14: %+v", c)
	}
	if rep.Errors != 3 {
		t.Errorf("errors %d, want 3", rep.Errors)
	}
}

// TestJoinTableBounded: requests whose follow-up never comes are settled
// (counted without a channel) once the table is full: nothing is lost and
// the table never outgrows its cap.
func TestJoinTableBounded(t *testing.T) {
	const n, max = 500, 16
	a := newAnalyzer(LogOptions{MaxChannels: 100, MaxHours: 100, MaxPending: max})
	for i := range n {
		a.line([]byte(fmt.Sprintf(`[ERR] 2025/03/01 - 10:00:00 | rid%06d | do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 203.0.113.7:443: connect: connection refused`, i)), false)
		if len(a.joins.m) > max {
			t.Fatalf("join table holds %d requests, cap %d", len(a.joins.m), max)
		}
	}
	// The last request's channel error still finds its cause.
	a.line([]byte(fmt.Sprintf(`[ERR] 2025/03/01 - 10:00:00 | rid%06d | channel error (channel #9, status code: 500): upstream error: do request failed`, n-1)), false)
	rep := a.finish()
	if rep.Errors != n || rep.ByCategory[diag.CatRefused] != n {
		t.Errorf("errors %d (%v), want all %d counted", rep.Errors, rep.ByCategory, n)
	}
	if c, ok := channelByID(rep, 9); !ok || c.Errors != 1 || c.TopCause != diag.CauseConnRefused {
		t.Errorf("#9: %+v", c)
	}
	if len(a.joins.m) != 0 {
		t.Errorf("finish left %d requests in the table", len(a.joins.m))
	}
}

// TestGeneratedLogVerdicts: on the benchmark's log every channel's verdict
// is its fault, and new-api's 500 is nobody's cause.
func TestGeneratedLogVerdicts(t *testing.T) {
	var buf bytes.Buffer
	if err := explaintest.Write(&buf, explaintest.Options{Size: 2 << 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	rep, err := AnalyzeLog(&buf, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Channels) != 40 {
		t.Errorf("%d channels, want 40: %+v", len(rep.Channels), rep.Channels)
	}
	for _, c := range rep.Channels {
		f := explaintest.FaultOf(c.ID)
		if c.ID == 0 || string(c.TopCause) != f.Cause || len(c.ByCause) != 1 {
			t.Errorf("channel %s (%s): %v", c.Key, f.Name, c.ByCause)
		}
	}
	if rep.Unrecognized != 0 || rep.Joined == 0 {
		t.Errorf("unrecognized %d %v, joined %d", rep.Unrecognized, rep.UnrecognizedExamples, rep.Joined)
	}
}

func TestMemoKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"read tcp 172.18.0.3:41234->203.0.113.20:443: read: connection reset by peer", "read tcp 172.18.0.3:#->203.0.113.20:443: read: connection reset by peer"},
		{"Rate limit reached (request id: req_0123456789abcdef0123)", "Rate limit reached (request id: #)"},
		{`{"request_id":"20250301100002123456789"}`, `{"request_id":"#"}`},
		// Nothing that decides or is shown: hosts, ports, statuses, channels, paths.
		{"channel error (channel #12, status code: 429): slow down", ""},
		{`Post "https://a1b2c3d4e5f6a7b8c9.example.com/v1/x": dial tcp 203.0.113.7:443: i/o timeout`, ""},
		{`Post "https://h/v1/threads/thread_0123456789abcdef": EOF`, ""},
		{"dial tcp [2001:db8::1]:443: connect: connection refused", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			var buf []byte
			got, masked := memoKey([]byte(c.in), &buf)
			if c.want == "" {
				if masked || string(got) != c.in {
					t.Errorf("masked %q", got)
				}
				return
			}
			if !masked || string(got) != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestDockerPrefixes: logs taken with `docker compose logs` (service
// prefix) or `docker logs -t` (RFC 3339 stamp) are new-api's lines all the
// same, joined by request id.
func TestDockerPrefixes(t *testing.T) {
	const lines = `[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 203.0.113.7:443: connect: connection refused 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | channel error (channel #3, status code: 500): upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | relay error: upstream error: do request failed 
[GIN] 2025/03/01 - 10:00:02 | 500 |  2.1s |  172.18.0.1 | POST     "/v1/chat/completions"
`
	prefixes := map[string]string{
		"compose":      "new-api  | ",
		"compose -t":   "new-api-1  | 2025-03-01T10:00:02.123456789Z ",
		"docker -t":    "2025-03-01T10:00:02.123456789Z ",
		"plain (none)": "",
	}
	for name, p := range prefixes {
		t.Run(name, func(t *testing.T) {
			log := p + strings.ReplaceAll(strings.TrimSuffix(lines, "\n"), "\n", "\n"+p) + "\n"
			rep := analyze(t, log, LogOptions{})
			c, ok := channelByID(rep, 3)
			if !ok || c.TopCause != diag.CauseConnRefused || rep.Errors != 1 || rep.Joined != 2 || rep.First != "2025/03/01 - 10:00:02" {
				t.Errorf("errors %d joined %d first %q, #3 %+v", rep.Errors, rep.Joined, rep.First, c)
			}
		})
	}
	// Text that merely has a bracket later on is not cut.
	if n := dockerPrefix([]byte("error: value [x] out of range")); n != 0 {
		t.Errorf("cut %d bytes of a plain line", n)
	}
}

// TestNoAllocationPerQuietLine: access, info and quiet system lines — most
// of a log — cost no allocation; only error lines may allocate.
func TestNoAllocationPerQuietLine(t *testing.T) {
	a := newAnalyzer(LogOptions{MaxChannels: 10, MaxHours: 10, MaxPending: 16})
	quiet := []string{
		`[GIN] 2025/03/01 - 10:00:01 | 200 |  1.791005693s |      172.18.0.1 | POST     "/v1/chat/completions"`,
		`[INFO] 2025/03/01 - 10:00:01 | 2025030110000154973741 | 重试：3->5 `,
		`[SYS] 2025/03/01 - 10:00:01 | 同步模型完成 `,
		`new-api  | [GIN] 2025/03/01 - 10:00:02 | 200 |  1.2ms |  172.18.0.1 | GET      "/api/status"`,
	}
	for _, ln := range quiet {
		b := []byte(ln + "\n")
		if n := testing.AllocsPerRun(100, func() { a.line(b, false) }); n != 0 {
			t.Errorf("%.1f allocations for %q", n, ln)
		}
	}
	if a.rep.Errors != 0 || a.rep.Unrecognized != 0 {
		t.Errorf("quiet lines counted: %+v", a.rep)
	}
	// A repeated error line joined to its request allocates a little, and
	// the follow-up lines of new-api allocate nothing.
	cause := []byte(`[ERR] 2025/03/01 - 10:00:02 | r1 | do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 203.0.113.7:443: connect: connection refused`)
	follow := []byte(`[ERR] 2025/03/01 - 10:00:02 | r1 | channel error (channel #3, status code: 500): upstream error: do request failed`)
	relay := []byte(`[ERR] 2025/03/01 - 10:00:02 | r1 | relay error: upstream error: do request failed`)
	a.line(cause, false)
	a.line(follow, false)
	a.line(relay, false)
	n := testing.AllocsPerRun(100, func() { a.line(cause, false); a.line(follow, false); a.line(relay, false) })
	t.Logf("%.1f allocations per joined failure", n)
	if n > 4 { // its message, its request id, its join entry, and one in counting
		t.Errorf("%.1f allocations per joined failure", n)
	}
}

// TestChannelTestWindow: a silent channel's test fails minutes later, after
// thousands of access lines on a busy server: still that channel's. A
// SYSTEM error long after the test is not.
func TestChannelTestWindow(t *testing.T) {
	var b strings.Builder
	b.WriteString("[SYS] 2025/03/01 - 23:59:00 | testing channel 8 with model gpt-4o-mini , info {} \n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "[GIN] 2025/03/02 - 00:0%d:00 | 200 |  1.2s | 172.18.0.1 | POST     \"/v1/chat/completions\"\n", i/1000)
	}
	b.WriteString(`[ERR] 2025/03/02 - 00:01:10 | SYSTEM | do request failed: Post "https://api.anthropic.com/v1/messages": dial tcp 198.51.100.9:443: i/o timeout` + "\n")
	b.WriteString("[SYS] 2025/03/02 - 00:02:00 | testing channel 9 with model gpt-4o-mini , info {} \n")
	b.WriteString(`[ERR] 2025/03/02 - 00:30:00 | SYSTEM | do request failed: Post "https://api.x.ai/v1/chat/completions": dial tcp 203.0.113.20:443: connect: connection refused` + "\n")
	rep := analyze(t, b.String(), LogOptions{})
	if c, ok := channelByID(rep, 8); !ok || c.TopCause != diag.CauseSYNTimeout {
		t.Errorf("#8: %+v", rep.Channels)
	}
	if _, ok := channelByID(rep, 9); ok || rep.Errors != 2 {
		t.Errorf("an error 28 minutes after #9's test was given to it: %+v", rep.Channels)
	}
}

func TestSeconds(t *testing.T) {
	for _, s := range []string{"1970/01/01 - 00:00:00", "2025/03/01 - 10:00:02", "2024/02/29 - 23:59:59", "2100/12/31 - 01:02:03"} {
		want, _ := time.Parse("2006/01/02 - 15:04:05", s)
		if got := seconds([]byte(s)); got != want.Unix() {
			t.Errorf("%s: %d, want %d", s, got, want.Unix())
		}
	}
	for _, s := range []string{"", "2025/13/01 - 10:00:02", "2025/03/01 - 1x:00:02"} {
		if got := seconds([]byte(s)); got != -1 {
			t.Errorf("%q: %d, want -1", s, got)
		}
	}
}

func TestHasControl(t *testing.T) {
	for i := 0; i < 0x80; i++ {
		for _, pos := range []int{0, 3, 7, 8, 15, 16, 20} {
			b := []byte(strings.Repeat("abcdefgh", 3))[:21]
			b[pos] = byte(i)
			want := i < 0x20 && i != '\t'
			if got := hasControl(b); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", i, pos, got, want)
			}
		}
	}
	if !hasControl([]byte("\t\t\t\t\t\t\t\t\t\t\x00")) || hasControl([]byte("\t\t\t\t\t\t\t\t\t\tz")) {
		t.Error("tabs then a NUL / a letter")
	}
}

// TestCutRune: a line cut by MaxLine in the middle of a character is
// still read, not counted as binary.
func TestCutRune(t *testing.T) {
	line := `[SYS] 2025/03/01 - 11:00:00 | 通道「克劳德」（#7）发生错误，准备禁用，原因：Your credit balance is too low ` + strings.Repeat("额度", 100)
	for cut := 200; cut < 210; cut++ {
		rep := analyze(t, line+"\n", LogOptions{MaxLine: cut})
		if rep.Garbage != 0 || rep.Errors != 1 || rep.Truncated != 1 || rep.GB18030Lines != 0 {
			t.Errorf("cut at %d: %+v", cut, rep)
		}
	}
}

// TestClientCanceledBlamesNoChannel: new-api sends upstream with its
// client's context, so "context canceled" is the client leaving, counted
// on its own; a time-out ("context deadline exceeded") is still the
// channel's.
func TestClientCanceledBlamesNoChannel(t *testing.T) {
	log := `[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | do request failed: Post "https://api.openai.com/v1/chat/completions": context canceled 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | channel error (channel #3, status code: 500): upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:02 | 2025030110000211111111 | relay error: upstream error: do request failed 
[ERR] 2025/03/01 - 10:00:09 | 2025030110000933333333 | do request failed: Post "https://api.openai.com/v1/chat/completions": context deadline exceeded 
[ERR] 2025/03/01 - 10:00:09 | 2025030110000933333333 | channel error (channel #3, status code: 504): upstream response timed out 
`
	rep := analyze(t, log, LogOptions{})
	if rep.ClientCanceled != 1 {
		t.Errorf("client_canceled = %d, want 1", rep.ClientCanceled)
	}
	c, ok := channelByID(rep, 3)
	if !ok || c.Errors != 1 || c.TopCause != diag.CauseNoResponse {
		t.Errorf("channel #3 = %+v (found %v), want only its time-out counted", c, ok)
	}
	if rep.Unrecognized != 0 {
		t.Errorf("%d lines unrecognised: the cancel's follow-up lines are its own", rep.Unrecognized)
	}
}
