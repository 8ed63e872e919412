package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ConnectError is a proxy's answer other than 200 to HTTP CONNECT. Go's own
// transport reduces this to the status text; the classifier needs the code
// (407 credentials, 403 policy, 502 the proxy could not reach the target).
type ConnectError struct {
	StatusCode int
	Status     string // the full status line text, e.g. "407 Proxy Authentication Required"
	// Header and Body (its first 4 KiB) are what the proxy said besides the
	// status: squid's X-Squid-Error, tinyproxy's error page.
	Header http.Header
	Body   []byte
}

func (e *ConnectError) Error() string {
	return "proxy answered CONNECT with " + e.Status
}

// SOCKS5 reply codes (RFC 1928 section 6).
const (
	SOCKSSucceeded           byte = 0
	SOCKSGeneralFailure      byte = 1
	SOCKSNotAllowed          byte = 2
	SOCKSNetworkUnreachable  byte = 3
	SOCKSHostUnreachable     byte = 4
	SOCKSConnectionRefused   byte = 5
	SOCKSTTLExpired          byte = 6
	SOCKSCommandNotSupported byte = 7
	SOCKSAddrNotSupported    byte = 8
)

// SOCKS5 authentication methods (RFC 1928 section 3).
const (
	SOCKSMethodNone         byte = 0x00
	SOCKSMethodUserPass     byte = 0x02
	SOCKSMethodNoAcceptable byte = 0xFF
)

var socksReplyText = map[byte]string{
	SOCKSSucceeded:           "succeeded",
	SOCKSGeneralFailure:      "general SOCKS server failure",
	SOCKSNotAllowed:          "connection not allowed by ruleset",
	SOCKSNetworkUnreachable:  "network unreachable",
	SOCKSHostUnreachable:     "host unreachable",
	SOCKSConnectionRefused:   "connection refused",
	SOCKSTTLExpired:          "TTL expired",
	SOCKSCommandNotSupported: "command not supported",
	SOCKSAddrNotSupported:    "address type not supported",
}

// SOCKSReplyText names an RFC 1928 reply code.
func SOCKSReplyText(code byte) string {
	if s, ok := socksReplyText[code]; ok {
		return s
	}
	return fmt.Sprintf("unassigned reply %d", code)
}

// SOCKSError is a definite refusal by a SOCKS5 proxy. Network failures while
// talking to the proxy (EOF, reset, timeout) are returned raw instead, so the
// classifier can tell "the proxy said no" from "the proxy went away".
type SOCKSError struct {
	Stage  string // "greeting", "auth", "connect" or "protocol"
	Reply  byte   // auth: RFC 1929 status; connect: RFC 1928 reply code
	Method byte   // greeting: the method the proxy chose (0xFF = none acceptable)
	Err    error  // for Stage "protocol": the *ProtocolError
}

func (e *SOCKSError) Error() string {
	switch e.Stage {
	case "greeting":
		if e.Method == SOCKSMethodNoAcceptable {
			return "socks5: proxy accepts none of the offered authentication methods"
		}
		return fmt.Sprintf("socks5: proxy chose authentication method %#x", e.Method)
	case "auth":
		return fmt.Sprintf("socks5: username/password authentication failed (status %d)", e.Reply)
	case "connect":
		return fmt.Sprintf("socks5: connect failed: %s (reply %d)", SOCKSReplyText(e.Reply), e.Reply)
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return "socks5: " + e.Stage + " failed"
}

func (e *SOCKSError) Unwrap() error { return e.Err }

// ProtocolError is an answer that is not the protocol expected: garbage from
// a port that is not a proxy (or not that kind of proxy).
type ProtocolError struct {
	Proto string // "http-connect", "socks5"
	Msg   string
	Err   error // the parser's error, when there is one
}

func (e *ProtocolError) Error() string {
	s := e.Proto + ": malformed answer: " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// errNoConn is returned by the handshake probes when given no connection.
var errNoConn = errors.New("probe: no connection to run the handshake on")

// deadlineError keeps the raw I/O error while also matching the context's
// error. Deadlines set with conn.SetDeadline yield os.ErrDeadlineExceeded,
// which does not match context.DeadlineExceeded; every probe promises that a
// ctx deadline does.
type deadlineError struct {
	err, ctxErr error
}

func (e *deadlineError) Error() string   { return e.err.Error() }
func (e *deadlineError) Unwrap() []error { return []error{e.err, e.ctxErr} }
func (e *deadlineError) Timeout() bool   { return errors.Is(e.ctxErr, context.DeadlineExceeded) }
func (e *deadlineError) Temporary() bool { return false }

// withCtxErr makes err match ctx's error when ctx ended (or its deadline
// passed, which a conn deadline can notice a moment before ctx does).
func withCtxErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	cerr := ctx.Err()
	if cerr == nil {
		var ne net.Error
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) && errors.As(err, &ne) && ne.Timeout() {
			cerr = context.DeadlineExceeded
		}
	}
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return &deadlineError{err: err, ctxErr: cerr}
}

// bindConn applies ctx to blocking I/O on conn: its deadline becomes the
// conn's deadline and cancellation interrupts pending reads and writes. The
// returned func undoes both; call it before handing conn on.
func bindConn(ctx context.Context, conn net.Conn) (release func()) {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-ctx.Done():
			_ = conn.SetDeadline(time.Unix(1, 0)) // in the past: wake blocked I/O
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-finished
		_ = conn.SetDeadline(time.Time{})
	}
}
