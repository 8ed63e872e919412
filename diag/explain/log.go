package explain

import (
	"bufio"
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// LogOptions bound a log analysis. Zero values take the defaults.
type LogOptions struct {
	// MaxLine is how much of one line is examined; the rest is skipped (and
	// the line counted as truncated), so a line longer than any buffer is fine.
	MaxLine int
	// MaxChannels and MaxHours cap the distinct keys kept: memory stays
	// bounded whatever the file holds. Errors past the cap go to "(other)".
	MaxChannels int
	MaxHours    int
	// Progress, if set, is called every ProgressEvery bytes read.
	Progress func(bytesRead int64)
}

// Defaults for LogOptions.
const (
	DefaultMaxLine          = 64 << 10
	DefaultMaxChannels      = 2000
	DefaultMaxHours         = 24 * 400
	progressEvery           = 64 << 20
	maxExample              = 400
	maxUnrecognizedExamples = 5
	otherKey                = "(other)"
)

// LogReport sums up a log: what failed, where, and when.
type LogReport struct {
	Bytes        int64  `json:"bytes"`
	Lines        int64  `json:"lines"`
	Errors       int64  `json:"errors"`          // lines classified into a cause
	Unrecognized int64  `json:"unrecognized"`    // error-level lines no rule matched
	Garbage      int64  `json:"garbage"`         // lines that are not text (binary, invalid UTF-8)
	Truncated    int64  `json:"truncated"`       // lines longer than MaxLine (examined in part)
	First        string `json:"first,omitempty"` // earliest timestamp (new-api's format)
	Last         string `json:"last,omitempty"`  // latest timestamp

	ByCategory map[diag.Category]int64 `json:"by_category"`
	Causes     []CauseStat             `json:"causes"`
	Channels   []ChannelStat           `json:"channels"` // worst first
	Hours      []HourStat              `json:"hours"`    // chronological
	// UnrecognizedExamples are the first few error lines no rule matched (clipped).
	UnrecognizedExamples []string `json:"unrecognized_examples,omitempty"`
	// OverflowChannels / OverflowHours count errors whose key did not fit the caps.
	OverflowChannels int64 `json:"overflow_channels,omitempty"`
	OverflowHours    int64 `json:"overflow_hours,omitempty"`
}

// CauseStat is one cause's count, an example line and what to do.
type CauseStat struct {
	Cause    string        `json:"cause"`
	Category diag.Category `json:"category"`
	Count    int64         `json:"count"`
	Example  string        `json:"example"`
	Hint     string        `json:"hint"`
	Probe    string        `json:"probe,omitempty"`
}

// ChannelStat is one channel (new-api's #id, or the upstream host when the
// line names no channel).
type ChannelStat struct {
	Key      string           `json:"key"` // "#12 name", "#12" or "host api.openai.com"
	ID       int              `json:"id,omitempty"`
	Name     string           `json:"name,omitempty"`
	Host     string           `json:"host,omitempty"`
	Errors   int64            `json:"errors"`
	Disabled int64            `json:"auto_disable_lines,omitempty"` // new-api's "准备禁用" lines
	ByCause  map[string]int64 `json:"by_cause"`
	TopCause string           `json:"top_cause"`
	Category diag.Category    `json:"category"`
	Hint     string           `json:"hint"`
	Probe    string           `json:"probe,omitempty"`
}

// HourStat counts errors in one hour ("2006-01-02 15:00").
type HourStat struct {
	Hour       string                  `json:"hour"`
	Errors     int64                   `json:"errors"`
	ByCategory map[diag.Category]int64 `json:"by_category"`
}

type causeAgg struct {
	count   int64
	example string
	res     Result
}

type chanAgg struct {
	id       int
	name     string
	host     string
	errors   int64
	disabled int64
	byCause  map[string]int64
	top      Result // a line of the most frequent cause so far, for its hint and probe
}

type analyzer struct {
	o        LogOptions
	rep      *LogReport
	causes   map[string]*causeAgg
	channels map[string]*chanAgg
	hours    map[string]*HourStat
	// names remembered per channel id (the auto-disable line names it, relay errors do not)
	names map[int]string
}

// AnalyzeLog streams a log (new-api's format or any error text, one per
// line) and sums it up. It reads with a fixed buffer: memory does not grow
// with the file, only with the capped number of distinct channels and hours.
func AnalyzeLog(r io.Reader, o LogOptions) (*LogReport, error) {
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.MaxChannels <= 0 {
		o.MaxChannels = DefaultMaxChannels
	}
	if o.MaxHours <= 0 {
		o.MaxHours = DefaultMaxHours
	}
	a := &analyzer{o: o, rep: &LogReport{ByCategory: map[diag.Category]int64{}},
		causes: map[string]*causeAgg{}, channels: map[string]*chanAgg{}, hours: map[string]*HourStat{}, names: map[int]string{}}
	br := bufio.NewReaderSize(r, 256<<10)
	line := make([]byte, 0, 4096)
	var nextProgress int64 = progressEvery
	for {
		chunk, err := br.ReadSlice('\n')
		a.rep.Bytes += int64(len(chunk))
		switch {
		case err == bufio.ErrBufferFull:
			// The line goes on: keep what fits in MaxLine, skip the rest.
			if room := o.MaxLine - len(line); room > 0 {
				line = append(line, chunk[:min(room, len(chunk))]...)
			}
			continue
		case err != nil && err != io.EOF:
			return a.finish(), err
		}
		if len(line) > 0 || len(chunk) > 0 {
			truncated := false
			if len(line) > 0 {
				if room := o.MaxLine - len(line); room > 0 {
					line = append(line, chunk[:min(room, len(chunk))]...)
				}
				truncated = len(line) >= o.MaxLine
				a.line(line, truncated)
				line = line[:0]
			} else {
				if len(chunk) > o.MaxLine {
					chunk, truncated = chunk[:o.MaxLine], true
				}
				a.line(chunk, truncated)
			}
		}
		if o.Progress != nil && a.rep.Bytes >= nextProgress {
			o.Progress(a.rep.Bytes)
			nextProgress += progressEvery
		}
		if err == io.EOF {
			break
		}
	}
	return a.finish(), nil
}

// logLine is one parsed line of new-api's log.
type logLine struct {
	level string // ERR, SYS, INFO, WARN, GIN, … ("" = not new-api's format)
	when  string // "2006/01/02 - 15:04:05"
	msg   string
}

// parseLine reads `[ERR] 2006/01/02 - 15:04:05 | <request id> | <message>`
// (and `[SYS] time | message`).
func parseLine(s string) logLine {
	if len(s) < 30 || s[0] != '[' {
		return logLine{msg: s}
	}
	end := strings.IndexByte(s, ']')
	if end < 2 || end > 8 || len(s) < end+24 {
		return logLine{msg: s}
	}
	lv := s[1:end]
	rest := s[end+1:]
	rest = strings.TrimLeft(rest, " ")
	if len(rest) < 21 || rest[4] != '/' || rest[7] != '/' || rest[10] != ' ' || rest[11] != '-' || rest[12] != ' ' || rest[15] != ':' {
		return logLine{msg: s}
	}
	when := rest[:21]
	rest = strings.TrimPrefix(rest[21:], " | ")
	if lv != "SYS" && lv != "GIN" {
		// A request id is one token; a message that starts right away has spaces.
		if i := strings.Index(rest, " | "); i >= 0 && i <= 80 && !strings.ContainsAny(rest[:i], " \t") {
			rest = rest[i+3:]
		}
	}
	return logLine{level: lv, when: when, msg: strings.TrimRight(rest, " \r\n")}
}

func (a *analyzer) line(b []byte, truncated bool) {
	a.rep.Lines++
	if truncated {
		a.rep.Truncated++
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return
	}
	b = StripANSI(b)
	if isGarbage(b) {
		a.rep.Garbage++
		return
	}
	s := string(b)
	ll := parseLine(s)
	if ll.when != "" {
		// The format sorts as text; min/max survive concatenated or rotated files.
		if a.rep.First == "" || ll.when < a.rep.First {
			a.rep.First = ll.when
		}
		if ll.when > a.rep.Last {
			a.rep.Last = ll.when
		}
	}
	switch ll.level {
	case "GIN", "INFO", "DEBUG":
		return
	case "SYS":
		// System lines are mostly start-up chatter; keep the ones about channels and failures.
		if !strings.Contains(ll.msg, "通道「") && !strings.Contains(ll.msg, "error") && !strings.Contains(ll.msg, "failed") && !strings.Contains(ll.msg, "FATAL") {
			return
		}
	}
	if strings.Contains(ll.msg, "未启用自动禁用功能") {
		return // the follow-up of an auto-disable line: counted once already
	}
	r := Classify(ll.msg)
	if !r.Recognized() {
		if ll.level == "ERR" || ll.level == "WARN" || ll.level == "FATAL" || ll.level == "" && looksLikeError(ll.msg) {
			a.rep.Unrecognized++
			if len(a.rep.UnrecognizedExamples) < maxUnrecognizedExamples {
				a.rep.UnrecognizedExamples = append(a.rep.UnrecognizedExamples, clip(ll.msg, 200))
			}
		}
		return
	}
	a.rep.Errors++
	a.rep.ByCategory[r.Category]++
	ca := a.causes[r.Cause]
	if ca == nil {
		ca = &causeAgg{example: clip(ll.msg, maxExample), res: r}
		a.causes[r.Cause] = ca
	}
	ca.count++
	a.channel(r, strings.Contains(ll.msg, "准备禁用"))
	a.hour(ll.when, r.Category)
}

func looksLikeError(s string) bool {
	l := asciiLower(s)
	return strings.Contains(l, "error") || strings.Contains(l, "failed") || strings.Contains(l, "fatal")
}

// isGarbage: NUL bytes, other C0 controls or invalid UTF-8 mean not text.
func isGarbage(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' {
			return true
		}
	}
	return !utf8.Valid(b)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func (a *analyzer) channel(r Result, disableLine bool) {
	var key string
	switch {
	case r.ChannelID > 0:
		if r.ChannelName != "" {
			a.names[r.ChannelID] = r.ChannelName
		}
		key = "#" + strconv.Itoa(r.ChannelID)
	case r.Host != "" && !isProxyCause(r.Cause):
		key = "host " + r.Host
	case r.URL != "":
		key = "host " + hostOnly(r.URL)
	default:
		return
	}
	c := a.channels[key]
	if c == nil {
		if len(a.channels) >= a.o.MaxChannels {
			a.rep.OverflowChannels++
			key = otherKey
			c = a.channels[key]
		}
		if c == nil {
			c = &chanAgg{id: r.ChannelID, byCause: map[string]int64{}}
			if r.ChannelID == 0 && key != otherKey {
				c.host = strings.TrimPrefix(key, "host ")
			}
			a.channels[key] = c
		}
	}
	if c.host == "" && r.ChannelID > 0 && r.Host != "" && !isProxyCause(r.Cause) {
		c.host = r.Host
	}
	c.errors++
	if disableLine {
		c.disabled++
	}
	c.byCause[r.Cause]++
	if c.top.Cause == "" || c.top.Cause == r.Cause || c.byCause[r.Cause] > c.byCause[c.top.Cause] {
		r.Evidence = "" // only hint and probe are kept: memory per channel stays small
		c.top = r
	}
}

func hostOnly(u string) string {
	s := u
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

func (a *analyzer) hour(when string, cat diag.Category) {
	if len(when) < 13 {
		return
	}
	// "2006/01/02 - 15" → "2006-01-02 15:00"
	h := strings.ReplaceAll(when[:10], "/", "-") + " " + when[13:15] + ":00"
	if len(when) < 15 {
		return
	}
	hs := a.hours[h]
	if hs == nil {
		if len(a.hours) >= a.o.MaxHours {
			a.rep.OverflowHours++
			return
		}
		hs = &HourStat{Hour: h, ByCategory: map[diag.Category]int64{}}
		a.hours[h] = hs
	}
	hs.Errors++
	hs.ByCategory[cat]++
}

func (a *analyzer) finish() *LogReport {
	rep := a.rep
	for cause, ca := range a.causes {
		rep.Causes = append(rep.Causes, CauseStat{Cause: cause, Category: ca.res.Category, Count: ca.count,
			Example: ca.example, Hint: ca.res.Hint, Probe: ca.res.Probe})
	}
	sort.Slice(rep.Causes, func(i, j int) bool {
		if rep.Causes[i].Count != rep.Causes[j].Count {
			return rep.Causes[i].Count > rep.Causes[j].Count
		}
		return rep.Causes[i].Cause < rep.Causes[j].Cause
	})
	for key, c := range a.channels {
		r := c.top
		top := r.Cause
		cs := ChannelStat{Key: key, ID: c.id, Name: a.names[c.id], Host: c.host, Errors: c.errors, Disabled: c.disabled,
			ByCause: c.byCause, TopCause: top, Category: r.Category, Hint: r.Hint, Probe: r.Probe}
		if c.id > 0 && cs.Name != "" {
			cs.Key = key + " " + cs.Name
		}
		rep.Channels = append(rep.Channels, cs)
	}
	sort.Slice(rep.Channels, func(i, j int) bool {
		a, b := rep.Channels[i], rep.Channels[j]
		if a.Errors != b.Errors {
			return a.Errors > b.Errors
		}
		if a.Disabled != b.Disabled {
			return a.Disabled > b.Disabled
		}
		return a.Key < b.Key
	})
	for _, h := range a.hours {
		rep.Hours = append(rep.Hours, *h)
	}
	sort.Slice(rep.Hours, func(i, j int) bool { return rep.Hours[i].Hour < rep.Hours[j].Hour })
	return rep
}
