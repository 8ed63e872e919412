package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	_ "modernc.org/sqlite"

	"github.com/newapi-doctor/newapi-doctor/diag"
	pt "github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// newAPISchema is new-api's channels table as GORM creates it in SQLite
// (column set from model/channel.go; "group" is a reserved word).
const newAPISchema = `CREATE TABLE channels (
  id integer PRIMARY KEY AUTOINCREMENT, type integer DEFAULT 0, key text NOT NULL, open_ai_organization text,
  test_model text, status integer DEFAULT 1, name text, weight integer DEFAULT 0, created_time integer,
  test_time integer, response_time integer, base_url text DEFAULT '', other text, balance real,
  balance_updated_time integer, models text, "group" varchar(64) DEFAULT 'default', used_quota integer DEFAULT 0,
  model_mapping text, status_code_mapping varchar(1024) DEFAULT '', priority integer DEFAULT 0,
  auto_ban integer DEFAULT 1, other_info text, tag text, setting text, param_override text,
  header_override text, remark varchar(255), channel_info json, settings text)`

// TestE2ECheckFromDB: `check --from-db FILE` on a database laid out by
// new-api lists every enabled channel under "#id name" with the right
// upstream and proxy, classifies each, and prints no key or proxy password.
func TestE2ECheckFromDB(t *testing.T) {
	dbPath := filepath.Join(testenv.TempDir(t), "one-api.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	closed := pt.ClosedPort(t)
	ok := pt.NewHTTPUpstream(t, pt.Upstream{ContentType: "application/json", Body: `{"data":[]}`})
	const key = "sk-dbkey-0123456789abcdefghijABCDEFGHIJ"
	const proxyPass = "s0cks-pa55word"
	stmts := []string{newAPISchema,
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url,models,"group") VALUES (1,1,'%s',1,'openai-main',NULL,'gpt-4o','default')`, key),
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url,setting) VALUES (2,43,'%s',1,'deepseek via socks','','{"proxy":"socks5://bob:%s@%s"}')`, key, proxyPass, closed),
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url) VALUES (3,4,'x',1,'ollama local','http://%s')`, closed),
		`INSERT INTO channels (id,type,key,status,name) VALUES (4,14,'k',2,'anthropic disabled')`,
		fmt.Sprintf(`INSERT INTO channels (id,type,key,status,name,base_url) VALUES (5,8,'%s',1,'custom relay','%s')`, key, ok.URL),
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	// Every name NXDOMAIN: no lookup leaves loopback. Under wine the binary
	// opens no UDP socket to ask it (testenv.GapUDP): only the channel whose
	// verdict is that answer skips.
	dns := pt.NewInProcessDNSServer(t)

	r := runDoctor(t, []string{"PORT=" + portOf(closed)}, "check", "--from-db", dbPath, "--resolver", dns.Addr, "--format", "json")
	if r.code != ExitFailure {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	if strings.Contains(r.out+r.errOut, key) || strings.Contains(r.out+r.errOut, proxyPass) {
		t.Fatal("a key or proxy password was printed")
	}
	var rep diag.Report
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]diag.EndpointResult{}
	for _, e := range rep.Endpoints {
		got[e.Name] = e
	}
	want := []struct {
		name, host string
		cat        diag.Category
		proxySrc   string
		asksDNS    bool // the verdict is the fake's answer
	}{
		{"#1 openai-main", "api.openai.com", diag.CatDNS, "none", true},
		{"#2 deepseek via socks", "api.deepseek.com", diag.CatProxy, "config", false},
		{"#3 ollama local", "127.0.0.1", diag.CatRefused, "none", false},
		{"#5 custom relay", "127.0.0.1", diag.CatOK, "none", false},
	}
	for _, w := range want {
		t.Run(w.name, func(t *testing.T) {
			if w.asksDNS {
				testenv.SkipOnWine(t, testenv.GapUDP)
			}
			e, found := got[w.name]
			if !found {
				t.Fatalf("channel %q missing; have %v", w.name, keys(got))
			}
			if !strings.Contains(e.URL, w.host) || e.Category != w.cat || e.Proxy.Source != w.proxySrc {
				t.Errorf("%s: url %s category %s (%s) proxy %s; want host %s, %s, proxy %s", w.name, e.URL, e.Category, e.Cause, e.Proxy.Source, w.host, w.cat, w.proxySrc)
			}
		})
	}
	if _, found := got["#4 anthropic disabled"]; found {
		t.Error("a disabled channel was checked without --all")
	}
	if _, found := got["new-api gateway"]; !found {
		t.Errorf("the gateway itself is not an endpoint: %v", keys(got))
	}

	// --all brings the disabled channel in; a corrupt file is exit 2.
	r = runDoctor(t, nil, "check", "--from-db="+dbPath, "--all", "--resolver", dns.Addr, "--format", "json")
	if !strings.Contains(r.out, "#4 anthropic disabled") {
		t.Error("--all did not include the disabled channel")
	}
	junk := filepath.Join(testenv.TempDir(t), "junk.db")
	if err := writeFile(junk, "this is not a database"); err != nil {
		t.Fatal(err)
	}
	r = runDoctor(t, nil, "check", "--from-db", junk)
	if r.code != ExitUsage || !strings.Contains(r.errOut, "junk.db") {
		t.Errorf("corrupt db: exit %d, stderr %q", r.code, r.errOut)
	}
}

func keys(m map[string]diag.EndpointResult) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
