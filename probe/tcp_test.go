package probe

import (
	"context"
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

// Winsock's real numbers: Go's syscall.ECONNREFUSED on Windows is an
// invented value Winsock never returns (FAULTS.md).
const (
	wsaECONNREFUSED syscall.Errno = 10061
	wsaECONNRESET   syscall.Errno = 10054
)

// isErrno: err carries the POSIX errno, or on Windows the Winsock one.
func isErrno(err error, posix, winsock syscall.Errno) bool {
	return errors.Is(err, posix) || (runtime.GOOS == "windows" && errors.Is(err, winsock))
}

func TestTCP(t *testing.T) {
	open := probetest.SilentListener(t)
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		network string
		addr    string
		wantNet string
		check   func(t *testing.T, err error)
	}{
		{name: "connects", ctx: context.Background(), network: "tcp", addr: open, wantNet: "tcp4"},
		{name: "refused", ctx: context.Background(), network: "tcp", addr: probetest.ClosedPort(t), wantNet: "tcp4", check: func(t *testing.T, err error) {
			if !isErrno(err, syscall.ECONNREFUSED, wsaECONNREFUSED) {
				t.Errorf("err = %#v, want ECONNREFUSED", err)
			}
		}},
		{name: "deadline", ctx: expired, network: "tcp4", addr: open, wantNet: "tcp4", check: func(t *testing.T, err error) {
			var ne net.Error
			if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("err = %#v, want a timeout", err)
			}
		}},
		{name: "bad address", ctx: context.Background(), network: "tcp", addr: "no-port", wantNet: "tcp", check: func(t *testing.T, err error) {
			var ae *net.AddrError
			if !errors.As(err, &ae) {
				t.Errorf("err = %#v, want *net.AddrError", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := TCP(tc.ctx, tc.network, tc.addr)
			if res.Network != tc.wantNet {
				t.Errorf("Network = %q, want %q", res.Network, tc.wantNet)
			}
			if res.Addr != tc.addr {
				t.Errorf("Addr = %q, want %q", res.Addr, tc.addr)
			}
			if tc.check == nil {
				if res.Err != nil || res.Conn == nil {
					t.Fatalf("Err = %v, Conn = %v; want a connection", res.Err, res.Conn)
				}
				res.Conn.Close()
				if res.Local == "" {
					t.Error("Local is empty")
				}
				return
			}
			if res.Err == nil || res.Conn != nil {
				t.Fatalf("Err = %v, Conn = %v; want a failure", res.Err, res.Conn)
			}
			tc.check(t, res.Err)
		})
	}
}

func TestTCP6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	defer ln.Close()
	res := TCP(context.Background(), "tcp", ln.Addr().String())
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	res.Conn.Close()
	if res.Network != "tcp6" {
		t.Errorf("Network = %q, want tcp6", res.Network)
	}
}
