package store

import (
	"fmt"
	"net/netip"
	neturl "net/url"
	"strings"
	"unicode/utf8"

	"ponte/sga"
	"ponte/store/norm"
)

// What can be wrong with an integration setting, as FieldError.Problem says it: a code the
// console translates, the English text being FieldError.Error.
const (
	ProblemEmpty       = "empty"
	ProblemTooLong     = "too_long"
	ProblemInvalidUTF8 = "invalid_utf8"
	ProblemControl     = "control" // a C0 or C1 control or a line separator: a terminal would obey it
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
		case IsBidiControl(r):
			return bad(ProblemBidi, pos, r)
		case Unprintable(r):
			return bad(ProblemControl, pos, r)
		}
	}
	if limit := maxLen[field]; limit > 0 && pos > limit {
		return bad(ProblemTooLong, 0, 0)
	}
	switch field {
	case FieldProductCode:
		if !norm.AllDigits(v) {
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
	// A literal address is refused here, at once; a name that leads to one, when SGA is
	// dialled (the client checks the address it connects to).
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && sga.LinkLocal(ip) {
		return bad(ProblemLinkLocal, 0, 0)
	}
	return nil
}

// The fields of an SGA record that the store keeps, as a FieldError from CheckVehicle or
// CheckClient names them: SGA's own names, those an operator finds in SGA.
const (
	FieldPlate     = "placa"
	FieldChassis   = "chassi"
	FieldRenavam   = "renavam"
	FieldBrand     = "marca"
	FieldModel     = "modelo"
	FieldColor     = "cor"
	FieldSituation = "situacao"
	FieldProducts  = "produtos"
	FieldName      = "nome"
	FieldCPF       = "cpf"
	FieldEmail     = "email"
	FieldPhone     = "telefone"
	FieldCity      = "cidade"
	FieldState     = "estado"
)

// recordLimits is the longest each field of an SGA record may be, in characters as SGA sends
// it (masks and spaces included): room to spare over what SGA holds (a plate has 7, a chassis
// 17, a CPF 11 digits, 14 with its mask), and far under what an index key may be (bbolt's
// 32 KB), which plates, chassis, CPFs and names are part of. A product code has the limit of
// the Código do Produto setting; FieldProducts limits how many a vehicle carries.
var recordLimits = map[string]int{
	FieldPlate: 20, FieldChassis: 40, FieldRenavam: 20, FieldBrand: 120, FieldModel: 200,
	FieldColor: 60, FieldSituation: 120, FieldProducts: 200,
	FieldName: 200, FieldCPF: 20, FieldEmail: 254, FieldPhone: 40, FieldCity: 120, FieldState: 60,
}

// RecordLimit is the longest a field of an SGA record may be (one of the Field* names of a
// vehicle or a client), in characters; 0 for a field without a limit.
func RecordLimit(field string) int { return recordLimits[field] }

// CheckVehicle checks an SGA vehicle before it is stored: every field valid UTF-8 and within
// its limit (RecordLimit). A refused vehicle is a *FieldError naming SGA's field; Apply
// refuses a batch that holds one, so that a syncer refuses the record, not the batch.
func CheckVehicle(v Vehicle) error {
	for _, f := range []struct{ field, v string }{
		{FieldPlate, v.Plate}, {FieldChassis, v.Chassis}, {FieldRenavam, v.Renavam}, {FieldBrand, v.Brand},
		{FieldModel, v.Model}, {FieldColor, v.Color}, {FieldSituation, v.Situation},
	} {
		if err := checkRecordField(f.field, f.v); err != nil {
			return err
		}
	}
	if limit := recordLimits[FieldProducts]; len(v.Products) > limit {
		return &FieldError{Field: FieldProducts, Problem: ProblemTooLong, Limit: limit}
	}
	for _, p := range v.Products {
		if err := checkLength(FieldProducts, p, maxLen[FieldProductCode]); err != nil {
			return err
		}
	}
	return nil
}

// check refuses a batch with a record the store cannot keep: without its SGA codes, or with
// a field CheckVehicle or CheckClient refuses, named with its record.
func (b Batch) check() error {
	for _, c := range b.Clients {
		if c.SGACode <= 0 {
			return fmt.Errorf("client without an SGA code: %w", ErrInvalid)
		}
		if err := CheckClient(c); err != nil {
			return fmt.Errorf("member %d: %w", c.SGACode, err)
		}
	}
	for _, v := range b.Vehicles {
		if v.SGACode <= 0 || v.ClientSGACode <= 0 {
			return fmt.Errorf("vehicle %d without its SGA codes: %w", v.SGACode, ErrInvalid)
		}
		if err := CheckVehicle(v); err != nil {
			return fmt.Errorf("vehicle %d: %w", v.SGACode, err)
		}
	}
	return nil
}

// CheckClient checks an SGA member as CheckVehicle checks a vehicle.
func CheckClient(c Client) error {
	for _, f := range []struct{ field, v string }{
		{FieldName, c.Name}, {FieldCPF, c.CPF}, {FieldEmail, c.Email}, {FieldPhone, c.Phone},
		{FieldCity, c.City}, {FieldState, c.State}, {FieldSituation, c.Situation},
	} {
		if err := checkRecordField(f.field, f.v); err != nil {
			return err
		}
	}
	return nil
}

func checkRecordField(field, v string) error { return checkLength(field, v, recordLimits[field]) }

// checkLength refuses v when it is not valid UTF-8 or longer than limit characters.
func checkLength(field, v string, limit int) error {
	if len(v) <= limit && utf8.ValidString(v) {
		return nil // the common case: no character to count
	}
	n := 0
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size <= 1 {
			return &FieldError{Field: field, Problem: ProblemInvalidUTF8, Pos: i + 1}
		}
		i += size
		if n++; n > limit {
			return &FieldError{Field: field, Problem: ProblemTooLong, Limit: limit}
		}
	}
	return nil
}
