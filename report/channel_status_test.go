package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// TestDisabledChannelStatusShows: checked with --all, a disabled channel
// carries its status, new-api's reason and time in every human format, not
// a bare mark (issue 9.4); an enabled channel and a plain endpoint carry none.
func TestDisabledChannelStatusShows(t *testing.T) {
	rep := &diag.Report{SchemaVersion: 1, Endpoints: []diag.EndpointResult{
		{Name: "#2 relay-off", URL: "https://api.openai.com", Category: diag.CatRefused, Cause: diag.CauseConnRefused,
			Extra: map[string]string{diag.ExtraStatus: "auto-disabled", diag.ExtraStatusReason: "upstream refused", diag.ExtraStatusTime: "2026-01-01T00:00:00Z"}},
		{Name: "#1 relay-on", URL: "https://api.openai.com", Category: diag.CatOK, Cause: diag.CauseOK,
			Extra: map[string]string{diag.ExtraStatus: "enabled"}},
		{Name: "plain", URL: "https://api.openai.com", Category: diag.CatOK, Cause: diag.CauseOK},
	}}
	rep.Summarize()
	const line = "auto-disabled since 2026-01-01T00:00:00Z: upstream refused"
	want := map[string][]string{
		"text":     {"[auto-disabled]", "channel: " + line},
		"markdown": {"#2 relay-off _(auto-disabled)_", "**Channel status:** " + line},
		"html":     {`data-channel-status="auto-disabled">[auto-disabled]`, "channel: " + line},
	}
	for format, ws := range want {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, rep, format, Options{Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range ws {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "auto-disabled since"); n != 1 {
				t.Errorf("status line %d times, want once (the disabled channel only):\n%s", n, out)
			}
			if strings.Contains(out, "[enabled]") || strings.Contains(out, "(enabled)") {
				t.Errorf("an enabled channel is marked:\n%s", out)
			}
		})
	}
}
