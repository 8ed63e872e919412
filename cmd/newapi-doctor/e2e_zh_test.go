package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

var hanRE = regexp.MustCompile(`\p{Han}`)

// zhFixture is a loopback world with one endpoint per fault an operator
// meets first: refused, dns, proxy, tls, 429.
func zhFixture(t *testing.T) (args []string, relay, key string) {
	t.Helper()
	dns := pt.NewDNSServer(t)
	relay, key = "relay.internal.corp.test", "sk-proj-ZHsecret0123456789abcdefXYZ"
	dns.Set(relay+".", pt.Answer{A: []string{"127.0.0.1"}})
	ca := pt.NewCA(t)
	tlsSrv := pt.NewTLSServer(t, nil, ca.Leaf([]string{relay, "127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	limited := pt.NewHTTPUpstream(t, pt.Upstream{Status: 429, RetryAfter: "30", ContentType: "application/json", Body: `{"error":{"type":"rate_limit_error"}}`})
	closed := pt.ClosedPort(t)
	cfg := fmt.Sprintf(`endpoints:
  - name: 本地网关
    url: http://%[1]s/v1
  - name: nx
    url: https://missing.corp.test/v1
  - name: via-dead-proxy
    url: https://api.openai.com/v1
    proxy: http://alice:pw@%[1]s
  - name: untrusted
    url: https://%[2]s:%[3]s/v1
    key: %[5]s
  - name: limited
    url: http://%[2]s:%[4]s/v1
timeouts: {dns: 1s, connect: 1s, tls: 1s, http: 2s}
`, closed, relay, portOf(tlsSrv.Listener.Addr().String()), portOf(limited.Listener.Addr().String()), key)
	path := filepath.Join(testenv.TempDir(t), "newapi-doctor.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"check", "--config", path, "--resolver", dns.Addr}, relay, key
}

// TestE2EChineseHints: --lang zh-CN and LANG=zh_CN.UTF-8 give Chinese hints
// for each fault through the built binary; identifiers stay English, secrets
// stay out, LC_ALL=C wins over LANG.
func TestE2EChineseHints(t *testing.T) {
	args, relay, key := zhFixture(t)
	want := map[string]diag.Cause{"本地网关": diag.CauseLocalRefused, "nx": diag.CauseNXDOMAIN, "via-dead-proxy": diag.CauseProxyRefused,
		"untrusted": diag.CauseTLSUntrusted, "limited": diag.CauseRateLimited}
	for _, tc := range []struct {
		name  string
		env   []string
		flags []string
		zh    bool
	}{
		{"--lang zh-CN", nil, []string{"--lang", "zh-CN"}, true},
		{"LANG=zh_CN.UTF-8", []string{"LANG=zh_CN.UTF-8"}, nil, true},
		{"LC_ALL=C over LANG", []string{"LANG=zh_CN.UTF-8", "LC_ALL=C"}, nil, false},
		{"--lang en over LANG", []string{"LANG=zh_CN.UTF-8"}, []string{"--lang", "en"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runDoctor(t, tc.env, append(append(tc.flags, args...), "--format", "json")...)
			if r.code != ExitFailure {
				t.Fatalf("exit %d; stderr %s", r.code, r.errOut)
			}
			var rep diag.Report
			if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, r.out)
			}
			for _, e := range rep.Endpoints {
				if e.Cause != want[e.Name] {
					t.Errorf("%s: cause %q, want %q", e.Name, e.Cause, want[e.Name])
				}
				if hanRE.MatchString(e.Hint) != tc.zh {
					t.Errorf("%s: hint in the wrong language (zh=%v): %s", e.Name, tc.zh, e.Hint)
				}
				if hanRE.MatchString(string(e.Category) + string(e.Cause) + string(e.FailingLayer)) {
					t.Errorf("%s: identifiers translated: %s %s %s", e.Name, e.Category, e.Cause, e.FailingLayer)
				}
			}
			for _, field := range []string{`"category"`, `"cause"`, `"hint"`, `"severity"`} {
				if !strings.Contains(r.out, field) {
					t.Errorf("JSON lacks %s", field)
				}
			}
			if tc.zh {
				// The facts survive translation: Retry-After, the proxy client's port.
				for name, fact := range map[string]string{"limited": "Retry-After：30", "via-dead-proxy": "Clash"} {
					for _, e := range rep.Endpoints {
						if e.Name == name && !strings.Contains(e.Hint, fact) {
							t.Errorf("%s: hint lacks %q: %s", name, fact, e.Hint)
						}
					}
				}
			}
		})
	}
	t.Run("text", func(t *testing.T) {
		r := runDoctor(t, []string{"LANG=zh_CN.UTF-8"}, args...)
		for _, s := range []string{"汇总", "连接被拒绝 refused (local-refused)", "域名解析失败 dns (nxdomain)", "代理故障 proxy (proxy-refused)",
			"TLS/证书错误 tls (untrusted-certificate)", "上游繁忙或限流 overloaded (rate-limited)", "建议："} {
			if !strings.Contains(r.out, s) {
				t.Errorf("text lacks %q:\n%s", s, r.out)
			}
		}
		for _, secret := range []string{relay, key, "alice:pw"} {
			if strings.Contains(r.out+r.errOut, secret) {
				t.Errorf("text shows %q", secret)
			}
		}
		if strings.ContainsRune(r.out, '\uFFFD') {
			t.Errorf("mangled Chinese:\n%s", r.out)
		}
	})
	t.Run("bad --lang", func(t *testing.T) {
		r := runDoctor(t, nil, "--lang", "fr", "explain", "x")
		if r.code != ExitUsage || !strings.Contains(r.errOut, `"fr"`) {
			t.Errorf("exit %d stderr %q; want 2 naming the value", r.code, r.errOut)
		}
	})
}
