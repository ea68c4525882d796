package store

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// BenchmarkThroughInterface reads one client and its vehicles, the console's commonest read,
// through the concrete *Store and through Backend, in the same run: what holding the store by
// its interface costs a caller.
func BenchmarkThroughInterface(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "ponte.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 6))
	var bt Batch
	for code := int64(1); code <= 2000; code++ {
		bt.Clients = append(bt.Clients, benchClient(r, code))
		bt.Vehicles = append(bt.Vehicles, benchVehicle(code*10, code), benchVehicle(code*10+1, code))
	}
	if _, err := s.Apply(bt); err != nil {
		b.Fatal(err)
	}
	b.Run("via=Store", func(b *testing.B) { readConcrete(b, s) })
	b.Run("via=Backend", func(b *testing.B) { readBackend(b, s) })
}

// readConcrete and readBackend are the same loop, one over the concrete type and one over the
// interface; kept out of line so that the compiler cannot see through the interface.
//
//go:noinline
func readConcrete(b *testing.B, st *Store) {
	code := int64(0)
	for b.Loop() {
		code = code%2000 + 1
		if _, err := st.ClientByCode(code); err != nil {
			b.Fatal(err)
		}
		if vs, err := st.VehiclesOfClient(code); err != nil || len(vs) != 2 {
			b.Fatal(len(vs), err)
		}
	}
}

//go:noinline
func readBackend(b *testing.B, st Backend) {
	code := int64(0)
	for b.Loop() {
		code = code%2000 + 1
		if _, err := st.ClientByCode(code); err != nil {
			b.Fatal(err)
		}
		if vs, err := st.VehiclesOfClient(code); err != nil || len(vs) != 2 {
			b.Fatal(len(vs), err)
		}
	}
}
