package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestSOCKS5(t *testing.T) {
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{Body: `{"data":[]}`})
	hosts := map[string]string{"api.example.test": hostPort(up.URL)}
	tests := []struct {
		name      string
		b         probetest.SOCKSBehaviour
		target    string
		user      *url.Userinfo
		wantStage string
		wantReply byte
		wantSeen  string // the address the server recorded ("" = none expected)
	}{
		{name: "tunnel by name", b: probetest.SOCKSBehaviour{Hosts: hosts}, target: "api.example.test:80", wantSeen: "api.example.test:80"},
		{name: "tunnel by IP", b: probetest.SOCKSBehaviour{}, target: hostPort(up.URL), wantSeen: hostPort(up.URL)},
		{name: "auth ok", b: probetest.SOCKSBehaviour{Hosts: hosts, User: "u", Pass: "p"}, target: "api.example.test:80", user: url.UserPassword("u", "p"), wantSeen: "api.example.test:80"},
		{name: "auth required, none offered", b: probetest.SOCKSBehaviour{User: "u", Pass: "p"}, target: "api.example.test:80", wantStage: "greeting"},
		{name: "auth fails", b: probetest.SOCKSBehaviour{User: "u", Pass: "p"}, target: "api.example.test:80", user: url.UserPassword("u", "bad"), wantStage: "auth", wantReply: 1},
		{name: "reply 5 refused", b: probetest.SOCKSBehaviour{Reply: 5}, target: "api.example.test:80", wantStage: "connect", wantReply: 5, wantSeen: "api.example.test:80"},
		{name: "reply 2 ruleset", b: probetest.SOCKSBehaviour{Reply: 2}, target: "api.example.test:80", wantStage: "connect", wantReply: 2, wantSeen: "api.example.test:80"},
		{name: "reply 4 unknown name", b: probetest.SOCKSBehaviour{}, target: "nowhere.example.test:80", wantStage: "connect", wantReply: 4, wantSeen: "nowhere.example.test:80"},
		{name: "reply 5 closed port", b: probetest.SOCKSBehaviour{}, target: probetest.ClosedPort(t), wantStage: "connect", wantReply: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := probetest.NewSOCKS5Server(t, tc.b)
			ctx := testCtx(t, false)
			res := SOCKS5(ctx, connTo(t, ctx, srv.Addr), tc.target, tc.user)
			if res.Kind != "socks5" || res.Target != tc.target {
				t.Errorf("Kind %q Target %q", res.Kind, res.Target)
			}
			if tc.wantSeen != "" {
				reqs := srv.Requests()
				if len(reqs) != 1 || reqs[0].Addr != tc.wantSeen {
					t.Errorf("server saw %+v, want %s", reqs, tc.wantSeen)
				}
			}
			if tc.wantStage != "" {
				var se *SOCKSError
				if !errors.As(res.Err, &se) || se.Stage != tc.wantStage || se.Reply != tc.wantReply || res.Conn != nil {
					t.Fatalf("Err = %#v, want *SOCKSError %s/%d", res.Err, tc.wantStage, tc.wantReply)
				}
				if tc.wantStage == "connect" && res.SOCKSReply != int(tc.wantReply) {
					t.Errorf("SOCKSReply = %d, want %d", res.SOCKSReply, tc.wantReply)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			hr := HTTP(ctx, HTTPRequest{URL: "http://api.example.test/v1/models", Conn: res.Conn})
			if hr.Err != nil || hr.Status != 200 {
				t.Fatalf("HTTP over tunnel: %v %d", hr.Err, hr.Status)
			}
			if reqs := srv.Requests(); tc.user != nil && !reqs[0].Auth {
				t.Error("server did not record the authentication")
			}
		})
	}
}

func TestSOCKS5Peers(t *testing.T) {
	tests := []struct {
		name  string
		conn  func(t *testing.T) net.Conn
		check func(t *testing.T, err error)
	}{
		{name: "HTTP server", conn: func(t *testing.T) net.Conn { return scripted(t, "HTTP/1.1 400 Bad Request\r\n\r\n") }, check: func(t *testing.T, err error) {
			var pe *ProtocolError
			var se *SOCKSError
			if !errors.As(err, &pe) || !errors.As(err, &se) || se.Stage != "protocol" {
				t.Errorf("err = %#v, want SOCKSError protocol wrapping *ProtocolError", err)
			}
		}},
		{name: "EOF", conn: func(t *testing.T) net.Conn { return dial(t, probetest.EOFListener(t)) }, check: func(t *testing.T, err error) {
			if !errors.Is(err, io.EOF) {
				t.Errorf("err = %#v, want io.EOF", err)
			}
		}},
		{name: "silent", conn: func(t *testing.T) net.Conn { return dial(t, probetest.SilentListener(t)) }, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %#v, want context.DeadlineExceeded", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t, tc.name == "silent")
			res := SOCKS5(ctx, tc.conn(t), "api.example.test:443", nil)
			if res.Err == nil {
				t.Fatal("want an error")
			}
			tc.check(t, res.Err)
		})
	}
}

func TestSOCKSConnectRequest(t *testing.T) {
	tests := []struct {
		target  string
		want    []byte
		wantErr bool
	}{
		{target: "api.example.test:443", want: append(append([]byte{5, 1, 0, 3, 16}, "api.example.test"...), 1, 187)},
		{target: "127.0.0.1:8080", want: []byte{5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90}},
		{target: "[::1]:80", want: append(append([]byte{5, 1, 0, 4}, net.IPv6loopback...), 0, 80)},
		{target: "no-port", wantErr: true},
		{target: "host:99999", wantErr: true},
		{target: ":80", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			got, err := socksConnectRequest(tc.target)
			if (err != nil) != tc.wantErr || !bytes.Equal(got, tc.want) {
				t.Errorf("got %v, %v; want %v (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func FuzzSOCKS5Reply(f *testing.F) {
	for _, s := range [][]byte{
		{5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 80},
		{5, 2, 1, 0, 5, 0, 0, 3, 4, 'h', 'o', 's', 't', 0, 80},
		{5, 0xFF},
		{5, 2, 1, 1},
		{5, 0, 5, 4, 0, 4},
		{5, 0, 5, 0, 0, 9},
		{'H', 'T', 'T', 'P'},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := socks5Handshake(fuzzRW{bytes.NewReader(b)}, "api.example.test:443", url.UserPassword("u", "p"))
		if err == nil && (len(b) < 12 || b[0] != 5) {
			t.Fatalf("handshake succeeded on %v", b)
		}
		_, _ = readSOCKSReply(bytes.NewReader(b))
	})
}
