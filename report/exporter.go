package report

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// ExporterOptions configure a Prometheus exporter.
type ExporterOptions struct {
	// Check runs one round over all endpoints (normally diag.Run with the
	// command's RunOptions). Required.
	Check func(ctx context.Context, eps []diag.Endpoint) *diag.Report
	// Interval > 0 probes in the background every Interval and scrapes return
	// the last round at once; 0 probes on every scrape (blackbox_exporter's way).
	Interval time.Duration
	// Redactor turns hosts into the same pseudonyms as every other output.
	// Labels carry endpoint names and redacted hosts only.
	Redactor *redact.Redactor
	Version  string
	Now      func() time.Time // nil = time.Now
}

// Exporter exposes the verdicts of periodic checks as Prometheus metrics, in
// the way of blackbox_exporter: per endpoint up, verdict, per-layer duration
// histograms and the last success.
type Exporter struct {
	eps   []diag.Endpoint
	names []string // endpoint label per endpoint (the name as every output shows it)
	hosts []string // redacted host label per endpoint
	o     ExporterOptions
	reg   *prometheus.Registry

	layerDur  *prometheus.HistogramVec
	probes    *prometheus.CounterVec
	rounds    prometheus.Counter
	roundSecs prometheus.Gauge

	probeMu sync.Mutex // one round at a time; scrapes during a round wait for it

	hist History // per endpoint, for the status page's sparklines

	mu          sync.RWMutex
	last        *diag.Report
	lastRound   time.Time
	lastSuccess map[string]time.Time
}

const metricNS = "newapi_doctor"

var (
	descUp = prometheus.NewDesc(metricNS+"_up",
		"1 when the endpoint's last check was ok (flaky included), else 0.", []string{"endpoint", "host"}, nil)
	descVerdict = prometheus.NewDesc(metricNS+"_verdict",
		"The endpoint's last verdict: always 1, the category and cause are labels.", []string{"endpoint", "host", "category", "cause"}, nil)
	descEndpointDur = prometheus.NewDesc(metricNS+"_check_duration_seconds",
		"Duration of the endpoint's last check, retries included.", []string{"endpoint", "host"}, nil)
	descLastSuccess = prometheus.NewDesc(metricNS+"_last_success_timestamp_seconds",
		"Unix time of the endpoint's last ok check (absent until one succeeds).", []string{"endpoint", "host"}, nil)
	descLastRound = prometheus.NewDesc(metricNS+"_last_round_timestamp_seconds",
		"Unix time the last check round finished (absent before the first).", nil, nil)
)

// NewExporter builds an exporter for eps. Endpoint names must be unique; a
// repeated name gets a "#2" suffix so label sets never collide.
func NewExporter(eps []diag.Endpoint, o ExporterOptions) *Exporter {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Redactor == nil {
		o.Redactor = redact.New(redact.LevelDefault, nil)
	}
	e := &Exporter{o: o, lastSuccess: map[string]time.Time{}, reg: prometheus.NewRegistry()}
	seen := map[string]int{}
	labels := map[string]bool{}
	for _, ep := range eps {
		seen[ep.Name]++
		if seen[ep.Name] > 1 {
			ep.Name = fmt.Sprintf("%s#%d", ep.Name, seen[ep.Name])
		}
		e.eps = append(e.eps, ep)
		e.o.Redactor.AddName(ep.Name)
		e.hosts = append(e.hosts, e.hostLabel(ep.URL))
		// Names are never redacted, but one derived from a URL argument
		// ("corp-gw.internal/v1") carries its host: as in every other
		// output, the redactor sees it.
		name := e.o.Redactor.String(ep.Name)
		if labels[name] {
			name = fmt.Sprintf("%s#%d", name, len(e.names)+1)
		}
		labels[name] = true
		e.names = append(e.names, name)
	}
	e.layerDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: metricNS, Name: "layer_duration_seconds",
		Help:    "Time each probed layer took (dns, tcp, tls, http, proxy-*), ok or not.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20},
	}, []string{"endpoint", "host", "layer"})
	e.probes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricNS, Name: "checks_total",
		Help: "Checks per endpoint by resulting category (rate of non-ok = how often it fails).",
	}, []string{"endpoint", "host", "category"})
	e.rounds = prometheus.NewCounter(prometheus.CounterOpts{Namespace: metricNS, Name: "rounds_total",
		Help: "Check rounds run (every interval or scrape)."})
	e.roundSecs = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: metricNS, Name: "round_duration_seconds",
		Help: "Wall time of the last check round."})
	build := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: metricNS, Name: "build_info",
		Help: "Always 1; the version is a label.", ConstLabels: prometheus.Labels{"version": o.Version}})
	build.Set(1)
	e.reg.MustRegister(e.layerDur, e.probes, e.rounds, e.roundSecs, build, (*verdictCollector)(e),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return e
}

// hostLabel is the URL's host name through the redactor: public provider
// hosts stay readable, private names and addresses become pseudonyms.
func (e *Exporter) hostLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	h := u.Hostname()
	e.o.Redactor.AddHost(h)
	return e.o.Redactor.String(h)
}

// Probe runs one round now and records it.
func (e *Exporter) Probe(ctx context.Context) *diag.Report {
	e.probeMu.Lock()
	defer e.probeMu.Unlock()
	start := e.o.Now()
	rep := e.o.Check(ctx, e.eps)
	e.record(rep, start)
	return rep
}

func (e *Exporter) record(rep *diag.Report, start time.Time) {
	if rep == nil {
		return
	}
	now := e.o.Now()
	e.rounds.Inc()
	e.roundSecs.Set(now.Sub(start).Seconds())
	idx := e.index()
	for _, r := range rep.Endpoints {
		i, ok := idx[r.Name]
		if !ok {
			continue
		}
		name, host := e.names[i], e.hosts[i]
		e.probes.WithLabelValues(name, host, string(r.Category)).Inc()
		for _, l := range r.Layers {
			e.layerDur.WithLabelValues(name, host, string(l.Layer)).Observe(l.DurationMS / 1000)
		}
	}
	e.hist.Add(rep, now)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range rep.Endpoints {
		if r.Category == diag.CatOK && !rep.Interrupted {
			e.lastSuccess[r.Name] = now
		}
	}
	e.last = rep
	e.lastRound = now
}

func (e *Exporter) index() map[string]int {
	m := make(map[string]int, len(e.eps))
	for i, ep := range e.eps {
		m[ep.Name] = i
	}
	return m
}

// Run probes every Interval until ctx ends (the first round at once). With
// Interval 0 it returns at once: scrapes drive the probes.
func (e *Exporter) Run(ctx context.Context) {
	if e.o.Interval <= 0 {
		return
	}
	t := time.NewTicker(e.o.Interval)
	defer t.Stop()
	for {
		e.Probe(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// statusRefreshOnDemand is the status page's reload period with
// --interval 0, where each load runs a round.
const statusRefreshOnDemand = 30 * time.Second

// Handler serves /metrics, /healthz and the status page at /.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	metrics := promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		if e.o.Interval <= 0 {
			ctx := r.Context()
			// Finish inside Prometheus' scrape timeout (as blackbox_exporter
			// does): a late answer is a failed scrape with no data at all.
			if secs, err := strconv.ParseFloat(r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"), 64); err == nil && secs > 1 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Duration((secs-0.5)*float64(time.Second)))
				defer cancel()
			}
			e.Probe(ctx)
		}
		metrics.ServeHTTP(w, r)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		e.mu.RLock()
		last := e.lastRound
		e.mu.RUnlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if last.IsZero() {
			fmt.Fprintln(w, "ok: no check round finished yet")
			return
		}
		fmt.Fprintf(w, "ok: last round %s ago\n", e.o.Now().Sub(last).Round(time.Millisecond))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		refresh := e.o.Interval
		if refresh <= 0 {
			// Checks run on request: the page is one, and reloads slowly.
			e.Probe(r.Context())
			refresh = statusRefreshOnDemand
		}
		e.mu.RLock()
		last := e.last
		e.mu.RUnlock()
		var buf bytes.Buffer
		if err := RenderStatusPage(&buf, StatusPage{Report: last, History: e.hist.Snapshot(), Refresh: refresh}, Options{Redactor: e.o.Redactor}); err != nil {
			http.Error(w, "rendering the status page failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	})
	return mux
}

// verdictCollector emits the last round's per-endpoint state as const
// metrics, so a changed verdict replaces its old label set instead of
// leaving a stale series behind.
type verdictCollector Exporter

func (c *verdictCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descVerdict, descEndpointDur, descLastSuccess, descLastRound} {
		ch <- d
	}
}

func (c *verdictCollector) Collect(ch chan<- prometheus.Metric) {
	e := (*Exporter)(c)
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.last == nil {
		return
	}
	idx := e.index()
	for _, r := range e.last.Endpoints {
		i, ok := idx[r.Name]
		if !ok {
			continue
		}
		name, host := e.names[i], e.hosts[i]
		up := 0.0
		if r.Category == diag.CatOK {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, name, host)
		ch <- prometheus.MustNewConstMetric(descVerdict, prometheus.GaugeValue, 1, name, host,
			string(r.Category), labelSafe(string(r.Cause)))
		ch <- prometheus.MustNewConstMetric(descEndpointDur, prometheus.GaugeValue, r.DurationMS/1000, name, host)
		if t, ok := e.lastSuccess[r.Name]; ok {
			ch <- prometheus.MustNewConstMetric(descLastSuccess, prometheus.GaugeValue, float64(t.UnixNano())/1e9, name, host)
		}
	}
	ch <- prometheus.MustNewConstMetric(descLastRound, prometheus.GaugeValue, float64(e.lastRound.UnixNano())/1e9)
}

// labelSafe keeps a label value valid UTF-8 (causes are kebab-case already;
// this guards against a future free-text cause).
func labelSafe(s string) string { return strings.ToValidUTF8(s, "?") }
