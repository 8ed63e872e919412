package newapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// want is what one channel must become.
type want struct {
	url, proxy, probe, provider, status, note, key string
}

var wantNewAPI = map[string]want{
	"#1 openai-main":        {url: "https://api.openai.com", proxy: "http://127.0.0.1:7890", probe: "/v1/models", provider: "openai", status: "enabled", key: keyOpenAI},
	"#2 claude multi":       {url: "https://api.anthropic.com", proxy: "socks5://user:" + proxyPass + "@10.0.0.5:1080", probe: "/v1/models", provider: "anthropic", status: "enabled", key: keyAnt1},
	"#3 gemini":             {url: "https://generativelanguage.googleapis.com", probe: "/v1beta/models", provider: "gemini", status: "enabled", key: keyGem1},
	"#4 azure-east":         {url: "https://myres.openai.azure.com", probe: "/openai/models?api-version=2024-02-01", provider: "azure", status: "enabled", key: keyOther},
	"#5 azure-missing":      {url: "", status: "enabled", note: "no base_url"},
	"#6 custom":             {url: "https://relay.example.com", probe: "/v1/m1/chat", status: "enabled", key: keyOther},
	"#7 bedrock":            {url: "https://bedrock-runtime.us-west-2.amazonaws.com", probe: "/", status: "enabled", note: "reachability"},
	"#8 vertex":             {url: "https://europe-west4-aiplatform.googleapis.com", probe: "/", status: "enabled"},
	"#9 xinference":         {url: "http://192.168.1.20:9997", probe: "/v1/models", status: "enabled", key: keyOther},
	"#10 deepseek doubled":  {url: "https://api.deepseek.com/v1", probe: "/v1/models", status: "enabled", key: keyOther},
	"#11 openrouter":        {url: "https://openrouter.ai/api", probe: "/v1/models", provider: "openrouter", status: "enabled", key: keyOther},
	"#12 ollama":            {url: "http://localhost:11434", probe: "/v1/models", provider: "ollama", status: "enabled"},
	"#13 kimi off":          {url: "https://api.moonshot.cn", probe: "/v1/models", provider: "moonshot", status: "manually-disabled", key: keyOther},
	"#14 silicon auto":      {url: "https://api.siliconflow.cn", probe: "/v1/models", provider: "siliconflow", status: "auto-disabled", key: keyOther},
	"#15 xai bad setting":   {url: "https://api.x.ai", probe: "/v1/models", provider: "xai", status: "enabled", note: "not valid JSON", key: keyOther},
	"#16 mistral ftp proxy": {url: "https://api.mistral.ai", proxy: "ftp://10.0.0.9:21", probe: "/v1/models", provider: "mistral", status: "enabled", key: keyOther},
	"#17 future type":       {url: "https://future.example.net", probe: "/v1/models", status: "enabled", note: "unknown channel type 99", key: keyOther},
	"#18 vertex global":     {url: "https://aiplatform.googleapis.com", probe: "/", status: "enabled"},
	"#19 bedrock no region": {url: "", status: "enabled", note: "region"},
	"#20 通义千问":              {url: "https://dashscope.aliyuncs.com", probe: "/compatible-mode/v1/models", provider: "ali", status: "enabled", key: keyOther},
}

var wantOneAPI = map[string]want{
	"#1 mistral":      {url: "https://api.mistral.ai", probe: "/v1/models", provider: "mistral", status: "enabled", key: keyOneAPI},
	"#2 deepseek":     {url: "https://api.deepseek.com", probe: "/v1/models", provider: "deepseek", status: "enabled", key: keyOneAPI},
	"#3 ollama":       {url: "http://host.docker.internal:11434", probe: "/v1/models", status: "enabled", key: keyOneAPI},
	"#4 aws":          {url: "https://bedrock-runtime.eu-central-1.amazonaws.com", probe: "/", status: "enabled"},
	"#5 vertex":       {url: "https://us-east5-aiplatform.googleapis.com", probe: "/", status: "enabled"},
	"#6 baichuan off": {url: "https://api.baichuan-ai.com", probe: "/v1/models", status: "manually-disabled", key: keyOneAPI},
}

// checkLoaded asserts every endpoint against the table: the enabled ones
// only, unless all; keys only with withKeys.
func checkLoaded(t *testing.T, eps []diag.Endpoint, tab map[string]want, all, withKeys bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, ep := range eps {
		w, ok := tab[ep.Name]
		if !ok {
			t.Errorf("unexpected endpoint %q", ep.Name)
			continue
		}
		seen[ep.Name] = true
		t.Run(ep.Name, func(t *testing.T) {
			if ep.URL != w.url {
				t.Errorf("URL = %q, want %q", ep.URL, w.url)
			}
			if ep.Proxy != w.proxy {
				t.Errorf("Proxy = %q, want %q", ep.Proxy, w.proxy)
			}
			if ep.ProbePath != w.probe {
				t.Errorf("ProbePath = %q, want %q", ep.ProbePath, w.probe)
			}
			if ep.Provider != w.provider {
				t.Errorf("Provider = %q, want %q", ep.Provider, w.provider)
			}
			if ep.Extra["status"] != w.status {
				t.Errorf("status = %q, want %q", ep.Extra["status"], w.status)
			}
			if w.note != "" && !strings.Contains(ep.Extra["note"], w.note) {
				t.Errorf("note = %q, want it to mention %q", ep.Extra["note"], w.note)
			}
			wantKey := ""
			if withKeys {
				wantKey = w.key
			}
			if ep.Key != wantKey {
				t.Errorf("Key set = %v, want %v (key value not shown)", ep.Key != "", wantKey != "")
			}
			if !strings.HasPrefix(ep.Source, "db:#") && !strings.HasPrefix(ep.Source, "api:#") {
				t.Errorf("Source = %q", ep.Source)
			}
			if ep.Extra["channel_id"] == "" || ep.Extra["type"] == "" {
				t.Errorf("Extra lacks channel_id/type: %v", ep.Extra)
			}
		})
	}
	for name, w := range tab {
		enabled := w.status == "enabled"
		if (enabled || all) && !seen[name] {
			t.Errorf("channel %q missing", name)
		}
		if !enabled && !all && seen[name] {
			t.Errorf("disabled channel %q returned without All", name)
		}
	}
}

// assertNoSecrets fails when any key appears in v's JSON or in errs.
func assertNoSecrets(t *testing.T, v any, errs ...error) {
	t.Helper()
	b, _ := json.Marshal(v)
	for _, e := range errs {
		if e != nil {
			b = append(b, e.Error()...)
		}
	}
	for _, s := range allSecrets {
		if bytes.Contains(b, []byte(s)) {
			t.Fatalf("a channel key appears in the output or an error")
		}
	}
}

func newSQLite(t *testing.T, fork Fork, seeds []seed) string {
	t.Helper()
	path := filepath.Join(testenv.TempDir(t), "one-api.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill(t, db, KindSQLite, fork, seeds)
	return path
}

func noEnv(string) string { return "" }

func TestLoadFromSQLite(t *testing.T) {
	newPath := newSQLite(t, ForkNewAPI, newAPISeeds)
	onePath := newSQLite(t, ForkOneAPI, oneAPISeeds)
	cases := []struct {
		name           string
		path           string
		fork           Fork
		tab            map[string]want
		all, withKeys  bool
		returned, skip int
	}{
		{"new-api enabled", newPath, ForkNewAPI, wantNewAPI, false, false, 18, 2},
		{"new-api all with keys", newPath, ForkNewAPI, wantNewAPI, true, true, 20, 0},
		{"one-api enabled", onePath, ForkOneAPI, wantOneAPI, false, false, 5, 1},
		{"one-api all with keys", onePath, ForkOneAPI, wantOneAPI, true, true, 6, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			st0, _ := os.Stat(c.path)
			eps, info, err := LoadFromDB(context.Background(), c.path, Options{All: c.all, WithKeys: c.withKeys, Getenv: noEnv})
			if err != nil {
				t.Fatalf("LoadFromDB: %v", err)
			}
			if info.Fork != c.fork || info.Kind != KindSQLite || info.Returned != c.returned || info.Skipped != c.skip {
				t.Errorf("info = %+v, want fork %s returned %d skipped %d", info, c.fork, c.returned, c.skip)
			}
			// Disabled counts with and without All: the header says "included" or "skipped".
			if d := disabledIn(c.tab); info.Disabled != d {
				t.Errorf("info.Disabled = %d, want %d", info.Disabled, d)
			}
			checkLoaded(t, eps, c.tab, c.all, c.withKeys)
			if !c.withKeys {
				assertNoSecrets(t, struct {
					E []diag.Endpoint
					I *DBInfo
				}{eps, info})
			}
			// Read-only: the file is byte-for-byte and mtime unchanged, no journal left.
			after, _ := os.ReadFile(c.path)
			st1, _ := os.Stat(c.path)
			if !bytes.Equal(before, after) || !st0.ModTime().Equal(st1.ModTime()) {
				t.Error("LoadFromDB modified the database file")
			}
			for _, sfx := range []string{"-journal", "-wal"} {
				if _, err := os.Stat(c.path + sfx); err == nil {
					t.Errorf("LoadFromDB left %s behind", sfx)
				}
			}
		})
	}
}

func TestStatusReasonAndRelayProxy(t *testing.T) {
	path := newSQLite(t, ForkNewAPI, newAPISeeds)
	eps, _, err := LoadFromDB(context.Background(), path, Options{All: true, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var got diag.Endpoint
	for _, ep := range eps {
		if ep.Extra["channel_id"] == "14" {
			got = ep
		}
	}
	if got.Extra["status_reason"] != "bad response status code 401" || got.Extra["status_time"] != "2025-01-01T00:00:00Z" {
		t.Errorf("auto-disabled facts = %v", got.Extra)
	}

	one := newSQLite(t, ForkOneAPI, oneAPISeeds)
	env := func(k string) string {
		if k == "RELAY_PROXY" {
			return "http://10.1.1.1:3128"
		}
		return ""
	}
	eps, _, err = LoadFromDB(context.Background(), one, Options{Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range eps {
		if ep.Proxy != "http://10.1.1.1:3128" || ep.Extra["proxy_from"] != "env:RELAY_PROXY" {
			t.Errorf("%s: one-api RELAY_PROXY not applied: %q %v", ep.Name, ep.Proxy, ep.Extra)
		}
	}
}

func TestBadDatabases(t *testing.T) {
	dir := testenv.TempDir(t)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noTable := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", noTable)
	if _, err := db.Exec("CREATE TABLE users (id integer)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	noCol := filepath.Join(dir, "nocol.db")
	db, _ = sql.Open("sqlite", noCol)
	if _, err := db.Exec("CREATE TABLE channels (id integer, type integer)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	good := newSQLite(t, ForkNewAPI, newAPISeeds[:3])
	raw, _ := os.ReadFile(good)
	corrupt := append([]byte(nil), raw...)
	for i := 100; i < len(corrupt); i++ {
		corrupt[i] = 0xA5
	}

	cases := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.db"), "no such file"},
		{"directory", dir, "directory"},
		{"empty", write("empty.db", nil), "empty"},
		{"text", write("text.db", []byte("hello, this is not sqlite at all\n")), "not a SQLite database"},
		{"no channels table", noTable, "no 'channels' table"},
		{"no base_url column", noCol, `no "base_url" column`},
		{"corrupt pages", write("corrupt.db", corrupt), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := LoadFromDB(context.Background(), c.path, Options{Getenv: noEnv, Timeout: 3 * time.Second})
			if err == nil {
				t.Fatal("want an error")
			}
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SourceError: %v", err, err)
			}
			if !strings.Contains(err.Error(), c.path) {
				t.Errorf("error %q does not name the file", err)
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			assertNoSecrets(t, nil, err)
		})
	}
}

func TestResolve(t *testing.T) {
	dir := testenv.TempDir(t)
	t.Chdir(dir)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name, arg string
		env       map[string]string
		kind, dsn string
		source    string
		errSub    string
	}{
		{"pg env", "", map[string]string{"SQL_DSN": "postgresql://u:p@db:5432/newapi"}, KindPostgres, "postgresql://u:p@db:5432/newapi", "env:SQL_DSN", ""},
		{"local env", "", map[string]string{"SQL_DSN": "local", "SQLITE_PATH": "/data/x.db?_busy_timeout=30000"}, KindSQLite, "/data/x.db", "env:SQL_DSN", ""},
		{"mysql env", "", map[string]string{"SQL_DSN": "root:pw@tcp(mysql:3306)/new-api"}, KindMySQL, "root:pw@tcp(mysql:3306)/new-api", "env:SQL_DSN", ""},
		{"any other value is mysql", "", map[string]string{"SQL_DSN": "weird"}, KindMySQL, "weird", "env:SQL_DSN", ""},
		{"sqlite path env", "", map[string]string{"SQLITE_PATH": "/srv/one.db"}, KindSQLite, "/srv/one.db", "env:SQLITE_PATH", ""},
		{"nothing found", "", map[string]string{"HOME": dir}, "", "", "", "no database found"},
		{"arg path", "./my.db", nil, KindSQLite, "./my.db", "argument", ""},
		{"arg file uri", "file:///tmp/a.db?mode=ro", nil, KindSQLite, "/tmp/a.db", "argument", ""},
		{"arg mysql url", "mysql://u:p@h/db", nil, KindMySQL, "u:p@tcp(h:3306)/db", "argument", ""},
		{"arg pg", "postgres://u@h/db", nil, KindPostgres, "postgres://u@h/db", "argument", ""},
		{"arg wins over env", "x.db", map[string]string{"SQL_DSN": "postgres://h/db"}, KindSQLite, "x.db", "argument", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg, err := Resolve(c.arg, env(c.env))
			if c.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), c.errSub) {
					t.Fatalf("err = %v, want %q", err, c.errSub)
				}
				if !IsSourceError(err) {
					t.Errorf("not a SourceError: %T", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg.Kind != c.kind || tg.DSN != c.dsn || tg.Source != c.source {
				t.Errorf("got %+v, want %s %s %s", tg, c.kind, c.dsn, c.source)
			}
		})
	}
	t.Run("one-api.db in the working directory", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "one-api.db"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		tg, err := Resolve("", env(nil))
		if err != nil || tg.DSN != "one-api.db" || tg.Source != "default" {
			t.Fatalf("got %+v %v", tg, err)
		}
	})
}

func TestStripPassword(t *testing.T) {
	cases := []struct{ in, out string }{
		{"postgres://user:s3cret@h:5432/db?sslmode=disable", "postgres://user:%5BREDACTED%5D@h:5432/db?sslmode=disable"},
		{"user:p@ss:w0rd@tcp(h:3306)/db", "user:[REDACTED]@tcp(h:3306)/db"},
		{"user@tcp(h)/db", "user@tcp(h)/db"},
		{"postgres://h/db?password=s3cret", "postgres://h/db?password=%5BREDACTED%5D"},
		{"/data/one-api.db", "/data/one-api.db"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := StripPassword(c.in)
			if strings.Contains(got, "s3cret") || strings.Contains(got, "w0rd") {
				t.Fatalf("password left in %q", got)
			}
			// url.URL escapes brackets in userinfo; either spelling is fine.
			if got != c.out && strings.ReplaceAll(got, "[REDACTED]", "%5BREDACTED%5D") != c.out {
				t.Errorf("StripPassword(%q) = %q, want %q", c.in, got, c.out)
			}
		})
	}
}

// --- real servers started by .ci/services.sh

func serverDSN(t *testing.T, env, def string) string {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		if b, err := os.ReadFile("/tmp/newapi-doctor-services.env"); err == nil {
			for _, ln := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(ln, "export "+env+"="); ok {
					dsn = strings.Trim(v, "'")
				}
			}
		}
	}
	if dsn == "" {
		dsn = def
	}
	hostport := ""
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		hostport = u.Host
	} else if _, rest, ok := strings.Cut(dsn, "tcp("); ok {
		hostport, _, _ = strings.Cut(rest, ")")
	}
	c, err := net.DialTimeout("tcp", hostport, time.Second)
	if err != nil {
		t.Skipf("no server on %s (%v): run .ci/services.sh as root to start it", hostport, err)
	}
	c.Close()
	return dsn
}

func randSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// testServerForks fills a fresh namespace (from isolate) with each fork's
// channels and reads it back, enabled only and all with keys.
func testServerForks(t *testing.T, kind, driver string, isolate func(t *testing.T) string) {
	for _, fc := range []struct {
		fork  Fork
		seeds []seed
		tab   map[string]want
	}{{ForkNewAPI, newAPISeeds, wantNewAPI}, {ForkOneAPI, oneAPISeeds, wantOneAPI}} {
		t.Run(string(fc.fork), func(t *testing.T) {
			dsn := isolate(t)
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			fill(t, db, kind, fc.fork, fc.seeds)
			db.Close()
			for _, all := range []bool{false, true} {
				eps, info, err := LoadFromDB(context.Background(), dsn, Options{All: all, WithKeys: all, Getenv: noEnv})
				if err != nil {
					t.Fatalf("LoadFromDB: %v", err)
				}
				if info.Kind != kind || info.Fork != fc.fork || strings.Contains(info.Display, "newapi_doctor:newapi_doctor") {
					t.Errorf("info = %+v", info)
				}
				checkLoaded(t, eps, fc.tab, all, all)
				if !all {
					assertNoSecrets(t, struct {
						E []diag.Endpoint
						I *DBInfo
					}{eps, info})
				}
			}
		})
	}
}

func TestLoadFromPostgres(t *testing.T) {
	dsn := serverDSN(t, "NEWAPI_DOCTOR_TEST_PG_DSN", "postgres://newapi_doctor:newapi_doctor@127.0.0.1:5432/newapi_doctor?sslmode=disable")
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	testServerForks(t, KindPostgres, "pgx", func(t *testing.T) string {
		schema := "t_" + randSuffix()
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
		return dsn + "&search_path=" + schema
	})
	t.Run("wrong password names the DSN without it", func(t *testing.T) {
		bad := strings.Replace(dsn, "newapi_doctor:newapi_doctor@", "newapi_doctor:wrongPASSWORD123@", 1)
		_, _, err := LoadFromDB(context.Background(), bad, Options{Getenv: noEnv, Timeout: 5 * time.Second})
		if err == nil || !IsSourceError(err) || strings.Contains(err.Error(), "wrongPASSWORD123") || !strings.Contains(err.Error(), "127.0.0.1") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLoadFromMySQL(t *testing.T) {
	dsn := serverDSN(t, "NEWAPI_DOCTOR_TEST_MYSQL_DSN", "newapi_doctor:newapi_doctor@tcp(127.0.0.1:3306)/newapi_doctor")
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	base, _, _ := strings.Cut(dsn, "/")
	testServerForks(t, KindMySQL, "mysql", func(t *testing.T) string {
		name := "newapi_doctor_" + randSuffix()
		if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4"); err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE `" + name + "`") })
		return base + "/" + name
	})
	t.Run("via SQL_DSN as new-api reads it", func(t *testing.T) {
		_, _, err := LoadFromDB(context.Background(), "", Options{Getenv: func(k string) string {
			if k == "SQL_DSN" {
				return strings.Replace(dsn, ":newapi_doctor@", ":wrongPASSWORD123@", 1)
			}
			return ""
		}, Timeout: 5 * time.Second})
		if err == nil || !IsSourceError(err) || strings.Contains(err.Error(), "wrongPASSWORD123") {
			t.Fatalf("err = %v", err)
		}
	})
}

func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h/db", "local", "u:p@tcp(h:3306)/db", "file:x.db", "mysql://u:p@h/db", "/data/one-api.db", "", "@", "postgres://%zz", "mysql://[::1"} {
		f.Add(s, "pa55word")
	}
	f.Fuzz(func(t *testing.T, s, pass string) {
		tg, err := ParseDSN(s, noEnv)
		if err == nil && tg.Kind == "" {
			t.Fatalf("ParseDSN(%q) returned no kind", s)
		}
		_ = tg.Display()
		// A password in a DSN never survives StripPassword.
		if len(pass) < 4 || strings.ContainsAny(pass, "@:/?#[]%\x00") || strings.Contains("u@tcp(h:3306)/dbpostgres://u@h/db[REDACTED]", pass) {
			return
		}
		for _, d := range []string{"u:" + pass + "@tcp(h:3306)/db", "postgres://u:" + pass + "@h/db"} {
			if got := StripPassword(d); strings.Contains(got, pass) {
				t.Fatalf("StripPassword(%q) = %q keeps the password", d, got)
			}
		}
	})
}

// TestWALDatabase reads a WAL-mode database while new-api holds it open with
// uncommitted and committed writes, as a running gateway does.
func TestWALDatabase(t *testing.T) {
	path := newSQLite(t, ForkNewAPI, newAPISeeds[:4])
	w, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if _, err := w.Exec("PRAGMA journal_mode=WAL"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO channels (id, type, "key", status, name, base_url) VALUES (50, 1, 'k', 1, 'committed in wal', '')`); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO channels (id, type, "key", status, name, base_url) VALUES (51, 1, 'k', 1, 'uncommitted', '')`); err != nil {
		t.Fatal(err)
	}
	eps, info, err := LoadFromDB(context.Background(), path, Options{Getenv: noEnv, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("LoadFromDB on a WAL database in use: %v", err)
	}
	names := map[string]bool{}
	for _, ep := range eps {
		names[ep.Name] = true
	}
	if !names["#50 committed in wal"] || names["#51 uncommitted"] || info.Returned != 5 {
		t.Errorf("read %v (%+v)", names, info)
	}
}

func disabledIn(tab map[string]want) int {
	n := 0
	for _, w := range tab {
		if w.status != "enabled" {
			n++
		}
	}
	return n
}
