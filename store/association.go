package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"ponte/store/norm"
)

// ErrNoAssociation: an operation on one association's data was asked of a store that names
// none (see Store.In).
var ErrNoAssociation = errors.New("no association chosen")

// Association is one customer of ours and one SGA: the clients and vehicles brought from it,
// its integration, schedule, runs and checkpoint live under it. Contracts and service orders
// name it; their numbers are one sequence for the whole company.
type Association struct {
	ID        uint64    `json:"id"`
	Slug      string    `json:"slug"` // the short name the command line uses
	Name      string    `json:"name"` // the display name
	CNPJ      string    `json:"cnpj,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
	ChangedBy string    `json:"changed_by,omitempty"`
}

// Label is how screens and messages name an association: its display name, else its slug.
func (a Association) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Slug
}

var (
	bAssociations = []byte("associations")         // id -> Association
	bAssocSlug    = []byte("idx_association_slug") // slug -> id
	bAssocData    = []byte("association_data")     // id -> a bucket of the association's own buckets
	keyRunSeq     = []byte("run")                  // in bSequences: run IDs are one sequence
	slugPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
	principalSlug = "principal"
)

// scopedBuckets are the buckets each association has of its own, inside its bucket of
// association_data. Everything else is the company's.
var scopedBuckets = [][]byte{bSettings, bClients, bClientCPF, bClientWord, bClientName, bVehicles,
	bVehiclePlate, bVehicleChs, bVehicleClient, bRuns, bSync}

var scopedNames = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range scopedBuckets {
		m[string(b)] = true
	}
	return m
}()

func scoped(name []byte) bool { return scopedNames[string(name)] }

// txn is a transaction seen from one association: its buckets resolve to the association's
// own, the company's to the top level. legacy is for the migrations written before
// associations existed, which see the old layout with everything at the top.
type txn struct {
	*bolt.Tx
	assoc  *Association
	data   *bolt.Bucket
	legacy bool
	// pending, when set, holds the index writes back until flush (see indexwrites.go).
	pending *indexWrites
}

// noScope is what Bucket panics with when asked for an association's bucket outside one;
// view and update turn it into an error wrapping ErrNoAssociation.
type noScope string

func (t txn) Bucket(name []byte) *bolt.Bucket {
	if t.legacy || !scoped(name) {
		return t.Tx.Bucket(name)
	}
	if t.data == nil {
		panic(noScope(name))
	}
	return t.data.Bucket(name)
}

// company is the transaction as the company's, in no association: what the audit of a
// company-wide action (an administrator added) names.
func (t txn) company() txn {
	t.assoc, t.data = nil, nil
	return t
}

// assocID is the transaction's association, 0 when none.
func (t txn) assocID() uint64 {
	if t.assoc == nil {
		return 0
	}
	return t.assoc.ID
}

// begin sees a transaction from the store's association. A store seen from none, in a
// database with exactly one association it may see, is seen from that one: a company with one
// SGA never has to name it.
func (s *Store) begin(tx *bolt.Tx) (txn, error) {
	t := txn{Tx: tx, assoc: s.assoc}
	if s.assoc == nil {
		if a, ok := s.sole(tx); ok {
			t.assoc = &a
			t.data = tx.Bucket(bAssocData).Bucket(u64(a.ID))
		}
		return t, nil
	}
	t.data = tx.Bucket(bAssocData).Bucket(u64(s.assoc.ID))
	if t.data == nil {
		return t, fmt.Errorf("association %s has no data bucket: %w", s.assoc.Slug, ErrNotFound)
	}
	return t, nil
}

// sole is the one association the store may see, if there is exactly one.
func (s *Store) sole(tx *bolt.Tx) (Association, bool) {
	var only []byte
	c := tx.Bucket(bAssocSlug).Cursor()
	for _, id := c.First(); id != nil; _, id = c.Next() {
		if !s.sees(binary.BigEndian.Uint64(id)) {
			continue
		}
		if only != nil {
			return Association{}, false
		}
		only = id
	}
	var a Association
	if only == nil {
		return a, false
	}
	found, err := getJSON(tx.Bucket(bAssociations), only, &a)
	return a, found && err == nil
}

// view runs a read transaction seen from the store's association. A damaged page can make
// bbolt or a decoder read past the mapped file: the fault is turned into a panic, which
// recoverScope turns into an error, instead of the end of the process (and of every other
// session of ponte serve).
func (s *Store) view(fn func(tx txn) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverScope(&err)
	return recordDamage(s.path, s.db.View(func(tx *bolt.Tx) error {
		t, err := s.begin(tx)
		if err != nil {
			return err
		}
		return fn(t)
	}))
}

// In returns the store seen from one association, named by its slug or its number: the
// operations on clients, vehicles, runs, the schedule and the integration are that
// association's. A store limited to an administrator (As) finds only theirs; another is
// ErrNotFound, as if it did not exist.
func (s *Store) In(ref string) (*Store, error) {
	a, err := s.Association(ref)
	if err != nil {
		return nil, err
	}
	c := *s
	c.assoc = &a
	return &c, nil
}

// Current is the association the store is seen from, if any.
func (s *Store) Current() (Association, bool) {
	if s.assoc == nil {
		return Association{}, false
	}
	return *s.assoc, true
}

// As returns the store limited to what an administrator may see: a supervisor sees every
// association, an operator only those assigned to them. Lists, lookups, search, runs and
// exports all honour it.
func (s *Store) As(a Admin) *Store {
	c := *s
	c.who = a.ID
	if a.Role == RoleSupervisor {
		c.access = nil
		return &c
	}
	c.access = map[uint64]bool{}
	for _, id := range a.Associations {
		c.access[id] = true
	}
	if c.assoc != nil && !c.access[c.assoc.ID] {
		c.assoc = nil
	}
	return &c
}

// shows reports whether a record of an association is the store's to show: its
// association's, or, seen from none, any its administrator may see.
func (s *Store) shows(id uint64) bool {
	if s.assoc != nil {
		return id == s.assoc.ID
	}
	return s.sees(id)
}

// in is the transaction seen from another association, by ID.
func (t txn) in(id uint64) (txn, error) {
	if t.assoc != nil && t.assoc.ID == id {
		return t, nil
	}
	data := t.Tx.Bucket(bAssocData).Bucket(u64(id))
	if data == nil {
		return t, fmt.Errorf("association %d: %w", id, ErrNotFound)
	}
	var a Association
	if _, err := getJSON(t.Tx.Bucket(bAssociations), u64(id), &a); err != nil {
		return t, err
	}
	return txn{Tx: t.Tx, assoc: &a, data: data}, nil
}

// sees reports whether the store's administrator may see an association; the company's own
// records (ID 0) only a supervisor sees.
func (s *Store) sees(id uint64) bool { return s.access == nil || s.access[id] }

// supervisor reports whether the store is not limited to an operator's associations.
func (s *Store) supervisor() bool { return s.access == nil }

// Supervises reports whether the store's administrator is a supervisor, who may change
// integrations and add associations and administrators: the store refuses those to anyone
// else (ErrForbidden), and screens ask it so as to offer only what will be accepted.
func (s *Store) Supervises() bool { return s.supervisor() }

// Association finds one the store may see, by slug or number.
func (s *Store) Association(ref string) (Association, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	var a Association
	err := s.view(func(tx txn) error {
		id := tx.Bucket(bAssocSlug).Get([]byte(ref))
		if id == nil {
			if n, err := strconv.ParseUint(ref, 10, 64); err == nil {
				id = u64(n)
			}
		}
		if id == nil || !s.sees(binary.BigEndian.Uint64(id)) {
			return fmt.Errorf("association %q: %w", ref, ErrNotFound)
		}
		found, err := getJSON(tx.Bucket(bAssociations), id, &a)
		if err == nil && !found {
			return fmt.Errorf("association %q: %w", ref, ErrNotFound)
		}
		return err
	})
	return a, err
}

// Associations lists those the store may see, by slug.
func (s *Store) Associations() ([]Association, error) {
	var out []Association
	err := s.view(func(tx txn) error {
		out = nil
		return tx.Bucket(bAssocSlug).ForEach(func(_, id []byte) error {
			if !s.sees(binary.BigEndian.Uint64(id)) {
				return nil
			}
			var a Association
			if _, err := getJSON(tx.Bucket(bAssociations), id, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// AddAssociation creates an association with an empty integration.
func (s *Store) AddAssociation(a Association, by Actor) (Association, error) {
	if err := checkAssociation(&a); err != nil {
		return Association{}, err
	}
	if !s.supervisor() {
		return Association{}, fmt.Errorf("adding associations is for supervisors: %w", ErrForbidden)
	}
	now := s.now().UTC()
	a.CreatedAt, a.CreatedBy, a.Disabled = now, by.Who, false
	err := s.update(func(tx txn) error {
		var err error
		a, err = createAssociation(tx.Tx, a)
		if err != nil {
			return err
		}
		tx.assoc = &a // the audit names it
		return appendAudit(tx, now, by, ActionAssociationAdded, fmt.Sprintf("%s (%s)", a.Slug, a.Name))
	})
	return a, err
}

// checkAssociation cleans an association's names and CNPJ and checks them.
func checkAssociation(a *Association) error {
	a.Slug = strings.ToLower(strings.TrimSpace(a.Slug))
	a.Name = strings.TrimSpace(a.Name)
	a.CNPJ = cleanCNPJ(a.CNPJ)
	switch {
	case !slugPattern.MatchString(a.Slug):
		return fmt.Errorf("short name %q: 1 to 32 lower-case letters, digits or '-', "+
			"starting with a letter or digit: %w", a.Slug, ErrInvalid)
	case norm.AllDigits(a.Slug):
		return fmt.Errorf("short name %q: not only digits (numbers name associations by ID): %w", a.Slug, ErrInvalid)
	case utf8.RuneCountInString(a.Name) > 120:
		return fmt.Errorf("name: at most 120 characters: %w", ErrInvalid)
	case a.CNPJ != "" && !validCNPJ(a.CNPJ):
		return fmt.Errorf("CNPJ %s: not a valid CNPJ (14 digits with their check digits): %w", a.CNPJ, ErrInvalid)
	}
	if a.Name == "" {
		a.Name = a.Slug
	}
	return CheckSetting("name", a.Name)
}

func createAssociation(tx *bolt.Tx, a Association) (Association, error) {
	slugs := tx.Bucket(bAssocSlug)
	if slugs.Get([]byte(a.Slug)) != nil {
		return a, fmt.Errorf("association %q: %w", a.Slug, ErrDuplicate)
	}
	if err := cnpjFree(tx, a); err != nil {
		return a, err
	}
	b := tx.Bucket(bAssociations)
	id, err := b.NextSequence()
	if err != nil {
		return a, err
	}
	a.ID = id
	if err := putJSON(b, u64(id), a); err != nil {
		return a, err
	}
	if err := slugs.Put([]byte(a.Slug), u64(id)); err != nil {
		return a, err
	}
	data, err := tx.Bucket(bAssocData).CreateBucket(u64(id))
	if err != nil {
		return a, err
	}
	for _, name := range scopedBuckets {
		if _, err := data.CreateBucket(name); err != nil {
			return a, err
		}
	}
	return a, nil
}

// AssociationPatch changes the fields that are not nil.
type AssociationPatch struct {
	Slug, Name, CNPJ *string
}

// UpdateAssociation renames an association (its short name, its display name) or sets its
// CNPJ. The audit keeps the names it had; runs and lists show the new ones.
func (s *Store) UpdateAssociation(ref string, p AssociationPatch, by Actor) (Association, error) {
	if !s.supervisor() {
		return Association{}, fmt.Errorf("changing associations is for supervisors: %w", ErrForbidden)
	}
	a, err := s.Association(ref)
	if err != nil {
		return a, err
	}
	old := a
	if p.Slug != nil {
		a.Slug = *p.Slug
	}
	if p.Name != nil {
		a.Name = *p.Name
	}
	if p.CNPJ != nil {
		a.CNPJ = *p.CNPJ
	}
	if err := checkAssociation(&a); err != nil {
		return old, err
	}
	if a == old {
		return a, nil
	}
	now := s.now().UTC()
	a.ChangedAt, a.ChangedBy = now, by.Who
	err = s.update(func(tx txn) error {
		if a.CNPJ != old.CNPJ {
			if err := cnpjFree(tx.Tx, a); err != nil {
				return err
			}
		}
		slugs := tx.Bucket(bAssocSlug)
		if a.Slug != old.Slug {
			if slugs.Get([]byte(a.Slug)) != nil {
				return fmt.Errorf("association %q: %w", a.Slug, ErrDuplicate)
			}
			if err := slugs.Delete([]byte(old.Slug)); err != nil {
				return err
			}
			if err := slugs.Put([]byte(a.Slug), u64(a.ID)); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bAssociations), u64(a.ID), a); err != nil {
			return err
		}
		tx.assoc = &a
		return appendAudit(tx, now, by, ActionAssociationChanged, fmt.Sprintf("%s (%s), was %s (%s), CNPJ %q", a.Slug, a.Name, old.Slug, old.Name, a.CNPJ))
	})
	if err != nil {
		return old, err
	}
	return a, nil
}

// SetAssociationEnabled disables or re-enables an association. A disabled one keeps its data
// and shows in lists, but never syncs, by schedule or by hand.
func (s *Store) SetAssociationEnabled(ref string, enabled bool, by Actor) (Association, error) {
	if !s.supervisor() {
		return Association{}, fmt.Errorf("enabling and disabling associations is for supervisors: %w", ErrForbidden)
	}
	a, err := s.Association(ref)
	if err != nil {
		return a, err
	}
	if a.Disabled == !enabled {
		return a, nil
	}
	now := s.now().UTC()
	a.Disabled, a.ChangedAt, a.ChangedBy = !enabled, now, by.Who
	action := ActionAssociationEnabled
	if !enabled {
		action = ActionAssociationDisabled
	}
	err = s.update(func(tx txn) error {
		if err := putJSON(tx.Bucket(bAssociations), u64(a.ID), a); err != nil {
			return err
		}
		tx.assoc = &a
		return appendAudit(tx, now, by, action, a.Slug)
	})
	return a, err
}

// eachAssociation calls fn with a transaction seen from every association (all of them,
// whatever the store's administrator may see: for the store's own upkeep).
func eachAssociation(tx *bolt.Tx, fn func(t txn) error) error {
	return tx.Bucket(bAssociations).ForEach(func(k, v []byte) error {
		var a Association
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("association %x: %w", k, err)
		}
		data := tx.Bucket(bAssocData).Bucket(k)
		if data == nil {
			return fmt.Errorf("association %s has no data bucket: %w", a.Slug, ErrDamaged)
		}
		return fn(txn{Tx: tx, assoc: &a, data: data})
	})
}

// eachDataBucket calls fn with each association's data bucket and its key, for migrations that
// rewrite what every association holds.
func eachDataBucket(tx *bolt.Tx, fn func(id []byte, b *bolt.Bucket) error) error {
	data := tx.Bucket(bAssocData)
	return data.ForEach(func(id, _ []byte) error {
		if b := data.Bucket(id); b != nil {
			return fn(id, b)
		}
		return nil
	})
}

// Slugify makes a short name from any text: lower case, accents dropped, runs of anything
// else one '-', at most 32 characters.
func Slugify(text string) string {
	slug := strings.ReplaceAll(strings.ToLower(norm.Key(text)), " ", "-")
	slug = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, slug)
	if len(slug) > 32 {
		slug = slug[:32]
	}
	return strings.Trim(slug, "-")
}

// AssociationSummary is one association as a list of them shows it.
type AssociationSummary struct {
	Association
	Clients, Vehicles, Contracts int
	LastRun                      *Run // its last sync, full or incremental (nil: never synced)
	Schedule                     Schedule
	Freshness                    Freshness
}

// Overview summarises every association the store may see, from one read transaction.
func (s *Store) Overview() ([]AssociationSummary, error) {
	var out []AssociationSummary
	err := s.view(func(tx txn) error {
		out = out[:0]
		byVehicle := tx.Bucket(bContractVeh).Cursor()
		return eachAssociation(tx.Tx, func(t txn) error {
			if !s.sees(t.assoc.ID) {
				return nil
			}
			sum := AssociationSummary{Association: *t.assoc}
			sum.Clients = t.Bucket(bClients).Stats().KeyN
			sum.Vehicles = t.Bucket(bVehicles).Stats().KeyN
			prefix := u64(t.assoc.ID)
			for k, _ := byVehicle.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = byVehicle.Next() {
				sum.Contracts++
			}
			last, err := lastAssociationRun(t)
			if err != nil {
				return fmt.Errorf("%s: last run: %w", t.assoc.Slug, err)
			}
			sum.LastRun = last
			if sum.Freshness, err = freshnessOf(t); err != nil {
				return fmt.Errorf("%s: freshness: %w", t.assoc.Slug, err)
			}
			if sum.Schedule, _, err = readSchedule(t.Bucket(bSync)); err != nil {
				return err
			}
			out = append(out, sum)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b AssociationSummary) int { return strings.Compare(a.Slug, b.Slug) })
	return out, err
}
