package store

import (
	"encoding/binary"
	"time"
)

// keyNewestChange holds, in an association's sync bucket, the SGA time of the newest change-feed
// change a run applied (Batch.NewestChange), as Unix nanoseconds.
var keyNewestChange = []byte("newest_change")

// Freshness is how far an association's data is known to follow SGA's.
type Freshness struct {
	// LastFullRead is when the association's last successful full read ended: when its data
	// was last known to equal SGA's, product links included (zero: never). Only a run of the
	// whole association counts; a client's own run reads one client.
	LastFullRead time.Time
	// NewestChange is SGA's time of the newest change-feed change a run applied (zero: none).
	NewestChange time.Time
}

// Age is how long ago, at now, the data was last known to equal SGA's; ok is false when it
// never was (no full read succeeded).
func (f Freshness) Age(now time.Time) (age time.Duration, ok bool) {
	if f.LastFullRead.IsZero() {
		return 0, false
	}
	return max(0, now.Sub(f.LastFullRead)), true
}

// fullReadDone reports whether a run is a successful full read of its association's data.
func fullReadDone(r Run) bool {
	return r.OfAssociation() && r.Kind == RunFull && r.Status == StatusSucceeded && !r.FinishedAt.IsZero()
}

// Freshness returns the association's freshness.
func (s *Store) Freshness() (Freshness, error) {
	var f Freshness
	err := s.view(func(tx txn) error {
		var err error
		f, err = freshnessOf(tx)
		return err
	})
	return f, err
}

// AssociationFreshness is one association's freshness.
type AssociationFreshness struct {
	Association Association
	Freshness
}

// Freshnesses reports the freshness of every association the store may see, from one read.
func (s *Store) Freshnesses() ([]AssociationFreshness, error) {
	var out []AssociationFreshness
	err := s.view(func(tx txn) error {
		out = out[:0]
		return s.eachVisible(tx, func(t txn) error {
			f, err := freshnessOf(t)
			out = append(out, AssociationFreshness{Association: *t.assoc, Freshness: f})
			return err
		})
	})
	return out, err
}

// freshnessOf reads t's association's freshness: the last full read from its runs (among
// the newest stateScan), the newest change from what its runs wrote.
func freshnessOf(t txn) (Freshness, error) {
	var f Freshness
	if v := t.Bucket(bSync).Get(keyNewestChange); len(v) == 8 {
		f.NewestChange = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
	}
	err := associationRuns(t, func(r Run) bool {
		if fullReadDone(r) {
			f.LastFullRead = r.FinishedAt
			return false
		}
		return true
	})
	return f, err
}

// noteNewestChange records at, the SGA time of a change a batch applied, when it is newer
// than the newest recorded.
func noteNewestChange(t txn, at time.Time) error {
	if at.IsZero() {
		return nil
	}
	b := t.Bucket(bSync)
	if v := b.Get(keyNewestChange); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) >= at.UnixNano() {
		return nil
	}
	return b.Put(keyNewestChange, u64(uint64(at.UnixNano())))
}
