//go:build !linux

package probe

import "testing"

func silentNetnsForPing(t *testing.T) func(func()) {
	t.Skip("network namespaces are Linux only")
	return nil
}
