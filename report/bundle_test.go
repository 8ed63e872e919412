package report

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

func buildTestBundle(t *testing.T) ([]byte, *Manifest, *sensitive, *redact.Redactor) {
	t.Helper()
	r := rand.New(rand.NewPCG(42, 4242))
	rep, eps, s := randReport(r, 4)
	rd := redact.New(redact.LevelDefault, testAllow)
	register(rd, eps)
	zb, m, err := BuildBundle(BundleInput{Report: rep, Environment: map[string]string{"os": "linux", "resolver": s.ips[1]},
		NewAPI: map[string]string{"version": "v0.9.1"}, RunLog: []byte("start " + eps[0].URL + "\n"), Redactor: rd, Version: "v1.2.3",
		Now: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return zb, m, s, rd
}

func TestBundleContentsAndManifest(t *testing.T) {
	zb, m, s, _ := buildTestBundle(t)
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", f.Name, f.Mode().Perm())
		}
	}
	files := unzip(t, zb)
	for _, want := range []string{"report.json", "report.txt", "report.md", "report.html", "environment.json", "newapi.json", "run.log", ManifestName} {
		if _, ok := files[want]; !ok {
			t.Errorf("bundle lacks %s (has %d files)", want, len(files))
		}
	}
	var disk Manifest
	if err := json.Unmarshal(files[ManifestName], &disk); err != nil {
		t.Fatal(err)
	}
	if disk.BundleID == "" || disk.BundleID != m.BundleID || disk.DoctorVersion != "v1.2.3" || disk.CreatedAt.IsZero() {
		t.Errorf("manifest header %+v", disk)
	}
	if len(disk.Files) != len(files)-1 {
		t.Errorf("manifest lists %d files, zip has %d besides it", len(disk.Files), len(files)-1)
	}
	for _, mf := range disk.Files {
		sum := sha256.Sum256(files[mf.Name])
		if hex.EncodeToString(sum[:]) != mf.SHA256 || mf.Size != len(files[mf.Name]) {
			t.Errorf("%s: manifest hash/size do not match", mf.Name)
		}
	}
	if disk.Redaction.Level != "default" || disk.Redaction.ByRule[redact.RuleRegistered]+disk.Redaction.ByRule[redact.RuleAPIKey] == 0 {
		t.Errorf("redaction counts %+v", disk.Redaction)
	}
	for name, b := range files {
		assertNoLeak(t, name, b, s)
	}
	if fs, err := VerifyBundle("b.zip", zb, redact.New(redact.LevelDefault, testAllow)); err != nil || len(fs) != 0 {
		t.Errorf("a fresh bundle fails verify: %v %v", fs, err)
	}
	// Two bundles of one run are unlinkable to other runs, not to each other.
	zb2, m2, _, _ := buildTestBundle(t)
	if m2.BundleID == m.BundleID || bytes.Equal(zb, zb2) {
		t.Error("bundle ids or pseudonym keys repeat across runs")
	}
}

func TestBundleRefusals(t *testing.T) {
	if _, _, err := BuildBundle(BundleInput{Redactor: redact.New(redact.LevelNone, nil)}); err == nil || !strings.Contains(err.Error(), "no-redact") {
		t.Errorf("redact.LevelNone bundle: %v", err)
	}
	if _, _, err := BuildBundle(BundleInput{Redactor: redact.New(redact.LevelDefault, nil), Extra: []BundleFile{{Name: "../x", Data: nil}}}); err == nil {
		t.Error("path in extra file name accepted")
	}
	// A leak the redaction missed (simulated): no bundle, and the error says
	// where and which rule without the value.
	orig := scanBundleFile
	t.Cleanup(func() { scanBundleFile = orig })
	scanBundleFile = func(rd *redact.Redactor, name string, data []byte) []redact.Finding {
		if name == "run.log" && bytes.Contains(data, []byte("secret-ish")) {
			return []redact.Finding{{File: name, Line: 1, Rule: redact.RuleRegistered}}
		}
		return orig(rd, name, data)
	}
	zb, m, err := BuildBundle(BundleInput{Redactor: redact.New(redact.LevelDefault, nil), RunLog: []byte("secret-ish value\n")})
	var leak *LeakError
	if !errors.As(err, &leak) || zb != nil || m != nil || len(leak.Findings) != 1 || strings.Contains(err.Error(), "secret-ish") {
		t.Errorf("leak not refused: %v (zip %d bytes)", err, len(zb))
	}
	scanBundleFile = orig
	le := &LeakError{Findings: []redact.Finding{{File: "run.log", Line: 3, Rule: redact.RuleAPIKey}}}
	if msg := le.Error(); !strings.Contains(msg, "run.log:3: provider-key") || !strings.Contains(msg, "refusing") {
		t.Errorf("leak error %q", msg)
	}
}

// rezip rewrites a bundle with edit applied to its files.
func rezip(t *testing.T, zb []byte, edit func(map[string][]byte)) []byte {
	t.Helper()
	files := unzip(t, zb)
	edit(files)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestVerifyBundleCatchesTampering(t *testing.T) {
	zb, _, _, _ := buildTestBundle(t)
	planted := "sk-proj-PLANTEDplanted0123456789abcdef"
	cases := []struct {
		name  string
		edit  func(map[string][]byte)
		rules []string
	}{
		{"planted secret", func(f map[string][]byte) {
			f["report.txt"] = append(f["report.txt"], []byte("\nkey "+planted+"\n")...)
		}, []string{redact.RuleAPIKey, RuleHashMismatch}},
		{"planted private host and ip", func(f map[string][]byte) {
			f["run.log"] = append(f["run.log"], []byte("dial tcp 10.20.30.40:443 via relay.corp.example\n")...)
		}, []string{redact.RulePrivateIP, redact.RuleHostname, RuleHashMismatch}},
		{"tampered hash", func(f map[string][]byte) {
			var m Manifest
			json.Unmarshal(f[ManifestName], &m)
			m.Files[0].SHA256 = strings.Repeat("0", 64)
			f[ManifestName], _ = json.Marshal(m)
		}, []string{RuleHashMismatch}},
		{"unlisted file", func(f map[string][]byte) { f["extra.txt"] = []byte("hello") }, []string{RuleUnlisted}},
		{"missing file", func(f map[string][]byte) { delete(f, "report.md") }, []string{RuleMissingFile}},
		{"no manifest", func(f map[string][]byte) { delete(f, ManifestName) }, []string{RuleNoManifest}},
		{"bad manifest", func(f map[string][]byte) { f[ManifestName] = []byte("{") }, []string{RuleBadManifest}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := VerifyBundle("b.zip", rezip(t, zb, tc.edit), redact.New(redact.LevelDefault, testAllow))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range fs {
				got[f.Rule] = true
				if strings.Contains(f.String(), "PLANTED") || strings.Contains(f.String(), "10.20.30.40") {
					t.Errorf("finding shows the value: %s", f)
				}
			}
			for _, r := range tc.rules {
				if !got[r] {
					t.Errorf("missing %s in %v", r, fs)
				}
			}
		})
	}
}

func TestVerifyPlainFile(t *testing.T) {
	txt := []byte("line one\nproxy http://bob:pw@127.0.0.1:3128\nok api.openai.com 127.0.0.1 host-3f2a1c [REDACTED]\nAIzaSyA1234567890abcdefghijklmnopqrstu\n")
	fs, err := VerifyBundle("notes.txt", txt, redact.New(redact.LevelDefault, testAllow))
	if err != nil {
		t.Fatal(err)
	}
	want := []redact.Finding{{File: "notes.txt", Line: 2, Rule: redact.RuleUserinfo}, {File: "notes.txt", Line: 4, Rule: redact.RuleAPIKey}}
	if len(fs) != len(want) {
		t.Fatalf("got %v want %v", fs, want)
	}
	for i := range want {
		if fs[i] != want[i] {
			t.Errorf("finding %d = %v want %v", i, fs[i], want[i])
		}
	}
	if _, err := VerifyBundle("bad.zip", []byte("PK\x03\x04garbage"), redact.New(redact.LevelDefault, nil)); err == nil || !strings.Contains(err.Error(), "bad.zip") {
		t.Errorf("broken zip: %v", err)
	}
}

func TestMarkdownRenders(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rep, eps, s := randReport(r, 3)
	rep.Endpoints[0].Message = "a | b *c* <d>"
	rd := redact.New(redact.LevelDefault, testAllow)
	register(rd, eps)
	var buf bytes.Buffer
	if err := Render(&buf, rep, "markdown", Options{Redactor: rd}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"# newapi-doctor report", "| Endpoint |", `a \| b \*c\* &lt;d&gt;`, "<details>"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// One table row per endpoint.
	if n := strings.Count(out, "\n| ") - 1; n < len(rep.Endpoints) {
		t.Errorf("%d rows for %d endpoints", n, len(rep.Endpoints))
	}
	assertNoLeak(t, "markdown", buf.Bytes(), s)
}

// FuzzVerifyBundle: any bytes (a bundle, a tampered one, a text file,
// garbage) give findings or an error naming the file, never a panic.
func FuzzVerifyBundle(f *testing.F) {
	rd := redact.New(redact.LevelDefault, testAllow)
	zb, _, err := BuildBundle(BundleInput{Report: &diag.Report{SchemaVersion: 1}, RunLog: []byte("x\n"), Redactor: rd})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(zb)
	f.Add([]byte("plain text with sk-proj-abcdefghijklmnop1234\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := VerifyBundle("in.zip", data, rd)
		if err != nil && !strings.Contains(err.Error(), "in.zip") {
			t.Fatalf("error does not name the file: %v", err)
		}
		for _, fd := range fs {
			if fd.Rule == "" || fd.File == "" {
				t.Fatalf("empty finding %+v", fd)
			}
		}
	})
}
