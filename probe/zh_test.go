package probe

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// skipFacts are what a Chinese skip reason or fix must keep as they are:
// commands, flags, sysctls, ids, paths.
var skipFacts = regexp.MustCompile(`sudo setcap cap_net_raw\+ep \S+|sudo sysctl -w \S+="[^"]*"|sudo \S+ (?:ping|trace) …|--method icmp|netsh .*|net\.ipv4\.ping_group_range(?:="[^"]*")?|[ug]id \d+|/\S+`)

// skipWordsKept: names an operator reads in their own tools' output.
var skipWordsKept = map[string]bool{"ping": true, "trace": true, "traceroute": true, "tracert": true, "raw": true, "ICMP": true,
	"echo": true, "socket": true, "root": true, "CAP_NET_RAW": true, "Windows": true, "Defender": true, "API": true,
	"Time": true, "Exceeded": true, "icmp": true, "udp": true, "tcp": true, "true": true, "false": true, "uid": true}

func TestSkipReasonsChinese(t *testing.T) {
	const bin = "/usr/local/bin/newapi-doctor"
	msgs := map[string]i18n.Msg{
		"ping fix":             pingFix(bin),
		"trace fix":            traceFix(bin),
		"silent hops":          silentHopsWarning,
		"this machine's privs": DetectPrivileges().DetailMsg(),
	}
	if !systemICMP { // Windows pings through iphlpapi: nothing to skip
		pr := Ping(context.Background(), "127.0.0.1", PingOptions{Count: 1, Privileges: &Privileges{}})
		tr := Trace(context.Background(), "127.0.0.1", TraceOptions{Method: TraceICMP, Privileges: &Privileges{}})
		if !pr.Skipped || !tr.Skipped {
			t.Fatalf("without privileges ping skipped=%v, trace skipped=%v; want both", pr.Skipped, tr.Skipped)
		}
		msgs["ping skipped"], msgs["ping skipped: fix"] = pr.SkipReasonMsg(), pr.FixMsg()
		msgs["trace skipped"], msgs["trace skipped: fix"] = tr.SkipReasonMsg(), tr.FixMsg()
		if pr.SkipReasonMsg().In(i18n.EN) != pr.SkipReason || pr.FixMsg().In(i18n.EN) != pr.Fix || tr.FixMsg().In(i18n.EN) != tr.Fix {
			t.Errorf("English rendering differs from the fields: %q %q %q", pr.SkipReason, pr.Fix, tr.Fix)
		}
	}
	for name, m := range msgs {
		t.Run(name, func(t *testing.T) {
			en, zh := m.In(i18n.EN), m.In(i18n.ZH)
			t.Logf("%s\n%s", en, zh)
			if en == zh || !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) || strings.Contains(zh, "%!") {
				t.Fatalf("not Chinese: %q", zh)
			}
			rest := zh
			for _, f := range skipFacts.FindAllString(en, -1) {
				f = strings.TrimRight(f, ")")
				if !strings.Contains(zh, f) {
					t.Errorf("%q lost %q", zh, f)
				}
				rest = strings.ReplaceAll(rest, f, " ")
			}
			for _, w := range regexp.MustCompile(`[A-Za-z_]{2,}`).FindAllString(rest, -1) {
				if !skipWordsKept[w] {
					t.Errorf("English word %q left in %q", w, zh)
				}
			}
		})
	}
}
