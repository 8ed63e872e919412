//go:build !windows

package probe

import (
	"context"
	"net/netip"
	"time"
)

// systemICMP: only Windows has an unprivileged system ICMP API (iphlpapi).
const systemICMP = false

func pingSystem(_ context.Context, res PingResult, _ PingOptions) PingResult { return res }

func newSystemTracer(netip.Addr, time.Duration) (tracer, error) { return nil, errMethodUnsupported }

const silentHopsWarning = "every router before the target was silent while the target answered: " +
	"a firewall on this machine (or the first router) is likely dropping ICMP Time Exceeded, not the path"
