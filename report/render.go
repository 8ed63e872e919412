// Package report renders diag.Reports for people and machines. Every renderer
// writes into a buffer that passes through the Redactor before any byte
// reaches the caller's writer: redaction is not optional per format.
package report

import (
	"bytes"
	"fmt"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"io"
	"sort"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report/redact"
)

// Options shape a rendering.
type Options struct {
	Color    bool // ANSI colour (only on a terminal; the caller decides)
	Verbose  bool // every layer, not just the failing one
	Redactor *redact.Redactor
	// Policy judges endpoints in the CI formats (junit, github) so they agree
	// with the exit code; nil = the default policy.
	Policy *diag.Policy
	// Lang is the language of what a person reads (hints, summaries,
	// labels); identifiers and JSON field names stay English.
	Lang i18n.Lang
}

// Renderer writes one format. It must not write to w directly anything that
// bypasses Render (Render hands it a buffer).
type Renderer func(w io.Writer, rep *diag.Report, o Options) error

// formats is every report format: one explicit list, so that what exists
// does not depend on which files' init() ran. A new format is one line here.
var formats = map[string]Renderer{
	"text":     renderText,
	"json":     renderJSON,
	"markdown": renderMarkdown,
	"junit":    renderJUnit,
	"github":   renderGitHub,
	"html":     renderHTML,
}

// Formats lists the format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for k := range formats {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// HasFormat reports whether name is a format.
func HasFormat(name string) bool {
	_, ok := formats[name]
	return ok
}

// Render renders rep in format through the redactor into w.
func Render(w io.Writer, rep *diag.Report, format string, o Options) error {
	r, ok := formats[format]
	if !ok {
		return fmt.Errorf("unknown format %q (want one of %v)", format, Formats())
	}
	if o.Redactor == nil {
		// A nil redactor still hides secrets: an unconfigured caller must not leak.
		o.Redactor = redact.New(redact.LevelNone, nil)
	}
	AddNames(o.Redactor, rep)
	var buf bytes.Buffer
	if err := r(&buf, rep, o); err != nil {
		return err
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

// AddNames tells the redactor the report's endpoint names: names are never
// redacted, whatever secret they happen to spell out in part.
func AddNames(rd *redact.Redactor, rep *diag.Report) {
	for _, e := range rep.Endpoints {
		rd.AddName(e.Name)
	}
}

// WriteRedacted is the one exit for bytes that are not a whole report
// (single-probe commands, explain, logs): they pass the same redaction.
func WriteRedacted(w io.Writer, b []byte, rd *redact.Redactor) error {
	if rd == nil {
		// A nil redactor still hides secrets: an unconfigured caller must not leak.
		rd = redact.New(redact.LevelNone, nil)
	}
	_, err := w.Write(rd.Bytes(b))
	return err
}
