//go:build linux

package main

// Real-browser tests: headless Chromium, driven with chromedp, opens the
// HTML report of a real run against loopback fakes and the serve status
// page, and asserts on the rendered DOM — every endpoint present, waterfall
// phases in order and scaled to their durations, the failing phase marked,
// no planted secret, and no request leaving for the network. Screenshots go
// to $ARTIFACTS (or /tmp/newapi-doctor-artifacts). .ci/run installs Debian's
// chromium; the tests skip, with the reason, only where it is absent (and
// under -short, like the lab). Linux only: CI runs the Windows build under
// wine, which has no browser to drive.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// Planted secrets: they sit in the config (a key, a proxy password, a
// query parameter) and must appear nowhere on a page.
const (
	secretKey   = "sk-proj-BROWSERsecret0123456789abcdefXYZ"
	secretProxy = "pr0xy-Br0wser-Pa55"
	secretQuery = "qk-Br0wserQuerySecret77"
)

func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests start Chromium: they run in `make test` and CI, not with -short")
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

// artifacts is where screenshots go; .ci/run prints it.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "newapi-doctor-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a fresh headless Chromium and records every URL the page
// asks for.
type browser struct {
	ctx  context.Context
	mu   sync.Mutex
	reqs []string
}

func newBrowser(t *testing.T, width, height int, dark bool) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		// Containers often mount a tiny /dev/shm; Chromium then crashes tabs.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{ctx: ctx}
	// The network domain is on from the start (chromedp enables it), so
	// the page's very first request is seen.
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.reqs = append(b.reqs, e.Request.URL)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	var vopts []chromedp.EmulateViewportOption
	if width < 600 {
		vopts = append(vopts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	media := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height), vopts...), media); err != nil {
		t.Fatalf("emulating the viewport: %v", err)
	}
	return b
}

// requests returns the URLs asked for so far.
func (b *browser) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.reqs...)
}

// onlyRequested fails unless every request went to url itself: nothing
// left for the network (fonts, scripts, images, trackers).
func (b *browser) onlyRequested(t *testing.T, url string) {
	t.Helper()
	reqs := b.requests()
	if len(reqs) == 0 {
		t.Fatal("no request recorded at all: the network listener is not working")
	}
	for _, r := range reqs {
		if r != url {
			t.Errorf("the page requested %q (only %q is allowed)", r, url)
		}
	}
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d bytes)", p, len(png))
}

// pageState is what the DOM says, measured by the browser's layout.
type pageState struct {
	Endpoints []struct {
		Name, Severity, Category, Cause string
		Phases                          []struct {
			Key                string
			MS                 float64
			Failed             bool
			Left, Width, Track float64
			Outline            string
		}
		Hops     int
		PathEnds string
		History  int
		ErrCells int
	}
	Text    string
	HTML    string
	BG      string
	ScrollW int
	ClientW int
}

const measureJS = `(() => {
  const eps = [];
  for (const s of document.querySelectorAll('section[data-endpoint]')) {
    const phases = [];
    for (const p of s.querySelectorAll('[data-phase]')) {
      const bar = p.querySelector('.b'), track = p.querySelector('.t');
      const b = bar.getBoundingClientRect(), t = track.getBoundingClientRect();
      phases.push({Key: p.dataset.phase, MS: parseFloat(p.dataset.ms), Failed: p.dataset.failed === 'true',
        Left: b.left - t.left - track.clientLeft, Width: b.width, Track: track.clientWidth,
        Outline: getComputedStyle(bar).outlineStyle});
    }
    const h = s.querySelector('[data-history]'), e = s.querySelector('[data-path-ends]');
    eps.push({Name: s.dataset.endpoint, Severity: s.dataset.severity, Category: s.dataset.category, Cause: s.dataset.cause,
      Phases: phases, Hops: s.querySelectorAll('[data-hop]').length, PathEnds: e ? e.textContent : '',
      History: h ? parseInt(h.dataset.history, 10) : 0, ErrCells: s.querySelectorAll('.spark rect.g-error').length});
  }
  return JSON.stringify({Endpoints: eps, Text: document.body.innerText, HTML: document.documentElement.outerHTML,
    BG: getComputedStyle(document.body).backgroundColor,
    ScrollW: document.documentElement.scrollWidth, ClientW: document.documentElement.clientWidth});
})()`

func (b *browser) measure() (pageState, error) {
	var st pageState
	if err := chromedp.Do(b.ctx, chromedp.WaitReady("body")); err != nil {
		return st, err
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](measureJS))
	if err != nil {
		return st, err
	}
	err = json.Unmarshal([]byte(raw), &st)
	return st, err
}

// checkWaterfalls: phases in the expected order, each bar placed after the
// one before and as wide as its share of the summed time, and the failing
// phase (the last) marked and outlined.
func checkWaterfalls(t *testing.T, st pageState, want map[string][]string, failed map[string]string) {
	t.Helper()
	const tol = 1.5 // px: layout rounds to device pixels
	for _, e := range st.Endpoints {
		order, ok := want[e.Name]
		if !ok {
			continue
		}
		var keys []string
		total := 0.0
		for _, p := range e.Phases {
			keys = append(keys, p.Key)
			total += p.MS
		}
		if got := strings.Join(keys, ","); !regexp.MustCompile("^" + strings.Join(order, ",") + "(,transfer)?$").MatchString(got) {
			t.Errorf("%s: phases %s, want %s", e.Name, got, strings.Join(order, ","))
			continue
		}
		at := 0.0
		for i, p := range e.Phases {
			wantW := 0.0
			if total > 0 {
				wantW = p.MS / total * p.Track
			}
			if math.Abs(p.Width-wantW) > tol {
				t.Errorf("%s/%s: bar %.1f px wide, want %.1f (%.2f of %.2f ms on %.0f px)", e.Name, p.Key, p.Width, wantW, p.MS, total, p.Track)
			}
			if math.Abs(p.Left-at) > tol {
				t.Errorf("%s/%s: bar starts at %.1f px, want %.1f (after the phases before it)", e.Name, p.Key, p.Left, at)
			}
			at += wantW
			isFailed := failed[e.Name] == p.Key
			if p.Failed != isFailed {
				t.Errorf("%s/%s: failed=%v, want %v", e.Name, p.Key, p.Failed, isFailed)
			}
			if isFailed && (i != len(e.Phases)-1 || p.Outline != "solid") {
				t.Errorf("%s/%s: the failing phase must be the last one and outlined (outline %q)", e.Name, p.Key, p.Outline)
			}
		}
		if f := failed[e.Name]; f != "" && !strings.Contains(strings.Join(keys, ","), f) {
			t.Errorf("%s: the failing phase %s is missing", e.Name, f)
		}
	}
}

func noSecrets(t *testing.T, st pageState) {
	t.Helper()
	for _, s := range []string{secretKey, secretProxy, secretQuery, "BROWSERsecret", "Br0wser"} {
		if strings.Contains(st.HTML, s) || strings.Contains(st.Text, s) {
			t.Errorf("secret %q is on the page", s)
		}
	}
}

func writeTemp(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakes are the loopback upstreams of a real run: an ok HTTPS API (slow
// enough to have a first byte worth drawing), a closed port, a listener
// resetting the TLS handshake (SNI filtering), a dead proxy and a server
// whose certificate is not trusted.
type fakes struct {
	dir                                      string
	dns                                      *pt.DNSServer
	okPort, closed, resetPort, untrustedPort string
	caFile                                   string
}

func newFakes(t *testing.T) *fakes {
	t.Helper()
	f := &fakes{dir: t.TempDir(), dns: pt.NewDNSServer(t)}
	for _, n := range []string{"ok.test.", "refused.test.", "blocked.test.", "tls.test."} {
		f.dns.Set(n, pt.Answer{A: []string{"127.0.0.1"}})
	}
	ca := pt.NewCA(t)
	now := time.Now()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(40 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	})
	f.okPort = portOf(pt.NewTLSServer(t, slow, ca.Leaf([]string{"ok.test"}, now.Add(-time.Hour), now.Add(time.Hour))).Listener.Addr().String())
	other := pt.NewCA(t) // a CA nobody trusts
	f.untrustedPort = portOf(pt.NewTLSServer(t, slow, other.Leaf([]string{"tls.test"}, now.Add(-time.Hour), now.Add(time.Hour))).Listener.Addr().String())
	f.closed = pt.ClosedPort(t)
	f.resetPort = portOf(pt.ResetListener(t))
	f.caFile = writeTemp(t, f.dir, "ca.pem", string(ca.PEM()))
	return f
}

func (f *fakes) config(t *testing.T) string {
	return writeTemp(t, f.dir, "newapi-doctor.yaml", fmt.Sprintf(`endpoints:
  - name: ok-api
    url: https://ok.test:%[1]s/v1?api_key=%[7]s
    key: %[5]s
    ca_file: %[2]s
  - name: refused-api
    url: http://refused.test:%[3]s/v1
  - name: blocked-api
    url: https://blocked.test:%[4]s/v1
  - name: proxied-api
    url: https://ok.test:%[1]s/v1
    proxy: http://alice:%[6]s@127.0.0.1:%[3]s
  - name: untrusted-api
    url: https://tls.test:%[8]s/v1
timeouts: {dns: 2s, connect: 2s, tls: 2s, http: 3s}
`, f.okPort, f.caFile, portOf(f.closed), f.resetPort, secretKey, secretProxy, secretQuery, f.untrustedPort))
}

// TestReportInBrowser opens `check --format html` of a real run, on a
// phone in dark mode and on a desktop in light mode.
func TestReportInBrowser(t *testing.T) {
	chromium(t)
	f := newFakes(t)
	cfg := f.config(t)
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(doctorBinary(t), append(args, "--config", cfg, "--resolver", f.dns.Addr, "--deep")...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + f.dir}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if cmd.ProcessState.ExitCode() > 1 {
			t.Fatalf("%v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	// The same page twice: as check writes it, and as the bundle carries it.
	checkHTML := writeTemp(t, f.dir, "report.html", string(run("check", "--format", "html")))
	bundle := filepath.Join(f.dir, "bundle.zip")
	run("bundle", "--newapi-url", "-", "--output", bundle)
	// verify scans report.html with the rest and finds nothing.
	if out, err := exec.Command(doctorBinary(t), "bundle", "verify", bundle).CombinedOutput(); err != nil {
		t.Fatalf("bundle verify: %v\n%s", err, out)
	}
	bundleHTML := filepath.Join(f.dir, "bundle-report.html")
	if err := os.WriteFile(bundleHTML, readZip(t, bundle)["report.html"], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{checkHTML, bundleHTML} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v (empty?)", p, err)
		} else {
			t.Logf("%s: %d bytes", filepath.Base(p), fi.Size())
		}
	}
	want := map[string][]string{
		"ok-api":        {"dns", "tcp", "tls", "first-byte"},
		"refused-api":   {"dns", "tcp"},
		"blocked-api":   {"dns", "tcp", "tls"},
		"proxied-api":   {"proxy-tcp"},
		"untrusted-api": {"dns", "tcp", "tls"},
	}
	failed := map[string]string{"refused-api": "tcp", "blocked-api": "tls", "proxied-api": "proxy-tcp", "untrusted-api": "tls"}
	grades := map[string]string{"ok-api": "info", "refused-api": "error", "blocked-api": "error", "proxied-api": "error", "untrusted-api": "error"}
	cats := map[string]string{"ok-api": "ok", "refused-api": "refused", "blocked-api": "blocked", "proxied-api": "proxy", "untrusted-api": "tls"}
	for _, v := range []struct {
		name, file    string
		width, height int
		dark          bool
		bg            string
	}{
		{"check-phone-dark", checkHTML, 390, 844, true, "rgb(13, 17, 23)"},
		{"check-desktop-light", checkHTML, 1280, 900, false, "rgb(255, 255, 255)"},
		{"bundle-desktop-dark", bundleHTML, 1280, 900, true, "rgb(13, 17, 23)"},
	} {
		t.Run(v.name, func(t *testing.T) {
			url := "file://" + v.file
			b := newBrowser(t, v.width, v.height, v.dark)
			if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
				t.Fatal(err)
			}
			st, err := b.measure()
			if err != nil {
				t.Fatal(err)
			}
			b.screenshot(t, "report-"+v.name+".png")
			if len(st.Endpoints) != len(want) {
				t.Errorf("%d endpoints on the page, want %d", len(st.Endpoints), len(want))
			}
			for _, e := range st.Endpoints {
				if grades[e.Name] != e.Severity || cats[e.Name] != e.Category {
					t.Errorf("%s: %s/%s (%s), want severity %s category %s", e.Name, e.Severity, e.Category, e.Cause, grades[e.Name], cats[e.Name])
				}
				if e.Name == "blocked-api" && (e.Hops == 0 || e.PathEnds == "") {
					t.Errorf("blocked-api: %d hops, ends %q: want the probed path", e.Hops, e.PathEnds)
				}
			}
			checkWaterfalls(t, st, want, failed)
			noSecrets(t, st)
			if st.BG != v.bg {
				t.Errorf("background %s, want %s (prefers-color-scheme)", st.BG, v.bg)
			}
			if st.ScrollW > st.ClientW {
				t.Errorf("the page scrolls sideways: %d px of content in %d", st.ScrollW, st.ClientW)
			}
			if !strings.Contains(st.Text, "4 error") || !strings.Contains(st.Text, "1 info") || !strings.Contains(st.Text, "0 warning") {
				t.Errorf("summary does not count the grades: %.300s", st.Text)
			}
			b.onlyRequested(t, url)
		})
	}
}

// TestServePageInBrowser opens serve's status page and sees it change after
// an upstream goes down, by the page's own refresh.
func TestServePageInBrowser(t *testing.T) {
	chromium(t)
	dir := t.TempDir()
	up := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	cfg := writeTemp(t, dir, "serve.yaml", fmt.Sprintf(`endpoints:
  - name: flip
    url: %s/v1?key=%s
  - name: always-down
    url: http://%s/v1
timeouts: {dns: 1s, connect: 1s, tls: 1s, http: 2s}
`, up.URL, secretQuery, pt.ClosedPort(t)))
	cmd := exec.Command(doctorBinary(t), "serve", "--config", cfg, "--listen", "127.0.0.1:0", "--interval", "1s")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := regexp.MustCompile(`serving http://([0-9.:]+)/`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a + "/"
	case <-time.After(30 * time.Second):
		t.Fatal("serve never said where it listens")
	}
	b := newBrowser(t, 390, 844, true)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	// wait polls the DOM (the page reloads itself, so a read may land
	// mid-navigation) until ok says yes.
	wait := func(what string, ok func(pageState) bool) pageState {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st, err := b.measure()
			if err == nil && ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen in 30 s (last error %v, page %.400s)", what, err, st.Text)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	severity := func(st pageState, name string) string {
		for _, e := range st.Endpoints {
			if e.Name == name {
				return e.Severity
			}
		}
		return ""
	}
	st := wait("flip ok and always-down failing, with history", func(st pageState) bool {
		return len(st.Endpoints) == 2 && severity(st, "flip") == "info" && severity(st, "always-down") == "error" && st.Endpoints[0].History >= 1
	})
	checkWaterfalls(t, st, map[string][]string{"flip": {"tcp", "first-byte"}, "always-down": {"tcp"}}, map[string]string{"always-down": "tcp"})
	noSecrets(t, st)
	b.screenshot(t, "serve-before.png")

	up.Close() // the upstream goes down: its port now refuses
	st = wait("flip turns to an error after the upstream stopped", func(st pageState) bool {
		for _, e := range st.Endpoints {
			if e.Name == "flip" && e.Severity == "error" && e.Category == "refused" && e.ErrCells >= 1 && e.History >= 2 {
				return true
			}
		}
		return false
	})
	noSecrets(t, st)
	b.screenshot(t, "serve-after.png")
	b.onlyRequested(t, base)
}
