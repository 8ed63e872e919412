package probe

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// Privileges says which kinds of ICMP socket this process may open. Ping and
// traceroute use it to choose a method, and to name the exact fix when no
// method is possible (a skip, never a failure).
type Privileges struct {
	// Raw: raw ICMP sockets (root, CAP_NET_RAW, Administrator).
	Raw bool `json:"raw"`
	// PingSocket: unprivileged ICMP echo sockets (Linux: the process's group
	// inside net.ipv4.ping_group_range; macOS: always).
	PingSocket bool `json:"ping_socket"`
	// Detail explains the decision ("uid 65534 without CAP_NET_RAW; …").
	Detail string `json:"detail,omitempty"`
}

// selfPath is the binary the fix must name (setcap applies to a file).
func selfPath() string {
	p, err := os.Executable()
	if err != nil {
		return "newapi-doctor"
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p
}

// PingFix is the exact command that makes ping possible on this platform.
func PingFix() string { return pingFix(selfPath()) }

// TraceFix is the exact command that makes an ICMP traceroute possible.
func TraceFix() string { return traceFix(selfPath()) }

// isPermission reports a socket refused for lack of privilege.
func isPermission(err error) bool {
	return errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES)
}

// privilegesOr returns the override (tests) or what this process has. The
// detection opens sockets, so it runs only when nothing was given.
func privilegesOr(p *Privileges) Privileges {
	if p != nil {
		return *p
	}
	return DetectPrivileges()
}
