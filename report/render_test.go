package report

import (
	"bytes"
	"slices"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// TestFormatsAreListed: the formats are render.go's explicit list, and each
// renders (issue 10 item 8: no registration through init()).
func TestFormatsAreListed(t *testing.T) {
	want := []string{"github", "html", "json", "junit", "markdown", "text"}
	if got := Formats(); !slices.Equal(got, want) {
		t.Fatalf("Formats() = %v, want %v", got, want)
	}
	rep := &diag.Report{SchemaVersion: diag.SchemaVersion, Tool: "newapi-doctor", Endpoints: []diag.EndpointResult{{Name: "ep", Category: diag.CatOK}}}
	rep.Summarize()
	for _, f := range want {
		var b bytes.Buffer
		if !HasFormat(f) || Render(&b, rep, f, Options{}) != nil || b.Len() == 0 {
			t.Errorf("%s does not render", f)
		}
	}
	if HasFormat("yaml") || Render(&bytes.Buffer{}, rep, "yaml", Options{}) == nil {
		t.Error("an unknown format is accepted")
	}
}
