package diag

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/http/httpproxy"
)

func TestResolveProxy(t *testing.T) {
	const https = "https://api.openai.com/v1"
	tests := []struct {
		name     string
		url      string // endpoint URL; the target is its ProbeURL
		proxy    string // Endpoint.Proxy
		env      map[string]string
		wantURL  string // the proxy to dial ("" = direct)
		source   string
		infoURL  string
		noteHas  string
		noteNone bool // Note must be empty
	}{
		// configured proxies
		{name: "config http", url: https, proxy: "http://127.0.0.1:7890", wantURL: "http://127.0.0.1:7890", source: "config", infoURL: "http://127.0.0.1:7890", noteNone: true},
		{name: "config socks5h with credentials", url: https, proxy: "socks5h://u:secret@127.0.0.1:1080",
			wantURL: "socks5h://u:secret@127.0.0.1:1080", source: "config", infoURL: "socks5h://u:xxxxx@127.0.0.1:1080"},
		{name: "config wins over env and says so", url: https, proxy: "socks5://127.0.0.1:1080", env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:8080"},
			wantURL: "socks5://127.0.0.1:1080", source: "config", noteHas: "replaces HTTPS_PROXY"},
		{name: "config proxy applies to loopback too", url: "http://127.0.0.1:3000", proxy: "http://127.0.0.1:7890", wantURL: "http://127.0.0.1:7890", source: "config"},
		{name: "config proxy ignores NO_PROXY", url: https, proxy: "http://127.0.0.1:7890", env: map[string]string{"NO_PROXY": "*"}, wantURL: "http://127.0.0.1:7890", source: "config"},
		{name: "direct beats env", url: https, proxy: "direct", env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:8080"}, source: "direct"},
		{name: "Direct in any case", url: https, proxy: "Direct", source: "direct"},

		// environment, by Go's rules
		{name: "nothing set", url: https, source: "none", noteNone: true},
		{name: "HTTPS_PROXY", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890"}, wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY", noteNone: true},
		{name: "https_proxy", url: https, env: map[string]string{"https_proxy": "http://127.0.0.1:7890"}, wantURL: "http://127.0.0.1:7890", source: "env:https_proxy"},
		{name: "uppercase wins and the difference is noted", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:1", "https_proxy": "http://127.0.0.1:2"},
			wantURL: "http://127.0.0.1:1", source: "env:HTTPS_PROXY", noteHas: "HTTPS_PROXY wins over https_proxy"},
		{name: "same value in both cases: no note", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:1", "https_proxy": "http://127.0.0.1:1"},
			wantURL: "http://127.0.0.1:1", source: "env:HTTPS_PROXY", noteNone: true},
		{name: "empty uppercase falls to lowercase", url: https, env: map[string]string{"HTTPS_PROXY": "", "https_proxy": "http://127.0.0.1:2"},
			wantURL: "http://127.0.0.1:2", source: "env:https_proxy"},
		{name: "HTTP_PROXY not used for https", url: https, env: map[string]string{"HTTP_PROXY": "http://127.0.0.1:7890"}, source: "none"},
		{name: "HTTP_PROXY for http", url: "http://llm.corp.example", env: map[string]string{"HTTP_PROXY": "http://127.0.0.1:7890", "HTTPS_PROXY": "http://127.0.0.1:1"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTP_PROXY"},
		{name: "http_proxy for http", url: "http://llm.corp.example", env: map[string]string{"http_proxy": "http://127.0.0.1:7890"}, wantURL: "http://127.0.0.1:7890", source: "env:http_proxy"},
		{name: "CGI refuses HTTP_PROXY", url: "http://llm.corp.example", env: map[string]string{"HTTP_PROXY": "http://127.0.0.1:7890", "REQUEST_METHOD": "GET"},
			source: "none", noteHas: "REQUEST_METHOD is set"},
		{name: "CGI keeps HTTPS_PROXY", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "REQUEST_METHOD": "GET"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY"},
		{name: "scheme-less value is http, as in Go", url: https, env: map[string]string{"HTTPS_PROXY": "127.0.0.1:7890"}, wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY"},
		{name: "scheme-less name:port", url: https, env: map[string]string{"HTTPS_PROXY": "proxy.corp.example:3128"}, wantURL: "http://proxy.corp.example:3128", source: "env:HTTPS_PROXY"},
		{name: "socks5 from env", url: https, env: map[string]string{"HTTPS_PROXY": "socks5://127.0.0.1:1080"}, wantURL: "socks5://127.0.0.1:1080", source: "env:HTTPS_PROXY"},
		{name: "env credentials kept to dial, hidden in info", url: https, env: map[string]string{"HTTPS_PROXY": "http://u:pw@127.0.0.1:3128"},
			wantURL: "http://u:pw@127.0.0.1:3128", source: "env:HTTPS_PROXY", infoURL: "http://u:xxxxx@127.0.0.1:3128"},
		{name: "unparsable value is ignored like Go", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890/%zz"},
			source: "none", noteHas: "Go ignores it silently, so new-api connects directly"},

		// ALL_PROXY: used for the probe, with a note that new-api ignores it
		{name: "ALL_PROXY", url: https, env: map[string]string{"ALL_PROXY": "socks5://127.0.0.1:1080"}, wantURL: "socks5://127.0.0.1:1080", source: "env:ALL_PROXY",
			noteHas: "new-api does not read ALL_PROXY"},
		{name: "all_proxy", url: "http://llm.corp.example", env: map[string]string{"all_proxy": "socks5h://127.0.0.1:1080"}, wantURL: "socks5h://127.0.0.1:1080",
			source: "env:all_proxy", noteHas: "set HTTP_PROXY for new-api"},
		{name: "HTTPS_PROXY beats ALL_PROXY", url: https, env: map[string]string{"ALL_PROXY": "socks5://127.0.0.1:1080", "HTTPS_PROXY": "http://127.0.0.1:7890"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY", noteNone: true},
		{name: "spaces make Go ignore the value", url: https, env: map[string]string{"HTTPS_PROXY": " http://127.0.0.1:7890"},
			source: "none", noteHas: "HTTPS_PROXY has spaces around its value: Go ignores it silently"},
		{name: "unparsable ALL_PROXY ignored", url: https, env: map[string]string{"ALL_PROXY": "socks5://[bad/%zz"}, source: "none", noteHas: "ALL_PROXY is not a valid URL"},

		// never proxied
		{name: "loopback IPv4", url: "http://127.0.0.1:3000", env: map[string]string{"HTTP_PROXY": "http://10.0.0.1:3128"}, source: "none", noteHas: "loopback targets are never proxied"},
		{name: "loopback 127.0.0.2", url: "https://127.0.0.2", env: map[string]string{"HTTPS_PROXY": "http://10.0.0.1:3128"}, source: "none", noteHas: "never proxied"},
		{name: "loopback IPv6", url: "http://[::1]:3000", env: map[string]string{"HTTP_PROXY": "http://10.0.0.1:3128"}, source: "none", noteHas: "never proxied"},
		{name: "localhost", url: "http://localhost:3000", env: map[string]string{"HTTP_PROXY": "http://10.0.0.1:3128"}, source: "none", noteHas: "never proxied"},
		{name: "LOCALHOST", url: "http://LOCALHOST:3000", env: map[string]string{"HTTP_PROXY": "http://10.0.0.1:3128"}, source: "none", noteHas: "never proxied"},
		{name: "loopback by ALL_PROXY too", url: "http://127.0.0.1:3000", env: map[string]string{"ALL_PROXY": "socks5://10.0.0.1:1080"}, source: "none", noteHas: "never proxied"},
		{name: "private address is proxied", url: "http://10.1.2.3:3000", env: map[string]string{"HTTP_PROXY": "http://10.0.0.1:3128"}, wantURL: "http://10.0.0.1:3128", source: "env:HTTP_PROXY"},

		// NO_PROXY, decided by x/net's matcher
		{name: "NO_PROXY exact host", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "api.openai.com"},
			source: "no_proxy:NO_PROXY", noteHas: "NO_PROXY exempts this host"},
		{name: "no_proxy lowercase named", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "no_proxy": "api.openai.com"}, source: "no_proxy:no_proxy"},
		{name: "NO_PROXY beats no_proxy", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "other.example", "no_proxy": "api.openai.com"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY"},
		{name: "NO_PROXY .domain", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": ".openai.com"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY domain matches subdomains", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "openai.com"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY other domain", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "anthropic.com,example.org"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY"},
		{name: "NO_PROXY star", url: https, env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "*"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY CIDR", url: "http://10.1.2.3:8000", env: map[string]string{"HTTP_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "10.0.0.0/8"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY CIDR miss", url: "http://192.168.1.3:8000", env: map[string]string{"HTTP_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "10.0.0.0/8"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTP_PROXY"},
		{name: "NO_PROXY host:port match", url: "https://llm.corp.example:8443", env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "llm.corp.example:8443"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY host:port other port", url: "https://llm.corp.example", env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "llm.corp.example:8443"},
			wantURL: "http://127.0.0.1:7890", source: "env:HTTPS_PROXY"},
		{name: "NO_PROXY applies to ALL_PROXY", url: https, env: map[string]string{"ALL_PROXY": "socks5://127.0.0.1:1080", "NO_PROXY": "*"}, source: "no_proxy:NO_PROXY"},
		{name: "NO_PROXY without a proxy is nothing", url: https, env: map[string]string{"NO_PROXY": "*"}, source: "none", noteNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := Endpoint{Name: "e", URL: tt.url, Proxy: tt.proxy}
			got, info, err := ResolveProxy(ep, nil, testEnv(tt.env))
			if err != nil {
				t.Fatalf("ResolveProxy: %v", err)
			}
			gotURL := ""
			if got != nil {
				gotURL = got.String()
			}
			if gotURL != tt.wantURL || info.Source != tt.source {
				t.Errorf("got %q from %q, want %q from %q (note %q)", gotURL, info.Source, tt.wantURL, tt.source, info.Note)
			}
			if tt.infoURL != "" && info.URL != tt.infoURL {
				t.Errorf("info URL = %q, want %q", info.URL, tt.infoURL)
			}
			if got == nil && info.URL != "" {
				t.Errorf("no proxy but info URL %q", info.URL)
			}
			if tt.noteHas != "" && !strings.Contains(info.Note, tt.noteHas) {
				t.Errorf("note %q lacks %q", info.Note, tt.noteHas)
			}
			if tt.noteNone && info.Note != "" {
				t.Errorf("unexpected note %q", info.Note)
			}
		})
	}
}

func TestResolveProxyErrors(t *testing.T) {
	tests := []struct {
		name    string
		proxy   string
		env     map[string]string
		cause   Cause
		varNm   string
		source  string
		msgHas  string
		infoURL string // the proxy shown in the report, when it has a host
	}{
		{name: "config socks4 shown without password", proxy: "socks4://u:pw@127.0.0.1:1080", infoURL: "socks4://u:xxxxx@127.0.0.1:1080", cause: CauseProxyUnsupported, source: "config", msgHas: `proxy scheme "socks4" is not supported`},
		{name: "config no scheme", proxy: "127.0.0.1:7890", cause: CauseProxyBadURL, source: "config", msgHas: "proxy has no scheme"},
		{name: "config malformed", proxy: "http://[::1", cause: CauseProxyBadURL, source: "config", msgHas: "not a valid URL"},
		{name: "config no host", proxy: "http://", cause: CauseProxyBadURL, source: "config", msgHas: "no host"},
		{name: "config bad port", proxy: "http://127.0.0.1:0", cause: CauseProxyBadURL, source: "config", msgHas: "between 1 and 65535", infoURL: "http://127.0.0.1:0"},
		{name: "env socks4", env: map[string]string{"HTTPS_PROXY": "socks4://127.0.0.1:1080"}, cause: CauseProxyUnsupported, varNm: "HTTPS_PROXY", infoURL: "socks4://127.0.0.1:1080",
			source: "env:HTTPS_PROXY", msgHas: `HTTPS_PROXY: proxy scheme "socks4" is not supported`},
		{name: "env ftp lowercase", env: map[string]string{"https_proxy": "ftp://127.0.0.1:21"}, cause: CauseProxyUnsupported, varNm: "https_proxy", source: "env:https_proxy", infoURL: "ftp://127.0.0.1:21"},
		{name: "ALL_PROXY unsupported", env: map[string]string{"ALL_PROXY": "socks4a://127.0.0.1:1080"}, cause: CauseProxyUnsupported, varNm: "ALL_PROXY",
			source: "env:ALL_PROXY", msgHas: "new-api itself ignores ALL_PROXY", infoURL: "socks4a://127.0.0.1:1080"},
		{name: "env value Go misreads as a proxy named http", env: map[string]string{"HTTPS_PROXY": "http://[::1"}, cause: CauseProxyBadURL, varNm: "HTTPS_PROXY",
			source: "env:HTTPS_PROXY", msgHas: `HTTPS_PROXY: is not a valid URL; Go then dials a proxy named "http"`},
		{name: "env scheme without host", env: map[string]string{"HTTPS_PROXY": "socks5:127.0.0.1"}, cause: CauseProxyBadURL, varNm: "HTTPS_PROXY",
			source: "env:HTTPS_PROXY", msgHas: "no host"},
		{name: "env port out of range", env: map[string]string{"HTTPS_PROXY": "http://127.0.0.1:99999"}, cause: CauseProxyBadURL, varNm: "HTTPS_PROXY",
			source: "env:HTTPS_PROXY", msgHas: "between 1 and 65535", infoURL: "http://127.0.0.1:99999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := Endpoint{Name: "e", URL: "https://api.openai.com", Proxy: tt.proxy}
			got, info, err := ResolveProxy(ep, nil, testEnv(tt.env))
			var pe *ProxyError
			if !errors.As(err, &pe) {
				t.Fatalf("ResolveProxy = %v, %+v, %v; want a *ProxyError", got, info, err)
			}
			if got != nil || pe.Cause != tt.cause || pe.Var != tt.varNm || info.Source != tt.source {
				t.Errorf("got %v, cause %q var %q source %q; want nil, %q %q %q", got, pe.Cause, pe.Var, info.Source, tt.cause, tt.varNm, tt.source)
			}
			if !strings.Contains(err.Error(), tt.msgHas) {
				t.Errorf("message %q lacks %q", err, tt.msgHas)
			}
			if info.URL != tt.infoURL {
				t.Errorf("info URL = %q, want %q", info.URL, tt.infoURL)
			}
		})
	}
}

// An explicit target decides the variable, not the endpoint's URL.
func TestResolveProxyExplicitTarget(t *testing.T) {
	env := testEnv(map[string]string{"HTTP_PROXY": "http://127.0.0.1:1", "HTTPS_PROXY": "http://127.0.0.1:2"})
	ep := Endpoint{Name: "e", URL: "https://api.openai.com"}
	tests := []struct{ target, want string }{
		{"http://api.openai.com/v1/models", "http://127.0.0.1:1"},
		{"https://api.openai.com/v1/models", "http://127.0.0.1:2"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			target, _ := url.Parse(tt.target)
			got, _, err := ResolveProxy(ep, target, env)
			if err != nil || got == nil || got.String() != tt.want {
				t.Errorf("ResolveProxy(%s) = %v, %v; want %s", tt.target, got, err, tt.want)
			}
		})
	}
	// A bad endpoint URL without a configured proxy is reported, not guessed.
	if _, info, err := ResolveProxy(Endpoint{Name: "bad", URL: "ftp://x"}, nil, env); err == nil || info.Source != "none" {
		t.Errorf("bad URL: err %v, source %q", err, info.Source)
	}
}

// Whatever the environment holds, the doctor dials what Go's own
// httpproxy (and so new-api) would, except where it reports a proxy Go
// would only fail on later (a *ProxyError).
func TestResolveProxyAgreesWithGo(t *testing.T) {
	values := []string{"", "http://127.0.0.1:7890", "127.0.0.1:7890", "proxy.corp.example:3128", "socks5h://u:p@127.0.0.1:1080",
		"https://proxy.corp.example", "http://127.0.0.1:7890/%zz", "http://[::1", "socks4://127.0.0.1:1", "http://127.0.0.1:0", " http://127.0.0.1:1 "}
	noProxies := []string{"", "*", "api.openai.com", ".corp.example", "10.0.0.0/8", "llm.corp.example:8443", "openai.com, 192.168.0.0/16"}
	targets := []string{"https://api.openai.com/v1/models", "http://10.1.2.3:3000/api/status", "https://llm.corp.example:8443/v1/models",
		"http://192.168.7.7/v1/models", "http://127.0.0.1:3000/api/status", "https://localhost/v1/models"}
	n := 0
	for _, v := range values {
		for _, np := range noProxies {
			for _, tg := range targets {
				env := map[string]string{"HTTPS_PROXY": v, "HTTP_PROXY": v, "NO_PROXY": np}
				target, _ := url.Parse(tg)
				goCfg := &httpproxy.Config{HTTPProxy: env["HTTP_PROXY"], HTTPSProxy: env["HTTPS_PROXY"], NoProxy: env["NO_PROXY"]}
				want, goErr := goCfg.ProxyFunc()(target)
				got, info, err := ResolveProxy(Endpoint{Name: "e", URL: tg}, target, testEnv(env))
				var pe *ProxyError
				if err != nil && errors.As(err, &pe) && want != nil {
					continue // Go would dial a proxy that cannot work; the doctor says why up front
				}
				n++
				if err != nil || goErr != nil {
					t.Errorf("value %q no_proxy %q target %s: doctor err %v, Go err %v", v, np, tg, err, goErr)
					continue
				}
				if (got == nil) != (want == nil) || (got != nil && got.String() != want.String()) {
					t.Errorf("value %q no_proxy %q target %s: doctor %v (%s), Go %v", v, np, tg, got, info.Source, want)
				}
			}
		}
	}
	if n < len(values)*len(noProxies)*len(targets)/2 {
		t.Errorf("only %d combinations compared", n)
	}
}

func BenchmarkResolveProxyEnv(b *testing.B) {
	env := testEnv(map[string]string{"HTTPS_PROXY": "http://127.0.0.1:7890", "NO_PROXY": "localhost,.corp.example,10.0.0.0/8"})
	ep := Endpoint{Name: "e", URL: "https://api.openai.com/v1"}
	target, _ := ProbeURL(ep)
	for b.Loop() {
		if u, _, err := ResolveProxy(ep, target, env); err != nil || u == nil {
			b.Fatal(u, err)
		}
	}
}

// FuzzResolveProxyEnv holds the doctor to Go's decisions for any
// environment value: the same proxy or none, and a *ProxyError only for a
// proxy Go would dial and fail on.
func FuzzResolveProxyEnv(f *testing.F) {
	f.Add("http://127.0.0.1:7890", "", uint8(0))
	f.Add("127.0.0.1:7890", "api.openai.com", uint8(1))
	f.Add("socks5h://u:p@127.0.0.1:1080", ".corp.example,10.0.0.0/8", uint8(2))
	f.Add("http://[::1", "*", uint8(3))
	f.Add(" http://h:1", "", uint8(4))
	f.Add("socks4://h", "h:1", uint8(5))
	f.Add("http://u:p%zz@h", "", uint8(0))
	targets := []string{"https://api.openai.com/v1/models", "http://10.1.2.3:3000/api/status", "https://llm.corp.example:8443/v1/models",
		"http://127.0.0.1:3000/api/status", "https://[2001:db8::1]/v1/models", "http://localhost/x"}
	f.Fuzz(func(t *testing.T, v, np string, ti uint8) {
		target, _ := url.Parse(targets[int(ti)%len(targets)])
		env := map[string]string{"HTTPS_PROXY": v, "HTTP_PROXY": v, "NO_PROXY": np}
		goCfg := &httpproxy.Config{HTTPProxy: v, HTTPSProxy: v, NoProxy: np}
		want, goErr := goCfg.ProxyFunc()(target)
		if goErr != nil {
			t.Skip("Go refused the configuration itself")
		}
		got, info, err := ResolveProxy(Endpoint{Name: "e", URL: target.String()}, target, testEnv(env))
		if err != nil {
			var pe *ProxyError
			if !errors.As(err, &pe) || want == nil {
				t.Fatalf("value %q: doctor error %v while Go uses %v", v, err, want)
			}
			return
		}
		if (got == nil) != (want == nil) || (got != nil && got.String() != want.String()) {
			t.Fatalf("value %q no_proxy %q target %s: doctor %v (%s), Go %v", v, np, target, got, info.Source, want)
		}
		if got != nil && info.URL != got.Redacted() {
			t.Fatalf("info URL %q is not the redacted proxy %q", info.URL, got.Redacted())
		}
	})
}
