package ssh

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLoggedArgs is the most of a command line's arguments the log keeps, in bytes: the
// client chose them, and may send megabytes.
const maxLoggedArgs = 256

// logArgs is a command line as the log keeps it: the arguments joined by spaces, one that
// holds a space, a quote, a control or a format character (bidi included) or invalid UTF-8
// quoted with them escaped, all cut to maxLoggedArgs bytes.
func logArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if needsQuote(a) {
			a = strconv.QuoteToGraphic(a)
		}
		b.WriteString(a)
		if b.Len() > maxLoggedArgs {
			break
		}
	}
	s, cut := cutBytes(b.String(), maxLoggedArgs)
	if cut {
		s += "…"
	}
	return s
}

func needsQuote(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r == ' ' || r == '"' || r == '\'' || r == '\\' || !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}
