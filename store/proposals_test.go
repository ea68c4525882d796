package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// situation applies one vehicle's new situação, as a sync would, with what the change feed
// said of it.
func situation(t *testing.T, s *Store, v Vehicle, sit string, ch *SGAChange) BatchResult {
	t.Helper()
	v.Situation = sit
	b := Batch{Clients: []Client{client(v.ClientSGACode, "MARIA", "12345678909")}, Vehicles: []Vehicle{v}}
	if ch != nil {
		b.Changes = map[int64]SGAChange{v.SGACode: *ch}
	}
	res, err := s.Apply(b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// install takes orders (an Instalação, a Retirada or a Reinstalação) through a visit now to
// Concluída, as a technician's work would.
func install(t *testing.T, s *Store, numbers ...string) {
	t.Helper()
	for _, n := range numbers {
		for _, step := range []OrderStep{{To: OrderStatusScheduled, Visit: &Visit{At: s.now(), Technician: "Carlos"}},
			{To: OrderStatusRunning}, {To: OrderStatusDone}} {
			if _, err := s.AdvanceOrder(n, step, cli); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func pending(t *testing.T, s *Store) []Proposal {
	t.Helper()
	ps, err := s.Proposals(ProposalFilter{Status: ProposalPending}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestRemovalAndReinstallationLife(t *testing.T) {
	s, imp := imported(t, &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, 10, 11)
	install(t, s, imp[0].Order.Number, imp[1].Order.Number)
	v10 := vehicle(10, 1, "AAA1A11", "ATIVO")
	v11 := vehicle(11, 1, "AAA1A12", "ATIVO")

	// A vehicle without a contract changes and nothing is proposed.
	situation(t, s, vehicle(20, 2, "BBB2B22", "ATIVO"), "CANCELADO", nil)
	if ps := pending(t, s); len(ps) != 0 {
		t.Fatalf("proposals for a vehicle without a contract: %+v", ps)
	}

	// Cancelled in SGA: one Retirada, with who and when from the feed, however often the
	// same state is applied again.
	when := time.Date(2026, 11, 1, 17, 30, 0, 0, time.UTC)
	ch := &SGAChange{Field: "codigo_situacao", Before: "ATIVO", After: "CANCELADO", At: when, By: "JOANA SGA"}
	if res := situation(t, s, v10, "CANCELADO", ch); res.Proposals != 1 {
		t.Fatalf("proposals made = %d, want 1", res.Proposals)
	}
	situation(t, s, v10, "CANCELADO", ch)
	situation(t, s, v10, "INATIVO", nil) // still gone: no second removal
	ps := pending(t, s)
	if len(ps) != 1 || ps[0].Kind != OrderKindRemoval || ps[0].Cause.Motive != MotiveCancellation ||
		ps[0].Cause.ChangedBy != "JOANA SGA" || !ps[0].Cause.ChangedAt.Equal(when) ||
		ps[0].Cause.Before != "ATIVO" || ps[0].Cause.After != "CANCELADO" || ps[0].Contract != imp[0].Contract.Number {
		t.Fatalf("proposals = %+v", ps)
	}

	// INADIMPLENTE marks the contract and proposes nothing (the default rule)...
	situation(t, s, v11, "INADIMPLENTE", nil)
	c11, _, _ := s.Contract(imp[1].Contract.Number)
	if !c11.Delinquent || len(pending(t, s)) != 1 {
		t.Fatalf("delinquent %v, %d pending", c11.Delinquent, len(pending(t, s)))
	}
	// ...and a vehicle back to ATIVO before anyone decided withdraws its removal.
	situation(t, s, v11, "ATIVO", nil)
	if c11, _, _ = s.Contract(imp[1].Contract.Number); c11.Delinquent {
		t.Fatal("still delinquent once ATIVO")
	}
	situation(t, s, v11, "CANCELADO", nil)
	situation(t, s, v11, "ATIVO", nil)
	all, _ := s.Proposals(ProposalFilter{}, 0)
	if len(all) != 2 || all[0].Status != ProposalWithdrawn || all[0].VehicleSGACode != 11 {
		t.Fatalf("after a cancel and a reactivation: %+v", all)
	}

	// Generating the removal; a second accept of the same proposal is refused.
	orders, err := s.AcceptProposals([]uint64{ps[0].ID}, cli)
	if err != nil || len(orders) != 1 || orders[0].Kind != OrderKindRemoval || orders[0].Status != OrderStatusOpen {
		t.Fatalf("accept: %+v, %v", orders, err)
	}
	if _, err := s.AcceptProposals([]uint64{ps[0].ID}, cli); !errors.Is(err, ErrNotPending) {
		t.Fatalf("second accept: %v", err)
	}
	number := orders[0].Number

	// Its life: a contact attempt, scheduled, started, finished; steps out of order refused.
	if _, err := s.AdvanceOrder(number, OrderStep{To: OrderStatusRunning}, cli); !errors.Is(err, ErrBadStep) {
		t.Fatalf("start before scheduling: %v", err)
	}
	if _, err := s.AdvanceOrder(number, OrderStep{Attempt: &ContactAttempt{Outcome: "Sem resposta"}}, cli); err != nil {
		t.Fatal(err)
	}
	visit := &Visit{At: time.Date(2026, 11, 5, 14, 0, 0, 0, time.UTC), Technician: "Carlos"}
	if _, err := s.AdvanceOrder(number, OrderStep{To: OrderStatusScheduled, Visit: visit,
		Attempt: &ContactAttempt{Outcome: "Agendado"}}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdvanceOrder(number, OrderStep{To: OrderStatusRunning}, cli); err != nil {
		t.Fatal(err)
	}
	o, err := s.AdvanceOrder(number, OrderStep{To: OrderStatusDone}, cli)
	if err != nil {
		t.Fatal(err)
	}
	life := o.Life()
	if len(life) != 4 || life[1].Status != OrderStatusScheduled || life[3].Status != OrderStatusDone || len(o.Attempts) != 2 {
		t.Fatalf("life = %+v, attempts %+v", life, o.Attempts)
	}
	if _, err := s.AdvanceOrder(number, OrderStep{To: OrderStatusCancelled, Note: "x"}, cli); !errors.Is(err, ErrBadStep) {
		t.Fatalf("cancel a finished order: %v", err)
	}
	c10, _, _ := s.Contract(imp[0].Contract.Number)
	if c10.State() != ContractClosed || len(c10.Orders) != 1 {
		t.Fatalf("contract after its removal: %+v", c10)
	}

	// Back to ATIVO after the removal: a Reinstalação; dismissing needs a reason.
	situation(t, s, v10, "ATIVO", nil)
	ps = pending(t, s)
	if len(ps) != 1 || ps[0].Kind != OrderKindReinstallation || ps[0].Cause.Motive != MotiveReactivation {
		t.Fatalf("after reactivation: %+v", ps)
	}
	if err := s.DismissProposals([]uint64{ps[0].ID}, " ", cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("dismiss without a reason: %v", err)
	}
	if err := s.DismissProposals([]uint64{ps[0].ID}, "cliente não quer", cli); err != nil {
		t.Fatal(err)
	}
	if len(pending(t, s)) != 0 {
		t.Fatal("dismissed proposal still pending")
	}

	// The audit has every step taken, none refused.
	log, _ := s.AuditLog(0, 0)
	steps := 0
	for _, e := range log {
		if e.Action == ActionOrderChanged || e.Action == ActionProposalAccepted || e.Action == ActionProposalDismissed {
			steps++
		}
	}
	if steps != 12 {
		t.Fatalf("%d audit entries of orders and proposals, want 12", steps)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestLeavingTheListProposesARemoval(t *testing.T) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s := openTest(t, "", Options{Now: ck.now})
	seedImportable(t, s)
	if imp, err := s.Import(1, []int64{10}, cli); err != nil {
		t.Fatal(err)
	} else {
		install(t, s, imp[0].Order.Number)
	}
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	// The run sees every vehicle but 10.
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{client(1, "MARIA", "12345678909"), client(2, "JOSE", "98765432100")},
		Vehicles: []Vehicle{vehicle(11, 1, "AAA1A12", "ATIVO"), vehicle(12, 1, "AAA1A13", "CANCELADO"), vehicle(20, 2, "BBB2B22", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkGone([]uint64{run.ID}, 0, nil); err != nil {
		t.Fatal(err)
	}
	ps := pending(t, s)
	if len(ps) != 1 || ps[0].Cause.Motive != MotiveLeftList || ps[0].VehicleSGACode != 10 {
		t.Fatalf("proposals = %+v", ps)
	}
	r, _ := s.Run(run.ID)
	if r.Counts.Proposals != 1 {
		t.Fatalf("run counts %d proposals", r.Counts.Proposals)
	}
}

func TestRulesReclassify(t *testing.T) {
	s := openTest(t, "", Options{})
	seedImportable(t, s)
	if imp, err := s.Import(1, []int64{10}, cli); err != nil {
		t.Fatal(err)
	} else {
		install(t, s, imp[0].Order.Number)
	}
	if err := s.SetRules(Rules{Situations: map[string]string{"suspenso": ClassGone}, RemoveOnDefault: true}, cli); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(Rules{Situations: map[string]string{"X": "nope"}}, cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad class: %v", err)
	}
	situation(t, s, vehicle(10, 1, "AAA1A11", "ATIVO"), "SUSPENSO", nil)
	if ps := pending(t, s); len(ps) != 1 || ps[0].Cause.Motive != MotiveOther {
		t.Fatalf("proposals = %+v", ps)
	}
}

// An operator sees, accepts and works the proposals and orders of their associations only.
func TestOperatorsProposalsAndOrders(t *testing.T) {
	s := openTest(t, "", Options{})
	norte, _ := s.AddAssociation(Association{Slug: "norte"}, cli)
	for _, slug := range []string{"principal", "norte"} {
		in, _ := s.In(slug)
		seedImportable(t, in)
		if imp, err := in.Import(1, []int64{10}, cli); err != nil {
			t.Fatal(err)
		} else {
			install(t, in, imp[0].Order.Number)
		}
		situation(t, in, vehicle(10, 1, "AAA1A11", "ATIVO"), "CANCELADO", nil)
	}
	op, err := s.AddAdmin(Admin{Login: "ana", Name: "Ana", Role: RoleOperator, Associations: []uint64{norte.ID}}, cli)
	if err != nil {
		t.Fatal(err)
	}
	v := s.As(op)
	mine, _ := v.Proposals(ProposalFilter{}, 0)
	all, _ := s.Proposals(ProposalFilter{}, 0)
	if len(all) != 2 || len(mine) != 1 || mine[0].Association != norte.ID || mine[0].AssociationSlug != "norte" {
		t.Fatalf("proposals: operator %+v, supervisor %+v", mine, all)
	}
	var theirs uint64
	for _, p := range all {
		if p.Association != norte.ID {
			theirs = p.ID
		}
	}
	if _, err := v.AcceptProposals([]uint64{theirs}, Actor{Who: "ana"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("accept another association's proposal: %v", err)
	}
	if err := v.DismissProposals([]uint64{theirs}, "x", Actor{Who: "ana"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dismiss another association's proposal: %v", err)
	}
	orders, err := v.AcceptProposals([]uint64{mine[0].ID}, Actor{Who: "ana"})
	if err != nil || len(orders) != 1 {
		t.Fatalf("accept their own: %+v %v", orders, err)
	}
	if _, err := v.AdvanceOrder(orders[0].Number, OrderStep{To: OrderStatusCancelled, Note: "teste"}, Actor{Who: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AdvanceOrder("OS-"+fmt.Sprint(time.Now().Year())+"-000001", OrderStep{To: OrderStatusCancelled, Note: "x"}, Actor{Who: "ana"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another association's order: %v", err)
	}
	if err := v.SetRules(Rules{RemoveOnDefault: true}, Actor{Who: "ana"}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("an operator sets rules: %v", err)
	}
}

// A phone is kept as its digits: the supplier listing's DDD and number apart and the member
// lookup's "(31)98888-0000" are the same phone, not a change.
func TestPhonesAreDigits(t *testing.T) {
	s := openTest(t, "", Options{})
	c := client(1, "MARIA", "12345678909")
	c.Phone = "31" + "98888-0000"
	if _, err := s.Apply(Batch{Clients: []Client{c}}); err != nil {
		t.Fatal(err)
	}
	c.Phone = "(31)98888-0000"
	res, err := s.Apply(Batch{Clients: []Client{c}})
	if err != nil || res.ClientsUnchanged != 1 {
		t.Fatalf("the same phone written otherwise: %+v %v", res, err)
	}
	if got, _ := s.ClientByCode(1); got.Phone != "31988880000" {
		t.Fatalf("phone = %q", got.Phone)
	}
}

// ProposalViews gives each proposal its client, vehicle and contract, and the kind of the run
// that found the change.
func TestProposalViews(t *testing.T) {
	s := openTest(t, "", Options{})
	seedImportable(t, s)
	imp, err := s.Import(1, []int64{10}, cli)
	if err != nil {
		t.Fatal(err)
	}
	install(t, s, imp[0].Order.Number)
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	v := vehicle(10, 1, "AAA1A11", "CANCELADO")
	c := client(1, "MARIA", "12345678909")
	c.Phone = "31988880000"
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{c}, Vehicles: []Vehicle{v}}); err != nil {
		t.Fatal(err)
	}
	vs, err := s.ProposalViews(ProposalFilter{Status: ProposalPending}, 0)
	if err != nil || len(vs) != 1 {
		t.Fatalf("ProposalViews = %+v, %v", vs, err)
	}
	pv := vs[0]
	if pv.Client.Name != "MARIA" || pv.Client.Phone != "31988880000" || pv.Vehicle.Plate != "AAA1A11" ||
		pv.Contract.Number != imp[0].Contract.Number || pv.RunKind != RunFull || pv.AssociationSlug == "" {
		t.Fatalf("the view: %+v", pv)
	}
}

// The full-sync day is one of an association's rules: an operator changes none of them,
// though they may turn the daily sync on and off and set its time.
func TestAnOperatorChangesNoRuleNotEvenTheFullDay(t *testing.T) {
	s := openTest(t, "", Options{})
	norte, _ := s.AddAssociation(Association{Slug: "norte"}, cli)
	op, err := s.AddAdmin(Admin{Login: "ana", Name: "Ana", Role: RoleOperator, Associations: []uint64{norte.ID}}, cli)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.As(op).In("norte")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.SetRules(Rules{RemoveOnDefault: true}, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator's rules: %v", err)
	}
	sc, _ := in.Schedule()
	sc.Enabled, sc.TimeOfDay = true, "04:30"
	if err := in.SetSchedule(sc, cli); err != nil {
		t.Fatalf("an operator's daily sync: %v", err)
	}
	sc.FullDay = time.Saturday
	if err := in.SetSchedule(sc, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator's full day: %v", err)
	}
	if got, _ := in.Schedule(); got.FullDay != time.Sunday || got.TimeOfDay != "04:30" {
		t.Errorf("schedule = %+v", got)
	}
	sup, _ := s.In("norte")
	if err := sup.SetSchedule(sc, cli); err != nil {
		t.Errorf("a supervisor's full day: %v", err)
	}
}
