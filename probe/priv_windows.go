//go:build windows

package probe

import (
	"golang.org/x/net/icmp"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// DetectPrivileges: Windows only has raw ICMP (pro-bing's SetPrivileged(true)),
// which needs an elevated process; opening the socket is the test.
func DetectPrivileges() Privileges {
	c, err := icmp.ListenPacket("ip4:icmp", "0.0.0.0")
	if err != nil {
		var p Privileges
		p.setDetail(i18n.M("raw ICMP socket refused (not running as Administrator): %s", err.Error()))
		return p
	}
	c.Close()
	p := Privileges{Raw: true}
	p.setDetail(i18n.M("running as Administrator"))
	return p
}

// ping and the icmp trace use iphlpapi (icmpapi_windows.go) and need no
// privilege; the udp and tcp methods need Linux's IP_RECVERR.
func pingFix(string) i18n.Msg {
	return i18n.M("ping uses the Windows ICMP API and needs no privilege; if it fails, check that Windows Defender Firewall or a security suite allows outgoing ICMP echo")
}
func traceFix(string) i18n.Msg {
	return i18n.M("use --method icmp (the default on Windows: the Windows ICMP API, as tracert does, no Administrator needed)")
}
