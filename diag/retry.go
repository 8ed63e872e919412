package diag

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// CauseFlaky: the endpoint failed at least one attempt and answered on another.
// Its category stays ok (one dropped packet must not fail a CI run); the policy
// can warn or fail on it by the name "flaky".
const CauseFlaky Cause = "flaky"

// backoff shapes the wait between attempts: base·2^(n-1), capped, with jitter
// so a fleet of doctors does not retry in lockstep.
type backoff struct {
	Base, Max time.Duration
}

// retryBackoff is a variable so tests can shrink it.
var retryBackoff = backoff{Base: 250 * time.Millisecond, Max: 4 * time.Second}

// delay returns the wait before retry n (1-based): uniformly in [d/2, d].
func (b backoff) delay(n int) time.Duration {
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// retryable says whether another attempt could change the verdict. Faults of
// configuration, credentials and certificates are deterministic: retrying
// them only spends the deadline.
func retryable(r EndpointResult) bool {
	if r.Category == CatOK || r.Category == CatAuth {
		return false
	}
	switch r.Cause {
	case CauseBadURL, CauseProxyBadURL, CauseProxyUnsupported, CauseInterrupted, CauseDeadline,
		CauseInternalError, CauseTLSUntrusted, CauseTLSHostname, CauseTLSExpired, CauseTLSNotYet,
		CauseTLSCAFile, CauseTLSNotTLS, CauseFakeIP, CauseNoResolver, CauseProxyAuthRequired, CauseSOCKSAuth,
		CauseRegionBlocked, CauseNotFound:
		return false
	}
	return true
}

// attemptKey carries the attempt number (1-based) in an attempt's context.
type attemptKey struct{}

// attemptOf returns which attempt ctx belongs to: 1 for the first (and for
// runs without retries). CheckEndpoint localises a fault with ping and
// traceroute only on the first attempt: retries must not repeat a traceroute.
func attemptOf(ctx context.Context) int {
	if n, ok := ctx.Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}

// runAttempts runs one endpoint's chain up to 1+o.Retries times. The first
// success without a failure returns at once. After a failure every remaining
// attempt runs (within the deadline) so the verdict can say how often the
// endpoint fails: "3/3 attempts refused" or "failed 1 of 3 attempts: flaky".
// An attempt is started only if the one before it, plus the backoff, still fits
// before ctx's deadline: retries never stretch a run beyond --deadline.
func runAttempts(ctx context.Context, o RunOptions, one func(context.Context) EndpointResult) EndpointResult {
	start := time.Now()
	first := one(ctx)
	if o.Retries <= 0 || !retryable(first) {
		return first
	}
	max := 1 + o.Retries
	results := []EndpointResult{first}
	last := time.Since(start)
	stoppedBy := ""
	for n := 1; n < max; n++ {
		wait := retryBackoff.delay(n)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+last {
			stoppedBy = "the run's deadline"
			break
		}
		if o.Logger != nil {
			o.Logger.Debug("retry", "endpoint", first.Name, "attempt", n+1, "of", max, "backoff", wait, "previous", string(results[n-1].Category))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			stoppedBy = "interruption"
		case <-t.C:
		}
		if stoppedBy != "" {
			break
		}
		as := time.Now()
		r := one(context.WithValue(ctx, attemptKey{}, n+1))
		last = time.Since(as)
		if ctx.Err() != nil && r.Category != CatOK {
			// An attempt cut short by the run ending says nothing about the endpoint.
			stoppedBy = "interruption"
			break
		}
		results = append(results, r)
	}
	out := mergeAttempts(results, stoppedBy)
	out.DurationMS = ms(time.Since(start))
	return out
}

// mergeAttempts folds the attempts into one verdict.
func mergeAttempts(results []EndpointResult, stoppedBy string) EndpointResult {
	var okIdx = -1
	failed := 0
	counts := map[Category]int{}
	atts := make([]Attempt, len(results))
	for i, r := range results {
		atts[i] = Attempt{Category: r.Category, Cause: r.Cause, Layer: r.FailingLayer}
		if r.Category == CatOK {
			if okIdx < 0 {
				okIdx = i
			}
			continue
		}
		failed++
		counts[r.Category]++
	}
	n := len(results)
	var out EndpointResult
	if okIdx >= 0 {
		out = results[okIdx]
		firstFail := results[0]
		out.Notes = append(append([]string(nil), out.Notes...),
			fmt.Sprintf("failed %d of %d attempts: flaky (%s)", failed, n, failureSummary(counts)))
		if out.Cause != CauseOK && out.Cause != "" {
			out.Notes = append(out.Notes, "answered with cause "+string(out.Cause))
		}
		out.Cause = CauseFlaky
		out.Message = fmt.Sprintf("failed %d of %d attempts: flaky; first failure: %s", failed, n, firstLine(firstFail))
		out.Hint = fmt.Sprintf("The endpoint answered, but %d of %d attempts failed (%s): an intermittent fault. "+
			"Watch it over time (newapi-doctor serve), and check packet loss on the path, the proxy's stability and the provider's status page.",
			failed, n, failureSummary(counts))
	} else {
		out = results[n-1]
		var head string
		if len(counts) == 1 {
			head = fmt.Sprintf("%d/%d attempts %s", n, n, out.Category)
		} else {
			head = fmt.Sprintf("%d/%d attempts failed (%s)", n, n, failureSummary(counts))
		}
		if out.Message != "" {
			out.Message = head + ": " + out.Message
		} else {
			out.Message = head
		}
		out.Notes = append(append([]string(nil), out.Notes...), head)
	}
	if stoppedBy != "" {
		out.Notes = append(out.Notes, fmt.Sprintf("retries stopped after %d attempt(s) by %s", n, stoppedBy))
	}
	if out.Path == nil && okIdx < 0 {
		// The path was localised on the first attempt only.
		for _, r := range results {
			if r.Path != nil {
				out.Path = r.Path
				break
			}
		}
	}
	out.Attempts = atts
	return out
}

func failureSummary(counts map[Category]int) string {
	keys := make([]string, 0, len(counts))
	for c := range counts {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, counts[Category(k)])
	}
	return strings.Join(parts, ", ")
}

func firstLine(r EndpointResult) string {
	s := string(r.Category) + "/" + string(r.Cause)
	if r.Message != "" {
		s += " (" + r.Message + ")"
	}
	return s
}
