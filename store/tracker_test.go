package store

import (
	"errors"
	"testing"
	"time"
)

// A Retirada is proposed only for a tracker in the vehicle, a Reinstalação only once its
// Retirada is Concluída, neither while one of them is open.
func TestProposalsFollowTheTracker(t *testing.T) {
	s, imp := imported(t, &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, 10, 11)
	v10, v11 := vehicle(10, 1, "AAA1A11", "ATIVO"), vehicle(11, 1, "AAA1A12", "ATIVO")
	none := func(when string) {
		t.Helper()
		if ps := pending(t, s); len(ps) != 0 {
			t.Fatalf("%s: proposals %+v", when, ps)
		}
	}

	// The Instalação still open: the tracker never went in, nothing to take back or put back.
	situation(t, s, v10, "CANCELADO", nil)
	none("cancelled in SGA, its Instalação open")
	situation(t, s, v10, "ATIVO", nil)
	none("back to ATIVO, its Instalação open")

	// The Instalação cancelled, closing the contract: no Retirada, and no Reinstalação after.
	if _, err := s.AdvanceOrder(imp[1].Order.Number, OrderStep{To: OrderStatusCancelled, Note: "desistiu", Contract: CloseContract}, cli); err != nil {
		t.Fatal(err)
	}
	situation(t, s, v11, "CANCELADO", nil)
	none("cancelled in SGA, its Instalação cancelled")
	situation(t, s, v11, "ATIVO", nil)
	none("back to ATIVO, its Instalação cancelled")

	// Installed: cancelled in SGA, a Retirada; generated, it stays the only order while open.
	install(t, s, imp[0].Order.Number)
	situation(t, s, v10, "CANCELADO", nil)
	ps := pending(t, s)
	if len(ps) != 1 || ps[0].Kind != OrderKindRemoval {
		t.Fatalf("installed and cancelled: %+v", ps)
	}
	orders, err := s.AcceptProposals([]uint64{ps[0].ID}, cli)
	if err != nil {
		t.Fatal(err)
	}
	for _, sit := range []string{"ATIVO", "CANCELADO", "ATIVO"} {
		situation(t, s, v10, sit, nil)
		none("SGA turns " + sit + " while the Retirada is open")
	}

	// The Retirada Concluída: back to ATIVO, a Reinstalação, and no Retirada while it is open.
	situation(t, s, v10, "INATIVO", nil)
	install(t, s, orders[0].Number)
	none("the Retirada Concluída, the vehicle gone")
	situation(t, s, v10, "ATIVO", nil)
	ps = pending(t, s)
	if len(ps) != 1 || ps[0].Kind != OrderKindReinstallation {
		t.Fatalf("back to ATIVO after the Retirada: %+v", ps)
	}
	if orders, err = s.AcceptProposals([]uint64{ps[0].ID}, cli); err != nil {
		t.Fatal(err)
	}
	situation(t, s, v10, "CANCELADO", nil)
	none("cancelled while the Reinstalação is open")
	situation(t, s, v10, "ATIVO", nil)
	none("back to ATIVO while the Reinstalação is open")

	// The Reinstalação Concluída: the tracker is in again, and a cancel proposes its Retirada.
	install(t, s, orders[0].Number)
	situation(t, s, v10, "CANCELADO", nil)
	if ps = pending(t, s); len(ps) != 1 || ps[0].Kind != OrderKindRemoval {
		t.Fatalf("cancelled after the Reinstalação: %+v", ps)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// A proposal left pending by an older ponte, that the contract no longer has room for, is
// refused on accept and writes nothing: the rule is asked again in the accept's transaction.
func TestAcceptingAStaleProposalIsRefused(t *testing.T) {
	s, imp := imported(t, &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, 10)
	// A Retirada proposed while the Instalação was open, as older versions did, then the
	// Instalação cancelled closing the contract.
	stale := Proposal{Association: imp[0].Contract.Association, Kind: OrderKindRemoval, VehicleSGACode: 10, ClientSGACode: 1,
		Plate: "AAA1A11", Contract: imp[0].Contract.Number, Status: ProposalPending, Cause: Cause{Motive: MotiveCancellation}}
	if err := s.update(func(tx txn) error {
		id, err := nextSeq(tx, keyProposal)
		if err != nil {
			return err
		}
		stale.ID = id
		if err := putJSON(tx.Bucket(bProposals), u64(id), stale); err != nil {
			return err
		}
		return tx.Bucket(bProposalOpen).Put(assocKey(stale.Association, i64(10)), u64(id))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdvanceOrder(imp[0].Order.Number, OrderStep{To: OrderStatusCancelled, Note: "desistiu", Contract: CloseContract}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptProposals([]uint64{stale.ID}, cli); !errors.Is(err, ErrNotProposable) {
		t.Fatalf("accept a Retirada for a tracker never installed: %v", err)
	}
	if err := s.Proposable(imp[0].Contract.Number, OrderKindReinstallation); !errors.Is(err, ErrNotProposable) {
		t.Fatalf("a Reinstalação for a tracker never installed: %v", err)
	}
	c, _, _ := s.Contract(imp[0].Contract.Number)
	if ps := pending(t, s); len(c.Orders) != 0 || len(ps) != 1 {
		t.Fatalf("a refused accept wrote: orders %v, pending %+v", c.Orders, ps)
	}
}
