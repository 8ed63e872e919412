package explain

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

type corpusLine struct {
	line     int
	category diag.Category
	cause    diag.Cause
	text     string
}

func readCorpus(t testing.TB) []corpusLine {
	t.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		ln := strings.TrimSpace(sc.Text())
		if ln == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		parts := strings.SplitN(ln, " ", 3)
		if len(parts) != 3 {
			t.Fatalf("corpus.txt:%d: want CATEGORY CAUSE TEXT", n)
		}
		cat, ok := diag.ParseCategory(parts[0])
		if !ok {
			t.Fatalf("corpus.txt:%d: unknown category %q", n, parts[0])
		}
		if diag.CategoryOf(diag.Cause(parts[1])) != cat {
			t.Fatalf("corpus.txt:%d: cause %q is not in category %q", n, parts[1], cat)
		}
		out = append(out, corpusLine{n, cat, diag.Cause(parts[1]), parts[2]})
	}
	if len(out) < 50 {
		t.Fatalf("corpus has only %d lines", len(out))
	}
	return out
}

func TestCorpus(t *testing.T) {
	for _, c := range readCorpus(t) {
		t.Run(strings.Join([]string{string(c.cause), itoa(c.line)}, "@"), func(t *testing.T) {
			r := Classify(c.text)
			if r.Category != c.category || r.Cause != c.cause {
				t.Errorf("corpus.txt:%d\n  %s\n  got %s/%s (evidence %q), want %s/%s", c.line, c.text, r.Category, r.Cause, r.Evidence, c.category, c.cause)
			}
			if r.Hint == "" {
				t.Errorf("no hint for %s", r.Cause)
			}
			if r.Probe == "" {
				t.Errorf("no probe for %s", r.Cause)
			}
			if r.Layer == "" {
				t.Errorf("no layer for %s", r.Cause)
			}
			if r.Evidence == "" {
				t.Errorf("no evidence for %s", r.Cause)
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}

// TestExtraction pins what is pulled out of the text besides the cause.
func TestExtraction(t *testing.T) {
	cases := []struct {
		name, text                      string
		host, port, proxy, probe, layer string
		channel                         int
		chName                          string
		status                          int
	}{
		{"proxy, not target", `Post "https://api.openai.com/v1/chat/completions": proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused`,
			"127.0.0.1", "7890", "http://127.0.0.1:7890", "newapi-doctor proxy http://127.0.0.1:7890 --target https://api.openai.com/v1/chat/completions", "proxy-tcp", 0, "", 0},
		{"target dial", `Post "https://api.openai.com/v1/chat/completions": dial tcp 104.18.7.192:443: connect: connection refused`,
			"104.18.7.192", "443", "", "newapi-doctor tcp 104.18.7.192:443", "tcp", 0, "", 0},
		{"dns names the host", `dial tcp: lookup api.openai.com on 127.0.0.11:53: no such host`,
			"api.openai.com", "", "", "newapi-doctor dns api.openai.com", "dns", 0, "", 0},
		{"socks names proxy and target", `socks connect tcp 127.0.0.1:1080->api.openai.com:443: unknown error connection refused`,
			"127.0.0.1", "1080", "socks5://127.0.0.1:1080", "newapi-doctor proxy socks5://127.0.0.1:1080 --target https://api.openai.com:443", "proxy-connect", 0, "", 0},
		{"x509 names the wanted host", `x509: certificate is valid for *.facebook.com, facebook.com, not api.openai.com`,
			"api.openai.com", "", "", "newapi-doctor tls api.openai.com:443", "tls", 0, "", 0},
		{"auto-disable line", `[SYS] 2025/03/01 - 10:00:00 | 通道「my ch」（#42）发生错误，准备禁用，原因：bad response status code 401`,
			"", "", "", "newapi-doctor check", "http", 42, "my ch", 401},
		{"relay error line", `[ERR] 2025/03/01 - 10:00:00 | abc | relay error (channel #9, status code: 429): bad response status code 429, body: {}`,
			"", "", "", "newapi-doctor check", "http", 9, "", 429},
		{"curl target", `curl: (7) Failed to connect to api.example.com port 8443 after 3 ms: Connection refused`,
			"api.example.com", "8443", "", "newapi-doctor tcp api.example.com:8443", "tcp", 0, "", 0},
		{"ipv6 dial", `dial tcp [2606:4700::6810:1ec0]:443: connect: network is unreachable`,
			"2606:4700::6810:1ec0", "443", "", "newapi-doctor tcp [2606:4700::6810:1ec0]:443", "tcp", 0, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Classify(c.text)
			if r.Host != c.host || r.Port != c.port || r.Proxy != c.proxy || r.Probe != c.probe || string(r.Layer) != c.layer ||
				r.ChannelID != c.channel || r.ChannelName != c.chName || r.Status != c.status {
				t.Errorf("got host=%q port=%q proxy=%q probe=%q layer=%q channel=%d %q status=%d",
					r.Host, r.Port, r.Proxy, r.Probe, r.Layer, r.ChannelID, r.ChannelName, r.Status)
			}
		})
	}
}

func TestUnrecognized(t *testing.T) {
	for _, s := range []string{"", "hello world", "[INFO] 2025/03/01 - 10:00:00 | x | user 1 logged in", strings.Repeat("a", 200000)} {
		r := Classify(s)
		if r.Recognized() || r.Category != "" || r.Hint == "" {
			t.Errorf("Classify(%.40q) = %+v", s, r)
		}
	}
}

// TestNumbersAreWhole: Winsock numbers count only as whole numbers, not
// inside request ids, ports or sizes.
func TestNumbersAreWhole(t *testing.T) {
	cases := []struct {
		text  string
		cause diag.Cause
	}{
		{"[ERR] 2025/03/01 - 10:06:00 | 2025030110060012 | user quota updated", CauseUnrecognized},
		{"something 110061 happened", CauseUnrecognized},
		{"dial tcp 10.0.0.1:10061: i/o timeout", diag.CauseSYNTimeout},
		{"WSAECONNREFUSED (10061)", diag.CauseConnRefused},
		{"lookup x.example: 11001", diag.CauseNXDOMAIN},
		{"socket error 10061.", diag.CauseConnRefused},
		{"version 1.10061.2 released", CauseUnrecognized},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			if r := Classify(c.text); r.Cause != c.cause {
				t.Errorf("got %s, want %s", r.Cause, c.cause)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	for _, c := range readCorpus(f) {
		f.Add(c.text)
	}
	f.Add("proxyconnect tcp: dial tcp [::1")
	f.Add("socks connect tcp a:1->b:2: ")
	f.Add("\xff\xfe通道「")
	f.Fuzz(func(t *testing.T, s string) {
		r := Classify(s)
		if r.Recognized() {
			if r.Category == "" || r.Layer == "" || r.Probe == "" {
				t.Fatalf("recognized %q without category/layer/probe: %+v", s, r)
			}
			if diag.CategoryOf(r.Cause) != r.Category {
				t.Fatalf("cause %q category %q disagrees with the catalogue", r.Cause, r.Category)
			}
		}
	})
}

// A URL a provider's message points the reader to is no target to probe.
func TestQuotedURLIsNoTarget(t *testing.T) {
	r := Classify("Error code: 401 - {'error': {'message': 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.'}}")
	if r.Cause != diag.CauseUnauthorized || r.Host != "" || strings.Contains(r.Probe, "platform.openai.com") {
		t.Errorf("got %s host %q probe %q, want unauthorized, no host, no probe of the quoted URL", r.Cause, r.Host, r.Probe)
	}
	r = Classify(`Post "https://api.openai.com/v1/chat/completions": dial tcp 104.18.7.192:443: connect: connection refused`)
	if r.URL != "https://api.openai.com/v1/chat/completions" {
		t.Errorf("the request's URL was lost: %q", r.URL)
	}
}

// GORM's SQL traces hold numbers that are Winsock codes elsewhere.
func TestSQLValueIsNoWinsock(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"[1.2ms] [rows:1] SELECT * FROM `logs` WHERE user_id = 10061 LIMIT 10 error", false},
		{"UPDATE channels SET status = 2 WHERE id IN (10054)", false},
		{"SocketException: OS Error: Connection refused, errno = 10061", true},
		{"[WinError 10061] 由于目标计算机积极拒绝，无法连接。", true},
	} {
		if got := Classify(c.text).Recognized(); got != c.want {
			t.Errorf("%q: recognised %v, want %v", c.text, got, c.want)
		}
	}
}

// TestResolverUnnamedHint: a --resolver whose own name failed is said so
// in the hint, as check says it, not "a stub resolver is not running".
func TestResolverUnnamedHint(t *testing.T) {
	r := Classify(`dns failed: lookup relay.example.test on nonsense:53: dial udp: lookup nonsense: no such host`)
	if r.Cause != diag.CauseDNSUnreachble || !strings.Contains(r.Hint, "its own name does not resolve") || !strings.Contains(r.Hint, "nonsense:53") {
		t.Errorf("cause %s, hint %q", r.Cause, r.Hint)
	}
}

// TestExceptionStatusAnyOccurrence: an SDK exception named after a status
// counts wherever it starts a word, not only at its first occurrence.
func TestExceptionStatusAnyOccurrence(t *testing.T) {
	for _, c := range []struct {
		text string
		want diag.Cause
	}{
		{"handled by MyBadGatewayErrorFilter: litellm.BadGatewayError: upstream gave up", diag.CauseBadGateway},
		{"handled by MyBadGatewayErrorFilter and nothing else", CauseUnrecognized},
	} {
		if r := Classify(c.text); r.Cause != c.want {
			t.Errorf("Classify(%q) = %s, want %s", c.text, r.Cause, c.want)
		}
	}
}
