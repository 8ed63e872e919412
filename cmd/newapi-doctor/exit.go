package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/newapi"
)

// Exit codes: a contract for scripts and CI (documented in the README).
const (
	ExitOK          = 0   // every endpoint ok / the command succeeded
	ExitFailure     = 1   // at least one endpoint failed (by policy)
	ExitUsage       = 2   // bad flags, arguments, config or input
	ExitWarnings    = 3   // only warnings, with --strict-warnings
	ExitInterrupted = 130 // Ctrl-C: what was known was printed
)

// ExitError carries an exit code through cobra's error return. Err may be nil
// when the command already said everything (e.g. a failing check's report).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks bad input: flags, arguments, values.
func usageError(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// exitCode is the one place that maps an error to a process exit code and
// prints it. Messages go through redaction: a config error may quote a URL.
func exitCode(ctx context.Context, err error, errOut io.Writer, redact func(string) string) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	code := ExitFailure
	switch {
	case errors.As(err, &ee):
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	case isBadInput(err):
		code = ExitUsage
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		code = ExitInterrupted
	}
	fmt.Fprintln(errOut, "newapi-doctor: "+redact(err.Error()))
	return code
}

// isBadInput: errors that mean the user's input is wrong (exit 2): config
// files, sources that cannot be read, cobra's argument and command errors.
func isBadInput(err error) bool {
	var ce *diag.ConfigError
	if errors.As(err, &ce) || newapi.IsSourceError(err) {
		return true
	}
	// cobra reports these as plain errors; flag errors are wrapped by
	// SetFlagErrorFunc already.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "requires ") || strings.HasPrefix(msg, "invalid argument")
}
