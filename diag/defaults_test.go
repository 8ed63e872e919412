package diag

import (
	"slices"
	"strings"
	"testing"
)

// The embedded default must parse with the same parser as a user's config
// and cover the upstreams the issue names, each probed at its free path.
func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	if len(cfg.Endpoints) < 11 {
		t.Fatalf("default has %d endpoints", len(cfg.Endpoints))
	}
	byProvider := map[string]Endpoint{}
	for _, ep := range cfg.Endpoints {
		if ep.Source != DefaultSource || ep.Key != "" || ep.Proxy != "" {
			t.Errorf("%s: source %q, key set %v, proxy %q: defaults carry no key or proxy", ep.Name, ep.Source, ep.Key != "", ep.Proxy)
		}
		byProvider[ep.Provider] = ep
	}
	required := []struct{ provider, probe string }{
		{"openai", "https://api.openai.com/v1/models"},
		{"anthropic", "https://api.anthropic.com/v1/models"},
		{"gemini", "https://generativelanguage.googleapis.com/v1beta/models"},
		{"deepseek", "https://api.deepseek.com/models"},
		{"mistral", "https://api.mistral.ai/v1/models"},
		{"openrouter", "https://openrouter.ai/api/v1/models"},
		{"moonshot", "https://api.moonshot.cn/v1/models"},
		{"zhipu", "https://open.bigmodel.cn/api/paas/v4/models"},
		{"siliconflow", "https://api.siliconflow.cn/v1/models"},
		{"xai", "https://api.x.ai/v1/models"},
		{"newapi", "http://127.0.0.1:3000/api/status"},
	}
	for _, r := range required {
		t.Run(r.provider, func(t *testing.T) {
			ep, ok := byProvider[r.provider]
			if !ok {
				t.Fatalf("no %s endpoint in the default", r.provider)
			}
			u, err := ProbeURL(ep)
			if err != nil || u.String() != r.probe {
				t.Errorf("%s probes %v (%v), want %s", ep.Name, u, err, r.probe)
			}
		})
	}
	if local := byProvider["newapi"]; local.Name != "local-new-api" {
		t.Errorf("the local gateway is named %q, want local-new-api", local.Name)
	}
	// Every default host but the local gateway is on the redaction allowlist.
	allow := PublicProviderHosts()
	for _, ep := range cfg.Endpoints {
		u, _ := ProbeURL(ep)
		if ep.Provider != "newapi" && !slices.Contains(allow, strings.ToLower(u.Hostname())) {
			t.Errorf("%s: host %s is not on the public allowlist", ep.Name, u.Hostname())
		}
	}
}

func TestDefaultConfigIsAFreshCopy(t *testing.T) {
	a := DefaultConfig()
	a.Endpoints[0].Name = "mutated"
	a.Endpoints = a.Endpoints[:1]
	b := DefaultConfig()
	if b.Endpoints[0].Name == "mutated" || len(b.Endpoints) < 2 {
		t.Fatal("DefaultConfig shares state between calls")
	}
}
