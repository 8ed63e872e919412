package probe

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTPConnect asks an HTTP proxy, over conn, to open a tunnel to target
// (host:port). The name is sent as is: the proxy resolves it, as it does for
// new-api. Credentials go in Proxy-Authorization (Basic) when user is set.
// On success Conn is the tunnel; on failure conn is closed. A non-200 answer
// is a *ConnectError, an answer that is not HTTP a *ProtocolError; network
// errors (EOF, reset, timeout) are kept raw.
func HTTPConnect(ctx context.Context, conn net.Conn, target string, user *url.Userinfo) ProxyResult {
	return proxyHandshake(ctx, conn, "http-connect", target, func(res *ProxyResult) error {
		br, resp, err := httpConnect(conn, target, user)
		if resp != nil {
			res.Status = resp.StatusCode
			res.StatusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
		}
		if err == nil && br.Buffered() > 0 {
			// Bytes the target sent right after the proxy's answer are already
			// in br: keep them in front of the tunnel.
			res.Conn = &bufferedConn{Conn: conn, r: br}
		}
		return err
	})
}

// proxyHandshake runs one handshake on conn under ctx and fills the common
// parts of the result. run may set res.Conn to wrap conn.
func proxyHandshake(ctx context.Context, conn net.Conn, kind, target string, run func(res *ProxyResult) error) ProxyResult {
	res := ProxyResult{Kind: kind, Target: target}
	if conn == nil {
		res.Err = errNoConn
		return res
	}
	start := time.Now()
	release := bindConn(ctx, conn)
	err := run(&res)
	release()
	res.Duration = time.Since(start)
	if err != nil {
		res.Err = withCtxErr(ctx, err)
		res.Conn = nil
		conn.Close()
		return res
	}
	if res.Conn == nil {
		res.Conn = conn
	}
	return res
}

// httpConnect is the exchange itself, on any stream (fuzzed with garbage).
func httpConnect(rw io.ReadWriter, target string, user *url.Userinfo) (*bufio.Reader, *http.Response, error) {
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{"User-Agent": {UserAgent}},
	}
	if user != nil {
		pass, _ := user.Password()
		req.SetBasicAuth(user.Username(), pass)
		req.Header["Proxy-Authorization"] = req.Header["Authorization"]
		delete(req.Header, "Authorization")
	}
	if err := req.Write(rw); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(rw)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if isNetworkError(err) {
			return br, nil, err
		}
		return br, nil, &ProtocolError{Proto: "http-connect", Msg: "the proxy's answer is not HTTP", Err: err}
	}
	// Drain a little of a refusal's body; a tunnel has none.
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return br, resp, &ConnectError{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: body}
	}
	return br, resp, nil
}

// isNetworkError tells I/O failures (kept raw for the classifier) from
// parse failures.
func isNetworkError(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) || errors.Is(err, net.ErrClosed)
}

// bufferedConn reads what a bufio.Reader already holds before the conn.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
