//go:build linux

package probe

import "testing"

func TestParsePingGroupRange(t *testing.T) {
	cases := []struct {
		in     string
		lo, hi int64
		ok     bool
	}{
		{"1\t0\n", 1, 0, true},
		{"0 2147483647", 0, 2147483647, true},
		{"100", 0, 0, false},
		{"a b", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			lo, hi, err := parsePingGroupRange(c.in)
			if (err == nil) != c.ok || lo != c.lo || hi != c.hi {
				t.Fatalf("got %d %d %v, want %d %d ok=%v", lo, hi, err, c.lo, c.hi, c.ok)
			}
		})
	}
}

func FuzzParsePingGroupRange(f *testing.F) {
	for _, s := range []string{"1\t0", "0 2147483647", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, _, err := parsePingGroupRange(s); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
	})
}

func TestDetectPrivilegesDetail(t *testing.T) {
	p := DetectPrivileges()
	if p.Detail == "" {
		t.Fatal("no detail")
	}
	if p.Raw != canOpen(2, 3) { // AF_INET, SOCK_RAW
		t.Fatalf("Raw = %v but opening a raw socket says otherwise", p.Raw)
	}
}
