package sysenv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

func platformFacts(in *Inputs) PlatformFacts {
	var pf PlatformFacts
	if b, err := in.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		pf.Kernel = strings.TrimSpace(string(b))
	} else {
		pf.Unknown = append(pf.Unknown, "kernel: "+err.Error())
	}
	if b, err := in.ReadFile("/proc/net/route"); err == nil {
		pf.DefaultRoute = ParseProcRoute(b)
	} else {
		pf.Unknown = append(pf.Unknown, "default route: "+err.Error())
	}
	if b, err := in.ReadFile("/proc/net/ipv6_route"); err == nil {
		v := HasIPv6DefaultRoute(b)
		pf.IPv6Route = &v
	}
	return pf
}

// ParseProcRoute picks the default route with the lowest metric from
// /proc/net/route (hex fields, gateway in host byte order: little endian).
func ParseProcRoute(b []byte) *Route {
	var best *Route
	bestMetric := int64(-1)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[0] == "Iface" || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		metric, _ := strconv.ParseInt(f[6], 10, 64)
		if best != nil && metric >= bestMetric {
			continue
		}
		r := &Route{Interface: f[0]}
		if g, err := hex.DecodeString(f[2]); err == nil && len(g) == 4 {
			var a [4]byte
			binary.LittleEndian.PutUint32(a[:], binary.BigEndian.Uint32(g))
			if ga := netip.AddrFrom4(a); !ga.IsUnspecified() {
				r.Gateway = ga.String()
			}
		}
		best, bestMetric = r, metric
	}
	return best
}

// HasIPv6DefaultRoute reads /proc/net/ipv6_route for a ::/0 route that is
// not the loopback's reject route.
func HasIPv6DefaultRoute(b []byte) bool {
	const rtfReject = 0x0200
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != strings.Repeat("0", 32) || f[1] != "00" || f[9] == "lo" {
			continue
		}
		if flags, err := strconv.ParseUint(f[8], 16, 32); err == nil && flags&rtfReject == 0 {
			return true
		}
	}
	return false
}
