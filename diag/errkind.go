package diag

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// ErrKind is what an error means on the wire, independent of the OS that
// produced it.
type ErrKind int

const (
	KindOther ErrKind = iota
	KindRefused
	KindReset
	KindAborted
	KindTimeout
	KindNetUnreach
	KindHostUnreach
	KindNetDown
	KindAccess
	KindAddrInUse
	KindEOF
	// KindAddrNotAvail: the address cannot be used from here — Windows'
	// 10049 for a connect to 0.0.0.0 (Linux connects that to loopback).
	KindAddrNotAvail
	// KindNoPorts: no local (ephemeral) port left for a new connection:
	// Windows WSAENOBUFS 10055, Linux EADDRNOTAVAIL on connect.
	KindNoPorts
)

// errnoKinds holds the POSIX errnos (as Go names them on this platform) and
// the real Winsock numbers side by side: Winsock values are all >= 10000 and
// never collide, so one table classifies a Windows build's errors correctly
// and Linux tests can build syscall.Errno(10061) directly.
var errnoKinds = map[syscall.Errno]ErrKind{
	syscall.ECONNREFUSED: KindRefused,
	syscall.ECONNRESET:   KindReset,
	syscall.ECONNABORTED: KindAborted,
	syscall.ETIMEDOUT:    KindTimeout,
	syscall.ENETUNREACH:  KindNetUnreach,
	syscall.EHOSTUNREACH: KindHostUnreach,
	syscall.ENETDOWN:     KindNetDown,
	syscall.EACCES:       KindAccess,
	syscall.EPERM:        KindAccess,
	syscall.EADDRINUSE:   KindAddrInUse,
	syscall.EPIPE:        KindReset,

	10061: KindRefused,      // WSAECONNREFUSED
	10054: KindReset,        // WSAECONNRESET
	10053: KindAborted,      // WSAECONNABORTED
	10060: KindTimeout,      // WSAETIMEDOUT
	10051: KindNetUnreach,   // WSAENETUNREACH
	10065: KindHostUnreach,  // WSAEHOSTUNREACH
	10050: KindNetDown,      // WSAENETDOWN
	10013: KindAccess,       // WSAEACCES: firewall/security software, excluded port range
	10048: KindAddrInUse,    // WSAEADDRINUSE
	10049: KindAddrNotAvail, // WSAEADDRNOTAVAIL: e.g. a base URL of 0.0.0.0
	10055: KindNoPorts,      // WSAENOBUFS: ephemeral ports exhausted

	syscall.EADDRNOTAVAIL: KindNoPorts, // connect(2): "cannot assign requested address"
}

// kindOf reads an error by type and errno, never by message text.
func kindOf(err error) ErrKind {
	if err == nil {
		return KindOther
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if k, ok := errnoKinds[errno]; ok {
			return k
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return KindTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindTimeout
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return KindEOF
	}
	return KindOther
}
