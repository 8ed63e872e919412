package i18n

import (
	"fmt"
	"strings"
)

// Msg is a message kept as its key (the English format) and arguments, for
// data that is rendered later in a language chosen then: probes and diag
// store the English string in their JSON fields and a Msg beside it, and the
// human formats render the Msg in --lang. An argument with an In(Lang)
// method (a Msg) is rendered in the same language; Key "" concatenates the
// arguments.
type Msg struct {
	Key  string
	Args []any
}

// M is a message with arguments.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Raw is text that is shown as it is in every language (an OS error, a name).
func Raw(s string) Msg { return Msg{Args: []any{s}} }

// Seq joins messages in order.
func Seq(ms ...Msg) Msg {
	args := make([]any, len(ms))
	for i, m := range ms {
		args[i] = m
	}
	return Msg{Args: args}
}

// IsZero reports an unset message.
func (m Msg) IsZero() bool { return m.Key == "" && m.Args == nil }

// In renders m in l.
func (m Msg) In(l Lang) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if r, ok := a.(interface{ In(Lang) string }); ok {
			a = r.In(l)
		}
		args[i] = a
	}
	if m.Key == "" {
		var b strings.Builder
		for _, a := range args {
			fmt.Fprint(&b, a)
		}
		return b.String()
	}
	return l.Sprintf(m.Key, args...)
}

// Or is m in l, or fallback when m is unset or l is English (the English
// rendering is stored beside it and read back from JSON).
func (m Msg) Or(l Lang, fallback string) string {
	if m.IsZero() || !l.IsZH() {
		return fallback
	}
	return m.In(l)
}
