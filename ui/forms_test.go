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
