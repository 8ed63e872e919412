package diag

import (
	"context"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// systemProxyWorld: an upstream only the proxy reaches (the target's port
// is closed here; the proxy maps the name to the upstream), no environment
// proxy, and the system proxy pointing at the fake.
func systemProxyWorld(t *testing.T) (target string, proxy *pt.ConnectProxy) {
	t.Helper()
	up := pt.NewHTTPUpstream(t, pt.Upstream{Body: `{"object":"list","data":[]}`, ContentType: "application/json"})
	proxy = pt.NewConnectProxy(t, pt.ProxyBehaviour{Hosts: map[string]string{"localhost": up.Listener.Addr().String()}})
	return "http://localhost:" + portOf(t, pt.ClosedPort(t)) + "/v1", proxy
}

func TestSystemProxyOnly(t *testing.T) {
	target, proxy := systemProxyWorld(t)
	wininet, err := sysproxy.WinINET(1, proxy.Addr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	settings := append(wininet, sysproxy.Setting{Source: sysproxy.SourcePAC, PAC: "http://127.0.0.1:1/proxy.pac"})
	o := RunOptions{Timeouts: fastTimeouts, Getenv: envMap(nil), SystemProxies: settings}
	r := CheckEndpoint(context.Background(), Endpoint{Name: "x", URL: target}, o)
	if r.Category != CatProxy || r.Cause != CauseSystemProxyOnly {
		t.Fatalf("%s/%s: %s", r.Category, r.Cause, r.Message)
	}
	want := "http://" + proxy.Addr
	for _, s := range []string{"connects directly", "refused/", want, "system:wininet", "does not use the system proxy"} {
		if !strings.Contains(r.Message, s) {
			t.Errorf("message %q lacks %q", r.Message, s)
		}
	}
	if !strings.Contains(r.Hint, "HTTPS_PROXY") || !strings.Contains(r.Hint, want) || !strings.Contains(r.Hint, "restart new-api") && !strings.Contains(r.Hint, "then restart it") {
		t.Errorf("hint lacks the fix: %q", r.Hint)
	}
	if len(r.Proxy.System) != 2 || r.Proxy.System[0].Source != sysproxy.SourceWinINET || r.Proxy.System[0].Works == nil || !*r.Proxy.System[0].Works || r.Proxy.System[1].Source != sysproxy.SourcePAC {
		t.Errorf("system proxies %+v", r.Proxy.System)
	}
	if r.Proxy.Source != ProxySourceNone || r.Path != nil {
		t.Errorf("new-api's own path: %+v, path %+v", r.Proxy, r.Path)
	}
	if len(proxy.Requests()) == 0 {
		t.Error("the system proxy was never asked")
	}
}

func TestSystemProxyNotUsed(t *testing.T) {
	target, proxy := systemProxyWorld(t)
	sys := []sysproxy.Setting{{Source: sysproxy.SourceWinINET, Servers: map[string]string{"*": proxy.Addr}}}
	closed := pt.ClosedPort(t)
	cases := []struct {
		name      string
		ep        Endpoint
		sys       []sysproxy.Setting
		wantCause Cause
		probed    bool
	}{
		// A channel proxy is what new-api uses: the OS's is beside the point.
		{"channel proxy", Endpoint{Name: "x", URL: target, Proxy: "http://" + closed}, sys, CauseProxyRefused, false},
		{"direct", Endpoint{Name: "x", URL: target, Proxy: "direct"}, sys, CauseLocalRefused, false},
		// The system proxy fails too: the verdict stays new-api's, with a note.
		{"both fail", Endpoint{Name: "x", URL: target}, []sysproxy.Setting{{Source: sysproxy.SourceWinHTTP, Servers: map[string]string{"https": closed, "http": closed}}}, CauseLocalRefused, true},
		{"bypassed", Endpoint{Name: "x", URL: target}, []sysproxy.Setting{{Source: sysproxy.SourceWinINET, Servers: map[string]string{"*": proxy.Addr}, Bypass: []string{"localhost"}}}, CauseLocalRefused, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(proxy.Requests())
			r := CheckEndpoint(context.Background(), c.ep, RunOptions{Timeouts: fastTimeouts, Getenv: envMap(nil), SystemProxies: c.sys})
			if r.Cause != c.wantCause {
				t.Fatalf("%s/%s: %s", r.Category, r.Cause, r.Message)
			}
			if len(proxy.Requests()) != before {
				t.Error("the system proxy was used")
			}
			probed := len(r.Proxy.System) > 0 && r.Proxy.System[0].Works != nil
			if probed != c.probed {
				t.Errorf("probed %v, want %v: %+v", probed, c.probed, r.Proxy.System)
			}
			if c.probed && (*r.Proxy.System[0].Works || !strings.Contains(strings.Join(r.Notes, ";"), "fails too")) {
				t.Errorf("want 'fails too': %+v %q", r.Proxy.System, r.Notes)
			}
		})
	}
}

func TestSystemProxyLine(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		s    SystemProxyInfo
		want string
	}{
		{SystemProxyInfo{Source: "system:wininet", URL: "http://127.0.0.1:7890", Works: &yes}, "http://127.0.0.1:7890 (system:wininet), not used by new-api: works through it"},
		{SystemProxyInfo{Source: "system:winhttp", URL: "http://p:1", Works: &no, Verdict: "refused/proxy-refused"}, "fails too (refused/proxy-refused)"},
		{SystemProxyInfo{Source: "system:pac", PAC: "http://x/p.pac"}, "new-api never does"},
		{SystemProxyInfo{Source: "system:wininet"}, "bypassed"},
		{SystemProxyInfo{Source: "system:wininet", Error: "ProxyServer entry"}, "unreadable"},
	} {
		if got := c.s.Line(); !strings.Contains(got, c.want) {
			t.Errorf("%q lacks %q", got, c.want)
		}
	}
}

// In Chinese the system-proxy verdict keeps its facts: the proxy, its
// source, the fix's variable, and new-api's own path.
func TestSystemProxyOnlyChinese(t *testing.T) {
	defer i18n.SetDefault(i18n.Default())
	i18n.SetDefault(i18n.ZH)
	target, proxy := systemProxyWorld(t)
	wininet, err := sysproxy.WinINET(1, proxy.Addr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	r := CheckEndpoint(context.Background(), Endpoint{Name: "x", URL: target}, RunOptions{Timeouts: fastTimeouts, Getenv: envMap(nil), SystemProxies: wininet})
	if r.Cause != CauseSystemProxyOnly {
		t.Fatalf("%s/%s: %s", r.Category, r.Cause, r.Message)
	}
	want := "http://" + proxy.Addr
	for _, s := range []string{"直接连接", "不使用系统代理", want, "system:wininet", "refused/"} {
		if !strings.Contains(r.Message, s) {
			t.Errorf("message %q lacks %q", r.Message, s)
		}
	}
	if !strings.Contains(r.Hint, "HTTPS_PROXY") || !strings.Contains(r.Hint, want) || !strings.Contains(r.Hint, "系统代理") {
		t.Errorf("hint: %q", r.Hint)
	}
	if len(r.Notes) == 0 || !strings.Contains(strings.Join(r.Notes, "\n"), "new-api 自己的路径") {
		t.Errorf("notes %q", r.Notes)
	}
}
