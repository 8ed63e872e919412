// Package diag turns endpoints into verdicts: it plans which layers to probe,
// runs the probes from package probe, and classifies the first failing layer
// into a Category and a Cause with a remediation hint. It never prints: the
// Report it returns is data, rendered (and redacted) by package report.
package diag

import "time"

// Category is the coarse verdict for one endpoint. The names are a public
// contract (JSON, exit policy, metrics labels): extend, never rename.
type Category string

const (
	CatOK          Category = "ok"
	CatDNS         Category = "dns"
	CatRefused     Category = "refused"
	CatBlocked     Category = "blocked"
	CatUnreachable Category = "unreachable"
	CatProxy       Category = "proxy"
	CatTLS         Category = "tls"
	CatOverloaded  Category = "overloaded"
	CatAuth        Category = "auth"
	CatHTTP        Category = "http"
)

// Categories lists every category in a stable order (for summaries, flags, metrics).
var Categories = []Category{CatOK, CatDNS, CatRefused, CatBlocked, CatUnreachable, CatProxy, CatTLS, CatOverloaded, CatAuth, CatHTTP}

// ParseCategory accepts a category name exactly as spelled in Categories.
func ParseCategory(s string) (Category, bool) {
	for _, c := range Categories {
		if string(c) == s {
			return c, true
		}
	}
	return "", false
}

// Layer names one probed layer. Proxy layers are prefixed so a reader sees at a
// glance whether the proxy or the target broke.
type Layer string

const (
	LayerConfig       Layer = "config"        // the endpoint or its proxy could not even be planned (bad URL, bad scheme)
	LayerProxyDNS     Layer = "proxy-dns"     // resolving the proxy's own name
	LayerProxyTCP     Layer = "proxy-tcp"     // TCP to the proxy
	LayerProxyTLS     Layer = "proxy-tls"     // TLS to an https:// proxy
	LayerProxyConnect Layer = "proxy-connect" // HTTP CONNECT or SOCKS5 handshake (the proxy resolves and dials the target)
	LayerDNS          Layer = "dns"
	LayerTCP          Layer = "tcp"
	LayerTLS          Layer = "tls"
	LayerHTTP         Layer = "http"
)

// Endpoint is one upstream to diagnose, wherever it came from (args, config,
// embedded defaults, new-api's database or admin API).
type Endpoint struct {
	Name     string // shown in every output, never redacted
	URL      string // base URL as configured (new-api appends /v1/... to it)
	Proxy    string // "" = from the environment, "direct" = none, else a proxy URL
	Key      string // API key; sent only where configured; never printed
	KeyEnv   string // name of the variable Key was read from (for messages)
	Provider string // provider id (openai, anthropic, ...); inferred from the host when empty
	CAFile   string // extra root CA bundle (PEM)
	// ProbePath is appended to URL's path as new-api appends request paths
	// (plain concatenation: "/v1" + "/models"); empty = the provider's free
	// model-list path when URL has no path, else URL's path + "/models".
	ProbePath string
	Source    string // where it was defined, e.g. "newapi-doctor.yaml:12", "default", "argument", "db:#3"
	// Extra carries source-specific facts shown in reports (e.g. new-api channel id, status, test model).
	Extra map[string]string
}

// Extra keys diag itself reads; endpoint sources (diag/newapi) set them.
const (
	// ExtraReachabilityOnly "true": a non-OpenAI protocol probed at its
	// host's root; any HTTP answer but a proxy's 407 proves the path.
	ExtraReachabilityOnly = "reachability_only"
	// ExtraFullURL "true": URL + ProbePath is the whole request URL new-api
	// sends (with POST): a Custom channel's base_url.
	ExtraFullURL = "full_url"
	// ExtraPortGuess: the URL's port was guessed, not configured; the value
	// says how ("PORT unset; new-api's default 3000").
	ExtraPortGuess = "port_guess"
	// ExtraKeyUnavailable "true": a key was asked for (--with-keys) and the
	// source had none to give (new-api's admin API lists no keys).
	ExtraKeyUnavailable = "key_unavailable"
	// ExtraNote: what the source has to say about the endpoint ("; "-joined);
	// it becomes a note of the verdict.
	ExtraNote = "note"
	// ExtraStatus, ExtraStatusReason, ExtraStatusTime: a new-api channel's
	// status ("enabled", "manually-disabled", "auto-disabled") and, when
	// new-api disabled it, why and when.
	ExtraStatus       = "status"
	ExtraStatusReason = "status_reason"
	ExtraStatusTime   = "status_time"
)

// Timeouts bound each layer. Zero means "use the default".
type Timeouts struct {
	DNS     time.Duration `json:"dns"`
	Connect time.Duration `json:"connect"`
	TLS     time.Duration `json:"tls"`
	HTTP    time.Duration `json:"http"`
}

// Default per-layer timeouts. Their relations are pinned by a test: a layer
// that waits on a remote peer longer than the next one makes verdicts lie
// (a slow DNS answer must not be mistaken for a silent upstream).
const (
	DefaultDNSTimeout     = 3 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultTLSTimeout     = 5 * time.Second
	DefaultHTTPTimeout    = 10 * time.Second
	// Slack added to the sum of layer timeouts for a proxy chain's extra layers.
	deadlineSlack = 2 * time.Second
)

// WithDefaults fills zero fields.
func (t Timeouts) WithDefaults() Timeouts {
	if t.DNS <= 0 {
		t.DNS = DefaultDNSTimeout
	}
	if t.Connect <= 0 {
		t.Connect = DefaultConnectTimeout
	}
	if t.TLS <= 0 {
		t.TLS = DefaultTLSTimeout
	}
	if t.HTTP <= 0 {
		t.HTTP = DefaultHTTPTimeout
	}
	return t
}

// EndpointBudget is the longest one endpoint's chain may take: every layer
// twice (the proxy's and the target's) plus slack. The default run deadline.
func (t Timeouts) EndpointBudget() time.Duration {
	t = t.WithDefaults()
	return 2*(t.DNS+t.Connect+t.TLS) + t.HTTP + deadlineSlack
}

// SchemaVersion of the JSON report. Bump only on incompatible change.
const SchemaVersion = 1

// Report is the result of a run: data first, text second.
type Report struct {
	SchemaVersion int              `json:"schema_version"`
	Tool          string           `json:"tool"`
	Version       string           `json:"version"`
	StartedAt     time.Time        `json:"started_at"`
	DurationMS    float64          `json:"duration_ms"`
	Interrupted   bool             `json:"interrupted,omitempty"`
	Endpoints     []EndpointResult `json:"endpoints"`
	Summary       Summary          `json:"summary"`
	// Desktop is the new-api desktop app section (issue 12.4): its port,
	// data folder and crash logs, and hosts-file lines that pin a provider.
	Desktop *DesktopInfo `json:"desktop,omitempty"`
}

// DesktopInfo is what `check` learns about the new-api desktop app and the
// machine it runs on. Every field is optional: only what was found is set.
type DesktopInfo struct {
	AppDir  string `json:"app_dir,omitempty"`  // %APPDATA%\New API (the Electron userData)
	DataDir string `json:"data_dir,omitempty"` // the folder holding new-api.db
	DB      string `json:"db,omitempty"`       // the SQLite file the app's server uses
	Port    int    `json:"port"`               // the gateway's port (PORT, default 3000)
	// PortOwner is the process listening on Port when it is taken
	// (netstat -ano's PID); the app's server then fails with 10048.
	PortOwner *PortOwner `json:"port_owner,omitempty"`
	// Excluded is the Hyper-V/WSL excluded range holding Port (binding
	// there fails with 10013), from netsh int ipv4 show excludedportrange.
	Excluded *PortRange  `json:"excluded_range,omitempty"`
	Logs     []AppLog    `json:"logs,omitempty"`  // newest first
	Hosts    []HostsLine `json:"hosts,omitempty"` // hosts-file lines naming a provider
	Notes    []string    `json:"notes,omitempty"`
	Hints    []string    `json:"hints,omitempty"` // what to do, one per finding
}

// PortOwner is a listening socket's process.
type PortOwner struct {
	PID     int    `json:"pid"`
	Process string `json:"process,omitempty"`
}

// PortRange is an inclusive range of ports.
type PortRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// AppLog is one crash/run log of the desktop app, read through explain.
type AppLog struct {
	Path     string     `json:"path"`
	Modified time.Time  `json:"modified"`
	Errors   int64      `json:"errors"`
	Causes   []LogCause `json:"causes,omitempty"` // most frequent first
}

// LogCause is one cause found in a log.
type LogCause struct {
	Cause   Cause  `json:"cause"`
	Count   int64  `json:"count"`
	Example string `json:"example,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// HostsLine is a hosts-file line that pins a provider's name to an address
// (Watt Toolkit/Steam++ and "accelerators" write such lines).
type HostsLine struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Addr     string `json:"addr"`
	Name     string `json:"name"`
	Provider string `json:"provider,omitempty"`
}

// EndpointResult is the verdict for one endpoint.
type EndpointResult struct {
	Name     string   `json:"name"`
	URL      string   `json:"url"`
	Provider string   `json:"provider,omitempty"`
	Source   string   `json:"source,omitempty"`
	Category Category `json:"category"`
	Cause    Cause    `json:"cause"`
	// Severity grades the cause: error, warning or info (diag/severity.go).
	Severity Grade `json:"severity"`
	// Message says in one sentence what happened ("api.x.com:443 refused the connection").
	Message      string            `json:"message,omitempty"`
	Hint         string            `json:"hint"`
	FailingLayer Layer             `json:"failing_layer,omitempty"`
	Notes        []string          `json:"notes,omitempty"`
	Proxy        ProxyInfo         `json:"proxy"`
	Layers       []LayerResult     `json:"layers"`
	DurationMS   float64           `json:"duration_ms"`
	Extra        map[string]string `json:"extra,omitempty"`
	// Attempts holds per-attempt verdicts when retries ran (issue: CI preflight).
	Attempts []Attempt `json:"attempts,omitempty"`
	// Differentials are the look-alike probes that ran (issue 11), with
	// their cost: none for a verdict that needs none.
	Differentials []DifferentialResult `json:"differentials,omitempty"`
	// Path holds ping/traceroute localisation when it ran (issue: ping/trace).
	Path *PathInfo `json:"path,omitempty"`
}

// ChannelStatus is a new-api channel's status when it is not enabled
// ("manually-disabled", "auto-disabled"); "" for enabled channels and for
// endpoints that are no channel. Checked with --all, a disabled channel's
// verdict means something else than an enabled one's.
func (e EndpointResult) ChannelStatus() string {
	if s := e.Extra[ExtraStatus]; s != "enabled" {
		return s
	}
	return ""
}

// ChannelStatusLine says a disabled channel's status with new-api's reason
// and time when known: "auto-disabled since 2026-05-01T10:00:00Z: quota".
func (e EndpointResult) ChannelStatusLine() string {
	s := e.ChannelStatus()
	if s == "" {
		return ""
	}
	if t := e.Extra[ExtraStatusTime]; t != "" {
		s += " since " + t
	}
	if r := e.Extra[ExtraStatusReason]; r != "" {
		s += ": " + r
	}
	return s
}

// Attempt is one try of an endpoint's chain when --retries is set.
type Attempt struct {
	Category Category `json:"category"`
	Cause    Cause    `json:"cause"`
	Layer    Layer    `json:"layer,omitempty"`
}

// PathInfo localises a network fault with ping and traceroute.
type PathInfo struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
	Ping    any    `json:"ping,omitempty"`
	Trace   any    `json:"trace,omitempty"`
	// Verdict is Summary as a word: reached, tcp-open, port-filtered,
	// port-rejected, unreachable, path-ends, no-hop, skipped.
	Verdict string `json:"verdict,omitempty"`
	Port    int    `json:"port,omitempty"`
	// LastHop is the last TTL that answered on the path (0 = none) and
	// LastHopAddr its address.
	LastHop     int    `json:"last_hop,omitempty"`
	LastHopAddr string `json:"last_hop_addr,omitempty"`
	// TCPTrace is a TCP SYN traceroute to Port: where the port's packets stop.
	TCPTrace any `json:"tcp_trace,omitempty"`
	// Reason is the ICMP Destination Unreachable heard where the path or
	// the port was refused ("admin-prohibited", "network-unreachable", …):
	// connect() alone cannot tell admin-prohibited from host-unreachable.
	Reason string `json:"reason,omitempty"`
	// Probed says whose path this is: "target" or "proxy" (a proxy stands
	// between this machine and the target; the one that broke is probed).
	Probed string `json:"probed,omitempty"`
	// ProvenBy names the layer whose connection already proved the path
	// open ("tcp", "proxy-tcp", "proxy-connect"): no ping or trace ran
	// (--deep runs them anyway).
	ProvenBy Layer `json:"proven_by,omitempty"`
	// summary is Summary as catalogue phrases (SummaryIn renders it in a language).
	summary phrase
}

// ProxyInfo says which proxy was used and where it came from.
type ProxyInfo struct {
	URL string `json:"url,omitempty"` // credentials are always stripped by report's redaction
	// Source: "config", "env:HTTPS_PROXY" (the exact variable), "no_proxy:NO_PROXY", "none", "direct".
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
	// System lists the operating system's proxy settings for this target
	// (source "system:wininet", "system:winhttp", "system:pac", …): what
	// browsers use and new-api does not. Works is set when it was probed.
	System []SystemProxyInfo `json:"system,omitempty"`
}

// SystemProxyInfo is one OS proxy setting as it applies to an endpoint.
type SystemProxyInfo struct {
	Source string `json:"source"`
	URL    string `json:"url,omitempty"` // the proxy for this target; "" = direct (bypassed) or PAC
	PAC    string `json:"pac,omitempty"`
	Error  string `json:"error,omitempty"`
	Works  *bool  `json:"works,omitempty"`
	// Verdict is the probe through it: "ok", or category/cause.
	Verdict string `json:"verdict,omitempty"`
}

// LayerResult is one probed layer.
type LayerResult struct {
	Layer      Layer             `json:"layer"`
	OK         bool              `json:"ok"`
	DurationMS float64           `json:"duration_ms"`
	Error      string            `json:"error,omitempty"`
	Detail     map[string]string `json:"detail,omitempty"`
}

// Summary counts endpoints per category.
type Summary struct {
	Total      int              `json:"total"`
	OK         int              `json:"ok"`
	Failed     int              `json:"failed"`
	ByCategory map[Category]int `json:"by_category"`
	// BySeverity counts endpoints per grade (every grade present, 0 included).
	BySeverity map[Grade]int `json:"by_severity"`
}

// Summarize recomputes the summary from the endpoints.
func (r *Report) Summarize() {
	s := Summary{Total: len(r.Endpoints), ByCategory: map[Category]int{}, BySeverity: map[Grade]int{}}
	for _, g := range Grades {
		s.BySeverity[g] = 0
	}
	for i := range r.Endpoints {
		r.Endpoints[i].Severity = SeverityOf(r.Endpoints[i].Cause)
		e := r.Endpoints[i]
		s.BySeverity[e.Severity]++
		s.ByCategory[e.Category]++
		if e.Category == CatOK {
			s.OK++
		} else {
			s.Failed++
		}
	}
	r.Summary = s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
