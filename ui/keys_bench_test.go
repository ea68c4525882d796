package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ponte/store"
	"ponte/ui/uitest"
)

// BenchmarkEscBackToClients: esc on a client's vehicles, back to Clientes, Update and the
// screen drawn, with 62,000 clients in the store.
func BenchmarkEscBackToClients(b *testing.B) {
	c := newConsole(b, bigStore(b), 120, 35)
	c.press("3")
	c.waitFor("ANA ALVES")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c.press("enter")
		c.waitFor("Placa")
		b.StartTimer()
		c.handle(keyPress("esc"))
		_ = c.m.Screen()
	}
}

// BenchmarkSpaceTicksVehicle: space on a client's vehicle, Update and the screen drawn.
func BenchmarkSpaceTicksVehicle(b *testing.B) {
	c := newConsole(b, fixture(b), 120, 35)
	openVehicles(c)
	for b.Loop() {
		c.handle(keyPress("space"))
		_ = c.m.Screen()
	}
}

// pendingStore is uitest's store with n more clients, each with an imported vehicle, its
// tracker installed, that SGA then cancelled: n Retiradas wait on Pendências.
func pendingStore(b *testing.B, n int) Services {
	b.Helper()
	svc := fixture(b)
	st := svc.Store
	var bt store.Batch
	for i := range int64(n) {
		code := 1000 + i
		bt.Clients = append(bt.Clients, store.Client{SGACode: code, CPF: fmt.Sprintf("%011d", 20_000_000_000+code),
			Name: fmt.Sprintf("CLIENTE %d", code), City: "RECIFE", State: "PE", Situation: "ATIVO"})
		bt.Vehicles = append(bt.Vehicles, store.Vehicle{SGACode: code, ClientSGACode: code, Plate: fmt.Sprintf("P%06d", code),
			Brand: "VW", Model: "GOL", YearModel: 2020, Situation: "ATIVO", Products: []string{"19"}})
	}
	if _, err := st.Apply(bt); err != nil {
		b.Fatal(err)
	}
	for i := range bt.Vehicles {
		if _, err := st.Import(bt.Vehicles[i].ClientSGACode, []int64{bt.Vehicles[i].SGACode}, maria); err != nil {
			b.Fatal(err)
		}
		bt.Vehicles[i].Situation = "CANCELADO"
	}
	uitest.InstallAll(b, st) // a tracker installed is one a cancel asks back
	if _, err := st.Apply(bt); err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkSpaceTicksPending: space on Pendências with 1,000 proposals, Update and the screen
// drawn.
func BenchmarkSpaceTicksPending(b *testing.B) {
	c := newConsole(b, pendingStore(b, 1000), 120, 35)
	c.waitFor("integracao")
	c.press("6")
	c.waitFor("1000 pendências")
	i := 0
	for b.Loop() {
		if i++; i%900 == 0 {
			c.handle(tea.KeyPressMsg{Code: tea.KeyHome})
		}
		c.handle(keyPress("space"))
		_ = c.m.Screen()
	}
}
