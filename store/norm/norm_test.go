package norm

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRules holds each rule that maps a text to a text to its cases. Key's are the search
// keys the store has written: a change there is a change of what its indexes hold.
func TestRules(t *testing.T) {
	type tc struct{ name, in, want string }
	for _, rule := range []struct {
		name  string
		f     func(string) string
		cases []tc
	}{
		{"Digits", Digits, []tc{
			{"empty", "", ""},
			{"masked CPF", "529.982.247-25", "52998224725"},
			{"phone", "(31) 98888-0000", "31988880000"},
			{"no digits", "abc", ""},
			{"other scripts' digits are not ASCII", "١٢٣4", "4"},
		}},
		{"Plate", Plate, []tc{
			{"old plate with hyphen", "abc-1234", "ABC1234"},
			{"Mercosul", "ABC1D23", "ABC1D23"},
			{"spaces and case", " abc 1d23 ", "ABC1D23"},
			{"accented letters are dropped", "ÁBC1234", "BC1234"},
			{"empty", "", ""},
		}},
		{"CPFCheckDigits", CPFCheckDigits, []tc{
			{"nine digits", "529982247", "25"},
			{"a remainder of 10 is 0", "111444777", "35"},
			{"too few", "52998224", ""},
			{"not digits", "52998224a", ""},
		}},
		{"FormatCPF", FormatCPF, []tc{
			{"eleven digits", "52998224725", "529.982.247-25"},
			{"too short stays", "5299822472", "5299822472"},
			{"not digits stays", "5299822472x", "5299822472x"},
			{"empty", "", ""},
		}},
		{"Fold", Fold, []tc{
			{"upper case", "AÇÃO", "ACAO"},
			{"lower case", "não há", "nao ha"},
			{"mixed case", "São Luís", "Sao Luis"},
			{"neighbours' letters", "Ñandú Øre Ÿ", "Nandu Ore Y"},
			{"plain text is itself", "plain ASCII", "plain ASCII"},
			{"other scripts stay", "ß€日本", "ß€日本"},
			{"invalid UTF-8 stays", "á\xffé", "a\xffe"},
		}},
		{"Key", Key, []tc{
			{"spaces and apostrophe", "  joão  d'ávila ", "JOAO D AVILA"},
			{"punctuation is one space", "AÇÃO-Ü", "ACAO U"},
			{"empty", "", ""},
			{"city", "São Luís", "SAO LUIS"},
			{"digits stay", "rua 7, nº 12", "RUA 7 Nº 12"},
			{"neighbours' letters", "ÿ ñ ø", "Y N O"},
			{"invalid UTF-8 is a space", "a\xffb", "A B"},
		}},
	} {
		for _, c := range rule.cases {
			t.Run(rule.name+"/"+c.name, func(t *testing.T) {
				if got := rule.f(c.in); got != c.want {
					t.Errorf("%s(%q) = %q, want %q", rule.name, c.in, got, c.want)
				}
			})
		}
	}
}

func TestAllDigits(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     bool
	}{
		{"empty", "", true},
		{"digits", "0123456789", true},
		{"a sign", "-1", false},
		{"a letter", "12a", false},
		{"a multi-byte digit", "١", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AllDigits(tc.in); got != tc.want {
				t.Errorf("AllDigits(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestCheckCPF(t *testing.T) {
	for _, tc := range []struct {
		name, in, digits string
		err              error
	}{
		{"digits", "52998224725", "52998224725", nil},
		{"masked", "529.982.247-25", "52998224725", nil},
		{"check digit 0", "111.444.777-35", "11144477735", nil},
		{"first check digit wrong", "529.982.247-35", "52998224735", ErrCPFCheckDigits},
		{"second check digit wrong", "529.982.247-24", "52998224724", ErrCPFCheckDigits},
		{"all the same digit", "111.111.111-11", "11111111111", ErrCPFCheckDigits},
		{"all zeros", "00000000000", "00000000000", ErrCPFCheckDigits},
		{"too short", "123", "123", ErrCPFFormat},
		{"too long", "529982247250", "529982247250", ErrCPFFormat},
		{"a letter among the digits", "5299822a4725", "52998224725", ErrCPFFormat},
		{"empty", "", "", ErrCPFFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			digits, err := CheckCPF(tc.in)
			if digits != tc.digits || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Errorf("CheckCPF(%q) = %q, %v; want %q, %v", tc.in, digits, err, tc.digits, tc.err)
			}
			if _, ok := CPF(tc.in); ok != (tc.err == nil) {
				t.Errorf("CPF(%q) ok = %v", tc.in, ok)
			}
		})
	}
}

// The table folds every marked letter to its plain one in the same case, and no letter twice.
func TestAccentsTable(t *testing.T) {
	seen := map[rune]rune{}
	for _, a := range accents {
		for _, r := range a.marked {
			if b, dup := seen[r]; dup {
				t.Errorf("%c folds to both %c and %c", r, b, a.base)
			}
			seen[r] = a.base
			if f := FoldRune(r); strings.ToLower(string(f)) != string(a.base) || f == r {
				t.Errorf("FoldRune(%c) = %c, want %c in its case", r, f, a.base)
			}
		}
	}
}

func FuzzNorm(f *testing.F) {
	for _, s := range []string{"", "529.982.247-25", "abc-1d23", "  joão  d'ávila ", "AÇÃO\xff", "Ÿÿ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if len(folded) > len(s) || (utf8.ValidString(s) && !utf8.ValidString(folded)) {
			t.Fatalf("Fold(%q) = %q: longer, or invalid UTF-8", s, folded)
		}
		if Fold(folded) != folded {
			t.Fatalf("Fold is not idempotent on %q", s)
		}
		if k := Key(s); Key(k) != k || Key(folded) != k {
			t.Fatalf("Key(%q) = %q: not idempotent, or not alike for the folded text", s, k)
		}
		if p := Plate(s); Plate(p) != p {
			t.Fatalf("Plate is not idempotent on %q", s)
		}
		if d := Digits(s); !AllDigits(d) || Digits(d) != d {
			t.Fatalf("Digits(%q) = %q", s, d)
		}
		if d, ok := CPF(s); ok {
			if again, ok := CPF(FormatCPF(d)); !ok || again != d {
				t.Fatalf("CPF %q is not read back from its mask %q", s, FormatCPF(d))
			}
		}
	})
}
