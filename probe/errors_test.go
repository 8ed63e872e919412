package probe

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// testCtx bounds one test case: short when the case expects the deadline,
// generous otherwise so a loaded machine never turns success into a timeout.
func testCtx(t *testing.T, expectTimeout bool) context.Context {
	t.Helper()
	d := 5 * time.Second
	if expectTimeout {
		d = 300 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// connTo opens a TCP connection for a handshake probe, failing the test if
// it cannot.
func connTo(t *testing.T, ctx context.Context, addr string) net.Conn {
	t.Helper()
	tr := TCP(ctx, "tcp", addr)
	if tr.Err != nil {
		t.Fatal(tr.Err)
	}
	return tr.Conn
}

func TestWithCtxErr(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	ioTimeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	plain := errors.New("boom")
	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		wantCtxErr error // nil: err must come back unchanged
	}{
		{name: "nil", ctx: expired, err: nil},
		{name: "live ctx", ctx: context.Background(), err: ioTimeout},
		{name: "expired deadline", ctx: expired, err: ioTimeout, wantCtxErr: context.DeadlineExceeded},
		{name: "canceled", ctx: canceled, err: plain, wantCtxErr: context.Canceled},
		{name: "already matching", ctx: expired, err: context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := withCtxErr(tc.ctx, tc.err)
			if tc.wantCtxErr == nil {
				if got != tc.err {
					t.Fatalf("got %#v, want the error unchanged", got)
				}
				return
			}
			if !errors.Is(got, tc.wantCtxErr) || !errors.Is(got, tc.err) || got.Error() != tc.err.Error() {
				t.Errorf("got %#v (%v), want both %v and %v with the raw text", got, got, tc.err, tc.wantCtxErr)
			}
			var oe *net.OpError
			if tc.err == ioTimeout && !errors.As(got, &oe) {
				t.Error("lost the *net.OpError")
			}
		})
	}
}

func TestErrorTexts(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&ConnectError{StatusCode: 407, Status: "407 Proxy Authentication Required"}, "407 Proxy Authentication Required"},
		{&SOCKSError{Stage: "greeting", Method: 0xFF}, "none of the offered"},
		{&SOCKSError{Stage: "greeting", Method: 2}, "method 0x2"},
		{&SOCKSError{Stage: "auth", Reply: 1, Method: 2}, "authentication failed"},
		{&SOCKSError{Stage: "connect", Reply: 5}, "connection refused (reply 5)"},
		{&SOCKSError{Stage: "connect", Reply: 42}, "unassigned reply 42"},
		{&SOCKSError{Stage: "protocol", Err: &ProtocolError{Proto: "socks5", Msg: "reply version 72"}}, "socks5: malformed answer: reply version 72"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.err.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("%q does not contain %q", got, tc.want)
			}
		})
	}
}

func TestNilConn(t *testing.T) {
	tests := []struct {
		name string
		run  func() error
	}{
		{"tls", func() error { return TLS(context.Background(), nil, nil).Err }},
		{"connect", func() error { return HTTPConnect(context.Background(), nil, "a:1", nil).Err }},
		{"socks5", func() error { return SOCKS5(context.Background(), nil, "a:1", nil).Err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, errNoConn) {
				t.Errorf("err = %v, want errNoConn", err)
			}
		})
	}
}
