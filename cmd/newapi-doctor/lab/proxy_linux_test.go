//go:build linux

package lab

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

const (
	socksProxy  = "socks5://" + ipProxy + ":1080"
	socksHProxy = "socks5h://" + ipProxy + ":1080"
	wrongPass   = "not-the-lab-pass"
)

// danteConf lets the client's network use CONNECT through dante without
// authentication; dante resolves names with the server namespace's resolver
// (the lab's dnsmasq), as a remote proxy would.
const danteConf = `logoutput: stderr
internal: ` + ipProxy + ` port = 1080
external: ` + ipProxy + `
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
	from: ` + ipClient + `/26 to: 0.0.0.0/0
}
socks pass {
	from: ` + ipClient + `/26 to: 0.0.0.0/0
	command: connect
}
`

// startDante starts dante's SOCKS5 server on ipProxy:1080 when danted is
// installed (.ci/run's apt-get installs dante-server) and says whether it did.
func (l *lab) startDante() bool {
	bin, err := exec.LookPath("danted")
	if err != nil {
		return false
	}
	l.start(nsServer, nil, bin, "-f", l.write("danted.conf", danteConf), "-p", filepath.Join(l.dir, "danted.pid"))
	return true
}

// testProxiedPaths: verdicts through real proxies that the curl matrix does
// not hold (it wants one distinct verdict per fault; these are controls and
// a second face of a fault it has).
func (l *lab) testProxiedPaths(t *testing.T) {
	t.Run("socks5", func(t *testing.T) {
		if _, err := exec.LookPath("danted"); err != nil {
			t.Skipf("danted not installed (.ci/run installs dante-server): %v", err)
		}
		// Issue 9.1: plain-HTTP targets through SOCKS5 hung until the HTTP
		// timeout (overloaded/no-response) while https through the same
		// dante worked and curl got its 200.
		eps := []labEndpoint{
			{"socks5-https", "https://ok.lab.test", socksProxy, diag.CatOK, diag.CauseOK, ""},
			{"socks5-http", "http://ok.lab.test/v1", socksProxy, diag.CatOK, diag.CauseOK, ""},
			{"socks5h-http", "http://ok.lab.test/v1", socksHProxy, diag.CatOK, diag.CauseOK, ""},
			{"http-proxy-http", "http://ok.lab.test/v1", proxyOpen, diag.CatOK, diag.CauseOK, ""},
		}
		for _, ep := range eps[1:3] {
			// The fixture itself works: curl gets its answer the same way.
			if r, err := l.curl(ep, true); err != nil || r.exit != 0 {
				t.Fatalf("curl through %s: exit %d (%s) %v\n%s", ep.proxy, r.exit, r.msg, err, strings.Join(r.argv, " "))
			}
		}
		rep, _ := l.check(t, false, eps)
		assertVerdicts(t, rep, eps, false)

		// Issue 9.2: behind dante on 1080 a silent target's path sentence
		// named the proxy's port as the target's. The proxy's CONNECT to the
		// target proves that path; --deep probes the target itself, from
		// here, and says so.
		hang := labEndpoint{"socks5-target-silent", "https://hang.lab.test", socksProxy, diag.CatOverloaded, diag.CauseNoResponse, diag.PathTCPOpen}
		rep, _ = l.check(t, false, []labEndpoint{hang})
		assertVerdicts(t, rep, []labEndpoint{hang}, true)
		if p := rep.Endpoints[0].Path; p == nil || p.ProvenBy != diag.LayerProxyConnect || p.Probed != diag.PathRoleTarget ||
			!strings.HasPrefix(p.Summary, "the proxy connected to the target's TCP 443") || strings.Contains(p.Summary, "1080") {
			t.Errorf("path behind dante: %+v", p)
		}
		code, out, errOut := l.doctor(false, "check", "--config", l.config([]labEndpoint{hang}), "--format", "json", "--no-redact", "--deep")
		deep := decode[diag.Report](t, out)
		if p := deep.Endpoints[0].Path; code != 1 || p == nil || p.Probed != diag.PathRoleTarget || p.ProvenBy != "" || p.Ping == nil ||
			!strings.Contains(p.Summary, "TCP 443") || strings.Contains(p.Summary, "1080") || !strings.Contains(p.Summary, "not through the proxy") {
			t.Errorf("--deep path behind dante (exit %d): %+v\n%s", code, p, errOut)
		}
	})
	t.Run("proxy credentials", func(t *testing.T) {
		// Issue 9.3: tinyproxy answers a wrong password with 401 (a missing
		// one with 407): the same credentials fault, not proxy-status.
		eps := []labEndpoint{
			{"proxy-wrong-credentials", "https://ok.lab.test", "http://alice:" + wrongPass + "@" + ipProxy + ":8889", diag.CatProxy, diag.CauseProxyAuthRequired, ""},
			{"proxy-missing-credentials", "https://ok.lab.test", proxyAuth, diag.CatProxy, diag.CauseProxyAuthRequired, ""},
		}
		rep, out := l.check(t, false, eps)
		assertVerdicts(t, rep, eps, false)
		want := map[string][]string{
			"proxy-wrong-credentials":   {"401", "rejected the username or password"},
			"proxy-missing-credentials": {"407", "has none"},
		}
		for _, e := range rep.Endpoints {
			for _, w := range want[e.Name] {
				if !strings.Contains(e.Hint, w) {
					t.Errorf("%s: hint %q lacks %q", e.Name, e.Hint, w)
				}
			}
		}
		if strings.Contains(out, wrongPass) {
			t.Error("the wrong password leaked into the output")
		}
	})
}
