package redact

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

var testAllow = []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "*.amazonaws.com"}

var rePseudo = regexp.MustCompile(`(host|ip|private|user)-[0-9a-f]{6,}\b`)

// norm makes pseudonyms comparable across runs (their key is random).
func norm(s string) string { return rePseudo.ReplaceAllString(s, "$1-X") }

// golden is one redaction example: in at level becomes want (pseudonyms
// normalised), and redacting it again changes nothing more.
type golden struct {
	name, in, want string
	level          Level
}

func runGolden(t *testing.T, cases []golden) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := New(tc.level, testAllow)
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
	r := New(LevelDefault, testAllow)
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

	t.Run("registered IDN host", func(t *testing.T) {
		r := New(LevelDefault, testAllow)
		r.AddHost("中转.公司")
		if got := r.String("dial 中转.公司:443"); strings.Contains(got, "中转") {
			t.Errorf("IDN host leaks: %q", got)
		}
	})
	t.Run("registered single-label host", func(t *testing.T) {
		r := New(LevelDefault, testAllow)
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
	r1 := New(LevelDefault, nil)
	a := r1.String("relay.corp.example")
	b := r1.String("x RELAY.CORP.EXAMPLE y")
	if !strings.Contains(b, a) {
		t.Errorf("same host, different pseudonyms: %q vs %q", a, b)
	}
	if c := r1.String("other.corp.example"); c == a {
		t.Errorf("different hosts share %q", c)
	}
	r2 := New(LevelDefault, nil)
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
	r := New(LevelDefault, nil)
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
	r := New(LevelDefault, testAllow)
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

func TestWriteMapMode(t *testing.T) {
	r := New(LevelDefault, nil)
	tok := r.String("relay.corp.example")
	p := filepath.Join(testenv.TempDir(t), "map.json")
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
	// Windows has no mode bits (Go reports any writable file as 0666): the
	// owner-only check is a Unix one.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	var m map[string]string
	b, _ := os.ReadFile(p)
	if err := json.Unmarshal(b, &m); err != nil || m[tok] != "relay.corp.example" {
		t.Errorf("map %s: %v", b, err)
	}
}
