//go:build !windows

package testenv

// Wine reports whether this Windows binary runs under wine: never, here.
func Wine() bool { return false }
