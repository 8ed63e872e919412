package diag

// fdsPerEndpoint is the most descriptors one endpoint's chain holds at once:
// a DNS socket, the proxy connection, the target connection (TLS reuses it)
// and one spare for the HTTP transport's own dial.
const fdsPerEndpoint = 4

// fdReserve is kept back for the process itself: stdio, the Go runtime's
// poller, log and bundle files, a database source.
const fdReserve = 64

// Bounds of DefaultParallel: at least a few endpoints at once even under a
// tiny limit; at most what a CLI sensibly fans out.
const (
	minParallel = 4
	maxParallel = 512
)

// DefaultParallel is how many endpoints to probe at once when --parallel is
// not set: as many as the open-file limit (RLIMIT_NOFILE) allows with room to
// spare, so a large check never fails with "too many open files".
func DefaultParallel() int {
	return parallelFor(fileLimit())
}

// parallelFor derives the bound from a descriptor limit (0 = unknown).
func parallelFor(limit uint64) int {
	if limit == 0 {
		return 64
	}
	if limit <= fdReserve+minParallel*fdsPerEndpoint {
		return minParallel
	}
	n := (limit - fdReserve) / fdsPerEndpoint
	if n > maxParallel {
		return maxParallel
	}
	return int(n)
}
