package report

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// HistoryLen bounds each endpoint's remembered rounds on the status page.
const HistoryLen = 30

// HistoryPoint is one round's verdict for one endpoint.
type HistoryPoint struct {
	At    time.Time
	Cause diag.Cause
	Grade diag.Grade
	Clean bool    // a clean pass (✓)
	MS    float64 // the endpoint's check time
}

// History keeps the last HistoryLen points per endpoint, in memory. Names
// that leave the report are forgotten, so it stays bounded by the endpoints.
type History struct {
	mu sync.Mutex
	m  map[string][]HistoryPoint
}

// Add records one round.
func (h *History) Add(rep *diag.Report, at time.Time) {
	if rep == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	next := make(map[string][]HistoryPoint, len(rep.Endpoints))
	for _, e := range rep.Endpoints {
		pts := append(h.m[e.Name], HistoryPoint{At: at, Cause: e.Cause, Grade: e.Grade(), Clean: cleanPass(e), MS: e.DurationMS})
		if len(pts) > HistoryLen {
			pts = append([]HistoryPoint(nil), pts[len(pts)-HistoryLen:]...)
		}
		next[e.Name] = pts
	}
	h.m = next
}

// Snapshot copies the history for rendering.
func (h *History) Snapshot() map[string][]HistoryPoint {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string][]HistoryPoint, len(h.m))
	for k, v := range h.m {
		out[k] = append([]HistoryPoint(nil), v...)
	}
	return out
}

// sparkline is an inline SVG of recent rounds: a latency line over one
// coloured cell per verdict, oldest on the left.
type sparkline struct {
	W, H   int
	Points string // polyline points of the latency
	Cells  []sparkCell
	Label  string
}

type sparkCell struct {
	X, W  string
	Class string
	Title string
}

const (
	sparkW, sparkH = 150, 30
	sparkCellH     = 7
)

func newSparkline(pts []HistoryPoint) *sparkline {
	if len(pts) == 0 {
		return nil
	}
	s := &sparkline{W: sparkW, H: sparkH}
	slot := float64(sparkW) / HistoryLen
	top := 0.0
	for _, p := range pts {
		top = max(top, p.MS)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	var line []string
	lineH := float64(sparkH - sparkCellH - 3)
	for i, p := range pts {
		x := float64(i) * slot
		class := "g-" + string(p.Grade)
		if p.Clean {
			class = "g-ok"
		}
		s.Cells = append(s.Cells, sparkCell{X: f(x + 0.5), W: f(slot - 1), Class: class,
			Title: fmt.Sprintf("%s %s %.0f ms", p.At.UTC().Format("15:04:05"), p.Cause, p.MS)})
		y := lineH + 1
		if top > 0 {
			y = 1 + lineH*(1-p.MS/top)
		}
		line = append(line, f(x+slot/2)+","+f(y))
	}
	s.Points = strings.Join(line, " ")
	s.Label = fmt.Sprintf("last %d round(s), slowest %.0f ms", len(pts), top)
	return s
}
