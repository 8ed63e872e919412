//go:build linux

package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// The look-alike lab (issue 11 items 1-4): its own namespaces (prefix
// nd-lab-d), each real fault beside its look-alike. Client 198.51.100.2 ——
// router —— servers in 203.0.113.0/26, as in the main lab. Names are under
// nd-lab.net: "public" names (a loopback answer for one is a sinkhole), yet
// only the lab's dnsmasq ever hears of them.
const (
	ndClient = nsPrefix + "dc"
	ndRouter = nsPrefix + "dr"
	ndServer = nsPrefix + "ds"

	ndUp      = "203.0.113.10" // upstream https :443 (RSA chain), http :80
	ndHang    = "203.0.113.11" // accepts :443 and :80, never answers
	ndReset   = "203.0.113.12" // reads the request, then resets (:80)
	ndMTLS    = "203.0.113.13" // openssl s_server -Verify (TLS 1.3) :443, -tls1_2 :8443, no -Verify :9443
	ndNoChain = "203.0.113.14" // openssl s_server sending its leaf without the intermediate
	ndChain   = "203.0.113.15" // openssl s_server sending leaf + intermediate
	ndFiles   = "203.0.113.16" // the intermediate for AIA (:80); DNS over HTTPS (:443) in front of the honest resolver
	ndMTU     = "203.0.113.17" // upstream https behind a path-MTU black hole
	ndHonest  = "203.0.113.53" // dnsmasq telling the truth
	ndLiar    = "203.0.113.54" // dnsmasq lying
	ndNoDNS   = "203.0.113.55" // nothing listens on 53; the router DNATs its UDP 53 to the liar
	ndDead    = "203.0.113.58" // the router drops everything to it
	ndProxy   = "203.0.113.20" // tinyproxy :8888 (the environment's proxy for DNS over HTTPS)
)

// ndNames: the truth (honest dnsmasq) and the lies (lying dnsmasq).
var ndTruth = map[string]string{
	"ok.nd-lab.net": ndUp, "fake.nd-lab.net": ndUp, "sink.nd-lab.net": ndUp, "loop.nd-lab.net": ndUp, "wrong.nd-lab.net": ndUp,
	"pinned.nd-lab.net": ndUp, "dead.nd-lab.net": ndDead, "blocked.nd-lab.net": ndUp, "hang.nd-lab.net": ndHang,
	"kw.nd-lab.net": ndUp, "rst.nd-lab.net": ndReset, "mtls.nd-lab.net": ndMTLS, "nochain.nd-lab.net": ndNoChain,
	"chain.nd-lab.net": ndChain, "mtu.nd-lab.net": ndMTU, "doh.nd-lab.net": ndFiles, "mtubody.nd-lab.net": ndMTU, "stallbody.nd-lab.net": ndReset,
}

var ndLies = map[string]string{"fake.nd-lab.net": "198.18.0.5", "sink.nd-lab.net": "0.0.0.0", "loop.nd-lab.net": "127.0.0.1", "wrong.nd-lab.net": ndDead}

type ndLab struct {
	*lab
	root string // the openssl root CA (PEM): the endpoints' ca_file
}

func newNDLab(t *testing.T) *ndLab {
	prerequisites(t)
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skipf("openssl not installed: %v", err)
	}
	labLock(t)
	removeLeftovers()
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l := &ndLab{lab: &lab{t: t, dir: dir, self: self}}
	t.Cleanup(func() { l.teardownNS(ndClient, ndRouter, ndServer) })
	l.topologyND()
	l.pkiND()
	l.serversND()
	return l
}

func (l *ndLab) topologyND() {
	routedTopology(l.t, ndClient, ndRouter, ndServer, "d", []string{ndUp, ndHang, ndReset, ndMTLS, ndNoChain, ndChain, ndFiles, ndMTU, ndHonest, ndLiar, ndNoDNS, ndProxy})
	ipn := func(ns string, args ...string) { run(l.t, append([]string{"ip", "-n", ns}, args...)...) }
	l.ns(ndRouter, "sysctl", "-qw", "net.ipv4.ip_forward=1")

	ipt := func(args ...string) { l.ns(ndRouter, append([]string{"iptables"}, args...)...) }
	ipt("-A", "FORWARD", "-d", ndDead, "-j", "DROP")
	// SNI filter that drops (a stall, not a reset: the look-alike of a stuck server).
	ipt("-A", "FORWARD", "-p", "tcp", "--dport", "443", "-m", "string", "--string", "blocked.nd-lab.net", "--algo", "bm", "-j", "DROP")
	// Keyword filter: a request naming forbidden-word is reset.
	ipt("-A", "FORWARD", "-p", "tcp", "--dport", "80", "-m", "string", "--string", "forbidden-word", "--algo", "bm", "-j", "REJECT", "--reject-with", "tcp-reset")
	// DNS injection: UDP queries to an address where no DNS server listens are answered (by the liar).
	ipt("-t", "nat", "-A", "PREROUTING", "-d", ndNoDNS, "-p", "udp", "--dport", "53", "-j", "DNAT", "--to-destination", ndLiar)
	// Path-MTU black hole: what ndMTU sends towards the client leaves by a
	// 1000-byte route, and the router's "fragmentation needed" is dropped.
	ipn(ndRouter, "rule", "add", "from", ndMTU, "table", "117")
	ipn(ndRouter, "route", "add", "198.51.100.0/26", "dev", "nd-lab-dr0", "mtu", "lock", "1000", "table", "117")
	ipt("-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP")

	for _, ns := range []string{ndClient, ndServer} {
		if err := os.MkdirAll("/etc/netns/"+ns, 0o755); err != nil {
			l.t.Fatal(err)
		}
		l.writeResolvConf(ns, ndHonest)
	}
	// A stale pin, line 3 of the client's hosts file (ip netns exec binds it over /etc/hosts).
	hosts := "127.0.0.1 localhost\n::1 localhost\n" + ndDead + " pinned.nd-lab.net\n"
	if err := os.WriteFile("/etc/netns/"+ndClient+"/hosts", []byte(hosts), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

// pkiND makes an openssl chain root → intermediate → leaf (*.nd-lab.net)
// whose leaf names its issuer's URL (AIA), as public CAs' leaves do.
func (l *ndLab) pkiND() {
	d := l.dir
	ossl := func(args ...string) { run(l.t, append([]string{"openssl"}, args...)...) }
	p := func(n string) string { return filepath.Join(d, n) }
	ext := l.write("ext.cnf", fmt.Sprintf(`[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[leaf]
basicConstraints=CA:FALSE
subjectAltName=DNS:*.nd-lab.net,DNS:nd-lab.net
extendedKeyUsage=serverAuth
authorityInfoAccess=caIssuers;URI:http://%s/int.der
`, ndFiles))
	ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("root.key"), "-out", p("root.pem"), "-days", "2", "-subj", "/CN=nd-lab root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("int.key"), "-out", p("int.csr"), "-subj", "/CN=nd-lab intermediate")
	ossl("x509", "-req", "-in", p("int.csr"), "-CA", p("root.pem"), "-CAkey", p("root.key"), "-CAcreateserial", "-out", p("int.pem"), "-days", "2", "-extfile", ext, "-extensions", "ca")
	ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=*.nd-lab.net")
	ossl("x509", "-req", "-in", p("leaf.csr"), "-CA", p("int.pem"), "-CAkey", p("int.key"), "-CAcreateserial", "-out", p("leaf.pem"), "-days", "2", "-extfile", ext, "-extensions", "leaf")
	ossl("x509", "-in", p("int.pem"), "-outform", "DER", "-out", filepath.Join(mkdir(l.t, p("files")), "int.der"))
	leaf, _ := os.ReadFile(p("leaf.pem"))
	inter, _ := os.ReadFile(p("int.pem"))
	l.write("fullchain.pem", string(leaf)+string(inter))
	l.root = p("root.pem")
}

func mkdir(t *testing.T, d string) string {
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func (l *ndLab) serversND() {
	p := func(n string) string { return filepath.Join(l.dir, n) }
	role := func(name, listen string, extra ...string) {
		l.start(ndServer, append([]string{roleEnv + "=" + name, "ND_LAB_LISTEN=" + listen}, extra...), l.self)
	}
	role("upstream", ndUp+":443", "ND_LAB_CERT="+p("fullchain.pem"), "ND_LAB_KEY="+p("leaf.key"))
	role("upstream", ndMTU+":443", "ND_LAB_CERT="+p("fullchain.pem"), "ND_LAB_KEY="+p("leaf.key"))
	role("upstream-http", ndUp+":80")
	role("hang", ndHang+":443")
	role("reset-after-request", ndReset+":80")
	role("stalled-body", ndReset+":8080")
	role("big-body", ndMTU+":80")
	role("files", ndFiles+":80", "ND_LAB_DIR="+p("files"))
	role("doh", ndFiles+":443", "ND_LAB_CERT="+p("fullchain.pem"), "ND_LAB_KEY="+p("leaf.key"), "ND_LAB_UPSTREAM="+ndHonest+":53")
	tp := fmt.Sprintf("Port 8888\nListen %s\nTimeout 15\nMaxClients 20\nAllow %s/26\nLogLevel Warning\nConnectPort 443\n", ndProxy, ipClient)
	l.start(ndServer, nil, "tinyproxy", "-d", "-c", l.write("tinyproxy.conf", tp))
	sserver := func(addr, port string, args ...string) {
		l.start(ndServer, nil, append([]string{"openssl", "s_server", "-quiet", "-www", "-accept", addr + ":" + port, "-key", p("leaf.key")}, args...)...)
	}
	sserver(ndMTLS, "443", "-cert", p("leaf.pem"), "-cert_chain", p("int.pem"), "-Verify", "1")
	sserver(ndMTLS, "8443", "-cert", p("leaf.pem"), "-cert_chain", p("int.pem"), "-Verify", "1", "-tls1_2")
	sserver(ndMTLS, "9443", "-cert", p("leaf.pem"), "-cert_chain", p("int.pem"))
	sserver(ndNoChain, "443", "-cert", p("leaf.pem"))
	sserver(ndChain, "443", "-cert", p("leaf.pem"), "-cert_chain", p("int.pem"))

	dnsmasq := func(name, listen string, answers map[string]string) {
		var b strings.Builder
		fmt.Fprintf(&b, "no-resolv\nno-hosts\nkeep-in-foreground\nbind-interfaces\nlisten-address=%s\nuser=root\n", listen)
		for n, a := range ndTruth {
			if lie, ok := answers[n]; ok {
				a = lie
			}
			fmt.Fprintf(&b, "address=/%s/%s\n", n, a)
		}
		l.start(ndServer, nil, "dnsmasq", "-C", l.write(name, b.String()), "--pid-file="+p(name+".pid"))
	}
	dnsmasq("honest.conf", ndHonest, nil)
	dnsmasq("liar.conf", ndLiar, ndLies)

	wait := exec.Command("ip", "netns", "exec", ndClient, l.self)
	wait.Env = append(os.Environ(), roleEnv+"=wait", "ND_LAB_WAIT="+strings.Join([]string{
		"tcp:" + ndUp + ":443", "tcp:" + ndUp + ":80", "tcp:" + ndHang + ":443", "tcp:" + ndReset + ":80", "tcp:" + ndReset + ":8080", "tcp:" + ndMTU + ":80", "tcp:" + ndFiles + ":80", "tcp:" + ndFiles + ":443", "tcp:" + ndProxy + ":8888",
		"tcp:" + ndMTLS + ":443", "tcp:" + ndMTLS + ":8443", "tcp:" + ndMTLS + ":9443", "tcp:" + ndNoChain + ":443", "tcp:" + ndChain + ":443",
		"dns:" + ndHonest + ":53:ok.nd-lab.net", "dns:" + ndLiar + ":53:ok.nd-lab.net",
	}, ","))
	if out, err := wait.CombinedOutput(); err != nil {
		l.t.Fatalf("look-alike lab servers not ready: %v\n%s", err, out)
	}
}

// ndTimeouts keep the lab quick; the look-alikes' stalls wait these out.
var ndTimeouts = diag.Timeouts{DNS: time.Second, Connect: 1500 * time.Millisecond, TLS: 2 * time.Second, HTTP: 3 * time.Second}

// checkND runs diag in the client namespace (the test binary's lookcheck
// role) with the client's resolver set to resolver, and returns the verdicts by name.
func (l *ndLab) checkND(t *testing.T, resolver string, eps []diag.Endpoint, s lookSpec) map[string]diag.EndpointResult {
	l.writeResolvConf(ndClient, resolver)
	return runLookCheck(t, l.self, ndClient, eps, s)
}

// runLookCheck runs the lookcheck role in namespace ns and returns the
// verdicts by name.
func runLookCheck(t *testing.T, self, ns string, eps []diag.Endpoint, s lookSpec) map[string]diag.EndpointResult {
	s.Endpoints = eps
	spec, _ := json.Marshal(s)
	cmd := exec.Command("ip", "netns", "exec", ns, self)
	cmd.Env = append(os.Environ(), roleEnv+"=lookcheck", "ND_LAB_SPEC="+string(spec))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lookcheck: %v\n%s", err, out)
	}
	var rep diag.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("lookcheck output: %v\n%s", err, out)
	}
	byName := map[string]diag.EndpointResult{}
	for _, e := range rep.Endpoints {
		byName[e.Name] = e
	}
	return byName
}

// lookSpec is what the lookcheck role runs.
type lookSpec struct {
	Endpoints []diag.Endpoint
	Compare   []string
	DoH       []string
	Env       map[string]string
	Deep      bool
	Controls  []string // control targets (issue 11.8)
}

// lookCheck is the lookcheck role: diag.Run as `check` would, JSON on stdout.
func lookCheck(spec string) error {
	var s lookSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		return err
	}
	rep := diag.Run(context.Background(), s.Endpoints, diag.RunOptions{Timeouts: ndTimeouts, CompareDNS: s.Compare, DoH: s.DoH, Deep: s.Deep, Controls: s.Controls, Getenv: func(k string) string { return s.Env[k] }})
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// pair is a fault and its look-alike.
type pair struct {
	item                 string
	fault, look          diag.Endpoint
	faultCause           diag.Cause
	lookCause            diag.Cause
	faultWords, lookDiff string // in the fault's hint; the differential that must run for the look-alike ("" = none)
}

func TestLookalikeLab(t *testing.T) {
	l := newNDLab(t)
	ep := func(name, url string, ca bool) diag.Endpoint {
		e := diag.Endpoint{Name: name, URL: url, Proxy: "direct"}
		if ca {
			e.CAFile = l.root
		}
		return e
	}
	dnsPairs := []pair{
		{"1 fake-ip", ep("fake-ip", "https://fake.nd-lab.net/v1", true), ep("honest", "https://ok.nd-lab.net/v1", true), diag.CauseFakeIP, diag.CauseOK, "no TUN device", ""},
		{"1 sinkhole", ep("sinkhole", "https://sink.nd-lab.net/v1", true), ep("honest-2", "https://ok.nd-lab.net/v1", true), diag.CauseDNSSinkhole, diag.CauseOK, "0.0.0.0", ""},
		{"1 loopback hijack", ep("loopback", "https://loop.nd-lab.net/v1", true), ep("honest-3", "https://ok.nd-lab.net/v1", true), diag.CauseDNSSinkhole, diag.CauseOK, "127.0.0.1", ""},
		{"1 lying resolver vs a dead server", ep("wrong", "https://wrong.nd-lab.net/v1", true), ep("dead", "https://dead.nd-lab.net/v1", true), diag.CauseDNSWrong, diag.CauseSYNTimeout, ndHonest, "dns-compare"},
		{"1 hosts file", ep("pinned", "https://pinned.nd-lab.net/v1", true), ep("dead-2", "https://dead.nd-lab.net/v1", true), diag.CauseHostsFile, diag.CauseSYNTimeout, "/etc/hosts line 3", "dns-compare"},
	}
	otherPairs := []pair{
		{"2 sni filter vs stalled server", ep("sni", "https://blocked.nd-lab.net/v1", true), ep("stalled", "https://hang.nd-lab.net/v1", true), diag.CauseSNIFiltered, diag.CauseTLSTimeout, "without SNI", "sni"},
		{"2 incomplete chain vs untrusted root", ep("nochain", "https://nochain.nd-lab.net/v1", true), ep("untrusted", "https://chain.nd-lab.net/v1", false), diag.CauseIncompleteChain, diag.CauseTLSUntrusted, "http://" + ndFiles + "/int.der", "issuer-fetch"},
		{"2 client certificate (TLS 1.3) vs none asked", ep("mtls", "https://mtls.nd-lab.net/v1", true), ep("no-mtls", "https://mtls.nd-lab.net:9443/v1", true), diag.CauseClientCert, diag.CauseHTML, "alert 116", ""},
		{"2 client certificate (TLS 1.2) vs none asked", ep("mtls12", "https://mtls.nd-lab.net:8443/v1", true), ep("no-mtls-2", "https://mtls.nd-lab.net:9443/v1", true), diag.CauseClientCert, diag.CauseHTML, "CertificateRequest", ""},
		{"3 keyword filter vs server reset", ep("keyword", "http://kw.nd-lab.net/forbidden-word/v1", false), ep("server-reset", "http://rst.nd-lab.net/v1", false), diag.CauseKeywordFiltered, diag.CauseHTTPReset, "neutral GET /", "neutral-request"},
		{"4 mtu black hole (large answer) vs stalled body", ep("mtu-body", "http://mtubody.nd-lab.net/v1", false), ep("stalled-body", "http://stallbody.nd-lab.net:8080/v1", false), diag.CauseMTUBlackhole, diag.CauseBodyStalled, "the answer stalled with full-size packets", "small-mss"},
		{"4 mtu black hole vs stalled server", ep("mtu", "https://mtu.nd-lab.net/v1", true), ep("stalled-2", "https://hang.nd-lab.net/v1", true), diag.CauseMTUBlackhole, diag.CauseTLSTimeout, "MSS 536", "small-mss"},
	}
	var liar, inject, honest []diag.Endpoint
	for _, p := range dnsPairs {
		liar = append(liar, p.fault, p.look)
	}
	for _, p := range otherPairs {
		honest = append(honest, p.fault, p.look)
	}
	// Injection: the resolver's address has no DNS server; the router answers its UDP.
	injected := pair{"1 injected answer vs honest resolver", ep("injected", "https://wrong.nd-lab.net/v1", true), ep("honest-4", "https://wrong.nd-lab.net/v1", true), diag.CauseDNSInjected, diag.CauseOK, "nothing listens on TCP port 53", ""}
	inject = append(inject, injected.fault)

	t0 := time.Now()
	got := l.checkND(t, ndLiar, liar, lookSpec{Compare: []string{ndHonest}})
	t.Logf("lying resolver run: %v", time.Since(t0).Round(time.Millisecond))
	for k, v := range l.checkND(t, ndNoDNS, inject, lookSpec{}) {
		got[k] = v
	}
	// DNS over HTTPS through the environment's proxy as the only second path.
	doh := pair{"1 lying resolver, DoH through the proxy", ep("wrong-doh", "https://wrong.nd-lab.net/v1", true), ep("dead-doh", "https://dead.nd-lab.net/v1", true), diag.CauseDNSWrong, diag.CauseSYNTimeout, "DNS over HTTPS (https://doh.nd-lab.net/dns-query) through the proxy answered " + ndUp, "dns-compare"}
	for k, v := range l.checkND(t, ndLiar, []diag.Endpoint{doh.fault, doh.look}, lookSpec{DoH: []string{"https://doh.nd-lab.net/dns-query"}, Env: map[string]string{"HTTPS_PROXY": "http://" + ndProxy + ":8888"}}) {
		got[k] = v
	}
	for k, v := range l.checkND(t, ndHonest, append(honest, injected.look), lookSpec{}) {
		got[k] = v
	}
	assertPairs(t, got, append(append(dnsPairs, otherPairs...), injected, doh))
}

// assertPairs: each fault and its look-alike got their causes, two hints,
// the fault's hint states its evidence, a working look-alike ran no
// differential; the differentials' added cost is logged ("cost:").
func assertPairs(t *testing.T, got map[string]diag.EndpointResult, pairs []pair) {
	for _, p := range pairs {
		t.Run(p.item, func(t *testing.T) {
			f, lk := got[p.fault.Name], got[p.look.Name]
			if f.Cause != p.faultCause {
				t.Errorf("fault %s: %s (%s), want %s; differentials %+v; layers %+v", p.fault.Name, f.Cause, f.Message, p.faultCause, f.Differentials, f.Layers)
			}
			if lk.Cause != p.lookCause {
				t.Errorf("look-alike %s: %s (%s), want %s; differentials %+v; layers %+v", p.look.Name, lk.Cause, lk.Message, p.lookCause, lk.Differentials, lk.Layers)
			}
			if f.Hint == lk.Hint {
				t.Errorf("one hint for both: %q", f.Hint)
			}
			if !strings.Contains(f.Hint, p.faultWords) {
				t.Errorf("fault hint %q does not state the evidence %q", f.Hint, p.faultWords)
			}
			for _, d := range f.Differentials {
				t.Logf("cost: %s %s %.1f ms (proved %q)", p.fault.Name, d.Name, d.DurationMS, d.Proved)
			}
			ran := map[string]float64{}
			for _, d := range lk.Differentials {
				ran[d.Name] = d.DurationMS
				t.Logf("cost: %s %s %.1f ms (ruled out)", p.look.Name, d.Name, d.DurationMS)
			}
			if p.lookCause.Category() == diag.CatOK && len(lk.Differentials) != 0 {
				t.Errorf("the working look-alike %s ran differentials: %+v", p.look.Name, lk.Differentials)
			}
			if _, ok := ran[p.lookDiff]; p.lookDiff != "" && !ok {
				t.Errorf("look-alike %s: the %s differential did not run: %+v", p.look.Name, p.lookDiff, lk.Differentials)
			}
		})
	}
}
