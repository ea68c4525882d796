package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Audit actions.
const (
	ActionSettingsChanged = "settings.changed"
	ActionSettingsCleared = "settings.cleared"
	ActionAdminAdded      = "admin.added"
	ActionSyncStarted     = "sync.started"
	ActionSyncCancelled   = "sync.cancelled"
	ActionSyncFinished    = "sync.finished"
	ActionSyncInterrupted = "sync.interrupted"
	ActionScheduleChanged = "schedule.changed"
	ActionImport          = "import"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID      uint64    `json:"id"`
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	From    string    `json:"from"`
	Action  string    `json:"action"`
	Details string    `json:"details"`
}

// Audit appends an entry now.
func (s *Store) Audit(a Actor, action, details string) error {
	return s.update(func(tx *bolt.Tx) error { return appendAudit(tx, s.now().UTC(), a, action, details) })
}

func appendAudit(tx *bolt.Tx, at time.Time, a Actor, action, details string) error {
	b := tx.Bucket(bAudit)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSON(b, u64(id), AuditEntry{ID: id, At: at, Who: a.Who, From: a.From, Action: action, Details: details})
}

// AuditLog lists entries newest first: up to limit (0: all) with IDs below before (0: from the
// newest).
func (s *Store) AuditLog(limit int, before uint64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		var k, v []byte
		if before == 0 {
			k, v = c.Last()
		} else {
			c.Seek(u64(before))
			k, v = c.Prev()
		}
		for ; k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
