package diag

// fdsPerEndpoint bounds the descriptors one endpoint's chain holds at once.
// bench/fanout measures about one per endpoint at the peak (1,000 endpoints,
// by IP and by name with both address families); two leaves room for the
// moments when both families connect or A and AAAA are asked at once.
const fdsPerEndpoint = 2

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
