package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe/probetest"
)

func TestHTTP(t *testing.T) {
	const openAI401 = `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	const anthropic529 = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
	tests := []struct {
		name      string
		up        probetest.Upstream
		header    http.Header
		wantCode  int
		wantType  string
		wantECode string
		wantMsg   string
		check     func(t *testing.T, res HTTPResult)
	}{
		{name: "200 json", up: probetest.Upstream{Body: `{"object":"list","data":[]}`, ContentType: "application/json", Header: http.Header{"Server": {"fake-api"}}}, wantCode: 200,
			check: func(t *testing.T, res HTTPResult) {
				if res.ContentType != "application/json" || res.Server != "fake-api" || res.Date == "" {
					t.Errorf("ContentType %q Server %q Date %q", res.ContentType, res.Server, res.Date)
				}
				if string(res.Body) != `{"object":"list","data":[]}` {
					t.Errorf("Body = %q", res.Body)
				}
				if res.Timings.FirstByte <= 0 || res.Timings.Total < res.Timings.FirstByte || res.Timings.Connect <= 0 || res.Timings.WroteRequest <= 0 {
					t.Errorf("Timings = %+v", res.Timings)
				}
			}},
		{name: "401 openai", up: probetest.Upstream{Status: 401, Body: openAI401, ContentType: "application/json"}, header: http.Header{"Authorization": {"Bearer sk-test"}},
			wantCode: 401, wantType: "invalid_request_error", wantECode: "invalid_api_key", wantMsg: "Incorrect API key provided"},
		{name: "404", up: probetest.Upstream{Status: 404, Body: "404 page not found\n", ContentType: "text/plain"}, wantCode: 404},
		{name: "429 retry-after", up: probetest.Upstream{Status: 429, RetryAfter: "20", Body: `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`,
			Header: http.Header{"X-Ratelimit-Remaining-Requests": {"0"}, "Anthropic-Ratelimit-Tokens-Reset": {"2026-01-01T00:00:00Z"}, "X-Other": {"1"}}},
			wantCode: 429, wantType: "requests", wantECode: "rate_limit_exceeded", wantMsg: "Rate limit reached",
			check: func(t *testing.T, res HTTPResult) {
				if res.RetryAfter != "20" {
					t.Errorf("RetryAfter = %q", res.RetryAfter)
				}
				want := map[string]string{"x-ratelimit-remaining-requests": "0", "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:00Z"}
				if len(res.RateLimit) != len(want) {
					t.Errorf("RateLimit = %v, want %v", res.RateLimit, want)
				}
				for k, v := range want {
					if res.RateLimit[k] != v {
						t.Errorf("RateLimit[%s] = %q, want %q", k, res.RateLimit[k], v)
					}
				}
			}},
		{name: "503", up: probetest.Upstream{Status: 503, Body: "upstream connect error"}, wantCode: 503, wantMsg: ""},
		{name: "529 anthropic", up: probetest.Upstream{Status: 529, Body: anthropic529, ContentType: "application/json"}, wantCode: 529, wantType: "overloaded_error", wantMsg: "Overloaded"},
		{name: "html body", up: probetest.Upstream{Status: 200, Body: "<!DOCTYPE html><html><title>Just a moment...</title></html>", ContentType: "text/html; charset=UTF-8"}, wantCode: 200,
			check: func(t *testing.T, res HTTPResult) {
				if !strings.HasPrefix(res.ContentType, "text/html") || !strings.HasPrefix(string(res.Body), "<!DOCTYPE") {
					t.Errorf("ContentType %q Body %q", res.ContentType, res.Body)
				}
			}},
		{name: "redirect not followed", up: probetest.Upstream{Status: 302, Header: http.Header{"Location": {"https://login.example.test/"}}}, wantCode: 302,
			check: func(t *testing.T, res HTTPResult) {
				if res.Location != "https://login.example.test/" {
					t.Errorf("Location = %q", res.Location)
				}
			}},
		{name: "body limit", up: probetest.Upstream{Body: strings.Repeat("x", BodyLimit+100)}, wantCode: 200,
			check: func(t *testing.T, res HTTPResult) {
				if len(res.Body) != BodyLimit {
					t.Errorf("len(Body) = %d, want %d", len(res.Body), BodyLimit)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := probetest.NewHTTPUpstream(t, tc.up)
			res := HTTP(context.Background(), HTTPRequest{URL: up.URL + "/v1/models", Header: tc.header})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Status != tc.wantCode || res.Proto != "HTTP/1.1" {
				t.Errorf("Status = %d %s, want %d", res.Status, res.Proto, tc.wantCode)
			}
			if res.ErrorType != tc.wantType || res.ErrorCode != tc.wantECode || res.ErrorMessage != tc.wantMsg {
				t.Errorf("error body = %q/%q/%q, want %q/%q/%q", res.ErrorType, res.ErrorCode, res.ErrorMessage, tc.wantType, tc.wantECode, tc.wantMsg)
			}
			reqs := up.Requests()
			if len(reqs) != 1 {
				t.Fatalf("upstream saw %d requests, want 1", len(reqs))
			}
			if reqs[0].URL.Path != "/v1/models" || reqs[0].Header.Get("User-Agent") != UserAgent {
				t.Errorf("request %s UA %q", reqs[0].URL.Path, reqs[0].Header.Get("User-Agent"))
			}
			if got, want := reqs[0].Header.Get("Authorization"), tc.header.Get("Authorization"); got != want {
				t.Errorf("Authorization = %q, want %q", got, want)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestHTTPFailures(t *testing.T) {
	tests := []struct {
		name     string
		url      func(t *testing.T) string
		timesOut bool
		check    func(t *testing.T, err error)
	}{
		{name: "no response in time", timesOut: true, url: func(t *testing.T) string {
			return probetest.NewHTTPUpstream(t, probetest.Upstream{Delay: time.Minute}).URL
		}, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %#v, want context.DeadlineExceeded", err)
			}
		}},
		{name: "silent listener", timesOut: true, url: func(t *testing.T) string { return "http://" + probetest.SilentListener(t) }, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %#v, want context.DeadlineExceeded", err)
			}
		}},
		{name: "refused", url: func(t *testing.T) string { return "http://" + probetest.ClosedPort(t) }, check: func(t *testing.T, err error) {
			if !isErrno(err, syscall.ECONNREFUSED, wsaECONNREFUSED) {
				t.Errorf("err = %#v, want ECONNREFUSED", err)
			}
		}},
		{name: "untrusted https", url: func(t *testing.T) string { return probetest.NewHTTPUpstream(t, probetest.Upstream{TLS: true}).URL }, check: func(t *testing.T, err error) {
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Errorf("err = %#v, want x509.UnknownAuthorityError", err)
			}
		}},
		{name: "bad url", url: func(*testing.T) string { return "http://[::1" }, check: func(t *testing.T, err error) {
			if err == nil {
				t.Error("want an error")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := HTTP(testCtx(t, tc.timesOut), HTTPRequest{URL: tc.url(t) + "/v1/models"})
			if res.Err == nil || res.Status != 0 {
				t.Fatalf("Err = %v Status = %d, want a failure", res.Err, res.Status)
			}
			tc.check(t, res.Err)
		})
	}
}

func TestHTTPOverSuppliedConn(t *testing.T) {
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{TLS: true, Body: `{"data":[]}`})
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	for _, alpn := range [][]string{nil, {"h2", "http/1.1"}} {
		t.Run(strings.Join(alpn, ","), func(t *testing.T) {
			tr := TCP(context.Background(), "tcp", hostPort(up.URL))
			if tr.Err != nil {
				t.Fatal(tr.Err)
			}
			tl := TLS(context.Background(), tr.Conn, &tls.Config{ServerName: "example.com", RootCAs: pool, NextProtos: alpn})
			if tl.Err != nil {
				t.Fatal(tl.Err)
			}
			// The URL names a host that resolves nowhere: only the supplied conn can carry it.
			res := HTTP(context.Background(), HTTPRequest{URL: "https://api.example.test/v1/models", Conn: tl.Conn})
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Status != 200 || string(res.Body) != `{"data":[]}` {
				t.Errorf("Status %d Body %q", res.Status, res.Body)
			}
			wantProto := "HTTP/1.1"
			if tl.ALPN == "h2" {
				wantProto = "HTTP/2.0"
			}
			if res.Proto != wantProto {
				t.Errorf("Proto = %q, want %q (ALPN %q)", res.Proto, wantProto, tl.ALPN)
			}
			if got := up.Requests(); len(got) == 0 || got[len(got)-1].Host != "api.example.test" {
				t.Errorf("upstream did not see Host api.example.test")
			}
		})
	}
}

func TestHTTPOwnTLS(t *testing.T) {
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{TLS: true, Body: "{}"})
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	res := HTTP(context.Background(), HTTPRequest{URL: up.URL, TLSConfig: &tls.Config{RootCAs: pool}})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Status != 200 || res.Timings.TLS <= 0 {
		t.Errorf("Status %d TLS time %v", res.Status, res.Timings.TLS)
	}
}

func TestParseAPIError(t *testing.T) {
	tests := []struct {
		name, body     string
		typ, code, msg string
		newAPIFailure  bool
	}{
		{name: "openai", body: `{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}}`,
			typ: "request_forbidden", code: "unsupported_country_region_territory", msg: "Country, region, or territory not supported"},
		{name: "openai null code", body: `{"error":{"message":"m","type":"t","code":null}}`, typ: "t", msg: "m"},
		{name: "anthropic", body: `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`, typ: "authentication_error", msg: "invalid x-api-key"},
		{name: "gemini", body: `{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}`,
			typ: "FAILED_PRECONDITION", code: "400", msg: "User location is not supported for the API use."},
		{name: "gemini array", body: ` [{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}]`, typ: "RESOURCE_EXHAUSTED", code: "429", msg: "Resource has been exhausted"},
		{name: "new-api", body: `{"success":false,"message":"无权进行此操作，未登录且未提供 access token"}`, msg: "无权进行此操作，未登录且未提供 access token", newAPIFailure: true},
		{name: "new-api ok", body: `{"success":true,"message":"","data":{"version":"v0.9"}}`},
		{name: "string error", body: `{"error":"Unauthorized"}`, msg: "Unauthorized"},
		{name: "message only", body: `{"message":"Unauthorized","request_id":"x"}`, msg: "Unauthorized"},
		{name: "detail", body: `{"detail":"Not Found"}`, msg: "Not Found"},
		{name: "model list", body: `{"object":"list","data":[{"id":"gpt-4o"}]}`},
		{name: "html", body: `<html><body>blocked</body></html>`},
		{name: "truncated json", body: `{"error":{"message":"cut`},
		{name: "empty", body: ``},
		{name: "empty array", body: `[]`},
		{name: "numbers", body: `{"error":{"message":12,"type":true,"code":1.5}}`, typ: "true", code: "1.5", msg: "12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := parseAPIError([]byte(tc.body))
			if e.typ != tc.typ || e.code != tc.code || e.msg != tc.msg || e.newAPIFailure != tc.newAPIFailure {
				t.Errorf("got %+v, want %q/%q/%q/%v", e, tc.typ, tc.code, tc.msg, tc.newAPIFailure)
			}
		})
	}
}

func FuzzParseAPIError(f *testing.F) {
	for _, s := range []string{`{"error":{"message":"m","type":"t","code":"c"}}`, `[{"error":{"code":1}}]`, `{"success":false,"message":"x"}`, `{"error":"x"}`, `[`, `{"error":[1,2]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e := parseAPIError(b)
		if len(e.msg) > maxErrorMessage {
			t.Errorf("message of %d bytes exceeds the cap", len(e.msg))
		}
	})
}

// TestHTTPSuppliedConnSilent: with a supplied conn the deadline while
// waiting for headers must still read as context.DeadlineExceeded.
func TestHTTPSuppliedConnSilent(t *testing.T) {
	ctx := testCtx(t, true)
	conn := connTo(t, context.Background(), probetest.SilentListener(t))
	res := HTTP(ctx, HTTPRequest{URL: "http://api.example.test/v1/models", Conn: conn})
	if !errors.Is(res.Err, context.DeadlineExceeded) || res.Status != 0 {
		t.Fatalf("Err = %#v Status %d, want context.DeadlineExceeded", res.Err, res.Status)
	}
	if res.Timings.WroteRequest <= 0 || res.Timings.FirstByte != 0 {
		t.Errorf("Timings = %+v, want the request written and no first byte", res.Timings)
	}
}

// TestHTTPRefusesSOCKSProxy: a SOCKS proxy is a tunnel the caller dials;
// given to the HTTP probe it was spoken again over the supplied conn and the
// probe waited out its deadline (issue 9.1). It is refused at once.
func TestHTTPRefusesSOCKSProxy(t *testing.T) {
	up := probetest.NewHTTPUpstream(t, probetest.Upstream{Body: `{"data":[]}`})
	for _, scheme := range []string{"socks5", "socks5h"} {
		t.Run(scheme, func(t *testing.T) {
			conn := connTo(t, context.Background(), hostPort(up.URL))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			res := HTTP(ctx, HTTPRequest{URL: up.URL + "/v1/models", Conn: conn, Proxy: &url.URL{Scheme: scheme, Host: "127.0.0.1:1"}})
			if res.Err == nil || !strings.Contains(res.Err.Error(), "http(s) proxy") {
				t.Fatalf("Err = %v, want a refusal of the %s proxy", res.Err, scheme)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v: the refusal must not wait for the deadline", d)
			}
		})
	}
}
