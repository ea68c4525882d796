package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run kinds, sources and statuses.
const (
	RunFull   = "full"
	RunClient = "client"

	SourceSync   = "sync"   // the supplier-sync API (Sincronismo SGA token)
	SourceManual = "manual" // the manual API (usuário, senha, chave API)

	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusPartial   = "partial"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// maxRunErrors bounds the errors a run keeps; past it they are only counted.
const maxRunErrors = 1000

// Run is one sync: who started it, what it read and changed, how it ended, and what failed.
type Run struct {
	ID         uint64     `json:"id"`
	Kind       string     `json:"kind"`
	Source     string     `json:"source,omitempty"`
	Client     string     `json:"client,omitempty"` // the CPF, for a client run
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt time.Time  `json:"finished_at,omitzero"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`      // why it failed or was cancelled, in English
	ReasonCode string     `json:"reason_code,omitempty"` // the same as a code the console translates
	Counts     RunCounts  `json:"counts"`
	Errors     []RunError `json:"errors,omitempty"`
	ErrorCount int        `json:"error_count"` // all of them, including those not kept
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
}

// Clients and Vehicles are what the run read.
func (c RunCounts) Clients() int  { return c.ClientsCreated + c.ClientsUpdated + c.ClientsUnchanged }
func (c RunCounts) Vehicles() int { return c.VehiclesCreated + c.VehiclesUpdated + c.VehiclesUnchanged }

func (c *RunCounts) add(r BatchResult) {
	c.ClientsCreated += r.ClientsCreated
	c.ClientsUpdated += r.ClientsUpdated
	c.ClientsUnchanged += r.ClientsUnchanged
	c.VehiclesCreated += r.VehiclesCreated
	c.VehiclesUpdated += r.VehiclesUpdated
	c.VehiclesUnchanged += r.VehiclesUnchanged
	c.SituationsChanged += r.SituationsChanged
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
	RunID  uint64          `json:"run_id"`
	Source string          `json:"source"`
	Total  int             `json:"total"`
	Done   []int           `json:"done,omitempty"`   // pages done
	Failed map[int]string  `json:"failed,omitempty"` // pages that failed, with the reason
	Extra  json.RawMessage `json:"extra,omitempty"`
}

var (
	keyCheckpoint = []byte("checkpoint")
	keySchedule   = []byte("schedule")
)

// StartRun records a new run as running, with an audit entry.
func (s *Store) StartRun(r Run, a Actor) (Run, error) {
	now := s.now().UTC()
	r.StartedAt, r.Status, r.StartedBy = now, StatusRunning, a.Who
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bRuns)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.ID = id
		if err := putJSON(b, u64(id), r); err != nil {
			return err
		}
		details := fmt.Sprintf("run %d, %s", id, r.Kind)
		if r.Client != "" {
			details += ", client " + r.Client
		}
		return appendAudit(tx, now, a, ActionSyncStarted, details)
	})
	return r, err
}

// UpdateRun changes a run in place (page totals, for instance).
func (s *Store) UpdateRun(id uint64, f func(*Run)) error {
	return s.update(func(tx *bolt.Tx) error { return updateRun(tx, id, f) })
}

func updateRun(tx *bolt.Tx, id uint64, f func(*Run)) error {
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
	return putJSON(b, u64(id), r)
}

// FinishRun records how a run ended, with an audit entry, and clears the checkpoint when the
// run succeeded. A cancelled or failed run keeps it, to be resumed; a partial one keeps what
// the sync engine left in it (the pages to retry first).
func (s *Store) FinishRun(id uint64, status, code, reason string, a Actor) (Run, error) {
	now := s.now().UTC()
	var r Run
	err := s.update(func(tx *bolt.Tx) error {
		if err := updateRun(tx, id, func(run *Run) {
			run.Status, run.ReasonCode, run.Reason, run.FinishedAt = status, code, reason, now
			r = *run
		}); err != nil {
			return err
		}
		if status == StatusSucceeded {
			var cp Checkpoint
			if found, _ := getJSON(tx.Bucket(bSync), keyCheckpoint, &cp); found && cp.RunID == id {
				if err := tx.Bucket(bSync).Delete(keyCheckpoint); err != nil {
					return err
				}
			}
		}
		action := ActionSyncFinished
		if status == StatusCancelled {
			action = ActionSyncCancelled
		}
		details := fmt.Sprintf("run %d %s: %d clients, %d vehicles, %d errors", id, status,
			r.Counts.Clients(), r.Counts.Vehicles(), r.ErrorCount)
		if reason != "" {
			details += "; " + reason
		}
		return appendAudit(tx, now, a, action, details)
	})
	return r, err
}

// Run returns one run.
func (s *Store) Run(id uint64) (Run, error) {
	var r Run
	err := s.getOne(bRuns, u64(id), &r, fmt.Sprintf("run %d", id))
	return r, err
}

// Runs lists runs newest first, up to limit (0: all).
func (s *Store) Runs(limit int) ([]Run, error) {
	var out []Run
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRuns).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %x: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Checkpoint returns the saved checkpoint, if any.
func (s *Store) Checkpoint() (Checkpoint, bool, error) {
	var cp Checkpoint
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bSync), keyCheckpoint, &cp)
		return err
	})
	return cp, found, err
}

// Schedule is the daily automatic sync.
type Schedule struct {
	Enabled   bool      `json:"enabled"`
	TimeOfDay string    `json:"time_of_day"` // "03:00", local time
	LastRun   time.Time `json:"last_run,omitzero"`
	NextRun   time.Time `json:"next_run,omitzero"`
	ChangedBy string    `json:"changed_by,omitempty"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// DefaultTimeOfDay is when the daily sync runs unless set otherwise.
const DefaultTimeOfDay = "03:00"

// Schedule returns the daily schedule (disabled at 03:00 when never set).
func (s *Store) Schedule() (Schedule, error) {
	sc := Schedule{TimeOfDay: DefaultTimeOfDay}
	err := s.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bSync), keySchedule, &sc)
		return err
	})
	return sc, err
}

// SetSchedule saves the schedule; a change of Enabled or TimeOfDay is audited.
func (s *Store) SetSchedule(sc Schedule, a Actor) error {
	if _, err := time.Parse("15:04", sc.TimeOfDay); err != nil {
		return fmt.Errorf("time of day %q: want HH:MM: %w", sc.TimeOfDay, ErrInvalid)
	}
	now := s.now().UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSync)
		var old Schedule
		found, err := getJSON(b, keySchedule, &old)
		if err != nil {
			return err
		}
		changed := !found || old.Enabled != sc.Enabled || old.TimeOfDay != sc.TimeOfDay
		if changed {
			sc.ChangedBy, sc.ChangedAt = a.Who, now
		} else {
			sc.ChangedBy, sc.ChangedAt = old.ChangedBy, old.ChangedAt
		}
		if err := putJSON(b, keySchedule, sc); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		state := "off"
		if sc.Enabled {
			state = "on"
		}
		return appendAudit(tx, now, a, ActionScheduleChanged, fmt.Sprintf("daily sync %s at %s", state, sc.TimeOfDay))
	})
}

// SyncState returns the newest runs (up to limit) and the daily schedule, from one read
// transaction: what a screen about the sync shows together.
func (s *Store) SyncState(limit int) ([]Run, Schedule, error) {
	var runs []Run
	sc := Schedule{TimeOfDay: DefaultTimeOfDay}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRuns).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(runs) < limit); k, v = c.Prev() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %x: %w", k, err)
			}
			runs = append(runs, r)
		}
		_, err := getJSON(tx.Bucket(bSync), keySchedule, &sc)
		return err
	})
	return runs, sc, err
}
