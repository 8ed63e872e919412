package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// ciReport builds a synthetic report with the given verdicts, including the
// awkward characters renderers must escape and secrets they must hide.
func ciReport(verdicts ...diag.EndpointResult) *diag.Report {
	rep := &diag.Report{SchemaVersion: diag.SchemaVersion, Tool: "newapi-doctor", Version: "test",
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), DurationMS: 1234, Endpoints: verdicts}
	rep.Summarize()
	return rep
}

func ciEndpoint(name string, cat diag.Category, cause diag.Cause) diag.EndpointResult {
	e := diag.EndpointResult{
		Name: name, URL: "https://corp-gw.internal.example/v1", Provider: "openai",
		Category: cat, Cause: cause, DurationMS: 12.5,
		Proxy: diag.ProxyInfo{Source: "env:HTTPS_PROXY", URL: "http://bob:hunter2secret@10.1.2.3:3128"},
	}
	if cat != diag.CatOK {
		e.FailingLayer = diag.LayerTCP
		e.Message = "10.1.2.3:443 refused <the> \"connection\" & more\nsecond line, 100% sure: key sk-abcdefghijklmnopqrstuvwxyz"
		e.Hint = "Nothing listens there: start it & retry"
		e.Layers = []diag.LayerResult{{Layer: diag.LayerDNS, OK: true, DurationMS: 1}, {Layer: diag.LayerTCP, DurationMS: 2, Error: "connect: connection refused"}}
	}
	return e
}

func renderString(t *testing.T, rep *diag.Report, format string) string {
	t.Helper()
	rd := redact.New(redact.LevelDefault, nil)
	rd.AddHost("corp-gw.internal.example")
	var buf bytes.Buffer
	if err := Render(&buf, rep, format, Options{Redactor: rd}); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.String()
}

func TestJUnitCounts(t *testing.T) {
	interrupted := ciEndpoint("late", diag.CatBlocked, diag.CauseInterrupted)
	tests := []struct {
		name                           string
		eps                            []diag.EndpointResult
		wantTests, wantFail, wantSkips int
	}{
		{"empty", nil, 0, 0, 0},
		{"all ok", []diag.EndpointResult{ciEndpoint("a", diag.CatOK, diag.CauseOK), ciEndpoint("b", diag.CatOK, diag.CauseOKKeyNotSent)}, 2, 0, 0},
		{"mixed", []diag.EndpointResult{
			ciEndpoint("a", diag.CatOK, diag.CauseOK),
			ciEndpoint("b", diag.CatRefused, diag.CauseConnRefused),
			ciEndpoint("c", diag.CatOverloaded, diag.CauseRateLimited),
			ciEndpoint("d", diag.CatOK, diag.CauseFlaky),
			interrupted,
		}, 5, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := renderString(t, ciReport(tt.eps...), "junit")
			var doc junitSuites
			if err := xml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("invalid XML: %v\n%s", err, out)
			}
			if len(doc.Suites) != 1 {
				t.Fatalf("%d suites", len(doc.Suites))
			}
			s := doc.Suites[0]
			// Counts in the attributes must agree with the elements.
			fails, skips := 0, 0
			for _, c := range s.Cases {
				if c.Failure != nil {
					fails++
				}
				if c.Skipped != nil {
					skips++
				}
			}
			for _, got := range []struct {
				what      string
				got, want int
			}{
				{"suites tests", doc.Tests, tt.wantTests}, {"suite tests", s.Tests, tt.wantTests},
				{"testcase elements", len(s.Cases), tt.wantTests},
				{"suites failures", doc.Failures, tt.wantFail}, {"suite failures", s.Failures, tt.wantFail},
				{"failure elements", fails, tt.wantFail},
				{"suites skipped", doc.Skipped, tt.wantSkips}, {"suite skipped", s.Skipped, tt.wantSkips},
				{"skipped elements", skips, tt.wantSkips},
			} {
				if got.got != got.want {
					t.Errorf("%s = %d, want %d", got.what, got.got, got.want)
				}
			}
		})
	}
}

func TestJUnitFailureContent(t *testing.T) {
	e := ciEndpoint("openai-main", diag.CatRefused, diag.CauseConnRefused)
	out := renderString(t, ciReport(e), "junit")
	var doc junitSuites
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("invalid XML: %v", err)
	}
	c := doc.Suites[0].Cases[0]
	if c.Name != "openai-main" || c.Failure == nil {
		t.Fatalf("case %+v", c)
	}
	for _, want := range []string{"refused", string(diag.CauseConnRefused), "severity: error", "Nothing listens there: start it & retry", "<the>"} {
		if !strings.Contains(c.Failure.Text+c.Failure.Message, want) {
			t.Errorf("failure lacks %q:\n%s", want, c.Failure.Text)
		}
	}
	if c.Classname != "newapi-doctor/openai" {
		t.Errorf("classname %q (must survive redaction readable)", c.Classname)
	}
	if c.Failure.Type != "refused" {
		t.Errorf("failure type %q", c.Failure.Type)
	}
	if !strings.Contains(out, `<property name="severity" value="1 error, 0 warning, 0 info">`) {
		t.Errorf("suite lacks the severity counts:\n%s", out)
	}
	for _, secret := range []string{"hunter2secret", "sk-abcdefghijklmnopqrstuvwxyz", "10.1.2.3", "corp-gw.internal.example"} {
		if strings.Contains(out, secret) {
			t.Errorf("output leaks %q", secret)
		}
	}
}

func FuzzJUnitValidXML(f *testing.F) {
	f.Add("a", "msg", "hint")
	f.Add("x<y>&\"'", "line1\nline2\r\x00\x1b[31m", "]]>")
	f.Add("\xff\xfe", "%0A", "\u2028")
	f.Add("gw", `token="sk-abcdefghijklmnopqrstuvwx" password=hunter2 http://u:p@10.0.0.1:3128`, `<a href="https://corp.example.internal/x?key=abc">`)
	f.Fuzz(func(t *testing.T, name, msg, hint string) {
		e := diag.EndpointResult{Name: name, Category: diag.CatHTTP, Cause: diag.CauseNotFound, Message: msg, Hint: hint}
		var buf bytes.Buffer
		// Through the full redaction pass: a pseudonym or [REDACTED] must
		// never break the markup.
		if err := Render(&buf, ciReport(e), "junit", Options{Redactor: redact.New(redact.LevelDefault, nil)}); err != nil {
			return // refusing is fine; a panic or invalid XML is not
		}
		var doc junitSuites
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("invalid XML for %q/%q/%q: %v", name, msg, hint, err)
		}
		if doc.Tests != 1 || doc.Failures != 1 {
			t.Fatalf("counts %d/%d", doc.Tests, doc.Failures)
		}
	})
}
