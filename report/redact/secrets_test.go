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

// TestRegisteredSecretPlaces (issue 9 item 9): a secret is hidden where it
// stands as a secret; one that could be an ordinary word or a short token is
// never hidden inside other words, names or prose.
func TestRegisteredSecretPlaces(t *testing.T) {
	R := Redacted
	cases := []struct{ name, secret, in, want string }{
		// "wrong": a plain word, shorter than the safe length.
		{"word in a name", "wrong", "endpoint proxy-wrong-password failed", "endpoint proxy-wrong-password failed"},
		{"word in prose", "wrong", "the network path is open; anything wrong is above TCP", "the network path is open; anything wrong is above TCP"},
		{"word ends a sentence", "wrong", "nothing went wrong.", "nothing went wrong."},
		{"word inside words", "wrong", "wrongly wrong_x wrong2 wrong.go", "wrongly wrong_x wrong2 wrong.go"},
		{"word in userinfo", "wrong", "proxy http://u:wrong@127.0.0.1:3128 refused", "proxy http://" + R + "@127.0.0.1:3128 refused"},
		{"word as username", "wrong", "socks5://wrong:x@127.0.0.1:1080", "socks5://" + R + "@127.0.0.1:1080"},
		{"word after =", "wrong", "pw=wrong next", "pw=" + R + " next"},
		{"word after :", "wrong", "u:wrong", "u:" + R},
		{"word quoted", "wrong", `{"pw": "wrong", "p2": 'wrong'}`, `{"pw": "` + R + `", "p2": '` + R + `'}`},
		{"word json-escaped quotes", "wrong", `"{\"pw\":\"wrong\"}"`, `"{\"pw\":\"` + R + `\"}"`},
		{"word url-encoded userinfo", "wrong", "u=http%3A%2F%2Fu%3Awrong%40relay", "u=http%3A%2F%2Fu%3A" + R + "%40relay"},
		{"word opens a quote", "wrong", `"wrong password" said the proxy`, `"wrong password" said the proxy`},
		{"number in json", "123456", `{"duration_ms": 123456, "pw": "123456"}`, `{"duration_ms": 123456, "pw": "` + R + `"}`},
		// "pa$5": short but no word: any whole token, never inside one.
		{"short token alone", "pa$5", "password pa$5 rejected", "password " + R + " rejected"},
		{"short token inside", "pa$5", "xpa$5 pa$5x pa$5-x", "xpa$5 pa$5x pa$5-x"},
		{"short token after json newline", "pa$5", `"a\npa$5"`, `"a\n` + R + `"`},
		// "password": a plain word of the safe length is still a word.
		{"long word in a name", "password", "proxy-wrong-password", "proxy-wrong-password"},
		{"long word in prose", "password", "the proxy password is wrong", "the proxy password is wrong"},
		// Distinctive secrets are hidden everywhere, even glued to other text.
		{"distinctive glued", "Pr0xy-Pa55", "/v1/Pr0xy-Pa55x and xPr0xy-Pa55", "/v1/" + R + "x and x" + R},
		{"long word anywhere", "abcdefghijklmnopq", "xabcdefghijklmnopqx", "x" + R + "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, lvl := range []Level{LevelNone, LevelDefault} {
				r := New(lvl, nil)
				r.AddSecret(tc.secret)
				if got := r.String(tc.in); got != tc.want {
					t.Errorf("level %v, secret %q:\n in: %s\ngot: %s\nwant %s", lvl, tc.secret, tc.in, got, tc.want)
				}
			}
		})
	}
}

// TestNamesAreNeverRedacted: a registered name keeps registered secrets and
// hosts found strictly inside it, in every form a renderer writes it; the
// same value outside the name is still hidden, and a name that IS the secret
// is hidden (safety first).
func TestNamesAreNeverRedacted(t *testing.T) {
	r := New(LevelDefault, nil)
	r.AddSecret("wrong-pa55word")
	r.AddHost("relay")
	r.AddName("proxy-wrong-pa55word")
	r.AddName("relay <main>, \"eu\"")
	r.AddName("wrong-pa55word")
	for _, tc := range []struct{ in, want string }{
		{"proxy-wrong-pa55word failed", "proxy-wrong-pa55word failed"},
		{"x-wrong-pa55word", "x-" + Redacted},
		{"ep wrong-pa55word", "ep " + Redacted},
		{`<testcase name="relay &lt;main&gt;, &#34;eu&#34;">`, `<testcase name="relay &lt;main&gt;, &#34;eu&#34;">`},
		{`{"name":"relay <main>, \"eu\""}`, `{"name":"relay <main>, \"eu\""}`},
		{"::error title=relay <main>%2C \"eu\"::x", "::error title=relay <main>%2C \"eu\"::x"},
		{"dial relay:443", "dial host-X:443"},
	} {
		if got := norm(r.String(tc.in)); got != tc.want {
			t.Errorf("\n in: %s\ngot: %s\nwant %s", tc.in, got, tc.want)
		}
		if fs := r.Scan("x", []byte(tc.want)); len(fs) > 0 && !strings.Contains(tc.want, Redacted) && !strings.Contains(tc.want, "host-X") {
			t.Errorf("scan flags kept name in %q: %v", tc.want, fs)
		}
	}
}

// FuzzRedactPlanted: a registered secret planted anywhere (a short or
// plain-word one: as a value) never survives, and no input makes the
// engine panic.
func FuzzRedactPlanted(f *testing.F) {
	f.Add("Authorization: Bearer ", "sk-proj-abcdefghijklmnop1234", "\n")
	f.Add(`{"proxy":"socks5://u:`, `p@ss w/rd&"x"`, `@10.0.0.1:1080"}`)
	f.Add("dial tcp [", "2001:db8::1", "]:443")
	f.Add("lookup ", "relay.corp.example", " on 127.0.0.11:53")
	f.Add("proxy-", "wrong", "-password")
	f.Add("x", "p4$s", "y")
	f.Fuzz(func(t *testing.T, pre, secret, post string) {
		for _, l := range []Level{LevelNone, LevelDefault, LevelStrict} {
			rd := New(l, testAllow)
			in := pre + secret + post
			_ = rd.Scan("x", []byte(in))
			if len(secret) < minSecretLength || strings.ContainsAny(secret, "[]") || strings.Contains(pre+post, secret) {
				_ = rd.String(in)
				continue
			}
			if modeOf(secret) != matchAnywhere {
				// A short or plain-word secret is found where it stands as a
				// value (here quoted), not inside other words or prose.
				if in = pre + " '" + secret + "' " + post; strings.Count(in, secret) != 1 {
					_ = rd.String(in)
					continue
				}
			}
			rd.AddSecret(secret)
			if out := rd.String(in); strings.Contains(out, secret) {
				t.Fatalf("level %v: %q survives in %q", l, secret, out)
			}
		}
	})
}
