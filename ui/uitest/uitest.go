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
	if err := st.SetSchedule(store.Schedule{Enabled: true, TimeOfDay: "03:00", NextRun: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}, a); err != nil {
		t.Fatal(err)
	}
	eng := syncer.New(st, syncer.Options{Now: now})
	t.Cleanup(eng.Close)
	return Fixture{Store: st, Engine: eng, Now: now}
}
