package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestHTTPConnect(t *testing.T) {
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{TLS: true, Body: `{"data":[]}`})
	hosts := map[string]string{"api.example.test": hostPort(up.URL)}
	_, upPort, _ := net.SplitHostPort(hostPort(up.URL))
	upPortN, _ := strconv.Atoi(upPort)
	tests := []struct {
		name       string
		b          probetest.ProxyBehaviour
		target     string
		user       *url.Userinfo
		wantStatus int
		wantAuth   bool
	}{
		{name: "200 tunnel", b: probetest.ProxyBehaviour{Hosts: hosts}, target: "api.example.test:443", wantStatus: 200},
		{name: "200 with credentials", b: probetest.ProxyBehaviour{Hosts: hosts, User: "u", Pass: "p@ss:w"}, target: "api.example.test:443", user: url.UserPassword("u", "p@ss:w"), wantStatus: 200, wantAuth: true},
		{name: "407 no credentials", b: probetest.ProxyBehaviour{Hosts: hosts, User: "u", Pass: "p"}, target: "api.example.test:443", wantStatus: 407},
		{name: "407 wrong credentials", b: probetest.ProxyBehaviour{Hosts: hosts, User: "u", Pass: "p"}, target: "api.example.test:443", user: url.UserPassword("u", "wrong"), wantStatus: 407, wantAuth: true},
		{name: "403 port not allowed", b: probetest.ProxyBehaviour{Hosts: hosts, AllowPorts: []int{upPortN + 1}}, target: "api.example.test:" + upPort, wantStatus: 403},
		{name: "502 target unreachable", b: probetest.ProxyBehaviour{}, target: "unknown.example.test:443", wantStatus: 502},
		{name: "forced 503", b: probetest.ProxyBehaviour{Status: 503, Hosts: hosts}, target: "api.example.test:443", wantStatus: 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			px := probetest.NewConnectProxy(t, tc.b)
			ctx := testCtx(t, false)
			res := HTTPConnect(ctx, connTo(t, ctx, px.Addr), tc.target, tc.user)
			if res.Kind != "http-connect" || res.Target != tc.target {
				t.Errorf("Kind %q Target %q", res.Kind, res.Target)
			}
			if res.Status != tc.wantStatus || res.StatusText != http.StatusText(tc.wantStatus) && tc.wantStatus != 200 {
				t.Errorf("Status = %d %q, want %d", res.Status, res.StatusText, tc.wantStatus)
			}
			reqs := px.Requests()
			if len(reqs) != 1 || reqs[0].Target != tc.target || reqs[0].Auth != tc.wantAuth || reqs[0].Method != "CONNECT" {
				t.Errorf("proxy saw %+v, want one CONNECT %s auth=%v", reqs, tc.target, tc.wantAuth)
			}
			if tc.wantStatus != 200 {
				var ce *ConnectError
				if !errors.As(res.Err, &ce) || ce.StatusCode != tc.wantStatus || res.Conn != nil {
					t.Fatalf("Err = %#v, want *ConnectError %d", res.Err, tc.wantStatus)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			// The tunnel carries TLS and HTTP to the upstream.
			pool := x509.NewCertPool()
			pool.AddCert(up.Certificate())
			tl := TLS(ctx, res.Conn, &tls.Config{ServerName: "example.com", RootCAs: pool})
			if tl.Err != nil {
				t.Fatal(tl.Err)
			}
			hr := HTTP(ctx, HTTPRequest{URL: "https://api.example.test/v1/models", Conn: tl.Conn})
			if hr.Err != nil || hr.Status != 200 {
				t.Fatalf("HTTP over tunnel: %v %d", hr.Err, hr.Status)
			}
		})
	}
}

// scripted serves one conn with a fixed answer written after the request.
func scripted(t *testing.T, answer string) net.Conn {
	t.Helper()
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	go func() {
		buf := make([]byte, 4096)
		_, _ = server.Read(buf)
		_, _ = server.Write([]byte(answer))
	}()
	return client
}

func TestHTTPConnectPeers(t *testing.T) {
	tests := []struct {
		name  string
		conn  func(t *testing.T) net.Conn
		check func(t *testing.T, res ProxyResult)
	}{
		{name: "not HTTP", conn: func(t *testing.T) net.Conn { return scripted(t, "SSH-2.0-OpenSSH_9.6\r\n\r\n") }, check: func(t *testing.T, res ProxyResult) {
			var pe *ProtocolError
			if !errors.As(res.Err, &pe) {
				t.Errorf("Err = %#v, want *ProtocolError", res.Err)
			}
		}},
		{name: "EOF", conn: func(t *testing.T) net.Conn { return dial(t, probetest.EOFListener(t)) }, check: func(t *testing.T, res ProxyResult) {
			if !errors.Is(res.Err, io.EOF) && !errors.Is(res.Err, io.ErrUnexpectedEOF) {
				t.Errorf("Err = %#v, want EOF", res.Err)
			}
		}},
		{name: "silent", conn: func(t *testing.T) net.Conn { return dial(t, probetest.SilentListener(t)) }, check: func(t *testing.T, res ProxyResult) {
			if !errors.Is(res.Err, context.DeadlineExceeded) {
				t.Errorf("Err = %#v, want context.DeadlineExceeded", res.Err)
			}
			var ne net.Error
			if !errors.As(res.Err, &ne) || !ne.Timeout() {
				t.Errorf("Err = %#v, want a net.Error timeout", res.Err)
			}
		}},
		{name: "bytes after the answer are kept", conn: func(t *testing.T) net.Conn {
			return scripted(t, "HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\nearly bytes")
		}, check: func(t *testing.T, res ProxyResult) {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			b := make([]byte, 32)
			n, _ := res.Conn.Read(b)
			if string(b[:n]) != "early bytes" {
				t.Errorf("tunnel read %q, want the early bytes", b[:n])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t, tc.name == "silent")
			res := HTTPConnect(ctx, tc.conn(t), "api.example.test:443", nil)
			tc.check(t, res)
		})
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestHTTPThroughProxy(t *testing.T) {
	plain := probetest.NewHTTPUpstream(t, probetest.Upstream{Status: 401, Body: `{"error":{"message":"no key","type":"auth"}}`})
	px := probetest.NewConnectProxy(t, probetest.ProxyBehaviour{User: "u", Pass: "p", Hosts: map[string]string{"api.example.test": hostPort(plain.URL)}})
	proxyURL, _ := url.Parse("http://u:p@" + px.Addr)
	badURL, _ := url.Parse("http://u:wrong@" + px.Addr)

	t.Run("absolute-form http", func(t *testing.T) {
		res := HTTP(context.Background(), HTTPRequest{URL: "http://api.example.test/v1/models", Proxy: proxyURL})
		if res.Err != nil || res.Status != 401 || res.ErrorType != "auth" {
			t.Fatalf("Err %v Status %d ErrorType %q", res.Err, res.Status, res.ErrorType)
		}
		reqs := px.Requests()
		if last := reqs[len(reqs)-1]; last.Method != "GET" || last.Target != "http://api.example.test/v1/models" || !last.Auth {
			t.Errorf("proxy saw %+v", last)
		}
	})
	t.Run("CONNECT refused for https", func(t *testing.T) {
		res := HTTP(context.Background(), HTTPRequest{URL: "https://api.example.test/v1/models", Proxy: badURL})
		var ce *ConnectError
		if !errors.As(res.Err, &ce) || ce.StatusCode != 407 || res.ProxyStatus != 407 {
			t.Errorf("Err = %#v ProxyStatus %d, want *ConnectError 407", res.Err, res.ProxyStatus)
		}
	})
}

// fuzzRW feeds canned bytes to a client and swallows what it writes.
type fuzzRW struct{ r io.Reader }

func (f fuzzRW) Read(p []byte) (int, error)  { return f.r.Read(p) }
func (f fuzzRW) Write(p []byte) (int, error) { return len(p), nil }

func FuzzConnectResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 Connection established\r\n\r\n",
		"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 5\r\n\r\nabcde",
		"HTTP/1.0 502 Bad Gateway\r\n\r\n",
		"HTTP/1.1 200\r\nTransfer-Encoding: chunked\r\n\r\n",
		"\x05\xff",
		"HTTP/1.1 999999999999 x\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, resp, err := httpConnect(fuzzRW{bytes.NewReader(b)}, "api.example.test:443", url.UserPassword("u", "p"))
		if err == nil && (resp == nil || resp.StatusCode != 200) {
			t.Fatalf("success without a 200: %+v", resp)
		}
		var ce *ConnectError
		if errors.As(err, &ce) && (resp == nil || ce.StatusCode != resp.StatusCode || ce.StatusCode == 200) {
			t.Fatalf("ConnectError %+v does not match the answer", ce)
		}
	})
}

// TestHTTPSProxy covers an https:// proxy: the caller wraps the proxy
// connection in TLS, then either CONNECTs or sends an absolute-form request.
func TestHTTPSProxy(t *testing.T) {
	ca := probetest.NewCA(t)
	cert := ca.Leaf([]string{"proxy.example.test"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{Body: `{"data":[]}`})
	px := probetest.NewConnectProxy(t, probetest.ProxyBehaviour{Cert: &cert, Hosts: map[string]string{"api.example.test": hostPort(up.URL)}})
	if !strings.HasPrefix(px.URL, "https://") {
		t.Fatalf("URL = %q", px.URL)
	}
	proxyTLS := func(t *testing.T) net.Conn {
		ctx := testCtx(t, false)
		tl := TLS(ctx, connTo(t, ctx, px.Addr), &tls.Config{ServerName: "proxy.example.test", RootCAs: ca.Pool()})
		if tl.Err != nil {
			t.Fatal(tl.Err)
		}
		return tl.Conn
	}
	pu, _ := url.Parse(px.URL)

	t.Run("absolute-form over the supplied TLS conn", func(t *testing.T) {
		res := HTTP(testCtx(t, false), HTTPRequest{URL: "http://api.example.test/v1/models", Proxy: pu, Conn: proxyTLS(t)})
		if res.Err != nil || res.Status != 200 || string(res.Body) != `{"data":[]}` {
			t.Fatalf("Err %v Status %d Body %q", res.Err, res.Status, res.Body)
		}
	})
	t.Run("CONNECT over TLS", func(t *testing.T) {
		ctx := testCtx(t, false)
		pr := HTTPConnect(ctx, proxyTLS(t), "api.example.test:80", nil)
		if pr.Err != nil || pr.Status != 200 {
			t.Fatalf("Err %v Status %d", pr.Err, pr.Status)
		}
		res := HTTP(ctx, HTTPRequest{URL: "http://api.example.test/v1/models", Conn: pr.Conn})
		if res.Err != nil || res.Status != 200 {
			t.Fatalf("Err %v Status %d", res.Err, res.Status)
		}
	})
}
