package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// keepsSupervisor is the one rule that the company always keeps an enabled supervisor: a
// change that leaves profile id (login) no longer an enabled supervisor (removed, disabled or
// made an operator) is refused when no other enabled supervisor remains. Keys do not count:
// the last supervisor may lose a leaked key, and a key is added on the server's machine.
func keepsSupervisor(tx txn, id []byte, login string) error {
	others := 0
	err := tx.Bucket(bAdmins).ForEach(func(k, v []byte) error {
		if string(k) == string(id) {
			return nil
		}
		var a Admin
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("administrator %d: %w", binary.BigEndian.Uint64(k), err)
		}
		if a.Supervisor() && !a.Disabled {
			others++
		}
		return nil
	})
	if err == nil && others == 0 {
		err = fmt.Errorf("%s is the last enabled supervisor: make another administrator supervisor first: %w", login, ErrLastSupervisor)
	}
	return err
}

// MayLogIn says whether a session may open as the administrator now: nil, or why not. A
// disabled profile is refused, and so is an operator with no association: an operator's
// access is their associations, and with none there is nothing to see or do, so the profile
// (with its keys and its history) waits, refused, until a supervisor gives it one. The SSH
// server asks this at login and again on every change of administrators.
func (a Admin) MayLogIn() error {
	switch {
	case a.Disabled:
		return fmt.Errorf("administrator %s is disabled: %w", a.Login, ErrForbidden)
	case !a.Supervisor() && len(a.Associations) == 0:
		return fmt.Errorf("operator %s has no association: %w", a.Login, ErrForbidden)
	}
	return nil
}

// Holds reports whether a session opened as was may go on now that its profile reads a: it
// is the same profile, it may log in, and it sees at least what was saw. A session that would
// see less (removed, disabled, made an operator, an association taken away) must end; one
// given more keeps what it had until it opens again.
func (a Admin) Holds(was Admin) bool {
	if a.ID != was.ID || a.MayLogIn() != nil {
		return false
	}
	if a.Supervisor() {
		return true
	}
	if was.Supervisor() {
		return false
	}
	for _, id := range was.Associations {
		if !slices.Contains(a.Associations, id) {
			return false
		}
	}
	return true
}

// adminWatch calls its watchers after each committed change of administrators.
type adminWatch struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
}

// WatchAdmins calls fn after every change of administrators that commits, through any view of
// this database (removed, disabled or enabled, access changed, a key added or removed): the
// SSH server checks its open sessions then. fn runs on the writer's goroutine and must not
// block. stop ends the watch.
func (s *Store) WatchAdmins(fn func()) (stop func()) {
	w := s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fns == nil {
		w.fns = map[int]func(){}
	}
	id := w.next
	w.next++
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.fns, id)
	}
}

// adminsChanged tells the watchers, after a change committed.
func (s *Store) adminsChanged() {
	w := s.watch
	w.mu.Lock()
	fns := make([]func(), 0, len(w.fns))
	for _, fn := range w.fns {
		fns = append(fns, fn)
	}
	w.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// updateAdmin runs fn on the profile login names, in a write transaction that the supervisors
// alone may start, and tells the watchers when it commits.
func (s *Store) updateAdmin(login, what string, fn func(tx txn, id []byte, a *Admin) error) (Admin, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if !s.supervisor() {
		return Admin{}, fmt.Errorf("%s is for supervisors: %w", what, ErrForbidden)
	}
	var a Admin
	err := s.update(func(tx txn) error {
		id := tx.Bucket(bAdminLogin).Get([]byte(login))
		if id == nil {
			return fmt.Errorf("administrator %q: %w", login, ErrNotFound)
		}
		found, err := getJSON(tx.Bucket(bAdmins), id, &a)
		if err == nil && !found {
			err = fmt.Errorf("administrator %q: index without record: %w", login, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return fn(tx, slices.Clone(id), &a)
	})
	if err != nil {
		return Admin{}, err
	}
	s.adminsChanged()
	return a, nil
}

// RemoveAdmin deletes a profile and its keys, audited; its sessions end (see WatchAdmins).
// The last enabled supervisor is not removed.
func (s *Store) RemoveAdmin(login string, by Actor) (Admin, error) {
	return s.updateAdmin(login, "removing administrators", func(tx txn, id []byte, a *Admin) error {
		if a.Supervisor() && !a.Disabled {
			if err := keepsSupervisor(tx, id, a.Login); err != nil {
				return err
			}
		}
		for _, k := range a.Keys {
			if err := tx.Bucket(bAdminKey).Delete([]byte(k.Fingerprint)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bAdminLogin).Delete([]byte(a.Login)); err != nil {
			return err
		}
		if err := tx.Bucket(bAdmins).Delete(id); err != nil {
			return err
		}
		return appendAudit(tx.company(), s.now().UTC(), by, ActionAdminRemoved,
			fmt.Sprintf("login %s (%s), %s, %s", a.Login, a.Name, a.Role, Count(len(a.Keys), "key", "keys")))
	})
}

// SetAdminEnabled disables a profile (it keeps its keys and may not log in; its sessions
// end) or enables it again, audited. The last enabled supervisor is not disabled. A profile
// already so changes nothing.
func (s *Store) SetAdminEnabled(login string, enabled bool, by Actor) (Admin, error) {
	return s.updateAdmin(login, "disabling and enabling administrators", func(tx txn, id []byte, a *Admin) error {
		if a.Disabled == !enabled {
			return nil
		}
		if !enabled && a.Supervisor() {
			if err := keepsSupervisor(tx, id, a.Login); err != nil {
				return err
			}
		}
		a.Disabled = !enabled
		if err := putJSON(tx.Bucket(bAdmins), id, a); err != nil {
			return err
		}
		action := ActionAdminEnabled
		if !enabled {
			action = ActionAdminDisabled
		}
		return appendAudit(tx.company(), s.now().UTC(), by, action, "login "+a.Login)
	})
}

// RemoveAdminKey takes a key from a profile, named by its fingerprint (SHA256:...) or its
// comment, audited; the sessions opened with it end. A comment that names several of the
// profile's keys is refused with their fingerprints.
func (s *Store) RemoveAdminKey(login, ref string, by Actor) (SSHKey, error) {
	ref = strings.TrimSpace(ref)
	var gone SSHKey
	_, err := s.updateAdmin(login, "removing keys", func(tx txn, id []byte, a *Admin) error {
		i, err := a.keyIndex(ref)
		if err != nil {
			return err
		}
		gone = a.Keys[i]
		a.Keys = slices.Delete(a.Keys, i, i+1)
		if err := putJSON(tx.Bucket(bAdmins), id, a); err != nil {
			return err
		}
		if err := tx.Bucket(bAdminKey).Delete([]byte(gone.Fingerprint)); err != nil {
			return err
		}
		return appendAudit(tx.company(), s.now().UTC(), by, ActionAdminKeyRemoved,
			fmt.Sprintf("login %s: key %s", a.Login, gone.Fingerprint))
	})
	return gone, err
}

// keyIndex finds one of the profile's keys by fingerprint, else by comment.
func (a Admin) keyIndex(ref string) (int, error) {
	if i := slices.IndexFunc(a.Keys, func(k SSHKey) bool { return k.Fingerprint == ref }); i >= 0 || ref == "" {
		if i < 0 {
			return 0, fmt.Errorf("name the key by its fingerprint or its comment: %w", ErrInvalid)
		}
		return i, nil
	}
	var found []int
	var fps []string
	for i, k := range a.Keys {
		if k.Comment == ref {
			found = append(found, i)
			fps = append(fps, k.Fingerprint)
		}
	}
	switch len(found) {
	case 0:
		return 0, fmt.Errorf("%s has no key %q (by fingerprint or comment): %w", a.Login, ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return 0, fmt.Errorf("%d keys of %s have the comment %q: name one by its fingerprint (%s): %w",
		len(found), a.Login, ref, strings.Join(fps, ", "), ErrInvalid)
}
