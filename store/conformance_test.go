package store_test

import (
	"path/filepath"
	"testing"

	"ponte/store"
	"ponte/store/storetest"
)

// The bbolt store meets the contract every implementation of store.Backend must meet.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Backend {
		s, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
