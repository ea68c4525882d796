package store

import (
	"fmt"
	"regexp"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// An association's CNPJ: cleaned of its punctuation, checked, one association's only, and
// written back as people read it.

var cnpjDigits = regexp.MustCompile(`^[0-9]{14}$`)

// ErrCNPJTaken is what adding or changing an association answers when its CNPJ is another
// association's: a CNPJ is one company, one customer of ours.
var ErrCNPJTaken = fmt.Errorf("%w as association", ErrDuplicate)

// cnpjFree refuses a's CNPJ if another association holds it, read in the transaction that
// writes a: two sessions adding the same CNPJ at once cannot both succeed.
func cnpjFree(tx *bolt.Tx, a Association) error {
	if a.CNPJ == "" {
		return nil
	}
	return tx.Bucket(bAssociations).ForEach(func(id, _ []byte) error {
		var other Association
		if _, err := getJSON(tx.Bucket(bAssociations), id, &other); err != nil {
			return err
		}
		if other.ID != a.ID && other.CNPJ == a.CNPJ {
			return fmt.Errorf("CNPJ %s: %w %s", FormatCNPJ(a.CNPJ), ErrCNPJTaken, other.Slug)
		}
		return nil
	})
}

// cleanCNPJ drops a CNPJ's usual punctuation; anything else stays, to be refused.
func cleanCNPJ(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '/' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// FormatCNPJ writes a CNPJ's 14 digits as people read them, 11.222.333/0001-81; anything
// else as it is.
func FormatCNPJ(d string) string {
	if !cnpjDigits.MatchString(d) {
		return d
	}
	return d[:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
}

// validCNPJ checks a CNPJ's 14 digits and its two check digits.
func validCNPJ(d string) bool {
	if !cnpjDigits.MatchString(d) || strings.Count(d, d[:1]) == 14 {
		return false
	}
	check := func(n int) byte {
		weights := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}[13-n:]
		sum := 0
		for i := range n {
			sum += int(d[i]-'0') * weights[i]
		}
		if r := sum % 11; r >= 2 {
			return byte('0' + 11 - r)
		}
		return '0'
	}
	return d[12] == check(12) && d[13] == check(13)
}
