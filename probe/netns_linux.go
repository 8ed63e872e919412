//go:build linux

package probe

import (
	"encoding/binary"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// netnsID names the network namespace of the calling thread (its inode),
// 0 when unknown.
func netnsID() uint64 {
	fi, err := os.Stat("/proc/thread-self/ns/net")
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// setRcvBuf sizes a socket's receive buffer: SO_RCVBUFFORCE passes
// net.core.rmem_max where the process may (CAP_NET_ADMIN), SO_RCVBUF
// (capped there) otherwise.
func setRcvBuf(c syscall.Conn, n int) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n) != nil {
			_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n)
		}
	})
}

// ttlControl is the control message setting one packet's TTL (IPv4) or hop
// limit (IPv6).
func ttlControl(v6 bool, ttl int) []byte {
	level, typ := unix.IPPROTO_IP, unix.IP_TTL
	if v6 {
		level, typ = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
	}
	b := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = int32(level), int32(typ)
	h.SetLen(unix.CmsgLen(4))
	binary.NativeEndian.PutUint32(b[unix.CmsgLen(0):], uint32(ttl))
	return b
}
