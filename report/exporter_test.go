package report

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// scrape fetches /metrics over loopback and parses it with Prometheus' own
// text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("scrape status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("exposition does not parse: %v", err)
	}
	return fams
}

// series finds the metric of family name whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

// serveExporter serves e on a loopback port for the test's lifetime.
func serveExporter(t *testing.T, e *Exporter) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: e.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// fakeCheck returns verdicts set by the test, as diag.Run would.
type fakeCheck struct {
	mu    sync.Mutex
	cat   map[string]diag.Category
	calls int
}

func (f *fakeCheck) check(_ context.Context, eps []diag.Endpoint) *diag.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	rep := &diag.Report{}
	for _, ep := range eps {
		c := f.cat[ep.Name]
		cause := diag.CauseOK
		if c != diag.CatOK {
			cause = diag.CauseConnRefused
		}
		rep.Endpoints = append(rep.Endpoints, diag.EndpointResult{Name: ep.Name, URL: ep.URL, Category: c, Cause: cause,
			DurationMS: 3, Layers: []diag.LayerResult{{Layer: diag.LayerTCP, OK: c == diag.CatOK, DurationMS: 2}}})
	}
	return rep
}

func TestExporterOnScrape(t *testing.T) {
	fc := &fakeCheck{cat: map[string]diag.Category{"gw": diag.CatOK, "openai": diag.CatOK}}
	rd := redact.New(redact.LevelDefault, []string{"api.openai.com"})
	e := NewExporter([]diag.Endpoint{
		{Name: "gw", URL: "http://corp-gateway.internal.example:3000"},
		{Name: "openai", URL: "https://api.openai.com/v1"},
		{Name: "corp-gateway.internal.example:3000", URL: "http://corp-gateway.internal.example:3000"}, // a name from a URL argument
	}, ExporterOptions{Check: fc.check, Redactor: rd, Version: "t"})
	base := serveExporter(t, e)

	fams := scrape(t, base)
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "corp-gateway") {
					t.Errorf("%s label %s=%q leaks the private host", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	gwHost := ""
	if m := series(fams, "newapi_doctor_up", map[string]string{"endpoint": "gw"}); m == nil || m.GetGauge().GetValue() != 1 {
		t.Fatalf("gw up = %v, want 1", m)
	} else {
		for _, l := range m.GetLabel() {
			if l.GetName() == "host" {
				gwHost = l.GetValue()
			}
		}
	}
	if gwHost == "" || strings.Contains(gwHost, "corp-gateway") {
		t.Errorf("host label %q: want a pseudonym", gwHost)
	}
	if series(fams, "newapi_doctor_up", map[string]string{"endpoint": "openai", "host": "api.openai.com"}) == nil {
		t.Errorf("public provider host should stay readable")
	}
	if series(fams, "newapi_doctor_last_success_timestamp_seconds", map[string]string{"endpoint": "gw"}) == nil {
		t.Errorf("no last-success timestamp after an ok check")
	}
	if h := series(fams, "newapi_doctor_layer_duration_seconds", map[string]string{"endpoint": "gw", "layer": "tcp"}); h == nil || h.GetHistogram().GetSampleCount() != 1 {
		t.Errorf("tcp histogram = %v, want 1 sample", h)
	}

	// The endpoint breaks: the next scrape probes again and shows it.
	fc.mu.Lock()
	fc.cat["gw"] = diag.CatRefused
	fc.mu.Unlock()
	fams = scrape(t, base)
	if m := series(fams, "newapi_doctor_up", map[string]string{"endpoint": "gw"}); m == nil || m.GetGauge().GetValue() != 0 {
		t.Fatalf("gw up after breaking = %v, want 0", m)
	}
	if series(fams, "newapi_doctor_verdict", map[string]string{"endpoint": "gw", "category": "refused", "cause": string(diag.CauseConnRefused)}) == nil {
		t.Errorf("no refused verdict series")
	}
	if series(fams, "newapi_doctor_verdict", map[string]string{"endpoint": "gw", "category": "ok"}) != nil {
		t.Errorf("stale ok verdict series left behind")
	}
	if series(fams, "newapi_doctor_last_success_timestamp_seconds", map[string]string{"endpoint": "gw"}) == nil {
		t.Errorf("last success must survive a failure")
	}
	if h := series(fams, "newapi_doctor_layer_duration_seconds", map[string]string{"endpoint": "gw", "layer": "tcp"}); h == nil || h.GetHistogram().GetSampleCount() != 2 {
		t.Errorf("tcp histogram after two rounds = %v", h)
	}
	if c := series(fams, "newapi_doctor_checks_total", map[string]string{"endpoint": "gw", "category": "refused"}); c == nil || c.GetCounter().GetValue() != 1 {
		t.Errorf("checks_total{refused} = %v", c)
	}
}

func TestExporterInterval(t *testing.T) {
	fc := &fakeCheck{cat: map[string]diag.Category{"a": diag.CatOK}}
	e := NewExporter([]diag.Endpoint{{Name: "a", URL: "http://127.0.0.1:1"}, {Name: "a", URL: "http://127.0.0.1:2"}},
		ExporterOptions{Check: fc.check, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	base := serveExporter(t, e)
	// Run's first round is immediate; wait for it via healthz rather than time.
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("healthz %d", resp.StatusCode)
		}
		if strings.Contains(string(b), "last round") {
			break
		}
		if i > 500 {
			t.Fatal("first round never finished")
		}
		time.Sleep(10 * time.Millisecond)
	}
	fams := scrape(t, base)
	scrape(t, base)
	fc.mu.Lock()
	calls := fc.calls
	fc.mu.Unlock()
	if calls != 1 {
		t.Errorf("interval mode probed %d times for 2 scrapes, want 1 (scrapes read the cache)", calls)
	}
	// Duplicate names get distinct label sets instead of a collision.
	if series(fams, "newapi_doctor_up", map[string]string{"endpoint": "a#2"}) == nil {
		t.Errorf("duplicate endpoint name not disambiguated")
	}
	cancel()
	<-done
}

// The example alert rules must only use metrics the exporter exposes, and
// pass promtool's own checks and unit tests where promtool is installed.
func TestPrometheusDocs(t *testing.T) {
	dir := filepath.Join("..", "docs", "prometheus")
	rules, err := os.ReadFile(filepath.Join(dir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	fc := &fakeCheck{cat: map[string]diag.Category{"a": diag.CatOK}}
	e := NewExporter([]diag.Endpoint{{Name: "a", URL: "http://127.0.0.1:1"}}, ExporterOptions{Check: fc.check})
	e.Probe(context.Background())
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{}
	for _, f := range fams {
		exposed[f.GetName()] = true
	}
	used := regexp.MustCompile(`newapi_doctor_[a-z_]+`).FindAllString(string(rules), -1)
	if len(used) == 0 {
		t.Fatal("alerts.yml uses no newapi_doctor metric")
	}
	for _, m := range used {
		if !exposed[m] {
			t.Errorf("alerts.yml uses %s, which the exporter does not expose", m)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus): rule syntax and rule unit tests not run")
	}
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"check", "config", "prometheus.yml"},
		{"test", "rules", "alerts_test.yml"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(promtool, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("promtool %v: %v\n%s", args, err, out)
			}
		})
	}
}

// TestExporterStatusPage: / shows the last round with each endpoint's
// history, refreshed by the interval, redacted like the metrics.
func TestExporterStatusPage(t *testing.T) {
	fc := &fakeCheck{cat: map[string]diag.Category{"gw": diag.CatOK}}
	e := NewExporter([]diag.Endpoint{{Name: "gw", URL: "http://corp-gateway.internal.example:3000"}},
		ExporterOptions{Check: fc.check, Interval: 42 * time.Second, Redactor: redact.New(redact.LevelDefault, nil)})
	base := serveExporter(t, e)
	get := func() string {
		t.Helper()
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("/: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return string(b)
	}
	if p := get(); !strings.Contains(p, `id="waiting"`) || !strings.Contains(p, `content="42"`) {
		t.Fatalf("before the first round: %s", p)
	}
	e.Probe(context.Background())
	fc.mu.Lock()
	fc.cat["gw"] = diag.CatRefused
	fc.mu.Unlock()
	e.Probe(context.Background())
	p := get()
	for _, w := range []string{`data-endpoint="gw" data-severity="error"`, `data-history="2"`, `class="g-ok"`, `class="g-error"`, "<svg", `data-phase="tcp"`} {
		if !strings.Contains(p, w) {
			t.Errorf("status page lacks %q", w)
		}
	}
	if strings.Contains(p, "corp-gateway") {
		t.Error("status page leaks the private host")
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.calls != 2 {
		t.Errorf("the page probed (%d rounds); with an interval it reads the last round", fc.calls)
	}
}
