package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// TestCheckKeepsNamesWithAShortPassword (issue 9 item 9): a proxy password
// "wrong" once turned the endpoint proxy-wrong-password into
// proxy-[REDACTED]-password in every format, which --require, JUnit names and
// metrics labels then failed to match. The proxy here really wants another
// password (407), as in the report.
func TestCheckKeepsNamesWithAShortPassword(t *testing.T) {
	up := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	proxy := pt.NewConnectProxy(t, pt.ProxyBehaviour{User: "ops", Pass: "right", Hosts: map[string]string{"api.example.test": up.Listener.Addr().String()}})
	cfg := filepath.Join(testenv.TempDir(t), "newapi-doctor.yaml")
	body := fmt.Sprintf("endpoints:\n  - name: proxy-wrong-password\n    url: http://api.example.test/v1\n    proxy: http://ops:wrong@%s\ntimeouts: {dns: 1s, connect: 1s, tls: 1s, http: 2s}\n", proxy.Addr)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Formats() {
		t.Run(f, func(t *testing.T) {
			code, out, errOut := runInProcess(t, "check", "--config", cfg, "--format", f, "--require", "proxy-wrong-password")
			if code != ExitFailure {
				t.Fatalf("exit %d (want %d: the required endpoint fails on the proxy)\n%s\n%s", code, ExitFailure, out, errOut)
			}
			if !strings.Contains(out, "proxy-wrong-password") || strings.Contains(out, "proxy-"+"[REDACTED]") {
				t.Errorf("the name did not survive:\n%s", out)
			}
			if strings.Contains(out+errOut, "ops:wrong") || strings.Contains(out+errOut, ":wrong@") {
				t.Errorf("the password shows:\n%s\n%s", out, errOut)
			}
		})
	}
}

// TestExplainKeepsGoSelectors: Go's Client.Timeout is an identifier, not a
// host: it once came out as host-xxxxxx in explain's evidence and in --log's
// examples.
func TestExplainKeepsGoSelectors(t *testing.T) {
	const line = `context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
	log := filepath.Join(testenv.TempDir(t), "oneapi.log")
	if err := os.WriteFile(log, []byte(strings.Repeat("[ERR] 2025/03/01 - 10:00:02 | r1 | relay error (channel #3, status code: 500): do request failed: "+line+"\n", 3)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range report.ExplainFormats {
		for _, args := range [][]string{{"explain", line}, {"explain", "-v", "--log", log}} {
			t.Run(f+" "+args[1], func(t *testing.T) {
				code, out, errOut := runInProcess(t, append(args, "--format", f)...)
				if code != 0 {
					t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
				}
				if !strings.Contains(out, "Client.Timeout exceeded while awaiting headers") || strings.Contains(out, "host-") {
					t.Errorf("Client.Timeout mangled:\n%s", out)
				}
			})
		}
	}
}
