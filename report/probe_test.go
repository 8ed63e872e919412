package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
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
			if err := RenderProbe(&buf, pr, "text", Options{Redactor: NewRedactor(LevelDefault, nil)}); err != nil {
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
