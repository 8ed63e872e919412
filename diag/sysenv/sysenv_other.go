//go:build !linux && !windows

package sysenv

import "runtime"

// Elsewhere (macOS, BSDs) resolv.conf is read by the common code; the kernel
// release and routes would need sysctl or routing sockets, not worth a
// dependency here.
func platformFacts(*Inputs) PlatformFacts {
	return PlatformFacts{Unknown: []string{"kernel and default route: not collected on " + runtime.GOOS}}
}
