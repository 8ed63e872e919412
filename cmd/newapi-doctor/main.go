// Command newapi-doctor diagnoses why a new-api gateway cannot reach its
// upstream model endpoints. The commands here only parse flags and call diag
// and report; exit codes are decided in exit.go alone.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/desktop"
	"github.com/newapi-doctor/newapi-doctor/diag/sysenv"
	"github.com/newapi-doctor/newapi-doctor/diag/sysproxy"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal asks for a clean stop (partial report, exit 130); a
	// second one kills, as users expect when something still hangs.
	go func() {
		<-ctx.Done()
		stop()
	}()
	io := SystemIO()
	f := &Factory{IO: io, Getenv: os.Getenv, Version: version, SystemProxy: sysproxy.Read, LocalNames: sysenv.LocalNames,
		Desktop: func(ctx context.Context, getenv func(string) string) *diag.DesktopInfo {
			return desktop.Collect(ctx, desktop.Options{Getenv: getenv})
		}}
	args := os.Args[1:]
	if explorerLaunch(args, consoleProcesses()) {
		code := Execute(ctx, f, []string{"check"})
		waitForEnter(os.Stdin, os.Stderr)
		os.Exit(code)
	}
	os.Exit(Execute(ctx, f, args))
}
