//go:build !linux

package probe

// Windows has no TCP_MAXSEG before connect; the BSDs' differs: the path-MTU
// differential says it could not run rather than guess.
const mssSupported = false

func setMSS(uintptr, int) error { return ErrMSSUnsupported }
