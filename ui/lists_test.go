package ui

import (
	"strings"
	"testing"

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
}
