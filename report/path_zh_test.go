package report

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// A path localised for real (loopback) reads in Chinese in every human
// format under zh-CN, and as diag's English sentence otherwise.
func TestPathSummaryFollowsLang(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	pi := diag.LocalisePath(context.Background(), diag.PathTarget{Host: "api.example.test", Addr: netip.MustParseAddr("127.0.0.1"), Port: port})
	zh := pi.SummaryIn(i18n.ZH)
	if zh == pi.Summary || !hanRE.MatchString(zh) {
		t.Fatalf("summary not in Chinese: %q", zh)
	}
	// The sentence's start: markdown and html escape brackets and quotes.
	zhHead, _, _ := strings.Cut(zh, "（")
	enHead, _, _ := strings.Cut(pi.Summary, "(")
	rep := htmlSample()
	for i := range rep.Endpoints {
		if rep.Endpoints[i].Path != nil { // a failed endpoint: every format shows its path
			rep.Endpoints[i].Path = pi
		}
	}
	for _, f := range []string{"text", "markdown", "html"} {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			var b bytes.Buffer
			if err := Render(&b, rep, f, Options{Redactor: redact.New(redact.LevelNone, nil), Lang: l}); err != nil {
				t.Fatal(err)
			}
			want := enHead
			if l == i18n.ZH {
				want = zhHead
			}
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s %s lacks the path summary %q:\n%s", f, l, want, b.String())
			}
		}
	}
}
