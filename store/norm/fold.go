package norm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// accents is the one table of accent folding: each plain letter, and the letters of
// Latin-1 and Latin Extended-A that Portuguese (and its neighbours) write with a diacritic on
// it, in either case. What the store's search keys hold was folded by it, so a letter is only
// ever added here together with a migration of those keys.
var accents = [...]struct {
	base   rune
	marked string
}{
	{'a', "ÀÁÂÃÄÅàáâãäåĀāĂăĄą"},
	{'c', "ÇçĆćĈĉĊċČč"},
	{'e', "ÈÉÊËèéêëĒēĖėĘęĚě"},
	{'i', "ÌÍÎÏìíîïĪīĮį"},
	{'n', "ÑñŃńŇň"},
	{'o', "ÒÓÔÕÖØòóôõöøŌōŐő"},
	{'u', "ÙÚÛÜùúûüŪūŮůŰű"},
	{'y', "ÝýÿŸ"},
}

// The runes accents covers, and the plain letter each folds to in its own case (0: itself).
const firstMarked, lastMarked = 0xC0, 0x17F

var plain = func() (t [lastMarked - firstMarked + 1]rune) {
	for _, a := range accents {
		for _, r := range a.marked {
			t[r-firstMarked] = a.base
			if unicode.IsUpper(r) {
				t[r-firstMarked] = unicode.ToUpper(a.base)
			}
		}
	}
	return t
}()

// FoldRune is r without its diacritic, in r's case ('Ã' is 'A', 'ç' is 'c'); any other rune
// is itself.
func FoldRune(r rune) rune {
	if r < firstMarked || r > lastMarked || plain[r-firstMarked] == 0 {
		return r
	}
	return plain[r-firstMarked]
}

// Fold is s with its accented letters plain and their case kept ("AÇÃO" is "ACAO",
// "não" is "nao"); every other byte, even one of invalid UTF-8, stays as it is. It is never
// longer than s: what SGA's messages are matched in, and what makes a name ASCII.
func Fold(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return FoldRune(r) != r })
	if i < 0 {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	sb.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if f := FoldRune(r); f != r {
			sb.WriteRune(f)
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// Key is the form names and queries are compared, indexed and sorted in: upper case, accents
// folded, every run of spaces, punctuation and anything else not a letter or digit one
// space, none at the ends. "  joão  d'ávila " and "JOAO D AVILA" have the same key. The
// store keeps keys in its indexes: Key's output for a text must not change without a
// migration.
func Key(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := true
	for _, r := range s {
		r = unicode.ToUpper(FoldRune(r))
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
