package diag

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// pathFacts are what a translation must keep: flags, kebab-case reasons and
// layers, numbers (hops, ports, codes) and addresses.
var pathFacts = regexp.MustCompile(`--[a-z-]+|[a-z]+(?:-[a-z]+)+|\d+(?:\.\d+)*|cap_net_raw\+ep|/[^\s）]+|net\.ipv4\.ping_group_range="[^"]*"`)

// pathWordsKept are the English words a Chinese path summary keeps: protocol
// and tool names an operator types or reads in their own output.
var pathWordsKept = map[string]bool{"ping": true, "traceroute": true, "trace": true, "TCP": true, "UDP": true,
	"ICMP": true, "code": true, "RST": true, "TLS": true, "tcp": true, "sudo": true, "setcap": true, "sysctl": true, "raw": true, "echo": true, "socket": true, "root": true, "newapi": true, "doctor": true}

// assertChinese fails when zh is still English: no Han, the English text
// itself, an English word left after the kept facts are removed, or a fact
// of the English sentence lost.
func assertChinese(t *testing.T, en, zh string) {
	t.Helper()
	if zh == en || !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Fatalf("not Chinese: %q", zh)
	}
	if strings.Contains(zh, "%!") {
		t.Errorf("bad verb: %q", zh)
	}
	rest := zh
	for _, f := range pathFacts.FindAllString(en, -1) {
		if !strings.Contains(zh, f) {
			t.Errorf("%q lost the fact %q of %q", zh, f, en)
		}
		rest = strings.ReplaceAll(rest, f, " ")
	}
	for _, w := range regexp.MustCompile(`[A-Za-z]{2,}`).FindAllString(rest, -1) {
		if !pathWordsKept[w] {
			t.Errorf("English word %q left in %q", w, zh)
		}
	}
}

func TestPathSummariesChinese(t *testing.T) {
	router := netip.MustParseAddr("198.51.100.1")
	target := netip.MustParseAddr("203.0.113.10")
	hop := func(ttl int, note string) probe.TraceHop {
		return probe.TraceHop{TTL: ttl, Addr: router, Sent: 1, Received: 1, Note: note}
	}
	reached := probe.TraceResult{Method: "icmp", End: probe.TraceReached, EndHop: 2, LastHop: 2, Hops: []probe.TraceHop{hop(1, ""), hop(2, "reached")}}
	udpReached := reached
	udpReached.Method = "udp"
	silent := probe.TraceResult{Method: "udp", End: probe.TraceSilent, LastHop: 1, Hops: []probe.TraceHop{hop(1, ""), {TTL: 2, Sent: 3}}}
	tcpSilent := silent
	tcpSilent.Method = "tcp"
	tcpOpen := probe.TraceResult{Method: "tcp", End: probe.TraceReached, EndHop: 2, LastHop: 2, Hops: []probe.TraceHop{hop(1, ""), hop(2, "reached")}}
	tcpReset := tcpOpen
	tcpReset.Hops = []probe.TraceHop{hop(1, ""), hop(2, "reset")}
	rejected := probe.TraceResult{Method: "tcp", End: probe.TraceUnreachable, EndHop: 2, LastHop: 2, UnreachableFrom: router, Reason: "admin-prohibited", ICMPCode: 13, Hops: []probe.TraceHop{hop(1, ""), hop(2, "admin-prohibited")}}
	noRoute := probe.TraceResult{Method: "icmp", End: probe.TraceUnreachable, EndHop: 1, LastHop: 1, Reason: "network-unreachable", Hops: []probe.TraceHop{{TTL: 1}}}
	pingOK, pingLost := probe.PingResult{Sent: 3, Received: 3}, probe.PingResult{Sent: 3}
	noHop := probe.TraceResult{Method: "udp", End: probe.TraceSilent, Hops: []probe.TraceHop{{TTL: 1, Sent: 3}}}
	traceErr := probe.TraceResult{Err: probe.ErrNoPrivilege} // no error text: the OS's words stay as they are

	type sum struct {
		name string
		pi   *PathInfo
	}
	var sums []sum
	add := func(name string, pr probe.PingResult, tr probe.TraceResult, tcp *probe.TraceResult, port int, who phrase) {
		pi := &PathInfo{}
		_, s := summarisePath(pr, tr, tcp, port, who)
		pi.setSummary(s)
		sums = append(sums, sum{name, pi})
	}
	for _, w := range []PathTarget{{Role: PathRoleTarget}, {Role: PathRoleProxy}} {
		who := w.who()
		add(w.Role+"/port filtered", pingOK, reached, &tcpSilent, 7890, who)
		add(w.Role+"/udp answers, port filtered", pingLost, udpReached, &tcpSilent, 443, who)
		add(w.Role+"/tcp open", pingOK, reached, &tcpOpen, 443, who)
		add(w.Role+"/tcp reset", pingOK, reached, &tcpReset, 8443, who)
		add(w.Role+"/port rejected", pingOK, reached, &rejected, 443, who)
		add(w.Role+"/path ends", pingLost, silent, &tcpSilent, 443, who)
		add(w.Role+"/reached, no port", pingOK, reached, nil, 0, who)
		add(w.Role+"/ping only, tcp not traced", pingOK, silent, &probe.TraceResult{Skipped: true}, 443, who)
		add(w.Role+"/trace only", pingLost, reached, nil, 0, who)
	}
	add("unreachable from this machine", pingLost, noRoute, nil, 0, ph("the target"))
	add("no hop", pingLost, noHop, nil, 0, ph("the target"))
	add("could not run", pingLost, traceErr, nil, 0, ph("the target"))
	// The skip reason and its fix come from the probes' own catalogue.
	pr := probe.Ping(context.Background(), "127.0.0.1", probe.PingOptions{Count: 1, Privileges: &probe.Privileges{}})
	tr := probe.Trace(context.Background(), "127.0.0.1", probe.TraceOptions{Method: probe.TraceICMP, Privileges: &probe.Privileges{}})
	if pr.Skipped && tr.Skipped { // not on Windows: its ICMP API needs no privilege
		add("skipped: the fix", pr, tr, nil, 0, ph("the target"))
		if !strings.Contains(sums[len(sums)-1].pi.SummaryIn(i18n.ZH), "sudo setcap cap_net_raw+ep ") {
			t.Errorf("the setcap fix is lost: %q", sums[len(sums)-1].pi.SummaryIn(i18n.ZH))
		}
	}
	for _, by := range []Layer{LayerTCP, LayerProxyTCP, LayerProxyConnect} {
		sums = append(sums, sum{"proven by " + string(by), provenOpen(PathTarget{Host: "api.example.test", Addr: target, Port: 7890}, by)})
	}
	viaProxy := provenOpen(PathTarget{Addr: target, Port: 443}, LayerTCP)
	viaProxy.addSummary(ph(" (probed from this machine directly, not through the proxy)"))
	sums = append(sums, sum{"probed directly behind a proxy", viaProxy})

	for _, s := range sums {
		t.Run(s.name, func(t *testing.T) {
			if en := s.pi.SummaryIn(i18n.EN); en != s.pi.Summary {
				t.Fatalf("English rendering %q differs from Summary %q", en, s.pi.Summary)
			}
			zh := s.pi.SummaryIn(i18n.ZH)
			t.Logf("%s\n%s", s.pi.Summary, zh)
			assertChinese(t, s.pi.Summary, zh)
		})
	}
}
