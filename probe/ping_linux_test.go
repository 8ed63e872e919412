//go:build linux

package probe

import "testing"

func silentNetnsForPing(t *testing.T) func(func()) { return silentNetns(t) }
