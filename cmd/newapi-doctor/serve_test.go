package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// lockedBuf is an io.Writer the server goroutine and the test share.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveScrape fetches /metrics and parses it with Prometheus' text parser.
func serveScrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("exposition does not parse: %v", err)
	}
	return fams
}

// upOf returns newapi_doctor_up and the verdict's category for endpoint name.
func upOf(t *testing.T, fams map[string]*dto.MetricFamily, name string) (float64, string) {
	t.Helper()
	up, cat := -1.0, ""
	labels := func(m *dto.Metric) map[string]string {
		out := map[string]string{}
		for _, l := range m.GetLabel() {
			out[l.GetName()] = l.GetValue()
		}
		return out
	}
	for _, m := range fams["newapi_doctor_up"].GetMetric() {
		if labels(m)["endpoint"] == name {
			up = m.GetGauge().GetValue()
		}
	}
	for _, m := range fams["newapi_doctor_verdict"].GetMetric() {
		if l := labels(m); l["endpoint"] == name {
			cat = l["category"]
		}
	}
	if up < 0 {
		t.Fatalf("no newapi_doctor_up for %q", name)
	}
	return up, cat
}

func TestServeScrapeSeesEndpointBreak(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	defer upstream.Close()

	var errOut lockedBuf
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut},
		Getenv: func(string) string { return "" }, Version: "test"}
	addrc := make(chan string, 1)
	o := &serveOptions{listen: "127.0.0.1:0", interval: 0, ready: func(a string) { addrc <- a }}
	o.src.Timeouts.HTTP = 2 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, f, o, []string{upstream.URL + "/v1"}) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve ended early: %v (%s)", err, errOut.String())
	}

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()

	fams := serveScrape(t, addr)
	name := ""
	for _, m := range fams["newapi_doctor_up"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "endpoint" {
				name = l.GetValue()
			}
			if l.GetName() == "host" && strings.Contains(upstream.URL, l.GetValue()) && l.GetValue() != "127.0.0.1" {
				t.Errorf("host label %q not redacted", l.GetValue())
			}
		}
	}
	if up, cat := upOf(t, fams, name); up != 1 || cat != "ok" {
		t.Fatalf("before the break: up=%v category=%q, want 1 ok", up, cat)
	}
	if fams["newapi_doctor_layer_duration_seconds"] == nil {
		t.Errorf("no per-layer histograms")
	}

	upstream.Close() // the endpoint breaks between scrapes
	fams = serveScrape(t, addr)
	if up, cat := upOf(t, fams, name); up != 0 || cat != "refused" {
		t.Fatalf("after the break: up=%v category=%q, want 0 refused", up, cat)
	}

	cancel() // SIGINT/SIGTERM arrive as ctx cancellation from main
	if err := <-done; err != nil {
		t.Fatalf("graceful shutdown returned %v", err)
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("no shutdown message: %q", errOut.String())
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    serveOptions
	}{
		{"negative interval", serveOptions{listen: "127.0.0.1:0", interval: -time.Second}},
		{"tiny interval", serveOptions{listen: "127.0.0.1:0", interval: time.Millisecond}},
		{"bad listen", serveOptions{listen: "127.0.0.1:notaport", interval: time.Minute}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
				Getenv: func(string) string { return "" }, Version: "test"}
			err := runServe(context.Background(), f, &tt.o, []string{"http://127.0.0.1:1/v1"})
			var ee *ExitError
			if err == nil || !errors.As(err, &ee) || ee.Code != ExitUsage {
				t.Fatalf("got %v, want a usage error (exit 2)", err)
			}
		})
	}
}
