package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// The word index (schema 8) finds clients by the words of their name and city. Each word is
// one key; its value is the codes of the clients that have it, as 8-byte big-endian numbers in
// ascending order. Schema 7 and before kept one key per word and client, with the client's
// folded text as its value: a client of five words cost five bbolt entries, and a full sync
// of 62,000 clients wrote a quarter of a million of them in random order, which was a third
// of the sync's CPU. A batch now writes each word it touches once.
//
// Writes go through the transaction as (word, code) entries, so that a batch holds them back
// and merges each word's entries into its list at flush, in order.

const codeSize = 8

// addWord records that the client has this word.
func (t txn) addWord(word string, code int64) error {
	return t.wordOp(word, code, false)
}

// delWord records that the client no longer has this word.
func (t txn) delWord(word string, code int64) error {
	return t.wordOp(word, code, true)
}

func (t txn) wordOp(word string, code int64, del bool) error {
	op := indexOp{key: clientWordKey(word, code), del: del}
	if err := checkKey(bClientWord, []byte(word)); !del && err != nil {
		return err
	}
	if t.pending != nil {
		t.pending.add(bClientWord, op)
		return nil
	}
	return mergeWords(t.Bucket(bClientWord), []indexOp{op}, []int32{0})
}

// mergeWords applies (word, code) entries, visited in key order through order (a write of the
// same key later in order wins), to each word's list: one read and one write per word.
func mergeWords(b *bolt.Bucket, ops []indexOp, order []int32) error {
	for start := 0; start < len(order); {
		word := wordOf(ops[order[start]].key)
		end := start + 1
		for end < len(order) && bytes.Equal(wordOf(ops[order[end]].key), word) {
			end++
		}
		list := mergeList(b.Get(word), ops, order[start:end])
		var err error
		if len(list) == 0 {
			err = b.Delete(word)
		} else {
			err = b.Put(word, list) // a new slice: bbolt holds it until the commit
		}
		if err != nil {
			return fmt.Errorf("word index %q: %w", word, err)
		}
		start = end
	}
	return nil
}

// wordOf is the word of a (word, code) key: what precedes its separator and code.
func wordOf(key []byte) []byte { return key[:len(key)-1-codeSize] }

// mergeList is a word's list with one word's entries applied, in a new slice.
func mergeList(old []byte, ops []indexOp, order []int32) []byte {
	out := make([]byte, 0, len(old)+len(order)*codeSize)
	for i, at := range order {
		op := ops[at]
		if i+1 < len(order) && bytes.Equal(ops[order[i+1]].key, op.key) {
			continue // a later write of the same code wins
		}
		code := op.key[len(op.key)-codeSize:]
		for len(old) >= codeSize && bytes.Compare(old[:codeSize], code) < 0 {
			out, old = append(out, old[:codeSize]...), old[codeSize:]
		}
		if len(old) >= codeSize && bytes.Equal(old[:codeSize], code) {
			old = old[codeSize:]
		}
		if !op.del {
			out = append(out, code...)
		}
	}
	return append(out, old...)
}

// codes yields each code of a word's list, in order.
func codes(list []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for ; len(list) >= codeSize; list = list[codeSize:] {
			if !yield(list[:codeSize]) {
				return
			}
		}
	}
}

// hasCode reports whether a word's list holds the code.
func hasCode(list []byte, code int64) bool {
	n, want := len(list)/codeSize, uint64(code)
	at := func(i int) uint64 { return binary.BigEndian.Uint64(list[i*codeSize:]) }
	i := sort.Search(n, func(i int) bool { return at(i) >= want })
	return i < n && at(i) == want
}

// prefixCodes is the set of clients with a word starting with prefix, as sorted codes.
func prefixCodes(b *bolt.Bucket, prefix []byte) []uint64 {
	var set []uint64
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		for code := range codes(v) {
			set = append(set, binary.BigEndian.Uint64(code))
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// prefixCount is how many list entries the words starting with prefix hold: what reading
// them all would cost.
func prefixCount(b *bolt.Bucket, prefix []byte) int {
	n := 0
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		n += len(v) / codeSize
	}
	return n
}

// rebuildWordIndexes is migration 7: every association's word index from its clients, in the
// one-key-per-word form.
func rebuildWordIndexes(tx *bolt.Tx) error {
	return eachDataBucket(tx, func(id []byte, b *bolt.Bucket) error {
		if b.Bucket(bClientWord) != nil {
			if err := b.DeleteBucket(bClientWord); err != nil {
				return err
			}
		}
		idx, err := b.CreateBucket(bClientWord)
		if err != nil {
			return err
		}
		lists := map[string][]byte{}
		err = b.Bucket(bClients).ForEach(func(k, v []byte) error { // in code order: each list comes out sorted
			var c Client
			if err := decodeClient(v, &c); err != nil {
				return fmt.Errorf("association %x: client %x: %w", id, k, err)
			}
			for _, w := range words(searchText(c)) {
				lists[w] = append(lists[w], k...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, w := range slices.Sorted(maps.Keys(lists)) {
			if err := idx.Put([]byte(w), lists[w]); err != nil {
				return err
			}
		}
		return nil
	})
}
