package probe

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/internal/testenv"
)

func TestHostsLookup(t *testing.T) {
	dir := testenv.TempDir(t)
	p := filepath.Join(dir, "hosts")
	text := "# comment api.example.com\n127.0.0.1 localhost\n\nnot-an-ip api.example.com\n203.0.113.7  mirror API.Example.COM.  # pinned\n::1 api.example.com\n"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		host  string
		line  int
		addrs []string
	}{
		{"api.example.com", 5, []string{"203.0.113.7", "::1"}},
		{"localhost", 2, []string{"127.0.0.1"}},
		{"other.example.com", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			e, ok := HostsLookup(p, tc.host)
			if ok != (tc.line > 0) || e.Line != tc.line {
				t.Fatalf("line %d ok %v, want line %d", e.Line, ok, tc.line)
			}
			if len(e.Addrs) != len(tc.addrs) {
				t.Fatalf("addrs %v, want %v", e.Addrs, tc.addrs)
			}
			for i, a := range tc.addrs {
				if e.Addrs[i] != netip.MustParseAddr(a) {
					t.Errorf("addr %d = %s, want %s", i, e.Addrs[i], a)
				}
			}
			if ok && e.File != p {
				t.Errorf("file %q, want %q", e.File, p)
			}
		})
	}
	if _, ok := HostsLookup(filepath.Join(dir, "missing"), "localhost"); ok {
		t.Error("a missing file found a line")
	}
}

func FuzzParseHosts(f *testing.F) {
	f.Add("127.0.0.1 localhost\n203.0.113.7 api.example.com # x\n", "api.example.com")
	f.Add("::1\tip6-localhost ip6-loopback\n\x00\xff", "ip6-loopback")
	f.Fuzz(func(t *testing.T, text, host string) {
		e := parseHosts(strings.NewReader(text), host)
		if (e.Line > 0) != (len(e.Addrs) > 0) {
			t.Fatalf("line %d with %d addresses", e.Line, len(e.Addrs))
		}
		if e.Line > strings.Count(text, "\n")+1 {
			t.Fatalf("line %d past the end", e.Line)
		}
	})
}
