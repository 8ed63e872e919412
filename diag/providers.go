package diag

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Auth placements a Provider may use.
const (
	AuthBearer  = "bearer"    // Authorization: Bearer <key>
	AuthXAPIKey = "x-api-key" // x-api-key: <key> (Anthropic)
	AuthGoog    = "goog"      // x-goog-api-key: <key> (Gemini)
	AuthAPIKey  = "api-key"   // api-key: <key> (Azure OpenAI, as new-api sends it)
	AuthNone    = "none"      // the probe never carries a key
)

// GenericProviderID is the fallback for hosts no table row names: new-api's
// "Custom" channel, an OpenAI-compatible API.
const GenericProviderID = "openai-compatible"

// Provider describes how to probe one upstream family without cost.
type Provider struct {
	ID, Name string
	// Hosts are the provider's public API hosts (exact, lower case). They infer
	// the provider from a URL and form the redaction allowlist.
	Hosts []string
	// ProbePath is the free model-list path from the host's root, used when the
	// endpoint URL has no path (or only BasePath).
	ProbePath string
	// BasePath is the path new-api's default base URL already carries
	// (OpenRouter's "/api"); a URL with exactly that path is still "no path".
	BasePath string
	Auth     string
	// Extra headers sent with the key (Anthropic's API version).
	Extra http.Header

	aliases []string
	// hostSuffixes infer the provider from per-customer hosts (Azure's
	// NAME.openai.azure.com). They never join the redaction allowlist: the
	// resource name identifies the customer.
	hostSuffixes []string
}

// AzureAPIVersion is the api-version asked when none is configured: Azure
// answers 404 to a request without one.
const AzureAPIVersion = "2024-10-21"

// providers is the table. Paths are those each API documents for listing
// models: a GET that costs nothing and answers 401 without a key.
var providers = []Provider{
	{ID: "openai", Name: "OpenAI", Hosts: []string{"api.openai.com"}, ProbePath: "/v1/models", Auth: AuthBearer},
	{ID: "anthropic", Name: "Anthropic", Hosts: []string{"api.anthropic.com"}, ProbePath: "/v1/models", Auth: AuthXAPIKey,
		Extra: http.Header{"Anthropic-Version": {"2023-06-01"}}, aliases: []string{"claude"}},
	{ID: "gemini", Name: "Google Gemini", Hosts: []string{"generativelanguage.googleapis.com"}, ProbePath: "/v1beta/models",
		Auth: AuthGoog, aliases: []string{"google"}},
	{ID: "deepseek", Name: "DeepSeek", Hosts: []string{"api.deepseek.com"}, ProbePath: "/models", Auth: AuthBearer},
	{ID: "mistral", Name: "Mistral", Hosts: []string{"api.mistral.ai"}, ProbePath: "/v1/models", Auth: AuthBearer},
	{ID: "openrouter", Name: "OpenRouter", Hosts: []string{"openrouter.ai"}, ProbePath: "/api/v1/models", BasePath: "/api", Auth: AuthBearer},
	{ID: "moonshot", Name: "Moonshot (Kimi)", Hosts: []string{"api.moonshot.cn", "api.moonshot.ai"}, ProbePath: "/v1/models",
		Auth: AuthBearer, aliases: []string{"kimi"}},
	{ID: "zhipu", Name: "Zhipu (BigModel)", Hosts: []string{"open.bigmodel.cn"}, ProbePath: "/api/paas/v4/models",
		Auth: AuthBearer, aliases: []string{"zhipu_v4", "bigmodel", "glm"}},
	{ID: "siliconflow", Name: "SiliconFlow", Hosts: []string{"api.siliconflow.cn", "api.siliconflow.com"}, ProbePath: "/v1/models", Auth: AuthBearer},
	{ID: "xai", Name: "xAI", Hosts: []string{"api.x.ai"}, ProbePath: "/v1/models", Auth: AuthBearer, aliases: []string{"grok"}},
	{ID: "perplexity", Name: "Perplexity", Hosts: []string{"api.perplexity.ai"}, ProbePath: "/models", Auth: AuthBearer},
	{ID: "cohere", Name: "Cohere", Hosts: []string{"api.cohere.ai", "api.cohere.com"}, ProbePath: "/v1/models", Auth: AuthBearer},
	// new-api's Ali channel speaks DashScope's native API; its OpenAI-compatible
	// mode lists models for free under the same host.
	{ID: "ali", Name: "Alibaba DashScope", Hosts: []string{"dashscope.aliyuncs.com", "dashscope-intl.aliyuncs.com"},
		ProbePath: "/compatible-mode/v1/models", Auth: AuthBearer, aliases: []string{"dashscope", "qwen"}},
	{ID: "volcengine", Name: "Volcengine Ark", Hosts: []string{"ark.cn-beijing.volces.com"}, ProbePath: "/api/v3/models",
		Auth: AuthBearer, aliases: []string{"doubao", "ark"}},
	{ID: "lingyiwanwu", Name: "01.AI (LingYiWanWu)", Hosts: []string{"api.lingyiwanwu.com"}, ProbePath: "/v1/models", Auth: AuthBearer},
	// Azure's hosts are per resource; its model list needs an api-version.
	{ID: "azure", Name: "Azure OpenAI", ProbePath: "/openai/models?api-version=" + AzureAPIVersion, Auth: AuthAPIKey,
		aliases: []string{"azure-openai", "azure_openai"}, hostSuffixes: []string{".openai.azure.com", ".cognitiveservices.azure.com"}},
	// Hosts of the next two are operator-chosen (usually local): no inference.
	{ID: "ollama", Name: "Ollama", ProbePath: "/api/tags", Auth: AuthBearer},
	// /api/status is public; a key (a new-api token) only matters for probe
	// paths under /v1, where new-api expects a bearer token.
	{ID: "newapi", Name: "new-api gateway", ProbePath: "/api/status", Auth: AuthBearer, aliases: []string{"new-api", "one-api"}},
	{ID: GenericProviderID, Name: "OpenAI-compatible", ProbePath: "/v1/models", Auth: AuthBearer,
		aliases: []string{"custom", "generic", "openai_compatible"}},
}

// ProviderByID finds a provider by id or alias, ignoring case.
func ProviderByID(id string) (Provider, bool) {
	id = strings.TrimSpace(id)
	if id == "" {
		return Provider{}, false
	}
	for _, p := range providers {
		if strings.EqualFold(p.ID, id) {
			return p, true
		}
		for _, a := range p.aliases {
			if strings.EqualFold(a, id) {
				return p, true
			}
		}
	}
	return Provider{}, false
}

// ProviderIDs lists the ids a config may name, in table order.
func ProviderIDs() []string {
	ids := make([]string, len(providers))
	for i, p := range providers {
		ids[i] = p.ID
	}
	return ids
}

// ProviderForHost infers the provider from a host, with or without a port.
func ProviderForHost(host string) (Provider, bool) {
	h := normalHost(host)
	if h == "" {
		return Provider{}, false
	}
	for _, p := range providers {
		for _, ph := range p.Hosts {
			if h == ph {
				return p, true
			}
		}
		for _, s := range p.hostSuffixes {
			if strings.HasSuffix(h, s) && len(h) > len(s) {
				return p, true
			}
		}
	}
	return Provider{}, false
}

// normalHost lowers a host, drops a port, brackets and a trailing dot.
func normalHost(host string) string {
	host = strings.TrimSpace(host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return strings.ToLower(host)
}

// PublicProviderHosts is the redaction allowlist: the well-known public API
// hosts of the table, sorted and unique. Local and operator-chosen hosts are
// never on it.
func PublicProviderHosts() []string {
	seen := map[string]bool{}
	var hosts []string
	for _, p := range providers {
		for _, h := range p.Hosts {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	sort.Strings(hosts)
	return hosts
}

// DoHExample is the DNS-over-HTTPS server --doh's messages suggest.
const DoHExample = "https://dns.alidns.com/dns-query"

// RedactionAllowlist is what stays visible at the default level: the
// provider hosts, and the public hosts the tool picks itself (the default
// control targets, the DoH server a message gives as an example), so the
// evidence and the messages that quote them can be read; an
// operator's --control hosts are theirs and stay pseudonymised.
func RedactionAllowlist() []string {
	hosts := PublicProviderHosts()
	for _, c := range append([]string{DoHExample}, DefaultControls...) {
		if u, err := url.Parse(c); err == nil && !slices.Contains(hosts, u.Hostname()) {
			hosts = append(hosts, u.Hostname())
		}
	}
	sort.Strings(hosts)
	return hosts
}

// providerOf picks the endpoint's provider: the configured id, else the one
// its host names, else the OpenAI-compatible fallback.
func providerOf(ep Endpoint, u *url.URL) Provider {
	if p, ok := ProviderByID(ep.Provider); ok {
		return p
	}
	if u != nil {
		if p, ok := ProviderForHost(u.Host); ok {
			return p
		}
	}
	p, _ := ProviderByID(GenericProviderID)
	return p
}

// ProbeURL is the URL the HTTP layer GETs for ep:
//   - ep.ProbePath set: the URL's path + ProbePath, plainly concatenated as
//     new-api appends request paths to a base URL;
//   - the URL has no path ("" or "/", or only the provider's BasePath): the
//     provider's ProbePath;
//   - otherwise the URL's path + "/models" (an OpenAI-style base such as /v1).
func ProbeURL(ep Endpoint) (*url.URL, error) {
	u, err := parseEndpointURL(ep.URL)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %s", ep.Name, err.Error())
	}
	p := providerOf(ep, u)
	base, rawBase := u.Path, u.RawPath
	if base == "/" {
		base, rawBase = "", ""
	}
	var suffix, query string
	switch {
	case ep.ProbePath != "":
		pp, err := parseProbePath(ep.ProbePath)
		if err != nil {
			return nil, fmt.Errorf("endpoint %q: %s", ep.Name, err.Error())
		}
		suffix, query = pp.Path, pp.RawQuery
	case base == "" || (p.BasePath != "" && strings.TrimSuffix(base, "/") == p.BasePath):
		base, rawBase = "", ""
		suffix, query, _ = strings.Cut(p.ProbePath, "?")
	default:
		// A trailing slash is the user's; the doctor's own suffix must not double it.
		base, rawBase = strings.TrimSuffix(base, "/"), strings.TrimSuffix(rawBase, "/")
		suffix = "/models"
	}
	out := *u
	out.Path = base + suffix
	if rawBase != "" {
		out.RawPath = rawBase + (&url.URL{Path: suffix}).EscapedPath()
	} else {
		out.RawPath = ""
	}
	out.Fragment, out.RawFragment = "", ""
	switch {
	case query == "":
	case out.RawQuery == "":
		out.RawQuery = query
	default:
		out.RawQuery += "&" + query
	}
	return &out, nil
}

// parseEndpointURL checks a base URL: http or https with a host and a valid
// port. Messages never echo the URL (it may carry credentials).
func parseEndpointURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("url is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url is not a valid URL (want e.g. https://api.openai.com/v1)")
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return nil, fmt.Errorf("url has no scheme (want http:// or https://)")
	default:
		return nil, fmt.Errorf("url scheme %s is not supported (want http or https)", safeToken(u.Scheme))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("url has no host")
	}
	if err := checkPort(u.Port()); err != nil {
		return nil, fmt.Errorf("url %s", err.Error())
	}
	h, err := ASCIIHost(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("url: %s", err.Error())
	}
	if h != u.Hostname() { // IDN: every layer below dials the punycode name
		port := u.Port()
		u.Host = h
		if port != "" {
			u.Host = net.JoinHostPort(h, port)
		}
	}
	return u, nil
}

func checkPort(port string) error {
	if port == "" {
		return nil
	}
	n := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return fmt.Errorf("has an invalid port")
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			break
		}
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("port must be between 1 and 65535")
	}
	return nil
}

// parseProbePath checks a probe_path: an absolute path, optionally with a query.
func parseProbePath(pp string) (*url.URL, error) {
	u, err := url.Parse(pp)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || !strings.HasPrefix(pp, "/") || strings.HasPrefix(pp, "//") {
		return nil, fmt.Errorf("probe_path must be a path starting with / (e.g. /models)")
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("probe_path must not have a #fragment")
	}
	return u, nil
}

// AuthHeader is the header carrying ep's key, placed as its provider expects;
// nil when no key is configured (the probe then sends none).
func AuthHeader(ep Endpoint) http.Header {
	key := firstKey(ep.Key)
	if key == "" {
		return nil
	}
	u, _ := url.Parse(strings.TrimSpace(ep.URL))
	p := providerOf(ep, u)
	h := http.Header{}
	switch p.Auth {
	case AuthNone:
		return nil
	case AuthXAPIKey:
		h.Set("X-Api-Key", key)
	case AuthGoog:
		h.Set("X-Goog-Api-Key", key)
	case AuthAPIKey:
		h.Set("Api-Key", key)
	default:
		h.Set("Authorization", "Bearer "+key)
	}
	for k, vs := range p.Extra {
		h[k] = append([]string(nil), vs...)
	}
	return h
}

// ProbeHeader is every header the probe should send for ep: the provider's
// non-secret headers (Anthropic's version) always, plus AuthHeader's.
func ProbeHeader(ep Endpoint) http.Header {
	u, _ := url.Parse(strings.TrimSpace(ep.URL))
	p := providerOf(ep, u)
	h := http.Header{}
	for k, vs := range p.Extra {
		h[k] = append([]string(nil), vs...)
	}
	for k, vs := range AuthHeader(ep) {
		h[k] = vs
	}
	return h
}

// firstKey takes the first of several keys (new-api stores them one a line)
// and refuses a key a header cannot carry.
func firstKey(key string) string {
	if i := strings.IndexAny(key, "\r\n"); i >= 0 {
		key = key[:i]
	}
	key = strings.TrimSpace(key)
	if hasControl(key) {
		return ""
	}
	return key
}

func hasControl(s string) bool {
	for _, c := range s {
		if c < 0x20 || c >= 0x7f && c <= 0x9f || invisible(c) {
			return true
		}
	}
	return false
}

// invisible: bidi overrides and isolates reorder what follows them on
// screen (a name "ab\u202ecd" prints as "abdc"), zero-width spaces and BOMs
// make two names look alike. Joiners stay: emoji sequences use them.
func invisible(c rune) bool {
	switch {
	case c >= 0x202a && c <= 0x202e, c >= 0x2066 && c <= 0x2069,
		c == 0x200b, c == 0x200e, c == 0x200f, c == 0x061c, c == 0xfeff:
		return true
	}
	return false
}

// safeToken quotes short identifier-like values (schemes, provider ids) and
// hides anything else: a long or odd value may be a pasted key.
func safeToken(s string) string {
	if s == "" || len(s) > 24 || strings.HasPrefix(strings.ToLower(s), "sk-") {
		return "(value hidden)"
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '+') {
			return "(value hidden)"
		}
	}
	return fmt.Sprintf("%q", s)
}
