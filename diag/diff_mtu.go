package diag

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/newapi-doctor/newapi-doctor/probe"
)

// Path-MTU black holes (issue 11 item 4): small packets pass, full-size ones
// die and the ICMP "fragmentation needed" never comes back. The ClientHello
// is small; the server's certificate flight is not, so the handshake stalls
// after the TCP connect; a large answer stalls the same way. Announcing a
// small MSS makes the peer send segments that fit any path.

// stalledAfterConnect: the handshake got no answer, the answer never came,
// or its body stopped after the headers (a large answer).
func stalledAfterConnect(_ *chain, ev *Evidence, cause Cause) bool {
	return (ev.Layer == LayerTLS && cause == CauseTLSTimeout) || (ev.Layer == LayerHTTP && (cause == CauseNoResponse || cause == CauseBodyStalled))
}

func mtuDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	mss := probe.SmallMSS4
	if c.targetAddr.Is6() && c.proxy == nil {
		mss = probe.SmallMSS6
	}
	t0 := time.Now()
	var passed bool
	var err error
	if ev.Layer == LayerTLS {
		cfg, cerr := c.tlsConfig()
		if cerr != nil {
			return diffOutcome{evidence: cerr.Error()}
		}
		var tr probe.TLSResult
		tr, err = c.replayTLS(ctx, true, cfg)
		passed = err == nil && answeredTLS(tr)
		if err == nil && !passed {
			err = tr.Err
		}
	} else {
		var hr probe.HTTPResult
		hr, err = c.replayHTTP(ctx, true, "", nil)
		passed = err == nil && hr.Err == nil && hr.BodyStall == nil
		if err == nil && !passed {
			err = hr.Err
			if err == nil {
				err = hr.BodyStall
			}
		}
	}
	if errors.Is(err, probe.ErrMSSUnsupported) {
		return diffOutcome{skipped: err.Error()}
	}
	what := "the handshake"
	if ev.Layer == LayerHTTP {
		what = "the answer"
	}
	if !passed {
		return diffOutcome{evidence: fmt.Sprintf("with MSS %d %s stalled too (%s): not the packet size", mss, what, shortErr(err))}
	}
	return diffOutcome{look: LookMTUBlackhole, evidence: fmt.Sprintf("%s stalled with full-size packets and completed in %s with MSS %d", what, msText(time.Since(t0)), mss)}
}
