package ui

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ponte/sga/syncer"
	"ponte/store"
)

// bigStore holds 62,000 clients and 75,000 vehicles.
func bigStore(b *testing.B) Services {
	b.Helper()
	st, err := store.Open(filepath.Join(b.TempDir(), "ponte.db"), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	first := []string{"MARIA", "JOSÉ", "ANA", "JOÃO", "ANTÔNIO", "FRANCISCA", "CARLOS", "PAULO", "LÚCIA", "PEDRO"}
	last := []string{"SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "RODRIGUES", "FERREIRA", "ALVES", "PEREIRA", "LIMA", "GOMES"}
	vehicle := int64(1)
	for start := int64(1); start <= 62_000; start += 2000 {
		var bt store.Batch
		for c := start; c < start+2000; c++ {
			bt.Clients = append(bt.Clients, store.Client{SGACode: c, CPF: fmt.Sprintf("%011d", 10_000_000_000+c),
				Name: first[c%10] + " " + last[(c/10)%10] + " " + last[(c/100)%10], City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO"})
			for range 1 + c%5/4 { // 62,000 clients, about 75,000 vehicles
				bt.Vehicles = append(bt.Vehicles, store.Vehicle{SGACode: vehicle, ClientSGACode: c, Plate: fmt.Sprintf("B%06d", vehicle),
					Brand: "VW", Model: "GOL 1.0 FLEX", YearModel: 2020, Situation: "ATIVO"})
				vehicle++
			}
		}
		if _, err := st.Apply(bt); err != nil {
			b.Fatal(err)
		}
	}
	return Services{Store: st, Now: time.Now}
}

// BenchmarkOpenClients: from pressing 3 to the list drawn, with 62,000 clients in the store.
func BenchmarkOpenClients(b *testing.B) {
	svc := bigStore(b)
	for b.Loop() {
		p := newClientsPage(newCommon(svc, Session{Actor: maria}))
		p.SetSize(98, 25)
		msg := p.Init()()
		p.Update(msg)
		_ = p.View()
	}
}

// BenchmarkClientsKeypress: one key in the loaded list, Update and View.
func BenchmarkClientsKeypress(b *testing.B) {
	svc := bigStore(b)
	p := newClientsPage(newCommon(svc, Session{Actor: maria}))
	p.SetSize(98, 25)
	p.Update(p.Init()())
	down, up := tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}
	i := 0
	for b.Loop() {
		k := down
		if i/300%2 == 1 {
			k = up
		}
		i++
		p.Update(k)
		_ = p.View()
	}
}

// BenchmarkVehicleTableView: View of a client's vehicle table.
func BenchmarkVehicleTableView(b *testing.B) {
	svc := bigStore(b)
	c, err := svc.Store.ClientByCode(4) // a client with two vehicles
	if err != nil {
		b.Fatal(err)
	}
	v := newClientView(newCommon(svc, Session{Actor: maria}), c)
	v.SetSize(98, 25)
	v.Update(v.Init()())
	if len(v.vehicles) == 0 {
		b.Fatal("no vehicles")
	}
	for b.Loop() {
		_ = v.View()
	}
}

// BenchmarkStatusRedraw: a running sync's news comes in and the screen is drawn again, on
// Clientes with 62,000 clients. Only the status bar changes: the page's drawing and the
// footer are kept. A server does this for every session several times a second.
func BenchmarkStatusRedraw(b *testing.B) {
	c := newConsole(b, bigStore(b), 120, 35)
	c.press("3")
	c.waitFor("ANA ALVES")
	phases := [...]string{syncer.PhaseCounting, syncer.PhaseReading}
	i := 0
	for b.Loop() {
		i++
		p := syncer.Progress{Running: true, RunID: 1, Phase: phases[i%2], PagesDone: i, PagesTotal: 1 << 30,
			Clients: i, Vehicles: i, StartedBy: "maria"}
		c.m.Update(progressMsg(p))
		_ = c.m.Screen()
	}
}

// BenchmarkToastRedraw: an action's result on the status bar gives way to another's, and the
// screen is drawn again each time, on Clientes with 62,000 clients.
func BenchmarkToastRedraw(b *testing.B) {
	c := newConsole(b, bigStore(b), 120, 35)
	c.press("3")
	c.waitFor("ANA ALVES")
	for b.Loop() {
		c.m.Update(toastMsg{ok: true, text: "Cliente salvo"})
		_ = c.m.Screen()
		c.m.Update(toastMsg{ok: false, text: "Nenhum veículo marcado"})
		_ = c.m.Screen()
	}
}
