package diag

import (
	"context"
	"log/slog"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// RunOptions configure a check run.
type RunOptions struct {
	Timeouts Timeouts            // per layer; zero fields take the defaults
	Parallel int                 // endpoints probed at once (0 = DefaultParallel)
	Deadline time.Duration       // whole run (0 = derived from Timeouts)
	Getenv   func(string) string // proxy environment (nil = os.Getenv)
	DNS      probe.DNSConfig     // resolver override (tests, --resolver)
	// CompareDNS are second resolvers (host[:port], --compare-resolver)
	// the DNS differential asks when an answer looks like a lie.
	CompareDNS []string
	// DoH are DNS-over-HTTPS servers (https URLs, --doh) the DNS
	// differential asks, through the environment's proxy for them.
	DoH []string
	// HostsFile is the hosts file the DNS differential reads ("" = the system's).
	HostsFile string
	// Controls are the control targets (URLs) a blocked, unreachable or
	// timeout verdict is compared with through the same path (--control;
	// nil = none: library callers and tests probe no third party).
	Controls []string
	Retries  int  // extra attempts of a failing endpoint
	Deep     bool // localise every endpoint, not only the broken ones
	// PathProbe localises a network fault with ping and traceroute; nil = off.
	PathProbe func(ctx context.Context, t PathTarget) *PathInfo
	Logger    *slog.Logger                            // run log (nil = discard)
	Progress  func(done, total int, running []string) // called as endpoints finish
	Version   string
	// SystemProxies are the OS's proxy settings (sysproxy.Read), reported
	// beside the environment's and probed when new-api's own path fails.
	SystemProxies []sysproxy.Setting

	paths *pathFlight // one localisation per (address, port) in a run; set by Run
}
