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
