//go:build linux

package lab

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// labEndpoint is one endpoint of the lab's config and the verdict it must get.
type labEndpoint struct {
	name, url, proxy string
	cat              diag.Category
	cause            diag.Cause
	path             string // expected PathInfo.Verdict ("" = no localisation expected)
}

const (
	proxyOpen  = "http://" + ipProxy + ":8888"
	proxyAuth  = "http://" + ipProxy + ":8889"
	proxyPorts = "http://" + ipProxy + ":8890"
	labSecret  = "s3cret-lab-pass"
)

var labEndpoints = []labEndpoint{
	{"ok", "https://ok.lab.test", "direct", diag.CatOK, diag.CauseOK, ""},
	{"rate-limited", "https://busy.lab.test", "direct", diag.CatOverloaded, diag.CauseRateLimited, ""},
	{"unavailable", "https://down.lab.test", "direct", diag.CatOverloaded, diag.CauseUnavailable, ""},
	{"never-answers", "https://hang.lab.test", "direct", diag.CatOverloaded, diag.CauseNoResponse, diag.PathTCPOpen},
	{"syn-blackhole", "https://blackhole.lab.test", "direct", diag.CatBlocked, diag.CauseSYNTimeout, diag.PathPortFiltered},
	{"tcp-reset", "https://reset.lab.test", "direct", diag.CatRefused, diag.CauseConnRefused, ""},
	// Linux reports ICMP admin-prohibited to connect() as EHOSTUNREACH; the
	// path localisation hears code 13 and turns the verdict into blocked.
	{"admin-prohibited", "https://prohibited.lab.test", "direct", diag.CatBlocked, diag.CauseAdminProhib, diag.PathPortRejected},
	{"sni-filtered", "https://sni.lab.test", "direct", diag.CatBlocked, diag.CauseSNIFiltered, diag.PathTCPOpen},
	{"nxdomain", "https://nx.lab.test", "direct", diag.CatDNS, diag.CauseNXDOMAIN, ""},
	{"servfail", "https://sf.lab.test", "direct", diag.CatDNS, diag.CauseSERVFAIL, ""},
	{"via-proxy", "https://ok.lab.test", proxyOpen, diag.CatOK, diag.CauseOK, ""},
	{"proxy-no-credentials", "https://ok.lab.test", proxyAuth, diag.CatProxy, diag.CauseProxyAuthRequired, ""},
	{"proxy-with-credentials", "https://ok.lab.test", "http://alice:" + labSecret + "@" + ipProxy + ":8889", diag.CatOK, diag.CauseOK, ""},
	{"proxy-connect-port", "https://ok.lab.test", proxyPorts, diag.CatProxy, diag.CauseProxyForbidden, ""},
	{"proxy-refused", "https://ok.lab.test", "http://" + ipProxy + ":9999", diag.CatProxy, diag.CauseProxyRefused, ""},
	// The proxy, not the target, is what broke: the path sentence is about
	// the proxy and its port (issue 9 item 2).
	{"proxy-blackholed", "https://ok.lab.test", "socks5://" + ipBlackhole + ":443", diag.CatProxy, diag.CauseProxyTimeout, diag.PathPortFiltered},
}

// routeEndpoints fail on the router's "no route" answers, which Linux
// rate-limits per client (a burst of 5, then 1/s, shared by every probe and
// the connect itself): they are checked one per run so each localisation
// has the router's answers to itself.
var routeEndpoints = []labEndpoint{
	{"net-unreachable", "https://netunreach.lab.test", "direct", diag.CatUnreachable, diag.CauseNetUnreachable, diag.PathUnreachable},
	{"host-unreachable", "https://hostunreach.lab.test", "direct", diag.CatUnreachable, diag.CauseHostUnreachable, diag.PathUnreachable},
}

// dnsSilentEndpoint is checked with the client's resolver pointed at
// ipDNSSilent, whose DNS the router drops.
var dnsSilentEndpoint = labEndpoint{"dns-silent", "https://ok.lab.test", "direct", diag.CatDNS, diag.CauseDNSTimeout, ""}

// checkRouteEndpoints checks each route endpoint alone, after letting the
// router's rate limit refill (3 answers), and asserts its verdict.
func (l *lab) checkRouteEndpoints(t *testing.T, nobody bool) []diag.EndpointResult {
	var out []diag.EndpointResult
	for _, ep := range routeEndpoints {
		time.Sleep(3 * time.Second)
		r, _ := l.check(t, nobody, []labEndpoint{ep})
		t.Run(ep.name+"-alone", func(t *testing.T) { assertVerdicts(t, r, []labEndpoint{ep}, !nobody) })
		out = append(out, r.Endpoints...)
	}
	return out
}

func (l *lab) config(eps []labEndpoint) string {
	var b strings.Builder
	b.WriteString("timeouts: {dns: 2s, connect: 2s, tls: 2s, http: 2s}\nendpoints:\n")
	for _, e := range eps {
		fmt.Fprintf(&b, "  - {name: %s, url: %q, proxy: %q, ca_file: %q, provider: custom}\n", e.name, e.url, e.proxy, l.ca)
	}
	return l.write("newapi-doctor.yaml", b.String())
}

func (l *lab) check(t *testing.T, nobody bool, eps []labEndpoint) (*diag.Report, string) {
	cfg := l.config(eps)
	code, out, errOut := l.doctor(nobody, "check", "--config", cfg, "--format", "json", "--no-redact")
	if code != 1 && code != 0 {
		t.Fatalf("check exited %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, labSecret) {
		t.Errorf("the proxy password leaked into the output")
	}
	rep := decode[diag.Report](t, out)
	if !nobody {
		if l.verdicts == nil {
			l.verdicts = map[string]diag.EndpointResult{}
		}
		for _, e := range rep.Endpoints {
			l.verdicts[e.Name] = e
		}
	}
	return &rep, out
}

func assertVerdicts(t *testing.T, rep *diag.Report, eps []labEndpoint, wantPath bool) {
	byName := map[string]diag.EndpointResult{}
	for _, e := range rep.Endpoints {
		byName[e.Name] = e
	}
	for _, want := range eps {
		t.Run(want.name, func(t *testing.T) {
			got, ok := byName[want.name]
			if !ok {
				t.Fatalf("no result for %s", want.name)
			}
			if got.Category != want.cat || got.Cause != want.cause {
				t.Errorf("%s: %s/%s (%s, layer %s), want %s/%s", want.name, got.Category, got.Cause, got.Message, got.FailingLayer, want.cat, want.cause)
			}
			if !wantPath || want.path == "" {
				return
			}
			if got.Path == nil {
				t.Fatalf("%s: no path localisation", want.name)
			}
			// A connection that proved the path open stands in for the
			// probes (issue 9 item 10); else all three ran.
			if proven := got.Path.ProvenBy != ""; proven != (got.FailingLayer == diag.LayerTLS || got.FailingLayer == diag.LayerHTTP) {
				t.Errorf("%s: proven by %q after failing at %s", want.name, got.Path.ProvenBy, got.FailingLayer)
			} else if !proven && (got.Path.Ping == nil || got.Path.Trace == nil || got.Path.TCPTrace == nil) {
				t.Errorf("%s: ping/trace/tcp_trace missing from the JSON", want.name)
			} else if proven && (got.Path.Ping != nil || got.Path.Trace != nil) {
				t.Errorf("%s: probed a path the %s layer proved open", want.name, got.Path.ProvenBy)
			}
			if got.Path.Verdict != want.path || got.Path.Summary == "" {
				t.Errorf("%s: path %q (%s), want %q", want.name, got.Path.Verdict, got.Path.Summary, want.path)
			}
		})
	}
}

func (l *lab) testCheck(t *testing.T) {
	rep, _ := l.check(t, false, labEndpoints)
	t.Run("root", func(t *testing.T) { assertVerdicts(t, rep, labEndpoints, true) })
	rep.Endpoints = append(rep.Endpoints, l.checkRouteEndpoints(t, false)...)
	t.Run("verdicts say where the path ends", func(t *testing.T) {
		want := map[string]string{
			"syn-blackhole":    "the target answers ping but not TCP 443: a filter on the port (TCP probes stop after hop 1 (" + ipRouterIn + "))",
			"admin-prohibited": "hop 2 (" + ipRouterIn + ") refuses TCP 443 with ICMP admin-prohibited (code 13): a filter on the port",
			"net-unreachable":  "hop 1 (" + ipRouterIn + ") answers network-unreachable (ICMP code 0): the path ends there",
			"host-unreachable": "hop 1 (" + ipRouterIn + ") answers host-unreachable (ICMP code 1): the path ends there",
			"proxy-blackholed": "the proxy answers ping but not TCP 443: a filter on the port (TCP probes stop after hop 1 (" + ipRouterIn + "))",
		}
		reason := map[string]string{"admin-prohibited": "admin-prohibited", "net-unreachable": "network-unreachable", "host-unreachable": "host-unreachable"}
		for _, e := range rep.Endpoints {
			if w, ok := want[e.Name]; ok && (e.Path == nil || !strings.HasPrefix(e.Path.Summary, w) || e.Path.Reason != reason[e.Name]) {
				t.Errorf("%s: path %+v\nwant summary starting %q, reason %q", e.Name, e.Path, w, reason[e.Name])
			}
			if wantProbed := map[bool]string{true: diag.PathRoleProxy, false: diag.PathRoleTarget}[e.Name == "proxy-blackholed"]; e.Path != nil && e.Path.ProvenBy == "" && e.Path.Probed != wantProbed {
				t.Errorf("%s: probed the %s, want the %s", e.Name, e.Path.Probed, wantProbed)
			}
		}
	})
	t.Run("nobody", func(t *testing.T) {
		// Unprivileged, every endpoint is classified the same; only ping
		// inside the localisation is skipped (the TCP/UDP traces still run).
		rep, _ := l.check(t, true, labEndpoints)
		assertVerdicts(t, rep, labEndpoints, false)
		// The localisation still says where the port's packets stop: the
		// UDP and TCP traces need no privilege; only ping is skipped.
		for _, e := range rep.Endpoints {
			if e.Name != "syn-blackhole" {
				continue
			}
			ping, _ := json.Marshal(e.Path.Ping)
			if e.Path.Verdict != diag.PathPortFiltered || !strings.Contains(e.Path.Summary, "answers a UDP traceroute but not TCP 443") ||
				!strings.Contains(string(ping), `"skipped":true`) || !strings.Contains(string(ping), "setcap cap_net_raw+ep") {
				t.Errorf("unprivileged localisation: %s %s; ping %s", e.Path.Verdict, e.Path.Summary, ping)
			}
		}
		l.checkRouteEndpoints(t, true)
	})
	t.Run("deep and redacted", func(t *testing.T) {
		// --deep localises an ok endpoint too; without --no-redact no lab
		// address or private name appears, hops included.
		cfg := l.config([]labEndpoint{labEndpoints[0], labEndpoints[4]})
		code, out, errOut := l.doctor(false, "check", "--config", cfg, "--format", "json", "--deep")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		for _, leak := range []string{"203.0.113.", "198.51.100.", "lab.test"} {
			if strings.Contains(out, leak) {
				t.Errorf("%q in redacted output", leak)
			}
		}
		if !strings.Contains(out, `"verdict": "tcp-open"`) || !strings.Contains(out, `"verdict": "port-filtered"`) || !strings.Contains(out, `"ip-`) {
			t.Errorf("want both endpoints localised with pseudonymised hops:\n%s", out)
		}
	})
	t.Run("text shows the path", func(t *testing.T) {
		cfg := l.config([]labEndpoint{labEndpoints[4]})
		_, out, _ := l.doctor(false, "check", "--config", cfg, "--no-redact")
		if !strings.Contains(out, "path: the target answers ping but not TCP 443: a filter on the port") {
			t.Errorf("text report lacks the localisation:\n%s", out)
		}
		t.Logf("text report:\n%s", out)
	})
	t.Run("silent resolver", func(t *testing.T) {
		l.writeResolvConf(nsClient, ipDNSSilent)
		defer l.writeResolvConf(nsClient, ipDNS)
		eps := []labEndpoint{dnsSilentEndpoint}
		rep, _ := l.check(t, false, eps)
		assertVerdicts(t, rep, eps, false)
	})
}
