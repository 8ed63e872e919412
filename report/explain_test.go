package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

func TestRenderExplain(t *testing.T) {
	const key = "sk-proj-ZZexplainSecret0123456789abcdef"
	texts := []string{
		`Post "https://relay.private.example/v1/chat/completions": proxyconnect tcp: dial tcp 10.9.8.7:7890: connect: connection refused`,
		`通道「a」（#5）发生错误，准备禁用，原因：Incorrect API key provided: ` + key,
		`nothing to see`,
	}
	var items []ExplainItem
	for _, s := range texts {
		items = append(items, ExplainItem{Input: s, Result: explain.Classify(s)})
	}
	probe := diag.EndpointResult{Name: "https://relay.private.example", Category: diag.CatProxy, Cause: diag.CauseProxyRefused, FailingLayer: diag.LayerProxyTCP}
	items[0].Probe = &probe

	cases := []struct {
		format string
		want   []string
	}{
		{"text", []string{"proxy (proxy-refused)", "at proxy-tcp", "the probe confirms the diagnosis", "auth (unauthorized)", "channel:  #5 a", "not recognised"}},
		{"json", []string{`"cause": "proxy-refused"`, `"probe_result"`, `"schema_version": 1`, `"channel_id": 5`}},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			rd := redact.New(redact.LevelDefault, nil)
			rd.AddHost("relay.private.example")
			var buf bytes.Buffer
			if err := RenderExplain(&buf, items, c.format, Options{Redactor: rd}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, leak := range []string{key, "relay.private.example", "10.9.8.7"} {
				if strings.Contains(out, leak) {
					t.Errorf("output leaks %q", leak)
				}
			}
			if c.format == "json" && !json.Valid(buf.Bytes()) {
				t.Errorf("invalid JSON:\n%s", out)
			}
		})
	}
	if err := RenderExplain(&bytes.Buffer{}, items, "junit", Options{}); err == nil {
		t.Error("junit accepted for explain")
	}
}

func TestRenderLogReport(t *testing.T) {
	log := strings.Repeat(`[ERR] 2025/03/01 - 10:00:02 | r | relay error (channel #3, status code: 500): do request failed: Post "https://api.openai.com/v1/chat/completions": dial tcp 10.1.2.3:443: i/o timeout`+"\n", 3) +
		`[SYS] 2025/03/01 - 11:00:00 | 通道「gem」（#4）发生错误，准备禁用，原因：bad response status code 429` + "\n" +
		`[ERR] 2025/03/01 - 11:00:05 | q | do request failed: Post "https://api.openai.com/v1/chat/completions": context canceled` + "\n"
	rep, err := explain.AnalyzeLog(strings.NewReader(log), explain.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format string
		want   []string
	}{
		{"text", []string{"5 lines", "4 errors classified", "blocked", "syn-timeout", "#3", "#4 gem", "2025-03-01 10:00", "1 auto-disable lines", "client left: 1 requests"}},
		{"json", []string{`"errors": 4`, `"top_cause": "syn-timeout"`, `"hour": "2025-03-01 11:00"`, `"client_canceled": 1`}},
	} {
		t.Run(c.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderLogReport(&buf, rep, c.format, Options{Redactor: redact.New(redact.LevelDefault, nil)}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "10.1.2.3") {
				t.Error("a private address is not pseudonymised")
			}
			if i, j := strings.Index(out, "#3"), strings.Index(out, "#4 gem"); c.format == "text" && (i < 0 || j < 0 || i > j) {
				t.Errorf("worst channel not first:\n%s", out)
			}
		})
	}
	empty, _ := explain.AnalyzeLog(strings.NewReader("[GIN] 2025/03/01 - 10:00:00 | 200 | x\n"), explain.LogOptions{})
	var buf bytes.Buffer
	if err := RenderLogReport(&buf, empty, "text", Options{}); err != nil || !strings.Contains(buf.String(), "no upstream errors") {
		t.Errorf("empty log: %v\n%s", err, buf.String())
	}
}
