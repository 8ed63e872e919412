package main

// Temporary shims until the pieces being written in parallel land (removed then).
import (
	"context"
	"net/netip"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

var pathProbe func(ctx context.Context, host string, addr netip.Addr, port int) *diag.PathInfo
