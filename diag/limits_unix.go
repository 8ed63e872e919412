//go:build unix

package diag

import "syscall"

// fileLimit is the soft RLIMIT_NOFILE (Go raises it to the hard limit at
// start-up), 0 when unknown.
func fileLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	cur := uint64(rl.Cur) // int64 on some BSDs, where RLIM_INFINITY is -1
	if cur == ^uint64(0) || cur > 1<<20 {
		return 1 << 20
	}
	return cur
}
