package store

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestCodecRoundTrips(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 123456789, time.UTC)
	for _, v := range []Vehicle{
		{},
		{SGACode: 50001, ClientSGACode: -3, Plate: "ABC1D23", Chassis: "9BWZZZ377VT004251", Renavam: "01234567890",
			Brand: "VW - VOLKSWAGEN", Model: "GOL 1.0", Color: "PRATA", YearMade: 2019, YearModel: 2020, SituationCode: 3,
			Situation: "CANCELADO", Products: []string{"19", "", "ASSISTÊNCIA 24H"}, Foreign: true, FirstSeen: at,
			UpdatedAt: at.Add(time.Hour), Gone: true, GoneAt: at.Add(2 * time.Hour), GoneSituation: "ATIVO",
			PrevSituation: "FORA DA LISTA", SituationChangedAt: at.Add(3 * time.Hour)},
	} {
		var got Vehicle
		if err := decodeVehicle(encodeVehicle(v), &got); err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("vehicle: %+v, %v; want %+v", got, err, v)
		}
	}
	for _, c := range []Client{
		{},
		{SGACode: 10001, CPF: "12345678909", Name: "JOSÉ D'ÁVILA", Email: "a@b", Phone: "31988880000", City: "SÃO PAULO",
			State: "SP", Situation: "ATIVO", FirstSeen: at, UpdatedAt: at},
	} {
		var got Client
		if err := decodeClient(encodeClient(c), &got); err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("client: %+v, %v; want %+v", got, err, c)
		}
	}
	// A damaged or newer record is an error, never a wrong value or a crash.
	good := encodeVehicle(Vehicle{SGACode: 1, Plate: "ABC1D23"})
	for name, b := range map[string][]byte{"empty": nil, "JSON": []byte(`{"sga_code":1}`), "version 2": append([]byte{2}, good[1:]...),
		"cut": good[:len(good)-2], "longer": append(good, 0)} {
		var v Vehicle
		if err := decodeVehicle(b, &v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeVehicle(Vehicle{SGACode: 1, Products: []string{"19"}}))
	f.Add(encodeClient(Client{SGACode: 1, Name: "MARIA"}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		var v Vehicle
		if decodeVehicle(b, &v) == nil {
			// What reads must write back the same.
			if again := encodeVehicle(v); string(again) != string(b) {
				var w Vehicle
				if err := decodeVehicle(again, &w); err != nil || !reflect.DeepEqual(v, w) {
					t.Fatalf("vehicle does not round-trip: %+v", v)
				}
			}
		}
		var c Client
		_ = decodeClient(b, &c)
	})
}

// A schema-6 database's JSON clients and vehicles are recoded on its first writable open, and
// read back the same.
func TestMigrationRecodesRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	c := client(1, "MARIA DA SILVA", "12345678909")
	c.FirstSeen, c.UpdatedAt, c.Phone = at, at, "31988880000"
	v := vehicle(10, 1, "ABC1D23", "CANCELADO")
	v.FirstSeen, v.UpdatedAt, v.Gone, v.GoneAt, v.PrevSituation = at, at, true, at, "ATIVO"
	legacyDB(t, path, 6, func(tx txn) error {
		data, err := legacyData(tx)
		if err != nil {
			return err
		}
		at := txn{Tx: tx.Tx, data: data, assoc: &Association{}}
		if err := putJSON(data.Bucket(bClients), i64(1), c); err != nil {
			return err
		}
		if err := indexClient(at, c); err != nil {
			return err
		}
		if err := putJSON(data.Bucket(bVehicles), i64(10), v); err != nil {
			return err
		}
		return indexVehicle(at, v, 0)
	})
	s := openTest(t, path, Options{})
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	gotC, err := s.ClientByCode(1)
	if err != nil || !reflect.DeepEqual(gotC, c) {
		t.Fatalf("client: %+v, %v; want %+v", gotC, err, c)
	}
	gotV, err := s.VehicleByCode(10)
	if err != nil || !reflect.DeepEqual(gotV.Vehicle, v) {
		t.Fatalf("vehicle: %+v, %v; want %+v", gotV.Vehicle, err, v)
	}
	if err := s.view(func(tx txn) error {
		for _, b := range [][]byte{bClients, bVehicles} {
			if raw := tx.Bucket(b).Get(i64(map[string]int64{"clients": 1, "vehicles": 10}[string(b)])); len(raw) == 0 || raw[0] != recordV1 {
				return fmt.Errorf("%s still JSON: %q", b, raw)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
