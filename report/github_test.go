package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

func TestGitHubAnnotations(t *testing.T) {
	rep := ciReport(
		ciEndpoint("ok-one", diag.CatOK, diag.CauseOK),
		ciEndpoint("dead, one: x", diag.CatRefused, diag.CauseConnRefused),
		ciEndpoint("busy", diag.CatOverloaded, diag.CauseRateLimited),
		ciEndpoint("wobbly", diag.CatOK, diag.CauseFlaky),
	)
	// Rendered directly (fields are redacted by the renderer itself); the
	// whole-buffer pass of Render is covered by TestGitHubThroughRender.
	rd := redact.New(redact.LevelDefault, nil)
	rd.AddHost("corp-gw.internal.example")
	var buf bytes.Buffer
	if err := renderGitHub(&buf, rep, Options{Redactor: rd}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	var errs, warns []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "::error "):
			errs = append(errs, l)
		case strings.HasPrefix(l, "::warning "):
			warns = append(warns, l)
		case strings.HasPrefix(l, "::"):
			t.Errorf("unexpected command %q", l)
		}
	}
	if len(errs) != 2 || len(warns) != 1 {
		t.Fatalf("got %d ::error and %d ::warning, want 2 and 1:\n%s", len(errs), len(warns), out)
	}
	first := errs[0]
	for _, want := range []string{
		"title=newapi-doctor%3A dead%2C one%3A x refused (error)::", // property escaping; the grade
		"connection-refused at tcp",
		"%0Asecond line%2C", // no: ',' is not escaped in data
	} {
		if want == "%0Asecond line%2C" {
			want = "%0Asecond line, 100%25 sure" // data escaping: newline and percent
		}
		if !strings.Contains(first, want) {
			t.Errorf("annotation %q lacks %q", first, want)
		}
	}
	if strings.Contains(first, "file=") {
		t.Errorf("annotation must be file-less: %q", first)
	}
	for _, secret := range []string{"hunter2secret", "sk-abcdefghijklmnopqrstuvwxyz", "10.1.2.3", "corp-gw.internal.example"} {
		if strings.Contains(out, secret) {
			t.Errorf("output leaks %q", secret)
		}
	}
	if !strings.Contains(out, "4 endpoint(s), 1 ok, 2 failed, 1 warning(s); severity: ") {
		t.Errorf("summary missing:\n%s", out)
	}
}

func TestGitHubEscaping(t *testing.T) {
	for _, tt := range []struct{ in, data, prop string }{
		{"a%b", "a%25b", "a%25b"},
		{"l1\r\nl2", "l1%0D%0Al2", "l1%0D%0Al2"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
		{"%0A", "%250A", "%250A"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := ghData(tt.in); got != tt.data {
				t.Errorf("ghData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := ghProperty(tt.in); got != tt.prop {
				t.Errorf("ghProperty(%q) = %q, want %q", tt.in, got, tt.prop)
			}
		})
	}
}

// The commands must survive Render's whole-buffer redaction pass.
func TestGitHubThroughRender(t *testing.T) {
	rep := ciReport(ciEndpoint("dead", diag.CatRefused, diag.CauseConnRefused), ciEndpoint("busy", diag.CatOverloaded, diag.CauseRateLimited))
	out := renderString(t, rep, "github")
	if n := strings.Count(out, "\n::error title="); n+boolInt(strings.HasPrefix(out, "::error title=")) != 2 {
		t.Fatalf("want 2 ::error lines after redaction:\n%s", out)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// An IP right after an escaped newline must still be redacted: fields are
// redacted before escaping.
func TestGitHubRedactsBeforeEscaping(t *testing.T) {
	e := ciEndpoint("x", diag.CatBlocked, diag.CauseSYNTimeout)
	e.Message = "first\n203.0.113.77:443 never answered"
	out := renderString(t, ciReport(e), "github")
	if strings.Contains(out, "203.0.113.77") {
		t.Fatalf("IP after %%0A leaked: %s", out)
	}
}

// Whatever an endpoint's name or message holds, each annotation stays one
// line: a raw newline would end the workflow command and inject another.
func FuzzGitHubOneLinePerAnnotation(f *testing.F) {
	f.Add("a", "msg", "hint")
	f.Add("x\n::error::injected", "l1\r\nl2%0A::warning::x", "100%")
	f.Add("n,a:m", "\u2028\x00", "")
	f.Fuzz(func(t *testing.T, name, msg, hint string) {
		e := diag.EndpointResult{Name: name, Category: diag.CatRefused, Cause: diag.CauseConnRefused, Message: msg, Hint: hint}
		var buf bytes.Buffer
		if err := renderGitHub(&buf, ciReport(e, e), Options{Redactor: redact.New(redact.LevelDefault, nil)}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("%d lines for 2 failing endpoints + summary: %q", len(lines), buf.String())
		}
		for _, l := range lines[:2] {
			if !strings.HasPrefix(l, "::error title=") || strings.ContainsAny(l, "\r") {
				t.Fatalf("malformed annotation %q", l)
			}
		}
	})
}
