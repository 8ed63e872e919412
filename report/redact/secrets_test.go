package redact

import (
	"strings"
	"testing"
)

func TestRedactSecretsGolden(t *testing.T) {
	runGolden(t, []golden{
		// secrets: shapes
		{"openai key", "key sk-abcdefghijklmnop1234 end", "key [REDACTED] end", LevelNone},
		{"openai proj key", `"sk-proj-AbC_dEf-1234567890xyzXYZ"`, `"[REDACTED]"`, LevelNone},
		{"anthropic key", "x sk-ant-api03-abcdefghijklmnopqrstuv y", "x [REDACTED] y", LevelNone},
		{"gemini key", "AIzaSyA1234567890abcdefghijklmnopqrstu", "[REDACTED]", LevelNone},
		{"xai groq hf pplx r8", "xai-abcdefghijklmnopqrstuv gsk_abcdefghijklmnopqrstuv hf_abcdefghijklmnopqrstuv pplx-abcdefghijklmnopqrstuv r8_abcdefghijklmnopqrstuv",
			"[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED]", LevelNone},
		{"jwt", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk_-XYZ ok", "tok [REDACTED] ok", LevelNone},
		{"jwt default", "tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk_-XYZ. ok", "tok [REDACTED]. ok", LevelDefault},
		{"key in encoded url", "u=https%3A%2F%2Frelay.corp.example%2Fsk-proj-abcdefghijklmnop1234", "u=https%3A%2F%2Fhost-X%2F[REDACTED]", LevelDefault},
		{"key after a dot", "x.sk-proj-abcdefghijklmnop1234 and gsk_abcdefghijklmnopqrstuv.", "x.[REDACTED] and [REDACTED].", LevelStrict},
		{"bearer", "Authorization header was Bearer abc123DEF456ghi", "Authorization header was Bearer [REDACTED]", LevelNone},
		{"bearer prose stays", "use Bearer authentication here", "use Bearer authentication here", LevelNone},
		{"authorization header", "Authorization: 0123456789abcdefABCDEF0123456789\n", "Authorization: [REDACTED]\n", LevelNone},
		{"authorization basic", "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic [REDACTED]", LevelNone},
		{"x-api-key json", `{"x-api-key":"abc def"}`, `{"x-api-key":"[REDACTED]"}`, LevelNone},
		{"json literals stay", `{"password": null, "api_key": false, "token": true}`, `{"password": null, "api_key": false, "token": true}`, LevelNone},
		{"goog header go map", "map[X-Goog-Api-Key:[AbcdEfgh12]]", "map[X-Goog-Api-Key:[[REDACTED]]]", LevelNone},
		{"api-key header", "api-key: 0123456789abcdef", "api-key: [REDACTED]", LevelNone},
		{"query key", "GET /v1/models?key=abc123&alt=json", "GET /v1/models?key=[REDACTED]&alt=json", LevelNone},
		{"query params", "?api_key=a1&apikey=b2&token=c3&access_token=d4", "?api_key=[REDACTED]&apikey=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]", LevelNone},
		{"json escaped amp", `"u?x=1\u0026token=zzzz9"`, `"u?x=1\u0026token=[REDACTED]"`, LevelNone},
		{"env assignment", "NEWAPI_TOKEN=abcdefabcdefabcdefabcdefabcdef12 OPENAI_API_KEY=foo", "NEWAPI_TOKEN=[REDACTED] OPENAI_API_KEY=[REDACTED]", LevelNone},
		{"userinfo", "socks5://alice:s3cr3t@127.0.0.1:1080", "socks5://[REDACTED]@127.0.0.1:1080", LevelNone},
		{"userinfo user only", "http://alice@127.0.0.1:8080/", "http://[REDACTED]@127.0.0.1:8080/", LevelNone},
		{"curl userinfo", "proxy alice:pw@localhost:3128", "proxy [REDACTED]@localhost:3128", LevelNone},
		{"email stays", "mail ops@localhost", "mail ops@localhost", LevelNone},
		{"hint placeholder stays", "in the proxy URL (http://user:pass@host:port)", "in the proxy URL (http://user:pass@host:port)", LevelDefault},
		{"pem", "a\n-----BEGIN PRIVATE KEY-----\nMIIBVQ==\n-----END PRIVATE KEY-----\nb", "a\n[REDACTED]\nb", LevelNone},
		{"pem json escaped", `"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"`, `"[REDACTED]"`, LevelNone},
		{"idempotent", "key=[REDACTED] Bearer [REDACTED] http://[REDACTED]@host-abcdef", "key=[REDACTED] Bearer [REDACTED] http://[REDACTED]@host-X", LevelDefault},
	})
}

// FuzzRedactPlanted: a registered secret planted anywhere never survives,
// and no input makes the engine panic.
func FuzzRedactPlanted(f *testing.F) {
	f.Add("Authorization: Bearer ", "sk-proj-abcdefghijklmnop1234", "\n")
	f.Add(`{"proxy":"socks5://u:`, `p@ss w/rd&"x"`, `@10.0.0.1:1080"}`)
	f.Add("dial tcp [", "2001:db8::1", "]:443")
	f.Add("lookup ", "relay.corp.example", " on 127.0.0.11:53")
	f.Fuzz(func(t *testing.T, pre, secret, post string) {
		for _, l := range []Level{LevelNone, LevelDefault, LevelStrict} {
			rd := New(l, testAllow)
			in := pre + secret + post
			_ = rd.Scan("x", []byte(in))
			if len(secret) < 8 || strings.ContainsAny(secret, "[]") || strings.Contains(pre+post, secret) {
				_ = rd.String(in)
				continue
			}
			rd.AddSecret(secret)
			if out := rd.String(in); strings.Contains(out, secret) {
				t.Fatalf("level %v: %q survives in %q", l, secret, out)
			}
		}
	})
}
