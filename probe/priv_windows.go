//go:build windows

package probe

import "golang.org/x/net/icmp"

// DetectPrivileges: Windows only has raw ICMP (pro-bing's SetPrivileged(true)),
// which needs an elevated process; opening the socket is the test.
func DetectPrivileges() Privileges {
	c, err := icmp.ListenPacket("ip4:icmp", "0.0.0.0")
	if err != nil {
		return Privileges{Detail: "raw ICMP socket refused (not running as Administrator): " + err.Error()}
	}
	c.Close()
	return Privileges{Raw: true, Detail: "running as Administrator"}
}

func pingFix(string) string {
	return "run newapi-doctor from a terminal opened with \"Run as Administrator\""
}
func traceFix(string) string {
	return "run newapi-doctor from a terminal opened with \"Run as Administrator\""
}
