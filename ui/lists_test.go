package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ponte/store"
	"ponte/ui/uitest"
)

// A new search starts at its first row, whatever row the cursor was on before it: on Clientes
// (ANA, JOSÉ, MARIA by name; "s" finds all three) and on Contratos e OS (newest first).
func TestNewSearchStartsAtTheFirstRow(t *testing.T) {
	c := open(t)
	c.press("3")
	c.waitFor("MARIA DA SILVA")
	c.press("j", "j")
	if l := cursorLine(c.screen()); !strings.Contains(l, "MARIA DA SILVA") {
		t.Fatalf("the cursor is not on MARIA: %q", l)
	}
	c.press("/")
	c.typeText("s")
	c.waitFor("Buscar: s", "ANA SOUZA", "JOSÉ D'ÁVILA", "MARIA DA SILVA")
	if l := cursorLine(c.screen()); !strings.Contains(l, "ANA SOUZA") {
		t.Fatalf("a new search kept the old cursor row: %q\n%s", l, c.screen())
	}
	c.press("enter", "enter")
	c.waitFor("ANA SOUZA  111.222.333-44")

	svc := fixture(t)
	if _, err := svc.Store.Import(1, []int64{10, 11}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	c = newConsole(t, svc, 100, 30)
	c.press("4")
	c.waitFor("OS-2026-000003", "OS-2026-000002", "OS-2026-000001")
	c.press("j", "j")
	if l := cursorLine(c.screen()); !strings.Contains(l, "OS-2026-000001") {
		t.Fatalf("the cursor is not on the oldest order: %q", l)
	}
	c.press("/")
	c.typeText("OS-2026")
	c.waitFor("Buscar: OS-2026", "OS-2026-000003")
	c.press("enter", "enter")
	c.waitFor("Ordem de serviço OS-2026-000003")
	// A filter is a new search too.
	c.press("esc")
	c.waitFor("OS-2026-000001")
	c.press("j", "j", "s")
	c.waitFor("Status: Aberta")
	if l := cursorLine(c.screen()); !strings.Contains(l, "OS-2026-000003") {
		t.Fatalf("a new filter kept the old cursor row: %q\n%s", l, c.screen())
	}
}

// An order created by another session, listed first, does not move the cursor off the
// order it was on.
func TestCursorStaysOnItsOrderWhenOneArrives(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.Import(1, []int64{10}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	c.press("4")
	c.waitFor("OS-2026-000002", "OS-2026-000001")
	c.press("j")
	if l := cursorLine(c.screen()); !strings.Contains(l, "OS-2026-000001") {
		t.Fatalf("the cursor is not on the oldest order: %q", l)
	}
	if _, err := svc.Store.Import(1, []int64{11}, store.Actor{Who: "joao"}); err != nil {
		t.Fatal(err)
	}
	c.handle(dataChangedMsg{})
	s := c.waitFor("OS-2026-000003")
	if l := cursorLine(s); !strings.Contains(l, "OS-2026-000001") {
		t.Fatalf("a new order moved the cursor off OS-2026-000001: %q\n%s", l, s)
	}
}

// The empty search says what it searches, whole; three letters find a plate's owner.
func TestSearchHintAndAPlatesLetters(t *testing.T) {
	c := open(t)
	c.press("3")
	c.waitFor("MARIA DA SILVA")
	c.press("/")
	c.waitFor("Buscar: " + tClientSearchHint)
	c.typeText("xyz")
	c.waitFor("Buscar: xyz", "JOSÉ D'ÁVILA")
	c.waitGone("MARIA DA SILVA")
	c.press("backspace", "backspace", "backspace")
	c.waitFor("Buscar: "+tClientSearchHint, "MARIA DA SILVA")
	// Contratos e OS says what it searches too.
	c.press("esc", "esc", "4")
	c.waitFor("OS-2026-000001")
	c.press("/")
	c.waitFor("Buscar: " + tOrderSearchHint)
	c.typeText("jkl")
	c.waitFor("Buscar: jkl", "OS-2026-000001")
}

// Every page, and what opens from its lists, binds each key once: the footer's help never
// names one key for two things.
func TestNoKeyIsBoundTwiceOnAPage(t *testing.T) {
	c := newConsole(t, withProposals(t), 120, 35)
	c.waitFor("integracao", "Último: concluído")
	check := func(where string) {
		t.Helper()
		c.drain()
		bound := map[string]string{}
		for _, group := range c.m.helpGroups() {
			for _, b := range group {
				if !b.Enabled() {
					continue
				}
				for _, k := range b.Keys() {
					if other, ok := bound[k]; ok && other != b.Help().Desc {
						t.Errorf("%s: %q is both %q and %q", where, k, other, b.Help().Desc)
					}
					bound[k] = b.Help().Desc
				}
			}
		}
	}
	check("Integração SGA")
	for _, s := range []struct {
		where string
		steps []string
	}{
		{"Administradores", []string{"2", "=Maria Souza"}},
		{"a profile", []string{"enter", "=Andamento de importação SGA"}},
		{"a profile's other tab", []string{"tab"}},
		{"Clientes", []string{"esc", "3", "=MARIA DA SILVA"}},
		{"a client's vehicles", []string{"enter", "=Importação de Veículos SGA"}},
		{"a client's data", []string{"tab"}},
		{"Contratos e OS", []string{"esc", "4", "=OS-2026-000002"}},
		{"an order", []string{"enter", "=Ordem de serviço"}},
		{"Associações", []string{"esc", "5", "=principal"}},
		{"Pendências", []string{"6", "=2 pendências"}},
		{"a proposal", []string{"enter", "=proposta"}},
	} {
		c.steps(s.steps...)
		check(s.where)
	}
}

// On Pendências g is gerar ordens, and início is home: the help says so, and each does it.
func TestPendingGIsGenerateAndHomeIsTheTop(t *testing.T) {
	c := newConsole(t, withProposals(t), 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("2 pendências")
	c.press("?")
	s := c.waitFor("gerar ordens", "início")
	if words := strings.Join(strings.Fields(s), " "); !strings.Contains(words, "g gerar ordens") ||
		!strings.Contains(words, "home início") || strings.Contains(words, "g início") {
		t.Fatalf("the help does not say g gerar ordens, home início:\n%s", s)
	}
	c.press("?", "down")
	first := cursorLine(c.screen())
	c.press("home")
	if cursorLine(c.screen()) == first {
		t.Fatalf("home did not move to the first row:\n%s", c.screen())
	}
	c.press("g")
	c.waitFor("Gerar 1 ordem de serviço")
}

// space ticks the row and moves to the next one, on Importação de Veículos SGA as on
// Pendências; on a row that cannot be ticked it says why and stays.
func TestSpaceTicksAndMovesDown(t *testing.T) {
	c := open(t)
	openVehicles(c) // ABC1D23, DEF4G56, GHI7J89 (CANCELADO), JKL0M12
	c.press("space")
	s := c.waitFor("1 selecionado")
	if l := cursorLine(s); !strings.Contains(l, "DEF4G56") {
		t.Fatalf("space on a vehicle did not move down: %q\n%s", l, s)
	}
	c.press("space", "space")
	s = c.waitFor("2 selecionados", "GHI7J89: não está ATIVO no SGA (CANCELADO)")
	if l := cursorLine(s); !strings.Contains(l, "GHI7J89") {
		t.Fatalf("space on a vehicle that cannot be ticked moved: %q\n%s", l, s)
	}
	c = newConsole(t, withProposals(t), 100, 30)
	c.press("6")
	c.waitFor("2 pendências")
	c.press("space")
	s = c.waitFor("[x]", "1 selecionado")
	if l := cursorLine(s); strings.Contains(l, "[x]") {
		t.Fatalf("space on a proposal did not move down: %q\n%s", l, s)
	}
}

// A table shares its width by what its cells hold: at 80 columns Contratos e OS keeps the
// contract's number, the search of every association keeps INADIMPLENTE whole, and a
// vehicle's products start with ours beside a model that needs little room.
func TestTablesShareTheirWidth(t *testing.T) {
	c := newConsole(t, fixture(t), 80, 24)
	c.press("4")
	c.waitFor("OS-2026-000001", "CT-2026-000001")

	svc, _ := many(t)
	c = openOn(t, svc, 80, 24)
	c.press("3")
	c.waitFor("ANA SOUZA")
	c.press("t")
	c.waitFor("ANA SOUZA", "MARIANA VALE", "INADIMPLENTE")

	svc = fixture(t)
	v, _ := svc.Store.VehicleByCode(11)
	v.Products = []string{"1", "2", "3", "4", "7", "19", "22"}
	if _, err := svc.Store.Apply(store.Batch{Clients: []store.Client{{SGACode: 1, Name: "MARIA DA SILVA", CPF: "12345678909"}},
		Vehicles: []store.Vehicle{v.Vehicle}}); err != nil {
		t.Fatal(err)
	}
	c = newConsole(t, svc, 100, 30)
	openVehicles(c)
	c.waitFor("DEF4G56", "19,1,2,3,4,7,22")

	// The widest kind and status beside each other: the name is cut, the plate stays.
	svc = withWideOrders(t)
	c = newConsole(t, svc, 80, 24)
	c.press("4")
	s := c.waitFor("OS-2026-000003 Reinstalação", "Em execução", "Concluída")
	for _, want := range []string{"Placa", "JKL0M12", "CT-2026-000001", "MARIA DA "} {
		if !strings.Contains(s, want) {
			t.Fatalf("Contratos e OS at 80 columns lost %q:\n%s", want, s)
		}
	}
	// Every association's Pendências at 120 columns keeps the contract: texts are cut first.
	svc, _ = many(t)
	for _, slug := range []string{"principal", "norte-seguro"} {
		in, err := svc.Store.ForAssociation(slug)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Import(1, []int64{10}, uitest.Maria); err != nil {
			t.Fatal(err)
		}
		uitest.InstallAll(t, in)
		situation(t, in, 10, "CANCELADO")
	}
	c = openOn(t, svc, 120, 35)
	c.press("6")
	c.waitFor("1 pendência", "ABC1D23")
	c.press("t")
	s = c.waitFor("2 pendências em", "norte-seguro", "principal")
	for _, want := range []string{"Contrato", "CT-2026-000002", "ABC1D23", "NOR1A23"} {
		if !strings.Contains(s, want) {
			t.Fatalf("every association's Pendências at 120 columns lost %q:\n%s", want, s)
		}
	}
}

// situation has SGA change the imported vehicle code's situation, with its client.
func situation(t *testing.T, st store.ClientStore, code int64, to string) {
	t.Helper()
	v, err := st.VehicleByCode(code)
	if err != nil {
		t.Fatal(err)
	}
	v.Situation = to
	cl, err := st.ClientByCode(v.ClientSGACode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(store.Batch{Clients: []store.Client{cl}, Vehicles: []store.Vehicle{v.Vehicle}}); err != nil {
		t.Fatal(err)
	}
}

// withWideOrders is the fixture with an order of each width: JKL0M12's Instalação (OS 1)
// Concluída, its Retirada (OS 2) Concluída once SGA cancelled it, and its Reinstalação (OS 3)
// Em execução once SGA had it ATIVO again.
func withWideOrders(t *testing.T) Services {
	t.Helper()
	svc := fixture(t)
	st := svc.Store
	accept := func() {
		ps, err := st.Proposals(store.ProposalFilter{}, 0)
		if err != nil || len(ps) == 0 {
			t.Fatalf("no proposal: %v", err)
		}
		if _, err := st.AcceptProposals([]uint64{ps[0].ID}, uitest.Maria); err != nil {
			t.Fatal(err)
		}
	}
	advance := func(number string, to ...string) {
		for _, s := range to {
			step := store.OrderStep{To: s}
			if s == store.OrderStatusScheduled {
				step.Visit = &store.Visit{At: time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC), Technician: "Carlos"}
			}
			if _, err := st.AdvanceOrder(number, step, uitest.Maria); err != nil {
				t.Fatal(err)
			}
		}
	}
	uitest.Install(t, st, "OS-2026-000001")
	situation(t, st, 13, "CANCELADO")
	accept()
	advance("OS-2026-000002", store.OrderStatusScheduled, store.OrderStatusRunning, store.OrderStatusDone)
	situation(t, st, 13, "ATIVO")
	accept()
	advance("OS-2026-000003", store.OrderStatusScheduled, store.OrderStatusRunning)
	return svc
}

// withEveryCause is the fixture after a full read in which SGA inactivated ABC1D23 (no user
// named), cancelled JKL0M12 (the change feed naming who) and no longer listed DEF4G56: three
// removals, each of an imported vehicle of MARIA DA SILVA, whose phone SGA gives.
func withEveryCause(t *testing.T) Services {
	t.Helper()
	svc := fixture(t)
	st := svc.Store
	if _, err := st.Import(1, []int64{10, 11}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	uitest.InstallAll(t, st)
	run, err := st.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, uitest.Maria)
	if err != nil {
		t.Fatal(err)
	}
	v10, _ := st.VehicleByCode(10)
	v13, _ := st.VehicleByCode(13)
	v10.Situation, v13.Situation = "INATIVO", "CANCELADO"
	maria, _ := st.ClientByCode(1)
	maria.Phone = "31988880000"
	when := time.Date(2026, 11, 27, 8, 12, 0, 0, time.UTC)
	if _, err := st.Apply(store.Batch{RunID: run.ID, Clients: []store.Client{maria}, Vehicles: []store.Vehicle{v10.Vehicle, v13.Vehicle},
		Changes: map[int64]store.SGAChange{13: {Field: "codigo_situacao", Before: "ATIVO", After: "CANCELADO", At: when, By: "JOANA ATENDIMENTO"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkGone([]uint64{run.ID}, 1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishRun(run.ID, store.StatusSucceeded, "", "", uitest.Maria); err != nil {
		t.Fatal(err)
	}
	return svc
}

// Pendências at 120 columns: the client's name and phone, the motive whole, who changed it
// ("leitura completa" when a full read found it), the contract, kinds counted in agreement; enter opens a
// proposal's detail, on which g and x act on it alone.
func TestPendingShowsTheClientAndOpensAProposal(t *testing.T) {
	c := newConsole(t, withEveryCause(t), 120, 35)
	c.press("6")
	s := c.waitFor("3 pendências", "MARIA DA SILVA", "(31) 98888-0000", "Fora da lista ", "JOANA ATENDIMEN", "leitura completa",
		"CT-2026-000001")
	if strings.Contains(s, "Fora da lis…") {
		t.Fatalf("the motive is cut:\n%s", s)
	}
	c.press("a", "g")
	c.waitFor("Gerar 3 ordens de serviço: 3 Retiradas? (s/n)")
	c.press("n")
	c.waitGone("(s/n)")

	c.press("enter")
	c.waitFor("Retirada proposta · ", "MARIA DA SILVA · 123.456.789-09", "(31) 98888-0000", "CT-2026-", "Detectada em")
	c.press("esc")
	c.waitFor("3 pendências")
	for i := 0; i < 3 && !strings.Contains(cursorLine(c.screen()), "DEF4G56"); i++ {
		c.press("down")
	}
	c.press("enter")
	c.waitFor("Retirada proposta · DEF4G56", "Motivo            ATIVO → fora da lista do SGA", "antes da leitura completa de 27/11/2026 09:30", "VW POLO 1.0 TSI")
	c.press("g")
	c.waitFor("Gerar 1 ordem de serviço: 1 Retirada? (s/n)")
	c.press("s")
	c.waitFor("Ordens geradas: OS-", "2 pendências")
	c.waitGone("Retirada proposta")
}

// A client listed above the cursor by another session leaves the cursor on its client, and
// that row in view, on a list scrolled to its end.
func TestCursorStaysOnItsClientInAScrolledList(t *testing.T) {
	svc := fixture(t)
	var clients []store.Client
	for i := range 40 {
		clients = append(clients, store.Client{SGACode: int64(100 + i), Name: fmt.Sprintf("CLIENTE %02d", i), CPF: "12345678909"})
	}
	if _, err := svc.Store.Apply(store.Batch{Clients: clients}); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 80, 24)
	c.press("3")
	c.waitFor("ANA SOUZA")
	c.press("end")
	if l := cursorLine(c.waitFor("MARIA DA SILVA")); !strings.Contains(l, "MARIA DA SILVA") {
		t.Fatalf("the cursor is not on the last client: %q", l)
	}
	// One above the rows in view, one among them.
	if _, err := svc.Store.Apply(store.Batch{Clients: []store.Client{{SGACode: 98, Name: "ALICE PRIMEIRA", CPF: "12345678909"},
		{SGACode: 99, Name: "CLIENTE 38A", CPF: "12345678909"}}}); err != nil {
		t.Fatal(err)
	}
	c.handle(dataChangedMsg{})
	s := c.waitFor("CLIENTE 38A")
	if l := cursorLine(s); !strings.Contains(l, "MARIA DA SILVA") {
		t.Fatalf("a new client moved the cursor off MARIA DA SILVA: %q\n%s", l, s)
	}
}

// An empty list's sentence wraps at 80 columns: what to do next is never cut.
func TestEmptyListSaysAllOfItAt80Columns(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.AddAssociation(store.Association{Slug: "vazia", Name: "Vazia"}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	c := newConsoleAs(t, svc, Session{Actor: uitest.Maria, Association: "vazia"}, 80, 24)
	c.waitFor("Associação: Vazia")
	c.press("3")
	s := c.waitFor("Nenhum cliente.")
	// The sentence's lines, from its start to its full stop (the footer may cut its keys).
	sentence := s[strings.Index(s, "Nenhum cliente."):]
	if end := strings.Index(sentence, "SGA."); end >= 0 {
		sentence = sentence[:end+len("SGA.")]
	}
	if strings.Contains(sentence, "…") || !strings.HasSuffix(sentence, "SGA.") {
		t.Fatalf("the empty list's sentence was cut:\n%s", s)
	}
}
