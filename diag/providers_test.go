package diag

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestProbeURL(t *testing.T) {
	tests := []struct {
		name string
		ep   Endpoint
		want string
	}{
		{"openai bare host", Endpoint{URL: "https://api.openai.com"}, "https://api.openai.com/v1/models"},
		{"openai slash", Endpoint{URL: "https://api.openai.com/"}, "https://api.openai.com/v1/models"},
		{"openai /v1", Endpoint{URL: "https://api.openai.com/v1"}, "https://api.openai.com/v1/models"},
		{"trailing slash not doubled", Endpoint{URL: "https://api.openai.com/v1/"}, "https://api.openai.com/v1/models"},
		{"host case and port", Endpoint{URL: "https://API.OpenAI.com:443"}, "https://API.OpenAI.com:443/v1/models"},
		{"deepseek has no /v1", Endpoint{URL: "https://api.deepseek.com"}, "https://api.deepseek.com/models"},
		{"anthropic", Endpoint{URL: "https://api.anthropic.com"}, "https://api.anthropic.com/v1/models"},
		{"gemini", Endpoint{URL: "https://generativelanguage.googleapis.com"}, "https://generativelanguage.googleapis.com/v1beta/models"},
		{"gemini /v1beta", Endpoint{URL: "https://generativelanguage.googleapis.com/v1beta"}, "https://generativelanguage.googleapis.com/v1beta/models"},
		{"openrouter new-api base /api", Endpoint{URL: "https://openrouter.ai/api"}, "https://openrouter.ai/api/v1/models"},
		{"openrouter /api/", Endpoint{URL: "https://openrouter.ai/api/"}, "https://openrouter.ai/api/v1/models"},
		{"openrouter bare", Endpoint{URL: "https://openrouter.ai"}, "https://openrouter.ai/api/v1/models"},
		{"openrouter /api/v1", Endpoint{URL: "https://openrouter.ai/api/v1"}, "https://openrouter.ai/api/v1/models"},
		{"zhipu", Endpoint{URL: "https://open.bigmodel.cn"}, "https://open.bigmodel.cn/api/paas/v4/models"},
		{"zhipu v4 base", Endpoint{URL: "https://open.bigmodel.cn/api/paas/v4"}, "https://open.bigmodel.cn/api/paas/v4/models"},
		{"dashscope", Endpoint{URL: "https://dashscope.aliyuncs.com"}, "https://dashscope.aliyuncs.com/compatible-mode/v1/models"},
		{"volcengine", Endpoint{URL: "https://ark.cn-beijing.volces.com"}, "https://ark.cn-beijing.volces.com/api/v3/models"},
		{"newapi provider", Endpoint{URL: "http://127.0.0.1:3000", Provider: "newapi"}, "http://127.0.0.1:3000/api/status"},
		{"ollama provider", Endpoint{URL: "http://localhost:11434", Provider: "ollama"}, "http://localhost:11434/api/tags"},
		{"unknown host is OpenAI-compatible", Endpoint{URL: "https://llm.corp.example"}, "https://llm.corp.example/v1/models"},
		{"unknown host with path", Endpoint{URL: "https://gw.example/openai/v1"}, "https://gw.example/openai/v1/models"},
		{"provider overrides host", Endpoint{URL: "https://relay.example", Provider: "gemini"}, "https://relay.example/v1beta/models"},
		{"provider alias", Endpoint{URL: "https://relay.example", Provider: "Claude"}, "https://relay.example/v1/models"},
		{"probe_path on bare host", Endpoint{URL: "http://127.0.0.1:3000", ProbePath: "/api/status"}, "http://127.0.0.1:3000/api/status"},
		{"probe_path on slash", Endpoint{URL: "http://127.0.0.1:3000/", ProbePath: "/api/status"}, "http://127.0.0.1:3000/api/status"},
		{"probe_path concatenates like new-api", Endpoint{URL: "https://api.openai.com/v1", ProbePath: "/models/gpt-4o"}, "https://api.openai.com/v1/models/gpt-4o"},
		{"probe_path keeps a doubled /v1", Endpoint{URL: "https://api.openai.com/v1", ProbePath: "/v1/models"}, "https://api.openai.com/v1/v1/models"},
		{"probe_path query", Endpoint{URL: "https://x.example/v1", ProbePath: "/models?limit=1"}, "https://x.example/v1/models?limit=1"},
		{"queries merge", Endpoint{URL: "https://x.example/v1?api-version=2024", ProbePath: "/models?limit=1"}, "https://x.example/v1/models?api-version=2024&limit=1"},
		{"base query kept", Endpoint{URL: "https://x.example/v1?a=b"}, "https://x.example/v1/models?a=b"},
		{"fragment dropped", Endpoint{URL: "https://x.example/v1#frag"}, "https://x.example/v1/models"},
		{"userinfo kept for basic auth", Endpoint{URL: "https://u:p@x.example/v1"}, "https://u:p@x.example/v1/models"},
		{"escaped path kept", Endpoint{URL: "https://x.example/a%2Fb/v1"}, "https://x.example/a%2Fb/v1/models"},
		{"ipv6 literal", Endpoint{URL: "http://[::1]:3000", Provider: "newapi"}, "http://[::1]:3000/api/status"},
		{"azure resource endpoint", Endpoint{URL: "https://res.openai.azure.com"}, "https://res.openai.azure.com/openai/models?api-version=" + AzureAPIVersion},
		{"azure by id keeps the base query", Endpoint{URL: "https://gw.example/?x=1", Provider: "azure"}, "https://gw.example/openai/models?x=1&api-version=" + AzureAPIVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ProbeURL(tt.ep)
			if err != nil {
				t.Fatalf("ProbeURL(%+v): %v", tt.ep, err)
			}
			if got := u.String(); got != tt.want {
				t.Errorf("ProbeURL(%q, provider %q, probe %q) = %q, want %q", tt.ep.URL, tt.ep.Provider, tt.ep.ProbePath, got, tt.want)
			}
		})
	}
}

func TestProbeURLErrors(t *testing.T) {
	tests := []struct {
		name string
		ep   Endpoint
		want string
	}{
		{"empty", Endpoint{Name: "e"}, "url is empty"},
		{"no scheme", Endpoint{Name: "e", URL: "api.openai.com"}, "no scheme"},
		{"ftp", Endpoint{Name: "e", URL: "ftp://api.openai.com"}, `"ftp" is not supported`},
		{"no host", Endpoint{Name: "e", URL: "https:///v1"}, "no host"},
		{"port range", Endpoint{Name: "e", URL: "https://h.example:70000"}, "between 1 and 65535"},
		{"port zero", Endpoint{Name: "e", URL: "https://h.example:0"}, "between 1 and 65535"},
		{"relative probe_path", Endpoint{Name: "e", URL: "https://h.example", ProbePath: "models"}, "probe_path must be a path starting with /"},
		{"absolute URL probe_path", Endpoint{Name: "e", URL: "https://h.example", ProbePath: "https://evil.example/x"}, "probe_path must be a path"},
		{"scheme-relative probe_path", Endpoint{Name: "e", URL: "https://h.example", ProbePath: "//evil.example/x"}, "probe_path must be a path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ProbeURL(tt.ep)
			if err == nil {
				t.Fatalf("ProbeURL(%+v) = %v, want an error", tt.ep, u)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `endpoint "e"`) {
				t.Errorf("error %q does not name the endpoint and say %q", err, tt.want)
			}
		})
	}
}

func TestAuthHeader(t *testing.T) {
	const key = "sk-test-0123456789abcdef"
	tests := []struct {
		name string
		ep   Endpoint
		want http.Header
	}{
		{"no key", Endpoint{URL: "https://api.openai.com"}, nil},
		{"blank key", Endpoint{URL: "https://api.openai.com", Key: "  "}, nil},
		{"openai bearer", Endpoint{URL: "https://api.openai.com", Key: key}, http.Header{"Authorization": {"Bearer " + key}}},
		{"anthropic x-api-key and version", Endpoint{URL: "https://api.anthropic.com/v1", Key: key},
			http.Header{"X-Api-Key": {key}, "Anthropic-Version": {"2023-06-01"}}},
		{"gemini goog", Endpoint{URL: "https://generativelanguage.googleapis.com", Key: key}, http.Header{"X-Goog-Api-Key": {key}}},
		{"azure api-key", Endpoint{URL: "https://res.openai.azure.com", Key: key}, http.Header{"Api-Key": {key}}},
		{"unknown host bearer", Endpoint{URL: "https://llm.corp.example/v1", Key: key}, http.Header{"Authorization": {"Bearer " + key}}},
		{"provider overrides host", Endpoint{URL: "https://relay.example", Provider: "anthropic", Key: key},
			http.Header{"X-Api-Key": {key}, "Anthropic-Version": {"2023-06-01"}}},
		{"newapi token is bearer", Endpoint{URL: "http://127.0.0.1:3000", Provider: "newapi", Key: key}, http.Header{"Authorization": {"Bearer " + key}}},
		{"several keys: the first", Endpoint{URL: "https://api.openai.com", Key: key + "\nsk-second"}, http.Header{"Authorization": {"Bearer " + key}}},
		{"control character refused", Endpoint{URL: "https://api.openai.com", Key: "sk-a\x00b"}, nil},
		{"unparsable URL still bearer", Endpoint{URL: "::bad", Key: key}, http.Header{"Authorization": {"Bearer " + key}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AuthHeader(tt.ep)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AuthHeader = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthHeaderDoesNotShareProviderHeaders(t *testing.T) {
	ep := Endpoint{URL: "https://api.anthropic.com", Key: "k"}
	h := AuthHeader(ep)
	h["Anthropic-Version"][0] = "mutated"
	if got := AuthHeader(ep).Get("Anthropic-Version"); got != "2023-06-01" {
		t.Fatalf("mutating a returned header changed the table: %q", got)
	}
}

func TestProbeHeader(t *testing.T) {
	tests := []struct {
		name string
		ep   Endpoint
		want http.Header
	}{
		{"anthropic without key keeps the version", Endpoint{URL: "https://api.anthropic.com"}, http.Header{"Anthropic-Version": {"2023-06-01"}}},
		{"anthropic with key", Endpoint{URL: "https://api.anthropic.com", Key: "k"}, http.Header{"Anthropic-Version": {"2023-06-01"}, "X-Api-Key": {"k"}}},
		{"openai without key is empty", Endpoint{URL: "https://api.openai.com"}, http.Header{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProbeHeader(tt.ep); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ProbeHeader = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProviderForHost(t *testing.T) {
	tests := []struct {
		host, want string
		ok         bool
	}{
		{"api.openai.com", "openai", true},
		{"API.OPENAI.COM", "openai", true},
		{"api.openai.com:443", "openai", true},
		{"api.openai.com.", "openai", true},
		{"api.anthropic.com", "anthropic", true},
		{"generativelanguage.googleapis.com", "gemini", true},
		{"openrouter.ai", "openrouter", true},
		{"api.moonshot.ai", "moonshot", true},
		{"api.siliconflow.com", "siliconflow", true},
		{"api.x.ai", "xai", true},
		{"res.openai.azure.com", "azure", true},
		{"RES.cognitiveservices.azure.com:443", "azure", true},
		{"openai.azure.com", "", false},
		{"res.openai.azure.com.evil.example", "", false},
		{"evil-api.openai.com", "", false},
		{"api.openai.com.evil.example", "", false},
		{"127.0.0.1:3000", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			p, ok := ProviderForHost(tt.host)
			if ok != tt.ok || p.ID != tt.want {
				t.Errorf("ProviderForHost(%q) = %q, %v; want %q, %v", tt.host, p.ID, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestProviderByID(t *testing.T) {
	tests := []struct {
		id, want string
		ok       bool
	}{
		{"openai", "openai", true},
		{"OpenAI", "openai", true},
		{" anthropic ", "anthropic", true},
		{"claude", "anthropic", true},
		{"google", "gemini", true},
		{"custom", GenericProviderID, true},
		{"new-api", "newapi", true},
		{"dashscope", "ali", true},
		{"nope", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p, ok := ProviderByID(tt.id)
			if ok != tt.ok || p.ID != tt.want {
				t.Errorf("ProviderByID(%q) = %q, %v; want %q, %v", tt.id, p.ID, ok, tt.want, tt.ok)
			}
		})
	}
}

// The table itself: every row must be usable, ids and hosts unique, and the
// allowlist must hold only public API hosts.
func TestProviderTable(t *testing.T) {
	ids := map[string]bool{}
	hosts := map[string]string{}
	for _, p := range providers {
		t.Run(p.ID, func(t *testing.T) {
			if ids[p.ID] {
				t.Errorf("duplicate id %q", p.ID)
			}
			ids[p.ID] = true
			for _, s := range p.hostSuffixes {
				if !strings.HasPrefix(s, ".") || s != strings.ToLower(s) {
					t.Errorf("host suffix %q must be a lower-case .domain", s)
				}
			}
			if p.Name == "" || !strings.HasPrefix(p.ProbePath, "/") {
				t.Errorf("row %+v lacks a name or an absolute probe path", p)
			}
			if p.BasePath != "" && !strings.HasPrefix(p.ProbePath, p.BasePath+"/") {
				t.Errorf("probe path %q is not under base path %q", p.ProbePath, p.BasePath)
			}
			if !slices.Contains([]string{AuthBearer, AuthXAPIKey, AuthGoog, AuthAPIKey, AuthNone}, p.Auth) {
				t.Errorf("auth %q is not a known placement", p.Auth)
			}
			for _, h := range p.Hosts {
				if prev, dup := hosts[h]; dup {
					t.Errorf("host %q in %q and %q", h, prev, p.ID)
				}
				hosts[h] = p.ID
				if h != strings.ToLower(h) || !strings.Contains(h, ".") {
					t.Errorf("host %q must be a lower-case public name", h)
				}
			}
		})
	}
	got := PublicProviderHosts()
	if !slices.IsSorted(got) || len(got) != len(hosts) {
		t.Errorf("PublicProviderHosts = %v: want the %d table hosts, sorted", got, len(hosts))
	}
	for _, h := range got {
		if h == "localhost" || strings.HasPrefix(h, "127.") || hosts[h] == "" {
			t.Errorf("allowlist holds %q", h)
		}
	}
	for _, want := range []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com"} {
		if !slices.Contains(got, want) {
			t.Errorf("allowlist lacks %q", want)
		}
	}
}
