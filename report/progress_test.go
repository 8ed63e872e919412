package report

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuf is a bytes.Buffer safe for the progress ticker's goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressNotATerminal(t *testing.T) {
	var buf syncBuf
	p := NewProgress(&buf, false)
	p.Update(1, 3, []string{"a"})
	p.Done()
	if buf.String() != "" {
		t.Fatalf("progress wrote %q to a non-terminal", buf.String())
	}
}

func TestProgressLine(t *testing.T) {
	var buf syncBuf
	p := NewProgress(&buf, true)
	p.every = 0 // no ticker: the test drives the clock
	clock := time.Unix(1000, 0)
	p.now = func() time.Time { return clock }
	p.Update(0, 3, []string{"slow-one", "fast-one"})
	clock = clock.Add(2 * time.Second)
	p.Update(1, 3, []string{"slow-one", "new-one"})
	clock = clock.Add(500 * time.Millisecond)
	p.Update(2, 3, []string{"slow-one", "new-one"})
	out := buf.String()
	lines := strings.Split(out, "\r\x1b[K")
	last := lines[len(lines)-1]
	for _, want := range []string{"2/3", "slow-one", "2.5s", "+1 more"} {
		if !strings.Contains(last, want) {
			t.Errorf("last line %q lacks %q", last, want)
		}
	}
	if strings.Contains(out, "\n") {
		t.Errorf("progress must stay on one line: %q", out)
	}
	p.Done()
	p.Done()            // idempotent
	p.Update(3, 3, nil) // after Done: nothing
	after := buf.String()
	if !strings.HasSuffix(after, "\r") || strings.Contains(after[len(out):], "checking") {
		t.Errorf("Done did not erase the line or Update drew after Done: %q", after[len(out):])
	}
}

func TestProgressLineFitsTerminal(t *testing.T) {
	var buf syncBuf
	p := NewProgress(&buf, true)
	p.every = 0
	p.Update(1, 2, []string{strings.Repeat("very-long-endpoint-name-", 10)})
	line := strings.TrimPrefix(buf.String(), "\r\x1b[K")
	if n := len([]rune(line)); n > maxLine {
		t.Fatalf("line of %d columns would wrap: %q", n, line)
	}
	if !strings.HasSuffix(line, "…") {
		t.Errorf("truncation not marked: %q", line)
	}
}

func TestProgressTickerAndRace(t *testing.T) {
	var buf syncBuf
	p := NewProgress(&buf, true)
	p.every = time.Millisecond
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p.Update(i, 8, []string{"x"})
		}(i)
	}
	wg.Wait()
	p.Done()
	if !strings.Contains(buf.String(), "waiting on x") {
		t.Fatalf("no progress drawn: %q", buf.String())
	}
}

func TestProgressWanted(t *testing.T) {
	for _, tt := range []struct {
		format string
		tty    bool
		want   bool
	}{
		{"text", true, true}, {"text", false, false}, {"json", true, false},
		{"junit", true, false}, {"github", true, false}, {"markdown", true, false},
	} {
		t.Run(tt.format, func(t *testing.T) {
			if got := ProgressWanted(tt.format, tt.tty); got != tt.want {
				t.Fatalf("ProgressWanted(%q, %v) = %v", tt.format, tt.tty, got)
			}
		})
	}
}
