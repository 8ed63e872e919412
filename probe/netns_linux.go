//go:build linux

package probe

import (
	"os"
	"syscall"

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
