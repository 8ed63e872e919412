//go:build !windows && !darwin && !linux

package sysproxy

// Read: no system proxy store is known on this OS.
func Read() []Setting { return nil }
