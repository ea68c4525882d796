// Package store keeps ponte's data in one bbolt file: the SGA integration settings (secrets
// encrypted), administrators, the clients and vehicles brought from SGA, the contracts and
// service orders "Importar" creates, sync runs with their checkpoint and schedule, and the audit
// log. It is the only package that knows bbolt; nothing of bbolt crosses its API, so that
// another engine can stand beside it later.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors callers branch on.
var (
	ErrInUse           = errors.New("database in use by another ponte process")
	ErrNewerSchema     = errors.New("database written by a newer ponte")
	ErrNotFound        = errors.New("not found")
	ErrAlreadyImported = errors.New("vehicle already imported")
	ErrNotActive       = errors.New("vehicle is not ATIVO in SGA")
	ErrWrongClient     = errors.New("vehicle belongs to another client")
	ErrNotOurs         = errors.New("vehicle does not carry our product in SGA")
	ErrDuplicate       = errors.New("already exists")
	ErrInvalid         = errors.New("invalid")
	ErrForbidden       = errors.New("not allowed for this administrator")
	// ErrLastSupervisor refuses a change that would leave no enabled supervisor: no one could
	// then add or mend administrators from the console.
	ErrLastSupervisor = errors.New("the company would have no enabled supervisor")
)

// InUseError says which database another process holds and, where the system tells, which
// process: its PID and command line. It matches ErrInUse.
type InUseError struct {
	Path    string
	PID     int    // 0 when the system does not say
	Command string // the holder's command line, when known
}

func (e *InUseError) Error() string {
	switch {
	case e.PID != 0 && e.Command != "":
		return fmt.Sprintf("database %s is in use by process %d (%s)", e.Path, e.PID, e.Command)
	case e.PID != 0:
		return fmt.Sprintf("database %s is in use by process %d", e.Path, e.PID)
	}
	return "database " + e.Path + " is in use by another ponte process"
}

func (e *InUseError) Is(err error) bool { return err == ErrInUse }

// schemaVersion is what this build writes. migrations[i] takes a database from version i to
// i+1; a new bucket or a reshaped record adds one.
const schemaVersion = 8

var migrations = []func(tx *bolt.Tx) error{
	0: func(tx *bolt.Tx) error { // a new database: the buckets of schema 1, brought forward below
		for _, b := range legacyBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	1: func(tx *bolt.Tx) error { // the run that last saw a vehicle moves to its client index entry
		byClient := tx.Bucket(bVehicleClient)
		return tx.Bucket(bVehicles).ForEach(func(k, v []byte) error {
			var rec struct {
				Client  int64  `json:"client_sga_code"`
				LastRun uint64 `json:"last_run"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			return byClient.Put(clientVehicleKey(rec.Client, int64(binary.BigEndian.Uint64(k))), u64(rec.LastRun))
		})
	},
	2: func(tx *bolt.Tx) error { // runs that dead processes left "running" are closed as interrupted
		_, err := closeRunning(txn{Tx: tx, legacy: true}, time.Now().UTC(), false)
		return err
	},
	3: func(tx *bolt.Tx) error { // the word index knows the city too: "/" finds clients by city
		if err := tx.DeleteBucket(bClientWord); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bClientWord); err != nil {
			return err
		}
		return tx.Bucket(bClients).ForEach(func(_, v []byte) error {
			var c Client
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			return indexClientWords(txn{Tx: tx, legacy: true}, c)
		})
	},
	4: migrateToAssociations,
	5: func(tx *bolt.Tx) error { // proposals of removal and reinstallation orders
		for _, b := range [][]byte{bProposals, bProposalOpen} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	6: recodeRecords,
	7: rebuildWordIndexes, // one key per word, its clients' codes as the value
}

var (
	bMeta          = []byte("meta")
	bSettings      = []byte("settings")
	bAdmins        = []byte("admins")
	bAdminLogin    = []byte("idx_admin_login")
	bAdminKey      = []byte("idx_admin_key")
	bClients       = []byte("clients")
	bClientCPF     = []byte("idx_client_cpf")
	bClientWord    = []byte("idx_client_word")
	bClientName    = []byte("idx_client_name")
	bVehicles      = []byte("vehicles")
	bVehiclePlate  = []byte("idx_vehicle_plate")
	bVehicleChs    = []byte("idx_vehicle_chassis")
	bVehicleClient = []byte("idx_vehicle_client") // client+vehicle -> the last run that saw it
	bContracts     = []byte("contracts")
	bContractVeh   = []byte("idx_contract_vehicle")
	bOrders        = []byte("orders")
	bSequences     = []byte("sequences")
	bRuns          = []byte("runs")
	bSync          = []byte("sync")
	bAudit         = []byte("audit")

	// legacyBuckets are schema 1's, all at the top level; migration 4 moves an association's
	// own (scopedBuckets) under association_data.
	legacyBuckets = [][]byte{bMeta, bSettings, bAdmins, bAdminLogin, bAdminKey, bClients, bClientCPF,
		bClientWord, bClientName, bVehicles, bVehiclePlate, bVehicleChs, bVehicleClient, bContracts, bContractVeh,
		bOrders, bSequences, bRuns, bSync, bAudit}

	keySchema = []byte("schema")
)

// Options tune Open.
type Options struct {
	// ReadOnly opens the database for reading only: nothing is created, migrated or written,
	// and other readers may hold it at the same time. Commands that only read use it.
	ReadOnly bool
	// LockTimeout is how long Open waits for another process to release the file; default 1s.
	LockTimeout time.Duration
	// SecretKey overrides the key file (32 bytes); default: PONTE_SECRET_KEY, else the key file.
	SecretKey []byte
	// NoSync skips fsync: for tests and benchmarks of the logic only. Never in production.
	NoSync bool
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Store is an open ponte database. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	path     string
	aead     *sealer
	now      func() time.Time
	readOnly bool
	assoc    *Association           // the association it is seen from (In); nil: none
	access   map[uint64]bool        // the associations its administrator may see (As); nil: all
	who      uint64                 // that administrator's ID
	buffers  *sync.Pool             // of *indexWrites, shared by the views of one database (In, As)
	damaged  *atomic.Pointer[error] // what showed the file damaged, shared by the views; nil: nothing
	watch    *adminWatch            // told of every change of administrators' access, by every view
}

// Open opens the database at path, or creates it (a new file 0600 in a new directory 0700)
// unless o.ReadOnly. Before bbolt maps the file it is checked: a file that others can read, a
// file that is not a ponte database, and one cut shorter than its header says are refused
// with what they are, never converted or crashed on. Only a writable open migrates the schema
// (after those checks) and closes the runs a dead process left running. A database in use by
// another process fails within LockTimeout.
func Open(path string, o Options) (*Store, error) {
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	state, err := inspect(path)
	if err != nil {
		return nil, err
	}
	switch {
	case o.ReadOnly && state == fileMissing:
		return nil, fmt.Errorf("%s does not exist: %w", path, ErrNoDatabase)
	case o.ReadOnly && state == fileEmpty:
		return nil, fmt.Errorf("%s is an empty file: %w", path, ErrNoDatabase)
	case state == fileMissing:
		if err := createDir(path); err != nil {
			return nil, err
		}
	}
	var db *bolt.DB
	err = guarded(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.LockTimeout, NoSync: o.NoSync,
			PageSize: pageSize, FreelistType: bolt.FreelistMapType, ReadOnly: o.ReadOnly, InitialMmapSize: initialMmap(o.ReadOnly)})
		return err
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		pid, cmd := lockHolder(path)
		return nil, &InUseError{Path: path, PID: pid, Command: cmd}
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: o.Now, readOnly: o.ReadOnly, buffers: &sync.Pool{},
		damaged: &atomic.Pointer[error]{}, watch: &adminWatch{}}
	if err := guarded(path, s.prepare); err != nil { // a migration reads every record
		db.Close()
		return nil, err
	}
	// A database that already holds sealed secrets never gets a new key: that would only make
	// them unreadable. It opens, and says what is missing when a secret is needed.
	key, err := loadKey(path, o.SecretKey, !o.ReadOnly && !s.hasSealedSecrets())
	switch {
	case errors.Is(err, errNoKey):
		return s, nil
	case err != nil:
		db.Close()
		return nil, err
	}
	if s.aead, err = newSealer(key); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pageSize is a new database's page size; a file keeps the one it was made with. A full sync's
// index keys (CPF, name, plate, chassis, client) arrive in random order, so each batch
// rewrites nearly every leaf of those indexes: with pages of 32 KiB instead of the system's
// 4 KiB there are an eighth as many pages to read into nodes, split and write, one write call
// each, and a full sync of 62,000 associados costs 10 to 18% less CPU (see docs/performance.md).
const pageSize = 32 << 10

// initialMmap is the address space a writable database is mapped with from the start (the file
// grows within it): bbolt maps a growing file again at each doubling, which copies every key
// and value the writing transaction holds and waits for every reader. Virtual memory only; a
// 32-bit build keeps bbolt's default.
func initialMmap(readOnly bool) int {
	if readOnly || strconv.IntSize < 64 {
		return 0
	}
	return 1 << 30
}

// prepare checks what the file holds and, when writable, brings it to this build's schema and
// closes the runs a dead process left running.
func (s *Store) prepare() error {
	version, empty, err := schemaOf(s.db, s.path)
	switch {
	case err != nil:
		return err
	case version > schemaVersion:
		return fmt.Errorf("database %s has schema %d, this ponte knows up to %d; upgrade ponte: %w",
			s.path, version, schemaVersion, ErrNewerSchema)
	case s.readOnly && empty:
		return fmt.Errorf("%s holds no ponte data yet: %w", s.path, ErrNoDatabase)
	case s.readOnly && version < schemaVersion:
		return fmt.Errorf("database %s has schema %d and this ponte reads %d: run a command that writes "+
			"(ponte sync, ponte config set) once to upgrade it", s.path, version, schemaVersion)
	case s.readOnly:
		return nil
	}
	if err := s.migrate(version); err != nil {
		return err
	}
	_, err = s.closeInterrupted()
	return err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate(from int) error {
	if from == schemaVersion {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for version := from; version < schemaVersion; version++ {
			if err := migrations[version](tx); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", version, version+1, err)
			}
		}
		return tx.Bucket(bMeta).Put(keySchema, u64(uint64(schemaVersion)))
	})
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func i64(n int64) []byte { return u64(uint64(n)) }

// appendOnly are the buckets whose keys mostly arrive in increasing order (SGA codes, sequence
// numbers): packing their pages full instead of half saves splits and space.
var appendOnly = [][]byte{bClients, bVehicles, bVehicleClient, bContracts, bOrders, bRuns, bAudit}

// update runs a write transaction seen from the store's association, with the append-only
// buckets packed full (bbolt keeps a writable transaction's buckets, so the setting holds for
// all of fn).
//
// A store that found its file damaged refuses every later write: bbolt would build on pages it
// misread (a page reached twice, a freed page still in use) and spread the damage. A panic in
// fn or in the commit (bbolt spills its nodes before it writes a page) rolls the transaction
// back and writes nothing.
func (s *Store) update(fn func(tx txn) error) (err error) {
	if err := s.damaged.Load(); err != nil {
		return fmt.Errorf("no change written: %w", *err)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverScope(&err)
	return recordDamage(s.path, s.db.Update(func(tx *bolt.Tx) error {
		t, err := s.begin(tx)
		if err != nil {
			return err
		}
		for _, name := range appendOnly {
			if t.data == nil && scoped(name) {
				continue
			}
			if b := t.Bucket(name); b != nil {
				b.FillPercent = 0.95
			}
		}
		return fn(t)
	}))
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode record %x: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}
