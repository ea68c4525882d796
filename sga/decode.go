package sga

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ponte/store/norm"
)

// SGA is loose about types: the same field comes as a number in one route and as a string in
// another, money comes with a dot or a comma, dates come in three layouts and as placeholders.
// The types below accept every form that integrators have seen (reference/sga-api.md §5, §6)
// and reject only what cannot be read at all.

// Int is an integer that SGA may send as a JSON number or as a string ("123", " 123 ").
// An empty string or null reads as 0.
type Int int64

// UnmarshalJSON accepts a number, a numeric string, "" and null.
func (n *Int) UnmarshalJSON(b []byte) error {
	s, isString, err := scalar(b)
	if err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// "12.0" and 12.0 are still integers; "12.5" is not.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Errorf("not an integer: %s", quoteShort(s, isString))
		}
		v = int64(f)
	}
	*n = Int(v)
	return nil
}

// Text is a string that SGA may send as a string, a number or a boolean; null reads as "".
// Surrounding spaces are trimmed.
type Text string

// UnmarshalJSON accepts a string, a number, a boolean and null.
func (t *Text) UnmarshalJSON(b []byte) error {
	s, isString, err := scalar(b)
	if err != nil {
		return err
	}
	if !isString && s == "null" {
		s = ""
	}
	*t = Text(strings.TrimSpace(s))
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Money is an amount in cents. SGA sends 54321, "54321.00", "999,99", "1.234,56" or
// "R$ 99,99"; all of them read here.
type Money int64

// UnmarshalJSON accepts a number, a money string in either decimal convention, "" and null.
func (m *Money) UnmarshalJSON(b []byte) error {
	s, isString, err := scalar(b)
	if err != nil {
		return err
	}
	if !isString && s == "null" {
		*m = 0
		return nil
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// String formats the amount the Brazilian way, "1.234,56".
func (m Money) String() string {
	neg := m < 0
	c := int64(m)
	if neg {
		c = -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte('.')
		}
		sb.WriteRune(r)
	}
	fmt.Fprintf(&sb, ",%02d", c%100)
	return sb.String()
}

// ParseMoney reads an amount in cents from SGA's text forms. With both separators the last one
// is the decimal point; a lone comma is decimal; a lone dot is decimal unless it is followed by
// exactly three digits or repeats, in which case it groups thousands ("1.234" is 1234,00).
func ParseMoney(s string) (Money, error) {
	orig := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "R$")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = strings.TrimSpace(s[1:])
	}
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	var intPart, frac string
	switch {
	case lastDot >= 0 && lastComma >= 0:
		sep := lastDot
		group := ","
		if lastComma > lastDot {
			sep, group = lastComma, "."
		}
		intPart, frac = strings.ReplaceAll(s[:sep], group, ""), s[sep+1:]
	case lastComma >= 0:
		if strings.Count(s, ",") > 1 {
			return 0, fmt.Errorf("not an amount: %q", orig)
		}
		intPart, frac = s[:lastComma], s[lastComma+1:]
	case lastDot >= 0:
		if strings.Count(s, ".") > 1 || len(s)-lastDot-1 == 3 {
			intPart = strings.ReplaceAll(s, ".", "")
		} else {
			intPart, frac = s[:lastDot], s[lastDot+1:]
		}
	default:
		intPart = s
	}
	if intPart == "" {
		intPart = "0"
	}
	if !norm.AllDigits(intPart) || !norm.AllDigits(frac) || len(intPart) > 15 {
		return 0, fmt.Errorf("not an amount: %q", orig)
	}
	whole, _ := strconv.ParseInt(intPart, 10, 64)
	cents := int64(0)
	switch {
	case len(frac) == 0:
	case len(frac) == 1:
		cents = int64(frac[0]-'0') * 10
	default:
		cents = int64(frac[0]-'0')*10 + int64(frac[1]-'0')
		if len(frac) > 2 && frac[2] >= '5' { // round half up on the third digit
			cents++
		}
	}
	v := whole*100 + cents
	if neg {
		v = -v
	}
	return Money(v), nil
}

// Date is a calendar date, or a date and time, from SGA. The zero value means "no date": SGA
// writes it as "", null, "0000-00-00" or "9999-99-99".
type Date struct{ time.Time }

var dateLayouts = []string{
	"2006-01-02",
	"02/01/2006",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05-0700",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"02/01/2006 15:04:05",
	"02/01/2006 15:04",
}

// UnmarshalJSON accepts the layouts SGA uses and its placeholders for "no date".
func (d *Date) UnmarshalJSON(b []byte) error {
	s, isString, err := scalar(b)
	if err != nil {
		return err
	}
	if !isString && s == "null" {
		*d = Date{}
		return nil
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = Date{t}
	return nil
}

// MarshalJSON writes the date as yyyy-mm-dd, or null for no date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format("2006-01-02") + `"`), nil
}

// ParseDate reads a date in any layout SGA uses; placeholders give the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if isPlaceholderDate(s) {
		return time.Time{}, nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

func isPlaceholderDate(s string) bool {
	if s == "" {
		return true
	}
	// 0000-00-00, 00/00/0000, 9999-99-99, and the same followed by a zero time.
	date, _, _ := strings.Cut(s, " ")
	date, _, _ = strings.Cut(date, "T")
	digits := strings.Map(func(r rune) rune {
		if r == '-' || r == '/' {
			return -1
		}
		return r
	}, date)
	return len(digits) == 8 && (strings.Trim(digits, "0") == "" || strings.Trim(digits, "9") == "")
}

// RecordError is one record of a list that could not be read. The rest of its page still is.
type RecordError struct {
	Index  int    // position in the page, from 0
	Key    string // the record's SGA key when it could be found ("codigo_veiculo=55012"), else ""
	Reason string
}

func (e RecordError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("record %d (%s): %s", e.Index, e.Key, e.Reason)
	}
	return fmt.Sprintf("record %d: %s", e.Index, e.Reason)
}

// errShape marks a body whose overall shape is wrong (not JSON, not a list where one is due).
var errShape = errors.New("unexpected response shape")

// unwrap removes the {data: ...} and {dados: ...} wrappers that some SGA deployments add.
func unwrap(b []byte) []byte {
	for range 3 {
		b = bytes.TrimSpace(b)
		if len(b) == 0 || b[0] != '{' {
			return b
		}
		var inner []byte
		_ = eachMember(b, func(key, raw []byte) error {
			k := string(key)
			if (k == `"data"` || k == `"dados"`) && len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
				inner = raw
			}
			return nil
		})
		if inner == nil {
			return b
		}
		b = inner
	}
	return b
}

// splitList turns a list body into its elements, without copying. It accepts a JSON array, a
// single object (a list of one), and an object with numeric keys ({"0": {...}, "1": {...},
// "mensagem": "OK"}). field, when not empty, names the key that holds the list inside an
// envelope object.
func splitList(b []byte, field string) ([][]byte, error) {
	b = unwrap(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty body", errShape)
	}
	switch b[0] {
	case '[':
		var items [][]byte
		if err := eachElement(b, func(raw []byte) error { items = append(items, raw); return nil }); err != nil {
			return nil, fmt.Errorf("%w: %v", errShape, err)
		}
		return items, nil
	case '{':
		var (
			inner    []byte
			hasField bool
			numbered = map[int][]byte{}
		)
		err := eachMember(b, func(key, raw []byte) error {
			k := keyName(key)
			if field != "" && k == field {
				inner, hasField = raw, true
			} else if n, err := strconv.Atoi(k); err == nil && n >= 0 {
				numbered[n] = raw
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errShape, err)
		}
		if hasField {
			if bytes.Equal(inner, []byte("null")) {
				return nil, nil
			}
			return splitList(inner, "")
		}
		if len(numbered) > 0 {
			keys := make([]int, 0, len(numbered))
			for k := range numbered {
				keys = append(keys, k)
			}
			sort.Ints(keys)
			items := make([][]byte, 0, len(keys))
			for _, k := range keys {
				items = append(items, numbered[k])
			}
			return items, nil
		}
		if field != "" {
			return nil, fmt.Errorf("%w: no %q list in the object", errShape, field)
		}
		return [][]byte{b}, nil
	default:
		return nil, fmt.Errorf("%w: want a list, got %s", errShape, describe(b))
	}
}

// decodeList decodes each element of a list on its own, so that one bad record costs only
// itself. keyFields name the fields that identify a record, for the error report.
func decodeList[T any](items [][]byte, keyFields ...string) ([]T, []RecordError) {
	out := make([]T, 0, len(items))
	var bad []RecordError
	for i, raw := range items {
		out = append(out, *new(T))
		if err := decodeRecord(raw, &out[len(out)-1]); err != nil {
			out = out[:len(out)-1]
			bad = append(bad, RecordError{Index: i, Key: recordKey(raw, keyFields), Reason: cleanReason(err)})
		}
	}
	return out, bad
}

// decodeOne decodes a body that should hold one record but may hold a list of them.
func decodeOne[T any](b []byte, keyFields ...string) (T, error) {
	var zero T
	items, err := splitList(b, "")
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, errEmptyList
	}
	var v T
	if err := decodeRecord(items[0], &v); err != nil {
		return zero, RecordError{Index: 0, Key: recordKey(items[0], keyFields), Reason: cleanReason(err)}
	}
	return v, nil
}

var errEmptyList = errors.New("empty list")

// recordKey finds, as leniently as it can, the identifying fields of a record that failed.
func recordKey(raw []byte, fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	found := map[string]string{}
	_ = eachMember(raw, func(key, val []byte) error {
		k := keyName(key)
		for _, f := range fields {
			if f == k {
				var t Text
				if t.UnmarshalJSON(val) == nil && t != "" {
					found[k] = truncate(string(t), 40)
				}
			}
		}
		return nil
	})
	var parts []string
	for _, f := range fields {
		if v, ok := found[f]; ok {
			parts = append(parts, f+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// cleanReason shortens encoding/json's messages to what an operator can act on.
func cleanReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s: want %s, got %s", te.Field, te.Type, te.Value)
	}
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	return truncate(s, 200)
}

// scalar returns the text of a JSON scalar, unquoted, and whether it was a string. Objects and
// arrays are refused.
func scalar(b []byte) (string, bool, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", false, errors.New("empty value")
	}
	switch b[0] {
	case '"':
		if !bytes.ContainsRune(b, '\\') {
			if len(b) < 2 || b[len(b)-1] != '"' || !utf8.Valid(b) {
				return "", true, fmt.Errorf("bad string %s", describe(b))
			}
			return string(b[1 : len(b)-1]), true, nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", true, err
		}
		return s, true, nil
	case '{', '[':
		return "", false, fmt.Errorf("want a value, got %s", describe(b))
	default:
		return string(b), false, nil
	}
}

func describe(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return fmt.Sprintf("%q", truncate(string(b), 40))
}

func quoteShort(s string, isString bool) string {
	if isString {
		return strconv.Quote(truncate(s, 40))
	}
	return truncate(s, 40)
}

// truncate shortens s for a message, and makes it valid UTF-8: what SGA sent may not be.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
