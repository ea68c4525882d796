package sga

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every decoder that reads SGA bytes. The seed corpus is the captured-style
// replies in testdata/replies plus the cases below; go test runs the seeds, go test -fuzz
// explores.

func addReplies(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "replies", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`[]`, `{}`, `null`, `[{}]`, `[1,2]`, `{"veiculos":null}`, `[{"a":"\"}"}]`, `{"data":{"dados":[{}]}}`, ``, `[`, `{"0":{},"x":1}`} {
		f.Add([]byte(s))
	}
}

// arrayLen is encoding/json's count of a top-level array's elements, or -1.
func arrayLen(b []byte) int {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '[' {
		return -1
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return -1
	}
	return len(items)
}

func FuzzDecodeVehiclePage(f *testing.F) {
	addReplies(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeVehiclePage(body)
		if err != nil {
			return
		}
		// Every element of a valid list is either decoded or reported, never lost.
		if n := arrayLen(body); n >= 0 && len(p.Vehicles)+len(p.Bad) != n {
			t.Fatalf("%d elements, %d decoded + %d bad", n, len(p.Vehicles), len(p.Bad))
		}
		for _, bad := range p.Bad {
			if bad.Reason == "" || !utf8.ValidString(bad.Key) {
				t.Fatalf("bad record without a reason or with a broken key: %+v", bad)
			}
		}
	})
}

func FuzzDecodeSyncPage(f *testing.F) {
	addReplies(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeSyncPage(body)
		if err != nil {
			return
		}
		if n := arrayLen(body); n >= 0 && len(p.Records)+len(p.Bad) != n {
			t.Fatalf("%d elements, %d decoded + %d bad", n, len(p.Records), len(p.Bad))
		}
		for _, r := range p.Records {
			if !slices.IsSortedFunc(r.Products, func(a, b Product) int {
				if lessCode(a.Code, b.Code) {
					return -1
				}
				if lessCode(b.Code, a.Code) {
					return 1
				}
				return 0
			}) {
				t.Fatalf("products not sorted: %+v", r.Products)
			}
		}
	})
}

func FuzzDecodeOther(f *testing.F) {
	addReplies(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = decodeOne[Member](body, memberKeys...)
		_, _ = decodeOne[Vehicle](body, vehicleKeys...)
		_, _ = decodeOne[LinkedProducts](body)
		_, _ = decodeProductVehiclePage(body)
		if msg := sgaMessage(body); len(msg) > 310 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		var p Products
		_ = p.UnmarshalJSON(body)
	})
}

// FuzzScan checks the one-pass scanner against encoding/json on every valid array.
func FuzzScan(f *testing.F) {
	addReplies(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n := 0
		err := eachElement(body, func([]byte) error { n++; return nil })
		want := arrayLen(body)
		if want >= 0 && (err != nil || n != want) {
			t.Fatalf("scanner saw %d elements (%v), encoding/json %d", n, err, want)
		}
		var obj map[string]json.RawMessage
		// encoding/json rewrites invalid UTF-8 in keys; compare keys only on valid text.
		if utf8.Valid(body) && json.Unmarshal(body, &obj) == nil && obj != nil {
			keys := map[string]bool{}
			if err := eachMember(body, func(k, _ []byte) error { keys[keyName(k)] = true; return nil }); err != nil {
				t.Fatalf("scanner refused a valid object: %v", err)
			}
			for k := range obj {
				if !keys[k] {
					t.Fatalf("scanner missed key %q", k)
				}
			}
		}
	})
}

func FuzzScalars(f *testing.F) {
	for _, s := range []string{`1`, `"1"`, `"1.234,56"`, `"R$ 9,99"`, `"2024-02-03"`, `"03/02/2024"`, `"2020-10-24T00:00:00-0300"`, `"0000-00-00"`, `null`, `""`, `1e400`, `-0`, `"\u0000"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var n Int
		if n.UnmarshalJSON(raw) == nil {
			var s string
			if json.Unmarshal(raw, &s) != nil { // a bare number: must agree with strconv
				if v, err := strconv.ParseInt(string(raw), 10, 64); err == nil && int64(n) != v {
					t.Fatalf("Int(%s) = %d, strconv says %d", raw, n, v)
				}
			}
		}
		var tx Text
		_ = tx.UnmarshalJSON(raw)
		var m Money
		_ = m.UnmarshalJSON(raw)
		var d Date
		_ = d.UnmarshalJSON(raw)
	})
}

// FuzzMoneyRoundTrip: every amount survives formatting the Brazilian way and parsing back.
func FuzzMoneyRoundTrip(f *testing.F) {
	for _, c := range []int64{0, 1, 99, 100, 123456, -5, 999999999999} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cents int64) {
		if cents > 1e15 || cents < -1e15 {
			return
		}
		s := Money(cents).String()
		got, err := ParseMoney(s)
		if err != nil || int64(got) != cents {
			t.Fatalf("ParseMoney(%q) = %d, %v; want %d", s, got, err, cents)
		}
		got, err = ParseMoney("R$ " + s)
		if err != nil || int64(got) != cents {
			t.Fatalf("ParseMoney(R$ %q) = %d, %v", s, got, err)
		}
	})
}

func FuzzDecodeChanges(f *testing.F) {
	addReplies(f)
	for _, s := range []string{
		`[{"codigo_alteracao":"1","codigo_veiculo":55012,"placa":"ABC1D23","nome_campo_tabela":"codigo_situacao","valor_anterior":"1","valor_posterior":"3","data_alteracao":"2020-10-24T00:00:00-0300","codigo_usuario_alteracao":"7","nome_usuario_alteracao":"X"}]`,
		`[{"codigo_alteracao":2,"codigo_associado":"10234","cpf_associado":"12345678909","nome_campo_tabela":"email","valor_anterior":null,"valor_posterior":"a@b","data_alteracao":"2020-10-24","hora_alteracao":"10:15:00"}]`,
		`{"alteracoes":[{"codigo_alteracao":"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeChanges("listar/alteracao-veiculos", body)
		if err != nil {
			return
		}
		if n := arrayLen(body); n >= 0 && len(p.Changes)+len(p.Bad) != n {
			t.Fatalf("%d elements, %d decoded + %d bad", n, len(p.Changes), len(p.Bad))
		}
		for _, c := range p.Changes {
			if c.Code <= 0 {
				t.Fatalf("a change without its key: %+v", c)
			}
			_ = c.At() // never panics, whatever the date
		}
	})
}

// FuzzChangeAt reads a change's date and time in whatever SGA sends: never a panic, and any
// time it reads within the four-digit years its layouts allow.
func FuzzChangeAt(f *testing.F) {
	for _, c := range [][2]string{{"2020-10-24T08:30:00-0300", ""}, {"2020-10-24", "08:30:00"}, {"24/10/2020", "08:30"},
		{"2020-10-24 08:30:00", ""}, {"", ""}, {"0000-00-00", "99:99"}, {"2020-13-45", "x"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, date, hour string) {
		at := Change{Date: Text(date), Time: Text(hour)}.At()
		if !at.IsZero() && (at.Year() < -1 || at.Year() > 10000) {
			t.Fatalf("%q %q read as %v", date, hour, at)
		}
	})
}

// FuzzValidJSON holds validJSON to encoding/json.Valid's answer on every input.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{
		``, ` `, `null`, `nul`, `nulll`, `true`, `false`, `tru`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`,
		`2.5e10`, `-12.5E+3`, `"a"`, `"\u00e9"`, `"\u00g9"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`, "\"\x01\"", "\"\xff\xfe\"",
		`"unterminated`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`, `[1,2]`, `{}`, `{"a":1}`, `{"a" : [1, {"b": null}] }`,
		`{"a":1,}`, `{"a"}`, `{a:1}`, `{"a":1 "b":2}`, `[[[]]]`, `[[[]]`, `]`, `1 1`, " \t\n\r{}\r\n", `{"a":[}`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		`{"registros":[{"codigo_veiculo":"55012","placa":"ABC1D23","produtos":[{"codigo":19}]}],"total":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json.Valid says %v", b, got, want)
		}
	})
}
