package diag

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

// go test ./diag -run TestConfigGoldenErrors -update-config-golden rewrites the .err files.
var updateConfigGolden = flag.Bool("update-config-golden", false, "rewrite diag/testdata/config/bad/*.err")

// testEnv is the only environment config tests see.
func testEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseConfigFull(t *testing.T) {
	name := filepath.Join("testdata", "config", "good", "full.yaml")
	cfg, err := LoadConfig(name, testEnv(map[string]string{"ANTHROPIC_API_KEY": "sk-ant-from-env"}))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if cfg.Path != name {
		t.Errorf("Path = %q, want %q", cfg.Path, name)
	}
	wantTimeouts := Timeouts{DNS: 2 * time.Second, Connect: 4 * time.Second, TLS: 3 * time.Second, HTTP: 15 * time.Second}
	if cfg.Timeouts != wantTimeouts {
		t.Errorf("Timeouts = %+v, want %+v", cfg.Timeouts, wantTimeouts)
	}
	ca := filepath.Join("testdata", "config", "good", "corp-ca.pem")
	want := []Endpoint{
		{Name: "openai-main", URL: "https://api.openai.com/v1", Proxy: "http://127.0.0.1:7890", Key: "sk-literal-key-0000",
			Provider: "openai", Source: "full.yaml:6"},
		{Name: "claude", URL: "https://api.anthropic.com", Key: "sk-ant-from-env", KeyEnv: "ANTHROPIC_API_KEY",
			Provider: "anthropic", Source: "full.yaml:10"},
		{Name: "corp-gateway", URL: "https://llm.corp.example/openai/v1", Proxy: "socks5h://alice:s3cret@127.0.0.1:1080",
			Provider: GenericProviderID, CAFile: ca, ProbePath: "/models?limit=1", Source: "full.yaml:13"},
		{Name: "gemini", URL: "https://generativelanguage.googleapis.com", Proxy: ProxyDirect, Provider: "gemini", Source: "full.yaml:18"},
		{Name: "local", URL: "http://127.0.0.1:3000", Provider: "newapi", Source: "full.yaml:19"},
	}
	if len(cfg.Endpoints) != len(want) {
		t.Fatalf("got %d endpoints, want %d: %+v", len(cfg.Endpoints), len(want), cfg.Endpoints)
	}
	for i := range want {
		if !reflect.DeepEqual(cfg.Endpoints[i], want[i]) {
			t.Errorf("endpoint %d:\n got %+v\nwant %+v", i, cfg.Endpoints[i], want[i])
		}
	}
}

func TestParseConfigValues(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{"provider inferred from host", "endpoints: [{name: a, url: 'https://api.deepseek.com'}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Provider != "deepseek" {
				t.Errorf("Provider = %q", c.Endpoints[0].Provider)
			}
		}},
		{"unknown host leaves provider empty", "endpoints: [{name: a, url: 'https://llm.example'}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Provider != "" {
				t.Errorf("Provider = %q", c.Endpoints[0].Provider)
			}
		}},
		{"provider alias canonicalised", "endpoints: [{name: a, url: 'https://x.example', provider: Claude}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Provider != "anthropic" {
				t.Errorf("Provider = %q", c.Endpoints[0].Provider)
			}
		}},
		{"direct in any case", "endpoints: [{name: a, url: 'https://x.example', proxy: DIRECT}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Proxy != ProxyDirect {
				t.Errorf("Proxy = %q", c.Endpoints[0].Proxy)
			}
		}},
		{"values are trimmed", "endpoints: [{name: ' a ', url: ' https://x.example ', key: ' sk-k '}]", func(t *testing.T, c *Config) {
			e := c.Endpoints[0]
			if e.Name != "a" || e.URL != "https://x.example" || e.Key != "sk-k" {
				t.Errorf("got %+v", e)
			}
		}},
		{"null key means none", "endpoints: [{name: a, url: 'https://x.example', key: ~}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Key != "" {
				t.Errorf("Key = %q", c.Endpoints[0].Key)
			}
		}},
		{"numeric name is a string", "endpoints: [{name: 42, url: 'https://x.example'}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Name != "42" {
				t.Errorf("Name = %q", c.Endpoints[0].Name)
			}
		}},
		{"url with userinfo allowed", "endpoints: [{name: a, url: 'https://u:p@x.example/v1'}]", func(t *testing.T, c *Config) {
			if c.Endpoints[0].URL != "https://u:p@x.example/v1" {
				t.Errorf("URL = %q", c.Endpoints[0].URL)
			}
		}},
		{"partial timeouts", "endpoints: [{name: a, url: 'https://x.example'}]\ntimeouts: {http: 1m30s}", func(t *testing.T, c *Config) {
			if c.Timeouts != (Timeouts{HTTP: 90 * time.Second}) {
				t.Errorf("Timeouts = %+v", c.Timeouts)
			}
		}},
		{"null timeouts", "endpoints: [{name: a, url: 'https://x.example'}]\ntimeouts:", func(t *testing.T, c *Config) {
			if c.Timeouts != (Timeouts{}) {
				t.Errorf("Timeouts = %+v", c.Timeouts)
			}
		}},
		{"explicit keys win over merged ones", "x-b: &b {proxy: 'http://127.0.0.1:1', key: sk-base}\nendpoints: [{<<: *b, name: a, url: 'https://x.example', key: sk-own}]", func(t *testing.T, c *Config) {
			e := c.Endpoints[0]
			if e.Key != "sk-own" || e.Proxy != "http://127.0.0.1:1" {
				t.Errorf("got %+v", e)
			}
		}},
		{"merge of a list of mappings", "x-a: &a {proxy: 'http://127.0.0.1:1'}\nx-b: &b {provider: gemini}\nendpoints: [{<<: [*a, *b], name: a, url: 'https://x.example'}]", func(t *testing.T, c *Config) {
			e := c.Endpoints[0]
			if e.Provider != "gemini" || e.Proxy != "http://127.0.0.1:1" {
				t.Errorf("got %+v", e)
			}
		}},
		{"alias as a whole endpoint list", "x-l: &l [{name: a, url: 'https://x.example'}]\nendpoints: *l", func(t *testing.T, c *Config) {
			if len(c.Endpoints) != 1 || c.Endpoints[0].Name != "a" {
				t.Errorf("got %+v", c.Endpoints)
			}
		}},
		{"source is file:line", "\n\nendpoints:\n  - name: a\n    url: https://x.example\n", func(t *testing.T, c *Config) {
			if c.Endpoints[0].Source != "c.yaml:4" {
				t.Errorf("Source = %q", c.Endpoints[0].Source)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig("dir/c.yaml", []byte(tt.yaml), testEnv(nil))
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

// Every bad config under testdata/config/bad has a golden .err holding the
// exact message, file:line included.
func TestConfigGoldenErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "config", "bad", "*.yaml"))
	if err != nil || len(files) < 40 {
		t.Fatalf("bad configs: %v, %d files", err, len(files))
	}
	env := testEnv(map[string]string{"SET_KEY": "sk-set-in-env"})
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			cfg, err := LoadConfig(f, env)
			if err == nil {
				t.Fatalf("LoadConfig(%s) = %+v, want an error", f, cfg)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != f {
				t.Fatalf("error %T %v is not a *ConfigError naming %s", err, err, f)
			}
			got := filepath.ToSlash(err.Error()) + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *updateConfigGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden: %v (run with -update-config-golden)", err)
			}
			if got != string(want) {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestConfigErrorFormat(t *testing.T) {
	tests := []struct {
		e    ConfigError
		want string
	}{
		{ConfigError{File: "a.yaml", Line: 3, Col: 5, Msg: "bad"}, "a.yaml:3:5: bad"},
		{ConfigError{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{ConfigError{File: "a.yaml", Msg: "bad"}, "a.yaml: bad"},
		{ConfigError{File: "a.yaml", Col: 7, Msg: "bad"}, "a.yaml: bad"},
		{ConfigError{Msg: "bad"}, "config: bad"},
		{ConfigError{File: "argument", Msg: "empty URL"}, "argument: empty URL"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyEnv(t *testing.T) {
	const yaml = "endpoints: [{name: a, url: 'https://x.example', key_env: MY_KEY}]"
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string
		wantErr string
	}{
		{"set", map[string]string{"MY_KEY": "sk-env"}, "sk-env", ""},
		{"trimmed", map[string]string{"MY_KEY": " sk-env\n"}, "sk-env", ""},
		{"unset", nil, "", "c.yaml:1:58: endpoint \"a\": key_env: environment variable MY_KEY is not set"},
		{"blank", map[string]string{"MY_KEY": "  "}, "", "environment variable MY_KEY is not set"},
		{"inner newline", map[string]string{"MY_KEY": "sk-a\nsk-b"}, "", "environment variable MY_KEY holds a line break"},
		{"other case not read", map[string]string{"my_key": "sk-env"}, "", "is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig("c.yaml", []byte(yaml), testEnv(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				for _, v := range tt.env {
					if strings.TrimSpace(v) != "" && strings.Contains(err.Error(), strings.TrimSpace(v)) {
						t.Errorf("error %q leaks the variable's value", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e := cfg.Endpoints[0]; e.Key != tt.wantKey || e.KeyEnv != "MY_KEY" {
				t.Errorf("Key, KeyEnv = %q, %q", e.Key, e.KeyEnv)
			}
		})
	}
}

func TestCAFile(t *testing.T) {
	pem, err := os.ReadFile(filepath.Join("testdata", "config", "good", "corp-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	dir := testenv.TempDir(t)
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "certs", "ca.pem")
	if err := os.WriteFile(abs, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, caFile, want, wantErr string
	}{
		{"relative to the config's directory", "certs/ca.pem", abs, ""},
		{"absolute", abs, abs, ""},
		{"missing", "certs/none.pem", "", "no such file"},
		{"a directory", "certs", "", "ca_file"},
		{"PEM without a certificate", "key.pem", "", "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := "endpoints:\n  - name: a\n    url: https://x.example\n    ca_file: " + tt.caFile + "\n"
			cfg, err := ParseConfig(filepath.Join(dir, "c.yaml"), []byte(y), testEnv(nil))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "c.yaml:4:") {
					t.Fatalf("err = %v, want line 4 and %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Endpoints[0].CAFile != tt.want {
				t.Errorf("CAFile = %q, want %q", cfg.Endpoints[0].CAFile, tt.want)
			}
		})
	}
}

func TestFindConfig(t *testing.T) {
	work, user := testenv.TempDir(t), testenv.TempDir(t)
	t.Chdir(work)
	userDir := func() (string, error) { return user, nil }
	noUserDir := func() (string, error) { return "", errors.New("no home") }
	write := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("endpoints: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if got, err := findConfig("", userDir); got != "" || err != nil {
		t.Fatalf("nothing anywhere: %q, %v", got, err)
	}
	alt := filepath.Join(user, "newapi-doctor", "newapi-doctor.yaml")
	write(alt)
	if got, _ := findConfig("", userDir); got != alt {
		t.Errorf("user dir newapi-doctor.yaml: got %q", got)
	}
	main := filepath.Join(user, "newapi-doctor", "config.yaml")
	write(main)
	if got, _ := findConfig("", userDir); got != main {
		t.Errorf("config.yaml must win over newapi-doctor.yaml: got %q", got)
	}
	write(filepath.Join(work, ConfigFileName))
	if got, _ := findConfig("", userDir); got != ConfigFileName {
		t.Errorf("./newapi-doctor.yaml must win: got %q", got)
	}
	if got, _ := findConfig("", noUserDir); got != ConfigFileName {
		t.Errorf("without a user dir: got %q", got)
	}
	other := filepath.Join(work, "other.yaml")
	write(other)
	if got, err := findConfig(other, userDir); got != other || err != nil {
		t.Errorf("explicit: %q, %v", got, err)
	}

	tests := []struct{ name, explicit, want string }{
		{"explicit missing", filepath.Join(work, "nope.yaml"), "config file does not exist"},
		{"explicit directory", work, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findConfig(tt.explicit, userDir)
			var ce *ConfigError
			if got != "" || !errors.As(err, &ce) || ce.File != tt.explicit || !strings.Contains(ce.Msg, tt.want) {
				t.Errorf("findConfig(%q) = %q, %v; want a ConfigError %q", tt.explicit, got, err, tt.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := testenv.TempDir(t)
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxConfigSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "none.yaml"), "cannot read config file: no such file or directory"},
		{"directory", dir, "cannot read config file"},
		{"too big", big, "larger than 4 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(tt.path, nil)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != tt.path || !strings.Contains(ce.Msg, tt.want) {
				t.Errorf("LoadConfig = %v, want a ConfigError for %s saying %q", err, tt.path, tt.want)
			}
		})
	}
}

func TestEndpointFromArg(t *testing.T) {
	tests := []struct {
		arg                     string
		wantURL, name, provider string
	}{
		{"https://api.openai.com/v1", "https://api.openai.com/v1", "api.openai.com/v1", "openai"},
		{"api.openai.com", "https://api.openai.com", "api.openai.com", "openai"},
		{"  api.anthropic.com/v1/ ", "https://api.anthropic.com/v1/", "api.anthropic.com/v1", "anthropic"},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000", "127.0.0.1:3000", ""},
		{"127.0.0.1:3000", "http://127.0.0.1:3000", "127.0.0.1:3000", ""},
		{"localhost:11434", "http://localhost:11434", "localhost:11434", ""},
		{"[::1]:3000/api", "http://[::1]:3000/api", "[::1]:3000/api", ""},
		{"llm.corp.example:8443/v1", "https://llm.corp.example:8443/v1", "llm.corp.example:8443/v1", ""},
		{"https://user:pw@llm.corp.example/v1?key=sk-x", "https://user:pw@llm.corp.example/v1?key=sk-x", "llm.corp.example/v1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			ep, err := EndpointFromArg(tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			if ep.URL != tt.wantURL || ep.Name != tt.name || ep.Provider != tt.provider || ep.Source != "argument" {
				t.Errorf("got %+v; want url %q name %q provider %q", ep, tt.wantURL, tt.name, tt.provider)
			}
			if _, err := ProbeURL(ep); err != nil {
				t.Errorf("ProbeURL of an accepted argument: %v", err)
			}
		})
	}
}

func TestEndpointFromArgErrors(t *testing.T) {
	tests := []struct{ arg, want string }{
		{"", "argument: empty URL"},
		{"   ", "argument: empty URL"},
		{"ftp://api.openai.com", `argument: cannot check "ftp://api.openai.com": url scheme "ftp" is not supported (want http or https)`},
		{"https://", `argument: cannot check "https://": url has no host`},
		{"https://api.openai.com:99999", `argument: cannot check "https://api.openai.com:99999": url port must be between 1 and 65535`},
		{"https://a b.example", "argument: cannot check the URL: url is not a valid URL (want e.g. https://api.openai.com/v1)"},
		{"ws://api.openai.com", `argument: cannot check "ws://api.openai.com": url scheme "ws" is not supported (want http or https)`},
		{"https://x.example/\x00", "argument: the URL contains control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			_, err := EndpointFromArg(tt.arg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.File != "argument" {
				t.Fatalf("err = %v, want a *ConfigError{File: argument}", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.want)
			}
		})
	}
}

// Keys and proxy passwords must never reach an error message, wherever a
// user puts them by mistake.
func TestErrorsNeverLeakSecrets(t *testing.T) {
	const key = "sk-LEAKCHECK0123456789abcdefABCDEF"
	const pw = "Pr0xyPassw0rdLEAK"
	configs := map[string]string{
		"bad url port with key":    "endpoints: [{name: a, url: 'https://x.example:99999', key: " + key + "}]",
		"url userinfo bad port":    "endpoints: [{name: a, url: 'https://u:" + pw + "@x.example:0'}]",
		"url userinfo bad scheme":  "endpoints: [{name: a, url: 'ftp://u:" + pw + "@x.example'}]",
		"url query key bad scheme": "endpoints: [{name: a, url: 'gopher://x.example/?key=" + key + "'}]",
		"url unparsable":           "endpoints: [{name: a, url: 'https://u:" + pw + "@x.example:bad/%zz'}]",
		"proxy bad scheme":         "endpoints: [{name: a, url: 'https://x.example', proxy: 'socks4://u:" + pw + "@127.0.0.1:1080'}]",
		"proxy bad port":           "endpoints: [{name: a, url: 'https://x.example', proxy: 'http://u:" + pw + "@127.0.0.1:99999'}]",
		"proxy slash in password":  "endpoints: [{name: a, url: 'https://x.example', proxy: 'http://u:" + pw + "/x@127.0.0.1:8080'}]",
		"proxy no scheme":          "endpoints: [{name: a, url: 'https://x.example', proxy: 'u:" + pw + "@127.0.0.1:8080'}]",
		"proxy percent garbage":    "endpoints: [{name: a, url: 'https://x.example', proxy: 'http://u:" + pw + "%zz@127.0.0.1:8080'}]",
		"key as provider":          "endpoints: [{name: a, url: 'https://x.example', provider: " + key + "}]",
		"short key as provider":    "endpoints: [{name: a, url: 'https://x.example', provider: sk-LEAKCHECK01}]",
		"key as key_env":           "endpoints: [{name: a, url: 'https://x.example', key_env: " + key + "}]",
		"alnum key as key_env":     "endpoints: [{name: a, url: 'https://x.example', key_env: LEAKCHECK0123456789abcdefABCDEF}]",
		"key with newline":         "endpoints: [{name: a, url: 'https://x.example', key: \"" + key + "\\nmore\"}]",
		"key and key_env":          "endpoints: [{name: a, url: 'https://x.example', key: " + key + ", key_env: SET_KEY}]",
		"key as key name":          "endpoints: [{name: a, url: 'https://x.example', " + key + ": 1}]",
		"key as timeout":           "endpoints: [{name: a, url: 'https://x.example'}]\ntimeouts: {dns: " + key + "}",
		"key broken yaml":          "endpoints: [{name: a, url: 'https://x.example', key: '" + key + "}]",
		"key tab yaml":             "endpoints:\n  - name: a\n    key: " + key + "\n\turl: x",
		"duplicate with key":       "endpoints: [{name: a, url: 'https://x.example', key: " + key + "}, {name: a, url: 'https://y.example', key: " + key + "}]",
		"duplicate key field":      "endpoints: [{name: a, url: 'https://x.example', key: " + key + ", key: " + key + "}]",
		"key as url":               "endpoints: [{name: a, url: " + key + "}]",
		"key env value unset":      "endpoints: [{name: a, url: 'https://x.example', key_env: UNSET}]\n# " + key,
	}
	env := testEnv(map[string]string{"SET_KEY": key})
	for name, y := range configs {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig("c.yaml", []byte(y), env)
			if err == nil {
				t.Fatalf("config parsed; the test wants an error:\n%s", y)
			}
			for _, s := range []string{key, pw, key[:16], "LEAKCHECK"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains a secret (%q)", err, s)
				}
			}
		})
	}
	args := []string{
		"ftp://u:" + pw + "@x.example", "https://u:" + pw + "@x.example:0", "https://x.example:0/?key=" + key,
		"https://u:" + pw + "/x@x.example:bad", "gopher://x.example?key=" + key,
	}
	for _, a := range args {
		t.Run("argument", func(t *testing.T) {
			_, err := EndpointFromArg(a)
			if err == nil {
				t.Fatalf("EndpointFromArg accepted %q", a)
			}
			if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), key) {
				t.Errorf("error %q contains a secret", err)
			}
		})
	}
	for _, p := range []string{"socks4://u:" + pw + "@h:1", "http://u:" + pw + "@h:0", "u:" + pw + "@h:1", "http://u:" + pw + "/x@h:bad"} {
		t.Run("resolve proxy", func(t *testing.T) {
			_, info, err := ResolveProxy(Endpoint{Name: "a", URL: "https://x.example", Proxy: p}, nil, testEnv(nil))
			if err == nil {
				t.Fatalf("ResolveProxy accepted %q", p)
			}
			if strings.Contains(err.Error()+info.URL+info.Note, pw) {
				t.Errorf("error %q / info %+v contains the password", err, info)
			}
		})
	}
}

func FuzzParseConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "config", "*", "*.yaml"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add(defaultsYAML)
	f.Add([]byte("endpoints: [{name: a, url: 'https://x.example', <<: *x}]"))
	f.Add([]byte("x: &a [*a]\nendpoints: *a"))
	f.Add([]byte("endpoints:\n  - name: a\n    url: http://[::1]:3000\n    probe_path: /api/status?x=1\n"))
	env := testEnv(map[string]string{"SET_KEY": "sk-set", "MY_KEY": "sk-my"})
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join("testdata", "config", "fuzz.yaml")
		cfg, err := ParseConfig(name, data, env)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v is not a *ConfigError", err, err)
			}
			if ce.Line < 0 || ce.Col < 0 || ce.File != name || ce.Msg == "" {
				t.Fatalf("bad ConfigError %+v", ce)
			}
			return
		}
		if len(cfg.Endpoints) == 0 {
			t.Fatal("a config without endpoints parsed")
		}
		names := map[string]bool{}
		for _, ep := range cfg.Endpoints {
			if ep.Name == "" || names[ep.Name] {
				t.Fatalf("empty or duplicate name %q", ep.Name)
			}
			names[ep.Name] = true
			if _, err := ProbeURL(ep); err != nil {
				t.Fatalf("accepted endpoint has no probe URL: %v", err)
			}
			if _, _, err := ResolveProxy(ep, nil, testEnv(nil)); err != nil {
				t.Fatalf("accepted endpoint has an unusable proxy: %v", err)
			}
		}
		for _, d := range []time.Duration{cfg.Timeouts.DNS, cfg.Timeouts.Connect, cfg.Timeouts.TLS, cfg.Timeouts.HTTP} {
			if d < 0 || d > maxLayerTimeout {
				t.Fatalf("timeout %v accepted", d)
			}
		}
	})
}

func BenchmarkParseDefaultConfig(b *testing.B) {
	for b.Loop() {
		if _, err := ParseConfig("defaults.yaml", defaultsYAML, testEnv(nil)); err != nil {
			b.Fatal(err)
		}
	}
}
