package cli

import (
	"fmt"
	"io"
	"reflect"

	"ponte/store"
)

// printf is how every text (non-JSON) output of the command line writes a line: as
// fmt.Fprintf, with each string and error among args shown by store.Printable. A name, plate,
// note or message from SGA or from another operator may hold an escape sequence (a window
// title, a clipboard write, a cleared screen) or a bidirectional control; printed as it is,
// the reader's terminal would obey it. The format is the code's own and is written as it is.
func printf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, printed(args)...)
}

// sprintf is printf's text, for a line built before it is printed.
func sprintf(format string, args ...any) string {
	return fmt.Sprintf(format, printed(args)...)
}

func printed(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case string:
			out[i] = shownText(x)
		case error:
			out[i] = shownText(x.Error())
		case fmt.Formatter, fmt.Stringer:
			out[i] = a // its own text: a time, a duration
		default:
			if v := reflect.ValueOf(a); v.Kind() == reflect.String { // a string type of its own
				out[i] = shownText(v.String())
			} else {
				out[i] = a
			}
		}
	}
	return out
}

// shownText is an argument of printf: %q quotes it as Go does (which escapes what a terminal
// would obey), every other verb writes it as store.Printable shows it.
type shownText string

func (t shownText) Format(f fmt.State, verb rune) {
	s := string(t)
	if verb != 'q' {
		s = store.Printable(s)
		verb = 's'
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}

// atMost says a text flag's limit in its help: "at most 500 characters, no control characters".
func atMost(limit int) string {
	return fmt.Sprintf("at most %d characters, no control characters", limit)
}
