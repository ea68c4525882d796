// Package norm holds the rules of how ponte reads what people and SGA write, each defined
// once: the digits of a text, a plate as the indexes hold it, the CPF check with its check
// digits and its mask, and the accent folding names and queries are compared and sorted in.
// Every package asks it (the store, the SGA client and simulator, the console, the command
// line), so a CPF, a plate or a name is read alike wherever it comes in.
//
// It imports only the standard library, nothing of ponte, so that any package may ask it.
package norm

import "strings"

// Digits keeps the ASCII digits of s, in order: "(31) 98888-0000" is "31988880000",
// "529.982.247-25" is "52998224725".
func Digits(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// AllDigits reports whether every byte of s is an ASCII digit (true for "").
func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Plate writes a plate as SGA and the store's indexes hold it: upper case letters and digits
// only, its hyphen, spaces and anything else dropped ("abc-1d23" is "ABC1D23").
func Plate(p string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(p) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
