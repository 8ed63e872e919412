package probetest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Upstream is how a fake model API answers every request.
type Upstream struct {
	Status      int    // 0 = 200
	Body        string // written as is
	ContentType string // "" = none set (Go then sniffs)
	RetryAfter  string
	Header      http.Header   // extra answer headers (rate limits, Location, ...)
	Delay       time.Duration // wait before answering; a long Delay = accepts but never answers in time
	TLS         bool          // serve HTTPS with httptest's certificate (trust it with srv.Client() or srv.Certificate())
}

// HTTPUpstream is a running fake upstream.
type HTTPUpstream struct {
	*httptest.Server

	mu   sync.Mutex
	reqs []*http.Request
}

// NewHTTPUpstream starts an upstream on a loopback port; it stops when the
// test ends, releasing requests still held by Delay.
func NewHTTPUpstream(tb testing.TB, u Upstream) *HTTPUpstream {
	tb.Helper()
	up := &HTTPUpstream{}
	stop := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		up.mu.Lock()
		up.reqs = append(up.reqs, r.Clone(r.Context()))
		up.mu.Unlock()
		if u.Delay > 0 {
			t := time.NewTimer(u.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			case <-stop:
				return
			}
		}
		for k, vs := range u.Header {
			w.Header()[k] = vs
		}
		if u.ContentType != "" {
			w.Header().Set("Content-Type", u.ContentType)
		}
		if u.RetryAfter != "" {
			w.Header().Set("Retry-After", u.RetryAfter)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(u.Body)))
		status := u.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, u.Body)
	})
	up.Server = httptest.NewUnstartedServer(h)
	up.Config.ErrorLog = quietLog()
	if u.TLS {
		up.StartTLS()
	} else {
		up.Start()
	}
	tb.Cleanup(up.Close)
	tb.Cleanup(func() { close(stop) }) // runs first: frees delayed handlers so Close returns
	return up
}

// Requests returns the requests received so far (bodies already drained).
func (up *HTTPUpstream) Requests() []*http.Request {
	up.mu.Lock()
	defer up.mu.Unlock()
	return append([]*http.Request(nil), up.reqs...)
}
