package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

const htmlSecret = "sk-proj-HTMLsecret0123456789abcdefXYZ"

// htmlSample is a report with every kind of endpoint the page draws.
func htmlSample() *diag.Report {
	tr := &probe.TraceResult{Method: "udp", End: probe.TraceSilent, LastHop: 2, Hops: []probe.TraceHop{
		{TTL: 1, Addr: netip.MustParseAddr("192.0.2.1"), RTTsMS: []float64{0.4, 0.5}, Sent: 3, Received: 2, LossPct: 33.3},
		{TTL: 2, Addr: netip.MustParseAddr("198.51.100.7"), RTTsMS: []float64{9.1}, Sent: 3, Received: 1, LossPct: 66.7},
		{TTL: 3, Sent: 3, LossPct: 100},
	}}
	rep := &diag.Report{SchemaVersion: 1, Version: "t", StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), DurationMS: 812, Endpoints: []diag.EndpointResult{
		{Name: "fine", URL: "https://api.openai.com/v1", Category: diag.CatOK, Cause: diag.CauseOK, DurationMS: 60, Layers: []diag.LayerResult{
			{Layer: diag.LayerDNS, OK: true, DurationMS: 10}, {Layer: diag.LayerTCP, OK: true, DurationMS: 20},
			{Layer: diag.LayerTLS, OK: true, DurationMS: 40}, {Layer: diag.LayerHTTP, OK: true, DurationMS: 50, Detail: map[string]string{"ttfb_ms": "30"}}}},
		{Name: "dead", URL: "http://127.0.0.1:1/v1?key=" + htmlSecret, Category: diag.CatRefused, Cause: diag.CauseLocalRefused, FailingLayer: diag.LayerTCP,
			Message: "127.0.0.1:1 refused; key " + htmlSecret, Hint: "start it", Layers: []diag.LayerResult{{Layer: diag.LayerTCP, DurationMS: 0.2, Error: "refused"}}},
		{Name: "walled", URL: "https://api.anthropic.com", Category: diag.CatBlocked, Cause: diag.CauseTLSReset, FailingLayer: diag.LayerTLS,
			Layers: []diag.LayerResult{{Layer: diag.LayerDNS, OK: true, DurationMS: 5}, {Layer: diag.LayerTCP, OK: true, DurationMS: 15}, {Layer: diag.LayerTLS, DurationMS: 30}},
			Path:   &diag.PathInfo{Target: "api.anthropic.com (203.0.113.9)", Summary: "the path ends after hop 2", Verdict: "path-ends", LastHop: 2, LastHopAddr: "198.51.100.7", Trace: tr}},
		{Name: "via-proxy", URL: "https://api.mistral.ai/v1", Category: diag.CatProxy, Cause: diag.CauseProxyRefused, FailingLayer: diag.LayerProxyTCP,
			Proxy:  diag.ProxyInfo{URL: "http://alice:" + htmlSecret + "@127.0.0.1:7890", Source: "env:HTTPS_PROXY"},
			Layers: []diag.LayerResult{{Layer: diag.LayerProxyDNS, OK: true, DurationMS: 0}, {Layer: diag.LayerProxyTCP, DurationMS: 1}}},
		{Name: "busy", URL: "https://api.groq.com/openai/v1", Category: diag.CatOverloaded, Cause: diag.CauseRateLimited, FailingLayer: diag.LayerHTTP,
			Layers: []diag.LayerResult{{Layer: diag.LayerDNS, OK: true, DurationMS: 4}, {Layer: diag.LayerTCP, OK: true, DurationMS: 4},
				{Layer: diag.LayerTLS, OK: true, DurationMS: 8}, {Layer: diag.LayerHTTP, DurationMS: 24, Detail: map[string]string{"ttfb_ms": "20", "status": "429"}}}},
	}}
	rep.Summarize()
	return rep
}

func renderHTMLString(t *testing.T, rep *diag.Report) string {
	t.Helper()
	rd := redact.New(redact.LevelDefault, nil)
	rd.AddSecret(htmlSecret)
	var buf bytes.Buffer
	if err := Render(&buf, rep, "html", Options{Redactor: rd}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLReport(t *testing.T) {
	page := renderHTMLString(t, htmlSample())
	t.Run("self-contained", func(t *testing.T) {
		// Nothing a browser would fetch: no src, href, @import or url().
		// The one link is an empty inline icon: without it browsers fetch
		// /favicon.ico.
		rest := strings.Replace(page, `<link rel="icon" href="data:,">`, "", 1)
		for _, bad := range []string{"src=", "href=", "@import", "url(", "<script", "<link"} {
			if strings.Contains(rest, bad) {
				t.Errorf("page contains %q", bad)
			}
		}
		// The whole-page redaction pass must leave the CSS alone.
		css := page[strings.Index(page, "<style>"):strings.Index(page, "</style>")]
		if strings.Contains(css, "host-") || strings.Contains(css, "[REDACTED]") || !strings.Contains(css, ".fail .b{") {
			t.Errorf("the redactor changed the CSS:\n%s", css)
		}
		if !strings.Contains(page, "prefers-color-scheme:dark") || !strings.Contains(page, `name="viewport"`) {
			t.Error("no dark mode or viewport")
		}
	})
	t.Run("no secret", func(t *testing.T) {
		if strings.Contains(page, htmlSecret) || strings.Contains(page, "HTMLsecret") {
			t.Fatal("secret on the page")
		}
	})
	t.Run("every endpoint with its grade", func(t *testing.T) {
		for name, grade := range map[string]string{"fine": "info", "dead": "error", "walled": "error", "via-proxy": "error", "busy": "warning"} {
			if !strings.Contains(page, `data-endpoint="`+name+`" data-severity="`+grade+`"`) {
				t.Errorf("%s is not on the page graded %s", name, grade)
			}
		}
		if !strings.Contains(page, `data-grade="error"><b>3</b> error`) || !strings.Contains(page, `<b>1</b> warning`) {
			t.Error("summary does not count the grades")
		}
	})
	t.Run("waterfall", func(t *testing.T) {
		sec := section(page, "fine")
		got := regexp.MustCompile(`data-phase="([a-z-]+)" data-ms="([0-9.]+)"`).FindAllStringSubmatch(sec, -1)
		var keys []string
		for _, m := range got {
			keys = append(keys, m[1])
		}
		if strings.Join(keys, ",") != "dns,tcp,tls,first-byte,transfer" {
			t.Fatalf("phases %v", keys)
		}
		// 10+20+40+30+20 = 120 ms: TLS starts at 30/120 and takes 40/120.
		if !strings.Contains(sec, "left:25.000%;width:33.333%") {
			t.Errorf("tls bar not scaled: %s", sec)
		}
		if strings.Contains(sec, "data-failed") {
			t.Error("a passing endpoint has a failed phase")
		}
		for name, phase := range map[string]string{"dead": "tcp", "walled": "tls", "via-proxy": "proxy-tcp", "busy": "first-byte"} {
			if !strings.Contains(section(page, name), `data-phase="`+phase+`" data-ms=`) || !regexp.MustCompile(`data-phase="`+phase+`" data-ms="[0-9.]+" data-failed="true"`).MatchString(section(page, name)) {
				t.Errorf("%s: phase %s not marked failed", name, phase)
			}
		}
	})
	t.Run("path", func(t *testing.T) {
		sec := section(page, "walled")
		for _, w := range []string{`data-hop="1"`, `data-hop="3"`, "33%", "0.40 / 0.50", "last answer at hop 2", "the path ends after hop 2"} {
			if !strings.Contains(sec, w) {
				t.Errorf("path lacks %q", w)
			}
		}
	})
}

func section(page, name string) string {
	i := strings.Index(page, `data-endpoint="`+name+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// TestHTMLPathFromJSON: a report read back from JSON (path probes as maps)
// draws the same hops.
func TestHTMLPathFromJSON(t *testing.T) {
	rep := htmlSample()
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var back diag.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if sec := section(renderHTMLString(t, &back), "walled"); !strings.Contains(sec, `data-hop="2"`) || !strings.Contains(sec, "9.10") {
		t.Errorf("hops lost through JSON: %s", sec)
	}
}

func TestStatusPageHistory(t *testing.T) {
	var h History
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range HistoryLen + 5 {
		rep := htmlSample()
		if i%2 == 1 {
			rep.Endpoints[0].Category, rep.Endpoints[0].Cause = diag.CatRefused, diag.CauseConnRefused
			rep.Summarize()
		}
		h.Add(rep, t0.Add(time.Duration(i)*time.Minute))
	}
	snap := h.Snapshot()
	if n := len(snap["fine"]); n != HistoryLen {
		t.Fatalf("history holds %d points, want the bound %d", n, HistoryLen)
	}
	rd := redact.New(redact.LevelDefault, nil)
	var buf bytes.Buffer
	if err := RenderStatusPage(&buf, StatusPage{Report: htmlSample(), History: snap, Refresh: 10 * time.Second}, Options{Redactor: rd}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if !strings.Contains(page, `http-equiv="refresh" content="10"`) {
		t.Error("no refresh")
	}
	sec := section(page, "fine")
	if !strings.Contains(sec, `data-history="`+strconv.Itoa(HistoryLen)+`"`) || strings.Count(sec, `class="g-error"`) != HistoryLen/2 || !strings.Contains(sec, "<polyline points=") {
		t.Errorf("sparkline: %s", sec)
	}
	// One endpoint gone from the config: its history goes too.
	rep := htmlSample()
	rep.Endpoints = rep.Endpoints[1:]
	h.Add(rep, t0)
	if _, ok := h.Snapshot()["fine"]; ok {
		t.Error("a removed endpoint's history is kept")
	}
	buf.Reset()
	if err := RenderStatusPage(&buf, StatusPage{Refresh: time.Minute}, Options{Redactor: rd}); err != nil || !strings.Contains(buf.String(), `id="waiting"`) {
		t.Errorf("first page: %v %s", err, buf.String())
	}
}
