package probetest

import (
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
)

// listen opens a loopback TCP listener closed at the end of the test, and
// runs handle for every accepted connection. Connections still open at the
// end are closed too.
func listen(tb testing.TB, handle func(net.Conn)) net.Listener {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	return ln
}

// SilentListener accepts connections and never writes: an upstream (or a
// proxy, or a TLS server) that took the connection but does not answer.
func SilentListener(tb testing.TB) string {
	tb.Helper()
	return listen(tb, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }).Addr().String()
}

// ResetListener accepts, reads the first bytes the client sends (a TLS
// ClientHello, a request), then resets the connection (SO_LINGER 0 → RST),
// as an SNI-filtering middlebox does.
func ResetListener(tb testing.TB) string {
	tb.Helper()
	return listen(tb, func(c net.Conn) {
		readFirst(c)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}).Addr().String()
}

// EOFListener accepts, reads the first bytes the client sends, then closes
// its side cleanly (FIN): the client reads EOF. Reading first avoids the
// kernel turning the close into a reset over unread data.
func EOFListener(tb testing.TB) string {
	tb.Helper()
	return listen(tb, func(c net.Conn) {
		readFirst(c)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
			_, _ = io.Copy(io.Discard, c)
		}
		c.Close()
	}).Addr().String()
}

// ClosedPort returns a loopback address where nothing listens (bound, then
// closed), so a connect there is refused.
func ClosedPort(tb testing.TB) string {
	tb.Helper()
	// Outside the ephemeral ranges (Linux 32768-60999, Windows and macOS
	// 49152-65535) that port-0 listeners get: a closed ephemeral port was
	// handed to a listener the same test opened later, and "refused"
	// turned into "reset" (a flake in diag's loopback table).
	for range 100 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(closedPortBase+rand.IntN(closedPortSpan)))
		if ln, err := net.Listen("tcp4", addr); err == nil {
			ln.Close()
			return addr
		}
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("probetest: listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

const closedPortBase, closedPortSpan = 20000, 10000

// readFirst consumes the client's first write (a ClientHello, a request line).
func readFirst(c net.Conn) {
	buf := make([]byte, 64<<10)
	_, _ = c.Read(buf)
}
