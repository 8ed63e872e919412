package explain

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// The world corpus: error text copied verbatim from public issue threads,
// each record with its source URL and the categories a careful reader
// accepts, decided before explain ran on it (format: testdata/world/train.txt).
// train.txt may be tuned on; heldout.txt was written after the rules and is
// only ever scored. The floors are the scores reached: a change that loses a
// line fails here, a change that wins one raises the floor.
var worldFloors = map[string]int{
	"train.txt":      211,
	"heldout-1.txt":  114, // scored blind once: 91/114 (79.8%); tuned on since
	"heldout-2.txt":  103, // scored blind once: 71/103 (68.9%); tuned on since
	"heldout-3.txt":  113, // scored blind once: 91/113 (80.5%); tuned on since
	"heldout-4.txt":  110, // scored blind once: 93/110 (84.5%); tuned on since
	"heldout-5.txt":  103, // scored blind once: 94/103 (91.3%); tuned on since
	"heldout-6.txt":  104, // scored blind once: 87/104 (83.7%); tuned on since
	"heldout-7.txt":  103, // scored blind once: 93/103 (90.3%); tuned on since
	"train-2.txt":    120, // first run, before any rule from it: 108/120 (90.0%); tuned on since
	"train-3.txt":    111, // first run, before any rule from it: 100/111 (90.1%); tuned on since
	"train-4.txt":    118, // first run, before any rule from it: 106/119 (89.1%); tuned on since
	"train-5.txt":    142, // first run, before any rule from it: 124/143 (86.7%); tuned on since
	"heldout-8.txt":  112, // scored blind once, with part 9: 110/112 (98.2%); tuned on since
	"heldout-10.txt": 107, // scored blind once: 105/107 (98.1%); tuned on since
	"heldout-9.txt":  112, // scored blind once, with part 8: 106/113 (93.8%); together 216/225 (96.0%); tuned on since
	"heldout-11.txt": 106, // scored blind once on 1e721a2's rules: 99/106 (93.4%); tuned on since
	"train-7.txt":    110, // first run, before any rule from it: 101/111 (91.0%); tuned on since
	"heldout-12.txt": 128, // scored blind once on fec351e, with part 13: 123/129 (95.3%); tuned on since
	"heldout-13.txt": 140, // scored blind once on fec351e, with part 12: 132/140 (94.3%); together 255/269 (94.8%); tuned on since
	"heldout-14.txt": 114, // scored blind once on 57b8c28, with part 15: 110/117 (94.0%); tuned on since
	"heldout-15.txt": 118, // scored blind once on 57b8c28, with part 14: 108/119 (90.8%); together 218/236 (92.4%); tuned on since
	"heldout-16.txt": 117, // scored blind once on c8244a3, with part 17: 110/117 (94.0%); tuned on since
	"heldout-17.txt": 109, // scored blind once on c8244a3, with part 16: 100/111 (90.1%); together 210/228 (92.1%); tuned on since
	"heldout-18.txt": 203, // parts 18 and 19, scored blind once on e54db98: 195/204 (95.6%); tuned on since
	"heldout-20.txt": 107, // round 8 (parts 20-23, one family of stacks each), scored blind once on 7acbdcc: 102/111 (91.9%)
	"heldout-21.txt": 116, // round 8: 115/117 (98.3%)
	"heldout-22.txt": 108, // round 8: 107/108 (99.1%)
	"heldout-23.txt": 118, // round 8: 112/118 (94.9%); together 436/454 (96.0%)
	"heldout-24.txt": 115, // round 9 (parts 24-27, a family each), scored blind once on ec267fc: 107/117 (91.5%)
	"heldout-25.txt": 111, // round 9: 108/112 (96.4%)
	"heldout-26.txt": 114, // round 9: 110/115 (95.7%)
	"heldout-27.txt": 116, // round 9: 110/118 (93.2%); together 435/462 (94.2%)
	"heldout-28.txt": 112, // round 10 (parts 28-31, a family each), scored blind once on cb04d25: 111/112 (99.1%)
	"heldout-29.txt": 114, // round 10: 113/116 (97.4%)
	"heldout-30.txt": 111, // round 10: 110/111 (99.1%)
	"heldout-31.txt": 116, // round 10: 112/120 (93.3%); together 446/459 (97.2%)
	"heldout-32.txt": 111, // round 11 (parts 32 and 33, two families each), scored blind once on f957761: 107/113 (94.7%)
	"heldout-33.txt": 108, // round 11: 104/109 (95.4%); together 211/222 (95.0%)
	"heldout-34.txt": 105, // round 12 (one part, every family), scored blind once on 89f8cf5: 105/108 (97.2%)
}

type worldAccept struct {
	category diag.Category
	cause    string // "" = any cause of the category
}

type worldRecord struct {
	file   string
	line   int
	url    string
	accept []worldAccept
	text   string
}

func (r worldRecord) where() string { return fmt.Sprintf("%s:%d", r.file, r.line) }

// readWorld parses one corpus file; a malformed line fails naming file:line.
func readWorld(t testing.TB, name string) []worldRecord {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "world", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out  []worldRecord
		url  string
		text []string
		n    int
	)
	flush := func() {
		if len(out) > 0 && text != nil {
			out[len(out)-1].text = strings.Join(text, "\n")
		}
		text = nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		n++
		ln := sc.Text()
		switch {
		case ln == "" || strings.HasPrefix(ln, "#"):
			if text != nil {
				flush()
			}
		case strings.HasPrefix(ln, "@ "):
			flush()
			url = strings.TrimSpace(ln[2:])
			if !strings.HasPrefix(url, "https://") {
				t.Fatalf("%s:%d: source %q is not an https URL", name, n, url)
			}
		case strings.HasPrefix(ln, "= "):
			flush()
			if url == "" {
				t.Fatalf("%s:%d: record before any '@ URL'", name, n)
			}
			r := worldRecord{file: name, line: n, url: url}
			for _, a := range strings.Split(ln[2:], ",") {
				cat, cause, _ := strings.Cut(strings.TrimSpace(a), "/")
				c, ok := diag.ParseCategory(cat)
				if !ok {
					t.Fatalf("%s:%d: unknown category %q", name, n, cat)
				}
				if cause != "" && diag.CategoryOf(diag.Cause(cause)) != c {
					t.Fatalf("%s:%d: cause %q is not in category %q", name, n, cause, c)
				}
				r.accept = append(r.accept, worldAccept{c, cause})
			}
			out = append(out, r)
			text = []string{}
		case ln == ">" || strings.HasPrefix(ln, "> "):
			if text == nil {
				t.Fatalf("%s:%d: text outside a record", name, n)
			}
			text = append(text, strings.TrimPrefix(strings.TrimPrefix(ln, ">"), " "))
		default:
			t.Fatalf("%s:%d: want '@ URL', '= ACCEPT', '> TEXT' or '# comment'", name, n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	for _, r := range out {
		if r.text == "" {
			t.Fatalf("%s: record without text", r.where())
		}
	}
	return out
}

// worldVerdict scores one record as a user sees it: every line explain
// prints for the text must be in an accepted category (a second, wrong
// verdict misleads as much as a wrong first one). causeOK also needs each
// printed cause to match where the accepted entry names one.
func worldVerdict(r worldRecord) (ok, causeOK bool, got []string) {
	lines := ClassifyText(r.text)
	ok, causeOK = len(lines) > 0, len(lines) > 0
	for _, l := range lines {
		got = append(got, string(l.Result.Category)+"/"+string(l.Result.Cause))
		catOK, cOK := false, false
		for _, a := range r.accept {
			if a.category == l.Result.Category {
				catOK = true
				cOK = cOK || a.cause == "" || a.cause == string(l.Result.Cause)
			}
		}
		ok = ok && catOK
		causeOK = causeOK && catOK && cOK
	}
	return ok, causeOK, got
}

// secretLike finds what must never be committed: API keys and bearer tokens.
var secretLike = regexp.MustCompile(`(?i)\b(sk-(?:ant-|proj-)?[a-z0-9_-]{20,}|bearer [a-z0-9._-]{20,}|AIza[0-9a-z_-]{30,})`)

// worldParts, in the order they were collected: a later part shares no
// thread with an earlier one. train-2.txt was collected beside held-out
// parts 8 and 9 (threads split by issue number mod 3, so no thread is shared).
var worldParts = []string{"train.txt", "heldout-1.txt", "heldout-2.txt", "heldout-3.txt", "heldout-4.txt", "heldout-5.txt", "heldout-6.txt", "heldout-7.txt", "train-2.txt", "train-3.txt", "train-4.txt", "train-5.txt", "heldout-8.txt", "heldout-9.txt", "heldout-10.txt", "heldout-11.txt", "train-7.txt", "heldout-12.txt", "heldout-13.txt", "heldout-14.txt", "heldout-15.txt", "heldout-16.txt", "heldout-17.txt", "heldout-18.txt", "heldout-20.txt", "heldout-21.txt", "heldout-22.txt", "heldout-23.txt", "heldout-24.txt", "heldout-25.txt", "heldout-26.txt", "heldout-27.txt", "heldout-28.txt", "heldout-29.txt", "heldout-30.txt", "heldout-31.txt", "heldout-32.txt", "heldout-33.txt", "heldout-34.txt"}

// TestWorldHeldOutIsApart: no thread of a held-out part was seen before it.
func TestWorldHeldOutIsApart(t *testing.T) {
	seen := map[string]string{}
	for _, name := range worldParts {
		here := map[string]bool{}
		for _, r := range readWorld(t, name) {
			if earlier, ok := seen[r.url]; ok {
				t.Errorf("%s: %s is also a source of %s", r.where(), r.url, earlier)
			}
			here[r.url] = true
		}
		for u := range here {
			seen[u] = name
		}
	}
}

func TestWorldCorpus(t *testing.T) {
	for _, name := range worldParts {
		t.Run(name, func(t *testing.T) {
			recs := readWorld(t, name)
			right, causes := 0, 0
			for _, r := range recs {
				if s := secretLike.FindString(r.text); s != "" {
					t.Errorf("%s: a secret-like string %.12q… must be replaced by a placeholder", r.where(), s)
				}
				ok, causeOK, got := worldVerdict(r)
				if ok {
					right++
				} else {
					t.Logf("miss %s %s\n    accepted %v, got %v\n    %.200q", r.where(), r.url, r.accept, got, r.text)
				}
				if causeOK {
					causes++
				}
			}
			// The score, printed on every run (go test -run TestWorldCorpus -v).
			t.Logf("%s: %d/%d right (%.1f%%), causes also right: %d", name, right, len(recs), 100*float64(right)/float64(len(recs)), causes)
			if right < worldFloors[name] {
				t.Errorf("%s: %d right, the floor is %d: a rule change lost lines", name, right, worldFloors[name])
			}
			if len(recs) < 100 {
				t.Errorf("%s has only %d records", name, len(recs))
			}
		})
	}
}

// TestWorldGuess measures the one-word guess alone, rules bypassed, over
// every corpus text it can guess (docs/explain-corpus.md): the guess is
// what a person gets for wording no rule knows yet, so its own accuracy
// is kept from sliding.
func TestWorldGuess(t *testing.T) {
	const floor = 0.88 // 89.6% on parts through 27; 88.9% with round 10 in
	right, guessed := 0, 0
	for _, name := range worldParts {
		for _, r := range readWorld(t, name) {
			g := Guess(r.text)
			if !g.Guessed {
				continue
			}
			guessed++
			for _, a := range r.accept {
				if a.category == g.Category {
					right++
					break
				}
			}
		}
	}
	t.Logf("one-word guess, rules bypassed: %d/%d right (%.1f%%)", right, guessed, 100*float64(right)/float64(guessed))
	if guessed == 0 || float64(right) < floor*float64(guessed) {
		t.Errorf("the guess is right on %d of %d texts, under %.0f%%", right, guessed, 100*floor)
	}
}
