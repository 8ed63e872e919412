package report

import (
	"encoding/json"
	"io"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// renderJSON writes the versioned report document. HTML escaping is off so
// URLs stay readable ("&" not "\u0026") for the scripts that parse them.
func renderJSON(w io.Writer, rep *diag.Report, _ Options) error {
	return EncodeJSON(w, rep)
}

// EncodeJSON is the one JSON encoder configuration of every command.
func EncodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
