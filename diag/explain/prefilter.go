package explain

// A line that is not in new-api's format (Go's log lines, GORM's SQL
// traces, panics, text pasted from another program) goes to Classify only
// when it holds one of these markers. Classify runs dozens of word lists
// and regexps (microseconds a line); a log taken with SQL_DEBUG has
// millions of distinct SQL lines that mean nothing to it. The list is
// wide on purpose: TestPrefilterRecall checks that every line of the
// corpora Classify recognises passes it, so a rule added to Classify
// without its marker here fails that test.
var prefilterWords = []string{
	// wording of failures
	"error", "err_", "fail", "fatal", "panic", "exception", "refuse", "reject", "timeout", "timed out",
	"time out", "deadline", "eof", "reset", "abort", "closed", "close", "broken", "denied", "permission",
	"forbidden", "unauthori", "unreach", "no route", "not known", "no such", "not found", "resolv",
	"lookup", "dns", "nxdomain", "servfail", "rcode", "x509", "tls", "ssl", "cert", "handshake", "proxy",
	"socks", "tunnel", "connect", "status", "http", "invalid", "incorrect", "too many", "rate", "quota",
	"overload", "unavailable", "gateway", "block", "exceed", "insufficient", "balance", "credit",
	"billing", "region", "country", "location", "support", "api key", "api_key", "apikey", "malformed", "goaway",
	"protocol", "moment", "<html", "<!doctype", "cloudflare", "cf-ray", "upstream", "disconnect",
	"cancel", "unexpected", "network", "host", "socket", "econn", "etimedout", "enotfound", "eai_",
	"ehost", "enet", "eacces", "epipe", "wsa", "winerror", "errno", "code", "reply", "saturat", "busy",
	"capacity", "deployment", "url", "auth", "unknown", "empty", "warn", "getaddrinfo", "not exist",
	"access", "no data", "in use", "bind", "per min", "too large", "payment", "unmarshal", "timedout", "expired",
	"expecting value", "trust", "offline", "is it running", "limit reached", "cannot post", "cannot get", "not allowed", "credential", "signature", "logged in", "terminated", "provider", "available",
	"version number", "not recognized", "not permitted", "usage has reached", "context length", "stream ended", "exhausted",
	// statuses a line may begin with ("529 overloaded")
	"400", "401", "402", "403", "404", "429", "500", "502", "503", "504", "524", "529",
	// Winsock numbers
	"10013", "10050", "10051", "10053", "10054", "10055", "10060", "10061", "10065", "11001", "11002", "11004",
}

// prefilterPairs indexes the markers by their first two bytes (lower
// case): one pass over the line, and a marker compared only where its
// first two bytes are — the Aho-Corasick idea without its automaton.
var prefilterPairs, prefilterBuckets = func() (idx [1 << 16]uint8, buckets [][]string) {
	for _, w := range prefilterWords {
		k := uint16(w[0])<<8 | uint16(w[1])
		if idx[k] == 0 {
			buckets = append(buckets, nil)
			idx[k] = uint8(len(buckets))
		}
		buckets[idx[k]-1] = append(buckets[idx[k]-1], w)
	}
	return idx, buckets
}()

// mayBeError reports whether a plain line may mean something to Classify:
// any non-ASCII byte (Chinese, Windows' localised messages) or a marker,
// ASCII case ignored.
func mayBeError(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	prev := lower(b[0])
	if prev >= 0x80 {
		return true
	}
	for i := 1; i < len(b); i++ {
		c := lower(b[i])
		if c >= 0x80 {
			return true
		}
		if k := prefilterPairs[uint16(prev)<<8|uint16(c)]; k != 0 {
			for _, w := range prefilterBuckets[k-1] {
				if hasFoldPrefix(b[i-1:], w) {
					return true
				}
			}
		}
		prev = c
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldPrefix: b starts with w (lower case) ignoring ASCII case.
func hasFoldPrefix(b []byte, w string) bool {
	if len(b) < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if lower(b[j]) != w[j] {
			return false
		}
	}
	return true
}
