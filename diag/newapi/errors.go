package newapi

import "errors"

// SourceError means the endpoints could not be read at all: a missing,
// corrupt or foreign database, an unreachable or refusing admin API. The CLI
// maps it to exit 2 (bad input). Source names the file, the DSN without its
// password, or the API URL; Err never holds a key or token.
type SourceError struct {
	Source string
	Err    error
	// Auth is set when the admin API rejected the token or user id.
	Auth bool
}

func (e *SourceError) Error() string {
	if e.Source == "" {
		return e.Err.Error()
	}
	return e.Source + ": " + e.Err.Error()
}

func (e *SourceError) Unwrap() error { return e.Err }

// IsSourceError reports whether err (or an error it wraps) is a *SourceError.
func IsSourceError(err error) bool {
	var se *SourceError
	return errors.As(err, &se)
}
