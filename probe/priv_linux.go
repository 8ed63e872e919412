//go:build linux

package probe

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"golang.org/x/sys/unix"
)

const capNetRaw = 13 // linux/capability.h

// DetectPrivileges looks at the effective uid, CAP_NET_RAW and
// net.ipv4.ping_group_range (per network namespace, which is why it is read
// at run time), then confirms by opening the sockets: the kernel has the last
// word (seccomp, LSMs, user namespaces).
func DetectPrivileges() Privileges {
	var p Privileges
	uid, gid := os.Geteuid(), os.Getegid()
	raw := uid == 0 || hasCapNetRaw()
	lo, hi, rangeErr := pingGroupRange()
	inRange := false
	if rangeErr == nil {
		groups, _ := os.Getgroups()
		for _, g := range append([]int{gid}, groups...) {
			if int64(g) >= lo && int64(g) <= hi {
				inRange = true
			}
		}
	}
	p.Raw = raw && canOpen(unix.AF_INET, unix.SOCK_RAW)
	p.PingSocket = inRange && canOpen(unix.AF_INET, unix.SOCK_DGRAM)
	// Numbers go as strings: the catalogue groups the digits of %d ≥ 1000.
	uidS, gidS := strconv.Itoa(uid), strconv.Itoa(gid)
	rng := strconv.FormatInt(lo, 10) + " " + strconv.FormatInt(hi, 10)
	var d []i18n.Msg
	switch {
	case uid == 0:
		d = append(d, i18n.M("running as root"))
	case raw:
		d = append(d, i18n.M("uid %s with CAP_NET_RAW", uidS))
	default:
		d = append(d, i18n.M("uid %s without CAP_NET_RAW", uidS))
	}
	switch {
	case rangeErr != nil:
		d = append(d, i18n.M("net.ipv4.ping_group_range unreadable: %s", rangeErr.Error()))
	case inRange:
		d = append(d, i18n.M("net.ipv4.ping_group_range=\"%s\" includes gid %s", rng, gidS))
	default:
		d = append(d, i18n.M("net.ipv4.ping_group_range=\"%s\" excludes gid %s", rng, gidS))
	}
	if raw && !p.Raw {
		d = append(d, i18n.M("but the kernel refused a raw socket"))
	}
	if inRange && !p.PingSocket {
		d = append(d, i18n.M("but the kernel refused an ICMP echo socket"))
	}
	p.setDetail(d...)
	return p
}

func canOpen(family, typ int) bool {
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

func hasCapNetRaw() bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<capNetRaw) != 0
		}
	}
	return false
}

func pingGroupRange() (lo, hi int64, err error) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return 0, 0, err
	}
	return parsePingGroupRange(string(b))
}

// parsePingGroupRange reads "1\t0" (the kernel default: nobody) or "0 2147483647".
func parsePingGroupRange(s string) (lo, hi int64, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("ping_group_range %q: want two numbers", strings.TrimSpace(s))
	}
	if lo, err = strconv.ParseInt(f[0], 10, 64); err == nil {
		hi, err = strconv.ParseInt(f[1], 10, 64)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("ping_group_range %q: %v", strings.TrimSpace(s), err)
	}
	return lo, hi, nil
}

func pingFix(bin string) i18n.Msg {
	return i18n.M("sudo setcap cap_net_raw+ep %s  (or allow unprivileged ping for all groups: sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")", bin)
}

func traceFix(bin string) i18n.Msg {
	return i18n.M("sudo setcap cap_net_raw+ep %s  (or run as root)", bin)
}
