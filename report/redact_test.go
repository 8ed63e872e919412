package report

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

var testAllow = []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "*.amazonaws.com"}

var rePseudo = regexp.MustCompile(`(host|ip|private)-[0-9a-f]{6,}\b`)

// norm makes pseudonyms comparable across runs (their key is random).
func norm(s string) string { return rePseudo.ReplaceAllString(s, "$1-X") }

func TestRedactGolden(t *testing.T) {
	cases := []struct {
		name, in, want string
		level          Level
	}{
		// secrets: shapes
		{"openai key", "key sk-abcdefghijklmnop1234 end", "key [REDACTED] end", LevelNone},
		{"openai proj key", `"sk-proj-AbC_dEf-1234567890xyzXYZ"`, `"[REDACTED]"`, LevelNone},
		{"anthropic key", "x sk-ant-api03-abcdefghijklmnopqrstuv y", "x [REDACTED] y", LevelNone},
		{"gemini key", "AIzaSyA1234567890abcdefghijklmnopqrstu", "[REDACTED]", LevelNone},
		{"xai groq hf pplx r8", "xai-abcdefghijklmnopqrstuv gsk_abcdefghijklmnopqrstuv hf_abcdefghijklmnopqrstuv pplx-abcdefghijklmnopqrstuv r8_abcdefghijklmnopqrstuv",
			"[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]", LevelNone},
		{"jwt", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk_-XYZ ok", "tok [REDACTED] ok", LevelNone},
		{"jwt default", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk_-XYZ. ok", "tok [REDACTED]. ok", LevelDefault},
		{"key in encoded url", "u=https%3A%2F%2Frelay.corp.example%2Fsk-proj-abcdefghijklmnop1234", "u=https%3A%2F%2Fhost-X%2F[REDACTED]", LevelDefault},
		{"key after a dot", "x.sk-proj-abcdefghijklmnop1234 and gsk_abcdefghijklmnopqrstuv.", "x.[REDACTED] and [REDACTED].", LevelStrict},
		{"bearer", "Authorization header was Bearer abc123DEF456ghi", "Authorization header was Bearer [REDACTED]", LevelNone},
		{"bearer prose stays", "use Bearer authentication here", "use Bearer authentication here", LevelNone},
		{"authorization header", "Authorization: 0123456789abcdefABCDEF0123456789\n", "Authorization: [REDACTED]\n", LevelNone},
		{"authorization basic", "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic [REDACTED]", LevelNone},
		{"x-api-key json", `{"x-api-key":"abc def"}`, `{"x-api-key":"[REDACTED]"}`, LevelNone},
		{"json literals stay", `{"password": null, "api_key": false, "token": true}`, `{"password": null, "api_key": false, "token": true}`, LevelNone},
		{"goog header go map", "map[X-Goog-Api-Key:[AbcdEfgh12]]", "map[X-Goog-Api-Key:[[REDACTED]]]", LevelNone},
		{"api-key header", "api-key: 0123456789abcdef", "api-key: [REDACTED]", LevelNone},
		{"query key", "GET /v1/models?key=abc123&alt=json", "GET /v1/models?key=[REDACTED]&alt=json", LevelNone},
		{"query params", "?api_key=a1&apikey=b2&token=c3&access_token=d4", "?api_key=[REDACTED]&apikey=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]", LevelNone},
		{"json escaped amp", `"u?x=1\u0026token=zzzz9"`, `"u?x=1\u0026token=[REDACTED]"`, LevelNone},
		{"env assignment", "NEWAPI_TOKEN=abcdefabcdefabcdefabcdefabcdef12 OPENAI_API_KEY=foo", "NEWAPI_TOKEN=[REDACTED] OPENAI_API_KEY=[REDACTED]", LevelNone},
		{"userinfo", "socks5://alice:s3cr3t@127.0.0.1:1080", "socks5://[REDACTED]@127.0.0.1:1080", LevelNone},
		{"userinfo user only", "http://alice@127.0.0.1:8080/", "http://[REDACTED]@127.0.0.1:8080/", LevelNone},
		{"curl userinfo", "proxy alice:pw@localhost:3128", "proxy [REDACTED]@localhost:3128", LevelNone},
		{"email stays", "mail ops@localhost", "mail ops@localhost", LevelNone},
		{"hint placeholder stays", "in the proxy URL (http://user:pass@host:port)", "in the proxy URL (http://user:pass@host:port)", LevelDefault},
		{"pem", "a\n-----BEGIN PRIVATE KEY-----\nMIIBVQ==\n-----END PRIVATE KEY-----\nb", "a\n[REDACTED]\nb", LevelNone},
		{"pem json escaped", `"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"`, `"[REDACTED]"`, LevelNone},
		{"idempotent", "key=[REDACTED] Bearer [REDACTED] http://[REDACTED]@host-abcdef", "key=[REDACTED] Bearer [REDACTED] http://[REDACTED]@host-X", LevelDefault},

		// hosts and addresses
		{"go dial error", "dial tcp 10.1.2.3:443: connect: connection refused", "dial tcp private-X:443: connect: connection refused", LevelDefault},
		{"go lookup error", "lookup relay.corp.example on 127.0.0.11:53: no such host", "lookup host-X on 127.0.0.11:53: no such host", LevelDefault},
		{"go post error", `Post "https://relay.corp.example/v1/chat/completions": EOF`, `Post "https://host-X/v1/chat/completions": EOF`, LevelDefault},
		{"public ip", "dial tcp 203.0.113.9:443: i/o timeout", "dial tcp ip-X:443: i/o timeout", LevelDefault},
		{"ip ends a sentence", "could not reach 10.1.2.3. Then 192.168.0.1, and .172.16.0.9", "could not reach private-X. Then private-X, and .private-X", LevelDefault},
		{"ipv6", "dial tcp [2001:db8::1]:443: connect: network is unreachable", "dial tcp [ip-X]:443: connect: network is unreachable", LevelDefault},
		{"ipv6 ula and link-local", "fd00::5 fe80::1%eth0", "private-X private-X", LevelDefault},
		{"fake-ip range stays", "resolved into 198.18.0.0/15: 198.18.3.7 and 198.19.255.1", "resolved into 198.18.0.0/15: 198.18.3.7 and 198.19.255.1", LevelStrict},
		{"loopback stays", "127.0.0.1:7890 [::1]:443 0.0.0.0 localhost:3000", "127.0.0.1:7890 [::1]:443 0.0.0.0 localhost:3000", LevelDefault},
		{"allowlisted stays", "https://api.openai.com/v1/models", "https://api.openai.com/v1/models", LevelDefault},
		{"allowlisted suffix", "bedrock-runtime.us-east-1.amazonaws.com", "bedrock-runtime.us-east-1.amazonaws.com", LevelDefault},
		{"strict hides provider", "https://api.openai.com/v1/models", "https://host-X/v1/models", LevelStrict},
		{"none keeps hosts", "relay.corp.example 10.0.0.1", "relay.corp.example 10.0.0.1", LevelNone},
		{"x509 names", "x509: certificate is valid for a.internal.example, not relay.internal.example", "x509: certificate is valid for host-X, not host-X", LevelDefault},
		{"trailing dot", "cannot reach relay.corp.lan.", "cannot reach host-X.", LevelDefault},
		{"url encoded", "u=https%3A%2F%2Frelay.corp.example%2Fv1", "u=https%3A%2F%2Fhost-X%2Fv1", LevelDefault},
		{"uppercase host", "RELAY.CORP.EXAMPLE", "host-X", LevelDefault},
		{"title case host", "lookup Relay.Corp.Example: no such host", "lookup host-X: no such host", LevelDefault},

		// negatives that must stay untouched
		{"model names", "gpt-4o-mini claude-3-5-sonnet-20241022 gemini-1.5-pro deepseek-chat qwen2.5-72b-instruct",
			"gpt-4o-mini claude-3-5-sonnet-20241022 gemini-1.5-pro deepseek-chat qwen2.5-72b-instruct", LevelStrict},
		{"versions", "v1.2.3 go1.26.8 1.2.3-rc.1 TLS 1.3 10.0.19045.1234", "v1.2.3 go1.26.8 1.2.3-rc.1 TLS 1.3 10.0.19045.1234", LevelStrict},
		{"timestamps", "2026-11-26T09:14:44.123Z [ERR] 2006/01/02 - 15:04:05 | 12:34:56.789", "2026-11-26T09:14:44.123Z [ERR] 2006/01/02 - 15:04:05 | 12:34:56.789", LevelStrict},
		{"file names", "oneapi-20240101.log config.yaml new-api.db newapi-doctor.yaml report.json /etc/resolv.conf", "oneapi-20240101.log config.yaml new-api.db newapi-doctor.yaml report.json /etc/resolv.conf", LevelStrict},
		{"go identifiers", "x509: tls: net/http: *url.Error net.OpError Config.timeouts of type time.Duration x509.Certificate http.Transport", "x509: tls: net/http: *url.Error net.OpError Config.timeouts of type time.Duration x509.Certificate http.Transport", LevelStrict},
		{"durations and prose", "took 1.5s (3.2ms), e.g. the key: set it; i.e. fine", "took 1.5s (3.2ms), e.g. the key: set it; i.e. fine", LevelStrict},
		{"sk words", "task-force sk-short disk-abcdefghijklmnopqrstu", "task-force sk-short disk-abcdefghijklmnopqrstu", LevelNone},
		{"mac and netmask", "de:ad:be:ef:00:11 255.255.255.0", "de:ad:be:ef:00:11 255.255.255.0", LevelStrict},
		{"max tokens", "max_tokens=100 key_env=OPENAI_API_KEY", "max_tokens=100 key_env=OPENAI_API_KEY", LevelNone},
		{"pseudonyms stay", "host-3f2a1c ip-00aa11 private-abcdef", "host-X ip-X private-X", LevelStrict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRedactor(tc.level, testAllow)
			got := norm(r.String(tc.in))
			if got != tc.want {
				t.Errorf("\n in: %q\ngot: %q\nwant %q", tc.in, got, tc.want)
			}
			// Redacting twice changes nothing more.
			if again := norm(r.String(r.String(tc.in))); again != got {
				t.Errorf("not idempotent: %q", again)
			}
		})
	}
}

func TestRegisteredSecretsAndHosts(t *testing.T) {
	secret := `p@ss w/rd&"x"<y>`
	cases := []struct{ name, in string }{
		{"raw", "password is " + secret + "!"},
		{"query escaped", "proxy=" + url.QueryEscape(secret)},
		{"path escaped", "/" + url.PathEscape(secret) + "/"},
		{"json escaped", func() string { b, _ := json.Marshal(map[string]string{"m": "v " + secret}); return string(b) }()},
		{"long key in prose", "the upstream said: incorrect API key provided: zq9Xw2Lm0Pq7Rs5Tu3Vw1"},
	}
	r := NewRedactor(LevelDefault, testAllow)
	r.AddSecret(secret)
	r.AddSecret("zq9Xw2Lm0Pq7Rs5Tu3Vw1")
	r.AddSecret("abc") // too short: ignored rather than eating every "abc"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := r.String(tc.in)
			for _, v := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), "zq9Xw2Lm0Pq7Rs5Tu3Vw1", `p@ss w\/rd`, `\u0026\"x\"`} {
				if strings.Contains(out, v) {
					t.Errorf("%q leaks %q", out, v)
				}
			}
			if !strings.Contains(out, Redacted) {
				t.Errorf("nothing redacted in %q", out)
			}
		})
	}
	if got := r.String("abc abcdef"); got != "abc abcdef" {
		t.Errorf("short secret was registered: %q", got)
	}

	t.Run("short secret whole word only", func(t *testing.T) {
		r := NewRedactor(LevelNone, nil)
		r.AddSecret("pass")
		if got := r.String("bypass pass"); got != "bypass "+Redacted {
			t.Errorf("got %q", got)
		}
	})
	t.Run("registered IDN host", func(t *testing.T) {
		r := NewRedactor(LevelDefault, testAllow)
		r.AddHost("中转.公司")
		if got := r.String("dial 中转.公司:443"); strings.Contains(got, "中转") {
			t.Errorf("IDN host leaks: %q", got)
		}
	})
	t.Run("registered single-label host", func(t *testing.T) {
		r := NewRedactor(LevelDefault, testAllow)
		r.AddHost("relay")
		r.AddHost("API.OPENAI.COM") // allowlisted: stays
		r.AddHost("10.0.0.1")       // addresses are caught by shape
		got := norm(r.String("http://relay:8080/v1 relay-2 api.openai.com %2Frelay"))
		if want := "http://host-X:8080/v1 relay-2 api.openai.com %2Fhost-X"; got != want {
			t.Errorf("got %q want %q", got, want)
		}
	})
}

func TestPseudonymsStableAndUnlinkable(t *testing.T) {
	r1 := NewRedactor(LevelDefault, nil)
	a := r1.String("relay.corp.example")
	b := r1.String("x RELAY.CORP.EXAMPLE y")
	if !strings.Contains(b, a) {
		t.Errorf("same host, different pseudonyms: %q vs %q", a, b)
	}
	if c := r1.String("other.corp.example"); c == a {
		t.Errorf("different hosts share %q", c)
	}
	r2 := NewRedactor(LevelDefault, nil)
	if d := r2.String("relay.corp.example"); d == a {
		t.Errorf("two runs produced the same pseudonym %q (key not random)", d)
	}
	if p := "host-3f2a1c ip-00aa11 private-abcdef"; r1.String(p) != p {
		t.Errorf("pseudonyms redacted again: %q", r1.String(p))
	}
	m := r1.Map()
	if m[a] != "relay.corp.example" {
		t.Errorf("map[%s] = %q", a, m[a])
	}
	ip := r1.String("10.9.8.7")
	if !strings.HasPrefix(ip, "private-") || m[ip] != "" && r1.Map()[ip] != "10.9.8.7" {
		t.Errorf("ip %q", ip)
	}
	st := r1.Stats()
	if st[RuleHostname] != 3 || st[RulePrivateIP] != 1 {
		t.Errorf("stats %v", st)
	}
}

func TestPseudonymCollisionLengthens(t *testing.T) {
	r := NewRedactor(LevelDefault, nil)
	seen := map[string]string{}
	for i := 0; i < 5000; i++ {
		h := "h" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ".n" + strconv.Itoa(i) + ".example"
		p := r.String(h)
		if prev, ok := seen[p]; ok && prev != h {
			t.Fatalf("%s maps to both %s and %s", p, prev, h)
		}
		seen[p] = h
	}
	if len(r.Map()) != len(seen) {
		t.Errorf("map has %d entries, want %d", len(r.Map()), len(seen))
	}
}

func TestRedactConcurrent(t *testing.T) {
	r := NewRedactor(LevelDefault, testAllow)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				r.AddSecret("secret-value-" + strconv.Itoa(g*1000+i))
				r.AddHost("relay" + strconv.Itoa(i) + ".corp.example")
				out := r.String("secret-value-" + strconv.Itoa(g*1000+i) + " relay" + strconv.Itoa(i) + ".corp.example")
				if strings.Contains(out, "secret-value") || strings.Contains(out, "corp.example") {
					t.Errorf("leak under concurrency: %q", out)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"": LevelDefault, "strict": LevelStrict, "NONE": LevelNone, "default": LevelDefault} {
		got, err := ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseLevel("paranoid"); err == nil || !strings.Contains(err.Error(), "paranoid") {
		t.Errorf("bad level accepted: %v", err)
	}
}

func TestWriteMapMode(t *testing.T) {
	r := NewRedactor(LevelDefault, nil)
	tok := r.String("relay.corp.example")
	p := filepath.Join(t.TempDir(), "map.json")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMap(p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	var m map[string]string
	b, _ := os.ReadFile(p)
	if err := json.Unmarshal(b, &m); err != nil || m[tok] != "relay.corp.example" {
		t.Errorf("map %s: %v", b, err)
	}
}

// BenchmarkRedactReport1000 times the redaction of a 1,000-endpoint report
// rendered to JSON, every endpoint dense with keys, proxy passwords, private
// hosts and addresses (far more to hide than a real report), all registered.
func BenchmarkRedactReport1000(b *testing.B) {
	rep, eps, _ := randReport(rand.New(rand.NewPCG(1, 2)), 1000)
	var doc bytes.Buffer
	if err := EncodeJSON(&doc, rep); err != nil {
		b.Fatal(err)
	}
	for _, lvl := range []Level{LevelNone, LevelDefault, LevelStrict} {
		b.Run("level="+lvl.String(), func(b *testing.B) {
			rd := NewRedactor(lvl, testAllow)
			register(rd, eps)
			b.SetBytes(int64(doc.Len()))
			b.ReportAllocs()
			for b.Loop() {
				_ = rd.Bytes(doc.Bytes())
			}
		})
	}
}

// processCPU is this process's user+system CPU time, from /proc/self/stat
// (what getrusage(RUSAGE_SELF) reports), or false where there is no /proc.
func processCPU() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the parenthesised command name; utime and stime are 14 and 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clkTck = 100 // USER_HZ, fixed at 100 on Linux for /proc
	return time.Duration(ut+st) * time.Second / clkTck, true
}

// TestMain: when BenchmarkCheck1000Loopback re-runs this test binary with
// $NEWAPI_DOCTOR_HELPER_CA set, the process is its fake upstream instead of a
// test run (so the upstream's CPU does not count as the doctor's).
func TestMain(m *testing.M) {
	if caPath := os.Getenv("NEWAPI_DOCTOR_HELPER_CA"); caPath != "" {
		if err := helperUpstream(caPath); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperUpstream serves HTTPS (as real providers do) with a self-signed
// certificate written to caPath, prints its ports, and runs until stdin closes.
func helperUpstream(caPath string) error {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	var ports []int
	for _, status := range []int{200, 429} {
		l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, `{"object":"list","data":[{"id":"gpt-4o-mini"}]}`)
		})}
		srv.SetKeepAlivesEnabled(false)
		go srv.Serve(l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	fmt.Printf("PORTS %d %d\n", ports[0], ports[1])
	io.Copy(io.Discard, os.Stdin) // until the benchmark closes our stdin
	return nil
}

// BenchmarkCheck1000Loopback measures the CPU time (getrusage's figures, from
// /proc) of a 1,000-endpoint check against HTTPS upstreams on loopback in a
// child process (ok, 429, refused), then of redacting at the default level
// that check's JSON report ("own"), the same report with every endpoint's
// address turned into a registered private hostname ("hosts"), and
// BenchmarkRedactReport1000's far denser stress report ("dense"), each as a
// percentage of the check's CPU (issue 4: under 5%).
func BenchmarkCheck1000Loopback(b *testing.B) {
	if _, ok := processCPU(); !ok {
		b.Skip("no /proc/self/stat: process CPU time unavailable on " + runtime.GOOS)
	}
	caPath := filepath.Join(b.TempDir(), "ca.pem")
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "NEWAPI_DOCTOR_HELPER_CA="+caPath)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var okPort, limPort int
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "PORTS %d %d", &okPort, &limPort); err == nil {
			break
		}
	}
	if okPort == 0 {
		b.Fatal("helper upstream did not start")
	}
	go io.Copy(io.Discard, stdout)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	eps := make([]diag.Endpoint, 1000)
	for i := range eps {
		port := []int{okPort, okPort, limPort, refused}[i%4]
		eps[i] = diag.Endpoint{Name: fmt.Sprintf("ep-%04d", i), URL: fmt.Sprintf("https://127.0.0.1:%d/v1", port), CAFile: caPath,
			Proxy: diag.ProxyDirect, Provider: "openai", Key: fmt.Sprintf("sk-proj-%032d", i), Source: "bench"}
	}
	ro := diag.RunOptions{Getenv: func(string) string { return "" }, Timeouts: diag.Timeouts{HTTP: 5 * time.Second}}

	dense, denseEps, _ := randReport(rand.New(rand.NewPCG(1, 2)), 1000)
	var denseDoc bytes.Buffer
	EncodeJSON(&denseDoc, dense)
	rdDense := NewRedactor(LevelDefault, testAllow)
	register(rdDense, denseEps)

	// Redact enough times for the 10 ms tick to resolve it.
	const reps = 20
	timeRedact := func(rd *Redactor, doc []byte) time.Duration {
		c0, _ := processCPU()
		for i := 0; i < reps; i++ {
			_ = rd.Bytes(doc)
		}
		c1, _ := processCPU()
		return (c1 - c0) / reps
	}
	var checkCPU, ownCPU, hostsCPU, denseCPU time.Duration
	for b.Loop() {
		c0, _ := processCPU()
		got := diag.Run(context.Background(), eps, ro)
		c1, _ := processCPU()
		checkCPU += c1 - c0
		if got.Summary.Total != len(eps) || got.Summary.ByCategory[diag.CatRefused] == 0 || got.Summary.OK == 0 {
			b.Fatalf("check went wrong: %+v", got.Summary)
		}
		rd := NewRedactor(LevelDefault, testAllow)
		register(rd, eps)
		var doc bytes.Buffer
		EncodeJSON(&doc, got)
		ownCPU += timeRedact(rd, doc.Bytes())
		// The same report as if every endpoint were a private relay: each
		// endpoint's 127.0.0.1 becomes its own registered hostname.
		rdh := NewRedactor(LevelDefault, testAllow)
		register(rdh, eps)
		var hostsDoc bytes.Buffer
		for i, line := range bytes.SplitAfter(doc.Bytes(), []byte("\n")) {
			h := fmt.Sprintf("relay-%d.corp.example", i/40)
			rdh.AddHost(h)
			hostsDoc.Write(bytes.ReplaceAll(line, []byte("127.0.0.1"), []byte(h)))
		}
		hostsCPU += timeRedact(rdh, hostsDoc.Bytes())
		denseCPU += timeRedact(rdDense, denseDoc.Bytes())
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
	b.ReportMetric(ms(checkCPU), "check-cpu-ms/op")
	b.ReportMetric(ms(ownCPU), "redact-own-cpu-ms/op")
	b.ReportMetric(ms(hostsCPU), "redact-hosts-cpu-ms/op")
	b.ReportMetric(ms(denseCPU), "redact-dense-cpu-ms/op")
	if checkCPU > 0 {
		b.ReportMetric(100*float64(ownCPU)/float64(checkCPU), "own-%-of-check")
		b.ReportMetric(100*float64(hostsCPU)/float64(checkCPU), "hosts-%-of-check")
		b.ReportMetric(100*float64(denseCPU)/float64(checkCPU), "dense-%-of-check")
	}
}

// A GitHub workflow command's "::e" is not an IPv6 literal; "::ffff:10.1.2.3" is.
func TestRedactLeavesWorkflowCommands(t *testing.T) {
	rd := NewRedactor(LevelDefault, nil)
	// "%0A::error" (an escaped newline glued to a command) read as a::e.
	for _, in := range []string{"::error title=x::msg", "::warning title=y::z", "line%0A::error::x", "name 0A::error", "cafe::dead::beefy"} {
		if got := rd.String(in); got != in {
			t.Errorf("%q became %q", in, got)
		}
	}
	for _, in := range []string{"from ::ffff:10.1.2.3 now", "via fe80::1%eth0 down", "at [2001:db8::5]:443", "2001:db8::5."} {
		if got := rd.String(in); strings.Contains(got, "::") {
			t.Errorf("address kept: %q", got)
		}
	}
}

// TestInternationalHostLevels: an IDN host is hidden at the default level
// (it is not one token the host pass can pseudonymise) but shown with
// --no-redact, which once printed it as [REDACTED].
func TestInternationalHostLevels(t *testing.T) {
	for _, tc := range []struct {
		level Level
		shown bool
	}{{LevelNone, true}, {LevelDefault, false}, {LevelStrict, false}} {
		t.Run(tc.level.String(), func(t *testing.T) {
			r := NewRedactor(tc.level, nil)
			r.AddHost("münchen.example")
			out := r.String("GET https://münchen.example/v1 failed")
			if strings.Contains(out, "münchen.example") != tc.shown {
				t.Fatalf("level %v: %q", tc.level, out)
			}
		})
	}
}
