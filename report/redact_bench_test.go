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
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// BenchmarkRedactReport1000 times the redaction of a 1,000-endpoint report
// rendered to JSON, every endpoint dense with keys, proxy passwords, private
// hosts and addresses (far more to hide than a real report), all registered.
func BenchmarkRedactReport1000(b *testing.B) {
	rep, eps, _ := randReport(rand.New(rand.NewPCG(1, 2)), 1000)
	var doc bytes.Buffer
	if err := EncodeJSON(&doc, rep); err != nil {
		b.Fatal(err)
	}
	for _, lvl := range []redact.Level{redact.LevelNone, redact.LevelDefault, redact.LevelStrict} {
		b.Run("level="+lvl.String(), func(b *testing.B) {
			rd := redact.New(lvl, testAllow)
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
	rdDense := redact.New(redact.LevelDefault, testAllow)
	register(rdDense, denseEps)

	// Redact enough times for the 10 ms tick to resolve it.
	const reps = 20
	timeRedact := func(rd *redact.Redactor, doc []byte) time.Duration {
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
		rd := redact.New(redact.LevelDefault, testAllow)
		register(rd, eps)
		var doc bytes.Buffer
		EncodeJSON(&doc, got)
		ownCPU += timeRedact(rd, doc.Bytes())
		// The same report as if every endpoint were a private relay: each
		// endpoint's 127.0.0.1 becomes its own registered hostname.
		rdh := redact.New(redact.LevelDefault, testAllow)
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
