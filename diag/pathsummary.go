package diag

import "github.com/newapi-doctor/newapi-doctor/i18n"

// phrase is a piece of a path summary kept as its catalogue key and
// arguments, so the human formats render it in --lang while
// PathInfo.Summary (and JSON) stays the English rendering.
type phrase = i18n.Msg

func ph(key string, args ...any) phrase { return i18n.M(key, args...) }

// seq joins phrases in order.
func seq(ps ...phrase) phrase { return i18n.Seq(ps...) }

// setSummary sets the summary from its phrases (Summary is the English one).
func (pi *PathInfo) setSummary(p phrase) {
	pi.summary = p
	pi.Summary = p.In(i18n.EN)
}

// addSummary appends to the summary. Seq copies the parts: pathFlight hands
// each caller a shallow copy of one shared PathInfo.
func (pi *PathInfo) addSummary(p phrase) {
	if pi.summary.IsZero() {
		pi.setSummary(seq(i18n.Raw(pi.Summary), p))
		return
	}
	pi.setSummary(seq(pi.summary, p))
}

// SummaryIn is Summary in l: the English Summary when l is English or the
// summary was not built here (a PathInfo read back from JSON).
func (pi *PathInfo) SummaryIn(l i18n.Lang) string { return pi.summary.Or(l, pi.Summary) }
