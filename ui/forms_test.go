package ui

import (
	"strings"
	"testing"

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
	in, err := svc.Store.In("norte-seguro")
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
