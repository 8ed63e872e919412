package diag

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// withFastBackoff shrinks the retry backoff for one test.
func withFastBackoff(t *testing.T) {
	t.Helper()
	old := retryBackoff
	retryBackoff = backoff{Base: time.Millisecond, Max: 4 * time.Millisecond}
	t.Cleanup(func() { retryBackoff = old })
}

// scripted returns an attempt function that yields the given verdicts in turn
// (the last one repeats) and counts its calls.
func scripted(verdicts ...EndpointResult) (func(context.Context) EndpointResult, *int) {
	calls := 0
	return func(context.Context) EndpointResult {
		i := calls
		if i >= len(verdicts) {
			i = len(verdicts) - 1
		}
		calls++
		return verdicts[i]
	}, &calls
}

func TestRunAttempts(t *testing.T) {
	withFastBackoff(t)
	ok := EndpointResult{Name: "x", Category: CatOK, Cause: CauseOK}
	refused := EndpointResult{Name: "x", Category: CatRefused, Cause: CauseConnRefused, FailingLayer: LayerTCP, Message: "127.0.0.1:1 refused"}
	blocked := EndpointResult{Name: "x", Category: CatBlocked, Cause: CauseSYNTimeout, FailingLayer: LayerTCP}
	auth := EndpointResult{Name: "x", Category: CatAuth, Cause: CauseUnauthorized}
	tests := []struct {
		name         string
		retries      int
		seq          []EndpointResult
		wantCalls    int
		wantCat      Category
		wantCause    Cause
		wantMsg      string // substring of Message
		wantAttempts int
	}{
		{"no retries", 0, []EndpointResult{refused}, 1, CatRefused, CauseConnRefused, "refused", 0},
		{"ok at once", 2, []EndpointResult{ok}, 1, CatOK, CauseOK, "", 0},
		{"persistent fault", 2, []EndpointResult{refused}, 3, CatRefused, CauseConnRefused, "3/3 attempts refused", 3},
		{"flaky: fails one of three", 2, []EndpointResult{refused, ok, ok}, 3, CatOK, CauseFlaky, "failed 1 of 3 attempts: flaky", 3},
		{"flaky: fails two of three", 2, []EndpointResult{refused, refused, ok}, 3, CatOK, CauseFlaky, "failed 2 of 3 attempts: flaky", 3},
		{"mixed faults", 2, []EndpointResult{refused, blocked, refused}, 3, CatRefused, CauseConnRefused, "3/3 attempts failed (blocked ×1, refused ×2)", 3},
		{"deterministic fault not retried", 3, []EndpointResult{auth}, 1, CatAuth, CauseUnauthorized, "", 0},
		{"wrong base path not retried", 3, []EndpointResult{{Category: CatHTTP, Cause: CauseNotFound}}, 1, CatHTTP, CauseNotFound, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			one, calls := scripted(tt.seq...)
			r := runAttempts(context.Background(), RunOptions{Retries: tt.retries}, one)
			if *calls != tt.wantCalls {
				t.Errorf("attempts run = %d, want %d", *calls, tt.wantCalls)
			}
			if r.Category != tt.wantCat || r.Cause != tt.wantCause {
				t.Errorf("verdict %s/%s, want %s/%s", r.Category, r.Cause, tt.wantCat, tt.wantCause)
			}
			if !strings.Contains(r.Message, tt.wantMsg) {
				t.Errorf("message %q lacks %q", r.Message, tt.wantMsg)
			}
			if len(r.Attempts) != tt.wantAttempts {
				t.Errorf("Attempts = %v, want %d", r.Attempts, tt.wantAttempts)
			}
			if tt.wantCause == CauseFlaky && (r.Hint == "" || len(r.Notes) == 0) {
				t.Errorf("flaky verdict lacks hint or note: %+v", r)
			}
		})
	}
}

func TestRunAttemptsNumbersAttempts(t *testing.T) {
	withFastBackoff(t)
	var seen []int
	path := &PathInfo{Target: "203.0.113.1", Summary: "lost after hop 3"}
	one := func(ctx context.Context) EndpointResult {
		seen = append(seen, attemptOf(ctx))
		r := EndpointResult{Category: CatBlocked, Cause: CauseSYNTimeout}
		if attemptOf(ctx) == 1 {
			r.Path = path // as CheckEndpoint localises on the first attempt only
		}
		return r
	}
	r := runAttempts(context.Background(), RunOptions{Retries: 2}, one)
	if len(seen) != 3 || seen[0] != 1 || seen[1] != 2 || seen[2] != 3 {
		t.Fatalf("attempt numbers %v, want [1 2 3]", seen)
	}
	if r.Path != path {
		t.Errorf("the first attempt's path localisation was lost: %+v", r.Path)
	}
	if attemptOf(context.Background()) != 1 {
		t.Error("a context without retries is attempt 1")
	}
}

func TestRunAttemptsRespectsDeadline(t *testing.T) {
	old := retryBackoff
	retryBackoff = backoff{Base: time.Hour, Max: time.Hour}
	t.Cleanup(func() { retryBackoff = old })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	one, calls := scripted(EndpointResult{Category: CatBlocked, Cause: CauseSYNTimeout})
	r := runAttempts(ctx, RunOptions{Retries: 5}, one)
	if *calls != 1 {
		t.Fatalf("ran %d attempts although the backoff exceeds the deadline", *calls)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "deadline") {
		t.Errorf("notes %q do not say the deadline stopped retries", r.Notes)
	}
}

func TestRunAttemptsStopsOnCancel(t *testing.T) {
	withFastBackoff(t)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	one := func(context.Context) EndpointResult {
		calls++
		cancel()
		return EndpointResult{Category: CatRefused, Cause: CauseConnRefused}
	}
	r := runAttempts(ctx, RunOptions{Retries: 4}, one)
	if calls != 1 {
		t.Fatalf("ran %d attempts after cancellation", calls)
	}
	if r.Category != CatRefused {
		t.Errorf("category %s", r.Category)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := backoff{Base: 100 * time.Millisecond, Max: time.Second}
	for _, tt := range []struct {
		n      int
		lo, hi time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{10, 500 * time.Millisecond, time.Second},
	} {
		t.Run(tt.lo.String(), func(t *testing.T) {
			for i := 0; i < 50; i++ {
				if d := b.delay(tt.n); d < tt.lo || d > tt.hi {
					t.Fatalf("delay(%d) = %v, want in [%v, %v]", tt.n, d, tt.lo, tt.hi)
				}
			}
		})
	}
}

func TestParallelFor(t *testing.T) {
	for _, tt := range []struct {
		limit uint64
		want  int
	}{
		{0, 64}, {16, minParallel}, {1024, (1024 - fdReserve) / fdsPerEndpoint}, {1 << 20, maxParallel},
	} {
		t.Run("", func(t *testing.T) {
			if got := parallelFor(tt.limit); got != tt.want {
				t.Fatalf("parallelFor(%d) = %d, want %d", tt.limit, got, tt.want)
			}
			if got := parallelFor(tt.limit); tt.limit > 0 && uint64(got*fdsPerEndpoint+fdReserve) > tt.limit && got != minParallel {
				t.Fatalf("parallelFor(%d) = %d exceeds the limit", tt.limit, got)
			}
		})
	}
	if DefaultParallel() < minParallel {
		t.Fatal("DefaultParallel below the minimum")
	}
}

// flakyUpstream answers 503 to the first request of every three and 200 to
// the others: a loopback endpoint that fails one attempt in three.
func flakyUpstream(t *testing.T) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1)%3 == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"type":"server_busy","message":"try again"}}`)
			return
		}
		io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRetriesOverLoopback(t *testing.T) {
	withFastBackoff(t)
	noEnv := func(string) string { return "" }
	tests := []struct {
		name      string
		url       string
		wantCat   Category
		wantCause Cause
		wantMsg   string
	}{
		{"flaky endpoint is flaky, not broken", flakyUpstream(t) + "/v1", CatOK, CauseFlaky, "failed 1 of 3 attempts: flaky"},
		{"persistent fault is not hidden", "http://" + closedPort(t) + "/v1", CatRefused, "", "3/3 attempts refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := Endpoint{Name: "x", URL: tt.url, Proxy: ProxyDirect}
			rep := Run(context.Background(), []Endpoint{ep}, RunOptions{Retries: 2, Getenv: noEnv,
				Timeouts: Timeouts{DNS: time.Second, Connect: 2 * time.Second, TLS: time.Second, HTTP: 2 * time.Second}})
			r := rep.Endpoints[0]
			if r.Category != tt.wantCat || (tt.wantCause != "" && r.Cause != tt.wantCause) {
				t.Fatalf("verdict %s/%s (%s), want %s/%s", r.Category, r.Cause, r.Message, tt.wantCat, tt.wantCause)
			}
			if !strings.Contains(r.Message, tt.wantMsg) {
				t.Errorf("message %q lacks %q", r.Message, tt.wantMsg)
			}
			if len(r.Attempts) != 3 {
				t.Errorf("attempts %v, want 3", r.Attempts)
			}
			p, _ := ParsePolicy("", "", "", false)
			code := p.Evaluate(rep).ExitCode
			if tt.wantCat == CatOK && code != ExitOK || tt.wantCat != CatOK && code != ExitFailure {
				t.Errorf("default policy exit %d for %s", code, r.Category)
			}
		})
	}
}

// A silent upstream with many retries: the run's deadline, not the retry
// count, bounds the attempts.
func TestRetriesStopAtDeadline(t *testing.T) {
	withFastBackoff(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	ep := Endpoint{Name: "silent", URL: "http://" + l.Addr().String() + "/v1", Proxy: ProxyDirect}
	rep := Run(context.Background(), []Endpoint{ep}, RunOptions{Retries: 20, Deadline: 1500 * time.Millisecond,
		Getenv: func(string) string { return "" }, Timeouts: Timeouts{HTTP: 300 * time.Millisecond}})
	r := rep.Endpoints[0]
	if len(r.Attempts) >= 21 {
		t.Fatalf("all %d attempts ran despite the deadline", len(r.Attempts))
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "retries stopped after") {
		t.Errorf("notes %q do not say the deadline stopped the retries", r.Notes)
	}
	t.Logf("%s/%s: %s; notes %q", r.Category, r.Cause, r.Message, r.Notes)
	if r.Category == CatOK {
		t.Errorf("silent upstream classified ok")
	}
}
