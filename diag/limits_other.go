//go:build !unix

package diag

// fileLimit: Windows sockets are handles without a per-process descriptor
// limit like RLIMIT_NOFILE, so the bound is the default one.
func fileLimit() uint64 { return 0 }
