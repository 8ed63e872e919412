package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

func sampleTrace() *probe.TraceResult {
	return &probe.TraceResult{
		Target: "api.example.test", Addr: netip.MustParseAddr("203.0.113.10"), Method: "udp",
		Hops: []probe.TraceHop{
			{TTL: 1, Addr: netip.MustParseAddr("192.168.1.1"), RTTsMS: []float64{0.5}, Sent: 1, Received: 1},
			{TTL: 2, Addr: netip.MustParseAddr("198.51.100.1"), RTTsMS: []float64{3}, Sent: 1, Received: 1},
			{TTL: 3, Sent: 2},
		},
		End: probe.TraceSilent, LastHop: 2,
	}
}

func TestRenderTraceRedaction(t *testing.T) {
	cases := []struct {
		name, format  string
		level         redact.Level
		hidden, shown []string
	}{
		{"text redacted", "text", redact.LevelDefault, []string{"203.0.113.10", "198.51.100.1", "192.168.1.1", "api.example.test"}, []string{"private-", "ip-", "silence after hop 2", "  3  * *"}},
		{"json redacted", "json", redact.LevelDefault, []string{"203.0.113.10", "198.51.100.1", "192.168.1.1"}, []string{`"addr": "private-`, `"end": "silent"`}},
		{"text unredacted", "text", redact.LevelNone, nil, []string{"203.0.113.10", "198.51.100.1", "192.168.1.1", "api.example.test"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rd := redact.New(c.level, nil)
			rd.AddHost("api.example.test")
			var b bytes.Buffer
			if err := RenderTrace(&b, sampleTrace(), c.format, Options{Redactor: rd}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, h := range c.hidden {
				if strings.Contains(out, h) {
					t.Errorf("%q leaked:\n%s", h, out)
				}
			}
			for _, s := range c.shown {
				if !strings.Contains(out, s) {
					t.Errorf("want %q in:\n%s", s, out)
				}
			}
			if c.format == "json" && !json.Valid(b.Bytes()) {
				t.Errorf("invalid JSON:\n%s", out)
			}
		})
	}
}

func TestRenderPingText(t *testing.T) {
	cases := []struct {
		name string
		r    probe.PingResult
		want []string
	}{
		{"replies", probe.PingResult{Target: "203.0.113.10", Addr: netip.MustParseAddr("203.0.113.10"), Mode: "privileged", Sent: 2, Received: 2,
			MinMS: 1, AvgMS: 1.5, MaxMS: 2, StdDevMS: 0.5, Replies: []probe.PingReply{{Seq: 0, RTTMS: 1, TTL: 63}, {Seq: 1, RTTMS: 2, TTL: 63}}},
			[]string{"seq=1 ttl=63 time=2.000 ms", "2 sent, 2 received, 0.0% loss", "min/avg/max/stddev = 1.000/1.500/2.000/0.500"}},
		{"no reply", probe.PingResult{Target: "h", Addr: netip.MustParseAddr("203.0.113.10"), Mode: "unprivileged", Sent: 3, LossPct: 100},
			[]string{"3 sent, 0 received, 100.0% loss", "no reply"}},
		{"skipped", probe.PingResult{Target: "h", Skipped: true, SkipReason: "uid 65534 without CAP_NET_RAW", Fix: "sudo setcap cap_net_raw+ep /bin/x"},
			[]string{"skipped: uid 65534", "fix: sudo setcap cap_net_raw+ep /bin/x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderPing(&b, &c.r, "text", Options{Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("want %q in:\n%s", w, b.String())
				}
			}
		})
	}
	if err := RenderPing(&bytes.Buffer{}, &probe.PingResult{}, "junit", Options{}); err == nil {
		t.Error("junit accepted for ping")
	}
}

// TestPathJSONSchemaVersion: ping and trace JSON carry schema_version like
// every other JSON document (they did not), with the result's fields beside it.
func TestPathJSONSchemaVersion(t *testing.T) {
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"ping", func(b *bytes.Buffer) error {
			return RenderPing(b, &probe.PingResult{Target: "localhost", Sent: 1}, "json", Options{Redactor: redact.New(redact.LevelDefault, nil)})
		}},
		{"trace", func(b *bytes.Buffer) error {
			return RenderTrace(b, &probe.TraceResult{Target: "localhost"}, "json", Options{Redactor: redact.New(redact.LevelDefault, nil)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc["schema_version"] != float64(diag.SchemaVersion) || doc["target"] != "localhost" {
				t.Fatalf("doc %v", doc)
			}
		})
	}
}

// TestRenderTraceWarning: a trace whose routers were all silent while the
// target answered says why in text and JSON.
func TestRenderTraceWarning(t *testing.T) {
	tr := &probe.TraceResult{Target: "203.0.113.10", Addr: netip.MustParseAddr("203.0.113.10"), Method: "icmp",
		Hops: []probe.TraceHop{{TTL: 1, Sent: 3}, {TTL: 2, Sent: 3}, {TTL: 3, Addr: netip.MustParseAddr("203.0.113.10"), Sent: 3, Received: 3, Note: "reached"}},
		End:  probe.TraceReached, EndHop: 3, LastHop: 3, Warning: "Windows Defender Firewall drops Time Exceeded"}
	for format, want := range map[string]string{"text": "note: Windows Defender Firewall drops Time Exceeded", "json": `"warning": "Windows Defender Firewall drops Time Exceeded"`} {
		var b bytes.Buffer
		if err := RenderTrace(&b, tr, format, Options{Redactor: redact.New(redact.LevelNone, nil)}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: want %q in:\n%s", format, want, b.String())
		}
	}
}
