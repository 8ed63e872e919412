package main

// Temporary shims until the pieces being written in parallel land (removed then).
import (
	"context"
	"github.com/spf13/cobra"
	"net/netip"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

func isConfigErr(error) bool { return false }
func isUsageErr(error) bool  { return false }
func publicHosts() []string  { return diag.PublicProviderHosts() }

var pathProbe func(ctx context.Context, host string, addr netip.Addr, port int) *diag.PathInfo

func attachProgress(*Factory, *diag.RunOptions) {}

func loadNewAPISources(context.Context, *Factory, *sourceOptions) ([]diag.Endpoint, error) {
	return nil, usageError("--from-db/--from-api: not wired yet")
}

func newCheckCmd(*Factory) *cobra.Command { return &cobra.Command{Use: "check"} }

type sourceOptions struct{}
