package store

import (
	"strings"

	"ponte/store/norm"
)

// Phone is a phone number as the store keeps it: its digits, area code first, without the
// country's 55, however SGA wrote it ("(27)96455-2158", "27964552158", "55 27 96455 2158").
// Every path that brings a phone from SGA asks this, so the same number is the same value.
func Phone(raw string) string {
	digits := norm.Digits(raw)
	if strings.HasPrefix(digits, "55") && (len(digits) == 12 || len(digits) == 13) {
		digits = digits[2:]
	}
	return digits
}

// WithNumber is the phone p with its number replaced and its area code kept: SGA's member
// feed reports telefone_celular and ddd_celular apart. A number that brings its own area code
// (10 or 11 digits) replaces the whole phone.
func WithNumber(p, number string) string {
	n := Phone(number)
	if len(n) >= 10 || len(p) < 10 {
		return n
	}
	return p[:2] + n
}

// WithAreaCode is the phone p with its area code replaced and its number kept.
func WithAreaCode(p, ddd string) string {
	d := Phone(ddd)
	if len(p) < 10 || len(d) != 2 {
		return p
	}
	return d + p[2:]
}
