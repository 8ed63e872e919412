package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// logCorpus is text shaped like what passes the redactor: new-api logs and Go
// network errors with keys, private hosts, addresses and proxy credentials.
func logCorpus(lines int) string {
	var b strings.Builder
	for i := 0; i < lines; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "[ERR] 2026/01/02 - 03:04:05 | relay error (channel #%d, status code 502): do request failed: Post \"https://api.openai.com/v1/chat/completions\": dial tcp 10.%d.2.3:443: connect: connection refused\n", i, i%250)
		case 1:
			fmt.Fprintf(&b, "proxyconnect tcp: dial tcp 192.168.%d.7:7890: i/o timeout (proxy http://user:pa55word@proxy.corp.example:7890)\n", i%250)
		case 2:
			fmt.Fprintf(&b, "Authorization: Bearer sk-proj-%032d key=sk-%040d\n", i, i)
		case 3:
			fmt.Fprintf(&b, "GET https://gateway-%d.internal.example/api/status 200 12ms [2001:db8::%x]:443\n", i, i)
		default:
			fmt.Fprintf(&b, "INFO model list refreshed for provider anthropic in %dms, 42 models\n", i)
		}
	}
	return b.String()
}

func BenchmarkRedact(b *testing.B) {
	for _, lines := range []int{10, 1000} {
		text := logCorpus(lines)
		for _, lvl := range []redact.Level{redact.LevelNone, redact.LevelDefault, redact.LevelStrict} {
			b.Run(fmt.Sprintf("lines=%d/level=%s", lines, lvl), func(b *testing.B) {
				rd := redact.New(lvl, []string{"api.openai.com", "api.anthropic.com"})
				rd.AddSecret("pa55word")
				rd.AddHost("proxy.corp.example")
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					_ = rd.String(text)
				}
			})
		}
	}
}

// TestRedactCorpusHidesSecrets keeps the benchmark honest: the corpus it
// times must actually be redacted.
func TestRedactCorpusHidesSecrets(t *testing.T) {
	rd := redact.New(redact.LevelDefault, nil)
	rd.AddSecret("pa55word")
	out := rd.String(logCorpus(10))
	for _, leak := range []string{"pa55word", "sk-proj-0000", "10.0.2.3", "192.168.1.7"} {
		if strings.Contains(out, leak) {
			t.Errorf("redacted corpus still contains %q", leak)
		}
	}
}
