package report

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/explain"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

var hanRE = regexp.MustCompile(`\p{Han}`)

// zhOutputs renders every human format of every command's renderer in
// Chinese: report formats, the single probes, explain (a line and a log),
// ping and trace.
func zhOutputs(t *testing.T, rd *redact.Redactor) map[string]string {
	t.Helper()
	o := Options{Redactor: rd, Lang: i18n.ZH, Verbose: true}
	out := map[string]string{}
	rep := htmlSample()
	rep.Endpoints[1].Notes = []string{"a note"}
	rep.Endpoints[3].Proxy.Note = "ALL_PROXY is ignored"
	rep.Interrupted = true
	rep.Desktop = &diag.DesktopInfo{AppDir: `C:\Program Files\New API`, DataDir: `C:\Users\u\AppData\Roaming\New API`, Port: 3000,
		PortOwner: &diag.PortOwner{PID: 4321, Process: "new-api.exe"}, Excluded: &diag.PortRange{Start: 2950, End: 3049}}
	for _, f := range []string{"text", "markdown", "html"} {
		var b bytes.Buffer
		if err := Render(&b, rep, f, o); err != nil {
			t.Fatal(err)
		}
		out["check "+f] = b.String()
	}
	var b bytes.Buffer
	if err := RenderStatusPage(&b, StatusPage{}, o); err != nil {
		t.Fatal(err)
	}
	out["serve page"] = b.String()
	b.Reset()
	pr := diag.ProbeReport{Probe: "tcp", Target: "192.0.2.1:443", Category: diag.CatRefused, Cause: diag.CauseConnRefused, Hint: "提示"}
	if err := RenderProbe(&b, pr, "text", o); err != nil {
		t.Fatal(err)
	}
	out["tcp"] = b.String()
	b.Reset()
	line := explain.Classify("dial tcp 192.0.2.1:443: connect: connection refused")
	line.ChannelID, line.ChannelName, line.Probe = 7, "渠道七", "newapi-doctor tcp 192.0.2.1:443"
	probed := &diag.EndpointResult{Name: "x", Category: diag.CatOK}
	if err := RenderExplain(&b, []ExplainItem{{Input: "x", Result: line, Probe: probed}, {Input: "???", Result: explain.Classify("???")}}, "text", o); err != nil {
		t.Fatal(err)
	}
	out["explain"] = b.String()
	b.Reset()
	lr, err := explain.AnalyzeLog(strings.NewReader("2026/01/02 03:04:05 channel #3 error: dial tcp 192.0.2.1:443: connect: connection refused\n"), explain.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o2 := o
	o2.Verbose = false
	if err := RenderLogReport(&b, lr, "text", o2); err != nil {
		t.Fatal(err)
	}
	out["explain --log"] = b.String()
	b.Reset()
	ping := &probe.PingResult{Target: "192.0.2.1", Addr: netip.MustParseAddr("192.0.2.1"), Mode: "unprivileged", Sent: 2, Received: 1, LossPct: 50,
		Replies: []probe.PingReply{{Seq: 1, TTL: 60, RTTMS: 1.5}}}
	if err := RenderPing(&b, ping, "text", o); err != nil {
		t.Fatal(err)
	}
	out["ping"] = b.String()
	b.Reset()
	if err := RenderTrace(&b, sampleTrace(), "text", o); err != nil {
		t.Fatal(err)
	}
	out["trace"] = b.String()
	return out
}

// Every word the renderers print has a Chinese form; identifiers stay.
func TestChineseOutputs(t *testing.T) {
	i18n.ResetMissing()
	outs := zhOutputs(t, redact.New(redact.LevelNone, nil))
	if m := i18n.MissingKeys(); len(m) > 0 {
		t.Errorf("%d messages have no Chinese form (add them to report/zh.go):\n%q", len(m), m)
	}
	for name, s := range outs {
		if !hanRE.MatchString(s) {
			t.Errorf("%s: no Chinese in\n%s", name, s)
		}
		if strings.Contains(s, "%!") {
			t.Errorf("%s: broken format in\n%s", name, s)
		}
	}
	for _, want := range []string{"汇总", "连接被拒绝 refused (local-refused)", "代理故障 proxy (proxy-refused)", "建议：", "已中断"} {
		if !strings.Contains(outs["check text"], want) {
			t.Errorf("check text lacks %q:\n%s", want, outs["check text"])
		}
	}
	if !strings.Contains(outs["check html"], `<html lang="zh-CN">`) {
		t.Error("the html page does not declare its language")
	}
}

// Redaction still applies to Chinese text, and leaves the Chinese intact.
func TestChineseOutputsRedacted(t *testing.T) {
	rd := redact.New(redact.LevelDefault, nil)
	rd.AddSecret(htmlSecret)
	for name, s := range zhOutputs(t, rd) {
		if strings.Contains(s, htmlSecret) || strings.Contains(s, "alice") || strings.Contains(s, "192.0.2.1") {
			t.Errorf("%s leaks:\n%s", name, s)
		}
		if strings.ContainsRune(s, '\uFFFD') {
			t.Errorf("%s: Chinese mangled by redaction:\n%s", name, s)
		}
	}
	outs := zhOutputs(t, rd)
	if !strings.Contains(outs["check text"], "连接被拒绝") || !strings.Contains(outs["check text"], "汇总") {
		t.Errorf("Chinese lost after redaction:\n%s", outs["check text"])
	}
}

// Columns still line up when the verdicts are Chinese (display width).
func TestChineseColumns(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, htmlSample(), "text", Options{Redactor: redact.New(redact.LevelNone, nil), Lang: i18n.ZH}); err != nil {
		t.Fatal(err)
	}
	starts := map[int]bool{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if i := strings.Index(line, "  在 "); i > 0 {
			starts[testCols(line[:i])] = true
		}
	}
	if len(starts) != 1 {
		t.Errorf("the column after the verdict starts at widths %v:\n%s", starts, buf.String())
	}
}
