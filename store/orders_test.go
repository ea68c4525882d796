package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// imported is a store on clock ck with seedImportable's data and client 1's vehicles imported.
func imported(t *testing.T, ck *clock, vehicles ...int64) (*Store, []Imported) {
	t.Helper()
	s := openTest(t, "", Options{Now: ck.now})
	seedImportable(t, s)
	imp, err := s.Import(1, vehicles, cli)
	if err != nil {
		t.Fatal(err)
	}
	return s, imp
}

// Cancelling an Instalação decides its contract, in the same transaction, recorded in the
// order's life and in the audit; a Retirada's contract is not the operator's to decide there.
func TestCancellingAnInstallationDecidesItsContract(t *testing.T) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, imp := imported(t, ck, 10, 11)
	closing, keeping := imp[0].Order.Number, imp[1].Order.Number
	cancel := OrderStep{To: OrderStatusCancelled, Note: "associado desistiu"}

	_, err := s.AdvanceOrder(closing, cancel, cli)
	if !errors.Is(err, ErrContractDecision) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), imp[0].Contract.Number) {
		t.Fatalf("cancel an Instalação without a decision: %v", err)
	}
	if o, c, _ := s.Order(closing); o.Status != OrderStatusOpen || c.State() != ContractActive {
		t.Fatalf("a refused cancel wrote: %s, %s", o.Status, c.State())
	}
	bad := cancel
	bad.Contract = "talvez"
	if _, err := s.AdvanceOrder(closing, bad, cli); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"talvez"`) {
		t.Fatalf("an unknown decision: %v", err)
	}

	aside := OrderStep{Attempt: &ContactAttempt{Outcome: "Sem resposta"}, Contract: CloseContract}
	if _, err := s.AdvanceOrder(closing, aside, cli); !errors.Is(err, ErrContractDecision) {
		t.Fatalf("a decision on the contract beside a contact attempt: %v", err)
	}

	step := cancel
	step.Contract = CloseContract
	o, err := s.AdvanceOrder(closing, step, cli)
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := s.Order(closing)
	last := o.Life()[len(o.Life())-1]
	if o.Status != OrderStatusCancelled || c.State() != ContractClosed || c.StatusBy != "maria" || !c.StatusAt.Equal(ck.t) ||
		last.Contract != ContractClosed {
		t.Fatalf("closed: order %s, contract %+v, last step %+v", o.Status, c, last)
	}
	step.Contract = KeepContract
	if o, err = s.AdvanceOrder(keeping, step, cli); err != nil {
		t.Fatal(err)
	}
	if _, c, _ := s.Order(keeping); c.State() != ContractActive || o.Life()[len(o.Life())-1].Contract != ContractActive {
		t.Fatalf("kept: contract %+v, life %+v", c, o.Life())
	}
	log, err := s.AuditLog(2, 0)
	if err != nil || len(log) != 2 || !strings.Contains(log[0].Details, "contract "+imp[1].Contract.Number+" kept Ativo") ||
		!strings.Contains(log[1].Details, "contract "+imp[0].Contract.Number+" Encerrado") {
		t.Fatalf("audit: %+v, %v", log, err)
	}

	// A vehicle whose tracker is in leaves SGA: its Retirada is cancelled with no decision to
	// make (the tracker stays where it is), and one offered is refused.
	in, err := s.Import(2, []int64{20}, cli)
	if err != nil {
		t.Fatal(err)
	}
	install(t, s, in[0].Order.Number)
	situation(t, s, vehicle(20, 2, "BBB2B22", "ATIVO"), "CANCELADO", nil)
	ps := pending(t, s)
	if len(ps) != 1 {
		t.Fatalf("proposals: %+v", ps)
	}
	orders, err := s.AcceptProposals([]uint64{ps[0].ID}, cli)
	if err != nil {
		t.Fatal(err)
	}
	removal := orders[0].Number
	step.Contract = CloseContract
	if _, err := s.AdvanceOrder(removal, step, cli); !errors.Is(err, ErrContractDecision) || !strings.Contains(err.Error(), `"Retirada"`) {
		t.Fatalf("a decision on a Retirada's contract: %v", err)
	}
	if _, err := s.AdvanceOrder(removal, cancel, cli); err != nil {
		t.Fatal(err)
	}
	if o, c, _ := s.Order(removal); o.Status != OrderStatusCancelled || c.State() != ContractActive || CancelDecidesContract(o, c) {
		t.Fatalf("a cancelled Retirada: %s, contract %s", o.Status, c.State())
	}
}

// A visit is never in the past, by the store's clock: not another day, not an earlier hour
// today. A visit that has passed is rescheduled to a time to come.
func TestVisitsAreNotInThePast(t *testing.T) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 30, 0, time.UTC)}
	s, imp := imported(t, ck, 10)
	number := imp[0].Order.Number
	at := func(tm time.Time) OrderStep {
		return OrderStep{To: OrderStatusScheduled, Visit: &Visit{At: tm, Technician: "Carlos"}}
	}
	for _, past := range []time.Time{
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 2, 8, 59, 0, 0, time.UTC), // today, an earlier hour
	} {
		var ve *VisitError
		if err := s.CheckVisit(past); !errors.Is(err, ErrPastVisit) || !errors.As(err, &ve) || ve.Today() != (past.Year() == 2026) {
			t.Errorf("CheckVisit(%s) = %v: today %v", past, err, ve != nil && ve.Today()) // the hour is what passed, or the day
		}
		_, err := s.AdvanceOrder(number, at(past), cli)
		if !errors.Is(err, ErrPastVisit) || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is in the past") ||
			strings.HasSuffix(err.Error(), "invalid") {
			t.Errorf("schedule at %s: %v", past, err)
		}
	}
	if o, _, _ := s.Order(number); o.Status != OrderStatusOpen || o.Visit != nil {
		t.Fatalf("a refused visit was written: %+v", o)
	}
	// The minute it is now is not past: the form takes minutes.
	if _, err := s.AdvanceOrder(number, at(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), cli); err != nil {
		t.Fatalf("schedule for this minute: %v", err)
	}
	ck.t = ck.t.Add(3 * time.Hour) // the visit was missed
	if _, err := s.AdvanceOrder(number, at(ck.t.Add(-time.Hour)), cli); !errors.Is(err, ErrPastVisit) {
		t.Fatalf("reschedule into the past: %v", err)
	}
	o, err := s.AdvanceOrder(number, at(ck.t.Add(24*time.Hour)), cli)
	if err != nil || o.Status != OrderStatusScheduled || !o.Visit.At.Equal(ck.t.Add(24*time.Hour)) {
		t.Fatalf("reschedule a missed visit: %+v, %v", o.Visit, err)
	}
}

// A step out of order says where the order is and what to do first, in plain words.
func TestStepsOutOfOrderSayWhatToDo(t *testing.T) {
	s, imp := imported(t, &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, 10)
	n := imp[0].Order.Number
	for _, c := range []struct {
		to, why string
		want    string
	}{
		{OrderStatusRunning, StepScheduleFirst, "order " + n + ` is "Aberta": schedule it before starting`},
		{OrderStatusDone, StepNotScheduled, "order " + n + ` is "Aberta": schedule and start it before finishing`},
	} {
		t.Run(c.to+" "+c.why, func(t *testing.T) {
			_, err := s.AdvanceOrder(n, OrderStep{To: c.to}, cli)
			if !errors.Is(err, ErrBadStep) || !errors.Is(err, ErrInvalid) || err.Error() != c.want {
				t.Errorf("to %s: %v, want %q", c.to, err, c.want)
			}
			var se *StepError
			if o, _, _ := s.Order(n); !errors.As(err, &se) || se.Why != c.why || CheckStep(o, c.to).Error() != c.want {
				t.Errorf("to %s: %#v, want the reason %q that CheckStep gives", c.to, se, c.why)
			}
		})
	}
}

// An order's client is read in the order's association, as the register has it now.
func TestOrderClient(t *testing.T) {
	s, imp := imported(t, &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, 10)
	o := imp[0].Order
	want, err := s.ClientByCode(o.ClientSGACode)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.OrderClient(o); err != nil || got.Name != want.Name || got.Phone != want.Phone || got.Name == "" {
		t.Fatalf("OrderClient = %+v, %v; want %+v", got, err, want)
	}
}

// An order keeps its newest MaxOrderAttempts contact attempts and its opening with its newest
// steps, MaxOrderHistory in all, counting what it dropped; the audit keeps every step, each
// attempt numbered as if none had been dropped.
func TestOrderKeepsABoundedHistory(t *testing.T) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, imp := imported(t, ck, 10)
	number := imp[0].Order.Number
	const attempts, reschedules = MaxOrderAttempts + 5, MaxOrderHistory + 5
	var o Order
	var err error
	for i := 1; i <= attempts; i++ {
		ck.t = ck.t.Add(time.Minute)
		o, err = s.AdvanceOrder(number, OrderStep{Attempt: &ContactAttempt{Outcome: "Sem resposta", Note: fmt.Sprint("tentativa ", i)}}, cli)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= reschedules; i++ {
		ck.t = ck.t.Add(time.Minute)
		v := &Visit{At: ck.t.AddDate(0, 0, i), Technician: fmt.Sprint("técnico ", i)}
		if o, err = s.AdvanceOrder(number, OrderStep{To: OrderStatusScheduled, Visit: v}, cli); err != nil {
			t.Fatal(err)
		}
	}
	stored, _, err := s.Order(number)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Order{o, stored} {
		if len(o.Attempts) != MaxOrderAttempts || o.AttemptsDropped != 5 || o.Attempts[0].Note != "tentativa 6" ||
			o.Attempts[MaxOrderAttempts-1].Note != fmt.Sprint("tentativa ", attempts) {
			t.Fatalf("attempts: %d kept, %d dropped, first %+v", len(o.Attempts), o.AttemptsDropped, o.Attempts[0])
		}
		life := o.Life()
		if len(life) != MaxOrderHistory || o.HistoryDropped != 1+reschedules-MaxOrderHistory || life[0].Status != OrderStatusOpen ||
			life[1].Visit.Technician != "técnico 7" || life[len(life)-1].Visit.Technician != fmt.Sprint("técnico ", reschedules) {
			t.Fatalf("history: %d kept, %d dropped: %+v", len(life), o.HistoryDropped, life[:2])
		}
	}
	log, err := s.AuditLog(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	steps, numbered := 0, false
	for _, e := range log {
		if e.Action == ActionOrderChanged {
			steps++
			numbered = numbered || strings.Contains(e.Details, fmt.Sprint("contact attempt ", attempts, ":"))
		}
	}
	if steps != attempts+reschedules || !numbered {
		t.Fatalf("the audit has %d order steps, the last attempt numbered %d: %v", steps, attempts, numbered)
	}
}
