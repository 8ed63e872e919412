package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/newapi-doctor/newapi-doctor/diag"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// doctorBinary builds the real binary once per test process: end-to-end
// tests run what users run, with a version stamped in by -ldflags.
func doctorBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		// A Windows test binary under wine has no go toolchain to build
		// with: .ci/run builds the .exe beforehand with the same -ldflags.
		if bin := os.Getenv("NEWAPI_DOCTOR_TEST_BIN"); bin != "" {
			binPath = bin
			return
		}
		if testenv.Wine() {
			binErr = errors.New(string(testenv.GapNoGo))
			return
		}
		dir, err := os.MkdirTemp("", "newapi-doctor-e2e")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "newapi-doctor")
		out, err := exec.Command("go", "build", "-ldflags", "-X main.version=e2e-1.2.3", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		if testenv.Wine() {
			t.Skip(binErr)
		}
		t.Fatal(binErr)
	}
	return binPath
}

type runResult struct {
	code        int
	out, errOut string
}

// runDoctor runs the built binary with a clean environment plus env.
func runDoctor(t *testing.T, env []string, args ...string) runResult {
	t.Helper()
	home, dir := testenv.TempDir(t), testenv.TempDir(t) // dir: no stray ./newapi-doctor.yaml
	var out, errOut bytes.Buffer
	cmd, err := testenv.Start(func() *exec.Cmd {
		cmd := exec.Command(doctorBinary(t), args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}, env...)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = &out, &errOut
		return cmd
	})
	if err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return runResult{code, out.String(), errOut.String()}
}

// fixture is a loopback world: a DNS server naming a private relay, upstreams
// of several kinds, a closed proxy port, and a config holding secrets.
type fixture struct {
	dns            *pt.DNSServer
	config         string
	key, proxyPass string
	relayHost      string
	names          []string
}

// newFixture is buildFixture for a test all of whose runs use it: under
// wine it skips, because the binary asks the fixture's DNS fake over UDP
// (testenv.GapUDP) and the relay's name would not resolve.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	testenv.SkipOnWine(t, testenv.GapUDP)
	return buildFixture(t)
}

// buildFixture starts the loopback world; a run that uses it (its config)
// must skip under wine for testenv.GapUDP, as newFixture does.
func buildFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{
		dns:       pt.NewInProcessDNSServer(t), // TCP only under wine, where no run asks it
		key:       "sk-proj-E2Esecret0123456789abcdefXYZ",
		proxyPass: "pr0xy-Pa55-e2e",
		relayHost: "relay.internal.corp.test",
	}
	fx.dns.Set(fx.relayHost+".", pt.Answer{A: []string{"127.0.0.1"}})
	ok := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	limited := pt.NewHTTPUpstream(t, pt.Upstream{Status: 429, RetryAfter: "30", ContentType: "application/json", Body: `{"error":{"type":"rate_limit_error"}}`})
	port := func(u *pt.HTTPUpstream) string { return portOf(u.Listener.Addr().String()) }
	closed := pt.ClosedPort(t)
	cfg := fmt.Sprintf(`endpoints:
  - name: relay-ok
    url: http://%[1]s:%[2]s/v1
    key: %[3]s
  - name: limited
    url: http://%[1]s:%[4]s/v1
  - name: dead-local
    url: http://%[5]s/v1
  - name: via-dead-proxy
    url: https://api.openai.com/v1
    proxy: http://alice:%[6]s@%[5]s
timeouts: {dns: 1s, connect: 1s, tls: 1s, http: 2s}
`, fx.relayHost, port(ok), fx.key, port(limited), closed, fx.proxyPass)
	fx.config = filepath.Join(testenv.TempDir(t), "newapi-doctor.yaml")
	if err := os.WriteFile(fx.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.names = []string{"relay-ok", "limited", "dead-local", "via-dead-proxy"}
	return fx
}

func portOf(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

func (fx *fixture) args(extra ...string) []string {
	return append([]string{"check", "--config", fx.config, "--resolver", fx.dns.Addr}, extra...)
}

func TestE2EVersion(t *testing.T) {
	r := runDoctor(t, nil, "--version")
	if r.code != 0 || !strings.Contains(r.out, "e2e-1.2.3") {
		t.Fatalf("--version: code %d out %q", r.code, r.out)
	}
}

func TestE2ECheckJSON(t *testing.T) {
	fx := newFixture(t)
	r := runDoctor(t, nil, fx.args("--format", "json")...)
	if r.code != ExitFailure {
		t.Fatalf("exit %d, want 1 (some endpoints fail); stderr %s", r.code, r.errOut)
	}
	var rep diag.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, r.out)
	}
	if rep.SchemaVersion != 1 || rep.Version != "e2e-1.2.3" {
		t.Errorf("schema %d version %q", rep.SchemaVersion, rep.Version)
	}
	want := map[string]diag.Category{"relay-ok": diag.CatOK, "limited": diag.CatOverloaded, "dead-local": diag.CatRefused, "via-dead-proxy": diag.CatProxy}
	if len(rep.Endpoints) != len(want) {
		t.Fatalf("%d endpoints", len(rep.Endpoints))
	}
	for _, e := range rep.Endpoints {
		if e.Category != want[e.Name] {
			t.Errorf("%s: %s (%s), want %s", e.Name, e.Category, e.Cause, want[e.Name])
		}
		if len(e.Layers) == 0 || e.Hint == "" && e.Category != diag.CatOK {
			t.Errorf("%s: layers or hint missing: %+v", e.Name, e)
		}
	}
	if rep.Endpoints[3].Proxy.Source != "config" {
		t.Errorf("proxy source %q, want config", rep.Endpoints[3].Proxy.Source)
	}
	if rep.Summary.Total != 4 || rep.Summary.OK != 1 || rep.Summary.ByCategory[diag.CatProxy] != 1 {
		t.Errorf("summary %+v", rep.Summary)
	}
	// The raw document must carry the contract's field names.
	for _, field := range []string{`"schema_version"`, `"endpoints"`, `"name"`, `"url"`, `"category"`, `"cause"`, `"hint"`, `"proxy"`, `"source"`, `"layers"`, `"layer"`, `"ok"`, `"duration_ms"`, `"summary"`} {
		if !strings.Contains(r.out, field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
}

// TestE2ENoSecretsInAnyFormat: keys, proxy passwords and the private relay's
// name appear in no format, on stdout or stderr; --no-redact shows the host
// but still never a secret.
func TestE2ENoSecretsInAnyFormat(t *testing.T) {
	fx := newFixture(t)
	for _, format := range []string{"text", "json", "markdown", "junit", "github"} {
		t.Run(format, func(t *testing.T) {
			r := runDoctor(t, nil, fx.args("--format", format, "-v")...)
			if r.code != ExitFailure {
				t.Fatalf("exit %d; stderr %s", r.code, r.errOut)
			}
			all := r.out + r.errOut
			for _, secret := range []string{fx.key, fx.proxyPass, fx.relayHost} {
				if strings.Contains(all, secret) {
					t.Errorf("%s output contains %q", format, secret)
				}
			}
			for _, name := range fx.names {
				if format == "github" && name == "relay-ok" {
					continue // annotations are for endpoints that need attention
				}
				if !strings.Contains(all, name) {
					t.Errorf("%s output lacks endpoint name %q", format, name)
				}
			}
		})
	}
	t.Run("no-redact", func(t *testing.T) {
		r := runDoctor(t, nil, fx.args("--no-redact", "-v")...)
		if !strings.Contains(r.out, fx.relayHost) {
			t.Errorf("--no-redact hides the host")
		}
		if strings.Contains(r.out+r.errOut, fx.key) || strings.Contains(r.out+r.errOut, fx.proxyPass) {
			t.Errorf("--no-redact leaks a secret")
		}
	})
	t.Run("stable pseudonym", func(t *testing.T) {
		r := runDoctor(t, nil, fx.args("--format", "json")...)
		var rep diag.Report
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatal(err)
		}
		u0, u1 := rep.Endpoints[0].URL, rep.Endpoints[1].URL
		h0 := u0[len("http://"):strings.LastIndex(u0, ":")]
		h1 := u1[len("http://"):strings.LastIndex(u1, ":")]
		if h0 != h1 || !strings.HasPrefix(h0, "host-") {
			t.Errorf("same host, pseudonyms %q and %q", h0, h1)
		}
	})
}

func TestE2ETextOutput(t *testing.T) {
	fx := newFixture(t)
	r := runDoctor(t, nil, fx.args()...)
	for _, want := range []string{"✓ relay-ok", "✗ dead-local", "refused (local-refused)", "hint:", "Summary: 1 ok, 3 failed", "at proxy-tcp"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("text output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "\x1b[") {
		t.Error("colour codes in non-terminal output")
	}
	r = runDoctor(t, nil, fx.args("--color", "always")...)
	if !strings.Contains(r.out, "\x1b[") {
		t.Error("--color always gave no colour")
	}
	r = runDoctor(t, []string{"NO_COLOR=1"}, fx.args("--color", "auto")...)
	if strings.Contains(r.out, "\x1b[") {
		t.Error("NO_COLOR ignored")
	}
}

func TestE2EExitCodes(t *testing.T) {
	fx := buildFixture(t) // its cases skip under wine, the others run
	bad := filepath.Join(testenv.TempDir(t), "bad.yaml")
	if err := os.WriteFile(bad, []byte("endpoints:\n  - name: x\n    url: https://api.openai.com\n    colour: blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"all ok", []string{"check", ok.URL + "/v1"}, ExitOK, ""},
		{"failure", fx.args(), ExitFailure, ""},
		{"unknown config key names file and line", []string{"check", "--config", bad}, ExitUsage, "bad.yaml:4"},
		{"missing config", []string{"check", "--config", "/nonexistent/x.yaml"}, ExitUsage, "x.yaml"},
		{"bad url argument", []string{"check", "ht!tp://x y"}, ExitUsage, ""},
		{"unknown flag", []string{"check", "--nope"}, ExitUsage, "--nope"},
		{"unknown command", []string{"frobnicate"}, ExitUsage, "unknown command"},
		{"bad format", []string{"check", "--format", "yaml"}, ExitUsage, "--format"},
		{"bad category", []string{"check", "--fail-on", "dns,bogus"}, ExitUsage, "bogus"},
		{"too many retries", []string{"check", "--retries", "1000000"}, ExitUsage, "--retries"},
		{"unknown required endpoint", fx.args("--require", "nosuch"), ExitUsage, "nosuch"},
		{"policy: only warnings", fx.args("--warn-on", "overloaded,refused,proxy"), ExitOK, ""},
		{"policy: strict warnings", fx.args("--warn-on", "overloaded,refused,proxy", "--strict-warnings"), ExitWarnings, ""},
		{"severity: errors fail", fx.args("--fail-on-severity", "error"), ExitFailure, ""},
		{"severity: a warning grade only warns under error", fx.args("--warn-on", "refused,proxy", "--fail-on-severity", "error"), ExitOK, ""},
		{"severity: a warning grade fails under warning", fx.args("--warn-on", "refused,proxy", "--fail-on-severity", "warning"), ExitFailure, ""},
		{"severity: bad grade", []string{"check", "--fail-on-severity", "info"}, ExitUsage, "--fail-on-severity"},
		{"policy: required endpoint fails", fx.args("--warn-on", "overloaded,refused,proxy", "--require", "limited"), ExitFailure, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if slices.Contains(tc.args, fx.config) {
				testenv.SkipOnWine(t, testenv.GapUDP)
			}
			r := runDoctor(t, nil, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tc.code, r.out, r.errOut)
			}
			if !strings.Contains(r.errOut, tc.stderr) {
				t.Errorf("stderr %q lacks %q", r.errOut, tc.stderr)
			}
			if strings.Contains(r.errOut, "panic") || strings.Contains(r.errOut, "goroutine ") {
				t.Errorf("panic: %s", r.errOut)
			}
		})
	}
}

// TestE2EInterrupt: Ctrl-C prints what is known and exits 130.
func TestE2EInterrupt(t *testing.T) {
	silent := pt.SilentListener(t)
	dir := testenv.TempDir(t)
	var out bytes.Buffer
	cmd, err := testenv.Start(func() *exec.Cmd {
		cmd := exec.Command(doctorBinary(t), "check", "--format", "json", "--tls-timeout", "60s", "https://"+silent+"/v1")
		cmd.Dir = dir
		cmd.Stdout = &out
		interruptible(cmd)
		return cmd
	})
	if err != nil {
		t.Fatal(err)
	}
	interruptWant130(t, cmd)
	var rep diag.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.Interrupted || len(rep.Endpoints) != 1 {
		t.Fatalf("want the partial report marked interrupted: %v %s", err, out.String())
	}
}

// TestInProcessCheck runs the command tree with injected IOStreams, the way
// the single-layer tests do: no binary, buffers only.
func TestInProcessCheck(t *testing.T) {
	closed := pt.ClosedPort(t)
	var out, errOut bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }, Version: "t"}
	code := Execute(context.Background(), f, []string{"check", "--format", "json", "http://" + closed})
	if code != ExitFailure {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep diag.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Endpoints[0].Cause != diag.CauseLocalRefused {
		t.Fatalf("%v %s", err, out.String())
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }

// TestE2EInterruptExplainStdin: "explain -" waiting on an idle pipe ignored
// Ctrl-C (the read blocked and the signal was swallowed); now it stops with 130.
func TestE2EInterruptExplainStdin(t *testing.T) {
	dir := testenv.TempDir(t)
	var stdin io.WriteCloser // held open, never written
	cmd, err := testenv.Start(func() *exec.Cmd {
		cmd := exec.Command(doctorBinary(t), "explain", "-")
		cmd.Dir = dir
		if stdin != nil {
			stdin.Close() // the last attempt's
		}
		stdin, _ = cmd.StdinPipe() // fails only on a started command
		interruptible(cmd)
		return cmd
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	interruptWant130(t, cmd)
}

// interruptWant130 sends SIGINT to a started command once it is under way
// and wants exit 130 (a hang fails after a generous bound, not a timing).
func interruptWant130(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	sendInterrupt(t, cmd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != ExitInterrupted {
			t.Fatalf("exit %v, want 130", err)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("did not stop on SIGINT")
	}
}
