package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// newAPIWorld is a loopback new-api: a gateway answering /api/status and
// the admin API's channel list, and two Custom channels pointing at an
// upstream that answers, one of them auto-disabled with new-api's reason.
type newAPIWorld struct {
	gateway *httptest.Server
	db      string
}

const (
	disabledReason = "quota exhausted"
	disabledSince  = "2026-01-01T00:00:00Z" // status_time 1767225600
)

func newNewAPIWorld(t *testing.T) *newAPIWorld {
	t.Helper()
	up := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	channels := fmt.Sprintf(`[{"id":1,"type":8,"status":1,"name":"relay-on","base_url":%q},
		{"id":2,"type":8,"status":3,"name":"relay-off","base_url":%q,"other_info":"{\"status_reason\":\"%s\",\"status_time\":1767225600}"}]`,
		up.URL, up.URL, disabledReason)
	w := &newAPIWorld{}
	w.gateway = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/status":
			fmt.Fprint(rw, `{"success":true,"data":{"version":"v0.9.0"}}`)
		case r.URL.Path == "/api/channel/" && r.Header.Get("Authorization") == "tok-9" && r.Header.Get("New-Api-User") == "1":
			fmt.Fprintf(rw, `{"success":true,"data":{"items":%s,"total":2}}`, channels)
		default:
			fmt.Fprint(rw, `{"success":false,"message":"no"}`)
		}
	}))
	t.Cleanup(w.gateway.Close)

	w.db = filepath.Join(testenv.TempDir(t), "one-api.db")
	db, err := sql.Open("sqlite", w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{newAPISchema,
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url) VALUES (1,8,'k',1,'relay-on','%s')`, up.URL),
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url,other_info) VALUES (2,8,'k',3,'relay-off','%s','{"status_reason":"%s","status_time":1767225600}')`, up.URL, disabledReason),
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return w
}

func (w *newAPIWorld) port() string { return portOf(w.gateway.Listener.Addr().String()) }

func mustContain(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, x := range want {
		if !strings.Contains(s, x) {
			t.Errorf("%s lacks %q:\n%s", what, x, s)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, bad ...string) {
	t.Helper()
	for _, x := range bad {
		if strings.Contains(s, x) {
			t.Errorf("%s says %q:\n%s", what, x, s)
		}
	}
}

// TestNewAPISourcesShowDisabledChannels: with --all a disabled channel's
// status shows in text and markdown, the header counts it as included, and
// --from-api prints the same header as --from-db (issue 9.4).
func TestNewAPISourcesShowDisabledChannels(t *testing.T) {
	w := newNewAPIWorld(t)
	env := []string{"PORT=" + w.port(), "NEWAPI_TOKEN=tok-9", "NEWAPI_USER=1"}
	sources := map[string][]string{
		"db":  {"--from-db", w.db},
		"api": {"--from-api", w.gateway.URL},
	}
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			r := runDoctor(t, env, append([]string{"check", "--all"}, src...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
			}
			mustContain(t, "header", r.errOut, "read 2 channels from", "1 disabled included (--all)")
			mustNotContain(t, "header", r.errOut, "skipped")
			mustContain(t, "text", r.out, "[auto-disabled]", "channel: auto-disabled since "+disabledSince+": "+disabledReason)
			if strings.Count(r.out, "[auto-disabled]") != 1 {
				t.Errorf("want exactly the disabled channel marked:\n%s", r.out)
			}

			r = runDoctor(t, env, append([]string{"check", "--all", "--format", "markdown", "-v"}, src...)...)
			mustContain(t, "markdown", r.out, "#2 relay-off _(auto-disabled)_", "**Channel status:** auto-disabled since "+disabledSince+": "+disabledReason)

			r = runDoctor(t, env, append([]string{"check"}, src...)...)
			mustContain(t, "header without --all", r.errOut, "read 2 channels from", "1 disabled skipped (--all to include)")
			mustNotContain(t, "text without --all", r.out, "relay-off")
		})
	}
}

// TestFromAPIWithKeysSaysNoKeyWasSent: the admin API lists no keys, so
// --with-keys sends none; the header and every channel's verdict say so,
// and no verdict claims a checked key (issue 9.5).
func TestFromAPIWithKeysSaysNoKeyWasSent(t *testing.T) {
	w := newNewAPIWorld(t)
	env := []string{"NEWAPI_TOKEN=tok-9", "NEWAPI_USER=1"}
	r := runDoctor(t, env, "check", "--from-api", w.gateway.URL, "--with-keys")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	mustContain(t, "header", r.errOut, "--with-keys: new-api's admin API does not return keys, so no key was sent")
	mustContain(t, "text", r.out, "#1 relay-on", "note: --with-keys: new-api's admin API does not return keys")

	r = runDoctor(t, env, "check", "--from-api", w.gateway.URL, "--with-keys", "--format", "json")
	for _, e := range decodeReport(t, r.out).Endpoints {
		if e.Extra["channel_id"] == "" {
			continue
		}
		if !strings.Contains(strings.Join(e.Notes, " "), "no key was sent") {
			t.Errorf("%s: notes %q", e.Name, e.Notes)
		}
		for _, l := range e.Layers {
			if l.Layer == diag.LayerHTTP && l.Detail["key_sent"] != "false" {
				t.Errorf("%s: key_sent %q", e.Name, l.Detail["key_sent"])
			}
		}
	}
}

// TestGuessedGatewayPortWarns: without PORT, --from-db tries new-api's
// default 3000; nothing there is a warning naming the guess, not a failure
// (issue 9.6). --gateway gives the real address.
func TestGuessedGatewayPortWarns(t *testing.T) {
	if c, err := net.Dial("tcp", "127.0.0.1:3000"); err == nil {
		c.Close()
		t.Skip("something listens on 127.0.0.1:3000 here: the guessed port would answer")
	}
	w := newNewAPIWorld(t)
	r := runDoctor(t, nil, "check", "--from-db", w.db)
	if r.code != ExitOK {
		t.Fatalf("exit %d, want 0: a guessed port only warns\n%s%s", r.code, r.out, r.errOut)
	}
	mustContain(t, "text", r.out, "! new-api gateway", "refused (gateway-port-guessed)", "PORT=<port>", "--gateway", "1 warning")

	r = runDoctor(t, nil, "check", "--from-db", w.db, "--strict-warnings")
	if r.code != ExitWarnings {
		t.Errorf("--strict-warnings: exit %d, want %d", r.code, ExitWarnings)
	}
	r = runDoctor(t, nil, "check", "--from-db", w.db, "--format", "json")
	for _, e := range decodeReport(t, r.out).Endpoints {
		if e.Name == "new-api gateway" && (e.Cause != diag.CauseGatewayPortGuessed || e.Severity != diag.GradeWarning) {
			t.Errorf("gateway: %s/%s severity %s", e.Category, e.Cause, e.Severity)
		}
	}

	r = runDoctor(t, nil, "check", "--from-db", w.db, "--gateway", w.gateway.URL)
	if r.code != ExitOK || !strings.Contains(r.out, "newapi-ok") {
		t.Errorf("--gateway: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// A port that is given, not guessed, still fails when nothing listens.
	r = runDoctor(t, []string{"PORT=" + portOf(pt.ClosedPort(t))}, "check", "--from-db", w.db)
	if r.code != ExitFailure || !strings.Contains(r.out, "local-refused") {
		t.Errorf("PORT given: exit %d\n%s", r.code, r.out)
	}
	for _, bad := range [][]string{
		{"check", "--from-api", w.gateway.URL, "--gateway", w.gateway.URL},
		{"check", "--from-db", w.db, "--gateway", "ftp://127.0.0.1:3000"},
		{"check", "--from-db", w.db, "--gateway="},
	} {
		if r := runDoctor(t, []string{"NEWAPI_TOKEN=tok-9", "NEWAPI_USER=1"}, bad...); r.code != ExitUsage || !strings.Contains(r.errOut, "--gateway") {
			t.Errorf("%v: exit %d, stderr %q", bad, r.code, r.errOut)
		}
	}
}

func decodeReport(t *testing.T, s string) diag.Report {
	t.Helper()
	var rep diag.Report
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		t.Fatalf("not a JSON report (%v):\n%s", err, s)
	}
	return rep
}
