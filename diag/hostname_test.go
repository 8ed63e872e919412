package diag

import (
	"strings"
	"testing"
)

func TestASCIIHost(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"api.openai.com", "api.openai.com", true},
		{"api.openai.com.", "api.openai.com.", true},
		{"exa_mple.test", "exa_mple.test", true},
		{"127.0.0.1", "127.0.0.1", true},
		{"::1", "::1", true},
		{"[::1]", "[::1]", true},
		{"fe80::1%eth0", "fe80::1%eth0", true},
		{"münchen.example", "xn--mnchen-3ya.example", true},
		{"例子.测试", "xn--fsqu00a.xn--0zwm56d", true},
		{"-", "", false},
		{"a..b", "", false},
		{".a", "", false},
		{"a-.b", "", false},
		{"127.1", "", false},
		{long + ".test", "", false},
		{strings.Repeat("a.", 127) + "test", "", false},
		{"a b", "", false},
		{"", "", false},
		{"\u202eevil.test", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ASCIIHost(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ASCIIHost(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

// TestEndpointFromArgHost: a host Go's resolver refuses is a usage error (it
// was an NXDOMAIN blamed on the resolver); an IDN is probed in punycode.
func TestEndpointFromArgHost(t *testing.T) {
	for _, tc := range []struct {
		arg, probeHost string
	}{
		{"https://-/v1", ""},
		{"https://a..b/v1", ""},
		{"http://127.1:1/", ""},
		{"https://münchen.example:8443/v1", "xn--mnchen-3ya.example:8443"},
		{"https://api.openai.com/v1", "api.openai.com"},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			ep, err := EndpointFromArg(tc.arg)
			if tc.probeHost == "" {
				if err == nil || !strings.Contains(err.Error(), "host") {
					t.Fatalf("want a host error, got %v (%+v)", err, ep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := ProbeURL(ep)
			if err != nil || u.Host != tc.probeHost {
				t.Fatalf("ProbeURL host %v, %v; want %q", u, err, tc.probeHost)
			}
		})
	}
}
