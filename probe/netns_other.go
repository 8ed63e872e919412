//go:build !linux

package probe

// netnsID: network namespaces are Linux's; elsewhere there is one.
func netnsID() uint64 { return 0 }

// setRcvBuf: the system's default buffer elsewhere.
func setRcvBuf(any, int) {}

// ttlControl: elsewhere the socket's TTL is set before each send.
func ttlControl(bool, int) []byte { return nil }
