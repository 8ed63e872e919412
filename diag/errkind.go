package diag

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// errKind is what an error means on the wire, independent of the OS that
// produced it.
type errKind int

const (
	kindOther errKind = iota
	kindRefused
	kindReset
	kindAborted
	kindTimeout
	kindNetUnreach
	kindHostUnreach
	kindNetDown
	kindAccess
	kindAddrInUse
	kindEOF
)

// errnoKinds holds the POSIX errnos (as Go names them on this platform) and
// the real Winsock numbers side by side: Winsock values are all >= 10000 and
// never collide, so one table classifies a Windows build's errors correctly
// and Linux tests can build syscall.Errno(10061) directly.
var errnoKinds = map[syscall.Errno]errKind{
	syscall.ECONNREFUSED: kindRefused,
	syscall.ECONNRESET:   kindReset,
	syscall.ECONNABORTED: kindAborted,
	syscall.ETIMEDOUT:    kindTimeout,
	syscall.ENETUNREACH:  kindNetUnreach,
	syscall.EHOSTUNREACH: kindHostUnreach,
	syscall.ENETDOWN:     kindNetDown,
	syscall.EACCES:       kindAccess,
	syscall.EPERM:        kindAccess,
	syscall.EADDRINUSE:   kindAddrInUse,
	syscall.EPIPE:        kindReset,

	10061: kindRefused,     // WSAECONNREFUSED
	10054: kindReset,       // WSAECONNRESET
	10053: kindAborted,     // WSAECONNABORTED
	10060: kindTimeout,     // WSAETIMEDOUT
	10051: kindNetUnreach,  // WSAENETUNREACH
	10065: kindHostUnreach, // WSAEHOSTUNREACH
	10050: kindNetDown,     // WSAENETDOWN
	10013: kindAccess,      // WSAEACCES: firewall/security software, excluded port range
	10048: kindAddrInUse,   // WSAEADDRINUSE
}

// kindOf reads an error by type and errno, never by message text.
func kindOf(err error) errKind {
	if err == nil {
		return kindOther
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if k, ok := errnoKinds[errno]; ok {
			return k
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return kindTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return kindTimeout
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return kindEOF
	}
	return kindOther
}
