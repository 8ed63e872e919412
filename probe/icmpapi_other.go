//go:build !windows

package probe

import (
	"context"
	"net/netip"
	"time"

	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// systemICMP: only Windows has an unprivileged system ICMP API (iphlpapi).
const systemICMP = false

func pingSystem(_ context.Context, res PingResult, _ PingOptions) PingResult { return res }

func newSystemTracer(netip.Addr, time.Duration) (tracer, error) { return nil, errMethodUnsupported }

var silentHopsWarning = i18n.M("every router before the target was silent while the target answered: " +
	"a firewall on this machine (or the first router) is likely dropping ICMP Time Exceeded, not the path")
