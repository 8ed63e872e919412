package explain

import (
	"bufio"
	"bytes"
	"encoding/binary"
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
	// MaxPending caps the request ids waiting for their follow-up line
	// (default DefaultMaxPending): the oldest is counted on its own when the
	// cap is reached, so memory stays bounded over a year of logs.
	MaxPending int
}

// Defaults for LogOptions.
const (
	DefaultMaxLine     = 64 << 10
	DefaultMaxChannels = 2000
	DefaultMaxHours    = 24 * 400
	DefaultMaxPending  = 4096
	// testWindow is how long after `testing channel N with model` a channel
	// test's own error (request id SYSTEM) is still that channel's: a silent
	// upstream with RELAY_TIMEOUT=0 fails after the kernel's SYN retries
	// (about 130 s), while a busy server writes thousands of access lines.
	testWindow = 5 * 60 // seconds
	// testWindowLines is the same for lines without a timestamp.
	testWindowLines = 100_000
	// maxMemo caps the cache of classified messages (a log repeats itself).
	maxMemo                 = 4096
	progressEvery           = 64 << 20
	maxExample              = 400
	maxUnrecognizedExamples = 5
	otherKey                = "(other)"
)

// LogReport sums up a log: what failed, where, and when.
type LogReport struct {
	Bytes        int64 `json:"bytes"`
	Lines        int64 `json:"lines"`
	Errors       int64 `json:"errors"`       // lines classified into a cause
	Unrecognized int64 `json:"unrecognized"` // error-level lines no rule matched
	Garbage      int64 `json:"garbage"`      // lines that are not text (binary, invalid UTF-8)
	Truncated    int64 `json:"truncated"`    // lines longer than MaxLine (examined in part)
	// Joined are new-api's own follow-up lines (`channel error … status code:
	// 500: upstream error: do request failed`, `relay error: …`) counted with
	// the line of the same request that holds the real cause.
	Joined int64 `json:"joined,omitempty"`
	// ClientCanceled are requests new-api gave up because its own client
	// went away ("context canceled": new-api sends upstream with the
	// client's request context). No channel is blamed for them.
	ClientCanceled int64 `json:"client_canceled,omitempty"`
	// Encoding is how the log was written when not plain UTF-8 (utf-8-bom,
	// utf-16le, utf-16be); GB18030Lines counts lines read as GB18030/GBK.
	Encoding     string `json:"encoding,omitempty"`
	GB18030Lines int64  `json:"gb18030_lines,omitempty"`
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
	Cause    diag.Cause    `json:"cause"`
	Category diag.Category `json:"category"`
	Count    int64         `json:"count"`
	Example  string        `json:"example"`
	Hint     string        `json:"hint"`
	Probe    string        `json:"probe,omitempty"`
}

// ChannelStat is one channel (new-api's #id; the upstream host only for
// lines that name no channel, like a plain Go error pasted into a file).
type ChannelStat struct {
	Key      string               `json:"key"` // "#12 name", "#12" or "host api.openai.com"
	ID       int                  `json:"id,omitempty"`
	Name     string               `json:"name,omitempty"`
	Host     string               `json:"host,omitempty"`
	Errors   int64                `json:"errors"`
	Disabled int64                `json:"auto_disable_lines,omitempty"` // new-api's "准备禁用" lines
	ByCause  map[diag.Cause]int64 `json:"by_cause"`
	TopCause diag.Cause           `json:"top_cause"`
	Category diag.Category        `json:"category"`
	Hint     string               `json:"hint"`
	Probe    string               `json:"probe,omitempty"`
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
	host     string
	errors   int64
	disabled int64
	byCause  map[diag.Cause]int64
	top      *verdict // a line of the most frequent cause so far, for its hint, probe and host
}

// verdict is what a message means (Classify's Result) and the host it says
// failed; one per distinct message, shared through the memo.
type verdict struct {
	r    Result
	host string
	// clientGone: the request ended because new-api's client left.
	clientGone bool
}

type analyzer struct {
	o      LogOptions
	rep    *LogReport
	causes map[diag.Cause]*causeAgg
	byID   map[int]*chanAgg    // new-api's channels
	byHost map[string]*chanAgg // lines that name no channel
	other  *chanAgg            // past MaxChannels
	hours  map[string]*HourStat
	// names remembered per channel id (the auto-disable line names it, relay errors do not)
	names map[int]string
	// first and last timestamps, kept as bytes: no allocation per line.
	first, last [21]byte
	span        bool
	joins       joinTable
	// testChan is the channel of the last `testing channel N with model`
	// line, at line testLine and time testAt (seconds, -1 if none); 0
	// after its result.
	testChan         int
	testLine, testAt int64
	memo             map[string]*verdict
	keyBuf           []byte
	// the hour of the last error counted, whose key needs no new string
	lastHour []byte
	lastHS   *HourStat
}

// AnalyzeLog streams a log (new-api's format or any error text, one per
// line) and sums it up. It reads with a fixed buffer: memory does not grow
// with the file, only with the capped number of distinct channels, hours
// and requests waiting for their follow-up line.
//
// The log may be UTF-8 (with or without a BOM), UTF-16 (PowerShell 5.1's
// `>`), or hold GB18030/GBK lines (Notepad "ANSI", cmd pipes).
func AnalyzeLog(r io.Reader, o LogOptions) (*LogReport, error) {
	a := newAnalyzer(o)
	o = a.o // with its defaults
	cr := &countingReader{r: r}
	const bufSize = 256 << 10
	br, enc := decodeStream(bufio.NewReaderSize(cr, bufSize), bufSize)
	a.rep.Encoding = enc
	line := make([]byte, 0, 4096)
	var nextProgress int64 = progressEvery
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			// The line goes on: keep what fits in MaxLine, skip the rest.
			if room := o.MaxLine - len(line); room > 0 {
				line = append(line, chunk[:min(room, len(chunk))]...)
			}
			continue
		case err != nil && err != io.EOF:
			a.rep.Bytes = cr.n
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
		if o.Progress != nil && cr.n >= nextProgress {
			o.Progress(cr.n)
			nextProgress += progressEvery
		}
		if err == io.EOF {
			break
		}
	}
	a.rep.Bytes = cr.n
	return a.finish(), nil
}

// newAnalyzer fills in o's defaults.
func newAnalyzer(o LogOptions) *analyzer {
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.MaxChannels <= 0 {
		o.MaxChannels = DefaultMaxChannels
	}
	if o.MaxHours <= 0 {
		o.MaxHours = DefaultMaxHours
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	return &analyzer{o: o, rep: &LogReport{ByCategory: map[diag.Category]int64{}},
		causes: map[diag.Cause]*causeAgg{}, byID: map[int]*chanAgg{}, byHost: map[string]*chanAgg{}, hours: map[string]*HourStat{},
		names: map[int]string{}, joins: newJoinTable(o.MaxPending), memo: map[string]*verdict{}}
}

// logLine is one parsed line of new-api's log.
type logLine struct {
	level string // ERR, SYS, INFO, WARN, GIN, … ("" = not new-api's format)
	when  string // "2006/01/02 - 15:04:05"
	rid   string // request id ("SYSTEM" outside a request; "" for SYS and GIN lines)
	msg   string
}

// head holds the offsets of a new-api line's parts: `[level] when | rid | msg`.
// level == 0 means the line is not in new-api's format.
type head struct {
	levelEnd         int // level is s[1:levelEnd]
	when             int // s[when:when+21]
	ridStart, ridEnd int
	msg              int
}

// parseHead reads `[ERR] 2006/01/02 - 15:04:05 | <request id> | <message>`
// (and `[SYS] time | message`) without allocating: it runs on every line.
func parseHead[T string | []byte](s T) head {
	var h head
	if len(s) < 30 || s[0] != '[' {
		return h
	}
	end := 0
	for i := 1; i < 9 && i < len(s); i++ {
		if s[i] == ']' {
			end = i
			break
		}
	}
	if end < 2 || len(s) < end+24 {
		return h
	}
	i := end + 1
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if len(s)-i < 21 || s[i+4] != '/' || s[i+7] != '/' || s[i+10] != ' ' || s[i+11] != '-' || s[i+12] != ' ' || s[i+15] != ':' {
		return h
	}
	h.levelEnd, h.when = end, i
	i += 21
	if len(s)-i >= 3 && s[i] == ' ' && s[i+1] == '|' && s[i+2] == ' ' {
		i += 3
	}
	h.msg = i
	lv := s[1:end]
	if string(lv) != "SYS" && string(lv) != "GIN" {
		// A request id is one token; a message that starts right away has spaces.
		for j := i; j < len(s) && j <= i+80; j++ {
			if s[j] == ' ' || s[j] == '\t' {
				if j > i && len(s)-j >= 3 && s[j+1] == '|' && s[j+2] == ' ' {
					h.ridStart, h.ridEnd, h.msg = i, j, j+3
				}
				break
			}
		}
	}
	return h
}

// parseLine is parseHead for a string, with the parts cut out.
func parseLine(s string) logLine {
	h := parseHead(s)
	if h.levelEnd == 0 {
		return logLine{msg: s}
	}
	return logLine{level: s[1:h.levelEnd], when: s[h.when : h.when+21], rid: s[h.ridStart:h.ridEnd],
		msg: strings.TrimRight(s[h.msg:], " \r\n")}
}

// sysMarkers are what a [SYS] line must hold to be read further: system
// lines are mostly start-up chatter.
var sysMarkers = [][]byte{[]byte("通道「"), []byte("error"), []byte("failed"), []byte("FATAL"), []byte("testing channel"), []byte("channel_id=")}

// line is the fast path every line takes. Only a line that may hold an
// error goes on to errorLine (which allocates): access, info and debug
// lines cost a header parse and a timestamp compare.
func (a *analyzer) line(b []byte, truncated bool) {
	a.rep.Lines++
	if truncated {
		a.rep.Truncated++
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return
	}
	b = b[dockerPrefix(b):]
	if h := parseHead(b); h.levelEnd > 0 {
		a.seen(b[h.when : h.when+21])
		switch string(b[1:h.levelEnd]) {
		case "GIN", "INFO", "DEBUG":
			return
		case "SYS":
			if !containsAny(b[h.msg:], sysMarkers) && utf8.Valid(b) {
				return
			}
		}
	}
	a.errorLine(b, truncated)
}

// dockerPrefix is the length of what docker writes before new-api's line:
// `docker compose logs`' "new-api  | " and `docker logs -t`'s
// "2025-03-01T10:00:02.123456789Z " — 0 unless new-api's line follows.
// Without this a compose log was read line by line as plain text: slow,
// and no line joined with its request.
func dockerPrefix(b []byte) int {
	if len(b) < 2 || b[0] == '[' {
		return 0
	}
	i := bytes.IndexByte(b[:min(len(b), 96)], '[')
	if i <= 0 || b[i-1] != ' ' || parseHead(b[i:]).levelEnd == 0 {
		return 0
	}
	p := b[:i]
	compose := bytes.Contains(p, []byte("| "))
	rfc3339 := len(p) >= 20 && p[4] == '-' && p[7] == '-' && p[10] == 'T'
	if !compose && !rfc3339 {
		return 0
	}
	return i
}

func containsAny(b []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// seen widens the log's span. The format sorts as text; min/max survive
// concatenated or rotated files.
func (a *analyzer) seen(when []byte) {
	if !a.span || bytes.Compare(when, a.first[:]) < 0 {
		copy(a.first[:], when)
	}
	if !a.span || bytes.Compare(when, a.last[:]) > 0 {
		copy(a.last[:], when)
	}
	a.span = true
}

// new-api's wording around the real cause (relay/channel/api_request.go,
// controller/relay.go, controller/channel-test.go).
const (
	doRequestFailed = "do request failed: "
	channelErrorPfx = "channel error (channel #"
	relayErrorPfx   = "relay error"
	testingChannel  = "testing channel "
	testBadResponse = "channel test bad response: channel_id="
)

// errorLine reads a line that may be an error: it is decoded, parsed and
// joined with the other lines of its request. It works on the bytes: the
// lines new-api writes after the real cause (channel error, relay error)
// are matched and joined without allocating.
func (a *analyzer) errorLine(b []byte, truncated bool) {
	b = bytes.TrimPrefix(b, utf8BOM) // a BOM mid-stream: files concatenated
	b = StripANSI(b)
	if hasControl(b) {
		a.rep.Garbage++
		return
	}
	if !utf8.Valid(b) {
		if t := trimCutRune(b); truncated && utf8.Valid(t) {
			b = t // MaxLine cut a character in two
		} else if d, ok := toUTF8(b); ok {
			a.rep.GB18030Lines++
			b = d
		} else {
			a.rep.Garbage++
			return
		}
	}
	var lv, rid, when []byte
	msg := b
	if h := parseHead(b); h.levelEnd > 0 {
		lv, rid, when = b[1:h.levelEnd], b[h.ridStart:h.ridEnd], b[h.when:h.when+21]
		msg = bytes.TrimRight(b[h.msg:], " \r\n")
		a.seen(when)
	}
	switch string(lv) {
	case "GIN", "INFO", "DEBUG":
		return
	case "":
		if !mayBeError(msg) {
			return // not new-api's line, and nothing Classify could read in it
		}
	case "SYS":
		if !containsAny(msg, sysMarkers) {
			return
		}
		if bytes.Contains(msg, []byte("未启用自动禁用功能")) {
			return // the follow-up of an auto-disable line: counted once already
		}
	}
	noRID := len(rid) == 0 || string(rid) == "SYSTEM"
	switch {
	case bytes.HasPrefix(msg, []byte(testingChannel)):
		// `testing channel 5 with model m , info …` opens a test;
		// `testing channel #5, response: …` closes it with success.
		rest := msg[len(testingChannel):]
		if id, n := leadingInt(rest); n > 0 && bytes.HasPrefix(rest[n:], []byte(" with model")) {
			a.testChan, a.testLine, a.testAt = id, a.rep.Lines, seconds(when)
		} else {
			a.testChan = 0
		}
		return
	case bytes.HasPrefix(msg, []byte(testBadResponse)):
		id, _ := leadingInt(msg[len(testBadResponse):])
		a.testChan = 0
		v := a.classify(msg)
		a.count(v, a.example(v, msg), when, id, false)
		return
	case bytes.HasPrefix(msg, []byte(doRequestFailed)):
		v := a.classify(msg)
		if noRID {
			// A channel test's request has no request id of its own.
			id := 0
			if a.testChan > 0 && a.inTestWindow(when) {
				id, a.testChan = a.testChan, 0
			}
			a.count(v, a.example(v, msg), when, id, false)
			return
		}
		a.joins.put(a, rid, pending{v: v, msg: a.example(v, msg), when: stamp(when)})
		return
	case bytes.HasPrefix(msg, []byte(channelErrorPfx)) || bytes.HasPrefix(msg, []byte(relayErrorPfx+" (channel #")):
		// `channel error (channel #N, status code: S): M`, or one-api's and
		// older new-api's `relay error (channel #N, status code: S): M`.
		id, _ := leadingInt(msg[bytes.IndexByte(msg, '#')+1:])
		if p, ok := a.joins.take(rid); ok {
			// new-api's own status (500) is not the upstream's: the
			// `do request failed` line of this request says what happened.
			a.rep.Joined++
			a.count(p.v, p.msg, p.when[:], id, false)
			return
		}
		if !noRID {
			a.joins.markChannel(a, rid)
		}
		if hiddenCause(msg) {
			// The cause was in a `do request failed` line this log does not hold.
			a.unrecognized(msg)
			return
		}
		v := a.classify(msg)
		a.count(v, a.example(v, msg), when, id, false)
		return
	case bytes.HasPrefix(msg, []byte(relayErrorPfx+": ")):
		// The request's last word: it repeats the last channel error.
		if p, ok := a.joins.take(rid); ok {
			a.rep.Joined++
			a.count(p.v, p.msg, p.when[:], 0, false)
			a.joins.done(rid)
			return
		}
		if a.joins.done(rid) {
			a.rep.Joined++
			return
		}
		if hiddenCause(msg) {
			a.unrecognized(msg)
			return
		}
	}
	v := a.classify(msg)
	if !v.r.Recognized() {
		if lev := string(lv); lev == "ERR" || lev == "WARN" || lev == "FATAL" || lev == "" && looksLikeError(string(msg)) {
			a.unrecognized(msg)
		}
		return
	}
	a.count(v, a.example(v, msg), when, v.r.ChannelID, bytes.Contains(msg, []byte("准备禁用")))
}

// trimCutRune drops an incomplete UTF-8 sequence at the end of b.
func trimCutRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if c := b[len(b)-i]; utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// stamp keeps a line's timestamp without a string.
func stamp(when []byte) (t [21]byte) {
	copy(t[:], when)
	return t
}

// inTestWindow: a channel test's error at when is still the open test's.
func (a *analyzer) inTestWindow(when []byte) bool {
	if now := seconds(when); now >= 0 && a.testAt >= 0 {
		return now >= a.testAt && now-a.testAt <= testWindow
	}
	return a.rep.Lines-a.testLine <= testWindowLines
}

// seconds reads "2006/01/02 - 15:04:05" as seconds since 1970 (UTC, no
// allocation), or -1.
func seconds(when []byte) int64 {
	if len(when) != 21 {
		return -1
	}
	num := func(b []byte) int64 {
		var v int64
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int64(c-'0')
		}
		return v
	}
	y, mo, d := num(when[0:4]), num(when[5:7]), num(when[8:10])
	h, mi, s := num(when[13:15]), num(when[16:18]), num(when[19:21])
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || mi < 0 || s < 0 {
		return -1
	}
	// Days from civil (Howard Hinnant's algorithm).
	if mo <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + h*3600 + mi*60 + s
}

// clientCanceled: a request's context canceled with no other cause given.
// new-api passes its client's request context upstream, so this is the
// client that left (a closed tab, a stopped stream), not the provider;
// its own time-outs read "context deadline exceeded" instead.
func clientCanceled(msg string) bool {
	return strings.HasSuffix(strings.TrimRight(msg, " .\""), "context canceled")
}

// hiddenCause: new-api's message to clients, which hides the real error.
func hiddenCause(msg []byte) bool {
	return bytes.HasSuffix(msg, []byte("upstream error: do request failed")) || bytes.HasSuffix(msg, []byte("upstream response timed out"))
}

func leadingInt(s []byte) (v, n int) {
	for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

// classify is Classify with a bounded cache: a log repeats the same
// messages millions of times, but for a request id or a local port.
func (a *analyzer) classify(msg []byte) *verdict {
	if v := a.memo[string(msg)]; v != nil {
		return v // the message recurs as it is
	}
	key, _ := memoKey(msg, &a.keyBuf)
	if v := a.memo[string(key)]; v != nil {
		return v // the message recurs but for an id or a port
	}
	m := string(msg)
	r := Classify(m)
	r.Evidence = "" // not reported here; memory per message stays small
	v := &verdict{r: r, host: failedHost(m, r), clientGone: clientCanceled(m)}
	if r.URL != "" && hostOnly(r.URL) != v.host && strings.Contains(r.Probe, r.URL) {
		// The URL is quoted in an upstream's message (a 401's "find your
		// API key at https://platform.openai.com/…"): probing it confirms nothing.
		v.r.Probe = ""
	}
	if len(a.memo) >= maxMemo {
		clear(a.memo)
	}
	a.memo[string(key)] = v
	return v
}

// example is msg as a string when the report may show it (the first line
// of a cause, an unrecognised line among the first few), else "": most
// error lines are then counted without a copy of their text.
func (a *analyzer) example(v *verdict, msg []byte) string {
	if v.r.Recognized() && a.causes[v.r.Cause] != nil || !v.r.Recognized() && len(a.rep.UnrecognizedExamples) >= maxUnrecognizedExamples {
		return ""
	}
	return string(msg)
}

// memoKey is msg with the parts that vary from line to line but never
// change its Result blanked: the local port of `read tcp A:PORT->B:443`,
// and long opaque ids (request ids, trace ids: a token of 16 or more
// letters and digits, with 4 or more digits, no dot, colon or slash —
// never a host, port, path or status). It returns msg itself, unmasked,
// when there is nothing to blank.
func memoKey(msg []byte, buf *[]byte) ([]byte, bool) {
	out := (*buf)[:0]
	masked := false
	start := 0 // msg[:start] is in out
	blank := func(i, j int) {
		out = append(append(out, msg[start:i]...), '#')
		start, masked = j, true
	}
	for i := 0; i < len(msg); {
		c := msg[i]
		if isDigit(c) && i > 0 && msg[i-1] == ':' {
			j := i
			for j < len(msg) && isDigit(msg[j]) {
				j++
			}
			if j+1 < len(msg) && msg[j] == '-' && msg[j+1] == '>' {
				blank(i, j)
				i = j + 2
				continue
			}
		}
		if isIDByte(c) && (i == 0 || !isTokenByte(msg[i-1])) {
			j, digits, plain := i, 0, true
			for ; j < len(msg) && isTokenByte(msg[j]); j++ {
				if isDigit(msg[j]) {
					digits++
				} else if !isIDByte(msg[j]) {
					plain = false
				}
			}
			if plain {
				if j-i >= 16 && digits >= 4 {
					blank(i, j)
				}
				i = j
				continue
			}
		}
		i++
	}
	if !masked {
		return msg, false
	}
	out = append(out, msg[start:]...)
	*buf = out
	return out, true
}

// byteClass sorts bytes for memoKey: digits, other id bytes (letters, _
// and -), the rest of a token (. : /), and everything else (0).
var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= '0' && c <= '9':
			t[c] = classDigit
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-':
			t[c] = classID
		case c == '.' || c == ':' || c == '/':
			t[c] = classToken
		}
	}
	return t
}()

const (
	classDigit = 1 + iota
	classID
	classToken
)

func isDigit(c byte) bool     { return byteClass[c] == classDigit }
func isIDByte(c byte) bool    { k := byteClass[c]; return k == classDigit || k == classID }
func isTokenByte(c byte) bool { return byteClass[c] != 0 }

func (a *analyzer) unrecognized(msg []byte) {
	a.rep.Unrecognized++
	if len(a.rep.UnrecognizedExamples) < maxUnrecognizedExamples {
		a.rep.UnrecognizedExamples = append(a.rep.UnrecognizedExamples, clip(string(msg), 200))
	}
}

// count adds one error of channel id (0: the one its text names, if any).
// msg is the line's text when example said the report may show it.
func (a *analyzer) count(v *verdict, msg string, when []byte, id int, disableLine bool) {
	if v.clientGone {
		a.rep.ClientCanceled++
		return
	}
	r := &v.r
	if !r.Recognized() {
		a.rep.Unrecognized++
		if msg != "" && len(a.rep.UnrecognizedExamples) < maxUnrecognizedExamples {
			a.rep.UnrecognizedExamples = append(a.rep.UnrecognizedExamples, clip(msg, 200))
		}
		return
	}
	a.rep.Errors++
	a.rep.ByCategory[r.Category]++
	ca := a.causes[r.Cause]
	if ca == nil {
		ca = &causeAgg{example: clip(msg, maxExample), res: *r}
		a.causes[r.Cause] = ca
	}
	ca.count++
	if id <= 0 {
		id = r.ChannelID
	}
	a.channel(v, id, disableLine)
	a.hour(when, r.Category)
}

// pending is a `do request failed` line waiting for the `channel error`
// line of its request, which names the channel.
type pending struct {
	v    *verdict
	msg  string // see example
	when [21]byte
}

type joinEntry struct {
	p          pending
	has        bool // p waits for its channel
	channelErr bool // a channel error was counted: the relay error repeats it
	seq        uint64
}

// joinTable holds the requests whose lines are not all read yet. It is
// bounded: past its size, the oldest request is settled (its cause counted
// without a channel) and forgotten. new-api writes a request's lines
// within its retries, so a few thousand requests in flight is plenty.
// Lookups by the line's bytes do not allocate.
type joinTable struct {
	m    map[string]*joinEntry
	ring []ringSlot // insertion order, for eviction
	next int
	seq  uint64
}

type ringSlot struct {
	rid string
	seq uint64
}

func newJoinTable(max int) joinTable {
	return joinTable{m: make(map[string]*joinEntry, min(max, 1024)), ring: make([]ringSlot, max)}
}

// entry finds or adds rid, settling the oldest request when full.
func (j *joinTable) entry(a *analyzer, rid []byte) *joinEntry {
	if e := j.m[string(rid)]; e != nil {
		return e
	}
	if old := j.ring[j.next]; old.rid != "" {
		if e := j.m[old.rid]; e != nil && e.seq == old.seq {
			delete(j.m, old.rid)
			if e.has {
				a.count(e.p.v, e.p.msg, e.p.when[:], 0, false)
			}
		}
	}
	j.seq++
	e := &joinEntry{seq: j.seq}
	key := string(rid)
	j.m[key] = e
	j.ring[j.next] = ringSlot{rid: key, seq: j.seq}
	j.next = (j.next + 1) % len(j.ring)
	return e
}

// put records a request's real cause; one still waiting (two `do request
// failed` lines in a row) is counted without a channel first.
func (j *joinTable) put(a *analyzer, rid []byte, p pending) {
	e := j.entry(a, rid)
	if e.has {
		a.count(e.p.v, e.p.msg, e.p.when[:], 0, false)
	}
	e.p, e.has = p, true
}

// take hands back the cause waiting for rid's channel, if any.
func (j *joinTable) take(rid []byte) (pending, bool) {
	e := j.m[string(rid)]
	if e == nil || !e.has {
		return pending{}, false
	}
	p := e.p
	e.p, e.has, e.channelErr = pending{}, false, true
	return p, true
}

// markChannel notes that rid's channel error was counted on its own.
func (j *joinTable) markChannel(a *analyzer, rid []byte) { j.entry(a, rid).channelErr = true }

// done forgets rid (its relay error ends it) and reports whether a channel
// error of it was counted.
func (j *joinTable) done(rid []byte) bool {
	e := j.m[string(rid)]
	if e == nil {
		return false
	}
	delete(j.m, string(rid))
	return e.channelErr
}

// settle counts the causes still waiting, oldest first (end of the log).
func (j *joinTable) settle(a *analyzer) {
	for i := range j.ring {
		s := j.ring[(j.next+i)%len(j.ring)]
		if e := j.m[s.rid]; e != nil && e.seq == s.seq {
			delete(j.m, s.rid)
			if e.has {
				a.count(e.p.v, e.p.msg, e.p.when[:], 0, false)
			}
		}
	}
}

func looksLikeError(s string) bool {
	l := asciiLower(s)
	return strings.Contains(l, "error") || strings.Contains(l, "failed") || strings.Contains(l, "fatal")
}

// isGarbage: NUL bytes, other C0 controls or invalid UTF-8 mean not text.
func isGarbage(b []byte) bool { return hasControl(b) || !utf8.Valid(b) }

// hasControl: a NUL or another C0 control but tab (binary, not text).
// Eight bytes at a time: it runs on every error line.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		// A byte below 0x20 sets its high bit in (x - 0x20…) &^ x.
		if (x-0x20*ones)&^x&highs != 0 {
			break // one of these 8 may be a tab only: look byte by byte
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' {
			return true
		}
	}
	return false
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

// failedHost is the host a line says failed: the URL of the request Go
// made (`Post "https://host/…": …`), else the address it dialled or looked
// up. A URL inside an upstream's message (`…find your API key at
// https://platform.openai.com/…`) is not a host that failed.
func failedHost(msg string, r Result) string {
	if r.Category == diag.CatProxy {
		return "" // the proxy failed, not the upstream
	}
	for _, op := range []string{"Post \"", "Get \"", "Put \"", "Patch \"", "Delete \"", "Head \""} {
		if i := strings.Index(msg, op); i >= 0 {
			u := msg[i+len(op):]
			if j := strings.IndexByte(u, '"'); j > 0 {
				if h := hostOnly(u[:j]); h != "" {
					return h
				}
			}
		}
	}
	if r.URL == "" {
		return r.Host
	}
	return ""
}

func (a *analyzer) channel(v *verdict, id int, disableLine bool) {
	r := &v.r
	var c *chanAgg
	switch {
	case id > 0:
		if r.ChannelName != "" && r.ChannelID == id {
			a.names[id] = r.ChannelName
		}
		c = a.byID[id]
	case v.host != "":
		c = a.byHost[v.host]
	default:
		return
	}
	if c == nil {
		switch {
		case len(a.byID)+len(a.byHost) >= a.o.MaxChannels:
			a.rep.OverflowChannels++
			if a.other == nil {
				a.other = &chanAgg{byCause: map[diag.Cause]int64{}}
			}
			c = a.other
		case id > 0:
			c = &chanAgg{id: id, byCause: map[diag.Cause]int64{}}
			a.byID[id] = c
		default:
			c = &chanAgg{host: v.host, byCause: map[diag.Cause]int64{}}
			a.byHost[v.host] = c
		}
	}
	c.errors++
	if disableLine {
		c.disabled++
	}
	c.byCause[r.Cause]++
	if c.top == nil || c.top.r.Cause != r.Cause && c.byCause[r.Cause] > c.byCause[c.top.r.Cause] || c.top.r.Cause == r.Cause && c.top.host == "" {
		c.top = v
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

func (a *analyzer) hour(when []byte, cat diag.Category) {
	if len(when) < 15 {
		return
	}
	hs := a.lastHS
	if hs == nil || !bytes.Equal(when[:15], a.lastHour) {
		// "2006/01/02 - 15" → "2006-01-02 15:00"
		h := strings.ReplaceAll(string(when[:10]), "/", "-") + " " + string(when[13:15]) + ":00"
		if hs = a.hours[h]; hs == nil {
			if len(a.hours) >= a.o.MaxHours {
				a.rep.OverflowHours++
				return
			}
			hs = &HourStat{Hour: h, ByCategory: map[diag.Category]int64{}}
			a.hours[h] = hs
		}
		a.lastHour, a.lastHS = append(a.lastHour[:0], when[:15]...), hs
	}
	hs.Errors++
	hs.ByCategory[cat]++
}

func (a *analyzer) finish() *LogReport {
	a.joins.settle(a)
	rep := a.rep
	if a.span {
		rep.First, rep.Last = string(a.first[:]), string(a.last[:])
	}
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
	add := func(key string, c *chanAgg) {
		r := &c.top.r
		host := c.host
		if host == "" {
			host = c.top.host
		}
		cs := ChannelStat{Key: key, ID: c.id, Name: a.names[c.id], Host: host, Errors: c.errors, Disabled: c.disabled,
			ByCause: c.byCause, TopCause: r.Cause, Category: r.Category, Hint: r.Hint, Probe: r.Probe}
		if c.id > 0 && cs.Name != "" {
			cs.Key = key + " " + cs.Name
		}
		rep.Channels = append(rep.Channels, cs)
	}
	for id, c := range a.byID {
		add("#"+strconv.Itoa(id), c)
	}
	for host, c := range a.byHost {
		add("host "+host, c)
	}
	if a.other != nil {
		add(otherKey, a.other)
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
