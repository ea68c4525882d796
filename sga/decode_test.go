package sga

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInt(t *testing.T) {
	tests := []struct {
		in      string
		want    Int
		wantErr bool
	}{
		{`123`, 123, false},
		{`"123"`, 123, false},
		{`" 42 "`, 42, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`12.0`, 12, false},
		{`"-7"`, -7, false},
		{`12.5`, 0, true},
		{`"12a"`, 0, true},
		{`{"x":1}`, 0, true},
		{`[1]`, 0, true},
		{`true`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var n Int
			err := n.UnmarshalJSON([]byte(tt.in))
			if (err != nil) != tt.wantErr || (!tt.wantErr && n != tt.want) {
				t.Errorf("Int(%s) = %d, %v; want %d, error %v", tt.in, n, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"ABC"`, "ABC"},
		{`"  ABC "`, "ABC"},
		{`123`, "123"},
		{`null`, ""},
		{`"N\u00e3o"`, "Não"},
		{`true`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var s Text
			if err := s.UnmarshalJSON([]byte(tt.in)); err != nil || string(s) != tt.want {
				t.Errorf("Text(%s) = %q, %v; want %q", tt.in, s, err, tt.want)
			}
		})
	}
	var s Text
	if err := s.UnmarshalJSON([]byte(`{"a":1}`)); err == nil {
		t.Error("Text accepted an object")
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		wantErr bool
	}{
		{"99.90", 9990, false},
		{"999,99", 99999, false},
		{"1.234,56", 123456, false},
		{"R$ 99,99", 9999, false},
		{"R$1.234.567,89", 123456789, false},
		{"54321.00", 5432100, false},
		{"54321", 5432100, false},
		{"1.234", 123400, false}, // a lone dot before three digits groups thousands
		{"1,234.56", 123456, false},
		{"0,5", 50, false},
		{"-10,00", -1000, false},
		{"", 0, false},
		{"  ", 0, false},
		{"12,3,4", 0, true},
		{"abc", 0, true},
		{"R$ 1x,00", 0, true},
		{"1.005,555", 100556, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMoney(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Errorf("ParseMoney(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
	var m Money
	if err := json.Unmarshal([]byte(`54321`), &m); err != nil || m != 5432100 {
		t.Errorf("Money from a JSON number = %d, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`29.9`), &m); err != nil || m != 2990 {
		t.Errorf("Money from 29.9 = %d, %v", m, err)
	}
	if got := Money(123456789).String(); got != "1.234.567,89" {
		t.Errorf("String = %q", got)
	}
	if got := Money(-5).String(); got != "-0,05" {
		t.Errorf("String = %q", got)
	}
}

func TestParseDate(t *testing.T) {
	day := time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"2024-02-03", day, false},
		{"03/02/2024", day, false},
		{"2024-02-03 10:15:00", day.Add(10*time.Hour + 15*time.Minute), false},
		{"2020-10-24T00:00:00-0300", time.Date(2020, 10, 24, 3, 0, 0, 0, time.UTC), false},
		{"2020-10-24T00:00:00-03:00", time.Date(2020, 10, 24, 3, 0, 0, 0, time.UTC), false},
		{"0000-00-00", time.Time{}, false},
		{"9999-99-99", time.Time{}, false},
		{"00/00/0000", time.Time{}, false},
		{"0000-00-00 00:00:00", time.Time{}, false},
		{"", time.Time{}, false},
		{"31/13/2020", time.Time{}, true},
		{"ontem", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && !got.Equal(tt.want)) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
	var d Date
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Errorf("Date(null) = %v, %v", d, err)
	}
	b, _ := json.Marshal(Date{day})
	if string(b) != `"2024-02-03"` {
		t.Errorf("Marshal = %s", b)
	}
}

func TestProducts(t *testing.T) {
	tests := []struct {
		in    string
		codes string
		names string
	}{
		{`{"12": "RASTREADOR", "3": "ASSIST"}`, "3,12", "ASSIST,RASTREADOR"},
		{`[{"codigo_produto":"12","descricao_produto":"RASTREADOR","valor_produto":"29.90"}]`, "12", "RASTREADOR"},
		{`[{"codigo_produto":12,"descricao":"RASTREADOR","valor":"29,90"}]`, "12", "RASTREADOR"},
		{`["12", 3]`, "3,12", ","},
		{`{"12": {"descricao": "RASTREADOR"}}`, "12", "RASTREADOR"},
		{`null`, "", ""},
		{`[]`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p Products
			if err := json.Unmarshal([]byte(tt.in), &p); err != nil {
				t.Errorf("Products(%s): %v", tt.in, err)
				return
			}
			var codes, names []string
			for _, pr := range p {
				codes = append(codes, pr.Code)
				names = append(names, pr.Name)
			}
			if strings.Join(codes, ",") != tt.codes || strings.Join(names, ",") != tt.names {
				t.Errorf("Products(%s) = %v", tt.in, p)
			}
		})
	}
	var p Products
	_ = json.Unmarshal([]byte(`[{"codigo_produto":"12","valor_produto":"29.90"}]`), &p)
	if !p.Has("12") || p.Has("1") || p[0].Value != 2990 {
		t.Errorf("Has/Value wrong: %+v", p)
	}
	if err := json.Unmarshal([]byte(`"12"`), &p); err == nil {
		t.Error("Products accepted a bare string")
	}
}

func readReply(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "replies", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeVehiclePageKeepsGoodRecords(t *testing.T) {
	p, err := decodeVehiclePage(readReply(t, "listar_veiculo.json"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || p.Showing != 3 || p.Pages != 1 {
		t.Errorf("counts = %d/%d/%d, want 3/3/1 (the \"mostrando \" key has a trailing space)", p.Total, p.Showing, p.Pages)
	}
	if len(p.Vehicles) != 2 || len(p.Bad) != 1 {
		t.Fatalf("got %d vehicles and %d bad, want 2 and 1: %+v", len(p.Vehicles), len(p.Bad), p.Bad)
	}
	bad := p.Bad[0]
	if bad.Index != 1 || !strings.Contains(bad.Key, "codigo_veiculo=55013") || !strings.Contains(bad.Reason, "ano_modelo") {
		t.Errorf("bad record = %+v; want index 1, its key and the field that failed", bad)
	}
	v := p.Vehicles[0]
	name, cpf := v.Owner()
	if v.Code != 55012 || v.FipeValue != 5432100 || v.YearModel != 2020 || name != "MARIA DE SOUZA TESTE" || cpf != "12345678909" {
		t.Errorf("first vehicle = %+v", v)
	}
	if got := p.Vehicles[1]; got.FipeValue != 99999 || !got.ContractDate.IsZero() || got.Situation != 3 {
		t.Errorf("third vehicle = %+v", got)
	}
}

func TestDecodeSyncPage(t *testing.T) {
	p, err := decodeSyncPage(readReply(t, "sync_page.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 2 || len(p.Bad) != 1 {
		t.Fatalf("got %d records, %d bad; want 2 and 1", len(p.Records), len(p.Bad))
	}
	if !p.Records[0].Products.Has("12") || !p.Records[1].Products.Has("140") || !p.Records[1].Products.Has("12") {
		t.Errorf("products: %+v / %+v", p.Records[0].Products, p.Records[1].Products)
	}
	// A value ponte does not keep (a birth date no calendar has) costs its record nothing; one
	// it keeps, unreadable, costs the record.
	if p.Bad[0].Key != "codigo_veiculo=55021 codigo_associado=10240" || !strings.Contains(p.Bad[0].Reason, "codigo_situacao") {
		t.Errorf("bad = %+v", p.Bad[0])
	}
}

func TestDecodeShapes(t *testing.T) {
	v, err := decodeOne[Vehicle](readReply(t, "wrapped_vehicle.json"), vehicleKeys...)
	if err != nil || v.Code != 55012 || v.OwnerCPF != "123.456.789-09" || v.RegisteredOn.IsZero() {
		t.Errorf("wrapped vehicle = %+v, %v", v, err)
	}
	items, err := splitList(readReply(t, "numbered_keys.json"), "")
	if err != nil || len(items) != 2 {
		t.Fatalf("numbered keys: %d items, %v", len(items), err)
	}
	list, bad := decodeList[Vehicle](items, vehicleKeys...)
	if len(bad) != 0 || list[0].Plate != "AAA1111" || list[1].Code != 2 {
		t.Errorf("numbered keys decoded to %+v, %v", list, bad)
	}
	pv, err := decodeProductVehiclePage(readReply(t, "product_vehicles.json"))
	if err != nil || len(pv.Vehicles) != 1 || !pv.Vehicles[0].Products.Has("12") || pv.Vehicles[0].FipeValue != 5432100 {
		t.Errorf("product vehicles = %+v, %v", pv, err)
	}
	// An object is a list of one; a scalar is not a list.
	if items, err := splitList([]byte(`{"codigo_veiculo":"1"}`), ""); err != nil || len(items) != 1 {
		t.Errorf("object as list: %d, %v", len(items), err)
	}
	if _, err := splitList([]byte(`"x"`), ""); err == nil {
		t.Error("a string was taken for a list")
	}
	if _, err := decodeOne[Vehicle]([]byte(`[]`)); err != errEmptyList {
		t.Errorf("empty list: %v", err)
	}
	// Keys with escapes still find their field; a duplicate key keeps its last value.
	var m Member
	if err := decodeRecord([]byte(`{"c\u00f3digo":1,"nome":"A","nome":"B","codigo_associado":"7"}`), &m); err != nil || m.Name != "B" || m.Code != 7 {
		t.Errorf("member = %+v, %v", m, err)
	}
}

func TestSGAMessage(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"mensagem":"Forbidden","error":["Token BLOQUEADO"]}`, "Forbidden; Token BLOQUEADO"},
		{`{"mensagem":"Erro","error":"detalhe"}`, "Erro; detalhe"},
		{`{"mensagem":"Erro","error":{"mensagem":"interno"}}`, "Erro; interno"},
		{`{"mensagem":"OK"}`, ""},
		{`<html>404</html>`, ""},
		{`{"message":"N\u00e3o autorizado"}`, "Não autorizado"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			if got := sgaMessage([]byte(tt.body)); got != tt.want {
				t.Errorf("sgaMessage(%s) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}
