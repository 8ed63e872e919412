package diag

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// FuzzProxyPages: what a proxy or a middlebox answered (status, squid's
// header, an error page, a redirect) is untrusted input quoted into the
// hint. It never panics, and a text answer gives text evidence: valid UTF-8,
// clipped.
func FuzzProxyPages(f *testing.F) {
	f.Add(502, "ERR_DNS_FAIL 0", "<html><title>ERROR</title><p>Unable to determine IP address from host name</p></html>", "")
	f.Add(503, "", "<html><body>连接超时 connection timed out 上游服务器 "+strings.Repeat("无法连接", 20)+"</body></html>", "")
	f.Add(502, "", strings.Repeat("é", 50)+" connection refused "+strings.Repeat("字", 40), "")
	f.Add(302, "", "", "http://portal.example.net/login")
	f.Add(200, "", "<title>Blocked</title>", "")
	f.Fuzz(func(t *testing.T, status int, squid, body, location string) {
		h := http.Header{}
		if squid != "" {
			h.Set("X-Squid-Error", squid)
		}
		_, ev := proxySaid(&probe.ConnectError{StatusCode: status, Status: "x", Header: h, Body: []byte(body)})
		target, _ := url.Parse("https://api.openai.com/v1")
		proxy, _ := url.Parse("http://127.0.0.1:3128")
		hdr := http.Header{"Content-Type": {"text/html"}}
		_, ev2 := answerFromMiddle(&probe.HTTPResult{Status: status, Header: hdr, Body: []byte(body), Location: location}, target, proxy)
		if utf8.ValidString(body) && utf8.ValidString(squid) && utf8.ValidString(location) {
			low := strings.ToLower(pageText([]byte(body)))
			for _, w := range pageRefused {
				if ex := excerpt(low, w); !utf8.ValidString(ex) {
					t.Fatalf("excerpt %q of a UTF-8 page is not UTF-8 (quoted: %s)", ex, ev)
				}
			}
			for _, e := range []string{ev, ev2} {
				if !utf8.ValidString(e) {
					t.Fatalf("evidence is not UTF-8: %q", e)
				}
			}
		}
	})
}
