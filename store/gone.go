package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// ErrTooManyGone: marking the vehicles a run did not see would take more of the fleet than
// the caller allows; nothing was marked. The error is a *TooManyGoneError.
var ErrTooManyGone = errors.New("too many vehicles would be marked gone")

// TooManyGoneError says how many vehicles a run would have marked gone, out of how many.
type TooManyGoneError struct {
	Would, Fleet int
}

func (e *TooManyGoneError) Error() string {
	return fmt.Sprintf("%d of the %s would be marked gone; nothing was marked", e.Would, Count(e.Fleet, "stored vehicle", "stored vehicles"))
}

func (e *TooManyGoneError) Is(err error) bool { return err == ErrTooManyGone }

func firstRun(seen []uint64) uint64 {
	if len(seen) == 0 {
		return 0
	}
	return seen[0]
}

// MarkGone marks the vehicles that a finished sync did not see as gone from SGA's list: every
// vehicle for a full sync, or one client's (client > 0). seen are the runs of that sync (the
// run finishing first, then any earlier runs whose checkpoint it continued): a vehicle last
// seen by one of them stays. allow, when not nil, is asked first with how many vehicles would be
// marked out of the fleet not yet gone; when it says no, nothing is marked and the error is a
// *TooManyGoneError. It returns how many were marked, and counts them in the first run.
func (s *Store) MarkGone(seen []uint64, client int64, allow func(would, fleet int) bool) (int, error) {
	now := s.now().UTC()
	marked := 0
	err := s.update(func(tx txn) error {
		marked = 0
		b := tx.Bucket(bVehicles)
		var keys [][]byte
		stored := 0
		c := tx.Bucket(bVehicleClient).Cursor()
		var prefix []byte
		if client > 0 {
			prefix = i64(client)
		}
		for k, last := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, last = c.Next() {
			stored++
			if len(last) != 8 || !slices.Contains(seen, binary.BigEndian.Uint64(last)) {
				keys = append(keys, slices.Clone(k[8:]))
			}
		}
		var gone []Vehicle
		alreadyGone := 0
		for _, k := range keys {
			var v Vehicle
			if _, err := getVehicle(b, k, &v); err != nil {
				return err
			}
			if v.Foreign && client == 0 {
				stored-- // not ours: a full sync never lists it
				continue
			}
			if v.Gone {
				alreadyGone++
				continue
			}
			gone = append(gone, v)
		}
		if allow != nil && len(gone) > 0 && !allow(len(gone), stored-alreadyGone) {
			return &TooManyGoneError{Would: len(gone), Fleet: stored - alreadyGone}
		}
		rx, err := newReactor(tx, nil, firstRun(seen), now)
		if err != nil {
			return err
		}
		for _, v := range gone {
			old := v
			v.Gone, v.GoneAt, v.GoneSituation, v.UpdatedAt = true, now, v.Situation, now
			if err := putVehicle(b, i64(v.SGACode), v); err != nil {
				return err
			}
			if err := rx.react(tx, old, v); err != nil {
				return err
			}
		}
		marked = len(gone)
		if len(seen) > 0 && seen[0] != 0 {
			return updateRun(tx, seen[0], now, func(r *Run) { r.Counts.VehiclesGone += marked; r.Counts.Proposals += rx.made })
		}
		return nil
	})
	return marked, err
}

// SetAside is the rule that a vehicle of ours carries the Código do Produto: it sets aside as
// Foreign (not ours, not gone) each vehicle of ours that a full sync (its runs, as MarkGone
// takes them) did not see and that does not carry product. Such a vehicle was stored under
// another code (a wrong one, put right since): SGA did not drop it, so it is not gone, which
// would propose its Retirada, count it as leaving, and, for a large share of the fleet, make
// the fleet guard refuse every full sync. A later sync that finds it with our product makes
// it ours again. Call it before MarkGone; it returns how many it set aside.
func (s *Store) SetAside(seen []uint64, product string) (int, error) {
	// Which, read first: most full syncs have none, and a write transaction costs an fsync.
	aside := func(tx txn) ([][]byte, error) {
		b := tx.Bucket(bVehicles)
		c := tx.Bucket(bVehicleClient).Cursor()
		var keys [][]byte
		for k, last := c.First(); k != nil; k, last = c.Next() {
			if len(last) == 8 && slices.Contains(seen, binary.BigEndian.Uint64(last)) {
				continue
			}
			var v Vehicle
			if _, err := getVehicle(b, k[8:], &v); err != nil {
				return nil, err
			}
			if !v.Foreign && !v.Gone && !slices.Contains(v.Products, product) {
				keys = append(keys, slices.Clone(k[8:]))
			}
		}
		return keys, nil
	}
	var keys [][]byte
	if err := s.view(func(tx txn) (err error) { keys, err = aside(tx); return err }); err != nil || len(keys) == 0 {
		return 0, err
	}
	now := s.now().UTC()
	n := 0
	err := s.update(func(tx txn) error {
		keys, err := aside(tx)
		if err != nil {
			return err
		}
		b := tx.Bucket(bVehicles)
		for _, k := range keys {
			var v Vehicle
			if _, err := getVehicle(b, k, &v); err != nil {
				return err
			}
			v.Foreign, v.UpdatedAt = true, now
			if err := putVehicle(b, k, v); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	return n, err
}

// markSeen records that run saw a stored vehicle, leaving it as it was (Batch.Seen).
func markSeen(tx txn, code int64, run uint64) error {
	var v Vehicle
	found, err := getVehicle(tx.Bucket(bVehicles), i64(code), &v)
	if err != nil || !found {
		return err
	}
	return tx.put(bVehicleClient, clientVehicleKey(v.ClientSGACode, code), u64(run))
}
