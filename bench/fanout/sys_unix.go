//go:build unix

package main

import "syscall"

// peakRSSMB is this process's peak resident set (getrusage maxrss: KiB on
// Linux, bytes on macOS).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) * rssUnit / (1 << 20)
}

func noFile() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur)
}
