package newapi

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// seed is one channel row written into a test database. Nil pointers are NULL.
type seed struct {
	ID        int
	Type      int
	Key       string
	Status    int
	Name      string
	BaseURL   *string
	Other     string
	OtherInfo string
	Setting   *string // new-api only
	Config    string  // one-api only
	TestModel string
	Group     string
	Models    string
}

func sp(s string) *string { return &s }

// Keys that must never appear in any output or error.
const (
	keyOpenAI  = "sk-test-openai-AAAA1111secretvalue"
	keyAnt1    = "sk-ant-first-BBBB2222secretvalue"
	keyAnt2    = "sk-ant-second-CCCC3333secretvalue"
	keyGem1    = "AIzaFirstGeminiKeyDDDD4444secret"
	keyGem2    = "AIzaSecondGeminiKeyEEEE5555secret"
	keyBedrock = "AKIAFFFF6666|bedrocksecretGGGG7777|us-west-2"
	keyOther   = "sk-other-HHHH8888secretvalue"
	keyOneAPI  = "sk-oneapi-IIII9999secretvalue"
	proxyPass  = "proxypassJJJJ0000"
)

var allSecrets = []string{keyOpenAI, keyAnt1, keyAnt2, keyGem1, keyGem2, "bedrocksecretGGGG7777", "AKIAFFFF6666", keyOther, keyOneAPI}

// newAPISeeds covers many types, proxies, statuses and key shapes.
var newAPISeeds = []seed{
	{ID: 1, Type: 1, Key: keyOpenAI, Status: 1, Name: "openai-main", BaseURL: nil, Setting: sp(`{"proxy":"http://127.0.0.1:7890"}`), TestModel: "gpt-4o-mini", Group: "default,vip"},
	{ID: 2, Type: 14, Key: keyAnt1 + "\n" + keyAnt2 + "\n", Status: 1, Name: "claude multi", BaseURL: sp(""), Setting: sp(`{"proxy":"socks5://user:` + proxyPass + `@10.0.0.5:1080"}`)},
	{ID: 3, Type: 24, Key: `["` + keyGem1 + `","` + keyGem2 + `"]`, Status: 1, Name: "gemini", BaseURL: sp("")},
	{ID: 4, Type: 3, Key: keyOther, Status: 1, Name: "azure-east", BaseURL: sp("https://myres.openai.azure.com"), Other: "2024-02-01"},
	{ID: 5, Type: 3, Key: keyOther, Status: 1, Name: "azure-missing", BaseURL: sp("")},
	{ID: 6, Type: 8, Key: keyOther, Status: 1, Name: "custom", BaseURL: sp("https://relay.example.com/v1/{model}/chat"), TestModel: "m1"},
	{ID: 7, Type: 33, Key: keyBedrock, Status: 1, Name: "bedrock"},
	{ID: 8, Type: 41, Key: `{"type":"service_account"}`, Status: 1, Name: "vertex", Other: `{"default":"europe-west4"}`},
	{ID: 9, Type: 47, Key: keyOther, Status: 1, Name: "xinference", BaseURL: sp("http://192.168.1.20:9997")},
	{ID: 10, Type: 43, Key: keyOther, Status: 1, Name: "deepseek doubled", BaseURL: sp("https://api.deepseek.com/v1")},
	{ID: 11, Type: 20, Key: keyOther, Status: 1, Name: "openrouter", BaseURL: sp("")},
	{ID: 12, Type: 4, Key: "", Status: 1, Name: "ollama", BaseURL: sp("")},
	{ID: 13, Type: 25, Key: keyOther, Status: 2, Name: "kimi off", BaseURL: sp("")},
	{ID: 14, Type: 40, Key: keyOther, Status: 3, Name: "silicon auto", BaseURL: sp(""), OtherInfo: `{"status_reason":"bad response status code 401","status_time":1735689600}`},
	{ID: 15, Type: 48, Key: keyOther, Status: 1, Name: "xai bad setting", BaseURL: sp(""), Setting: sp(`{bad`)},
	{ID: 16, Type: 42, Key: keyOther, Status: 1, Name: "mistral ftp proxy", BaseURL: sp(""), Setting: sp(`{"proxy":"ftp://10.0.0.9:21"}`)},
	{ID: 17, Type: 99, Key: keyOther, Status: 1, Name: "future type", BaseURL: sp("https://future.example.net")},
	{ID: 18, Type: 41, Key: keyOther, Status: 1, Name: "vertex global", Other: "global"},
	{ID: 19, Type: 33, Key: "nokeyregion", Status: 1, Name: "bedrock no region"},
	{ID: 20, Type: 17, Key: keyOther, Status: 1, Name: "通义千问", BaseURL: sp(""), Setting: sp(`{"proxy":""}`)},
}

// oneAPISeeds use one-api's numbering (28 Mistral, 36 DeepSeek, 30 Ollama, 42 Vertex).
var oneAPISeeds = []seed{
	{ID: 1, Type: 28, Key: keyOneAPI, Status: 1, Name: "mistral", BaseURL: sp(""), Config: `{}`},
	{ID: 2, Type: 36, Key: keyOneAPI, Status: 1, Name: "deepseek", BaseURL: sp(""), Config: `{}`},
	{ID: 3, Type: 30, Key: keyOneAPI, Status: 1, Name: "ollama", BaseURL: sp("http://host.docker.internal:11434"), Config: `{}`},
	{ID: 4, Type: 33, Key: keyOneAPI, Status: 1, Name: "aws", BaseURL: sp(""), Config: `{"region":"eu-central-1","ak":"x","sk":"y"}`},
	{ID: 5, Type: 42, Key: keyOneAPI, Status: 1, Name: "vertex", BaseURL: sp(""), Config: `{"region":"us-east5"}`},
	{ID: 6, Type: 26, Key: keyOneAPI, Status: 2, Name: "baichuan off", BaseURL: sp(""), Config: `{}`},
}

// createNewAPISchema writes new-api's channels table (GORM's columns for
// model.Channel) in the dialect of kind. "group" and "key" are reserved.
func createNewAPISchema(kind string) string {
	q := func(c string) string { return quoteIdent(kind, c) }
	text, id := "text", "integer PRIMARY KEY"
	if kind == KindMySQL {
		text, id = "longtext", "bigint AUTO_INCREMENT PRIMARY KEY"
	}
	if kind == KindPostgres {
		id = "bigserial PRIMARY KEY"
	}
	js := "json"
	if kind == KindSQLite {
		js = "json"
	}
	cols := []string{
		q("id") + " " + id, q("type") + " bigint DEFAULT 0", q("key") + " " + text + " NOT NULL",
		q("open_ai_organization") + " " + text, q("test_model") + " " + text, q("status") + " bigint DEFAULT 1",
		q("name") + " varchar(191)", q("weight") + " bigint DEFAULT 0", q("created_time") + " bigint",
		q("test_time") + " bigint", q("response_time") + " bigint", q("base_url") + " varchar(191) DEFAULT ''",
		q("other") + " " + text, q("balance") + " double precision", q("balance_updated_time") + " bigint",
		q("models") + " " + text, q("group") + " varchar(64) DEFAULT 'default'", q("used_quota") + " bigint DEFAULT 0",
		q("model_mapping") + " " + text, q("status_code_mapping") + " varchar(1024) DEFAULT ''",
		q("priority") + " bigint DEFAULT 0", q("auto_ban") + " bigint DEFAULT 1", q("other_info") + " " + text,
		q("tag") + " varchar(191)", q("setting") + " " + text, q("param_override") + " " + text,
		q("header_override") + " " + text, q("remark") + " varchar(255)", q("channel_info") + " " + js,
		q("settings") + " " + text,
	}
	return "CREATE TABLE channels (" + strings.Join(cols, ", ") + ")"
}

// createOneAPISchema is one-api's table: config and system_prompt, no setting/tag/channel_info.
func createOneAPISchema(kind string) string {
	q := func(c string) string { return quoteIdent(kind, c) }
	text := "text"
	if kind == KindMySQL {
		text = "longtext"
	}
	cols := []string{
		q("id") + " integer PRIMARY KEY", q("type") + " integer DEFAULT 0", q("key") + " " + text + " NOT NULL",
		q("status") + " integer DEFAULT 1", q("name") + " varchar(191)", q("weight") + " integer DEFAULT 0",
		q("created_time") + " bigint", q("test_time") + " bigint", q("response_time") + " integer",
		q("base_url") + " varchar(191) DEFAULT ''", q("other") + " " + text, q("balance") + " double precision",
		q("balance_updated_time") + " bigint", q("models") + " " + text, q("group") + " varchar(32) DEFAULT 'default'",
		q("used_quota") + " bigint DEFAULT 0", q("model_mapping") + " varchar(1024) DEFAULT ''",
		q("priority") + " bigint DEFAULT 0", q("config") + " " + text, q("system_prompt") + " " + text,
	}
	return "CREATE TABLE channels (" + strings.Join(cols, ", ") + ")"
}

// fill creates the schema and inserts seeds through db.
func fill(t testing.TB, db *sql.DB, kind string, fork Fork, seeds []seed) {
	t.Helper()
	ddl := createNewAPISchema(kind)
	cols := []string{"id", "type", "key", "status", "name", "base_url", "other", "test_model", "group", "models", "other_info", "setting"}
	if fork == ForkOneAPI {
		ddl = createOneAPISchema(kind)
		cols = []string{"id", "type", "key", "status", "name", "base_url", "other", "group", "models", "config"}
	}
	if _, err := db.Exec(ddl); err != nil {
		t.Fatalf("create table: %v", err)
	}
	var qc, ph []string
	for i, c := range cols {
		qc = append(qc, quoteIdent(kind, c))
		if kind == KindPostgres {
			ph = append(ph, fmt.Sprintf("$%d", i+1))
		} else {
			ph = append(ph, "?")
		}
	}
	ins := "INSERT INTO channels (" + strings.Join(qc, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	for _, s := range seeds {
		null := func(p *string) any {
			if p == nil {
				return nil
			}
			return *p
		}
		args := []any{s.ID, s.Type, s.Key, s.Status, s.Name, null(s.BaseURL), s.Other, s.TestModel, s.Group, s.Models, s.OtherInfo, null(s.Setting)}
		if fork == ForkOneAPI {
			args = []any{s.ID, s.Type, s.Key, s.Status, s.Name, null(s.BaseURL), s.Other, s.Group, s.Models, s.Config}
		}
		if _, err := db.Exec(ins, args...); err != nil {
			t.Fatalf("insert %d: %v", s.ID, err)
		}
	}
}
