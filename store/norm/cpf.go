package norm

import (
	"errors"
	"strings"
)

// Why CheckCPF refuses a CPF.
var (
	ErrCPFFormat      = errors.New("a CPF is 11 digits, as 00000000000 or 000.000.000-00")
	ErrCPFCheckDigits = errors.New("the CPF's check digits do not match: a digit is mistyped")
)

// CheckCPF is the one rule of what names a client by CPF: 11 digits, with or without the
// mask (000.000.000-00), the last two the check digits of the first nine (CPFCheckDigits),
// not all eleven the same digit (which the check digits let through, and the Receita never
// issues). It returns the digits, and why s is not a CPF: ErrCPFFormat or
// ErrCPFCheckDigits.
func CheckCPF(s string) (digits string, err error) {
	digits = Digits(s)
	if len(digits) != 11 || strings.Trim(s, "0123456789.- ") != "" {
		return digits, ErrCPFFormat
	}
	if strings.Count(digits, digits[:1]) == 11 || CPFCheckDigits(digits[:9]) != digits[9:] {
		return digits, ErrCPFCheckDigits
	}
	return digits, nil
}

// CPF is CheckCPF saying only whether s is a CPF.
func CPF(s string) (digits string, ok bool) {
	digits, err := CheckCPF(s)
	return digits, err == nil
}

// CPFCheckDigits is the two check digits that follow a CPF's first nine digits (modulo 11,
// weights 10 down to 2, then 11 down to 2 with the first check digit). It returns "" for
// what is not nine digits.
func CPFCheckDigits(nine string) string {
	if len(nine) != 9 || !AllDigits(nine) {
		return ""
	}
	digit := func(d string) byte {
		sum := 0
		for i := range len(d) {
			sum += int(d[i]-'0') * (len(d) + 1 - i)
		}
		return byte('0' + sum*10%11%10)
	}
	first := digit(nine)
	return string([]byte{first, digit(nine + string(first))})
}

// FormatCPF writes a CPF's 11 digits as people read them, 000.000.000-00; anything else as
// it is.
func FormatCPF(d string) string {
	if len(d) != 11 || !AllDigits(d) {
		return d
	}
	return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
}
