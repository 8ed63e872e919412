package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
	"github.com/newapi-doctor/newapi-doctor/probe"
)

// RenderPing writes one ping result as text or json through the redactor:
// target and reply addresses are pseudonymised like everything else.
func RenderPing(w io.Writer, r *probe.PingResult, format string, o Options) error {
	doc := struct {
		SchemaVersion int `json:"schema_version"`
		*probe.PingResult
	}{diag.SchemaVersion, r}
	return renderPathDoc(w, doc, format, o, func(b *bytes.Buffer) { pingText(b, r, o.Lang) })
}

// RenderTrace writes one traceroute as text or json through the redactor.
// Both documents carry schema_version, as every other JSON output does.
func RenderTrace(w io.Writer, r *probe.TraceResult, format string, o Options) error {
	doc := struct {
		SchemaVersion int `json:"schema_version"`
		*probe.TraceResult
	}{diag.SchemaVersion, r}
	return renderPathDoc(w, doc, format, o, func(b *bytes.Buffer) { traceText(b, r, o.Lang) })
}

func renderPathDoc(w io.Writer, v any, format string, o Options, text func(*bytes.Buffer)) error {
	var buf bytes.Buffer
	switch format {
	case "json":
		if err := EncodeJSON(&buf, v); err != nil {
			return err
		}
	case "text":
		text(&buf)
	default:
		return fmt.Errorf("unknown format %q (want text or json)", format)
	}
	return WriteRedacted(w, buf.Bytes(), o.Redactor)
}

func targetLabel(name, addr string) string {
	if addr == "" || addr == name {
		return name
	}
	return name + " (" + addr + ")"
}

func pingText(b *bytes.Buffer, r *probe.PingResult, l i18n.Lang) {
	addr := ""
	if r.Addr.IsValid() {
		addr = r.Addr.String()
	}
	t := targetLabel(r.Target, addr)
	switch {
	case r.Skipped:
		fmt.Fprint(b, l.Sprintf("ping %s: skipped: %s\n  fix: %s\n", t, r.SkipReasonMsg().In(l), r.FixMsg().In(l)))
		return
	case r.Error != "" && r.Sent == 0:
		fmt.Fprint(b, l.Sprintf("ping %s: error: %s\n", t, r.Error))
		return
	}
	fmt.Fprint(b, l.Sprintf("ping %s (%s ICMP)\n", t, r.Mode))
	for _, p := range r.Replies {
		fmt.Fprint(b, l.Sprintf("  reply from %s: seq=%d ttl=%d time=%.3f ms\n", addr, p.Seq, p.TTL, p.RTTMS))
	}
	fmt.Fprint(b, l.Sprintf("%d sent, %d received, %.1f%% loss", r.Sent, r.Received, r.LossPct))
	if r.Duplicates > 0 {
		fmt.Fprint(b, l.Sprintf(", %d duplicates", r.Duplicates))
	}
	b.WriteString("\n")
	if r.Received > 0 {
		fmt.Fprint(b, l.Sprintf("rtt min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms\n", r.MinMS, r.AvgMS, r.MaxMS, r.StdDevMS))
	} else {
		b.WriteString(l.T("no reply: the target does not answer ping (or ICMP is filtered on the way)\n"))
	}
	if r.Error != "" {
		fmt.Fprint(b, l.Sprintf("error: %s\n", r.Error))
	}
}

func traceText(b *bytes.Buffer, r *probe.TraceResult, l i18n.Lang) {
	addr := ""
	if r.Addr.IsValid() {
		addr = r.Addr.String()
	}
	t := targetLabel(r.Target, addr)
	switch {
	case r.Skipped:
		fmt.Fprint(b, l.Sprintf("trace %s: skipped: %s\n  fix: %s\n", t, r.SkipReasonMsg().In(l), r.FixMsg().In(l)))
		return
	case r.Error != "" && len(r.Hops) == 0:
		fmt.Fprint(b, l.Sprintf("trace %s: error: %s\n", t, r.Error))
		return
	}
	method := r.Method
	if r.Port > 0 {
		method += " port " + strconv.Itoa(r.Port)
	}
	fmt.Fprint(b, l.Sprintf("trace %s, %s\n", t, method))
	for _, h := range r.Hops {
		fmt.Fprintf(b, "%3d  ", h.TTL)
		if !h.Addr.IsValid() {
			b.WriteString(strings.TrimSpace(strings.Repeat("* ", h.Sent)))
		} else {
			b.WriteString(h.Addr.String())
			for _, a := range h.OtherAddrs {
				b.WriteString(", " + a.String())
			}
			for _, ms := range h.RTTsMS {
				fmt.Fprintf(b, "  %.3f ms", ms)
			}
			for range h.Sent - h.Received {
				b.WriteString("  *")
			}
		}
		if h.Note != "" {
			b.WriteString("  [" + h.Note + "]")
		}
		b.WriteString("\n")
	}
	switch r.End {
	case probe.TraceReached:
		fmt.Fprint(b, l.Sprintf("reached the target at hop %d\n", r.EndHop))
	case probe.TraceUnreachable:
		from := l.T("this machine")
		if r.UnreachableFrom.IsValid() {
			from = r.UnreachableFrom.String()
		}
		fmt.Fprint(b, l.Sprintf("ended at hop %d: %s answered %s (ICMP code %d)\n", r.EndHop, from, r.Reason, r.ICMPCode))
	case probe.TraceSilent:
		if r.LastHop == 0 {
			b.WriteString(l.T("silence: no hop answered\n"))
		} else {
			fmt.Fprint(b, l.Sprintf("silence after hop %d: the path ends there; the target does not answer\n", r.LastHop))
		}
	}
	if r.Warning != "" {
		fmt.Fprint(b, l.Sprintf("note: %s\n", r.WarningMsg().In(l)))
	}
	if r.Error != "" {
		fmt.Fprint(b, l.Sprintf("error: %s\n", r.Error))
	}
}
