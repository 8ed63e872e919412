// Package sysenv gathers the facts about this machine that support asks for
// first (OS, kernel, proxies, resolvers, default route, IPv6, clock, the local
// new-api's version), for the support bundle's environment.json. Every input
// is injectable so tests never depend on the machine they run on. Values are
// raw: the bundle redacts them like every other output.
package sysenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// Env is environment.json.
type Env struct {
	OS            string    `json:"os"`
	Arch          string    `json:"arch"`
	Kernel        string    `json:"kernel,omitempty"`
	GoVersion     string    `json:"go_version"`
	DoctorVersion string    `json:"doctor_version"`
	CollectedAt   time.Time `json:"collected_at"`
	Proxy         ProxyEnv  `json:"proxy"`
	// SystemProxy: the OS's proxy settings (WinINET, WinHTTP, PAC, macOS,
	// GNOME, KDE), which browsers follow and new-api does not.
	SystemProxy  []sysproxy.Setting `json:"system_proxy,omitempty"`
	DNS          DNSEnv             `json:"dns"`
	DefaultRoute *Route             `json:"default_route,omitempty"`
	IPv6         IPv6Info           `json:"ipv6"`
	Clock        *ClockSkew         `json:"clock,omitempty"`
	NewAPI       *NewAPIStatus      `json:"newapi,omitempty"`
	// Unknown lists facts that could not be learned, with why.
	Unknown []string `json:"unknown,omitempty"`
}

// ProxyEnv is the proxy environment as Go programs (new-api among them) read it.
type ProxyEnv struct {
	// Variables holds every set proxy variable, credentials stripped.
	Variables map[string]string `json:"variables,omitempty"`
	// HTTPSVia / HTTPVia name the variable that applies to https:// and
	// http:// requests ("" = direct). Upper case wins when both are set.
	HTTPSVia string   `json:"https_via,omitempty"`
	HTTPVia  string   `json:"http_via,omitempty"`
	NoProxy  string   `json:"no_proxy,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// DNSEnv names the resolvers.
type DNSEnv struct {
	Source    string   `json:"source"` // "/etc/resolv.conf", "os" …
	Servers   []string `json:"servers,omitempty"`
	Search    []string `json:"search,omitempty"`
	Options   []string `json:"options,omitempty"`
	StubLocal bool     `json:"stub_local,omitempty"` // only a loopback stub (systemd-resolved, Docker's 127.0.0.11)
}

// Route is the default route.
type Route struct {
	Interface string `json:"interface"`
	Gateway   string `json:"gateway,omitempty"`
}

// IPv6Info says whether IPv6 can reach the internet from here.
type IPv6Info struct {
	GlobalAddress bool  `json:"global_address"`          // a global unicast address is configured
	DefaultRoute  *bool `json:"default_route,omitempty"` // nil = not known on this OS
	Available     bool  `json:"available"`
}

// ClockSkew compares the local clock with an upstream's HTTP Date header.
type ClockSkew struct {
	Upstream string    `json:"upstream"`    // endpoint name
	Date     string    `json:"server_date"` // the header as received
	Local    time.Time `json:"local_time"`  // when it was received, by the local clock
	// SkewSeconds > 0: the local clock is ahead of the upstream's.
	SkewSeconds float64 `json:"skew_seconds"`
	// UncertaintySeconds bounds the error (Date has 1 s resolution, and the
	// receive time is known only to within the endpoint's duration).
	UncertaintySeconds float64 `json:"uncertainty_seconds"`
	Verdict            string  `json:"verdict"` // "ok" or "skewed"
}

// NewAPIStatus is the local new-api's answer to GET /api/status.
type NewAPIStatus struct {
	URL        string `json:"url"`
	Reachable  bool   `json:"reachable"`
	Version    string `json:"version,omitempty"`
	SystemName string `json:"system_name,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Inputs are Collect's sources; zero fields take the real machine's.
type Inputs struct {
	Getenv        func(string) string
	ReadFile      func(string) ([]byte, error)
	Now           func() time.Time
	DoctorVersion string
	// InterfaceAddrs lists local addresses (nil = net.InterfaceAddrs).
	InterfaceAddrs func() ([]net.Addr, error)
	// Platform overrides the OS-specific facts (nil = this OS's).
	Platform func(in *Inputs) PlatformFacts
	// Clock: an upstream's Date header and when it arrived (see ClockFromReport).
	Clock *ClockInput
	// NewAPIURL is the local new-api's base URL ("" = http://127.0.0.1:$PORT,
	// PORT defaulting to 3000; "-" = do not ask).
	NewAPIURL  string
	HTTPClient *http.Client
	// SystemProxies are the OS's proxy settings (nil: none read).
	SystemProxies []sysproxy.Setting
}

// PlatformFacts are what only the OS knows.
type PlatformFacts struct {
	Kernel       string
	DNS          *DNSEnv // nil = read /etc/resolv.conf
	DefaultRoute *Route
	IPv6Route    *bool
	Unknown      []string
}

// ClockInput is one Date header observation.
type ClockInput struct {
	Upstream    string
	Date        string
	ReceivedAt  time.Time
	Uncertainty time.Duration
}

// MaxSkew is the skew past which TLS and signed requests start to fail.
const MaxSkew = 60 * time.Second

// Collect gathers the environment. It never fails: what cannot be learned is
// listed in Unknown.
func Collect(ctx context.Context, in Inputs) *Env {
	if in.Getenv == nil {
		in.Getenv = os.Getenv
	}
	if in.ReadFile == nil {
		in.ReadFile = os.ReadFile
	}
	if in.Now == nil {
		in.Now = time.Now
	}
	if in.InterfaceAddrs == nil {
		in.InterfaceAddrs = net.InterfaceAddrs
	}
	if in.Platform == nil {
		in.Platform = platformFacts
	}
	e := &Env{OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		DoctorVersion: in.DoctorVersion, CollectedAt: in.Now().UTC()}
	pf := in.Platform(&in)
	e.Kernel, e.DefaultRoute, e.Unknown = pf.Kernel, pf.DefaultRoute, append(e.Unknown, pf.Unknown...)
	e.Proxy = ProxyFromEnv(in.Getenv)
	e.SystemProxy = in.SystemProxies
	if pf.DNS != nil {
		e.DNS = *pf.DNS
	} else if b, err := in.ReadFile("/etc/resolv.conf"); err == nil {
		e.DNS = ParseResolvConf(b)
		e.DNS.Source = "/etc/resolv.conf"
	} else {
		e.Unknown = append(e.Unknown, "resolvers: "+err.Error())
	}
	if addrs, err := in.InterfaceAddrs(); err == nil {
		e.IPv6.GlobalAddress = hasGlobalIPv6(addrs)
	} else {
		e.Unknown = append(e.Unknown, "interfaces: "+err.Error())
	}
	e.IPv6.DefaultRoute = pf.IPv6Route
	e.IPv6.Available = e.IPv6.GlobalAddress && (pf.IPv6Route == nil || *pf.IPv6Route)
	if in.Clock != nil {
		if c, err := Skew(*in.Clock); err == nil {
			e.Clock = c
		} else {
			e.Unknown = append(e.Unknown, "clock: "+err.Error())
		}
	}
	if in.NewAPIURL != "-" {
		e.NewAPI = NewAPIVersion(ctx, in.HTTPClient, newAPIURL(in))
	}
	return e
}

func newAPIURL(in Inputs) string {
	if in.NewAPIURL != "" {
		return in.NewAPIURL
	}
	port := in.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	return "http://127.0.0.1:" + port
}

// proxyVars in the order Go reads them (x/net/http/httpproxy): upper case first.
var proxyVars = []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"}

// ProxyFromEnv reads the proxy variables and says which one is in effect.
func ProxyFromEnv(getenv func(string) string) ProxyEnv {
	p := ProxyEnv{Variables: map[string]string{}}
	for _, k := range proxyVars {
		if v := getenv(k); v != "" {
			if strings.HasSuffix(strings.ToUpper(k), "NO_PROXY") {
				p.Variables[k] = v
			} else {
				p.Variables[k] = StripCredentials(v)
			}
		}
	}
	first := func(a, b string) string {
		if getenv(a) != "" {
			return a
		}
		if getenv(b) != "" {
			return b
		}
		return ""
	}
	p.HTTPSVia = first("HTTPS_PROXY", "https_proxy")
	p.HTTPVia = first("HTTP_PROXY", "http_proxy")
	if v := first("NO_PROXY", "no_proxy"); v != "" {
		p.NoProxy = getenv(v)
	}
	if getenv("REQUEST_METHOD") != "" && p.HTTPVia != "" {
		p.Notes = append(p.Notes, "REQUEST_METHOD is set (CGI): Go ignores "+p.HTTPVia+" for http:// URLs")
		p.HTTPVia = ""
	}
	if v := first("ALL_PROXY", "all_proxy"); v != "" {
		p.Notes = append(p.Notes, v+" is set, but Go programs such as new-api do not read it: only HTTPS_PROXY/HTTP_PROXY apply")
	}
	for _, pair := range [][2]string{{"HTTPS_PROXY", "https_proxy"}, {"HTTP_PROXY", "http_proxy"}, {"NO_PROXY", "no_proxy"}} {
		if a, b := getenv(pair[0]), getenv(pair[1]); a != "" && b != "" && a != b {
			p.Notes = append(p.Notes, fmt.Sprintf("%s and %s differ; %s wins", pair[0], pair[1], pair[0]))
		}
	}
	if len(p.Variables) == 0 {
		p.Variables = nil
	}
	return p
}

// StripCredentials removes userinfo from a proxy URL ("http://u:p@h:1" →
// "http://[REDACTED]@h:1"); an unparsable value keeps only what follows '@'.
func StripCredentials(v string) string {
	u, err := url.Parse(v)
	if err == nil && u.Host != "" {
		if u.User == nil {
			return v
		}
		u.User = nil
		s := u.String()
		if i := strings.Index(s, "://"); i >= 0 {
			return s[:i+3] + "[REDACTED]@" + s[i+3:]
		}
		return s
	}
	if at := strings.LastIndex(v, "@"); at >= 0 {
		pre := ""
		if i := strings.Index(v[:at], "://"); i >= 0 {
			pre = v[:i+3]
		}
		return pre + "[REDACTED]@" + v[at+1:]
	}
	return v
}

// ParseResolvConf reads nameserver, search/domain and options lines.
func ParseResolvConf(b []byte) DNSEnv {
	var d DNSEnv
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			d.Servers = append(d.Servers, f[1])
		case "search", "domain":
			d.Search = append(d.Search, f[1:]...)
		case "options":
			d.Options = append(d.Options, f[1:]...)
		}
	}
	d.StubLocal = len(d.Servers) > 0
	for _, s := range d.Servers {
		if a, err := netip.ParseAddr(s); err != nil || !a.IsLoopback() {
			d.StubLocal = false
		}
	}
	return d
}

func hasGlobalIPv6(addrs []net.Addr) bool {
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		ad, ok := netip.AddrFromSlice(ip)
		if !ok || ad.Is4() || ad.Is4In6() {
			continue
		}
		// ULA (fc00::/7) is not reachable from the internet: IsPrivate.
		if ad.IsGlobalUnicast() && !ad.IsPrivate() {
			return true
		}
	}
	return false
}

// Skew compares a Date header with the local receive time.
func Skew(c ClockInput) (*ClockSkew, error) {
	t, err := http.ParseTime(c.Date)
	if err != nil {
		return nil, fmt.Errorf("upstream %q sent an unreadable Date header: %w", c.Upstream, err)
	}
	sk := c.ReceivedAt.Sub(t)
	unc := c.Uncertainty + time.Second
	cs := &ClockSkew{Upstream: c.Upstream, Date: c.Date, Local: c.ReceivedAt.UTC(),
		SkewSeconds: sk.Round(time.Millisecond).Seconds(), UncertaintySeconds: unc.Round(time.Millisecond).Seconds(), Verdict: "ok"}
	// Only a skew larger than the measurement's own error counts.
	if abs(sk)-unc > MaxSkew {
		cs.Verdict = "skewed"
	}
	return cs, nil
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// ClockFromReport finds an upstream's Date header in a report: the http
// layer's "date" detail, and "received_at" (RFC 3339, the local clock when
// the answer arrived) when the runner recorded it. Without it the answer
// arrived somewhere within the run: its midpoint, uncertain by half the run.
func ClockFromReport(rep *diag.Report) *ClockInput {
	if rep == nil {
		return nil
	}
	var best *ClockInput
	for _, e := range rep.Endpoints {
		for _, l := range e.Layers {
			d := l.Detail["date"]
			if l.Layer != diag.LayerHTTP || d == "" {
				continue
			}
			half := time.Duration(rep.DurationMS * float64(time.Millisecond) / 2)
			c := &ClockInput{Upstream: e.Name, Date: d, ReceivedAt: rep.StartedAt.Add(half), Uncertainty: half}
			if at, err := time.Parse(time.RFC3339Nano, l.Detail["received_at"]); err == nil {
				c.ReceivedAt, c.Uncertainty = at, 0
			}
			if best == nil || c.Uncertainty < best.Uncertainty {
				best = c
			}
		}
	}
	return best
}

// NewAPIVersion asks a new-api at base for GET /api/status (public, no auth).
func NewAPIVersion(ctx context.Context, hc *http.Client, base string) *NewAPIStatus {
	st := &NewAPIStatus{URL: base}
	if hc == nil {
		hc = &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{Proxy: nil}}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/api/status", nil)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	resp, err := hc.Do(req)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	defer resp.Body.Close()
	st.Reachable = true
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var doc struct {
		Success bool `json:"success"`
		Data    struct {
			Version    string `json:"version"`
			SystemName string `json:"system_name"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK {
		st.Error = "HTTP " + resp.Status
		return st
	}
	if err := json.Unmarshal(body, &doc); err != nil || !doc.Success {
		st.Error = "answered, but not like new-api's /api/status"
		return st
	}
	st.Version, st.SystemName = doc.Data.Version, doc.Data.SystemName
	return st
}
