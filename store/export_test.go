package store

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The typed rows of the big kinds write what a row by column name would: their JSON keys
// are the kind's columns in sorted order (as encoding/json writes a map's), and their CSV
// fields are the same columns.
func TestTypedExportRowsMatchTheColumns(t *testing.T) {
	for kind, row := range map[string]exportRow{"vehicles": &vehicleRow{}, "clients": &clientRow{}} {
		var want []string
		for _, c := range exportColumns[kind] {
			want = append(want, c.name)
		}
		b, err := json.Marshal(row)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		var keys []string
		_, _ = dec.Token() // {
		for dec.More() {
			tok, _ := dec.Token()
			keys = append(keys, tok.(string))
			var skip json.RawMessage
			_ = dec.Decode(&skip)
		}
		if !slices.IsSorted(keys) {
			t.Errorf("%s: JSON keys not in sorted order: %v", kind, keys)
		}
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("%s: JSON keys %v, columns %v", kind, keys, want)
		}
		if got := slices.Sorted(maps.Keys(row.fields())); !slices.Equal(got, want) {
			t.Errorf("%s: CSV fields %v, columns %v", kind, got, want)
		}
	}
}
