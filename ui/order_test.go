package ui

import (
	"strings"
	"testing"
	"time"

	"ponte/store"
	"ponte/ui/uitest"
)

// Cancelling an Instalação asks, after the motivo, whether its contract closes: s closes it,
// n keeps it Ativo, esc goes back to the motivo as typed. A Retirada's cancel asks nothing.
func TestCancellingAnInstallationAsksAboutItsContract(t *testing.T) {
	// OS-2026-000001 and -000002 are Instalações still Aberta, of CT-2026-000001 and -000002;
	// OS-2026-000003 is CT-2026-000003's, Concluída, and SGA's cancel of its vehicle a Retirada.
	svc := fixture(t)
	st := svc.Store
	if _, err := st.Import(1, []int64{10}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(1, []int64{11}, uitest.Maria); err != nil {
		t.Fatal(err)
	}
	uitest.Install(t, st, "OS-2026-000003")
	v, _ := st.VehicleByCode(11)
	v.Situation = "CANCELADO"
	cl, _ := st.ClientByCode(1)
	if _, err := st.Apply(store.Batch{Clients: []store.Client{cl}, Vehicles: []store.Vehicle{v.Vehicle}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AcceptProposals([]uint64{1}, uitest.Maria); err != nil {
		t.Fatal(err) // OS-2026-000004: the Retirada of CT-2026-000003
	}
	c := newConsole(t, svc, 100, 30)
	c.steps("=Último: concluído", "4", "=OS-2026-000004", "down", "down", "down", "enter", "=CT-2026-000001 · Ativo", "x", "=Cancelar OS-2026-000001")
	c.typeText("associado desistiu")
	c.steps("enter", "=Motivo: associado desistiu", "=Encerrar o contrato CT-2026-000001? (s/n)", "=n o mantém Ativo",
		"esc", "=Cancelar OS") // back to the motivo, as typed
	c.waitGone("Encerrar o contrato")
	c.steps("=associado desistiu", "enter", "=Encerrar o contrato CT-2026-000001? (s/n)", "s",
		"=OS-2026-000001: Cancelada; contrato encerrado.", "=CT-2026-000001 · Encerrado",
		"=Cancelada, por maria · associado desistiu · contrato encerrado")
	o, ct, err := svc.Store.Order("OS-2026-000001")
	if err != nil || o.Status != store.OrderStatusCancelled || ct.State() != store.ContractClosed {
		t.Fatalf("in the store: %s, contract %s, %v", o.Status, ct.State(), err)
	}

	c.steps("esc", "up", "enter", "=Ordem de serviço OS-2026-000002", "=Tipo              Instalação", "x")
	c.typeText("duplicada")
	c.steps("enter", "=Encerrar o contrato CT-2026-000002? (s/n)", "n",
		"=OS-2026-000002: Cancelada; contrato mantido Ativo.", "=CT-2026-000002 · Ativo")
	if _, ct, _ := svc.Store.Order("OS-2026-000002"); ct.State() != store.ContractActive {
		t.Fatalf("kept contract: %s", ct.State())
	}

	c.steps("esc", "up", "up", "enter", "=Ordem de serviço OS-2026-000004", "=Tipo              Retirada", "x")
	c.typeText("associado regularizou")
	c.steps("enter", "=OS-2026-000004: Cancelada.", "=CT-2026-000003 · Ativo")
	if s := c.waitFor("Motivo do cancelamento  associado regularizou"); strings.Contains(s, "Cancelada por") {
		t.Fatalf("the motivo is labelled as a person:\n%s", s) // it is why, not who
	}
}

// A visit in the past is refused in the form, which keeps what was typed: an earlier day at
// the date, an earlier hour today at the hour, each error gone as soon as its field changes.
// enter submits from any field, as the footer says; tab moves.
func TestAVisitInThePastIsRefused(t *testing.T) {
	c := newConsole(t, fixture(t), 100, 30) // the fixture's clock: 27/11/2026 09:30
	c.steps("=Último: concluído", "4", "=OS-2026-000001", "enter", "=Ordem de serviço OS-2026-000001", "a", "=enter Agendar")
	for _, field := range []string{"01/01/2020", "09:00", "Carlos Souza"} {
		c.typeText(field)
		c.press("tab")
	}
	c.press("enter")
	s := c.waitFor("já passou (hoje é 27/11/2026)")
	if l := lineWith(s, "já passou"); !strings.Contains(l, "Data") {
		t.Fatalf("an earlier day is not marked at the date: %q", l)
	}
	c.press("ctrl+u")
	c.waitGone("hoje é") // the date changed: its error went with it
	c.typeText("27/11/2026")
	c.press("enter") // from the date: enter submits
	s = c.waitFor("já passou (agora são 09:30)")
	if l := lineWith(s, "já passou"); !strings.Contains(l, "Hora") || !strings.Contains(l, "09:00") {
		t.Fatalf("an earlier hour today is not marked at the hour: %q", l)
	}
	c.press("ctrl+u")
	c.waitGone("agora são")
	c.typeText("10:00")
	c.steps("enter", "=OS-2026-000001: Agendada.", "=27/11/2026 10:00, Carlos Souza")
}

// lineWith is the first line of screen that holds text ("" when none does).
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// A step key the order's status does not allow says why when pressed, in the store's words:
// an Aberta order is scheduled before it starts, a cancelled one does not change.
func TestAStepNotAllowedSaysWhy(t *testing.T) {
	c := newConsole(t, fixture(t), 100, 30)
	c.steps("=Último: concluído", "4", "=OS-2026-000001", "enter", "=Ordem de serviço OS-2026-000001",
		"e", "=✗ OS-2026-000001 está Aberta: agende-a antes de iniciar a execução.",
		"f", "=✗ OS-2026-000001 está Aberta: agende-a e inicie a execução antes de concluir.", "x")
	c.typeText("duplicada")
	c.steps("enter", "=(s/n)", "n", "=OS-2026-000001: Cancelada", "c", "=✗ OS-2026-000001 está Cancelada: uma OS cancelada não muda.")
}

// An order shows its client's name and phone: recording a contact attempt needs them.
func TestAnOrderShowsItsClientsPhone(t *testing.T) {
	c := newConsole(t, fixture(t), 100, 30)
	c.steps("=Último: concluído", "4", "=OS-2026-000001", "enter",
		"=Cliente           MARIA DA SILVA (código SGA 1)", "=Telefone          (31) 98888-0000")
}

// An order that dropped its oldest contact attempts and steps says how many, where they were.
func TestAnOrderSaysWhatItNoLongerKeeps(t *testing.T) {
	svc := fixture(t)
	for i := 0; i < store.MaxOrderAttempts+3; i++ {
		if _, err := svc.Store.AdvanceOrder("OS-2026-000001", store.OrderStep{Attempt: &store.ContactAttempt{Outcome: "Sem resposta"}}, uitest.Maria); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= store.MaxOrderHistory; i++ {
		v := &store.Visit{At: time.Now().AddDate(0, 0, i), Technician: "Carlos"}
		if _, err := svc.Store.AdvanceOrder("OS-2026-000001", store.OrderStep{To: store.OrderStatusScheduled, Visit: v}, uitest.Maria); err != nil {
			t.Fatal(err)
		}
	}
	c := newConsole(t, svc, 100, 80)
	c.steps("=Último: concluído", "4", "=OS-2026-000001", "enter",
		"=… e mais 3 tentativas anteriores, não guardadas", "=… e mais 1 etapa anterior, não guardada")
}
