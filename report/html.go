package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// The page is one self-contained file: inline CSS, no script, no fonts or
// images fetched, so it reads the same offline, attached to an issue. The
// CSS has no dotted selectors (.a.b, tr.x): the redactor, which sees the
// whole page, takes "a.b" for a host name.
//
//go:embed html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":  func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"pct": func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + "%" },
}).Parse(htmlSource))

// htmlPage is what the template sees. Every string in it has been through
// the redactor before html/template escapes it: an escape glued to a secret
// ("&#43;" inside a key) would hide it from the final whole-page pass.
type htmlPage struct {
	Lang        string              // the page's lang attribute
	T           func(string) string // a label in the page's language
	Title       string
	Refresh     int // seconds; 0 = a static report
	Generated   string
	Version     string
	Duration    string
	Interrupted bool
	Waiting     string // the status page before the first round
	Counts      string // the policy's counts, as text and markdown say them
	Grades      []gradeCount
	Endpoints   []htmlEndpoint
}

type gradeCount struct {
	Grade string
	Name  string // the grade as a person reads it
	N     int
}

type htmlEndpoint struct {
	Name, URL, Verdict, Category, Cause string
	Grade, Class, Mark, PolicyTag       string
	Message, Hint, FailingLayer, Proxy  string
	Channel, ChannelLine                string // a disabled new-api channel's status, and with reason and time
	Notes                               []string
	DurationMS                          float64
	Phases                              []htmlPhase
	Path                                *htmlPath
	History                             *sparkline
}

// htmlPhase is one bar of the waterfall: offset and width are shares of the
// endpoint's summed phase time, as httpstat and devtools draw it.
type htmlPhase struct {
	Key, Label  string
	MS          float64
	Offset, Pct float64
	Failed      bool
}

type htmlPath struct {
	Summary, Target, Verdict, Ends string
	Ping                           string
	Method                         string
	Hops                           []htmlHop
}

type htmlHop struct {
	TTL              int
	Addr, RTT, Note  string
	LossPct          float64
	Silent, Reported bool
}

func renderHTML(w io.Writer, rep *diag.Report, o Options) error {
	return htmlTmpl.Execute(w, buildHTMLPage(rep, o, nil))
}

// StatusPage is the serve command's page: the last round's report with each
// endpoint's recent history, reloaded every Refresh by the browser itself.
type StatusPage struct {
	Report  *diag.Report // nil before the first round
	History map[string][]HistoryPoint
	Refresh time.Duration
}

// RenderStatusPage renders p through the redactor into w.
func RenderStatusPage(w io.Writer, p StatusPage, o Options) error {
	rep := p.Report
	if rep == nil {
		rep = &diag.Report{}
	}
	page := buildHTMLPage(rep, o, p.History)
	page.Title = o.Lang.T("newapi-doctor status")
	page.Refresh = max(1, int(p.Refresh.Round(time.Second)/time.Second))
	if p.Report == nil {
		page.Waiting = o.Lang.T("No check round has finished yet; this page reloads by itself.")
	}
	var buf bytes.Buffer
	if err := htmlTmpl.Execute(&buf, page); err != nil {
		return err
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

func buildHTMLPage(rep *diag.Report, o Options, hist map[string][]HistoryPoint) htmlPage {
	rd := redactorOf(o)
	pol := policyOf(o)
	l := o.Lang
	p := htmlPage{
		Lang:        string(l.Or()),
		T:           func(s string) string { return l.T(s) },
		Title:       l.T("newapi-doctor report"),
		Version:     rd.String(rep.Version),
		Duration:    fmt.Sprintf("%.1f s", rep.DurationMS/1000),
		Interrupted: rep.Interrupted,
		Counts:      rd.String(l.Sprintf("%s of %d", countLine(rep, o), len(rep.Endpoints))),
	}
	if !rep.StartedAt.IsZero() {
		p.Generated = rep.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	n := map[diag.Grade]int{}
	for _, e := range rep.Endpoints {
		n[e.Grade()]++
	}
	for _, g := range diag.Grades {
		p.Grades = append(p.Grades, gradeCount{string(g), GradeName(g, l), n[g]})
	}
	for _, e := range rep.Endpoints {
		he := htmlEndpoint{
			Name: rd.String(e.Name), URL: rd.String(e.URL), Verdict: rd.String(verdictText(e, l)),
			Category: string(e.Category), Cause: rd.String(string(e.Cause)), Grade: string(e.Grade()),
			Mark: gradeMark(e), PolicyTag: policyTag(e, pol, l),
			Message: rd.String(e.Message), Hint: rd.String(e.Hint), FailingLayer: string(e.FailingLayer),
			DurationMS: e.DurationMS, Phases: phases(e), Path: htmlPathOf(e.Path, rd, l),
			Channel: rd.String(e.ChannelStatus()), ChannelLine: rd.String(e.ChannelStatusLine()),
		}
		he.Class = "g-" + he.Grade
		if cleanPass(e) {
			he.Class = "g-ok"
		}
		if e.Proxy.Source != "" && e.Proxy.Source != "none" {
			pu := e.Proxy.URL
			if pu == "" {
				pu = "-"
			}
			he.Proxy = rd.String(pu + " (" + e.Proxy.Source + ")")
		}
		for _, nt := range e.Notes {
			he.Notes = append(he.Notes, rd.String(nt))
		}
		if hist != nil {
			he.History = newSparkline(hist[e.Name])
		}
		p.Endpoints = append(p.Endpoints, he)
	}
	return p
}

var phaseLabels = map[diag.Layer]string{
	diag.LayerConfig: "config", diag.LayerProxyDNS: "proxy DNS", diag.LayerProxyTCP: "proxy TCP",
	diag.LayerProxyTLS: "proxy TLS", diag.LayerProxyConnect: "proxy CONNECT",
	diag.LayerDNS: "DNS", diag.LayerTCP: "TCP", diag.LayerTLS: "TLS",
}

// phases lays the probed layers end to end (the chain runs them in turn).
// The HTTP layer splits at the first byte, which httptrace timed
// (detail ttfb_ms): waiting for the answer, then reading it.
func phases(e diag.EndpointResult) []htmlPhase {
	var out []htmlPhase
	for _, l := range e.Layers {
		failed := !l.OK
		if l.Layer != diag.LayerHTTP {
			out = append(out, htmlPhase{Key: string(l.Layer), Label: phaseLabels[l.Layer], MS: l.DurationMS, Failed: failed})
			continue
		}
		ttfb, err := strconv.ParseFloat(l.Detail["ttfb_ms"], 64)
		if err != nil || ttfb <= 0 || ttfb > l.DurationMS {
			out = append(out, htmlPhase{Key: "first-byte", Label: "first byte", MS: l.DurationMS, Failed: failed})
			continue
		}
		// An answer that arrived is no failed first byte: a 429 failed at
		// the HTTP layer, after its first byte came.
		out = append(out, htmlPhase{Key: "first-byte", Label: "first byte", MS: ttfb, Failed: failed && e.Category != diag.CatOK})
		if rest := l.DurationMS - ttfb; rest > 0 {
			out = append(out, htmlPhase{Key: "transfer", Label: "transfer", MS: rest})
		}
	}
	total := 0.0
	for _, ph := range out {
		total += ph.MS
	}
	at := 0.0
	for i := range out {
		if total > 0 {
			out[i].Offset, out[i].Pct = at/total*100, out[i].MS/total*100
		}
		at += out[i].MS
	}
	return out
}

// htmlPathOf reads the path probes whether they are the probe's own types
// (a live run) or decoded JSON (a report read back).
func htmlPathOf(pi *diag.PathInfo, rd *redact.Redactor, l i18n.Lang) *htmlPath {
	if pi == nil {
		return nil
	}
	hp := &htmlPath{Summary: rd.String(pi.SummaryIn(l)), Target: rd.String(pi.Target), Verdict: pi.Verdict}
	switch {
	case pi.ProvenBy != "":
		hp.Ends = l.Sprintf("not traced: the %s layer's connection proved the path open", string(pi.ProvenBy))
	case pi.LastHop > 0:
		hp.Ends = rd.String(l.Sprintf("last answer at hop %d (%s)", pi.LastHop, orDash(pi.LastHopAddr)))
	case pi.Trace != nil || pi.TCPTrace != nil:
		hp.Ends = l.T("no hop answered")
	}
	var pr probe.PingResult
	if as(pi.Ping, &pr) {
		switch {
		case pr.Skipped:
			hp.Ping = rd.String(l.Sprintf("ping skipped: %s", pr.SkipReasonMsg().In(l)))
		case pr.Sent > 0:
			hp.Ping = rd.String(fmt.Sprintf("ping: %d/%d replies, %.0f%% loss, rtt min/avg/max %.2f/%.2f/%.2f ms", pr.Received, pr.Sent, pr.LossPct, pr.MinMS, pr.AvgMS, pr.MaxMS))
		}
	}
	var tr probe.TraceResult
	if !as(pi.Trace, &tr) || tr.Skipped || len(tr.Hops) == 0 {
		var tcp probe.TraceResult
		if as(pi.TCPTrace, &tcp) && len(tcp.Hops) > 0 {
			tr = tcp
		}
	}
	hp.Method = tr.Method
	if tr.Port > 0 {
		hp.Method += fmt.Sprintf(" port %d", tr.Port)
	}
	for _, h := range tr.Hops {
		hh := htmlHop{TTL: h.TTL, LossPct: h.LossPct, Note: h.Note, Silent: !h.Addr.IsValid()}
		if !hh.Silent {
			hh.Addr = rd.String(h.Addr.String())
		}
		var rtts []string
		for _, v := range h.RTTsMS {
			rtts = append(rtts, strconv.FormatFloat(v, 'f', 2, 64))
		}
		hh.RTT = strings.Join(rtts, " / ")
		hp.Hops = append(hp.Hops, hh)
	}
	return hp
}

// as fills dst from v, which is either dst's own pointer type or JSON.
func as[T any](v any, dst *T) bool {
	switch x := v.(type) {
	case nil:
		return false
	case *T:
		if x == nil {
			return false
		}
		*dst = *x
		return true
	case T:
		*dst = x
		return true
	}
	b, err := json.Marshal(v)
	return err == nil && json.Unmarshal(b, dst) == nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
