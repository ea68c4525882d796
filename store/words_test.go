package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"ponte/store/norm"
)

func codesOf(list []byte) []int64 {
	var out []int64
	for code := range codes(list) {
		out = append(out, int64(binary.BigEndian.Uint64(code)))
	}
	return out
}

func listOf(codes ...int64) []byte {
	var out []byte
	for _, c := range codes {
		out = binary.BigEndian.AppendUint64(out, uint64(c))
	}
	return out
}

// A word's entries are merged into its list in code order; a later write of the same code
// wins, an absent code deleted changes nothing, a present one added is kept once.
func TestMergeList(t *testing.T) {
	ops := []indexOp{
		{key: clientWordKey("SILVA", 9)},
		{key: clientWordKey("SILVA", 4)},
		{key: clientWordKey("SILVA", 3), del: true},
		{key: clientWordKey("SILVA", 7), del: true},
		{key: clientWordKey("SILVA", 5)},
		{key: clientWordKey("SILVA", 2)},
		{key: clientWordKey("SILVA", 4), del: true}, // after the add of 4: 4 goes
		{key: clientWordKey("SILVA", 1), del: true},
		{key: clientWordKey("SILVA", 1)}, // after the delete of 1: 1 stays
	}
	order := []int32{0, 1, 2, 3, 4, 5, 6, 7, 8}
	slices.SortStableFunc(order, func(a, b int32) int { return bytes.Compare(ops[a].key, ops[b].key) })
	got := codesOf(mergeList(listOf(1, 3, 5, 11), ops, order))
	if want := []int64{1, 2, 5, 9, 11}; !slices.Equal(got, want) {
		t.Fatalf("merged %v, want %v", got, want)
	}
	if got := mergeList(listOf(3), ops[2:3], []int32{0}); len(got) != 0 {
		t.Fatalf("the last code deleted left %v", codesOf(got))
	}
}

// A search term's clients are checked against their set when few share its words, against
// each candidate's own name and city when many do: both give the same clients.
func TestSearchWithAWideTerm(t *testing.T) {
	s := openTest(t, "", Options{NoSync: true})
	var b Batch
	for code := int64(1); code <= maxTermSet+200; code++ {
		b.Clients = append(b.Clients, client(code, fmt.Sprintf("JOAO SILVA %d", code), ""))
	}
	b.Clients = append(b.Clients,
		client(20001, "MARIA DA SILVA", ""),
		client(20002, "MARIANA SILVEIRA", ""),
		client(20003, "MARIA SOUZA", ""),
		client(20004, "MARCOS SILVA", ""))
	if _, err := s.Apply(b); err != nil {
		t.Fatal(err)
	}
	names := func(q string) []string {
		t.Helper()
		p, err := s.SearchClients(q, 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range p.Clients {
			out = append(out, c.Name)
		}
		return out
	}
	for q, want := range map[string][]string{
		"mari silv": {"MARIA DA SILVA", "MARIANA SILVEIRA"}, // silv* lists every JOAO SILVA: checked on the text
		"silv mari": {"MARIA DA SILVA", "MARIANA SILVEIRA"},
		"mar silva": {"MARCOS SILVA", "MARIA DA SILVA"},
		"maria da":  {"MARIA DA SILVA"}, // both terms few: checked against the set
		"maria xyz": nil,
		"silveira":  {"MARIANA SILVEIRA"},
		"joao 8300": {"JOAO SILVA 8300"},
	} {
		if got := names(q); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	if got := names("silva joao"); len(got) != 50 { // both terms many
		t.Errorf("silva joao: %d results, want the limit of 50", len(got))
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A schema-7 database kept one word index entry per word and client, its folded text as the
// value; opening it rebuilds the index as one list per word, and searches find the same.
func TestMigrationListsEachWordOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	clients := []Client{client(3, "MARIA DA SILVA", "12345678909"), client(1, "JOSÉ SILVA", "98765432100"),
		client(2, "ANA SOUZA", "11144477735")}
	clients[0].City = "BELO HORIZONTE"
	legacyDB(t, path, 7, func(tx txn) error {
		data, err := legacyData(tx)
		if err != nil {
			return err
		}
		for _, c := range clients {
			c.CPF = norm.Digits(c.CPF)
			if err := putClient(data.Bucket(bClients), i64(c.SGACode), c); err != nil {
				return err
			}
			if err := data.Bucket(bClientCPF).Put(clientWordKey(c.CPF, c.SGACode), nil); err != nil {
				return err
			}
			if err := data.Bucket(bClientName).Put(clientWordKey(norm.Key(c.Name), c.SGACode), nil); err != nil {
				return err
			}
			for _, w := range words(searchText(c)) { // schema 7's entries: word, code -> text
				if err := data.Bucket(bClientWord).Put(clientWordKey(w, c.SGACode), []byte(searchText(c))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	s := openTest(t, path, Options{})
	if err := s.Verify(); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
	if err := s.view(func(tx txn) error {
		got := map[string][]int64{}
		err := tx.Bucket(bClientWord).ForEach(func(k, v []byte) error {
			got[string(k)] = codesOf(v)
			return nil
		})
		want := map[string][]int64{"MARIA": {3}, "DA": {3}, "SILVA": {1, 3}, "BELO": {3}, "HORIZONTE": {3},
			"JOSE": {1}, "ANA": {2}, "SOUZA": {2}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("word index %v, want %v", got, want)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"silva": 2, "mar sil": 1, "belo hor": 1, "jose": 1, "sou": 1, "zzz": 0} {
		if p, err := s.SearchClients(q, 10); err != nil || len(p.Clients) != want {
			t.Errorf("%q: %d clients (%v), want %d", q, len(p.Clients), err, want)
		}
	}
}

// Verify finds a word list that is not a list of codes, one out of order, one naming a
// client without that word, and one leaving out a client who has it.
func TestVerifyChecksWordLists(t *testing.T) {
	for name, list := range map[string][]byte{
		"a list of 5 bytes":       {1, 2, 3, 4, 5},
		"codes out of order":      listOf(2, 1),
		"does not match":          listOf(1, 2),
		"no client 9":             listOf(1, 9),
		"a list of 0 bytes":       {},
		"no index entry for word": listOf(2), // client 1, MARIA SILVA, left out
	} {
		t.Run(name, func(t *testing.T) {
			s := openTest(t, "", Options{NoSync: true})
			if _, err := s.Apply(Batch{Clients: []Client{client(1, "MARIA SILVA", ""), client(2, "ANA SOUZA", "")}}); err != nil {
				t.Fatal(err)
			}
			if err := s.Verify(); err != nil {
				t.Fatal(err)
			}
			if err := s.update(func(tx txn) error { return tx.Bucket(bClientWord).Put([]byte("MARIA"), list) }); err != nil {
				t.Fatal(err)
			}
			err := s.Verify()
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(name)) {
				t.Fatalf("Verify: %v, want it to say %q", err, name)
			}
		})
	}
}
