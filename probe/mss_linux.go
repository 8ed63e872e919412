package probe

import "golang.org/x/sys/unix"

const mssSupported = true

func setMSS(fd uintptr, mss int) error {
	return unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, mss)
}
