package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// RenderProbe renders a single-layer command's result (dns, tcp, tls) in
// text or JSON, through the redactor like everything else.
func RenderProbe(w io.Writer, pr diag.ProbeReport, format string, o Options) error {
	var buf bytes.Buffer
	switch format {
	case "json":
		if err := EncodeJSON(&buf, pr); err != nil {
			return err
		}
	case "text":
		renderProbeText(&buf, pr, o)
	default:
		return fmt.Errorf("format %q is not available for this command (text, json)", format)
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

func renderProbeText(w io.Writer, pr diag.ProbeReport, o Options) {
	p := newPalette(o.Color)
	mark, verdict := p.ok("✓"), p.ok(categoryLabel(diag.CatOK, o.Lang))
	if !pr.OK {
		mark, verdict = p.bad("✗"), p.bad(categoryLabel(pr.Category, o.Lang))+" ("+string(pr.Cause)+")"
	}
	fmt.Fprintf(w, "%s %s %s  %s  %s\n", mark, pr.Probe, pr.Target, verdict, p.dim(fmt.Sprintf("%.1f ms", pr.DurationMS)))
	if pr.Error != "" {
		fmt.Fprintf(w, "    %s\n", pr.Error)
	}
	if pr.Hint != "" {
		fmt.Fprintf(w, "    %s %s\n", p.bold(o.Lang.T("hint:")), pr.Hint)
	}
	// The typed result, flattened to "key: value" lines: every field the
	// JSON has, readable without a schema.
	raw, err := json.Marshal(pr.Result)
	if err != nil {
		return
	}
	// Numbers as written: float64 would print 1.206391e+06 for a duration.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return
	}
	var lines []string
	flatten("", v, &lines)
	for _, l := range lines {
		fmt.Fprintf(w, "    %s\n", l)
	}
}

func flatten(prefix string, v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(join(prefix, k), t[k], out)
		}
	case []any:
		if len(t) > 0 {
			if _, scalar := t[0].(map[string]any); !scalar {
				parts := make([]string, len(t))
				for i, x := range t {
					parts[i] = fmt.Sprint(x)
				}
				*out = append(*out, prefix+": "+strings.Join(parts, " "))
				return
			}
		}
		for i, x := range t {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), x, out)
		}
	case nil:
	default:
		*out = append(*out, fmt.Sprintf("%s: %v", prefix, t))
	}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}
