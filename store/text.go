package store

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unprintable reports the characters no text a person reads may carry as they are: the C0
// and C1 controls and DEL, which a terminal obeys (ESC and CSI begin its escape sequences:
// a window title, a clipboard write, a cleared screen), the line and paragraph separators,
// and the bidirectional controls (IsBidiControl), which reorder the text around them. It is
// the one rule of what is refused in what an operator types (CheckSetting, CheckText), what
// every text output escapes (Printable) and what the console shows defused.
func Unprintable(r rune) bool {
	return unicode.IsControl(r) || IsBidiControl(r) || r == '\u2028' || r == '\u2029'
}

// Printable is s as every text output shows it: s itself when it is valid UTF-8 without an
// Unprintable character, or else s quoted as Go quotes it, each such character and each
// invalid byte written as its escape ("ab\x1b]0;x\a"): the reader sees what is there and
// the terminal obeys none of it.
func Printable(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, Unprintable) {
		return s
	}
	return strconv.QuoteToGraphic(s)
}

// words splits a folded string into its distinct words.
func words(folded string) []string {
	var out []string
	for _, w := range strings.Fields(folded) {
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

// Count says n things in English, in their number: Count(1, "client", "clients") is
// "1 client", Count(2, ...) "2 clients". The store's audit details and errors count with it,
// and the command line too.
func Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// JSONText makes encoded JSON as safe to show as Printable text: encoding/json escapes the C0
// controls but leaves DEL, the C1 controls and the bidirectional controls raw inside strings;
// each Unprintable character left becomes its \uXXXX escape, which decodes to the same string.
// (A C0 control left raw is the encoding's own white space, between values.)
func JSONText(b []byte) []byte {
	raw := func(r rune) bool { return r >= 0x7f && Unprintable(r) }
	if !bytes.ContainsFunc(b, raw) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if raw(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

// The longest text an operator may write in each field, in characters (see CheckText).
const (
	MaxNote       = 500 // a note on an order's step or contact attempt
	MaxReason     = 200 // why an order is cancelled or a proposal dismissed
	MaxTechnician = 60  // who goes to an order's visit
	MaxAdminName  = 120 // an administrator's name
)

// The fields of what an operator writes, as CheckText and FieldError name them.
const (
	FieldNote       = "note"
	FieldReason     = "reason"
	FieldTechnician = "technician"
	FieldAdminName  = "name"
)

// TextLimit is the longest text field may hold, in characters; 0 for a field with none.
func TextLimit(field string) int {
	return map[string]int{FieldNote: MaxNote, FieldReason: MaxReason, FieldTechnician: MaxTechnician,
		FieldAdminName: MaxAdminName}[field]
}

// CheckText checks one text an operator writes, as it would be saved (callers trim spaces
// around it; whether it may be empty is theirs to say): valid UTF-8, no Unprintable
// character, and no longer than TextLimit. The refusal is a *FieldError, which names the
// field, and the character refused or the limit. The store's own writes ask it, so every
// surface (the command line, the console, a command over SSH) is refused alike.
func CheckText(field, v string) error {
	bad := func(problem string, pos int, r rune) error {
		return &FieldError{Field: field, Problem: problem, Pos: pos, Char: r, Limit: TextLimit(field)}
	}
	pos := 0
	for i, r := range v {
		pos++
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(v[i:], "\uFFFD"):
			return bad(ProblemInvalidUTF8, i+1, 0)
		case IsBidiControl(r):
			return bad(ProblemBidi, pos, r)
		case Unprintable(r):
			return bad(ProblemControl, pos, r)
		}
	}
	if limit := TextLimit(field); limit > 0 && pos > limit {
		return bad(ProblemTooLong, 0, 0)
	}
	return nil
}

// CheckAdminName checks an administrator's name as it would be saved (trimmed): not empty,
// and as CheckText says.
func CheckAdminName(name string) error {
	if name == "" {
		return &FieldError{Field: FieldAdminName, Problem: ProblemEmpty}
	}
	return CheckText(FieldAdminName, name)
}
