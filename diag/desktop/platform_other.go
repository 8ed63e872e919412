//go:build !windows

package desktop

import (
	"context"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

type platform struct{}

// PortOwner: the desktop app's port questions are Windows ones here.
func (platform) PortOwner(int) (*diag.PortOwner, error)         { return nil, nil }
func (platform) ExcludedRanges(context.Context) (string, error) { return "", nil }
func (platform) HostsFile() string                              { return probe.SystemHostsFile() }
