package explain

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPrefilterRecall: every line of the corpora that Classify recognises
// and that is not in new-api's format (those never meet the prefilter)
// passes it, each line on its own (as --log reads them) and each text
// whole. A new rule in Classify needs its marker in
// prefilterWords, or --log would skip what explain "TEXT" explains.
func TestPrefilterRecall(t *testing.T) {
	var texts []string
	for _, c := range readCorpus(t) {
		texts = append(texts, c.text)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "world", "*.txt"))
	for _, path := range files {
		for _, r := range readWorld(t, filepath.Base(path)) {
			texts = append(texts, r.text)
			texts = append(texts, strings.Split(r.text, "\n")...)
		}
	}
	seen := 0
	for _, text := range texts {
		if !Classify(text).Recognized() || parseHead(text).levelEnd > 0 {
			continue
		}
		seen++
		if !mayBeError([]byte(text)) {
			t.Errorf("recognised by Classify, skipped by explain --log's prefilter (add a word of it to prefilterWords in prefilter.go): %q", text)
		}
	}
	if seen < 300 {
		t.Fatalf("only %d recognised texts: the corpora were not read", seen)
	}
}

func TestPrefilter(t *testing.T) {
	cases := []struct {
		line string
		want bool
	}{
		{"2025/03/01 10:00:00 /build/model/log.go:12 [1.2ms] [rows:1] SELECT * FROM `logs` WHERE user_id = 1 LIMIT 10", false},
		{`[GIN-debug] POST   /v1/chat/completions      --> main.relay (5 handlers)`, false},
		{"Post \"https://api.openai.com/v1/chat/completions\": EOF", true},
		{"DIAL TCP 1.2.3.4:443: CONNECT: CONNECTION REFUSED", true},
		{"WSAECONNREFUSED", true},
		{"由于目标计算机积极拒绝，无法连接。", true},
		{"10061", true},
		{"", false},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			if got := mayBeError([]byte(c.line)); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
