package diag

import (
	"fmt"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// phrase is a piece of a path summary kept as its catalogue key (the English
// format) and arguments, so the human formats can render it in --lang while
// PathInfo.Summary (and JSON) stays the English rendering. An argument that
// is itself a phrase is rendered in the same language; key "" concatenates
// the arguments.
type phrase struct {
	key  string
	args []any
}

func ph(key string, args ...any) phrase { return phrase{key: key, args: args} }

// seq joins phrases in order.
func seq(ps ...phrase) phrase {
	args := make([]any, len(ps))
	for i, p := range ps {
		args[i] = p
	}
	return phrase{args: args}
}

func (p phrase) in(l i18n.Lang) string {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		if q, ok := a.(phrase); ok {
			a = q.in(l)
		}
		args[i] = a
	}
	if p.key == "" {
		var b strings.Builder
		for _, a := range args {
			fmt.Fprint(&b, a)
		}
		return b.String()
	}
	return l.Sprintf(p.key, args...)
}

// setSummary sets the summary from its phrases (Summary is the English one).
func (pi *PathInfo) setSummary(p phrase) {
	pi.summary = p
	pi.Summary = p.in(i18n.EN)
}

// addSummary appends to the summary. The parts are copied: pathFlight hands
// each caller a shallow copy of one shared PathInfo.
func (pi *PathInfo) addSummary(p phrase) {
	if pi.summary.key == "" && pi.summary.args == nil {
		pi.setSummary(seq(phrase{args: []any{pi.Summary}}, p))
		return
	}
	pi.setSummary(seq(pi.summary, p))
}

// SummaryIn is Summary in l: the English Summary when l is English or the
// summary was not built here (a PathInfo read back from JSON).
func (pi *PathInfo) SummaryIn(l i18n.Lang) string {
	if !l.IsZH() || pi.summary.key == "" && pi.summary.args == nil {
		return pi.Summary
	}
	return pi.summary.in(l)
}
