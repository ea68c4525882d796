package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ponte/store"
	"ponte/ui/uitest"
)

// withProposals is the fixture once SGA cancelled the imported JKL0M12 (the change feed
// naming who) and inactivated ABC1D23, imported too: two removals wait on Pendências.
func withProposals(t *testing.T) Services {
	t.Helper()
	svc := fixture(t)
	st := svc.Store
	if _, err := st.Import(1, []int64{10}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	uitest.InstallAll(t, st)
	v13, _ := st.VehicleByCode(13)
	v10, _ := st.VehicleByCode(10)
	v13.Situation, v10.Situation = "CANCELADO", "INATIVO"
	when := time.Date(2026, 11, 27, 8, 12, 0, 0, time.UTC)
	if _, err := st.Apply(store.Batch{
		Clients:  []store.Client{{SGACode: 1, Name: "MARIA DA SILVA", CPF: "12345678909", City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO"}},
		Vehicles: []store.Vehicle{v13.Vehicle, v10.Vehicle},
		Changes: map[int64]store.SGAChange{13: {Field: "codigo_situacao", Before: "ATIVO", After: "CANCELADO", At: when,
			By: "JOANA ATENDIMENTO"}},
	}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// Pendências → a Retirada generated, the other dismissed → the order scheduled, started and
// finished → its contract Encerrado; goldens of the page and of the order's life.
func TestPendingAndAnOrdersLife(t *testing.T) {
	svc := withProposals(t)
	c := newConsole(t, svc, 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("2 pendências", "MARIA DA SILVA", "JOANA ATENDIMENTO", "Cancelamento", "Inativação", "CT-2026-000001")
	t.Run("pending", func(t *testing.T) { golden.RequireEqual(t, c.ascii()) })

	// The cancelled one (newest first: ABC1D23 was applied after JKL0M12, same batch, so
	// the list shows JKL0M12 second).
	c.press("down", "space")
	c.waitFor("[x]", "1 selecionado")
	c.press("g")
	c.waitFor("Gerar 1 ordem de serviço: 1 Retirada? (s/n)")
	c.press("s")
	c.waitFor("Ordens geradas: OS-2026-000003.")
	c.waitFor("1 pendência")

	// The other is dismissed, with a reason the form insists on.
	c.press("x")
	c.waitFor("Descartar 1 pendência")
	c.press("enter")
	c.waitFor("informe o motivo")
	c.typeText("rastreador já retirado pela associação")
	c.press("enter")
	c.waitFor("1 pendência descartada.", "Nenhuma pendência")

	// Contratos e OS, filtered to removals: the order, and its life.
	c.press("4")
	c.waitFor("OS-2026-000003", "OS-2026-000002")
	c.press("f", "f")
	c.waitFor("Tipo: Retirada")
	c.waitGone("OS-2026-000002")
	c.press("enter")
	c.waitFor("Ordem de serviço OS-2026-000003", "Cancelamento: situação ATIVO → CANCELADO", "27/11/2026 08:12, por JOANA ATENDIMENTO")
	c.press("e")
	c.waitGone("Iniciar") // not offered before scheduling: nothing asked
	c.press("c")
	c.waitFor("Resultado do contato com o associado")
	c.press("2")
	c.waitFor("Tentativa de contato registrada: Sem resposta.")
	c.press("a")
	c.waitFor("Agendar OS-2026-000003")
	c.typeText("31/02/2026")
	c.press("tab")
	c.typeText("14:00")
	c.press("tab", "enter")
	c.waitFor("data inválida; use DD/MM/AAAA", "informe o técnico")
	c.press("ctrl+u") // the first field in error has the cursor
	c.typeText("05/12/2026")
	c.press("tab", "tab")
	c.typeText("Carlos Souza")
	c.press("enter")
	c.waitFor("OS-2026-000003: Agendada.", "05/12/2026 14:00, Carlos Souza")
	c.press("e")
	c.waitFor("Iniciar a execução de OS-2026-000003? (s/n)")
	c.press("s")
	c.waitFor("OS-2026-000003: Em execução.")
	c.press("f")
	c.waitFor("Concluir OS-2026-000003? O contrato CT-2026-000001 será encerrado. (s/n)")
	c.press("s")
	c.waitFor("OS-2026-000003: Concluída.", "CT-2026-000001 · Encerrado")
	t.Run("order_done", func(t *testing.T) { golden.RequireEqual(t, c.ascii()) }) // the order's whole life
	// A finished order cannot be cancelled: x does nothing.
	c.press("x")
	if s := c.waitFor("Status            Concluída", "CT-2026-000001 · Encerrado"); strings.Contains(s, "(s/n)") {
		t.Fatalf("x on a finished order asked something:\n%s", s)
	}
	c.press("esc")
	c.waitFor("Encerrado", "Tipo: Retirada")

	o, ct, err := svc.Store.Order("OS-2026-000003")
	if err != nil || o.Status != store.OrderStatusDone || ct.State() != store.ContractClosed || len(o.Life()) != 4 ||
		o.Visit == nil || o.Visit.Technician != "Carlos Souza" || len(o.Attempts) != 1 {
		t.Fatalf("the order in the store: %+v, %+v, %v", o, ct, err)
	}
}

// At 80×24, Pendências and an order keep what matters: kind, plate, client, motive, when (the
// change itself gives way: the motive says it, and the detail shows it).
func TestPendingAt80x24(t *testing.T) {
	svc := withProposals(t)
	if _, err := svc.Store.AcceptProposals([]uint64{1}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 80, 24)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("1 pendência", "ABC1D23", "MARIA DA SILVA", "Inativação", "27/11 09:30")
	t.Run("pending", func(t *testing.T) { golden.RequireEqual(t, c.ascii()) })
	c.press("4")
	c.waitFor("OS-2026-000003")
	t.Run("orders", func(t *testing.T) { golden.RequireEqual(t, c.ascii()) })
	c.press("enter")
	c.waitFor("Histórico")
	t.Run("order", func(t *testing.T) { golden.RequireEqual(t, c.ascii()) })
}

// i shows only the orders of contracts SGA has INADIMPLENTE.
func TestDefaultingFilter(t *testing.T) {
	svc := fixture(t)
	st := svc.Store
	if _, err := st.Import(1, []int64{10}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	v, _ := st.VehicleByCode(10)
	v.Situation = "INADIMPLENTE"
	if _, err := st.Apply(store.Batch{Clients: []store.Client{{SGACode: 1, Name: "MARIA DA SILVA", CPF: "12345678909"}},
		Vehicles: []store.Vehicle{v.Vehicle}}); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	c.waitFor("integracao", "Último: concluído")
	c.press("4")
	c.waitFor("OS-2026-000001", "OS-2026-000002", "Inadimplente")
	c.press("i")
	c.waitFor("só inadimplentes")
	c.waitGone("OS-2026-000001")
	if s := c.screen(); !strings.Contains(s, "OS-2026-000002") || !strings.Contains(s, "ABC1D23") {
		t.Fatalf("the defaulting contract's order is not listed:\n%s", s)
	}
	c.press("i")
	c.waitFor("OS-2026-000001")
}

// t on Pendências shows every association's proposals, with an Associação column; an
// operator sees only theirs.
func TestPendingOfEveryAssociation(t *testing.T) {
	f := uitest.New(t)
	ana := f.Many(t)
	svc := Services{Store: f.Store, Engine: f.Engine, Now: f.Now}
	for _, slug := range []string{"principal", "norte-seguro"} {
		in, err := f.Store.In(slug)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Import(1, []int64{10}, uitest.Maria); err != nil {
			t.Fatal(err)
		}
		uitest.InstallAll(t, in)
		v, _ := in.VehicleByCode(10)
		v.Situation = "CANCELADO"
		cl, _ := in.ClientByCode(1)
		if _, err := in.Apply(store.Batch{Clients: []store.Client{cl}, Vehicles: []store.Vehicle{v.Vehicle}}); err != nil {
			t.Fatal(err)
		}
	}
	c := openOn(t, svc, 110, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("6")
	c.waitFor("1 pendência", "ABC1D23")
	c.press("t")
	c.waitFor("2 pendências em 3 associações.", "norte-seguro", "principal", "NOR1A23")
	// Ana, operator of norte-seguro, sees its one whatever she asks.
	op := newConsoleAs(t, svc, Session{Actor: store.Actor{Who: ana.Login}, Admin: &ana}, 110, 30)
	op.waitFor("Associação: Norte Seguro")
	op.press("6")
	op.waitFor("1 pendência", "NOR1A23")
	if s := op.screen(); strings.Contains(s, "ABC1D23") {
		t.Fatalf("an operator sees another association's proposal:\n%s", s)
	}
}

// A reading of an order asked before a step and answered after it does not put the order back
// as it was; nor does one answered after the order was closed open it again.
func TestStaleOrderReadingsAreDropped(t *testing.T) {
	svc := fixture(t)
	c := newConsole(t, svc, 100, 30)
	c.waitFor("integracao", "Último: concluído")
	c.press("4")
	c.waitFor("OS-2026-000001")
	c.press("enter")
	c.waitFor("Ordem de serviço OS-2026-000001", "Aberta")
	c.drain()
	// Another session's change makes this one read the order again: the reading runs now, its
	// answer is held back.
	_, held := c.m.Update(dataChangedMsg{})
	var stale []tea.Msg
	var run func(tea.Msg)
	run = func(m tea.Msg) {
		if b, ok := m.(tea.BatchMsg); ok {
			for _, cmd := range b {
				if cmd != nil {
					run(cmd())
				}
			}
			return
		}
		stale = append(stale, m)
	}
	run(held())
	c.press("a")
	c.waitFor("Agendar OS-2026-000001")
	c.typeText("05/12/2026")
	c.press("tab")
	c.typeText("14:00")
	c.press("tab")
	c.typeText("Carlos")
	c.press("enter")
	c.waitFor("OS-2026-000001: Agendada.", "Status            Agendada")
	for _, m := range stale {
		c.handle(m)
	}
	c.drain()
	if s := c.screen(); !strings.Contains(s, "Status            Agendada") {
		t.Fatalf("a stale reading put the order back:\n%s", s)
	}
	// Closed, then a late reading arrives: the list stays.
	_, held = c.m.Update(dataChangedMsg{})
	stale = nil
	run(held())
	c.press("esc")
	c.waitFor("Buscar: /")
	for _, m := range stale {
		c.handle(m)
	}
	c.drain()
	if s := c.screen(); strings.Contains(s, "Ordem de serviço OS-2026-000001") {
		t.Fatalf("a late reading opened the order again:\n%s", s)
	}
}

// A proposal that arrives while the operator reads the list does not move the cursor to
// another plate: the cursor stays on its proposal, and g acts on that one.
func TestCursorStaysOnItsProposalWhenOneArrives(t *testing.T) {
	svc := withProposals(t)
	if _, err := svc.Store.Import(1, []int64{11}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	uitest.InstallAll(t, svc.Store)
	c := newConsole(t, svc, 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("2 pendências", "ABC1D23", "JKL0M12")
	c.press("down")
	if l := cursorLine(c.screen()); !strings.Contains(l, "JKL0M12") {
		t.Fatalf("the cursor is not on JKL0M12: %q", l)
	}
	// SGA cancels DEF4G56, imported too: its proposal is the newest, listed first.
	situation(t, svc.Store, 11, "CANCELADO")
	c.handle(dataChangedMsg{})
	s := c.waitFor("3 pendências", "DEF4G56")
	if l := cursorLine(s); !strings.Contains(l, "JKL0M12") {
		t.Fatalf("a new proposal moved the cursor off JKL0M12: %q\n%s", l, s)
	}
	c.press("g")
	c.waitFor("Gerar 1 ordem de serviço: 1 Retirada? (s/n)")
	c.press("s")
	c.waitFor("Ordens geradas: OS-2026-000004.")
	s = c.waitFor("2 pendências", "ABC1D23", "DEF4G56")
	if strings.Contains(s, "JKL0M12") {
		t.Fatalf("g did not act on JKL0M12, the proposal under the cursor:\n%s", s)
	}
	// JKL0M12 is gone: the cursor is on its neighbour, the next row, not back at the top.
	if l := cursorLine(s); !strings.Contains(l, "ABC1D23") {
		t.Fatalf("the cursor is not on the row that followed JKL0M12: %q\n%s", l, s)
	}
}

// A proposal's detail has no list to move: its help offers no movement keys, and g is
// gerar ordens there as on the list.
func TestPendingDetailOffersNoMoves(t *testing.T) {
	c := newConsole(t, withProposals(t), 100, 30)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("2 pendências")
	c.press("enter", "?")
	s := c.waitFor("Retirada proposta", "esc fechar", "g      gerar ordens")
	for _, gone := range []string{"acima", "abaixo", "início", "fim"} {
		if strings.Contains(s, gone) {
			t.Fatalf("the detail's help offers %q:\n%s", gone, s)
		}
	}
}
