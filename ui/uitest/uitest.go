// Package uitest builds the data the console's tests run against: a store with an integration,
// an administrator, three clients with five vehicles, one contract, a finished run and the
// daily schedule, on a fixed clock. The console's own tests and the SSH server's share it.
package uitest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ponte/sga/syncer"
	"ponte/store"
)

// Now is the fixture's clock: 27/11/2026 09:30 UTC.
var Now = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// Maria is the fixture's administrator, as an actor.
var Maria = store.Actor{Who: "maria", From: "test"}

// Fixture is a filled store and an engine on it, both closed when the test ends.
type Fixture struct {
	Store  *store.Store
	Engine *syncer.Engine
	Now    func() time.Time
}

// New builds the fixture in the test's temporary directory.
func New(t testing.TB) Fixture {
	t.Helper()
	now := func() time.Time { return Now }
	st, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), store.Options{NoSync: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := Maria
	user, code, pw := "integracao", "19", "senha-secreta-1234"
	if _, err := st.SetIntegration(store.IntegrationPatch{User: &user, ProductCode: &code, Password: &pw}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddAdmin(store.Admin{Login: "maria", Name: "Maria Souza", Email: "maria@example.com"}, a); err != nil {
		t.Fatal(err)
	}
	run, _ := st.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, a)
	veh := func(code, client int64, plate, model, sit string, year int) store.Vehicle {
		return store.Vehicle{SGACode: code, ClientSGACode: client, Plate: plate, Chassis: fmt.Sprintf("9BW%014d", code),
			Brand: "VW", Model: model, YearModel: year, Situation: sit, Products: []string{"19"}}
	}
	_, err = st.Apply(store.Batch{RunID: run.ID,
		Clients: []store.Client{
			{SGACode: 1, Name: "MARIA DA SILVA", CPF: "12345678909", City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO", Email: "maria@example.com", Phone: "31988880000"},
			{SGACode: 2, Name: "JOSÉ D'ÁVILA", CPF: "98765432100", City: "SÃO PAULO", State: "SP", Situation: "ATIVO"},
			{SGACode: 3, Name: "ANA SOUZA", CPF: "11122233344", City: "RECIFE", State: "PE", Situation: "INADIMPLENTE"},
		},
		Vehicles: []store.Vehicle{
			veh(10, 1, "ABC1D23", "GOL 1.0 FLEX", "ATIVO", 2020),
			veh(11, 1, "DEF4G56", "POLO 1.0 TSI", "ATIVO", 2022),
			veh(12, 1, "GHI7J89", "SAVEIRO 1.6", "CANCELADO", 2015),
			veh(13, 1, "JKL0M12", "VOYAGE 1.6", "ATIVO", 2018),
			veh(20, 2, "XYZ9876", "T-CROSS 200", "ATIVO", 2023),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishRun(run.ID, store.StatusSucceeded, "", "", a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(1, []int64{13}, a); err != nil {
		t.Fatal(err)
	}
	sc := store.DefaultSchedule()
	sc.Enabled, sc.NextRun = true, time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	if err := st.SetSchedule(sc, a); err != nil {
		t.Fatal(err)
	}
	eng := syncer.New(st, syncer.Options{Now: now})
	t.Cleanup(eng.Close)
	return Fixture{Store: st, Engine: eng, Now: now}
}

// Many adds two associations to the fixture's one ("principal", renamed Proteção Sul):
// norte-seguro, whose client 1 and vehicle 10 reuse the codes of principal's, with a run that
// failed, and vale-minas, disabled; and Ana, an operator of norte-seguro alone.
func (f Fixture) Many(t testing.TB) (operator store.Admin) {
	t.Helper()
	a := Maria
	name := "Proteção Sul"
	if _, err := f.Store.UpdateAssociation("principal", store.AssociationPatch{Name: &name}, a); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		slug, name string
		client     store.Client
		plate      string
	}{
		{"norte-seguro", "Norte Seguro", store.Client{SGACode: 1, Name: "MARIA NORTE DE SOUZA", CPF: "52998224725", City: "MANAUS",
			State: "AM", Situation: "ATIVO"}, "NOR1A23"},
		{"vale-minas", "Vale de Minas", store.Client{SGACode: 7, Name: "MARIANA VALE", CPF: "39053344705", City: "OURO PRETO",
			State: "MG", Situation: "ATIVO"}, "VAL2B34"},
	} {
		if _, err := f.Store.AddAssociation(store.Association{Slug: x.slug, Name: x.name}, a); err != nil {
			t.Fatal(err)
		}
		in, err := f.Store.In(x.slug)
		if err != nil {
			t.Fatal(err)
		}
		run, _ := in.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, a)
		_, err = in.Apply(store.Batch{RunID: run.ID, Clients: []store.Client{x.client},
			Vehicles: []store.Vehicle{{SGACode: 10, ClientSGACode: x.client.SGACode, Plate: x.plate, Model: "ONIX 1.0",
				Situation: "ATIVO", Products: []string{"19"}}},
			Errors: []store.RunError{{Page: 2, Kind: "transient", Reason: "503"}, {Page: 3, Kind: "transient", Reason: "503"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.FinishRun(run.ID, store.StatusPartial, "pages_failed", "2 pages failed", a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Store.SetAssociationEnabled("vale-minas", false, a); err != nil {
		t.Fatal(err)
	}
	norte, _ := f.Store.Association("norte-seguro")
	ana, err := f.Store.AddAdmin(store.Admin{Login: "ana", Name: "Ana Lima", Role: store.RoleOperator,
		Associations: []uint64{norte.ID}}, a)
	if err != nil {
		t.Fatal(err)
	}
	return ana
}

// Install takes the orders numbered numbers (an Instalação, a Retirada or a Reinstalação)
// through a visit at the store's now to Concluída, as a technician's work would: a tracker
// installed is one SGA's cancel proposes to take back.
func Install(t testing.TB, st store.ContractStore, numbers ...string) {
	t.Helper()
	for _, n := range numbers {
		for _, step := range []store.OrderStep{{To: store.OrderStatusScheduled, Visit: &store.Visit{At: Now, Technician: "Carlos"}},
			{To: store.OrderStatusRunning}, {To: store.OrderStatusDone}} {
			if _, err := st.AdvanceOrder(n, step, Maria); err != nil {
				t.Fatalf("order %s to %s: %v", n, step.To, err)
			}
		}
	}
}

// InstallAll installs the trackers of every Instalação still Aberta (see Install).
func InstallAll(t testing.TB, st store.ContractStore) {
	t.Helper()
	orders, err := st.Orders("", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if o.Kind == store.OrderKindInstallation && o.Status == store.OrderStatusOpen {
			Install(t, st, o.Number)
		}
	}
}
