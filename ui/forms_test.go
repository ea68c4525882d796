package ui

import (
	"fmt"
	"strings"
	"testing"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
)

// A result on the status bar goes with the next key: "Marque ao menos um veículo" does not
// stay beside the vehicles that a then ticked.
func TestStatusBarResultGoesWithTheNextKey(t *testing.T) {
	c := open(t)
	openVehicles(c)
	c.press("i")
	c.waitFor("✗ Marque ao menos um veículo")
	c.press("a")
	if s := c.waitFor("2 selecionados"); strings.Contains(s, "Marque ao menos um veículo") {
		t.Fatalf("the last action's result stayed after a new one:\n%s", s)
	}
}

// The association form marks one place at a time, and tab reaches its button, where enter
// saves.
func TestAssociationFormTabReachesTheButton(t *testing.T) {
	_, c := openAssocForm(t)
	c.typeText("agua-limpa")
	c.press("tab")
	c.typeText("Água Limpa")
	c.press("tab")
	if s := c.screen(); !strings.Contains(cursorLine(s), "CNPJ") || strings.Contains(s, "[ Salvar ]") {
		t.Fatalf("the CNPJ field and the button are marked at once:\n%s", s)
	}
	c.press("tab")
	s := c.waitFor("[ Salvar ]")
	if l := cursorLine(s); l != "" {
		t.Fatalf("a field is marked while the button has the focus: %q", l)
	}
	c.typeText("x") // the button takes no text
	c.press("enter")
	c.waitFor("Associação: Água Limpa (agua-limpa)", "✓ Associação criada: Água Limpa.")
}

// To an operator the Integração SGA form is read-only, and says so: tab enters no field, the
// footer offers no Salvar, a stored secret shows masked with nothing to "leave blank", and
// ctrl+s says why nothing is saved.
func TestIntegrationFormIsReadOnlyToAnOperator(t *testing.T) {
	svc, ana := many(t)
	in, err := svc.Store.ForAssociation("norte-seguro")
	if err != nil {
		t.Fatal(err)
	}
	secret := "senha-guardada"
	if _, err := in.SetIntegration(store.IntegrationPatch{Password: &secret}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsoleAs(t, svc, Session{Actor: store.Actor{Who: "ana", From: "test"}, Admin: &ana}, 100, 30)
	s := c.waitFor("Associação: Norte Seguro", "Somente leitura: só supervisores alteram a Integração SGA.", "••••")
	if strings.Contains(s, "Salvar") || strings.Contains(s, "Atualizar Token") || strings.Contains(s, "próximo campo") ||
		strings.Contains(s, "deixe em branco") {
		t.Fatalf("the form offers an operator what the store refuses:\n%s", s)
	}
	c.press("tab")
	c.typeText("77")
	if s := c.screen(); cursorLine(s) != "" || strings.Contains(s, "77") {
		t.Fatalf("a field took the focus or the text:\n%s", s)
	}
	c.press("ctrl+s")
	c.waitFor("✗ Só supervisores podem fazer isso.")
}

// When SGA does not answer at all, Salvar saves what it could not test, and says so.
func TestSalvarWithNoReplySavesAndSaysUntested(t *testing.T) {
	svc := fixture(t)
	dead := "http://127.0.0.1:1/api/sga/v2"
	key := "chave-api-1"
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{SGAURL: &dead, APIKey: &key}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	c.waitFor("integracao")
	c.press("tab", "tab")
	c.typeText("senha-nova")
	c.press("ctrl+s")
	c.waitFor("Salvo sem testar: o SGA não respondeu")
	if in, _ := svc.Store.Integration(); in.Password != "senha-nova" {
		t.Fatal("the password was not saved")
	}
}

// barResult is the screen's status bar: from its result's mark ("✓ " or "✗ ") on the lines
// above the footer, joined into one text, or the line above the footer when it shows none.
func barResult(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	lines = lines[:len(lines)-1] // the footer
	for i := len(lines) - 1; i >= max(0, len(lines)-maxStatusRows); i-- {
		if l := strings.TrimSpace(lines[i]); strings.HasPrefix(l, "✓ ") || strings.HasPrefix(l, "✗ ") || strings.Contains(l, "│  ✗ ") || strings.Contains(l, "│  ✓ ") {
			return strings.Join(strings.Fields(strings.Join(lines[i:], " ")), " ")
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// fitsTyping checks that screen fills exactly w×h, as fits does for a screen whose footer,
// while a field has the focus, offers no ? or q.
func fitsTyping(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	for _, l := range lines {
		if textWidth(l) != w {
			t.Fatalf("a line of %d cells at %d wide: %q", textWidth(l), w, l)
		}
	}
	if len(lines) != h {
		t.Fatalf("%d lines at %d high:\n%s", len(lines), h, screen)
	}
}

// A result on the status bar is never cut: a long one takes lines of its own from the page,
// at 80×24 and 120×35, and gives them back when it goes.
func TestStatusBarResultsAreNeverCut(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, nil)
			c := newConsole(t, svc, size[0], size[1])
			c.waitFor(s.Credentials().User)
			c.press("tab", "tab")
			c.typeText("senha-errada")
			c.press("ctrl+s")
			refused := "✗ Não salvo: o SGA recusou o login com esse Usuário, Senha e Chave API; o cadastro salvo antes " +
				"continua valendo. Corrija e clique em Salvar."
			out := c.waitFor("* alterado, não salvo", "✗ Não salvo")
			if bar := barResult(out); !strings.Contains(bar, refused) || strings.Contains(bar, "…") {
				t.Fatalf("the status bar cut the result: %q\n%s", bar, out)
			}
			fitsTyping(t, out, size[0], size[1])
			svc.Engine.Hub("").Publish(syncer.Progress{Status: store.StatusFailed, Phase: syncer.PhaseDone, RunID: 99, ReasonCode: "no_product"})
			failed := "✗ Sincronismo falhou: o Código do Produto não está preenchido em Integração SGA"
			out = c.waitFor("✗ Sincronismo falhou")
			if bar := barResult(out); !strings.Contains(bar, failed) || strings.Contains(bar, "…") {
				t.Fatalf("the status bar cut the result: %q\n%s", bar, out)
			}
			fitsTyping(t, out, size[0], size[1])
			c.press("esc")
			out = c.waitGone("Sincronismo falhou")
			if l := strings.Split(out, "\n"); len(l) != size[1] || !strings.Contains(l[len(l)-2], "Último") {
				t.Fatalf("the bar did not give its lines back:\n%s", out)
			}
		})
	}
}
