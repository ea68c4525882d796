package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// A field longer than its limit is refused with the field and the record named, before a
// byte is written, never with bbolt's "key too large".
func TestApplyRefusesAnOversizedField(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "ponte.db"), Options{NoSync: true})
	long := strings.Repeat("9", 40_000)
	good := Vehicle{SGACode: 7, ClientSGACode: 3, Plate: "ABC1D23", Situation: "ATIVO"}
	for _, c := range []struct {
		batch Batch
		want  string
	}{
		{Batch{Vehicles: []Vehicle{{SGACode: 7, ClientSGACode: 3, Plate: long}}}, "vehicle 7: placa: longer than 20 characters"},
		{Batch{Vehicles: []Vehicle{{SGACode: 7, ClientSGACode: 3, Chassis: long}}}, "vehicle 7: chassi: longer than 40 characters"},
		{Batch{Vehicles: []Vehicle{good}, Clients: []Client{{SGACode: 3, Name: long}}}, "member 3: nome: longer than 200 characters"},
		{Batch{Vehicles: []Vehicle{good}, Clients: []Client{{SGACode: 3, CPF: long}}}, "member 3: cpf: longer than 20 characters"},
		{Batch{Vehicles: []Vehicle{good}, Clients: []Client{{SGACode: 3, Name: "ab\xffc"}}}, "member 3: nome: byte 3 is not valid UTF-8"},
		{Batch{Vehicles: []Vehicle{{SGACode: 7, ClientSGACode: 3, Products: []string{long}}}}, "vehicle 7: produtos: longer than 20 characters"},
	} {
		t.Run(c.want, func(t *testing.T) {
			_, err := s.Apply(c.batch)
			var fe *FieldError
			if err == nil || err.Error() != c.want || !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) {
				t.Errorf("Apply: %v, want %q", err, c.want)
			}
		})
	}
	if n, err := s.Counts(); err != nil || n.Vehicles != 0 || n.Clients != 0 {
		t.Fatalf("a refused batch wrote %+v (%v)", n, err)
	}
	if err := CheckVehicle(good); err != nil {
		t.Fatal(err)
	}
	if err := CheckClient(Client{Name: strings.Repeat("é", RecordLimit(FieldName)), CPF: "123.456.789-09"}); err != nil {
		t.Fatalf("a name of exactly the limit, in accented letters: %v", err)
	}
}

// The store's last guard: an index key over bbolt's limit is refused with the index named.
func TestAnIndexKeyOverTheLimitIsNamed(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "ponte.db"), Options{NoSync: true})
	err := s.update(func(tx txn) error { return tx.put(bVehiclePlate, make([]byte, 40_000), nil) })
	if !errors.Is(err, ErrKeyTooLong) || !strings.Contains(err.Error(), string(bVehiclePlate)) {
		t.Fatalf("put of a 40,000-byte key: %v", err)
	}
}
