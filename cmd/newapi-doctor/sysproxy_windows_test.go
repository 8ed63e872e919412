package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
	"golang.org/x/sys/windows/registry"
)

// TestE2ESystemProxyOnly is issue 12's "done when": with a system proxy in
// the registry (Clash's 系统代理 mode) and no environment proxy, `check`
// names the mismatch and the fix. The upstream is reachable only through
// the proxy: the URL's port is closed here, the proxy maps the name to it.
func TestE2ESystemProxyOnly(t *testing.T) {
	up := pt.NewHTTPUpstream(t, pt.Upstream{Body: `{"object":"list","data":[]}`, ContentType: "application/json"})
	proxy := pt.NewConnectProxy(t, pt.ProxyBehaviour{Hosts: map[string]string{"localhost": up.Listener.Addr().String()}})
	_, closedPort, _ := net.SplitHostPort(pt.ClosedPort(t))
	target := "http://localhost:" + closedPort + "/v1"
	testenv.SetRegistry(t, registry.CURRENT_USER, sysproxy.InternetSettingsKey, map[string]any{
		"ProxyEnable": uint32(1), "ProxyServer": proxy.Addr, "ProxyOverride": nil, "AutoConfigURL": nil,
	})

	r := runDoctor(t, nil, "check", "--format", "json", target)
	var rep diag.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || len(rep.Endpoints) != 1 {
		t.Fatalf("exit %d: %v\n%s\n%s", r.code, err, r.out, r.errOut)
	}
	e := rep.Endpoints[0]
	fix := "setx HTTPS_PROXY http://" + proxy.Addr
	if r.code != ExitFailure || e.Cause != diag.CauseSystemProxyOnly || !strings.Contains(e.Hint, fix) || !strings.Contains(e.Hint, "restart new-api") {
		t.Fatalf("exit %d, %s/%s\nmessage %s\nhint %s", r.code, e.Category, e.Cause, e.Message, e.Hint)
	}
	if len(e.Proxy.System) != 1 || e.Proxy.System[0].Source != sysproxy.SourceWinINET || e.Proxy.System[0].Works == nil || !*e.Proxy.System[0].Works {
		t.Errorf("system proxy not reported beside new-api's: %+v", e.Proxy)
	}
	text := runDoctor(t, nil, "check", target)
	for _, s := range []string{"does not use the system proxy", "system:wininet", fix} {
		if !strings.Contains(text.out, s) {
			t.Errorf("text output lacks %q:\n%s", s, text.out)
		}
	}
}
