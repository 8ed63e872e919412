package report

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// ManifestName is the bundle's table of contents; it is written last.
const ManifestName = "manifest.json"

// BundleFile is one extra file to put in a bundle (redacted like the rest).
type BundleFile struct {
	Name string
	Data []byte
}

// BundleInput is everything a support bundle holds. Every byte passes through
// Redactor before it is hashed and zipped.
type BundleInput struct {
	Report      *diag.Report
	Environment any    // environment.json (diag/sysenv.Env); nil = omitted
	NewAPI      any    // newapi.json: the local new-api's /api/status answer; nil = omitted
	RunLog      []byte // run.log: the doctor's own operation history
	Extra       []BundleFile
	Redactor    *redact.Redactor
	Version     string    // the doctor's version
	Now         time.Time // creation time (zero = time.Now)
}

// Manifest describes a bundle: what is in it, by whom, and what was hidden.
type Manifest struct {
	BundleID      string            `json:"bundle_id"`
	Tool          string            `json:"tool"`
	DoctorVersion string            `json:"doctor_version"`
	CreatedAt     time.Time         `json:"created_at"`
	Redaction     ManifestRedaction `json:"redaction"`
	Files         []ManifestFile    `json:"files"`
}

// ManifestRedaction counts replacements made while building the bundle.
type ManifestRedaction struct {
	Level     string         `json:"level"`
	Secrets   int            `json:"secrets"`
	Hosts     int            `json:"hosts"`
	Addresses int            `json:"addresses"`
	Users     int            `json:"users"` // user-path, user-name: account names in paths and text
	ByRule    map[string]int `json:"by_rule"`
}

// ManifestFile is one file's name, size and SHA-256.
type ManifestFile struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// LeakError refuses a bundle whose scan found something. It names the files,
// lines and rules, never the values.
type LeakError struct{ Findings []redact.Finding }

func (e *LeakError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to write the bundle: %d thing(s) that look sensitive survived redaction:", len(e.Findings))
	for i, f := range e.Findings {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Findings)-i)
			break
		}
		b.WriteString("\n  " + f.String())
	}
	return b.String()
}

// BuildBundle renders, redacts, scans and zips a support bundle in memory, so
// that a refused bundle leaves no file behind. It returns the zip's bytes.
func BuildBundle(in BundleInput) ([]byte, *Manifest, error) {
	rd := in.Redactor
	if rd == nil || rd.Level() == redact.LevelNone {
		return nil, nil, errors.New("a bundle is always redacted: it is meant to leave this machine (drop --no-redact)")
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if in.Report != nil {
		AddNames(rd, in.Report) // run.log and path.json name endpoints too
	}
	before := rd.Stats()
	var files []BundleFile
	add := func(name string, data []byte) { files = append(files, BundleFile{name, rd.Bytes(data)}) }
	addJSON := func(name string, v any) error {
		var buf bytes.Buffer
		if err := EncodeJSON(&buf, v); err != nil {
			return fmt.Errorf("bundle %s: %w", name, err)
		}
		add(name, buf.Bytes())
		return nil
	}
	if in.Report != nil {
		for _, f := range []struct{ name, format string }{{"report.json", "json"}, {"report.txt", "text"}, {"report.md", "markdown"}, {"report.html", "html"}} {
			if !HasFormat(f.format) {
				continue
			}
			var buf bytes.Buffer
			if err := Render(&buf, in.Report, f.format, Options{Verbose: true, Redactor: rd}); err != nil {
				return nil, nil, fmt.Errorf("bundle %s: %w", f.name, err)
			}
			files = append(files, BundleFile{f.name, buf.Bytes()})
		}
		if paths := pathResults(in.Report); len(paths) > 0 {
			if err := addJSON("path.json", paths); err != nil {
				return nil, nil, err
			}
		}
	}
	if in.Environment != nil {
		if err := addJSON("environment.json", in.Environment); err != nil {
			return nil, nil, err
		}
	}
	if in.NewAPI != nil {
		if err := addJSON("newapi.json", in.NewAPI); err != nil {
			return nil, nil, err
		}
	}
	if in.RunLog != nil {
		add("run.log", in.RunLog)
	}
	for _, f := range in.Extra {
		if f.Name == ManifestName || strings.ContainsAny(f.Name, `/\`) {
			return nil, nil, fmt.Errorf("bundle: bad extra file name %q", f.Name)
		}
		add(f.Name, f.Data)
	}

	m := &Manifest{BundleID: newBundleID(), Tool: "newapi-doctor", DoctorVersion: in.Version,
		CreatedAt: in.Now.UTC().Truncate(time.Second), Redaction: redactionCounts(rd.Level(), before, rd.Stats())}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestFile{Name: f.Name, Size: len(f.Data), SHA256: hex.EncodeToString(sum[:])})
	}
	var mb bytes.Buffer
	if err := EncodeJSON(&mb, m); err != nil {
		return nil, nil, err
	}
	files = append(files, BundleFile{ManifestName, mb.Bytes()})

	var found []redact.Finding
	for _, f := range files {
		found = append(found, scanBundleFile(rd, f.Name, f.Data)...)
	}
	if len(found) > 0 {
		return nil, nil, &LeakError{Findings: found}
	}

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: m.CreatedAt}
		h.SetMode(0o600)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, nil, err
		}
		if _, err := w.Write(f.Data); err != nil {
			return nil, nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return zb.Bytes(), m, nil
}

// scanBundleFile is the pre-write scan (a variable so a test can stand in
// for a redaction bug the scan must catch).
var scanBundleFile = func(rd *redact.Redactor, name string, data []byte) []redact.Finding { return rd.Scan(name, data) }

func newBundleID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redactionCounts is what this bundle replaced: the difference of two Stats().
func redactionCounts(l redact.Level, before, after map[string]int) ManifestRedaction {
	mr := ManifestRedaction{Level: l.String(), ByRule: map[string]int{}}
	secret := map[string]bool{}
	for _, r := range redact.SecretRules {
		secret[r] = true
	}
	for rule, n := range after {
		n -= before[rule]
		if n <= 0 {
			continue
		}
		mr.ByRule[rule] = n
		switch {
		case secret[rule]:
			mr.Secrets += n
		case rule == redact.RuleIP || rule == redact.RulePrivateIP:
			mr.Addresses += n
		case rule == redact.RuleUserPath || rule == redact.RuleUserName:
			mr.Users += n
		default:
			mr.Hosts += n
		}
	}
	return mr
}

// PathResult is one endpoint's ping/trace localisation, for path.json.
type PathResult struct {
	Endpoint string         `json:"endpoint"`
	Path     *diag.PathInfo `json:"path"`
}

func pathResults(rep *diag.Report) []PathResult {
	var out []PathResult
	for _, e := range rep.Endpoints {
		if e.Path != nil {
			out = append(out, PathResult{e.Name, e.Path})
		}
	}
	return out
}

// Verification finding rules beyond the redaction rules.
const (
	RuleHashMismatch = "hash-mismatch"   // a file differs from its manifest hash
	RuleMissingFile  = "missing-file"    // listed in the manifest, absent from the zip
	RuleUnlisted     = "unlisted-file"   // in the zip, not in the manifest
	RuleNoManifest   = "no-manifest"     // a zip without manifest.json
	RuleBadManifest  = "bad-manifest"    // manifest.json does not parse
	RuleUnreadable   = "unreadable-file" // a zip entry that cannot be read
	RuleOversized    = "oversized-file"  // larger than any bundle file (maxVerifyFile)
)

// IsZip reports whether data starts like a zip (a local file header, or the
// end record of an empty zip).
func IsZip(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
}

// maxVerifyFile bounds one file read from a bundle under verification.
const maxVerifyFile = 64 << 20

// VerifyBundle checks a bundle (or any text file: data that is not a zip is
// scanned as one file called name): manifest hashes, then every file scanned
// by sc. It returns the findings, never the values found.
func VerifyBundle(name string, data []byte, sc *redact.Redactor) ([]redact.Finding, error) {
	if !IsZip(data) {
		// An empty or binary file passed as "ok" (or with findings made of
		// random bytes): neither is something verify can vouch for.
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, fmt.Errorf("%s: empty: not a bundle", name)
		}
		if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
			return nil, fmt.Errorf("%s: neither a zip nor a text file", name)
		}
		return sc.Scan(name, data), nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable zip: %w", name, err)
	}
	var found []redact.Finding
	contents := map[string][]byte{}
	var order []string
	for _, zf := range zr.File {
		if zf.UncompressedSize64 > maxVerifyFile {
			found = append(found, redact.Finding{File: zf.Name, Rule: RuleOversized})
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			found = append(found, redact.Finding{File: zf.Name, Rule: RuleUnreadable})
			continue
		}
		// The header's size may lie (a zip bomb): read one byte past the limit.
		b, err := io.ReadAll(io.LimitReader(rc, maxVerifyFile+1))
		rc.Close()
		if err != nil {
			found = append(found, redact.Finding{File: zf.Name, Rule: RuleUnreadable})
			continue
		}
		if len(b) > maxVerifyFile {
			found = append(found, redact.Finding{File: zf.Name, Rule: RuleOversized})
			continue
		}
		if _, dup := contents[zf.Name]; !dup {
			order = append(order, zf.Name)
		}
		contents[zf.Name] = b
		found = append(found, sc.Scan(zf.Name, b)...)
	}
	mb, ok := contents[ManifestName]
	if !ok {
		return append(found, redact.Finding{File: ManifestName, Rule: RuleNoManifest}), nil
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return append(found, redact.Finding{File: ManifestName, Rule: RuleBadManifest}), nil
	}
	listed := map[string]bool{ManifestName: true}
	for _, mf := range m.Files {
		listed[mf.Name] = true
		b, ok := contents[mf.Name]
		if !ok {
			found = append(found, redact.Finding{File: mf.Name, Rule: RuleMissingFile})
			continue
		}
		sum := sha256.Sum256(b)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), mf.SHA256) {
			found = append(found, redact.Finding{File: mf.Name, Rule: RuleHashMismatch})
		}
	}
	for _, n := range order {
		if !listed[n] {
			found = append(found, redact.Finding{File: n, Rule: RuleUnlisted})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].File < found[j].File })
	return found, nil
}
