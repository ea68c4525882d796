package ui

import (
	"strings"
	"testing"
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
