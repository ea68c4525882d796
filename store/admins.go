package store

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"ponte/store/norm"
)

// Admin is an administrator profile: who may use the console, and with which SSH keys.
type Admin struct {
	ID        uint64    `json:"id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Keys      []SSHKey  `json:"keys,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// Role is RoleSupervisor (every association; may add associations and administrators and
	// change integrations) or RoleOperator (only Associations; may sync and import there).
	Role         string   `json:"role"`
	Associations []uint64 `json:"associations,omitempty"` // an operator's, by ID
	// Disabled keeps the profile and its keys but lets no session in (SetAdminEnabled).
	Disabled bool `json:"disabled,omitempty"`
}

// Roles of administrators.
const (
	RoleSupervisor = "supervisor"
	RoleOperator   = "operator"
)

// Supervisor reports whether the administrator sees and may change everything.
func (a Admin) Supervisor() bool { return a.Role == RoleSupervisor }

// SSHKey is a public key, parsed by the caller: the store keeps its fingerprint (SHA256:...)
// as the index and the authorized_keys line to show.
type SSHKey struct {
	Fingerprint string    `json:"fingerprint"`
	Line        string    `json:"line"`
	Comment     string    `json:"comment,omitempty"`
	AddedAt     time.Time `json:"added_at"`
}

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// AddAdmin creates a profile. Logins are unique, and so is each key across all profiles.
func (s *Store) AddAdmin(a Admin, by Actor) (Admin, error) {
	a.Login = strings.ToLower(strings.TrimSpace(a.Login))
	a.Name = strings.TrimSpace(a.Name)
	a.Email = strings.TrimSpace(a.Email)
	switch {
	case !loginPattern.MatchString(a.Login):
		return Admin{}, fmt.Errorf("login %q: 2 to 32 lower-case letters, digits, '.', '_' or '-': %w", a.Login, ErrInvalid)
	case CheckAdminName(a.Name) != nil:
		return Admin{}, CheckAdminName(a.Name)
	case a.Email != "" && (!strings.Contains(a.Email, "@") || len(a.Email) > 254):
		return Admin{}, fmt.Errorf("e-mail %q: %w", a.Email, ErrInvalid)
	case a.Role == "":
		a.Role = RoleSupervisor
	case a.Role != RoleSupervisor && a.Role != RoleOperator:
		return Admin{}, fmt.Errorf("role %q: want %s or %s: %w", a.Role, RoleSupervisor, RoleOperator, ErrInvalid)
	}
	switch {
	case !s.supervisor():
		return Admin{}, fmt.Errorf("adding administrators is for supervisors: %w", ErrForbidden)
	case a.Role == RoleSupervisor:
		a.Associations = nil
	case len(a.Associations) == 0:
		return Admin{}, fmt.Errorf("an operator needs at least one association: %w", ErrInvalid)
	}
	slices.Sort(a.Associations)
	a.Associations = slices.Compact(a.Associations)
	now := s.now().UTC()
	a.CreatedAt, a.CreatedBy = now, by.Who
	for i := range a.Keys {
		if a.Keys[i].Fingerprint == "" {
			return Admin{}, fmt.Errorf("key %d has no fingerprint: %w", i+1, ErrInvalid)
		}
		a.Keys[i].AddedAt = now
	}
	err := s.update(func(tx txn) error {
		logins, keys := tx.Bucket(bAdminLogin), tx.Bucket(bAdminKey)
		if logins.Get([]byte(a.Login)) != nil {
			return fmt.Errorf("administrator %q: %w", a.Login, ErrDuplicate)
		}
		for _, k := range a.Keys {
			if owner := keys.Get([]byte(k.Fingerprint)); owner != nil {
				return fmt.Errorf("key %s already belongs to another administrator: %w", k.Fingerprint, ErrDuplicate)
			}
		}
		for _, id := range a.Associations {
			if tx.Bucket(bAssociations).Get(u64(id)) == nil {
				return fmt.Errorf("association %d: %w", id, ErrNotFound)
			}
		}
		b := tx.Bucket(bAdmins)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		a.ID = id
		if err := putJSON(b, u64(id), a); err != nil {
			return err
		}
		if err := logins.Put([]byte(a.Login), u64(id)); err != nil {
			return err
		}
		for _, k := range a.Keys {
			if err := keys.Put([]byte(k.Fingerprint), u64(id)); err != nil {
				return err
			}
		}
		return appendAudit(tx.company(), now, by, ActionAdminAdded, fmt.Sprintf("login %s, %s, %s", a.Login, a.Role, Count(len(a.Keys), "key", "keys")))
	})
	if err != nil {
		return Admin{}, err
	}
	return a, nil
}

// SetAdminAccess changes an administrator's role and, for an operator, their associations:
// none at all parks the profile (MayLogIn refuses it). Sessions that would now see less end
// (see WatchAdmins and Admin.Holds); the last enabled supervisor stays one.
func (s *Store) SetAdminAccess(login, role string, associations []uint64, by Actor) (Admin, error) {
	switch {
	case role != RoleSupervisor && role != RoleOperator:
		return Admin{}, fmt.Errorf("role %q: want %s or %s: %w", role, RoleSupervisor, RoleOperator, ErrInvalid)
	case role == RoleSupervisor:
		associations = nil
	}
	associations = slices.Clone(associations)
	slices.Sort(associations)
	associations = slices.Compact(associations)
	return s.updateAdmin(login, "changing administrators", func(tx txn, id []byte, a *Admin) error {
		for _, assoc := range associations {
			if tx.Bucket(bAssociations).Get(u64(assoc)) == nil {
				return fmt.Errorf("association %d: %w", assoc, ErrNotFound)
			}
		}
		if a.Supervisor() && !a.Disabled && role != RoleSupervisor {
			if err := keepsSupervisor(tx, id, a.Login); err != nil {
				return err
			}
		}
		a.Role, a.Associations = role, associations
		if err := putJSON(tx.Bucket(bAdmins), id, a); err != nil {
			return err
		}
		return appendAudit(tx.company(), s.now().UTC(), by, ActionAdminChanged,
			fmt.Sprintf("login %s: %s of %s", a.Login, role, Count(len(associations), "association", "associations")))
	})
}

// Admins lists the profiles by name: every one to a supervisor, only their own to an operator.
func (s *Store) Admins() ([]Admin, error) {
	var out []Admin
	err := s.view(func(tx txn) error {
		return tx.Bucket(bAdmins).ForEach(func(_, v []byte) error {
			var a Admin
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if s.supervisor() || a.ID == s.who {
				out = append(out, a)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return norm.Key(out[i].Name) < norm.Key(out[j].Name) })
	return out, err
}

// AdminByLogin finds a profile by login.
func (s *Store) AdminByLogin(login string) (Admin, error) {
	return s.adminBy(bAdminLogin, strings.ToLower(strings.TrimSpace(login)))
}

// AdminByKey finds the profile that owns a key fingerprint.
func (s *Store) AdminByKey(fingerprint string) (Admin, error) {
	return s.adminBy(bAdminKey, fingerprint)
}

func (s *Store) adminBy(index []byte, key string) (Admin, error) {
	var a Admin
	err := s.view(func(tx txn) error {
		id := tx.Bucket(index).Get([]byte(key))
		if id == nil {
			return fmt.Errorf("administrator %q: %w", key, ErrNotFound)
		}
		found, err := getJSON(tx.Bucket(bAdmins), id, &a)
		if !found && err == nil {
			return fmt.Errorf("administrator %q: index without record: %w", key, ErrNotFound)
		}
		return err
	})
	return a, err
}

// AddAdminKey gives an existing administrator one more key. A key already theirs changes
// nothing; a key of another administrator is refused.
func (s *Store) AddAdminKey(login string, k SSHKey, by Actor) error {
	if k.Fingerprint == "" {
		return fmt.Errorf("key without a fingerprint: %w", ErrInvalid)
	}
	_, err := s.updateAdmin(login, "adding keys", func(tx txn, id []byte, a *Admin) error {
		if owner := tx.Bucket(bAdminKey).Get([]byte(k.Fingerprint)); owner != nil {
			if string(owner) == string(id) {
				return nil
			}
			return fmt.Errorf("key %s already belongs to another administrator: %w", k.Fingerprint, ErrDuplicate)
		}
		now := s.now().UTC()
		k.AddedAt = now
		a.Keys = append(a.Keys, k)
		if err := putJSON(tx.Bucket(bAdmins), id, a); err != nil {
			return err
		}
		if err := tx.Bucket(bAdminKey).Put([]byte(k.Fingerprint), id); err != nil {
			return err
		}
		return appendAudit(tx.company(), now, by, ActionAdminAdded, fmt.Sprintf("login %s: key %s", a.Login, k.Fingerprint))
	})
	return err
}
