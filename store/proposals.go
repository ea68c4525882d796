package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"ponte/store/norm"
)

// A proposal is an order ponte suggests because SGA changed a vehicle that has a contract: a
// removal (Retirada) when it left ATIVO for a situação that means it is gone, or left SGA's
// list, and its tracker is in the vehicle; a reinstallation (Reinstalação) when it comes back
// to ATIVO after its tracker was taken back (proposable says which a contract has room for). A
// proposal never becomes an order by itself: an operator accepts or dismisses it, and accepting
// asks proposable again.

// Proposal statuses.
const (
	ProposalPending   = "pendente"
	ProposalAccepted  = "gerada"     // its order was generated
	ProposalDismissed = "descartada" // an operator dismissed it, with a reason
	ProposalWithdrawn = "superada"   // SGA changed the vehicle back before anyone decided
)

// Why a proposal was made: SGA's words for the change.
const (
	MotiveCancellation = "Cancelamento"
	MotiveInactivation = "Inativação"
	MotiveExclusion    = "Exclusão"
	MotiveDefault      = "Inadimplência"
	MotiveLeftList     = "Fora da lista do SGA"
	MotiveReactivation = "Reativação"
	MotiveOther        = "Outra situação"
)

// Cause is the change in SGA behind a proposal and its order: the field, its value before and
// after, when SGA recorded it and who changed it there (when SGA's change feed says).
type Cause struct {
	Motive    string    `json:"motive"`
	Field     string    `json:"field"` // SGA's name: codigo_situacao, or "lista" for leaving the list
	Before    string    `json:"before"`
	After     string    `json:"after"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
	ChangedBy string    `json:"changed_by,omitempty"` // the SGA user
}

// Proposal is an order waiting for an operator's decision.
type Proposal struct {
	ID          uint64 `json:"id"`
	Association uint64 `json:"association"`
	// AssociationSlug names the association (filled when read).
	AssociationSlug string    `json:"-"`
	Kind            string    `json:"kind"` // OrderKindRemoval or OrderKindReinstallation
	Cause           Cause     `json:"cause"`
	VehicleSGACode  int64     `json:"vehicle_sga_code"`
	ClientSGACode   int64     `json:"client_sga_code"`
	Plate           string    `json:"plate,omitempty"`
	Contract        string    `json:"contract"`
	DetectedAt      time.Time `json:"detected_at"`
	Run             uint64    `json:"run,omitempty"`
	Status          string    `json:"status"`
	DecidedAt       time.Time `json:"decided_at,omitzero"`
	DecidedBy       string    `json:"decided_by,omitempty"`
	Note            string    `json:"note,omitempty"` // why it was dismissed or withdrawn
	Order           string    `json:"order,omitempty"`
}

// SGAChange is what SGA's change feed said about a vehicle's situação, handed to Apply so that a
// proposal names who changed it and when.
type SGAChange struct {
	Field  string
	Before string
	After  string
	At     time.Time
	By     string
}

var (
	bProposals    = []byte("proposals")         // id -> Proposal
	bProposalOpen = []byte("idx_proposal_open") // association + vehicle -> id of its pending proposal
	keyProposal   = []byte("proposal")          // in bSequences
	keyRules      = []byte("rules")             // in the association's settings
)

// Situation classes, for Rules.
const (
	ClassActive  = "ativo"
	ClassGone    = "saida"        // cancelled, inactive, excluded: the tracker must come back
	ClassDefault = "inadimplente" // marks the contract; a removal only if RemoveOnDefault
	ClassOther   = "outra"        // pending and the like: nothing to do
)

// Rules are how an association's situações are read. ponte classifies a situação from its
// description; Situations overrides that for the descriptions an association uses its own way.
type Rules struct {
	Situations map[string]string `json:"situations,omitempty"` // description (upper case) -> class
	// RemoveOnDefault: a vehicle that becomes INADIMPLENTE gets a removal proposal too.
	RemoveOnDefault bool `json:"remove_on_default,omitempty"`
	// InstallWithin is how long the association gives for a tracker to go in after Importar;
	// zero: DefaultInstallWithin (InstallWindow).
	InstallWithin time.Duration `json:"install_within,omitempty"`
	ChangedBy     string        `json:"changed_by,omitempty"`
	ChangedAt     time.Time     `json:"changed_at,omitzero"`
}

// Classify says what a situação means for our tracker.
func (r Rules) Classify(situation string) string {
	s := strings.ToUpper(strings.TrimSpace(situation))
	if c, ok := r.Situations[s]; ok {
		return c
	}
	f := norm.Key(s)
	switch {
	case strings.Contains(f, "INADIMPL"):
		return ClassDefault
	case strings.HasPrefix(f, "ATIV"):
		return ClassActive
	case strings.Contains(f, "CANCEL"), strings.Contains(f, "EXCLU"), strings.Contains(f, "INATIV"), strings.Contains(f, "DESATIV"):
		return ClassGone
	}
	return ClassOther
}

// Active reports whether a situação means active to the association: Classify's
// ClassActive. The import, the console, the sync and the proposals all ask it, so that a
// situação such as "ATIVO COM RESTRIÇÃO" means the same to each.
func (r Rules) Active(situation string) bool { return r.Classify(situation) == ClassActive }

func motiveOf(situation string) string {
	f := norm.Key(situation)
	switch {
	case strings.Contains(f, "CANCEL"):
		return MotiveCancellation
	case strings.Contains(f, "EXCLU"):
		return MotiveExclusion
	case strings.Contains(f, "INATIV"), strings.Contains(f, "DESATIV"):
		return MotiveInactivation
	case strings.Contains(f, "INADIMPL"):
		return MotiveDefault
	}
	return MotiveOther
}

// SituationCounts counts the association's vehicles by situação, as SGA describes it (upper
// case): what Rules.Classify reads, so that an operator can see how each one is taken.
func (s *Store) SituationCounts() (map[string]int, error) {
	out := map[string]int{}
	err := s.view(func(tx txn) error {
		clear(out)
		return s.eachVisible(tx, func(t txn) error {
			return t.Bucket(bVehicles).ForEach(func(k, b []byte) error {
				var v Vehicle
				if err := decodeVehicle(b, &v); err != nil {
					return fmt.Errorf("vehicle %d: %w", int64(binary.BigEndian.Uint64(k)), err)
				}
				out[strings.ToUpper(strings.TrimSpace(v.Situation))]++
				return nil
			})
		})
	})
	return out, err
}

// Rules returns the association's rules.
func (s *Store) Rules() (Rules, error) {
	var r Rules
	err := s.view(func(tx txn) error { return readRules(tx, &r) })
	return r, err
}

func readRules(tx txn, r *Rules) error {
	_, err := getJSON(tx.Bucket(bSettings), keyRules, r)
	return err
}

// mayChangeRules is the one rule for every rule of an association (how its situações read,
// removal on default, the weekly full sync's day): supervisors only.
func (s *Store) mayChangeRules() error {
	if !s.supervisor() {
		return fmt.Errorf("changing an association's rules is for supervisors: %w", ErrForbidden)
	}
	return nil
}

// SetRules saves the association's rules (supervisors only), audited.
func (s *Store) SetRules(r Rules, a Actor) error {
	if err := s.mayChangeRules(); err != nil {
		return err
	}
	clean := map[string]string{}
	for desc, class := range r.Situations {
		if !slices.Contains([]string{ClassActive, ClassGone, ClassDefault, ClassOther}, class) {
			return fmt.Errorf("situação %q: class %q: want %s, %s, %s or %s: %w", desc, class, ClassActive, ClassGone, ClassDefault, ClassOther, ErrInvalid)
		}
		clean[strings.ToUpper(strings.TrimSpace(desc))] = class
	}
	r.Situations = clean
	if r.InstallWithin != 0 {
		if err := CheckInstallWithin(r.InstallWithin); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	r.ChangedBy, r.ChangedAt = a.Who, now
	return s.update(func(tx txn) error {
		if err := putJSON(tx.Bucket(bSettings), keyRules, r); err != nil {
			return err
		}
		var parts []string
		for _, d := range slices.Sorted(maps.Keys(r.Situations)) {
			parts = append(parts, d+"="+r.Situations[d])
		}
		return appendAudit(tx, now, a, ActionRulesChanged, fmt.Sprintf("situações {%s}, removal on default %v, install within %s", strings.Join(parts, ", "), r.RemoveOnDefault, r.InstallWindow()))
	})
}

// reactor turns the situação changes one transaction writes into proposals and contract
// marks. It reads the association's rules once.
type reactor struct {
	rules   Rules
	changes map[int64]SGAChange
	run     uint64
	now     time.Time
	made    int
}

func newReactor(tx txn, changes map[int64]SGAChange, run uint64, now time.Time) (*reactor, error) {
	r := &reactor{changes: changes, run: run, now: now}
	return r, readRules(tx, &r.rules)
}

func (r *reactor) class(v Vehicle) string {
	if v.Gone {
		return ClassGone
	}
	return r.rules.Classify(v.Situation)
}

// removal reports whether a class asks for the tracker back.
func (r *reactor) removal(class string) bool {
	return class == ClassGone || (class == ClassDefault && r.rules.RemoveOnDefault)
}

// react is told that a vehicle went from old to v (old.SGACode 0: it is new to the store).
func (r *reactor) react(tx txn, old, v Vehicle) error {
	if old.SGACode == 0 {
		return nil // a vehicle new to us has no contract yet
	}
	before, after := r.class(old), r.class(v)
	if before == after && old.Gone == v.Gone {
		return nil
	}
	ctKey := assocKey(tx.assocID(), i64(v.SGACode))
	number := tx.Bucket(bContractVeh).Get(ctKey)
	if number == nil {
		return nil
	}
	var c Contract
	if found, err := getJSON(tx.Bucket(bContracts), number, &c); err != nil || !found {
		return err
	}
	if delinquent := after == ClassDefault; c.Delinquent != delinquent {
		c.Delinquent = delinquent
		if err := putJSON(tx.Bucket(bContracts), number, c); err != nil {
			return err
		}
	}
	pending, err := r.pending(tx, v.SGACode)
	if err != nil {
		return err
	}
	switch {
	case r.removal(after) && !r.removal(before):
		if pending != nil && pending.Kind == OrderKindRemoval {
			return nil
		}
		if pending != nil {
			if err := r.close(tx, pending, ProposalWithdrawn, "voltou a sair do ATIVO no SGA"); err != nil {
				return err
			}
		}
		if ok, err := fits(tx, c, OrderKindRemoval); err != nil || !ok {
			return err
		}
		return r.propose(tx, OrderKindRemoval, old, v, c)
	case after == ClassActive && before != ClassActive:
		if pending != nil && pending.Kind == OrderKindRemoval {
			return r.close(tx, pending, ProposalWithdrawn, "voltou a ATIVO no SGA")
		}
		if pending != nil {
			return nil
		}
		if ok, err := fits(tx, c, OrderKindReinstallation); err != nil || !ok {
			return err
		}
		return r.propose(tx, OrderKindReinstallation, old, v, c)
	}
	return nil
}

func (r *reactor) pending(tx txn, vehicle int64) (*Proposal, error) {
	id := tx.Bucket(bProposalOpen).Get(assocKey(tx.assocID(), i64(vehicle)))
	if id == nil {
		return nil, nil
	}
	var p Proposal
	if found, err := getJSON(tx.Bucket(bProposals), id, &p); err != nil || !found {
		return nil, err
	}
	return &p, nil
}

func (r *reactor) close(tx txn, p *Proposal, status, note string) error {
	p.Status, p.Note, p.DecidedAt, p.DecidedBy = status, note, r.now, "ponte"
	if err := tx.Bucket(bProposalOpen).Delete(assocKey(p.Association, i64(p.VehicleSGACode))); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bProposals), u64(p.ID), p)
}

func (r *reactor) propose(tx txn, kind string, old, v Vehicle, c Contract) error {
	cause := Cause{Field: "codigo_situacao", Before: old.Situation, After: v.Situation, ChangedAt: r.now}
	switch {
	case v.Gone:
		cause = Cause{Motive: MotiveLeftList, Field: "lista", Before: old.Situation, After: "fora da lista", ChangedAt: r.now}
	case kind == OrderKindReinstallation:
		cause.Motive = MotiveReactivation
	default:
		cause.Motive = motiveOf(v.Situation)
	}
	if ch, ok := r.changes[v.SGACode]; ok && !v.Gone {
		// Before is what ponte knew; SGA's last change may start from a state in between.
		cause.ChangedAt, cause.ChangedBy = ch.At, ch.By
	}
	id, err := nextSeq(tx, keyProposal)
	if err != nil {
		return err
	}
	p := Proposal{ID: id, Association: tx.assocID(), Kind: kind, Cause: cause, VehicleSGACode: v.SGACode,
		ClientSGACode: v.ClientSGACode, Plate: v.Plate, Contract: c.Number, DetectedAt: r.now, Run: r.run, Status: ProposalPending}
	if err := putJSON(tx.Bucket(bProposals), u64(id), p); err != nil {
		return err
	}
	r.made++
	return tx.Bucket(bProposalOpen).Put(assocKey(p.Association, i64(v.SGACode)), u64(id))
}

// nextSeq takes the next number of a company sequence.
func nextSeq(tx txn, key []byte) (uint64, error) {
	b := tx.Bucket(bSequences)
	n := uint64(1)
	if v := b.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v) + 1
	}
	return n, b.Put(key, u64(n))
}

// ProposalFilter narrows Proposals; Status "" is every status.
type ProposalFilter struct {
	Status string
	Kind   string
}

// Proposals lists proposals newest first: the store's association's, or, seen from none, those
// of every association it may see, up to limit (0: all).
func (s *Store) Proposals(f ProposalFilter, limit int) ([]Proposal, error) {
	var out []Proposal
	err := s.view(func(tx txn) error {
		var err error
		out, err = s.proposals(tx, f, limit)
		return err
	})
	return out, err
}

// proposals is Proposals inside a read transaction.
func (s *Store) proposals(tx txn, f ProposalFilter, limit int) ([]Proposal, error) {
	var out []Proposal
	err := func() error {
		slugs := map[uint64]string{}
		c := tx.Bucket(bProposals).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var p Proposal
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("proposal %x: %w", k, err)
			}
			if !s.shows(p.Association) || (f.Status != "" && p.Status != f.Status) || (f.Kind != "" && p.Kind != f.Kind) {
				continue
			}
			slug, ok := slugs[p.Association]
			if !ok {
				var a Association
				if _, err := getJSON(tx.Bucket(bAssociations), u64(p.Association), &a); err != nil {
					return err
				}
				slug, slugs[p.Association] = a.Slug, a.Slug
			}
			p.AssociationSlug = slug
			out = append(out, p)
		}
		return nil
	}()
	return out, err
}

// AcceptProposals generates the orders of pending proposals, one per proposal, Aberta, in one
// transaction with an audit entry each. A proposal not pending (or not visible) refuses the
// whole call, and nothing is written.
func (s *Store) AcceptProposals(ids []uint64, a Actor) ([]Order, error) {
	now := s.now().UTC()
	var out []Order
	err := s.update(func(tx txn) error {
		out = out[:0]
		for _, id := range ids {
			p, at, err := s.pendingProposal(tx, id)
			if err != nil {
				return err
			}
			var c Contract
			if found, err := getJSON(tx.Bucket(bContracts), []byte(p.Contract), &c); err != nil {
				return err
			} else if !found {
				return fmt.Errorf("proposal %d: contract %s: %w", id, p.Contract, ErrNotFound)
			}
			if err := proposable(tx, c, p.Kind); err != nil {
				return fmt.Errorf("proposal %d: %w", id, err)
			}
			number, err := nextNumber(tx, "OS", now.Year())
			if err != nil {
				return err
			}
			o := Order{Number: number, Association: p.Association, ContractNumber: c.Number, ClientSGACode: p.ClientSGACode,
				VehicleSGACode: p.VehicleSGACode, Plate: p.Plate, Kind: p.Kind, Status: OrderStatusOpen, CreatedAt: now,
				CreatedBy: a.Who, Cause: &p.Cause, Proposal: p.ID,
				History: []OrderEvent{{At: now, By: a.Who, Status: OrderStatusOpen}}}
			if err := putJSON(tx.Bucket(bOrders), []byte(number), o); err != nil {
				return err
			}
			c.Orders = append(c.Orders, number)
			if err := putJSON(tx.Bucket(bContracts), []byte(c.Number), c); err != nil {
				return err
			}
			p.Status, p.DecidedAt, p.DecidedBy, p.Order = ProposalAccepted, now, a.Who, number
			if err := s.settle(tx, p); err != nil {
				return err
			}
			if err := appendAudit(at, now, a, ActionProposalAccepted, fmt.Sprintf("proposal %d: %s %s for %s (%s, contract %s)",
				p.ID, p.Kind, number, p.Plate, p.Cause.Motive, c.Number)); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// DismissProposals closes pending proposals without an order; the reason is required.
func (s *Store) DismissProposals(ids []uint64, reason string, a Actor) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fmt.Errorf("dismissing needs a reason: %w", ErrInvalid)
	}
	if err := CheckText(FieldReason, reason); err != nil {
		return err
	}
	now := s.now().UTC()
	return s.update(func(tx txn) error {
		for _, id := range ids {
			p, at, err := s.pendingProposal(tx, id)
			if err != nil {
				return err
			}
			p.Status, p.DecidedAt, p.DecidedBy, p.Note = ProposalDismissed, now, a.Who, reason
			if err := s.settle(tx, p); err != nil {
				return err
			}
			if err := appendAudit(at, now, a, ActionProposalDismissed, fmt.Sprintf("proposal %d: %s for %s dismissed: %s",
				p.ID, p.Kind, p.Plate, reason)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ErrNotPending: the proposal was already decided.
var ErrNotPending = fmt.Errorf("proposal already decided: %w", ErrInvalid)

func (s *Store) pendingProposal(tx txn, id uint64) (Proposal, txn, error) {
	var p Proposal
	found, err := getJSON(tx.Bucket(bProposals), u64(id), &p)
	if err != nil {
		return p, tx, err
	}
	if !found || !s.shows(p.Association) {
		return p, tx, fmt.Errorf("proposal %d: %w", id, ErrNotFound)
	}
	if p.Status != ProposalPending {
		return p, tx, fmt.Errorf("proposal %d is %s: %w", id, p.Status, ErrNotPending)
	}
	at, err := tx.in(p.Association)
	return p, at, err
}

func (s *Store) settle(tx txn, p Proposal) error {
	key := assocKey(p.Association, i64(p.VehicleSGACode))
	if id := tx.Bucket(bProposalOpen).Get(key); id != nil && bytes.Equal(id, u64(p.ID)) {
		if err := tx.Bucket(bProposalOpen).Delete(key); err != nil {
			return err
		}
	}
	return putJSON(tx.Bucket(bProposals), u64(p.ID), p)
}
