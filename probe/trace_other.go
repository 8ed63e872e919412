//go:build !linux

package probe

import (
	"net/netip"
	"time"
)

// The UDP and TCP methods read ICMP errors from the socket error queue
// (IP_RECVERR), which only Linux has.
func newSockTracer(netip.Addr, string, int) (tracer, error) { return nil, errMethodUnsupported }

func localFailure(probeKey, error) (hopEvent, bool) { return hopEvent{}, false }

var _ = time.Now
