package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui/uitest"
)

// openOn is a supervisor's console that opens on Proteção Sul (principal).
func openOn(t *testing.T, svc Services, w, h int) *console {
	t.Helper()
	return newConsoleAs(t, svc, Session{Actor: maria, Association: "principal"}, w, h)
}

// many is the fixture with three associations, and its operator of norte-seguro.
func many(t *testing.T) (Services, store.Admin) {
	t.Helper()
	f := uitest.New(t)
	ana := f.Many(t)
	return Services{Store: f.Store, Engine: f.Engine, Now: f.Now}, ana
}

// TestAssociationScreens goldens the picker, Associações and the search across associations.
func TestAssociationScreens(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		for _, tc := range []struct {
			name  string
			steps []string
		}{
			{"associations", []string{"5", "=3 associações"}},
			{"picker", []string{"ctrl+a", "=Trocar de associação", "=Vale de Minas"}},
			{"picker_filtered", []string{"ctrl+a", "=Trocar de associação", "n", "o", "r", "=Buscar: nor", "=Norte Seguro"}},
			{"clients_all", []string{"3", "=MARIA DA SILVA", "t", "=Buscando em 3 associações", "=MARIA NORTE"}},
			{"association_add", []string{"5", "=3 associações", "n", "=Nova associação"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				svc, _ := many(t)
				c := openOn(t, svc, size[0], size[1])
				c.waitFor("integracao", "Associação: Proteção Sul")
				c.steps(tc.steps...)
				golden.RequireEqual(t, c.ascii())
			})
		}
	}
}

// The picker switches every page to the chosen association: the same client code shows
// another client, the contracts are that association's.
func TestPickerSwitchesEveryPage(t *testing.T) {
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("4")
	c.waitFor("OS-2026-000001")
	c.press("ctrl+a")
	c.waitFor("Trocar de associação")
	c.typeText("norte")
	c.waitGone("Vale de Minas")
	c.press("enter")
	c.waitFor("Associação: Norte Seguro (norte-seguro)", "[4 Contratos e OS]", "Nenhuma ordem de serviço ainda")
	c.press("3")
	c.waitFor("MARIA NORTE DE SOUZA")
	if s := c.screen(); strings.Contains(s, "MARIA DA SILVA") {
		t.Fatalf("Proteção Sul's client on Norte Seguro's list:\n%s", s)
	}
	c.press("5")
	s := c.waitFor("3 associações")
	if !strings.Contains(cursorLine(s)+markedLine(s, "●"), "Norte Seguro") {
		t.Fatalf("the current association is not marked on Associações:\n%s", s)
	}
	c.press("ctrl+a", "esc")
	c.waitGone("Trocar de associação")
}

// What is typed into the picker before its list is read is not lost to the page behind it:
// ctrl+a, "norte" and enter at once land in Norte Seguro; ctrl+a and esc at once leave no
// picker open.
func TestPickerTakesKeysBeforeItsList(t *testing.T) {
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("4")
	c.waitFor("OS-2026-000001")
	c.rush("ctrl+a", "n", "o", "r", "t", "e", "enter")
	s := c.waitFor("Associação: Norte Seguro (norte-seguro)", "[4 Contratos e OS]")
	if strings.Contains(s, "Trocar de associação") {
		t.Fatalf("the picker is still open:\n%s", s)
	}
	c.rush("ctrl+a", "esc")
	c.press("ctrl+a")
	c.waitFor("Trocar de associação", "Vale de Minas")
	c.rush("esc")
	c.press("3")
	s = c.waitFor("MARIA NORTE DE SOUZA")
	if strings.Contains(s, "Trocar de associação") {
		t.Fatalf("a picker closed at once opened when its list came:\n%s", s)
	}
}

// markedLine is the screen's line holding mark.
func markedLine(screen, mark string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, mark) {
			return l
		}
	}
	return ""
}

// Clientes' t searches every association; opening another association's client makes it
// the current one and opens the client there.
func TestSearchAllOpensTheClientInItsAssociation(t *testing.T) {
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("3")
	c.waitFor("MARIA DA SILVA", "t buscar em todas as associações")
	c.press("t", "/")
	c.typeText("maria")
	c.waitFor("MARIA NORTE DE SOUZA", "MARIANA VALE", "norte-seguro", "Buscando em 3 associações.")
	c.waitGone("JOSÉ D'ÁVILA") // the list of all, before the query, is gone
	c.press("enter")           // leave the search field
	if s := c.screen(); !strings.Contains(s, "t buscar só na atual") {
		t.Fatalf("the footer does not offer to search only the current one:\n%s", s)
	}
	for !strings.Contains(cursorLine(c.screen()), "MARIA NORTE") {
		c.press("down")
		if strings.Contains(cursorLine(c.screen()), "MARIANA VALE") {
			t.Fatalf("MARIA NORTE is not listed before MARIANA VALE:\n%s", c.screen())
		}
	}
	c.press("enter")
	c.waitFor("Associação: Norte Seguro", "MARIA NORTE DE SOUZA  529.982.247-25", "NOR1A23")
	c.press("esc") // back on Clientes, of Norte Seguro now
	c.waitFor("MARIA NORTE DE SOUZA", "t buscar em todas as associações")
	c.waitGone("MARIA DA SILVA")
}

// openAssocForm is a supervisor's console on the fixture of three associations, its form
// "Nova associação" open.
func openAssocForm(t *testing.T) (Services, *console) {
	t.Helper()
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("5", "n")
	c.waitFor("Nova associação")
	return svc, c
}

// A supervisor adds an association on Associações: it opens on its Integração SGA.
func TestAddAssociationInTheConsole(t *testing.T) {
	svc, c := openAssocForm(t)
	c.typeText("Norte Seguro")
	c.press("ctrl+s")
	c.waitFor("só a-z, 0-9 e '-' (até 32)")
	c.press("ctrl+u")
	c.typeText("norte-seguro")
	c.press("tab")
	c.typeText("Outra")
	c.press("ctrl+s")
	c.waitFor("já existe uma com esse nome curto")
	c.press("ctrl+u")           // the refused field has the cursor
	c.typeText("agua-limpa-jk") // j and k are letters in a field, not moves
	c.press("backspace", "backspace", "backspace")
	c.press("tab", "ctrl+u")
	c.typeText("Água Limpa Proteção")
	c.press("tab")
	c.typeText("123")
	c.press("ctrl+s")
	c.waitFor("CNPJ inválido")
	c.press("ctrl+u")
	c.press("ctrl+s")
	// It says it was created, not that it is the current one.
	s := c.waitFor("[1 Integração SGA]", "Associação: Água Limpa Proteção (agua-limpa)", "Cadastro para uso manual",
		"✓ Associação criada: Água Limpa Proteção. Preencha a Integração SGA dela.")
	if strings.Contains(s, "Associação atual") {
		t.Fatalf("the creation was told as a switch:\n%s", s)
	}
	in, err := svc.Store.ForAssociation("agua-limpa")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := in.IntegrationState(); st != (store.IntegrationState{}) {
		t.Fatalf("the new association's integration is not empty: %+v", st)
	}
}

// A supervisor disables an association after saying yes; it stays listed, marked.
func TestDisableAssociationInTheConsole(t *testing.T) {
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("5")
	c.waitFor("3 associações")
	for !strings.Contains(cursorLine(c.screen()), "Norte Seguro") {
		c.press("down")
	}
	c.press("d")
	c.waitFor("Desativar a associação Norte Seguro?")
	c.press("s")
	c.waitFor("Associação Norte Seguro desativada.")
	if a, _ := svc.Store.Association("norte-seguro"); !a.Disabled {
		t.Fatal("not disabled in the store")
	}
	c.waitUntil("the row says it", func(s string) bool { return strings.Contains(cursorLine(s), "desativada") })
}

// An operator of norte-seguro sees that association only: on the header, on Associações, in
// the picker and in the search, with no search across associations to offer; and may not
// change its integration nor add associations.
func TestOperatorSeesOnlyTheirAssociation(t *testing.T) {
	svc, ana := many(t)
	c := newConsoleAs(t, svc, Session{Actor: store.Actor{Who: "ana", From: "test"}, Admin: &ana}, 100, 30)
	c.waitFor("Associação: Norte Seguro")
	c.press("5")
	s := c.waitFor("1 associação", "Norte Seguro (norte-seguro) ")
	for _, other := range []string{"Proteção Sul", "Vale de Minas", "n nova associação", "d desativar"} {
		if strings.Contains(s, other) {
			t.Fatalf("the operator sees %q:\n%s", other, s)
		}
	}
	c.press("ctrl+a")
	s = c.waitUntil("the picker's list", func(s string) bool {
		return strings.Contains(s, "Trocar de associação") && !strings.Contains(s, "Carregando…")
	})
	if !strings.Contains(cursorLine(s), "Norte Seguro") {
		t.Fatalf("the picker does not offer the operator's association:\n%s", s)
	}
	if strings.Contains(s, "Proteção Sul") || strings.Contains(s, "Vale de Minas") {
		t.Fatalf("the picker offers another association:\n%s", s)
	}
	c.press("esc", "3")
	s = c.waitFor("MARIA NORTE DE SOUZA")
	if strings.Contains(s, "MARIA DA SILVA") || strings.Contains(s, "buscar em todas") {
		t.Fatalf("the operator's Clientes:\n%s", s)
	}
	c.press("4")
	c.waitFor("Nenhuma ordem de serviço ainda") // Proteção Sul's contract is not theirs
	c.press("2")
	s = c.waitFor("Ana Lima")
	if strings.Contains(s, "Maria Souza") {
		t.Fatalf("the operator sees other administrators:\n%s", s)
	}
	c.press("1", "tab", "tab", "tab", "tab")
	c.typeText("77")
	c.press("ctrl+s")
	c.waitFor("Só supervisores podem fazer isso.")
}

// Quitting the console on this terminal stops the engine: with another association's sync
// going, q asks first.
func TestQuitAsksWhileAnotherAssociationSyncs(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 5, Members: 3000, PageSize: 50, Faults: sim.Faults{Latency: 300 * time.Millisecond}}, true, nil)
	if _, err := svc.Store.AddAssociation(store.Association{Slug: "outra", Name: "Outra"}, maria); err != nil {
		t.Fatal(err)
	}
	if err := svc.Engine.Start(syncer.Request{Association: "principal", By: maria}); err != nil {
		t.Fatal(err)
	}
	c := newConsoleAs(t, svc, Session{Actor: maria, Association: "outra"}, 100, 30)
	c.waitFor("Associação: Outra", "1 sincronismo em andamento")
	c.press("q")
	c.waitFor("1 sincronismo de outra associação para se você sair. Sair? (s/n)")
	c.press("n")
	c.waitGone("Sair? (s/n)")
	if c.quit {
		t.Fatal("q quit while another association synced")
	}
	c.press("q")
	c.waitFor("Sair? (s/n)")
	c.press("s")
	c.waitUntil("quit", func(string) bool { return c.quit })
}

// What a page asked for before a switch of association, coming back after it, is dropped: a
// contract of Proteção Sul opened just before switching to Norte Seguro does not open on
// Norte Seguro's Contratos e OS.
func TestAnswersFromBeforeASwitchAreDropped(t *testing.T) {
	svc, _ := many(t)
	c := openOn(t, svc, 100, 30)
	c.waitFor("Associação: Proteção Sul")
	c.press("4")
	c.waitFor("OS-2026-000001")
	c.drain()
	_, held := c.m.Update(keyPress("enter")) // open the contract; its answer is held back
	if held == nil {
		t.Fatal("enter on a contract asked for nothing")
	}
	c.press("ctrl+a")
	c.waitFor("Trocar de associação")
	c.typeText("norte")
	c.waitGone("Vale de Minas")
	c.press("enter")
	c.waitFor("Associação: Norte Seguro", "Nenhuma ordem de serviço ainda")
	c.handle(held()) // the answer arrives now
	c.drain()
	if s := c.screen(); strings.Contains(s, "OS-2026-000001") || !strings.Contains(s, "Nenhuma ordem de serviço ainda") {
		t.Fatalf("Proteção Sul's contract opened on Norte Seguro:\n%s", s)
	}
}

// ponte demo's note is its own associations': an association created in the demo opens on
// an Integração SGA with nothing saved, and no note that says the credentials are.
func TestDemoNoteOnlyOnTheDemosAssociations(t *testing.T) {
	svc, _ := many(t)
	c := newConsoleAs(t, svc, Session{Actor: maria, Association: "principal"}, 100, 30,
		WithDemo("credenciais.txt", []string{"principal"}, 0, 0))
	c.waitFor("Associação: Proteção Sul", "Demonstração: as credenciais", "credenciais.txt")
	c.press("5", "n")
	c.waitFor("Nova associação")
	c.typeText("agua-limpa")
	c.press("tab")
	c.typeText("Água Limpa")
	c.press("ctrl+s")
	s := c.waitFor("[1 Integração SGA]", "Associação: Água Limpa (agua-limpa)", "✓ Associação criada")
	if strings.Contains(s, "Demonstração") || strings.Contains(s, "credenciais.txt") {
		t.Fatalf("a new association's form says the demo's credentials are saved in it:\n%s", s)
	}
}

// A CNPJ is one company: the form refuses a second association with an existing one's CNPJ,
// on the CNPJ field, and creates nothing.
func TestAssociationFormRefusesATakenCNPJ(t *testing.T) {
	svc, c := openAssocForm(t)
	if _, err := svc.Store.UpdateAssociation("norte-seguro", store.AssociationPatch{CNPJ: new("11222333000181")}, maria); err != nil {
		t.Fatal(err)
	}
	c.typeText("agua-limpa")
	c.press("tab")
	c.typeText("Água Limpa")
	c.press("tab")
	c.typeText("11.222.333/0001-81")
	c.press("ctrl+s")
	s := c.waitFor("já é o CNPJ de outra associação")
	if l := markedLine(s, "já é o CNPJ"); !strings.Contains(l, "CNPJ  ") || !strings.Contains(cursorLine(s), "CNPJ") {
		t.Fatalf("the refusal is not on the CNPJ field:\n%s", s)
	}
	if _, err := svc.Store.Association("agua-limpa"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the association was created: %v", err)
	}
}

// A run that read with the other credentials ended with a warning: Associações says so, as
// the status bar does, at 100 and 80 columns.
func TestAssociationsSayARunEndedWithAWarning(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			svc, _ := many(t)
			in, err := svc.Store.ForAssociation("principal")
			if err != nil {
				t.Fatal(err)
			}
			run, err := in.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, maria)
			if err != nil {
				t.Fatal(err)
			}
			if err := in.UpdateRun(run.ID, func(r *store.Run) { r.Source, r.FellBack = store.SourceManual, true }); err != nil {
				t.Fatal(err)
			}
			if _, err := in.FinishRun(run.ID, store.StatusSucceeded, "", "", maria); err != nil {
				t.Fatal(err)
			}
			c := openOn(t, svc, size[0], size[1])
			c.waitFor("Último: concluído, com aviso")
			c.press("5")
			s := c.waitFor("3 associações")
			if l := markedLine(s, "● Proteção Sul"); !strings.Contains(l, "concluído, com aviso ") {
				t.Fatalf("Associações does not say the run ended with a warning: %q\n%s", l, s)
			}
			if l := markedLine(s, "Norte Seguro"); strings.Contains(l, "aviso") {
				t.Fatalf("a run without a warning says it has one: %q", l)
			}
		})
	}
}
