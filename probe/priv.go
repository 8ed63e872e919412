package probe

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/newapi-doctor/newapi-doctor/i18n"
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
	// detail is Detail as a message (rendered in --lang by the human formats).
	detail i18n.Msg
}

// setDetail sets Detail and its message from the parts ("; "-joined).
func (p *Privileges) setDetail(parts ...i18n.Msg) {
	d := parts[0]
	for _, m := range parts[1:] {
		d = i18n.Seq(d, i18n.M("; %s", m))
	}
	p.detail, p.Detail = d, d.In(i18n.EN)
}

// DetailMsg is Detail as a message (Detail as it is when set by hand).
func (p Privileges) DetailMsg() i18n.Msg {
	if p.detail.IsZero() {
		return i18n.Raw(p.Detail)
	}
	return p.detail
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
func PingFix() string { return pingFix(selfPath()).In(i18n.EN) }

// TraceFix is the exact command that makes an ICMP traceroute possible.
func TraceFix() string { return traceFix(selfPath()).In(i18n.EN) }

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
