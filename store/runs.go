package store

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run kinds, sources and statuses.
const (
	RunFull        = "full"
	RunIncremental = "incremental" // SGA's change feed since the last run
	RunClient      = "client"

	SourceSync   = "sync"   // the supplier-sync API (Sincronismo SGA token)
	SourceManual = "manual" // the manual API (usuário, senha, chave API)

	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusPartial   = "partial"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	// StatusInterrupted: the process running it stopped: it shut down (the run stopped at a
	// checkpoint), or was killed, crashed or its machine went down before it could say how
	// the run ended, and the next writable open found it so.
	StatusInterrupted = "interrupted"

	// ReasonInterrupted is the reason code of an interrupted run.
	ReasonInterrupted = "interrupted"
)

// maxRunErrors bounds the errors a run keeps; past it they are only counted.
const maxRunErrors = 1000

// Run is one sync: who started it, what it read and changed, how it ended, and what failed.
type Run struct {
	ID uint64 `json:"id"`
	// Seq is its number among its association's runs, 1 for the first (filled when read): ID
	// names it in the whole database, Seq says which of its association's it is.
	Seq uint64 `json:"seq,omitempty"`
	// Association is the short name of the association it synced (filled when read).
	Association string    `json:"association,omitempty"`
	Kind        string    `json:"kind"`
	Source      string    `json:"source,omitempty"`
	Client      string    `json:"client,omitempty"` // the CPF, for a client run
	StartedBy   string    `json:"started_by"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"` // its last write: when it last made progress
	Resumes     uint64    `json:"resumes,omitempty"`   // the interrupted run whose checkpoint it continued
	// FellBack: SGA refused the credentials the run first read with, and it read with the
	// others (Source) instead: a full run prefers the Sincronismo SGA token, a client's the
	// manual credentials.
	FellBack bool `json:"fell_back,omitempty"`
	// Note says why a run read in full when the change feed was asked for (in English), and
	// NoteCode the same as a code the console translates.
	Note        string     `json:"note,omitempty"`
	NoteCode    string     `json:"note_code,omitempty"`
	Status      string     `json:"status"`
	CancelledBy string     `json:"cancelled_by,omitempty"` // who cancelled it, for a cancelled run
	Reason      string     `json:"reason,omitempty"`       // why it failed or was cancelled, in English
	ReasonCode  string     `json:"reason_code,omitempty"`  // the same as a code the console translates
	Counts      RunCounts  `json:"counts"`
	Errors      []RunError `json:"errors,omitempty"`
	ErrorCount  int        `json:"error_count"` // all of them, including those not kept
}

// RunCounts are a run's totals.
type RunCounts struct {
	PagesDone         int `json:"pages_done"`
	PagesTotal        int `json:"pages_total"`
	ClientsCreated    int `json:"clients_created"`
	ClientsUpdated    int `json:"clients_updated"`
	ClientsUnchanged  int `json:"clients_unchanged"`
	VehiclesCreated   int `json:"vehicles_created"`
	VehiclesUpdated   int `json:"vehicles_updated"`
	VehiclesUnchanged int `json:"vehicles_unchanged"`
	SituationsChanged int `json:"situations_changed"`
	VehiclesGone      int `json:"vehicles_gone"`
	Proposals         int `json:"proposals,omitempty"` // orders proposed from what changed
	Requests          int `json:"requests,omitempty"`  // SGA requests the run made
	Changes           int `json:"changes,omitempty"`   // change-feed records read (incremental)
	// ListingWas and ListingNow are the supplier listing's record count an incremental run
	// started from and found: equal, it could not see products moved between vehicles.
	ListingWas int `json:"listing_was,omitempty"`
	ListingNow int `json:"listing_now,omitempty"`
}

// AssociationKind reports whether a run of this kind stands for its association's sync state:
// a full or an incremental run does; a client's own run reads one client and says nothing of
// the rest, so it is never the association's "last sync". Every reader asks this.
func AssociationKind(kind string) bool { return kind != RunClient }

// OfAssociation reports whether the run stands for its association's sync state.
func (r Run) OfAssociation() bool { return AssociationKind(r.Kind) }

// Clients and Vehicles are what the run read.
func (c RunCounts) Clients() int  { return c.ClientsCreated + c.ClientsUpdated + c.ClientsUnchanged }
func (c RunCounts) Vehicles() int { return c.VehiclesCreated + c.VehiclesUpdated + c.VehiclesUnchanged }

// countsText is a run's counts as its audit entries tell them: "1 client, 2 vehicles, 0 errors".
func (r Run) countsText() string {
	return Count(r.Counts.Clients(), "client", "clients") + ", " + Count(r.Counts.Vehicles(), "vehicle", "vehicles") + ", " +
		Count(r.ErrorCount, "error", "errors")
}

func (c *RunCounts) add(r BatchResult) {
	c.ClientsCreated += r.ClientsCreated
	c.ClientsUpdated += r.ClientsUpdated
	c.ClientsUnchanged += r.ClientsUnchanged
	c.VehiclesCreated += r.VehiclesCreated
	c.VehiclesUpdated += r.VehiclesUpdated
	c.VehiclesUnchanged += r.VehiclesUnchanged
	c.SituationsChanged += r.SituationsChanged
	c.Proposals += r.Proposals
}

// RunError is one failure of a run: which SGA record or page, why, and when.
type RunError struct {
	Key    string    `json:"key,omitempty"` // e.g. "codigo_veiculo=55012"
	Page   int       `json:"page,omitempty"`
	Kind   string    `json:"kind,omitempty"` // a code the console translates: "record", "transient"...
	Reason string    `json:"reason"`         // the detail, in English or as SGA wrote it
	At     time.Time `json:"at"`
}

func (r *Run) addErrors(errs []RunError) {
	r.ErrorCount += len(errs)
	room := maxRunErrors - len(r.Errors)
	if room > 0 {
		r.Errors = append(r.Errors, errs[:min(room, len(errs))]...)
	}
}

// Checkpoint is where a run stands, written with the data it covers, so that a run interrupted
// by anything continues where it was. Its meaning is the sync engine's.
type Checkpoint struct {
	RunID  uint64         `json:"run_id"`
	Source string         `json:"source"`
	Total  int            `json:"total"`
	Done   []int          `json:"done,omitempty"`   // pages done
	Failed map[int]string `json:"failed,omitempty"` // pages that failed, with the reason
	// Product is the Código do Produto the pages were read with: a run with another one
	// starts afresh.
	Product string          `json:"product,omitempty"`
	Extra   json.RawMessage `json:"extra,omitempty"`
}

var (
	keyCheckpoint = []byte("checkpoint")
	keySchedule   = []byte("schedule")
	keyFeed       = []byte("feed")
)

// FeedState is where an association's incremental sync stands: SGA's change feed has been
// read up to Cursor, the last full sync ended at LastFull, and SGA's supplier listing then
// counted ListingTotal records, the newest vehicle code among them MaxCode.
type FeedState struct {
	Cursor       time.Time `json:"cursor,omitzero"`
	LastFull     time.Time `json:"last_full,omitzero"`
	ListingTotal int       `json:"listing_total,omitempty"`
	MaxCode      int64     `json:"max_code,omitempty"`
	// Ordered: the last full read found the listing in vehicle-code order, so new vehicles
	// are on its last pages.
	Ordered bool `json:"ordered,omitempty"`
	// Described is, for each vehicle whose model, brand or colour a change in the feed's
	// overlap made ponte read again, the newest such change read for: a run that finds the
	// change again does not read the vehicle again. Entries leave with the overlap.
	Described map[int64]Described `json:"described,omitempty"`
}

// Described is the newest descriptive change a vehicle was read again for, and when SGA made it.
type Described struct {
	Change int64     `json:"change"`
	At     time.Time `json:"at"`
}

// Newer reports whether a listing record's vehicle code is newer than any the listing held
// when this state was written: MaxCode is the newest code of every record of the listing,
// ours or not, so a record counted as new once is never counted again.
func (f FeedState) Newer(code int64) bool { return code > f.MaxCode }

// Feed returns the association's feed state (zero when no run has written one).
func (s *Store) Feed() (FeedState, error) {
	var f FeedState
	err := s.view(func(tx txn) error {
		_, err := getJSON(tx.Bucket(bSync), keyFeed, &f)
		return err
	})
	return f, err
}

// StartRun records a new run as running, with an audit entry.
func (s *Store) StartRun(r Run, a Actor) (Run, error) {
	now := s.now().UTC()
	r.StartedAt, r.UpdatedAt, r.Status, r.StartedBy = now, now, StatusRunning, a.Who
	err := s.update(func(tx txn) error {
		b := tx.Bucket(bRuns)
		id, err := nextRunID(tx)
		if err != nil {
			return err
		}
		r.ID = id
		if err := putJSON(b, u64(id), r); err != nil {
			return err
		}
		r.Seq, r.Association = runSeq(b, id), tx.assoc.Slug
		details := fmt.Sprintf("run %d, %s", id, r.Kind)
		if r.Client != "" {
			details += ", client " + r.Client
		}
		if r.Resumes != 0 {
			details += fmt.Sprintf(", resuming run %d from its checkpoint", r.Resumes)
		}
		return appendAudit(tx, now, a, ActionSyncStarted, details)
	})
	return r, err
}

// UpdateRun changes a run in place (page totals, for instance).
func (s *Store) UpdateRun(id uint64, f func(*Run)) error {
	now := s.now().UTC()
	return s.update(func(tx txn) error { return updateRun(tx, id, now, f) })
}

// updateRun changes a run and stamps it with now, its last sign of life.
func updateRun(tx txn, id uint64, now time.Time, f func(*Run)) error {
	b := tx.Bucket(bRuns)
	var r Run
	found, err := getJSON(b, u64(id), &r)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	f(&r)
	r.UpdatedAt = now
	return putJSON(b, u64(id), r)
}

// FinishRun records how a run ended, with an audit entry, and clears the checkpoint when the
// run succeeded. A cancelled or failed run keeps it, to be resumed; a partial one keeps what
// the sync engine left in it (the pages to retry first).
func (s *Store) FinishRun(id uint64, status, code, reason string, a Actor) (Run, error) {
	now := s.now().UTC()
	var r Run
	err := s.update(func(tx txn) error {
		if err := updateRun(tx, id, now, func(run *Run) {
			run.Status, run.ReasonCode, run.Reason, run.FinishedAt = status, code, reason, now
			if status == StatusCancelled {
				run.CancelledBy = a.Who // the actor of a cancelled run's end is who cancelled it
			}
			r = *run
		}); err != nil {
			return err
		}
		r.Seq, r.Association = runSeq(tx.Bucket(bRuns), id), tx.assoc.Slug
		if status == StatusSucceeded {
			var cp Checkpoint
			if found, _ := getJSON(tx.Bucket(bSync), keyCheckpoint, &cp); found && cp.RunID == id {
				if err := tx.Bucket(bSync).Delete(keyCheckpoint); err != nil {
					return err
				}
			}
		}
		action := ActionSyncFinished
		switch status {
		case StatusCancelled:
			action = ActionSyncCancelled
		case StatusInterrupted:
			action = ActionSyncInterrupted
		}
		details := fmt.Sprintf("run %d %s: %s", id, status, r.countsText())
		if reason != "" {
			details += "; " + reason
		}
		return appendAudit(tx, now, a, action, details)
	})
	return r, err
}

// nextRunID takes the next run ID: one sequence for every association, so that a run's
// number names it alone.
func nextRunID(tx txn) (uint64, error) {
	b := tx.Bucket(bSequences)
	var n uint64
	if v := b.Get(keyRunSeq); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	return n, b.Put(keyRunSeq, u64(n))
}

// closeInterrupted closes, as interrupted, each association's newest run if it is still
// marked running: only one run goes at a time in an association and only the process holding
// the file writes, so a writable open that finds one running found a run whose process died.
// It ends at its last sign of life.
func (s *Store) closeInterrupted() (closed int, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		closed = 0
		return eachAssociation(tx, func(t txn) error {
			n, err := closeRunning(t, s.now().UTC(), true)
			closed += n
			return err
		})
	})
	return closed, err
}

// closeRunning closes the runs marked running: the newest only, or every one (a database from
// before runs were closed at open may have several).
func closeRunning(tx txn, now time.Time, newestOnly bool) (int, error) {
	b := tx.Bucket(bRuns)
	c := b.Cursor()
	var stale []uint64
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var head struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(v, &head); err != nil {
			return 0, fmt.Errorf("run %x: %w", k, err)
		}
		if head.Status == StatusRunning {
			stale = append(stale, binary.BigEndian.Uint64(k))
		}
		if newestOnly {
			break
		}
	}
	for _, id := range stale {
		var r Run
		if _, err := getJSON(b, u64(id), &r); err != nil {
			return 0, err
		}
		r.Status, r.ReasonCode = StatusInterrupted, ReasonInterrupted
		r.FinishedAt = r.UpdatedAt
		if r.FinishedAt.IsZero() {
			r.FinishedAt = r.StartedAt
		}
		r.Reason = fmt.Sprintf("the ponte process running it stopped at about %s without finishing it "+
			"(killed, crashed or the machine went down); found at %s", r.FinishedAt.Format(time.RFC3339), now.Format(time.RFC3339))
		if err := putJSON(b, u64(id), r); err != nil {
			return 0, err
		}
		details := fmt.Sprintf("run %d interrupted: %s; last sign of life %s", id, r.countsText(), r.FinishedAt.Format(time.RFC3339))
		if err := appendAudit(tx, now, Actor{Who: "ponte", From: "open"}, ActionSyncInterrupted, details); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// Run returns one run: of the store's association, or, seen from none, of any it may see.
func (s *Store) Run(id uint64) (Run, error) {
	var r Run
	err := s.view(func(tx txn) error {
		return s.eachVisible(tx, func(t txn) error {
			found, err := getJSON(t.Bucket(bRuns), u64(id), &r)
			if err == nil && found {
				r.Association, r.Seq = t.assoc.Slug, runSeq(t.Bucket(bRuns), id)
				return errStop
			}
			return err
		})
	})
	switch {
	case errors.Is(err, errStop):
		return r, nil
	case err == nil:
		return r, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	return r, err
}

// errStop ends an iteration early, found.
var errStop = errors.New("stop")

// eachVisible calls fn with the transaction seen from the store's association, or, seen from
// none, from each association it may see.
func (s *Store) eachVisible(tx txn, fn func(t txn) error) error {
	if tx.data != nil {
		return fn(tx)
	}
	return eachAssociation(tx.Tx, func(t txn) error {
		if !s.sees(t.assoc.ID) {
			return nil
		}
		return fn(t)
	})
}

// Runs lists runs newest first, up to limit (0: all): the store's association's, or, seen
// from none, those of every association it may see.
func (s *Store) Runs(limit int) ([]Run, error) {
	var out []Run
	err := s.view(func(tx txn) error {
		out = out[:0]
		return s.eachVisible(tx, func(t txn) error {
			return newestRuns(t, limit, func(r Run) { out = append(out, r) })
		})
	})
	slices.SortFunc(out, func(a, b Run) int { return cmp.Compare(b.ID, a.ID) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// Checkpoint returns the saved checkpoint, if any.
func (s *Store) Checkpoint() (Checkpoint, bool, error) {
	var cp Checkpoint
	var found bool
	err := s.view(func(tx txn) error {
		var err error
		found, err = getJSON(tx.Bucket(bSync), keyCheckpoint, &cp)
		return err
	})
	return cp, found, err
}

// SyncState returns the newest runs (up to limit) and the daily schedule, from one read
// transaction: what a screen about the sync shows together.
func (s *Store) SyncState(limit int) ([]Run, Schedule, error) {
	var runs []Run
	var sc Schedule
	err := s.view(func(tx txn) error {
		runs = runs[:0]
		if err := newestRuns(tx, limit, func(r Run) { runs = append(runs, r) }); err != nil {
			return err
		}
		var err error
		sc, _, err = readSchedule(tx.Bucket(bSync))
		return err
	})
	return runs, sc, err
}

// SyncState is where an association's syncs stand, for monitoring: its newest run of the
// whole association (full or incremental; a client's run is not one) and when the newest of
// those that finished (succeeded or partial) ended.
type SyncState struct {
	Association Association
	Last        *Run      // nil: never synced
	LastSuccess time.Time // zero: none finished among the newest stateScan
}

// stateScan bounds how far back SyncStates looks for a finished run.
const stateScan = 1000

// SyncStates reports every association the store may see, from one read.
func (s *Store) SyncStates() ([]SyncState, error) {
	var out []SyncState
	err := s.view(func(tx txn) error {
		out = out[:0]
		return s.eachVisible(tx, func(t txn) error {
			st := SyncState{Association: *t.assoc}
			err := associationRuns(t, func(r Run) bool {
				if st.Last == nil {
					st.Last = &r
				}
				if r.Status == StatusSucceeded || r.Status == StatusPartial {
					st.LastSuccess = r.FinishedAt
				}
				return st.LastSuccess.IsZero()
			})
			out = append(out, st)
			return err
		})
	})
	return out, err
}

// associationRuns calls fn with the runs that stand for t's association (OfAssociation),
// newest first, among its newest stateScan runs, until fn returns false.
func associationRuns(t txn, fn func(Run) bool) error {
	c, n := t.Bucket(bRuns).Cursor(), 0
	for k, v := c.Last(); k != nil && n < stateScan; k, v = c.Prev() {
		n++
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("run %x: %w", k, err)
		}
		if !r.OfAssociation() {
			continue
		}
		r.Association = t.assoc.Slug
		if !fn(r) {
			return nil
		}
	}
	return nil
}

// lastAssociationRun is t's association's newest run that stands for it (nil: none).
func lastAssociationRun(t txn) (*Run, error) {
	var last *Run
	err := associationRuns(t, func(r Run) bool { last = &r; return false })
	return last, err
}

// LastRun returns the association's last sync: its newest full or incremental run (nil:
// never synced). A client's own run is not one.
func (s *Store) LastRun() (*Run, error) {
	var last *Run
	err := s.view(func(tx txn) error {
		var err error
		last, err = lastAssociationRun(tx)
		return err
	})
	return last, err
}

// newestRuns calls fn with t's association's runs, newest first, up to limit (0: all), each
// with its association and its Seq.
func newestRuns(t txn, limit int, fn func(Run)) error {
	b := t.Bucket(bRuns)
	c, n := b.Cursor(), 0
	k, v := c.Last()
	if k == nil {
		return nil
	}
	seq := runSeq(b, binary.BigEndian.Uint64(k))
	for ; k != nil && (limit <= 0 || n < limit); k, v = c.Prev() {
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("run %x: %w", k, err)
		}
		r.Association, r.Seq = t.assoc.Slug, seq
		fn(r)
		n++
		seq--
	}
	return nil
}

// runSeq is run id's number among its association's runs (b): runs are never deleted and
// their IDs grow, so it is the run's place in the bucket.
func runSeq(b *bolt.Bucket, id uint64) uint64 {
	c, n := b.Cursor(), uint64(0)
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= id; k, _ = c.Next() {
		n++
	}
	return n
}
