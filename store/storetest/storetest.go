// Package storetest is the conformance suite of the store's contract: every implementation of
// store.Backend (bbolt today, PostgreSQL later) must pass it. It drives the store only through
// the interface, so what it checks is what callers may rely on: records read back as written,
// the sentinel errors, writes that are all or nothing, orderings, the audit trail of writes,
// runs' bookkeeping and the text limits.
package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"ponte/store"
)

// Open makes a new, empty store for one test, closed when the test ends. An empty store holds
// one association, "principal", and nothing else: what a new database is.
type Open func(t *testing.T) store.Backend

// Run runs every case against stores made by open, one fresh store per case, each case a
// named subtest.
func Run(t *testing.T, open Open) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, open Open)
	}{
		{"Associations", associations},
		{"Admins", admins},
		{"Scopes", scopes},
		{"ClientsAndVehicles", clientsAndVehicles},
		{"ContractsAndOrders", contractsAndOrders},
		{"Proposals", proposals},
		{"Runs", runs},
		{"Schedule", schedule},
		{"Integration", integration},
		{"Audit", audit},
		{"Export", export},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open) })
	}
}

// each runs the named cases of an aggregate in name order, each on a fresh store.
func each(t *testing.T, open Open, cases map[string]func(t *testing.T, s store.Backend)) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		t.Run(name, func(t *testing.T) { cases[name](t, open(t)) })
	}
}

var who = store.Actor{Who: "maria", From: "cli"}

// in is the store seen from the association named by ref.
func in(t *testing.T, s store.Backend, ref string) store.Backend {
	t.Helper()
	a, err := s.ForAssociation(ref)
	if err != nil {
		t.Fatalf("ForAssociation(%q): %v", ref, err)
	}
	return a
}

func client(code int64, name, cpf string) store.Client {
	return store.Client{SGACode: code, Name: name, CPF: cpf, Situation: "ATIVO"}
}

func vehicle(code, client int64, plate, situation string) store.Vehicle {
	return store.Vehicle{SGACode: code, ClientSGACode: client, Plate: plate, Chassis: fmt.Sprintf("9BWZZZ%011d", code),
		Model: "GOL 1.0", Situation: situation, Products: []string{"19"}}
}

// seed writes two clients: 1 with vehicles 10 and 11 (ATIVO) and 12 (CANCELADO), 2 with 20.
func seed(t *testing.T, s store.Backend) {
	t.Helper()
	_, err := s.Apply(store.Batch{
		Clients: []store.Client{client(1, "MARIA DA SILVA", "12345678909"), client(2, "JOSE SOUZA", "98765432100")},
		Vehicles: []store.Vehicle{vehicle(10, 1, "AAA1A11", "ATIVO"), vehicle(11, 1, "AAA1A12", "ATIVO"),
			vehicle(12, 1, "AAA1A13", "CANCELADO"), vehicle(20, 2, "BBB2B22", "ATIVO")},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// imported is the principal association seeded, with client 1's vehicles imported.
func imported(t *testing.T, s store.Backend, vehicles ...int64) (store.Backend, []store.Imported) {
	t.Helper()
	p := in(t, s, "principal")
	seed(t, p)
	imp, err := p.Import(1, vehicles, who)
	if err != nil {
		t.Fatal(err)
	}
	return p, imp
}

// finish takes orders through a visit now to Concluída.
func finish(t *testing.T, s store.Backend, numbers ...string) {
	t.Helper()
	for _, n := range numbers {
		for _, step := range []store.OrderStep{
			{To: store.OrderStatusScheduled, Visit: &store.Visit{At: time.Now().Add(time.Hour), Technician: "Carlos"}},
			{To: store.OrderStatusRunning}, {To: store.OrderStatusDone},
		} {
			if _, err := s.AdvanceOrder(n, step, who); err != nil {
				t.Fatalf("order %s to %s: %v", n, step.To, err)
			}
		}
	}
}

// actions is the audit log's actions, newest first.
func actions(t *testing.T, s store.AuditStore) []string {
	t.Helper()
	log, err := s.AuditLog(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(log))
	for i, e := range log {
		out[i] = e.Action
	}
	return out
}

// wantErr fails unless err matches every sentinel in want.
func wantErr(t *testing.T, what string, err error, want ...error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want %v", what, want)
		return
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("%s: %v, want %v", what, err, w)
		}
	}
}

// same fails when a refused write changed what the store holds or its audit log.
func same(t *testing.T, s store.Backend, what string, write func() error) {
	t.Helper()
	before, err := s.Counts()
	if err != nil {
		t.Fatal(err)
	}
	logBefore := actions(t, s)
	if err := write(); err == nil {
		t.Fatalf("%s: accepted", what)
	}
	after, _ := s.Counts()
	if after != before || len(actions(t, s)) != len(logBefore) {
		t.Fatalf("%s: a refused write wrote something: %+v -> %+v, %d -> %d audit entries",
			what, before, after, len(logBefore), len(actions(t, s)))
	}
}
