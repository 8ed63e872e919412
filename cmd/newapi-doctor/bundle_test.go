package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
	"github.com/newapi-doctor/newapi-doctor/report"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

func runBundleCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runBundleCmdDNS(t, env, nil, args...)
}

// runBundleCmdDNS is runBundleCmd with --resolver reached through dial (a
// DNS fake's Dial: TCP under wine).
func runBundleCmdDNS(t *testing.T, env map[string]string, dial func(context.Context, string, string) (net.Conn, error), args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv: func(k string) string { return env[k] }, Version: "v0.0.0-test", DNSDial: dial}
	code := Execute(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func readZip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("bundle does not open with archive/zip: %v", err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	return files
}

func checkManifest(t *testing.T, files map[string][]byte) report.Manifest {
	t.Helper()
	var m report.Manifest
	if err := json.Unmarshal(files[report.ManifestName], &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Files) != len(files)-1 {
		t.Errorf("manifest lists %d of %d files", len(m.Files), len(files)-1)
	}
	for _, mf := range m.Files {
		sum := sha256.Sum256(files[mf.Name])
		if hex.EncodeToString(sum[:]) != mf.SHA256 {
			t.Errorf("%s: hash does not match the manifest", mf.Name)
		}
	}
	return m
}

func newAPIFake(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"success":true,"data":{"version":"v0.9.1-test"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBundleEndToEnd: a config holding a key, a private relay host and a
// proxy password; someone who never saw it finds none of them in the bundle.
func TestBundleEndToEnd(t *testing.T) {
	const (
		key      = "sk-proj-Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d"
		relay    = "relay.corp.example"
		proxyPwd = "Pr0xy-Pa55word"
	)
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{Status: 401, ContentType: "application/json",
		Body: `{"error":{"message":"Incorrect API key provided: ` + key + `","type":"invalid_request_error"}}`})
	dns := probetest.NewInProcessDNSServer(t)
	dns.Set(relay, probetest.Answer{A: []string{"127.0.0.1"}})
	port := up.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndex(port, ":")+1:]
	dir := testenv.TempDir(t)
	cfg := filepath.Join(dir, "newapi-doctor.yaml")
	yaml := "endpoints:\n  - name: corp-relay\n    url: http://" + relay + ":" + port + "/v1\n    key: " + key + "\n    proxy: direct\n    provider: openai\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HTTPS_PROXY": "http://bob:" + proxyPwd + "@proxy.corp.example:3128"}
	out := filepath.Join(dir, "b.zip")
	code, stdout, stderr := runBundleCmdDNS(t, env, dns.Dial, "bundle", "--config", cfg, "--resolver", dns.Addr, "-o", out,
		"--newapi-url", newAPIFake(t), "--http-timeout", "5s")
	if code != ExitOK {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "wrote") {
		t.Errorf("stdout %q", stdout)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows has no mode bits
		t.Errorf("bundle mode %v", fi.Mode().Perm())
	}
	files := readZip(t, out)
	m := checkManifest(t, files)
	if m.Redaction.Secrets == 0 || m.Redaction.Hosts == 0 {
		t.Errorf("manifest counts %+v", m.Redaction)
	}
	for name, b := range files {
		for _, v := range []string{key, relay, proxyPwd, "proxy.corp.example"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s leaks %q", name, v)
			}
		}
	}
	for name, want := range map[string]string{
		"report.json":      `"name": "corp-relay"`,
		"report.md":        "corp-relay",
		"report.txt":       "corp-relay",
		"report.html":      `data-endpoint="corp-relay"`,
		"environment.json": `"https_via": "HTTPS_PROXY"`,
		"newapi.json":      "v0.9.1-test",
		"run.log":          "endpoint start",
	} {
		if !bytes.Contains(files[name], []byte(want)) {
			t.Errorf("%s lacks %q", name, want)
		}
	}
	// Support can still see what failed and why.
	var rep diag.Report
	if err := json.Unmarshal(files["report.json"], &rep); err != nil || len(rep.Endpoints) != 1 || rep.Endpoints[0].Category != diag.CatAuth {
		t.Errorf("report.json: %v %+v", err, rep.Endpoints)
	}

	code, stdout, _ = runBundleCmd(t, nil, "bundle", "verify", out)
	if code != ExitOK || !strings.Contains(stdout, "ok") {
		t.Errorf("verify of a fresh bundle: exit %d %q", code, stdout)
	}
}

func TestBundleFromReportAndVerifyTampered(t *testing.T) {
	dir := testenv.TempDir(t)
	rep := diag.Report{SchemaVersion: diag.SchemaVersion, Tool: "newapi-doctor", StartedAt: time.Now(),
		Endpoints: []diag.EndpointResult{{Name: "corp", URL: "https://llm.internal.example/v1", Category: diag.CatRefused,
			Cause: diag.CauseConnRefused, Message: "dial tcp 10.9.8.7:443: connect: connection refused", FailingLayer: diag.LayerTCP,
			Path: &diag.PathInfo{Target: "10.9.8.7", Summary: "no reply after hop 2 (192.168.7.1)"}}}}
	rep.Summarize()
	in := filepath.Join(dir, "run.json")
	b, _ := json.Marshal(rep)
	// A report from before severity existed: the bundle grades it.
	b = bytes.Replace(b, []byte(`"severity":"error",`), nil, 1)
	os.WriteFile(in, b, 0o600)
	out := filepath.Join(dir, "from.zip")
	code, stdout, stderr := runBundleCmd(t, nil, "bundle", "--from", in, "-o", out, "--newapi-url", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	files := readZip(t, out)
	checkManifest(t, files)
	for name, b := range files {
		for _, v := range []string{"llm.internal.example", "10.9.8.7", "192.168.7.1"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s leaks %q", name, v)
			}
		}
	}
	if _, ok := files["path.json"]; !ok {
		t.Error("ping/trace results missing (path.json)")
	}
	if !bytes.Contains(files["report.json"], []byte(`"severity": "error"`)) || !bytes.Contains(files["report.html"], []byte(`data-severity="error"`)) {
		t.Error("an ungraded report was bundled without its severity")
	}

	planted := "sk-ant-api03-PLANTEDsecretVALUE0123456789"
	tamper := func(name string, edit func(map[string][]byte)) string {
		f := readZip(t, out)
		edit(f)
		p := filepath.Join(dir, name)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, b := range f {
			w, _ := zw.Create(n)
			w.Write(b)
		}
		zw.Close()
		os.WriteFile(p, buf.Bytes(), 0o600)
		return p
	}
	cases := []struct {
		name  string
		edit  func(map[string][]byte)
		wants []string
	}{
		{"planted secret", func(f map[string][]byte) { f["report.txt"] = append(f["report.txt"], "\nkey: "+planted+"\n"...) },
			[]string{"report.txt:", redact.RuleAPIKey, report.RuleHashMismatch}},
		// verify scans report.html too: a secret in an attribute is found.
		{"planted secret in report.html", func(f map[string][]byte) {
			f["report.html"] = bytes.Replace(f["report.html"], []byte("</main>"), []byte(`<p title="`+planted+`"></p></main>`), 1)
		}, []string{"report.html:", redact.RuleAPIKey, report.RuleHashMismatch}},
		{"tampered hash", func(f map[string][]byte) {
			f[report.ManifestName] = bytes.Replace(f[report.ManifestName], []byte(`"sha256": "`), []byte(`"sha256": "00`), 1)
		}, []string{report.RuleHashMismatch}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, _ := runBundleCmd(t, nil, "bundle", "verify", tamper(tc.name+".zip", tc.edit))
			if code != ExitFailure {
				t.Errorf("exit %d, want %d: %s", code, ExitFailure, stdout)
			}
			for _, w := range tc.wants {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q: %s", w, stdout)
				}
			}
			if strings.Contains(stdout, "PLANTED") {
				t.Errorf("verify printed the secret: %s", stdout)
			}
		})
	}
}

func TestBundleBadInput(t *testing.T) {
	dir := testenv.TempDir(t)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"schema_version": 99}`), 0o600)
	cases := []struct {
		name   string
		args   []string
		errHas string
	}{
		{"no-redact", []string{"--no-redact", "bundle", "--from", bad}, "always redacted"},
		{"missing from", []string{"bundle", "--from", filepath.Join(dir, "nope.json")}, "nope.json"},
		{"bad from", []string{"bundle", "--from", bad}, "bad.json"},
		{"wrong schema", []string{"bundle", "--from", old}, "schema_version 99"},
		{"from with urls", []string{"bundle", "--from", bad, "http://127.0.0.1:1"}, "cannot be combined"},
		{"verify missing", []string{"bundle", "verify", filepath.Join(dir, "nope.zip")}, "nope.zip"},
		{"verify no arg", []string{"bundle", "verify"}, "arg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runBundleCmd(t, nil, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.errHas) {
				t.Errorf("exit %d stderr %q, want %d mentioning %q", code, stderr, ExitUsage, tc.errHas)
			}
		})
	}
	// A destination in a missing directory is a bad -o (exit 2, before any
	// work), naming the place, and no stray temp file.
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"schema_version": 1}`), 0o600)
	if code, _, stderr := runBundleCmd(t, nil, "bundle", "--from", good, "--newapi-url", "-", "-o", filepath.Join(dir, "no", "such", "b.zip")); code != ExitUsage || !strings.Contains(stderr, filepath.Join("no", "such")) {
		t.Errorf("unwritable: exit %d %q", code, stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".newapi-doctor-bundle-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
	// verify on a plain text file with a secret: exit 1.
	txt := filepath.Join(dir, "notes.txt")
	os.WriteFile(txt, []byte("hello\nAuthorization: Bearer abcdef0123456789ABCDEF\n"), 0o600)
	if code, stdout, _ := runBundleCmd(t, nil, "bundle", "verify", txt); code != ExitFailure || !strings.Contains(stdout, "notes.txt:2:") {
		t.Errorf("verify text: exit %d %q", code, stdout)
	}
}

// TestBundleCarriesDesktopAndSystemProxy: the desktop section lands in the
// bundle's report and the OS proxy settings in environment.json.
func TestBundleCarriesDesktopAndSystemProxy(t *testing.T) {
	dir := testenv.TempDir(t)
	out := filepath.Join(dir, "b.zip")
	var stdout, stderr bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr},
		Getenv: func(string) string { return "" }, Version: "v0.0.0-test",
		SystemProxy: func() []sysproxy.Setting {
			return []sysproxy.Setting{{Source: sysproxy.SourceWinINET, Servers: map[string]string{"*": "127.0.0.1:7890"}}}
		},
		Desktop: func(context.Context, func(string) string) *diag.DesktopInfo {
			return &diag.DesktopInfo{Port: 3000, PortOwner: &diag.PortOwner{PID: 4242, Process: "Clash.exe"}, Hints: []string{"Port 3000 is taken by PID 4242"}}
		}}
	code := Execute(context.Background(), f, []string{"bundle", "-o", out, "--newapi-url", "-", "http://" + probetest.ClosedPort(t) + "/v1"})
	if code != ExitOK { // a bundle is written whatever the verdicts
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	files := readZip(t, out)
	for name, want := range map[string]string{
		"report.json":      `"port_owner"`,
		"report.txt":       "desktop app:",
		"environment.json": `"system_proxy"`,
	} {
		if !bytes.Contains(files[name], []byte(want)) {
			t.Errorf("%s lacks %s:\n%s", name, want, files[name])
		}
	}
	if !bytes.Contains(files["report.json"], []byte(`"system:wininet"`)) {
		t.Errorf("report.json does not list the system proxy beside the endpoint's")
	}
}

// TestBundleHidesUserNames: the desktop section's paths carry the Windows
// account name (planted here: %APPDATA% under C:\Users\zhangwei2) and a note
// the machine's name; the bundle keeps the paths readable without either,
// verify passes it, and verify flags a file with the raw path.
func TestBundleHidesUserNames(t *testing.T) {
	dir := testenv.TempDir(t)
	out := filepath.Join(dir, "b.zip")
	const user, machine = "zhangwei2", "DESKTOP-ZW0042"
	appDir := `C:\Users\` + user + `\AppData\Roaming\New API`
	env := map[string]string{"USERNAME": user, "COMPUTERNAME": machine, "APPDATA": `C:\Users\` + user + `\AppData\Roaming`}
	var stdout, stderr bytes.Buffer
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr},
		Getenv: func(k string) string { return env[k] }, Version: "v0.0.0-test",
		Desktop: func(context.Context, func(string) string) *diag.DesktopInfo {
			return &diag.DesktopInfo{Port: 3000, AppDir: appDir, DataDir: appDir + `\data`, DB: appDir + `\data\new-api.db`,
				Logs:  []diag.AppLog{{Path: appDir + `\logs\oneapi-20261129.log`}},
				Notes: []string{"port 3000 is new-api's own (PID 77, " + appDir + `\New API.exe) on ` + machine},
				Hints: []string{"see /home/" + user + "/x"}}
		}}
	code := Execute(context.Background(), f, []string{"bundle", "-o", out, "--newapi-url", "-", "http://" + probetest.ClosedPort(t) + "/v1"})
	if code != ExitOK {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	files := readZip(t, out)
	for name, b := range files {
		for _, v := range []string{user, strings.ToLower(machine), machine} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s shows %q", name, v)
			}
		}
	}
	for name, want := range map[string]string{
		"report.json": `AppData\\Roaming\\New API\\logs\\oneapi-20261129.log`,
		"report.txt":  `AppData\Roaming\New API\data\new-api.db`,
		"report.md":   `C:\\Users\\user-`,
	} {
		if !bytes.Contains(files[name], []byte(want)) {
			t.Errorf("%s lost the readable path %s:\n%s", name, want, files[name])
		}
	}
	m := checkManifest(t, files)
	if m.Redaction.ByRule["user-path"] == 0 || m.Redaction.ByRule["registered-host"] == 0 || m.Redaction.Users == 0 {
		t.Errorf("manifest counts: %+v", m.Redaction)
	}
	if code, stdout, _ := runBundleCmd(t, nil, "bundle", "verify", out); code != ExitOK {
		t.Errorf("verify: exit %d %s", code, stdout)
	}
	// The same desktop section unredacted: verify names file, line and rule.
	raw := filepath.Join(dir, "report.txt")
	os.WriteFile(raw, []byte("desktop app:\n  app folder: "+appDir+"\n"), 0o600)
	code, stdout2, _ := runBundleCmd(t, nil, "bundle", "verify", raw)
	if code != ExitFailure || !strings.Contains(stdout2, "report.txt:2: user-path") || strings.Contains(stdout2, user) {
		t.Errorf("verify of a raw path: exit %d %q", code, stdout2)
	}
}

// TestLocalNamesHidden: the account and machine names the environment
// spells are registered by every command (explain here); --no-redact shows
// them, as it shows hosts.
func TestLocalNamesHidden(t *testing.T) {
	env := map[string]string{"USERNAME": "zw-2024x", "COMPUTERNAME": "DESKTOP-ZW0042"}
	line := `dial tcp 127.0.0.1:3000: connect: connection refused (from DESKTOP-ZW0042 as CORP\zw-2024x, log D:\Logs\zw-2024x\new-api.log)`
	for _, f := range []string{"text", "json"} {
		_, out, _ := runBundleCmd(t, env, "explain", "--format", f, line)
		if strings.Contains(out, "zw-2024x") || strings.Contains(out, "ZW0042") || !strings.Contains(out, "user-") {
			t.Errorf("%s: %s", f, out)
		}
		_, out, _ = runBundleCmd(t, env, "explain", "--no-redact", "--format", f, line)
		if !strings.Contains(out, "zw-2024x") || !strings.Contains(out, "DESKTOP-ZW0042") {
			t.Errorf("--no-redact %s hides the names: %s", f, out)
		}
	}
}
