package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// Audit actions.
const (
	ActionSettingsChanged     = "settings.changed"
	ActionSettingsCleared     = "settings.cleared"
	ActionAdminAdded          = "admin.added"
	ActionAdminChanged        = "admin.changed"
	ActionAdminRemoved        = "admin.removed"
	ActionAdminDisabled       = "admin.disabled"
	ActionAdminEnabled        = "admin.enabled"
	ActionAdminKeyRemoved     = "admin.key_removed"
	ActionSyncStarted         = "sync.started"
	ActionSyncCancelled       = "sync.cancelled"
	ActionSyncFinished        = "sync.finished"
	ActionSyncInterrupted     = "sync.interrupted"
	ActionScheduleChanged     = "schedule.changed"
	ActionImport              = "import"
	ActionAssociationAdded    = "association.added"
	ActionAssociationDisabled = "association.disabled"
	ActionAssociationEnabled  = "association.enabled"
	ActionAssociationChanged  = "association.changed"
	ActionRulesChanged        = "rules.changed"
	ActionProposalAccepted    = "proposal.accepted"
	ActionProposalDismissed   = "proposal.dismissed"
	ActionOrderChanged        = "order.changed"
	ActionRemoteCommand       = "ssh.command" // a command run inside ponte serve over SSH
	ActionBackup              = "backup"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID      uint64    `json:"id"`
	At      time.Time `json:"at"`
	Who     string    `json:"who"`
	From    string    `json:"from"`
	Action  string    `json:"action"`
	Details string    `json:"details"`
	// The association the action was in, when it was in one: its ID and its short name then.
	AssociationID uint64 `json:"association_id,omitempty"`
	Association   string `json:"association,omitempty"`
}

// Audit appends an entry now.
func (s *Store) Audit(a Actor, action, details string) error {
	return s.update(func(tx txn) error { return appendAudit(tx, s.now().UTC(), a, action, details) })
}

func appendAudit(tx txn, at time.Time, a Actor, action, details string) error {
	b := tx.Bucket(bAudit)
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	e := AuditEntry{ID: id, At: at, Who: a.Who, From: a.From, Action: action, Details: details}
	if tx.assoc != nil {
		e.AssociationID, e.Association = tx.assoc.ID, tx.assoc.Slug
	}
	return putJSON(b, u64(id), e)
}

// AuditLog lists entries newest first: up to limit (0: all) with IDs below before (0: from the
// newest): those of the store's association, or, seen from none, those of every association it
// may see and, to a supervisor, the company's own.
func (s *Store) AuditLog(limit int, before uint64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.view(func(tx txn) error {
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
			if s.shows(e.AssociationID) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}
