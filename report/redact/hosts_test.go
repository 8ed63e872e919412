package redact

import (
	"strings"
	"testing"
)

func TestRedactHostsGolden(t *testing.T) {
	runGolden(t, []golden{
		// hosts and addresses
		{"go dial error", "dial tcp 10.1.2.3:443: connect: connection refused", "dial tcp private-X:443: connect: connection refused", LevelDefault},
		{"go lookup error", "lookup relay.corp.example on 127.0.0.11:53: no such host", "lookup host-X on 127.0.0.11:53: no such host", LevelDefault},
		{"go post error", `Post "https://relay.corp.example/v1/chat/completions": EOF`, `Post "https://host-X/v1/chat/completions": EOF`, LevelDefault},
		{"public ip", "dial tcp 203.0.113.9:443: i/o timeout", "dial tcp ip-X:443: i/o timeout", LevelDefault},
		{"ip ends a sentence", "could not reach 10.1.2.3. Then 192.168.0.1, and .172.16.0.9", "could not reach private-X. Then private-X, and .private-X", LevelDefault},
		{"ipv6", "dial tcp [2001:db8::1]:443: connect: network is unreachable", "dial tcp [ip-X]:443: connect: network is unreachable", LevelDefault},
		{"ipv6 ula and link-local", "fd00::5 fe80::1%eth0", "private-X private-X", LevelDefault},
		{"fake-ip range stays", "resolved into 198.18.0.0/15: 198.18.3.7 and 198.19.255.1", "resolved into 198.18.0.0/15: 198.18.3.7 and 198.19.255.1", LevelStrict},
		{"loopback stays", "127.0.0.1:7890 [::1]:443 0.0.0.0 localhost:3000", "127.0.0.1:7890 [::1]:443 0.0.0.0 localhost:3000", LevelDefault},
		{"allowlisted stays", "https://api.openai.com/v1/models", "https://api.openai.com/v1/models", LevelDefault},
		{"allowlisted suffix", "bedrock-runtime.us-east-1.amazonaws.com", "bedrock-runtime.us-east-1.amazonaws.com", LevelDefault},
		{"strict hides provider", "https://api.openai.com/v1/models", "https://host-X/v1/models", LevelStrict},
		{"none keeps hosts", "relay.corp.example 10.0.0.1", "relay.corp.example 10.0.0.1", LevelNone},
		{"x509 names", "x509: certificate is valid for a.internal.example, not relay.internal.example", "x509: certificate is valid for host-X, not host-X", LevelDefault},
		{"trailing dot", "cannot reach relay.corp.lan.", "cannot reach host-X.", LevelDefault},
		{"url encoded", "u=https%3A%2F%2Frelay.corp.example%2Fv1", "u=https%3A%2F%2Fhost-X%2Fv1", LevelDefault},
		{"uppercase host", "RELAY.CORP.EXAMPLE", "host-X", LevelDefault},
		{"title case host", "lookup Relay.Corp.Example: no such host", "lookup host-X: no such host", LevelDefault},

		// negatives that must stay untouched
		{"model names", "gpt-4o-mini claude-3-5-sonnet-20241022 gemini-1.5-pro deepseek-chat qwen2.5-72b-instruct",
			"gpt-4o-mini claude-3-5-sonnet-20241022 gemini-1.5-pro deepseek-chat qwen2.5-72b-instruct", LevelStrict},
		{"versions", "v1.2.3 go1.26.8 1.2.3-rc.1 TLS 1.3 10.0.19045.1234", "v1.2.3 go1.26.8 1.2.3-rc.1 TLS 1.3 10.0.19045.1234", LevelStrict},
		{"timestamps", "2026-11-26T09:14:44.123Z [ERR] 2006/01/02 - 15:04:05 | 12:34:56.789", "2026-11-26T09:14:44.123Z [ERR] 2006/01/02 - 15:04:05 | 12:34:56.789", LevelStrict},
		{"file names", "oneapi-20240101.log config.yaml new-api.db newapi-doctor.yaml report.json /etc/resolv.conf", "oneapi-20240101.log config.yaml new-api.db newapi-doctor.yaml report.json /etc/resolv.conf", LevelStrict},
		{"python paths and json paths", "open_webui.routers.ollama cl100k_base.tiktoken messages.3.content.0.tool_result.content.0.type example.mjs",
			"open_webui.routers.ollama cl100k_base.tiktoken messages.3.content.0.tool_result.content.0.type example.mjs", LevelStrict},
		{"go selectors", "context deadline exceeded (Client.Timeout exceeded while awaiting headers) Server.Addr Transport.Proxy",
			"context deadline exceeded (Client.Timeout exceeded while awaiting headers) Server.Addr Transport.Proxy", LevelStrict},
		{"go identifiers", "x509: tls: net/http: *url.Error net.OpError Config.timeouts of type time.Duration x509.Certificate http.Transport", "x509: tls: net/http: *url.Error net.OpError Config.timeouts of type time.Duration x509.Certificate http.Transport", LevelStrict},
		{"durations and prose", "took 1.5s (3.2ms), e.g. the key: set it; i.e. fine", "took 1.5s (3.2ms), e.g. the key: set it; i.e. fine", LevelStrict},
		{"sk words", "task-force sk-short disk-abcdefghijklmnopqrstu", "task-force sk-short disk-abcdefghijklmnopqrstu", LevelNone},
		{"mac and netmask", "de:ad:be:ef:00:11 255.255.255.0", "de:ad:be:ef:00:11 255.255.255.0", LevelStrict},
		{"max tokens", "max_tokens=100 key_env=OPENAI_API_KEY", "max_tokens=100 key_env=OPENAI_API_KEY", LevelNone},
		{"pseudonyms stay", "host-3f2a1c ip-00aa11 private-abcdef", "host-X ip-X private-X", LevelStrict},
	})
}

// A GitHub workflow command's "::e" is not an IPv6 literal; "::ffff:10.1.2.3" is.
func TestRedactLeavesWorkflowCommands(t *testing.T) {
	rd := New(LevelDefault, nil)
	// "%0A::error" (an escaped newline glued to a command) read as a::e.
	for _, in := range []string{"::error title=x::msg", "::warning title=y::z", "line%0A::error::x", "name 0A::error", "cafe::dead::beefy"} {
		if got := rd.String(in); got != in {
			t.Errorf("%q became %q", in, got)
		}
	}
	for _, in := range []string{"from ::ffff:10.1.2.3 now", "via fe80::1%eth0 down", "at [2001:db8::5]:443", "2001:db8::5."} {
		if got := rd.String(in); strings.Contains(got, "::") {
			t.Errorf("address kept: %q", got)
		}
	}
}

// TestInternationalHostLevels: an IDN host is hidden at the default level
// (it is not one token the host pass can pseudonymise) but shown with
// --no-redact, which once printed it as [REDACTED].
func TestInternationalHostLevels(t *testing.T) {
	for _, tc := range []struct {
		level Level
		shown bool
	}{{LevelNone, true}, {LevelDefault, false}, {LevelStrict, false}} {
		t.Run(tc.level.String(), func(t *testing.T) {
			r := New(tc.level, nil)
			r.AddHost("münchen.example")
			out := r.String("GET https://münchen.example/v1 failed")
			if strings.Contains(out, "münchen.example") != tc.shown {
				t.Fatalf("level %v: %q", tc.level, out)
			}
		})
	}
}
