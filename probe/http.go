package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HTTPRequest is one request for the HTTP probe.
type HTTPRequest struct {
	Method string // "" = GET
	URL    string
	Header http.Header
	// Conn, when set, carries this one request and the probe never dials: it
	// is the connection the transport would have dialed, i.e. to the target
	// (already TLS-wrapped for https) or, when Proxy is also set, to the proxy.
	Conn net.Conn
	// Proxy sends the request through this http(s) proxy: absolute-form for
	// http targets, CONNECT for https ones. nil = direct; the environment is
	// never read (the caller decides the proxy).
	Proxy *url.URL
	// TLSConfig is used when the probe makes the TLS connection itself.
	TLSConfig *tls.Config
	// BodyIdle bounds the wait for the body's next byte once the headers
	// arrived (0 = only ctx bounds it): headers followed by silence are a
	// stall of their own, the failure streaming relays die on.
	BodyIdle time.Duration
}

// UserAgent is sent when the request has none.
const UserAgent = "newapi-doctor"

var errConnUsed = errors.New("probe: the supplied connection was already used")

// HTTP sends one request and reads the start of the answer. Redirects are
// not followed: a 3xx is reported with its Location. Every call uses a fresh
// transport without keep-alives, so no endpoint reuses another's connection.
func HTTP(ctx context.Context, hr HTTPRequest) HTTPResult {
	method := hr.Method
	if method == "" {
		method = http.MethodGet
	}
	res := HTTPResult{URL: hr.URL, Method: method}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, method, hr.URL, nil)
	if err != nil {
		res.Err = err
		return res
	}
	if hr.Header != nil {
		req.Header = hr.Header.Clone()
		if h := req.Header.Get("Host"); h != "" { // Go sends req.Host, never Header["Host"]
			req.Host = h
			req.Header.Del("Host")
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", UserAgent)
	}

	var proxyStatus atomic.Int32
	tr := &http.Transport{
		DisableKeepAlives:      true,
		ForceAttemptHTTP2:      true, // as new-api's client does; also lets a supplied h2 TLS conn work
		TLSClientConfig:        hr.TLSConfig.Clone(),
		MaxResponseHeaderBytes: 1 << 20,
	}
	if hr.Proxy != nil {
		if hr.Proxy.Scheme != "http" && hr.Proxy.Scheme != "https" {
			// The transport would speak SOCKS over whatever conn it is given,
			// a tunnel included, and wait for an answer that never comes.
			res.Err = fmt.Errorf("probe: HTTPRequest.Proxy must be an http(s) proxy, not %q: dial a SOCKS tunnel and pass it as Conn", hr.Proxy.Scheme)
			return res
		}
		tr.Proxy = http.ProxyURL(hr.Proxy)
		tr.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
			proxyStatus.Store(int32(resp.StatusCode))
			if resp.StatusCode != http.StatusOK {
				return &ConnectError{StatusCode: resp.StatusCode, Status: resp.Status}
			}
			return nil
		}
	}
	if hr.Conn != nil {
		var used atomic.Bool
		dial := func(context.Context, string, string) (net.Conn, error) {
			if used.Swap(true) {
				return nil, errConnUsed
			}
			return hr.Conn, nil
		}
		tr.DialContext, tr.DialTLSContext = dial, dial
	} else {
		tr.DialContext = (&net.Dialer{}).DialContext
	}
	defer tr.CloseIdleConnections()

	pt := &phaseTimer{start: start}
	resp, err := tr.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, pt.trace())))
	res.ProxyStatus = int(proxyStatus.Load())
	if err != nil {
		res.Err = withCtxErr(ctx, err)
		res.Timings = pt.done()
		return res
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.Proto = resp.Proto
	h := resp.Header
	res.ContentType = h.Get("Content-Type")
	res.RetryAfter = h.Get("Retry-After")
	res.Server = h.Get("Server")
	res.Date = h.Get("Date")
	res.Location = h.Get("Location")
	res.RateLimit = rateLimitHeaders(h)
	res.Header = h
	body, err := readBody(ctx, resp.Body, BodyLimit, hr.BodyIdle)
	res.Body = body
	if err != nil {
		res.BodyErr = withCtxErr(ctx, err)
		var se *BodyStallError
		if errors.As(res.BodyErr, &se) {
			se.After = time.Since(start)
			res.BodyStall = se
		} else if errors.Is(res.BodyErr, context.DeadlineExceeded) {
			res.BodyStall = &BodyStallError{Got: len(body), After: time.Since(start)}
		}
	}
	res.Timings = pt.done()
	e := parseAPIError(body)
	res.ErrorType, res.ErrorCode, res.ErrorMessage, res.NewAPIFailure = e.typ, e.code, e.msg, e.newAPIFailure
	return res
}

// phaseTimer collects httptrace events. The transport may call hooks from
// its dial goroutine even after RoundTrip returned, hence the lock.
type phaseTimer struct {
	mu                  sync.Mutex
	start               time.Time
	connStart, tlsStart time.Time
	t                   HTTPTimings
}

func (p *phaseTimer) trace() *httptrace.ClientTrace {
	at := func(f func(now time.Time)) {
		p.mu.Lock()
		f(time.Now())
		p.mu.Unlock()
	}
	return &httptrace.ClientTrace{
		ConnectStart: func(string, string) {
			at(func(now time.Time) {
				if p.connStart.IsZero() {
					p.connStart = now
				}
			})
		},
		ConnectDone: func(_, _ string, err error) {
			at(func(now time.Time) {
				if err == nil && p.t.Connect == 0 {
					p.t.Connect = now.Sub(p.connStart)
				}
			})
		},
		TLSHandshakeStart: func() { at(func(now time.Time) { p.tlsStart = now }) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			at(func(now time.Time) { p.t.TLS = now.Sub(p.tlsStart) })
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			at(func(now time.Time) { p.t.WroteRequest = now.Sub(p.start) })
		},
		GotFirstResponseByte: func() {
			at(func(now time.Time) { p.t.FirstByte = now.Sub(p.start) })
		},
	}
}

func (p *phaseTimer) done() HTTPTimings {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t.Total = time.Since(p.start)
	return p.t
}

var rateLimitPrefixes = []string{"x-ratelimit-", "anthropic-ratelimit-"}

func rateLimitHeaders(h http.Header) map[string]string {
	var out map[string]string
	for k, vs := range h {
		lk := strings.ToLower(k)
		for _, p := range rateLimitPrefixes {
			if strings.HasPrefix(lk, p) && len(vs) > 0 {
				if out == nil {
					out = map[string]string{}
				}
				out[lk] = vs[0]
			}
		}
	}
	return out
}

type apiError struct {
	typ, code, msg string
	newAPIFailure  bool
}

// maxErrorMessage bounds the message kept from a body.
const maxErrorMessage = 512

// parseAPIError reads the error out of a JSON body in the shapes model APIs
// use: OpenAI {"error":{"message","type","code"}}, Anthropic
// {"type":"error","error":{"type","message"}}, Gemini
// {"error":{"code","message","status"}} (also inside a one-element array),
// new-api {"success":false,"message"}, and a bare {"error":"text"} or
// {"message":"text"}. Anything else yields the zero value.
func parseAPIError(body []byte) apiError {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(body, &arr) != nil || len(arr) == 0 {
			return apiError{}
		}
		body = arr[0]
	}
	if len(body) == 0 || body[0] != '{' {
		return apiError{}
	}
	var doc struct {
		Success *bool           `json:"success"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return apiError{}
	}
	var e apiError
	var obj struct {
		Message json.RawMessage `json:"message"`
		Type    json.RawMessage `json:"type"`
		Code    json.RawMessage `json:"code"`
		Status  json.RawMessage `json:"status"`
	}
	switch {
	case len(doc.Error) > 0 && doc.Error[0] == '{' && json.Unmarshal(doc.Error, &obj) == nil:
		e.msg = scalar(obj.Message)
		e.typ = scalar(obj.Type)
		if e.typ == "" {
			e.typ = scalar(obj.Status) // Gemini: "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED"
		}
		e.code = scalar(obj.Code)
	case len(doc.Error) > 0 && doc.Error[0] == '"':
		e.msg = scalar(doc.Error)
	case doc.Success != nil && !*doc.Success:
		e.newAPIFailure = true
		e.msg = scalar(doc.Message)
	case doc.Success == nil:
		e.msg = scalar(doc.Message)
		if e.msg == "" {
			e.msg = scalar(doc.Detail)
		}
	}
	if len(e.msg) > maxErrorMessage {
		e.msg = e.msg[:maxErrorMessage]
	}
	return e
}

// scalar renders a JSON string, number or bool as text; anything else as "".
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{', '[', 'n':
		return ""
	default:
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			if b {
				return "true"
			}
			return "false"
		}
	}
	return ""
}
