//go:build linux

package lab

import "testing"

func (l *lab) testCheck(t *testing.T) {
	t.Skip("check assertions: next commit")
}
