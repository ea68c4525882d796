package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// indexWrites holds a batch's index entries until the end of its transaction, then writes
// them in key order, bucket by bucket. bbolt keeps a node's entries in a sorted slice and
// splits nodes only at commit: entries arriving in random order (index keys are words, CPFs,
// plates) move half a growing node each, entries in order append. The last write of a key
// wins, as it would have written straight away.
type indexWrites struct {
	names   [][]byte
	buckets [][]indexOp // by the position of their name in names
}

type indexOp struct {
	key, value []byte // the caller's: made for each write
	del        bool
}

func (w *indexWrites) add(bucket []byte, op indexOp) {
	for i, name := range w.names {
		if bytes.Equal(name, bucket) {
			w.buckets[i] = append(w.buckets[i], op)
			return
		}
	}
	w.names = append(w.names, bucket)
	w.buckets = append(w.buckets, []indexOp{op})
}

// indexBuffer is an empty indexWrites, its slices kept from an earlier batch: a batch holds
// tens of thousands of entries, and growing their slices again each time is most of what
// buffering them costs.
func (s *Store) indexBuffer() *indexWrites {
	if w, ok := s.buffers.Get().(*indexWrites); ok {
		return w
	}
	return &indexWrites{}
}

// reuse gives a buffer back once its transaction is over (flushed, committed or not).
func (s *Store) reuse(w *indexWrites) {
	for i := range w.buckets {
		clear(w.buckets[i]) // drop the keys, so that they can be collected
		w.buckets[i] = w.buckets[i][:0]
	}
	s.buffers.Put(w)
}

// ErrKeyTooLong: an index key longer than the database holds (bbolt's MaxKeySize). Record
// fields are checked before they are written (CheckVehicle, CheckClient): this is the last
// guard, so that the error names the index rather than saying bbolt's "key too large".
var ErrKeyTooLong = errors.New("index key too long")

// put writes an index entry now, or at flush when the transaction holds them back.
func (t txn) put(bucket, key, value []byte) error {
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	if t.pending != nil {
		t.pending.add(bucket, indexOp{key: key, value: value})
		return nil
	}
	return t.Bucket(bucket).Put(key, value)
}

func checkKey(bucket, key []byte) error {
	if len(key) > bolt.MaxKeySize {
		return fmt.Errorf("%w: %d bytes in the %s index, over the %d it holds", ErrKeyTooLong, len(key), bucket, bolt.MaxKeySize)
	}
	return nil
}

// del deletes an index entry now, or at flush when the transaction holds them back.
func (t txn) del(bucket, key []byte) error {
	if t.pending != nil {
		t.pending.add(bucket, indexOp{key: key, del: true})
		return nil
	}
	return t.Bucket(bucket).Delete(key)
}

// flush writes what the transaction held back, in key order, and stops holding back.
func (t *txn) flush() error {
	w := t.pending
	t.pending = nil
	if w == nil {
		return nil
	}
	for i, name := range w.names {
		ops := w.buckets[i]
		order := make([]int32, len(ops)) // sorting positions moves 4 bytes, not an op
		for j := range order {
			order[j] = int32(j)
		}
		slices.SortFunc(order, func(a, b int32) int {
			return cmp.Or(bytes.Compare(ops[a].key, ops[b].key), cmp.Compare(a, b))
		})
		b := t.Bucket(name)
		if bytes.Equal(name, bClientWord) {
			if err := mergeWords(b, ops, order); err != nil {
				return err
			}
			continue
		}
		for j, at := range order {
			op := ops[at]
			if j+1 < len(order) && bytes.Equal(ops[order[j+1]].key, op.key) {
				continue // a later write of the same key wins
			}
			var err error
			if op.del {
				err = b.Delete(op.key)
			} else {
				err = b.Put(op.key, op.value)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
