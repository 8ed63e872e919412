package explain

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// StripANSI removes terminal colour and control sequences (CSI "ESC [ … X",
// OSC "ESC ] … BEL|ESC \", and "ESC ( B"-like escapes). Logs of new-api (gin) run
// with a terminal carry colours; without this every such line was "not text".
func StripANSI(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != 0x1b || i+1 >= len(b) {
			out = append(out, b[i])
			i++
			continue
		}
		switch b[i+1] {
		case '[':
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			i = j + 1
		case ']':
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			i = j + 1
		default: // ESC, intermediates (0x20-0x2f), a final byte: "ESC ( B"
			j := i + 1
			for j < len(b) && b[j] >= 0x20 && b[j] <= 0x2f {
				j++
			}
			i = j + 1
		}
	}
	return out
}

// IsText reports whether a line is text: no NUL or other C0 control but tab,
// and valid UTF-8 (after StripANSI).
func IsText(b []byte) bool { return !isGarbage(b) }

// Line is one line of a pasted text and what it means.
type Line struct {
	Input  string
	Result Result
}

// ClassifyText explains a pasted text the way a person reads it: each
// non-empty text line on its own (indented lines with the one they
// continue, stack frames left out), keeping only the lines recognised (a
// stack trace has one line that matters); when no single line is, the
// lines are read together (a cause split over lines). Colour codes are
// stripped and lines that are not text skipped, as --log does. It returns
// nil when the text has no text line at all.
func ClassifyText(text string) []Line {
	text = dropEscapedColour(text) // before the lines are split and status lines found (Classify does it per line too)
	var texts []string
	afterFrame := false
	for _, ln := range dropContainerPrefix(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")) {
		b := StripANSI([]byte(strings.TrimSpace(ln)))
		if len(b) > 0 && afterFrame && (ln[0] == ' ' || ln[0] == '\t') {
			afterFrame = false
			continue // the source line Python prints under a frame ("raise OSError(…'Connect call failed')")
		}
		afterFrame = len(b) > 0 && pythonFrame(string(b))
		if len(b) == 0 || !IsText(b) || stackFrame(string(b)) {
			continue
		}
		if len(texts) > 0 && (ln[0] == ' ' || ln[0] == '\t') {
			// An indented line continues the one before: a wrapped
			// message, an inspected error's fields, a JSON body.
			texts[len(texts)-1] += " " + string(b)
			continue
		}
		texts = append(texts, string(b))
	}
	if len(texts) == 0 {
		return nil
	}
	for i, t := range texts {
		if cloudflareText(t) {
			texts = []string{strings.Join(texts, " ")}
			break
		}
		if strings.HasPrefix(t, "<") && i == 0 || isPageStart(t) {
			// A web page pasted over lines is one answer: its <title> and its
			// markup say one thing together, with the status line before it.
			if i > 0 && statusOf(asciiLower(texts[i-1])) != 0 && statusOf(asciiLower(t)) == 0 {
				i--
			}
			texts = append(texts[:i:i], strings.Join(texts[i:], " "))
			break
		}
	}
	texts = joinHeaders(texts)
	if curlTranscript(texts) {
		// curl -v: the "* " lines say why the "curl: (N)" summary failed.
		texts = []string{strings.Join(texts, " ")}
	}
	var out []Line
	if len(texts) > 1 {
		for _, ln := range texts {
			if r := Classify(ln); r.Recognized() {
				out = append(out, Line{Input: ln, Result: r})
			}
		}
	}
	out = wrappedConnect(out, texts)
	out = dropGenericConnect(out)
	out = dropWrappers(out)
	if len(out) == 0 {
		t := strings.Join(texts, " ") // a message wrapped over lines reads whole again
		r := Classify(t)
		if !r.Recognized() {
			r = Guess(t) // a person asked about this text: the likeliest reading, said to be one
		}
		out = append(out, Line{Input: t, Result: r})
	}
	return out
}

// wrappedConnect: a connect that failed, its reason wrapped onto a line of
// its own ("Cannot connect to host h:443 ssl:default [The semaphore" /
// "timeout period has expired]"): the bare time-out is the connect's, read
// whole.
func wrappedConnect(out []Line, texts []string) []Line {
	generic := false
	for _, l := range out {
		switch {
		case l.Result.Layer == diag.LayerTCP && genericConnect(l.Input):
			generic = true
		case l.Result.Cause != diag.CauseNoResponse:
			return out
		}
	}
	if !generic || len(out) < 2 {
		return out
	}
	t := strings.Join(texts, " ")
	if r := Classify(t); r.Layer == diag.LayerTCP {
		return []Line{{Input: t, Result: r}}
	}
	return out
}

// dropGenericConnect: a line that says only that a connect failed ("fetch
// failed", "Connection error.") yields to another line that says why.
func dropGenericConnect(out []Line) []Line {
	var kept []Line
	for _, l := range out {
		// Generic only when the verdict itself is that reasonless connect:
		// "Failed to connect to h: Hostname/IP does not match…" says why.
		if l.Result.Layer != diag.LayerTCP || !genericConnect(l.Input) {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return out
	}
	return kept
}

// dropWrappers: lines that only wrap the cause another line gives. A bare
// 500 or another unexpected status is the program that reports the failure
// (new-api's own 500, a daemon's "failed with status 500: … TLS handshake
// timeout"), a TLS failure with no reason is the wrapper of the line that
// says it (.NET's "The SSL connection could not be established, see inner
// exception"), and a connect's failure beside a proxy's is the proxy's connect.
func dropWrappers(out []Line) []Line {
	if len(out) < 2 {
		return out
	}
	proxy, specific, phased, tlsReason, transport := false, false, false, false, false
	for _, l := range out {
		transport = transport || l.Result.Layer != diag.LayerHTTP && !accessLine(l.Input)
		proxy = proxy || l.Result.Category == diag.CatProxy
		specific = specific || !wrapperCause(l.Result.Cause)
		phased = phased || l.Result.Cause == diag.CauseSYNTimeout || l.Result.Cause == diag.CauseTLSTimeout || l.Result.Cause == diag.CauseDNSTimeout
		tlsReason = tlsReason || l.Result.Layer == diag.LayerTLS && l.Result.Cause != diag.CauseTLSOther
	}
	var kept, connects []Line
	for _, l := range out {
		switch {
		case specific && wrapperCause(l.Result.Cause):
		case tlsReason && l.Result.Cause == diag.CauseTLSOther:
		case phased && l.Result.Cause == diag.CauseNoResponse:
			// "Timeout was reached" beside a connect that timed out: the connect's.
		case transport && accessLine(l.Input):
			// A gateway's access log ("[GIN] … | 403 |") is its answer to its
			// own client, beside the line that says why its upstream failed.
		case proxy && (l.Result.Layer == diag.LayerTCP || l.Result.Layer == diag.LayerTLS && l.Result.Category == diag.CatBlocked):
			// A connect's reason, or a cut in the tunnel, beside the proxy's words.
			connects = append(connects, l)
		default:
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return out
	}
	if len(connects) > 0 {
		// The proxy's words and the connect's reason, read together: "Cannot
		// connect to proxy" + "Connection refused" is the proxy refusing.
		var all []string
		for _, l := range out {
			all = append(all, l.Input)
		}
		t := strings.Join(all, " ")
		if r := Classify(t); r.Category == diag.CatProxy {
			return []Line{{Input: t, Result: r}}
		}
	}
	return kept
}

// accessLine: a line of a gateway's access log (gin's "[GIN] 2023/10/11 -
// 19:26:50 | 403 | 2m7s | …").
func accessLine(ln string) bool {
	i := strings.Index(ln, "[GIN] ")
	return i >= 0 && strings.Count(ln[i:], " | ") >= 3
}

func wrapperCause(c diag.Cause) bool {
	return c == diag.CauseHTTPStatus || c == diag.CauseServerError
}

// genericConnect: the text names a failed connect and no reason for it.
func genericConnect(text string) bool {
	low := asciiLower(text)
	if proxyContext(low) != "" {
		return false // "Cannot connect to proxy" names what failed
	}
	if k, _ := (&facts{}).kind(low); k != diag.KindOther {
		return false
	}
	return firstOf(low, connectFailedWords...) != ""
}

// reEscapedColour: a colour code written out as an escape ("\u001b[31m"),
// as a JSON log or a repr holds it: its digits are no status.
var reEscapedColour = regexp.MustCompile(`\\(?:u001[bB]|x1[bB]|033|e)\[[0-9;]*m`)

func dropEscapedColour(s string) string {
	if !strings.Contains(s, `\`) || !strings.Contains(s, `[`) {
		return s // the common case: no regexp run
	}
	return reEscapedColour.ReplaceAllString(s, "")
}

// reInlineFrame: a Node stack frame pasted on the error's own line ("… at
// GetAddrInfoReqWrap.emitLookup [as callback] (node:net:1526:7)"): it names
// code, and its names ("GetAddrInfo…") must not read as a lookup.
var reInlineFrame = regexp.MustCompile(`\s+at [^()\s]+(?: \[as [^\]]+\])? \(node:[^)]*\)`)

func dropInlineFrames(s string) string {
	if !strings.Contains(s, "(node:") {
		return s
	}
	return reInlineFrame.ReplaceAllString(s, "")
}

// reStatusLine and reHeader: an HTTP response's status line and its header
// lines, as curl -i / -D - prints them.
var (
	reStatusLine = regexp.MustCompile(`^(?:[<>] )?HTTP/[0-9.]+ [1-5][0-9][0-9]\b`) // curl -v marks a response's lines "< "
	reHeader     = regexp.MustCompile(`^(?:[<>] )?[A-Za-z][A-Za-z0-9-]*: `)
)

// joinHeaders reads a status line and the header lines after it as one
// answer: a proxy's X-Squid-Error says more than its 503.
func joinHeaders(texts []string) []string {
	for i := 0; i < len(texts); i++ {
		if !reStatusLine.MatchString(texts[i]) {
			continue
		}
		j := i + 1
		for j < len(texts) && reHeader.MatchString(texts[j]) {
			j++
		}
		if j > i+1 {
			texts = append(texts[:i:i], append([]string{strings.Join(texts[i:j], " ")}, texts[j:]...)...)
		}
	}
	return texts
}

// isPageStart: the line an HTML page starts on (after an error's own words, if any).
func isPageStart(t string) bool {
	low := asciiLower(t)
	return strings.Contains(low, "<!doctype html") || strings.Contains(low, "<html")
}

// cloudflareText: a line of Cloudflare's error page copied as text ("Error
// 522 Ray ID: …", "What happened? … Cloudflare's network …"): the whole
// paste is that page, its title ("Connection timed out") on a line of its own.
func cloudflareText(t string) bool {
	low := asciiLower(t)
	return strings.Contains(low, "ray id:") || strings.Contains(low, "cloudflare's network")
}

// curlTranscript: curl's verbose lines ("* …") and its summary line.
func curlTranscript(texts []string) bool {
	summary, verbose := false, false
	for _, t := range texts {
		summary = summary || strings.HasPrefix(t, "curl: (")
		verbose = verbose || strings.HasPrefix(t, "* ")
	}
	return summary && verbose
}

// reContainer: docker compose's "service   | " before each line of a container.
var reContainer = regexp.MustCompile(`^[A-Za-z0-9_.@-]+ +\| ?`)

// dropContainerPrefix removes the prefix docker compose writes before every
// line of one container, so the lines' own indentation shows again.
func dropContainerPrefix(lines []string) []string {
	prefix := ""
	for _, ln := range lines {
		if strings.TrimSpace(ln) == "" {
			continue
		}
		p := reContainer.FindString(ln)
		if p == "" || prefix != "" && p != prefix {
			return lines
		}
		prefix = p
	}
	if prefix == "" {
		return lines
	}
	out := make([]string, len(lines))
	for i, ln := range lines {
		out[i] = strings.TrimPrefix(ln, prefix)
	}
	return out
}
