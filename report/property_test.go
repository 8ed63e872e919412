package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/sysenv"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// sensitive is what a random configuration and environment hold: none of it
// may appear in any output.
type sensitive struct {
	keys, passwords, hosts, ips []string
	// users are account names planted in home paths (user-path).
	users []string
	// names spell out a short password in part (proxy-zebra-password):
	// names are never redacted, so there the password's letters stay.
	names []string
}

func (s *sensitive) all() []string {
	return append(append(append(append(append([]string{}, s.keys...), s.passwords...), s.hosts...), s.ips...), s.users...)
}

// testAllow are the provider hosts the tests keep visible at the default level.
var testAllow = []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "*.amazonaws.com"}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randStr(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func randKey(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return "sk-proj-" + randStr(r, 40, alnum+"_-")
	case 1:
		return "sk-ant-api03-" + randStr(r, 60, alnum+"_-")
	case 2:
		return "AIza" + randStr(r, 35, alnum+"_-")
	case 3:
		return "xai-" + randStr(r, 40, alnum)
	case 4:
		return "gsk_" + randStr(r, 40, alnum)
	case 5:
		return randStr(r, 32, alnum) // a new-api token: no tell-tale prefix
	case 6:
		return "hf_" + randStr(r, 34, alnum)
	}
	return randStr(r, 8+r.IntN(40), alnum+"-_.~+/=")
}

func randPassword(r *rand.Rand) string {
	return randStr(r, 6+r.IntN(14), alnum+`!#$%&'()*+,;=:@/?[]<>"\ `)
}

// plainWords are short passwords that are ordinary words; none is a word
// the tool itself prints.
var plainWords = []string{"zebra", "quokka", "marmot", "Walrus", "ibis", "25813"}

var privTLDs = []string{"corp", "internal", "lan", "example", "com", "net", "cn", "io", "home", "local"}

func randHost(r *rand.Rand) string {
	labels := 1 + r.IntN(3)
	var p []string
	for i := 0; i < labels; i++ {
		p = append(p, randStr(r, 1, "abcdefghijklmnopqrstuvwxyz")+randStr(r, 2+r.IntN(10), "abcdefghijklmnopqrstuvwxyz0123456789-")+randStr(r, 1, "abcdefghijklmnopqrstuvwxyz0123456789"))
	}
	return strings.Join(p, ".") + "." + privTLDs[r.IntN(len(privTLDs))]
}

// accountNames are user names of every shape: plain words, a space, CJK,
// '_' (Markdown escapes it), a dot (a host's shape).
var accountNames = []string{"pangolin", "Mary Ann", "张伟", "john_doe", "o.tapir", "Lemurx"}

func randUser(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return "zq" + randStr(r, 4+r.IntN(8), "abcdefghijklmnopqrstuvwxyz0123456789")
	}
	return accountNames[r.IntN(len(accountNames))]
}

// homePath is a path under user's home in one of the forms a user meets.
func homePath(r *rand.Rand, user string) string {
	return []string{
		`C:\Users\` + user + `\AppData\Roaming\New API\logs\oneapi.log`,
		`C:/Users/` + user + `/AppData/Roaming/New API/data/new-api.db`,
		"/home/" + user + "/.config/newapi-doctor/config.yaml",
		"/Users/" + user + "/Library/Logs/new-api.log",
	}[r.IntN(4)]
}

func randIP(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
	case 1:
		return fmt.Sprintf("172.%d.%d.%d", 16+r.IntN(16), r.IntN(256), 1+r.IntN(254))
	case 2:
		return fmt.Sprintf("192.168.%d.%d", r.IntN(256), 1+r.IntN(254))
	case 3:
		return fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
	case 4:
		return fmt.Sprintf("2001:db8:%x::%x", 1+r.IntN(0xfffe), 1+r.IntN(0xfffe))
	}
	return fmt.Sprintf("fd%02x:%x::%x", r.IntN(256), 1+r.IntN(0xfffe), 1+r.IntN(0xfffe))
}

func hostPort(h string, port int) string {
	if strings.Contains(h, ":") {
		return fmt.Sprintf("[%s]:%d", h, port)
	}
	return fmt.Sprintf("%s:%d", h, port)
}

// randReport builds n endpoints whose URLs, proxies, errors, details and
// notes are full of sensitive values, in the shapes Go and new-api print them.
func randReport(r *rand.Rand, n int) (*diag.Report, []diag.Endpoint, *sensitive) {
	s := &sensitive{}
	rep := &diag.Report{SchemaVersion: diag.SchemaVersion, Tool: "newapi-doctor", Version: "v1.2.3",
		StartedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), DurationMS: 1234}
	var eps []diag.Endpoint
	cats := diag.Categories
	for i := 0; i < n; i++ {
		key, pw, host, ip, relay, pip := randKey(r), randPassword(r), randHost(r), randIP(r), randHost(r), randIP(r)
		s.keys = append(s.keys, key)
		s.passwords = append(s.passwords, pw)
		s.hosts = append(s.hosts, host, relay)
		s.ips = append(s.ips, ip, pip)
		base := "https://" + host + "/v1"
		if r.IntN(3) == 0 {
			base = "http://" + hostPort(ip, 8080) + "/v1"
		}
		proxy := (&url.URL{Scheme: "socks5", User: url.UserPassword("u"+randStr(r, 5, alnum), pw), Host: hostPort(relay, 1080)}).String()
		if r.IntN(2) == 0 {
			proxy = (&url.URL{Scheme: "http", User: url.UserPassword("ops", pw), Host: hostPort(pip, 3128)}).String()
		}
		name := fmt.Sprintf("ep-%d", i)
		if r.IntN(3) == 0 {
			// A short password that is a plain word, and a name that contains
			// it (issue 9 item 9): the name must survive, the password not.
			pw = plainWords[r.IntN(len(plainWords))]
			s.passwords[len(s.passwords)-1] = pw
			name = fmt.Sprintf("proxy-%s-password-%d", pw, i)
			s.names = append(s.names, name)
			proxy = (&url.URL{Scheme: "http", User: url.UserPassword("ops", pw), Host: hostPort(pip, 3128)}).String()
		}
		ep := diag.Endpoint{Name: name, URL: base, Proxy: proxy, Key: key, Source: "newapi-doctor.yaml:" + fmt.Sprint(i+1)}
		eps = append(eps, ep)
		cat := cats[r.IntN(len(cats))]
		errs := []string{
			fmt.Sprintf("dial tcp %s: connect: connection refused", hostPort(ip, 443)),
			fmt.Sprintf("lookup %s on 127.0.0.11:53: no such host", host),
			fmt.Sprintf("Post %q: proxyconnect tcp: dial tcp %s: i/o timeout", base+"/chat/completions?key="+url.QueryEscape(key), hostPort(pip, 3128)),
			fmt.Sprintf("tls: failed to verify certificate: x509: certificate is valid for %s, not %s", relay, host),
			fmt.Sprintf("socks connect tcp %s->%s: unknown error", hostPort(relay, 1080), hostPort(host, 443)),
			fmt.Sprintf("bad response status code 401, message: Incorrect API key provided: %s, body: {\"error\":{\"message\":\"Incorrect API key provided: %s\"}}", key, key),
		}
		e := diag.EndpointResult{Name: ep.Name, URL: ep.URL, Source: ep.Source, Category: cat, Cause: diag.Cause("cause-" + string(cat)),
			Message: errs[r.IntN(len(errs))], Hint: "check " + host + " and the proxy " + proxy,
			FailingLayer: diag.LayerTCP, DurationMS: float64(r.IntN(5000)),
			Proxy: diag.ProxyInfo{URL: proxy, Source: "config", Note: "proxy at " + relay},
			Notes: []string{"Authorization: Bearer " + key, "resolved " + host + " to " + ip},
			Extra: map[string]string{"channel_id": fmt.Sprint(i), "base_url": base, "setting": `{"proxy":"` + proxy + `"}`},
		}
		for _, l := range []diag.Layer{diag.LayerProxyTCP, diag.LayerDNS, diag.LayerTCP, diag.LayerTLS, diag.LayerHTTP} {
			e.Layers = append(e.Layers, diag.LayerResult{Layer: l, OK: r.IntN(2) == 0, DurationMS: float64(r.IntN(900)),
				Error: errs[r.IntN(len(errs))], Detail: map[string]string{"addr": hostPort(ip, 443), "server_name": host, "url": base + "/models?api_key=" + key}})
		}
		if r.IntN(3) == 0 {
			e.Path = &diag.PathInfo{Target: ip, Summary: "lost after hop 3 (" + pip + ")", Trace: []string{"1 " + pip, "2 " + relay}}
		}
		// An account name in a path, as the desktop app and errors print it.
		user := randUser(r)
		s.users = append(s.users, user)
		e.Notes = append(e.Notes, "read "+homePath(r, user))
		e.Layers[r.IntN(len(e.Layers))].Error = "open " + homePath(r, user) + ": permission denied"
		rep.Endpoints = append(rep.Endpoints, e)
	}
	user := s.users[0]
	rep.Desktop = &diag.DesktopInfo{AppDir: `C:\Users\` + user + `\AppData\Roaming\New API`, Port: 3000,
		Logs: []diag.AppLog{{Path: homePath(r, user)}}}
	rep.Summarize()
	return rep, eps, s
}

// register teaches the redactor an endpoint's secrets and hosts, as the
// commands do before printing anything.
func register(rd *redact.Redactor, eps []diag.Endpoint) {
	for _, ep := range eps {
		rd.AddURL(ep.URL)
		rd.AddURL(ep.Proxy)
		rd.AddSecret(ep.Key)
	}
}

func assertNoLeak(t *testing.T, where string, out []byte, s *sensitive) {
	t.Helper()
	for _, n := range s.names {
		out = bytes.ReplaceAll(out, []byte(n), []byte("(name)"))
	}
	low := bytes.ToLower(out)
	for _, v := range s.all() {
		if bytes.Contains(out, []byte(v)) || bytes.Contains(low, []byte(strings.ToLower(v))) {
			i := bytes.Index(low, []byte(strings.ToLower(v)))
			t.Errorf("%s leaks %q: …%s…", where, v, out[max(0, i-60):min(len(out), i+len(v)+20)])
		}
	}
}

// TestPropertyNothingLeaks: random configs and environments, every output
// format and the bundle; none of the random secrets, hosts or IPs survive.
func TestPropertyNothingLeaks(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, seed*7919))
			rep, eps, s := randReport(r, 1+r.IntN(6))
			level := []redact.Level{redact.LevelDefault, redact.LevelStrict}[r.IntN(2)]
			rd := redact.New(level, testAllow)
			// The endpoints go through a real config file, half of the keys via key_env.
			register(rd, viaConfig(t, r, eps))
			if seed%2 == 0 { // as the commands register this machine's account
				for _, u := range s.users {
					rd.AddUser(u)
				}
			}
			env := randEnvironment(t, r, s)
			// As bundle does: the proxy environment is registered like an endpoint's.
			rd.AddURL(env.proxyURL)
			for _, f := range Formats() {
				var buf bytes.Buffer
				if err := Render(&buf, rep, f, Options{Verbose: true, Redactor: rd}); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				assertNoLeak(t, f, buf.Bytes(), s)
				for _, e := range rep.Endpoints {
					if !slices.Contains(s.names, e.Name) || (f == "github" && (diag.Policy{}).Judge(e) == diag.SevPass) {
						continue // github names only the endpoints it annotates
					}
					if !bytes.Contains(buf.Bytes(), []byte(e.Name)) {
						t.Errorf("%s: name %q redacted", f, e.Name)
					}
				}
				if fs := rd.Scan(f, buf.Bytes()); len(fs) > 0 {
					t.Errorf("%s: scan finds %v", f, fs)
				}
			}
			runLog := fmt.Sprintf("time=2026-11-26T09:00:00Z level=INFO msg=\"layer done\" endpoint=ep-0 layer=tcp addr=%s err=%q\n",
				hostPort(s.ips[0], 443), rep.Endpoints[0].Message)
			zb, m, err := BuildBundle(BundleInput{Report: rep, Environment: env.env, RunLog: []byte(runLog), Redactor: rd, Version: "v1.2.3"})
			if err != nil {
				t.Fatal(err)
			}
			files := unzip(t, zb)
			for name, b := range files {
				assertNoLeak(t, "bundle "+name, b, s)
				// Redaction must leave machine-readable files machine-readable.
				if strings.HasSuffix(name, ".json") && !json.Valid(b) {
					t.Errorf("%s is no longer valid JSON", name)
				}
			}
			if m.Redaction.Secrets == 0 || m.Redaction.Hosts+m.Redaction.Addresses == 0 {
				t.Errorf("manifest counts nothing: %+v", m.Redaction)
			}
			// Support can still tell what failed, where and why.
			for _, e := range rep.Endpoints {
				if !bytes.Contains(files["report.json"], []byte(`"cause": "`+e.Cause+`"`)) {
					t.Errorf("report.json lost %s's cause", e.Name)
				}
			}
		})
	}
}

// viaConfig writes eps as newapi-doctor.yaml (keys inline or through
// key_env) and returns what diag.ParseConfig makes of it.
func viaConfig(t *testing.T, r *rand.Rand, eps []diag.Endpoint) []diag.Endpoint {
	t.Helper()
	vars := map[string]string{}
	var y strings.Builder
	y.WriteString("endpoints:\n")
	for i, ep := range eps {
		q := func(v string) string { b, _ := json.Marshal(v); return string(b) }
		fmt.Fprintf(&y, "  - name: %s\n    url: %s\n    proxy: %s\n", q(ep.Name), q(ep.URL), q(ep.Proxy))
		if r.IntN(2) == 0 {
			v := fmt.Sprintf("KEY_%d", i)
			vars[v] = ep.Key
			fmt.Fprintf(&y, "    key_env: %s\n", v)
		} else {
			fmt.Fprintf(&y, "    key: %s\n", q(ep.Key))
		}
	}
	cfg, err := diag.ParseConfig("random.yaml", []byte(y.String()), func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("random config does not parse: %v\n%s", err, y.String())
	}
	if len(cfg.Endpoints) != len(eps) {
		t.Fatalf("config has %d endpoints, want %d", len(cfg.Endpoints), len(eps))
	}
	return cfg.Endpoints
}

type randEnv struct {
	env      *sysenv.Env
	proxyURL string
}

// randEnvironment collects a real environment.json from random inputs: a
// proxy with a password, private resolvers and search domains, a gateway.
func randEnvironment(t *testing.T, r *rand.Rand, s *sensitive) randEnv {
	t.Helper()
	pw, relay, ns, gw, search := randPassword(r), randHost(r), randIP(r), randIP(r), randHost(r)
	s.passwords = append(s.passwords, pw)
	s.hosts = append(s.hosts, relay, search)
	s.ips = append(s.ips, ns, gw)
	proxy := (&url.URL{Scheme: "http", User: url.UserPassword("proxyuser", pw), Host: hostPort(relay, 3128)}).String()
	vars := map[string]string{"HTTPS_PROXY": proxy, "no_proxy": "localhost," + search}
	in := sysenv.Inputs{
		Getenv: func(k string) string { return vars[k] },
		ReadFile: func(p string) ([]byte, error) {
			return []byte("nameserver " + ns + "\nsearch " + search + "\n"), nil
		},
		InterfaceAddrs: func() ([]net.Addr, error) { return nil, nil },
		Platform: func(*sysenv.Inputs) sysenv.PlatformFacts {
			return sysenv.PlatformFacts{Kernel: "6.1.0", DefaultRoute: &sysenv.Route{Interface: "eth0", Gateway: gw}}
		},
		NewAPIURL: "-",
	}
	return randEnv{env: sysenv.Collect(context.Background(), in), proxyURL: proxy}
}

func unzip(t *testing.T, zb []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatalf("bundle does not open with archive/zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}
