package store

import (
	"fmt"
	"net"
	neturl "net/url"
	"strings"
	"unicode/utf8"
)

// What can be wrong with an integration setting, as FieldError.Problem says it: a code the
// console translates, the English text being FieldError.Error.
const (
	ProblemEmpty       = "empty"
	ProblemTooLong     = "too_long"
	ProblemInvalidUTF8 = "invalid_utf8"
	ProblemControl     = "control" // a C0 or C1 control character: a terminal would execute it
	ProblemBidi        = "bidi"    // a bidirectional override or isolate: it disguises text
	ProblemDigitsOnly  = "digits_only"
	ProblemSpaces      = "spaces"
	ProblemURL         = "url"
	ProblemURLUserInfo = "url_userinfo"
	ProblemLinkLocal   = "link_local"
)

// FieldError is why one setting was refused. It never holds the value: secrets are settings.
type FieldError struct {
	Field   string // one of the Field* names
	Problem string // one of the Problem* codes
	Pos     int    // the 1-based character (for invalid UTF-8, byte) where the problem is
	Char    rune   // the character refused, for control and bidi
	Limit   int    // the length allowed, for too_long
}

func (e *FieldError) Error() string {
	switch e.Problem {
	case ProblemEmpty:
		return e.Field + ": empty"
	case ProblemTooLong:
		return fmt.Sprintf("%s: longer than %d characters", e.Field, e.Limit)
	case ProblemInvalidUTF8:
		return fmt.Sprintf("%s: byte %d is not valid UTF-8", e.Field, e.Pos)
	case ProblemControl:
		return fmt.Sprintf("%s: character %d is a control character (%U)", e.Field, e.Pos, e.Char)
	case ProblemBidi:
		return fmt.Sprintf("%s: character %d is a bidirectional text control (%U)", e.Field, e.Pos, e.Char)
	case ProblemDigitsOnly:
		return e.Field + ": digits only"
	case ProblemSpaces:
		return fmt.Sprintf("%s: character %d is a space", e.Field, e.Pos)
	case ProblemURL:
		return e.Field + ": want an http or https URL with a host"
	case ProblemURLUserInfo:
		return e.Field + ": the URL carries a user name or password; set them as usuario and senha instead"
	case ProblemLinkLocal:
		return e.Field + ": a link-local address (where cloud metadata lives) cannot be an SGA"
	}
	return e.Field + ": invalid"
}

// Unwrap makes every FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// maxLen is the longest each setting may be, in characters.
var maxLen = map[string]int{
	FieldSGAURL: 2048, FieldUser: 120, FieldProductCode: 20,
	FieldPassword: 4096, FieldAPIKey: 4096, FieldSyncToken: 4096,
}

// CheckSetting checks one integration setting as it would be saved (callers trim spaces
// around it). Every setting must be valid UTF-8 without control characters or bidirectional
// overrides, which a terminal showing it would obey; then each has its own rule.
func CheckSetting(field, v string) error {
	bad := func(problem string, pos int, r rune) error {
		return &FieldError{Field: field, Problem: problem, Pos: pos, Char: r, Limit: maxLen[field]}
	}
	if v == "" {
		return bad(ProblemEmpty, 0, 0)
	}
	if !utf8.ValidString(v) {
		for i := 0; i < len(v); {
			r, size := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError && size <= 1 {
				return bad(ProblemInvalidUTF8, i+1, 0)
			}
			i += size
		}
	}
	pos := 0
	for _, r := range v {
		pos++
		switch {
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return bad(ProblemControl, pos, r)
		case IsBidiControl(r):
			return bad(ProblemBidi, pos, r)
		}
	}
	if limit := maxLen[field]; limit > 0 && pos > limit {
		return bad(ProblemTooLong, 0, 0)
	}
	switch field {
	case FieldProductCode:
		if strings.Trim(v, "0123456789") != "" {
			return bad(ProblemDigitsOnly, 0, 0)
		}
	case FieldSGAURL:
		return checkURL(v, bad)
	case FieldPassword, FieldAPIKey, FieldSyncToken:
		if i := strings.IndexAny(v, " \u00a0"); i >= 0 {
			return bad(ProblemSpaces, utf8.RuneCountInString(v[:i])+1, ' ')
		}
	}
	return nil
}

// IsBidiControl reports the characters that reorder how text around them is shown (the
// "Trojan Source" characters) and the invisible direction marks.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

func checkURL(v string, bad func(string, int, rune) error) error {
	u, err := neturl.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		// The parser's error would quote the URL: it may hold a password.
		if err == nil && u.User != nil {
			return bad(ProblemURLUserInfo, 0, 0)
		}
		return bad(ProblemURL, 0, 0)
	}
	if u.User != nil {
		return bad(ProblemURLUserInfo, 0, 0)
	}
	host, _, _ := strings.Cut(u.Hostname(), "%") // an IPv6 zone
	if ip := net.ParseIP(host); ip != nil && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast()) {
		return bad(ProblemLinkLocal, 0, 0)
	}
	return nil
}
