package store

import (
	"bytes"
	"errors"
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

// foldKey is the form names and queries are compared in: upper case, accents removed, runs of
// spaces and punctuation as one space. "  joão  d'ávila " and "JOAO D AVILA" fold alike.
func foldKey(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := true
	for _, r := range s {
		r = unicode.ToUpper(baseLetter(r))
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			sb.WriteRune(r)
			space = false
			continue
		}
		if !space {
			sb.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(sb.String(), " ")
}

// baseLetter strips the diacritics of the Latin letters Portuguese (and its neighbours) use.
func baseLetter(r rune) rune {
	if r < 0xC0 || r > 0x17F {
		return r
	}
	switch {
	case strings.ContainsRune("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", r):
		return 'a'
	case strings.ContainsRune("ÇçĆćĈĉĊċČč", r):
		return 'c'
	case strings.ContainsRune("ÈÉÊËèéêëĒēĖėĘęĚě", r):
		return 'e'
	case strings.ContainsRune("ÌÍÎÏìíîïĪīĮį", r):
		return 'i'
	case strings.ContainsRune("ÑñŃńŇň", r):
		return 'n'
	case strings.ContainsRune("ÒÓÔÕÖØòóôõöøŌōŐő", r):
		return 'o'
	case strings.ContainsRune("ÙÚÛÜùúûüŪūŮůŰű", r):
		return 'u'
	case strings.ContainsRune("ÝýÿŸ", r):
		return 'y'
	}
	return r
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

// Why CheckCPF refuses a CPF.
var (
	ErrCPFFormat      = errors.New("a CPF is 11 digits, as 00000000000 or 000.000.000-00")
	ErrCPFCheckDigits = errors.New("the CPF's check digits do not match: a digit is mistyped")
)

// CheckCPF is the one rule of what names a client by CPF: 11 digits, with or without the
// mask (000.000.000-00), the last two the check digits of the first nine, not all eleven the
// same digit (which the check digits let through, and no one has). It returns the digits,
// and why s is not a CPF: ErrCPFFormat or ErrCPFCheckDigits.
func CheckCPF(s string) (digits string, err error) {
	digits = digitsOnly(s)
	if len(digits) != 11 || strings.Trim(s, "0123456789.- ") != "" {
		return digits, ErrCPFFormat
	}
	check := func(n int) byte {
		sum := 0
		for i := range n {
			sum += int(digits[i]-'0') * (n + 1 - i)
		}
		return byte('0' + sum*10%11%10)
	}
	if strings.Count(digits, digits[:1]) == 11 || check(9) != digits[9] || check(10) != digits[10] {
		return digits, ErrCPFCheckDigits
	}
	return digits, nil
}

// CPF is CheckCPF saying only whether s is a CPF.
func CPF(s string) (digits string, ok bool) {
	digits, err := CheckCPF(s)
	return digits, err == nil
}

func digitsOnly(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// NormalizePlate writes a plate as the indexes hold it: upper case letters and digits only.
func NormalizePlate(p string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(p) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		}
	}
	return sb.String()
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
