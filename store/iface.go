package store

import (
	"io"
	"time"
)

// The store's contract, one interface per aggregate, as a second engine (PostgreSQL, for a
// team with two servers) will meet it beside the bbolt *Store. A caller holds the narrowest
// one it needs; Backend is all of them. The records (Client, Vehicle, Order...), the sentinel
// errors (ErrNotFound, ErrDuplicate, ErrForbidden...) and the text limits (CheckText) are part
// of the contract: an implementation returns the same records and errors that match the same
// sentinels, and store/storetest holds the suite every implementation must pass.
//
// Views: a store is seen from no association (the company: associations, administrators,
// overviews) or from one (ForAssociation: its clients, runs, integration), and as an
// administrator (ForAdmin: an operator sees only their associations). Every write that
// changes a record is audited, in the same transaction, as the Actor that made it.

// Scopes narrows a store to one administrator's rights or one association's records.
type Scopes interface {
	// ForAdmin is the store limited to what a sees; the views share the same data.
	ForAdmin(a Admin) Backend
	// ForAssociation is the store seen from one association, by slug or number; one the
	// store may not see is ErrNotFound.
	ForAssociation(ref string) (Backend, error)
	// Current is the association the store is seen from, if any.
	Current() (Association, bool)
	// Supervises reports whether the store's administrator is a supervisor.
	Supervises() bool
}

// AssociationStore keeps the associations (our customers, one SGA each), their situação
// rules and how fresh each one's copy of SGA is.
type AssociationStore interface {
	Association(ref string) (Association, error)
	Associations() ([]Association, error)
	AddAssociation(a Association, by Actor) (Association, error)
	UpdateAssociation(ref string, p AssociationPatch, by Actor) (Association, error)
	SetAssociationEnabled(ref string, enabled bool, by Actor) (Association, error)
	Overview() ([]AssociationSummary, error)
	Freshness() (Freshness, error)
	Freshnesses() ([]AssociationFreshness, error)
	Rules() (Rules, error)
	SetRules(r Rules, a Actor) error
}

// IntegrationStore keeps the association's SGA integration, secrets included.
type IntegrationStore interface {
	IntegrationState() (IntegrationState, error)
	Integration() (Integration, error)
	SetIntegration(p IntegrationPatch, a Actor) ([]string, error)
	UnsetIntegration(fields []string, a Actor) ([]string, error)
}

// AdminStore keeps the administrators, their roles, associations and SSH keys.
type AdminStore interface {
	AddAdmin(a Admin, by Actor) (Admin, error)
	SetAdminAccess(login, role string, associations []uint64, by Actor) (Admin, error)
	SetAdminEnabled(login string, enabled bool, by Actor) (Admin, error)
	RemoveAdmin(login string, by Actor) (Admin, error)
	Admins() ([]Admin, error)
	AdminByLogin(login string) (Admin, error)
	AdminByKey(fingerprint string) (Admin, error)
	AddAdminKey(login string, k SSHKey, by Actor) error
	RemoveAdminKey(login, ref string, by Actor) (SSHKey, error)
	// WatchAdmins calls fn after every committed change of administrators, through any view.
	WatchAdmins(fn func()) (stop func())
}

// ClientStore keeps the clients and vehicles brought from SGA: what a sync writes (Apply,
// MarkGone, SetAside) and what the console and commands look up.
type ClientStore interface {
	Apply(b Batch) (BatchResult, error)
	MarkGone(seen []uint64, client int64, allow func(would, fleet int) bool) (int, error)
	SetAside(seen []uint64, product string) (int, error)
	ClientByCode(code int64) (Client, error)
	ClientByCPF(cpf string) (Client, error)
	FindClient(ref string) (Client, error)
	ListClients(after string, limit int) (ClientsPage, error)
	SearchClients(query string, limit int) (ClientsPage, error)
	SearchAll(query string, limit int) (ClientsPage, error)
	VehiclesOfClient(client int64) ([]VehicleView, error)
	VehicleByCode(code int64) (VehicleView, error)
	VehiclesByPlate(plate string, limit int) ([]VehicleView, error)
	SituationCounts() (map[string]int, error)
	Counts() (Counts, error)
}

// ContractStore keeps the contracts and service orders that Importar creates, and each
// order's steps.
type ContractStore interface {
	CheckImport(client int64, vehicles []int64) error
	Import(client int64, vehicles []int64, a Actor) ([]Imported, error)
	Contracts(query string, limit int) ([]Contract, error)
	Contract(number string) (Contract, Order, error)
	Orders(query string, limit int) ([]Order, error)
	Order(number string) (Order, Contract, error)
	OrderClient(o Order) (Client, error)
	OrderViews(f OrderFilter, limit int) ([]OrderView, error)
	CheckVisit(at time.Time) error
	AdvanceOrder(number string, step OrderStep, a Actor) (Order, error)
	// DeadlineCounts counts the open Instalações late and due today, per association.
	DeadlineCounts() ([]DeadlineCount, error)
}

// ProposalStore keeps the removal and reinstallation proposals made from SGA's changes.
type ProposalStore interface {
	Proposable(number, kind string) error
	Proposals(f ProposalFilter, limit int) ([]Proposal, error)
	ProposalViews(f ProposalFilter, limit int) ([]ProposalView, error)
	AcceptProposals(ids []uint64, a Actor) ([]Order, error)
	DismissProposals(ids []uint64, reason string, a Actor) error
}

// RunStore keeps the sync runs, their checkpoint and feed state, and the schedule.
type RunStore interface {
	StartRun(r Run, a Actor) (Run, error)
	UpdateRun(id uint64, f func(*Run)) error
	FinishRun(id uint64, status, code, reason string, a Actor) (Run, error)
	Run(id uint64) (Run, error)
	Runs(limit int) ([]Run, error)
	LastRun() (*Run, error)
	Checkpoint() (Checkpoint, bool, error)
	Feed() (FeedState, error)
	SyncState(limit int) ([]Run, Schedule, error)
	SyncStates() ([]SyncState, error)
	Schedule() (Schedule, error)
	SetSchedule(sc Schedule, a Actor) error
	UpdateSchedule(a Actor, fn func(*Schedule) error) (Schedule, error)
}

// AuditStore keeps the audit log of every write, newest first.
type AuditStore interface {
	Audit(a Actor, action, details string) error
	AuditLog(limit int, before uint64) ([]AuditEntry, error)
}

// Exporter writes every record of a kind (ExportKinds) as JSON lines or CSV.
type Exporter interface {
	Export(kind, format string, w io.Writer) (int, error)
}

// Backend is the whole store: what every implementation provides.
type Backend interface {
	Scopes
	AssociationStore
	IntegrationStore
	AdminStore
	ClientStore
	ContractStore
	ProposalStore
	RunStore
	AuditStore
	Exporter
}

// File is what only a store kept in one file offers: its path, the check of its pages and
// invariants, and a consistent copy of it. Close stays on *Store: whoever opens a store
// closes it, and the views Backend hands out share it.
type File interface {
	Path() string
	Verify() error
	Backup(w io.Writer) (int64, error)
	BackupFile(path string, replace bool, protect ...string) (int64, error)
}

var (
	_ Backend = (*Store)(nil)
	_ File    = (*Store)(nil)
)

// ForAdmin is As for a caller that holds the store by its interface.
func (s *Store) ForAdmin(a Admin) Backend { return s.As(a) }

// ForAssociation is In for a caller that holds the store by its interface.
func (s *Store) ForAssociation(ref string) (Backend, error) {
	in, err := s.In(ref)
	if err != nil {
		return nil, err // a nil *Store in a Backend would not be nil
	}
	return in, nil
}
