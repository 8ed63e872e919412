package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// TestProbeTextNumbers: the flattened result shows numbers as the JSON has
// them (a duration once printed as 1.206391e+06).
func TestProbeTextNumbers(t *testing.T) {
	for _, tc := range []struct {
		dur  time.Duration
		want string
	}{
		{1206391 * time.Nanosecond, "duration_ns: 1206391\n"},
		{3 * time.Second, "duration_ns: 3000000000\n"},
		{0, "duration_ns: 0\n"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			pr := diag.ProbeReport{Probe: "dns", Target: "localhost", OK: true, Result: probe.DNSResult{Host: "localhost", Resolver: "system", Duration: tc.dur}}
			var buf bytes.Buffer
			if err := RenderProbe(&buf, pr, "text", Options{Redactor: redact.New(redact.LevelDefault, nil)}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tc.want) {
				t.Fatalf("want %q in\n%s", tc.want, buf.String())
			}
		})
	}
}

// TestExplainLinePrintable: explained text is untrusted; escape sequences,
// bidi overrides and invalid UTF-8 were echoed raw to the terminal.
func TestExplainLinePrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"connection refused", "connection refused"},
		{"\x1b]0;pwned\x07x", `\x1b]0;pwned\x07x`},
		{"a\u202eb", `a\u202eb`},
		{"bad \xff byte", `bad \xff byte`},
		{"中文 连接被拒绝", "中文 连接被拒绝"},
		{"tab\tand\nnewline", "tab and newline"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := explainLine(tc.in, 300); got != tc.want {
				t.Fatalf("explainLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestMarksShowSeverity: text and markdown marks show the grade (✗ error,
// ! warning, i info, ✓ a clean pass) and the counts follow the exit code's
// policy; where the policy departs from the mark the line says so (an
// overloaded endpoint showed "!" with exit 1 and nothing told why).
func TestMarksShowSeverity(t *testing.T) {
	rep := &diag.Report{SchemaVersion: 1, Endpoints: []diag.EndpointResult{
		{Name: "dead", URL: "http://127.0.0.1:1", Category: diag.CatRefused, Cause: diag.CauseLocalRefused},
		{Name: "busy", URL: "https://api.openai.com/v1", Category: diag.CatOverloaded, Cause: "rate-limited"},
		{Name: "fine", URL: "https://api.anthropic.com", Category: diag.CatOK, Cause: diag.CauseOK},
		{Name: "nokey", URL: "https://api.mistral.ai/v1", Category: diag.CatOK, Cause: diag.CauseOKKeyNotSent},
	}}
	rep.Summarize()
	for _, tc := range []struct {
		name, failOn, warnOn string
		text, md             []string
	}{
		{"default policy", "", "", []string{"✗ dead", "! busy", "✓ fine", "i nokey", "· fails the run", "2 ok, 2 failed (refused 1, overloaded 1) of 4", "severity: 1 error, 1 warning, 2 info"},
			[]string{"| ❌ | dead", "| ⚠️ | busy", "| ✅ | fine", "| ℹ️ | nokey", "| warning (fails the run) |", "2 ok, 2 failed (", "severity: 1 error, 1 warning, 2 info"}},
		{"warn on refused", "", "refused", []string{"✗ dead", "· does not fail the run", "! busy", "2 ok, 1 failed, 1 warning ("},
			[]string{"| ❌ | dead", "| error (does not fail the run) |", "| ⚠️ | busy", "2 ok, 1 failed, 1 warning ("}},
		{"fail on dns only", "dns", "", []string{"✗ dead", "! busy", "2 ok, 0 failed, 2 warnings ("},
			[]string{"| ❌ | dead", "| ⚠️ | busy", "| warning |"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol, err := diag.ParsePolicy(tc.failOn, tc.warnOn, "", false)
			if err != nil {
				t.Fatal(err)
			}
			for format, wants := range map[string][]string{"text": tc.text, "markdown": tc.md} {
				var buf bytes.Buffer
				if err := Render(&buf, rep, format, Options{Policy: &pol, Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
					t.Fatal(err)
				}
				for _, w := range wants {
					if !strings.Contains(buf.String(), w) {
						t.Errorf("%s lacks %q:\n%s", format, w, buf.String())
					}
				}
			}
		})
	}
}

// TestTextColumnsWideNames: columns line up by terminal width; Chinese
// channel names counted as runes pushed every later column out.
func TestTextColumnsWideNames(t *testing.T) {
	for _, names := range [][]string{{"中文通道", "ascii-name"}, {"日本語🙂", "abcdefgh"}, {"café", "caf"}} {
		t.Run(strings.Join(names, ","), func(t *testing.T) {
			rep := &diag.Report{SchemaVersion: 1}
			for _, n := range names {
				rep.Endpoints = append(rep.Endpoints, diag.EndpointResult{Name: n, URL: "http://127.0.0.1:1", Category: diag.CatRefused, Cause: diag.CauseLocalRefused})
			}
			var buf bytes.Buffer
			if err := Render(&buf, rep, "text", Options{Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
				t.Fatal(err)
			}
			starts := map[int]bool{}
			for _, line := range strings.Split(buf.String(), "\n") {
				if i := strings.Index(line, "http://"); i > 0 && strings.HasPrefix(line, "✗") {
					starts[testCols(line[:i])] = true
				}
			}
			if len(starts) != 1 {
				t.Fatalf("URL column starts at widths %v:\n%s", starts, buf.String())
			}
		})
	}
}

// testCols counts columns independently of displayWidth: CJK and the
// emoji used here take two.
func testCols(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x2e80 {
			n++
		}
	}
	return n
}

// TestLogChannelsColumns: the worst-channels list lines up with Chinese names.
func TestLogChannelsColumns(t *testing.T) {
	log := "[SYS] 2025/03/01 - 10:00:00 | 通道「中文通道」（#42）发生错误，准备禁用，原因：bad response status code 401\n" +
		"[SYS] 2025/03/01 - 10:00:00 | 通道「abc」（#43）发生错误，准备禁用，原因：bad response status code 401\n"
	rep, err := explain.AnalyzeLog(strings.NewReader(log), explain.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderLogReport(&buf, rep, "text", Options{Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
		t.Fatal(err)
	}
	starts := map[int]bool{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if i := strings.Index(line, " errors, mostly"); i > 0 && strings.Contains(line, "#4") {
			starts[testCols(strings.TrimRight(line[:i], "0123456789"))] = true
		}
	}
	if len(starts) != 1 {
		t.Fatalf("count column after names ends at %v:\n%s", starts, buf.String())
	}
}
