package report

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

var rePseudonym = regexp.MustCompile(`(host|ip|private)-[0-9a-f]{6,}\b`)

// meaningReport is issue 9 item 9's run: a proxy whose password is the word
// "wrong", an endpoint named after it, the path sentence saying "anything
// wrong is above TCP", and Go's Client.Timeout error.
func meaningReport(password string) (*diag.Report, []diag.Endpoint) {
	ep := diag.Endpoint{Name: "proxy-wrong-password", URL: "https://relay.corp.example/v1",
		Proxy: "http://ops:" + password + "@10.0.0.5:3128", Source: "newapi-doctor.yaml:2"}
	const timeout = `Get "https://relay.corp.example/v1/models": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
	e := diag.EndpointResult{Name: ep.Name, URL: ep.URL, Source: ep.Source, Category: diag.CatOverloaded, Cause: diag.CauseNoResponse,
		Message: timeout, Hint: "the server accepted the connection but did not answer", FailingLayer: diag.LayerHTTP,
		Proxy:  diag.ProxyInfo{URL: ep.Proxy, Source: "config"},
		Layers: []diag.LayerResult{{Layer: diag.LayerProxyTCP, OK: true}, {Layer: diag.LayerHTTP, Error: timeout}},
		Path: &diag.PathInfo{Target: "10.0.0.7", Verdict: "tcp-open", Port: 443,
			Summary: "the target accepts TCP 443 (hop 3): the network path is open; anything wrong is above TCP (a filter reading the TLS handshake, or the server itself)"}}
	rep := &diag.Report{SchemaVersion: diag.SchemaVersion, Tool: "newapi-doctor", Version: "v1.2.3",
		StartedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Endpoints: []diag.EndpointResult{e}}
	rep.Summarize()
	return rep, []diag.Endpoint{ep}
}

// TestRedactionKeepsMeaning (issue 9 item 9): in every format and in the
// bundle, registering the password "wrong" changes nothing but the
// password: the output equals the one of a run whose password appears
// nowhere else. The name, the prose and Go's Client.Timeout stay.
func TestRedactionKeepsMeaning(t *testing.T) {
	render := func(password, format string) string {
		rep, eps := meaningReport(password)
		rd := redact.New(redact.LevelDefault, testAllow)
		register(rd, eps)
		var buf bytes.Buffer
		if err := Render(&buf, rep, format, Options{Verbose: true, Redactor: rd}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return rePseudonym.ReplaceAllString(buf.String(), "$1-X")
	}
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			got, control := render("wrong", f), render("Zq9-unrelated-Xy", f)
			if got != control {
				t.Errorf("registering the password changed the output:\n%s\n--- a password found nowhere:\n%s", got, control)
			}
			for _, want := range []string{"proxy-wrong-password", "Client.Timeout exceeded while awaiting headers"} {
				if !strings.Contains(got, want) {
					t.Errorf("%q lost:\n%s", want, got)
				}
			}
			if strings.Contains(got, ":wrong@") || strings.Contains(got, "ops:") {
				t.Errorf("the proxy's credentials show:\n%s", got)
			}
		})
	}
	// The path sentence is in the formats that print paths.
	for _, f := range []string{"text", "json", "markdown"} {
		if got := render("wrong", f); !strings.Contains(got, "anything wrong is above TCP") {
			t.Errorf("%s: the path sentence lost its words:\n%s", f, got)
		}
	}
}

// TestBundleKeepsMeaning: the bundle of that run keeps the name, the prose
// and Client.Timeout, hides the password, and passes bundle verify (a Go
// selector is no hostname to report).
func TestBundleKeepsMeaning(t *testing.T) {
	rep, eps := meaningReport("wrong")
	rd := redact.New(redact.LevelDefault, testAllow)
	register(rd, eps)
	runLog := "time=2026-11-26T09:00:01Z level=WARN endpoint=proxy-wrong-password proxy=http://ops:wrong@10.0.0.5:3128 err=\"" + rep.Endpoints[0].Message + "\"\n"
	zb, _, err := BuildBundle(BundleInput{Report: rep, RunLog: []byte(runLog), Redactor: rd, Version: "v1.2.3",
		Now: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, zb)
	for _, name := range []string{"report.json", "report.txt", "report.md", "run.log"} {
		b := string(files[name])
		for _, want := range []string{"proxy-wrong-password", "Client.Timeout exceeded while awaiting headers"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s lost %q:\n%s", name, want, b)
			}
		}
		if strings.Contains(b, ":wrong@") {
			t.Errorf("%s shows the password:\n%s", name, b)
		}
	}
	if !strings.Contains(string(files["report.txt"]), "anything wrong is above TCP") {
		t.Errorf("report.txt lost the path sentence:\n%s", files["report.txt"])
	}
	if fs, err := VerifyBundle("b.zip", zb, redact.New(redact.LevelDefault, testAllow)); err != nil || len(fs) != 0 {
		t.Errorf("bundle verify: %v %v", fs, err)
	}
}

// TestMetricsLabelsKeepNames: the metrics label of proxy-wrong-password is
// its name, with the proxy password "wrong" registered as serve does.
func TestMetricsLabelsKeepNames(t *testing.T) {
	_, eps := meaningReport("wrong")
	rd := redact.New(redact.LevelDefault, testAllow)
	register(rd, eps)
	fc := &fakeCheck{cat: map[string]diag.Category{eps[0].Name: diag.CatProxy}}
	e := NewExporter(eps, ExporterOptions{Check: fc.check, Redactor: rd})
	e.Probe(context.Background())
	list, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, f := range list {
		fams[f.GetName()] = f
	}
	if series(fams, "newapi_doctor_up", map[string]string{"endpoint": "proxy-wrong-password"}) == nil {
		t.Errorf("no newapi_doctor_up series labelled proxy-wrong-password: %v", fams["newapi_doctor_up"])
	}
}
