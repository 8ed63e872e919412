package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/miekg/dns"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// realFault is one broken channel: the error Go's HTTP client really
// returned against an in-process fake, and what explain must call it.
type realFault struct {
	name     string
	err      string
	category diag.Category
	timeout  bool // new-api reports it as 504 "upstream response timed out"
}

// realFaults posts to refused, silent, untrusted-TLS, NXDOMAIN and
// dead-proxy fakes on loopback, as new-api's client would, and keeps the
// errors' text.
func realFaults(t *testing.T) []realFault {
	post := func(c *http.Client, u string) string {
		t.Helper()
		resp, err := c.Post(u, "application/json", strings.NewReader(`{"model":"gpt-4o-mini"}`))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("POST %s succeeded", u)
		}
		return err.Error()
	}
	plain := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 5 * time.Second}

	refused := post(plain, "http://"+probetest.ClosedPort(t)+"/v1/chat/completions")

	silent := post(&http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 300 * time.Millisecond},
		"http://"+probetest.SilentListener(t)+"/v1/chat/completions")

	ca := probetest.NewCA(t)
	srv := probetest.NewTLSServer(t, nil, ca.Leaf([]string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	untrusted := post(plain, srv.URL+"/v1/chat/completions")

	proxyURL, _ := url.Parse("http://" + probetest.ClosedPort(t))
	deadProxy := post(&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}},
		"https://api.openai.com/v1/chat/completions")

	faults := []realFault{
		{"refused", refused, diag.CatRefused, false},
		{"silent", silent, "", true},
		{"tls", untrusted, diag.CatTLS, false},
		{"proxy", deadProxy, diag.CatProxy, false},
	}
	// Under wine, which opens no UDP socket (testenv.GapUDP), the fake is
	// asked over TCP (ns.Dial): Go's NXDOMAIN error reads the same.
	ns := probetest.NewInProcessDNSServer(t)
	ns.SetRcode("api.moonshot.test", dns.RcodeNameError)
	dial := ns.Dial
	if dial == nil {
		dial = new(net.Dialer).DialContext
	}
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial(ctx, network, ns.Addr)
	}}
	dnsClient := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil,
		DialContext: (&net.Dialer{Resolver: resolver}).DialContext}}
	nxdomain := post(dnsClient, "https://api.moonshot.test/v1/chat/completions")
	return append(faults, realFault{"dns", nxdomain, diag.CatDNS, false})
}

// testExplainRealNewAPILog is the acceptance test: a new-api log
// whose channels are refused, silent, TLS, DNS and proxy faults (the real
// Go errors, in new-api's line format and order, interleaved, with
// retries, a channel test and a provider 401 quoting a URL) must name each
// channel's real cause, and never a 500.
func testExplainRealNewAPILog(t *testing.T) {
	faults := realFaults(t)
	var b strings.Builder
	ts := func(s int) string {
		return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(s) * time.Second).Format("2006/01/02 - 15:04:05")
	}
	fmt.Fprintf(&b, "[SYS] %s | New API v0.9.1 started \n", ts(0))
	for round := 0; round < 6; round++ {
		// Every request tries two channels (a retry), and two requests
		// are in flight at once: their lines interleave.
		for i, f := range faults {
			id := i + 1
			next := faults[(i+1)%len(faults)]
			rid := fmt.Sprintf("20250301100%03d%08d", round, id)
			other := fmt.Sprintf("20250301100%03d%08d", round, id+50)
			at := ts(round*60 + i)
			fmt.Fprintf(&b, "[GIN] %s | 200 |  1.2s | 172.18.0.1 | POST     \"/v1/chat/completions\"\n", at)
			fmt.Fprintf(&b, "[ERR] %s | %s | do request failed: %s \n", at, rid, f.err)
			fmt.Fprintf(&b, "[ERR] %s | %s | channel error (channel #6, status code: 401): Incorrect API key provided: sk-****abcd. You can find your API key at https://platform.openai.com/account/api-keys. \n", at, other)
			b.WriteString(channelErrorLine(at, rid, id, f))
			fmt.Fprintf(&b, "[ERR] %s | %s | relay error: Incorrect API key provided: sk-****abcd. You can find your API key at https://platform.openai.com/account/api-keys. \n", at, other)
			fmt.Fprintf(&b, "[ERR] %s | %s | do request failed: %s \n", at, rid, next.err)
			b.WriteString(channelErrorLine(at, rid, (i+1)%len(faults)+1, next))
			fmt.Fprintf(&b, "[ERR] %s | %s | relay error: upstream error: do request failed \n", at, rid)
			fmt.Fprintf(&b, "[GIN] %s | 500 |  2.2s | 172.18.0.1 | POST     \"/v1/chat/completions\"\n", at)
		}
	}
	// A channel test of the TLS channel: its error has no request id.
	fmt.Fprintf(&b, "[SYS] %s | testing channel 3 with model gpt-4o-mini , info {ChannelId:3} \n", ts(999))
	fmt.Fprintf(&b, "[ERR] %s | SYSTEM | do request failed: %s \n", ts(999), faults[2].err)

	path := filepath.Join(testenv.TempDir(t), "oneapi-20250301100000.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runExplain(t, "", "explain", "--log", path, "--format", "json", "--no-redact")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	var doc struct{ Log explain.LogReport }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rep := doc.Log
	byID := map[int]explain.ChannelStat{}
	for _, c := range rep.Channels {
		if c.ID == 0 {
			t.Errorf("a row that is not a channel: %+v", c)
		}
		byID[c.ID] = c
		for cause := range c.ByCause {
			if cause == diag.CauseServerError || cause == diag.CauseGatewayTO {
				t.Errorf("channel %s: new-api's own status counted as its cause: %v", c.Key, c.ByCause)
			}
		}
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			c, ok := byID[i+1]
			if !ok {
				t.Fatalf("channel #%d missing: %+v", i+1, rep.Channels)
			}
			want := 12
			if f.name == "tls" {
				want = 13 // and its channel test
			}
			if c.Errors != int64(want) || len(c.ByCause) != 1 {
				t.Errorf("#%d: %d errors %v, want %d of one cause\n(%s)", i+1, c.Errors, c.ByCause, want, f.err)
			}
			t.Logf("#%d %s: %s (%s) ← %s", i+1, f.name, c.TopCause, c.Category, f.err)
			cat := f.category
			if f.timeout {
				cat = diag.CategoryOf(diag.CauseNoResponse) // an upstream that took the connection and never answered
			}
			if c.Category != cat {
				t.Errorf("#%d: %s (%s), want category %s\n(%s)", i+1, c.TopCause, c.Category, cat, f.err)
			}
		})
	}
	if c := byID[6]; c.TopCause != diag.CauseUnauthorized || c.Host != "" {
		t.Errorf("#6: %+v (platform.openai.com in its message is not a host that failed)", c)
	}
	if rep.Unrecognized != 0 {
		t.Errorf("not recognised: %v", rep.UnrecognizedExamples)
	}
	text, _, _ := runExplain(t, "", "explain", "--log", path)
	for _, bad := range []string{string(diag.CauseServerError), string(diag.CauseGatewayTO), "host platform.openai.com"} {
		if strings.Contains(text, bad) {
			t.Errorf("text report shows %q:\n%s", bad, text)
		}
	}
}

// channelErrorLine is what new-api writes after `do request failed`: its
// own status (500, or 504 for a response timeout) and a message hiding the
// cause (controller/relay.go processChannelError).
func channelErrorLine(at, rid string, id int, f realFault) string {
	status, msg := 500, "upstream error: do request failed"
	if f.timeout {
		status, msg = 504, "upstream response timed out"
	}
	return fmt.Sprintf("[ERR] %s | %s | channel error (channel #%d, status code: %d): %s \n", at, rid, id, status, msg)
}
