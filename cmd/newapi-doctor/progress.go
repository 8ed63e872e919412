package main

import (
	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/report"
)

// attachProgress draws the live progress line: text format on a terminal only.
func attachProgress(f *Factory, ro *diag.RunOptions) (done func()) {
	if !report.ProgressWanted(f.Format, f.IO.ErrTTY) {
		return func() {}
	}
	p := report.NewProgress(f.IO.ErrOut, true)
	ro.Progress = p.Update
	return p.Done
}
