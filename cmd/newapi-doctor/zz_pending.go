package main

// Temporary shims until diag's config/providers land (removed then).
import "github.com/spf13/cobra"

func isConfigErr(error) bool              { return false }
func isUsageErr(error) bool               { return false }
func publicHosts() []string               { return nil }
func newCheckCmd(*Factory) *cobra.Command { return &cobra.Command{Use: "check"} }
