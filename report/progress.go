package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress draws one live status line on a terminal while a check runs:
// endpoints done/total and the one that has been running longest. It draws
// nothing when the writer is not a terminal, so logs, pipes and machine
// formats never contain it. Safe for concurrent use.
type Progress struct {
	w     io.Writer
	on    bool
	now   func() time.Time
	every time.Duration

	mu      sync.Mutex
	done    int
	total   int
	started map[string]time.Time // running endpoint → when first seen running
	drawn   bool
	width   int // columns of the last line drawn
	stop    chan struct{}
	closed  bool
}

// NewProgress returns a progress line on w; isTTY false makes every method a
// no-op. The caller passes isTTY only for a terminal and the text format.
func NewProgress(w io.Writer, isTTY bool) *Progress {
	return &Progress{w: w, on: isTTY && w != nil, now: time.Now, every: 250 * time.Millisecond,
		started: map[string]time.Time{}}
}

// ProgressWanted says whether a run should draw progress: only for the text
// format on a terminal.
func ProgressWanted(format string, isTTY bool) bool { return isTTY && format == "text" }

// Update records the state (diag.RunOptions.Progress calls it as endpoints
// finish) and redraws. A ticker keeps the slowest endpoint's time moving
// between updates.
func (p *Progress) Update(done, total int, running []string) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.done, p.total = done, total
	now := p.now()
	still := make(map[string]time.Time, len(running))
	for _, n := range running {
		if t, ok := p.started[n]; ok {
			still[n] = t
		} else {
			still[n] = now
		}
	}
	p.started = still
	if p.stop == nil && p.every > 0 {
		p.stop = make(chan struct{})
		go p.tick(p.stop)
	}
	p.drawLocked()
}

func (p *Progress) tick(stop chan struct{}) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if !p.closed {
				p.drawLocked()
			}
			p.mu.Unlock()
		}
	}
}

// line renders the status text (without terminal control sequences).
func (p *Progress) line() string {
	s := fmt.Sprintf("checking %d/%d endpoints", p.done, p.total)
	var slowest string
	var since time.Time
	for n, t := range p.started {
		if slowest == "" || t.Before(since) || (t.Equal(since) && n < slowest) {
			slowest, since = n, t
		}
	}
	if slowest != "" {
		s += fmt.Sprintf(" · waiting on %s (%.1fs)", slowest, p.now().Sub(since).Seconds())
		if more := len(p.started) - 1; more > 0 {
			s += fmt.Sprintf(" +%d more", more)
		}
	}
	return s
}

// maxLine keeps the line within an 80-column terminal: a wrapped line cannot
// be redrawn in place with \r.
const maxLine = 79

func (p *Progress) drawLocked() {
	s := p.line()
	if r := []rune(s); len(r) > maxLine {
		s = string(r[:maxLine-1]) + "…"
	}
	// \r and erase-line keep it one line; pad for terminals without \x1b[K.
	pad := ""
	if n := len([]rune(s)); n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	p.width = len([]rune(s))
	fmt.Fprintf(p.w, "\r\x1b[K%s%s", s, pad)
	p.drawn = true
}

// Done erases the line and stops the ticker; the report follows on a clean
// line. Safe to call more than once.
func (p *Progress) Done() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if p.stop != nil {
		close(p.stop)
	}
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
	}
}
