package sga

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// A one-pass decoder for SGA's flat records. encoding/json scans a body once to split a list,
// again per record, and calls every field's UnmarshalJSON through reflection; on a 5,000-record
// page that is three times too slow. Here a list is walked once, each record's keys are looked
// up in a table built once per type from its json tags, and each value is parsed in place.
// Bodies reach these functions only after validJSON (Client.once checks every reply), so the
// scanner needs to be safe on any input, not to diagnose it.

var errSyntax = errors.New("malformed JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errSyntax
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errSyntax
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
			j++
		}
		if j == i {
			return 0, errSyntax
		}
		return j, nil
	}
}

// stringEnd returns the index just past the string that starts at b[i] (a '"').
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errSyntax
}

// eachElement calls fn with each element of the JSON array b.
func eachElement(b []byte, fn func(raw []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for i < len(b) {
		end, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			break
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return nil
		default:
			return errSyntax
		}
	}
	return errSyntax
}

// eachMember calls fn with each key (still quoted) and raw value of the JSON object b.
func eachMember(b []byte, fn func(key, raw []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errSyntax
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		if b[i] != '"' {
			return errSyntax
		}
		kend, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key := b[i:kend]
		i = skipSpace(b, kend)
		if i >= len(b) || b[i] != ':' {
			return errSyntax
		}
		i = skipSpace(b, i+1)
		vend, err := valueEnd(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			break
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return nil
		default:
			return errSyntax
		}
	}
	return errSyntax
}

// keyName unquotes an object key; keys without escapes cost nothing.
func keyName(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return string(inner)
	}
	return s
}

// fieldTable maps a struct's json names to parsers that write the field in place.
type fieldTable struct {
	byName map[string]fieldDec
}

type fieldDec struct {
	name   string
	offset uintptr
	parse  func(p unsafe.Pointer, raw []byte) error
}

var tables sync.Map // reflect.Type -> *fieldTable

func tableFor(t reflect.Type) *fieldTable {
	if ft, ok := tables.Load(t); ok {
		return ft.(*fieldTable)
	}
	ft := &fieldTable{byName: map[string]fieldDec{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		ft.byName[name] = fieldDec{name: name, offset: f.Offset, parse: parserFor(f.Type)}
	}
	actual, _ := tables.LoadOrStore(t, ft)
	return actual.(*fieldTable)
}

var (
	intType      = reflect.TypeFor[Int]()
	textType     = reflect.TypeFor[Text]()
	moneyType    = reflect.TypeFor[Money]()
	dateType     = reflect.TypeFor[Date]()
	productsType = reflect.TypeFor[Products]()
)

func parserFor(t reflect.Type) func(unsafe.Pointer, []byte) error {
	switch t {
	case intType:
		return func(p unsafe.Pointer, raw []byte) error { return (*Int)(p).UnmarshalJSON(raw) }
	case textType:
		return func(p unsafe.Pointer, raw []byte) error { return (*Text)(p).UnmarshalJSON(raw) }
	case moneyType:
		return func(p unsafe.Pointer, raw []byte) error { return (*Money)(p).UnmarshalJSON(raw) }
	case dateType:
		return func(p unsafe.Pointer, raw []byte) error { return (*Date)(p).UnmarshalJSON(raw) }
	case productsType:
		return func(p unsafe.Pointer, raw []byte) error { return (*Products)(p).UnmarshalJSON(raw) }
	}
	return func(p unsafe.Pointer, raw []byte) error {
		return json.Unmarshal(raw, reflect.NewAt(t, p).Interface())
	}
}

// decodeRecord decodes one JSON object into *T with T's field table. Unknown keys are ignored;
// a key that comes twice keeps its last value, as with encoding/json.
func decodeRecord[T any](raw []byte, out *T) error {
	ft := tableFor(reflect.TypeFor[T]())
	base := unsafe.Pointer(out)
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return fmt.Errorf("want an object, got %s", describe(raw))
	}
	err := eachMember(raw, func(key, val []byte) error {
		fd, ok := ft.byName[string(key[1:len(key)-1])]
		if !ok && bytes.IndexByte(key, '\\') >= 0 {
			fd, ok = ft.byName[keyName(key)]
		}
		if !ok {
			return nil
		}
		if err := fd.parse(unsafe.Add(base, fd.offset), val); err != nil {
			return fmt.Errorf("field %s: %w", fd.name, err)
		}
		return nil
	})
	if errors.Is(err, errSyntax) {
		return fmt.Errorf("%w in record", errSyntax)
	}
	return err
}
