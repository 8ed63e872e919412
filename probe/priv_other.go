//go:build !linux && !windows

package probe

import (
	"os"
	"strconv"

	"github.com/newapi-doctor/newapi-doctor/i18n"
	"golang.org/x/net/icmp"
)

// DetectPrivileges: the BSDs and macOS allow unprivileged ICMP echo sockets;
// raw sockets need root. Opening each socket is the test.
func DetectPrivileges() Privileges {
	var p Privileges
	if c, err := icmp.ListenPacket("ip4:icmp", "0.0.0.0"); err == nil {
		c.Close()
		p.Raw = true
	}
	if c, err := icmp.ListenPacket("udp4", "0.0.0.0"); err == nil {
		c.Close()
		p.PingSocket = true
	}
	p.setDetail(i18n.M("uid %s; raw ICMP %v, ICMP echo socket %v", strconv.Itoa(os.Geteuid()), p.Raw, p.PingSocket))
	return p
}

func pingFix(bin string) i18n.Msg  { return i18n.M("run as root: sudo %s ping …", bin) }
func traceFix(bin string) i18n.Msg { return i18n.M("run as root: sudo %s trace …", bin) }
