package sysenv

import "testing"

const procRoute = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
wlan0	00000000	0102A8C0	0003	0	0	600	00000000	0	0	0
eth0	00000000	0100000A	0003	0	0	100	00000000	0	0	0
eth0	0000000A	00000000	0001	0	0	100	00FFFFFF	0	0	0
`

func TestParseProcRoute(t *testing.T) {
	cases := []struct {
		name, in, iface, gw string
	}{
		{"lowest metric wins", procRoute, "eth0", "10.0.0.1"},
		{"no default", "Iface\tDestination\nlo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\n", "", ""},
		{"garbage", "x y z", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ParseProcRoute([]byte(tc.in))
			if tc.iface == "" {
				if r != nil {
					t.Errorf("got %+v", r)
				}
				return
			}
			if r == nil || r.Interface != tc.iface || r.Gateway != tc.gw {
				t.Errorf("got %+v", r)
			}
		})
	}
}

func TestHasIPv6DefaultRoute(t *testing.T) {
	zero := "00000000000000000000000000000000"
	cases := []struct {
		name, in string
		want     bool
	}{
		{"default via eth0", zero + " 00 " + zero + " 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n", true},
		{"reject on lo", zero + " 00 " + zero + " 00 " + zero + " ffffffff 00000001 00000000 00200200 lo\n", false},
		{"only link-local", "fe800000000000000000000000000000 40 " + zero + " 00 " + zero + " 00000100 00000001 00000000 00000001 eth0\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasIPv6DefaultRoute([]byte(tc.in)); got != tc.want {
				t.Errorf("got %v", got)
			}
		})
	}
}

func FuzzParseProcRoute(f *testing.F) {
	f.Add([]byte(procRoute))
	f.Add([]byte("eth0 00000000 zz 0003 0 0 x 00000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r := ParseProcRoute(b); r != nil && r.Interface == "" {
			t.Fatal("route without interface")
		}
		HasIPv6DefaultRoute(b)
	})
}
