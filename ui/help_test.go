package ui

import (
	"strings"
	"testing"
)

// esc closes the ? help, which says so, on any page and at 80×24 too; then esc is the page's
// again.
func TestEscClosesTheHelp(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		c := newConsole(t, fixture(t), size[0], size[1])
		c.waitFor("integracao")
		c.press("3")
		c.waitFor("MARIA DA SILVA")
		c.press("?")
		c.waitFor("G    fim", "esc fechar")
		c.press("esc")
		s := c.waitGone("G    fim")
		if !strings.Contains(s, "? ajuda · q sair") {
			t.Fatalf("%dx%d: esc did not close the help:\n%s", size[0], size[1], s)
		}
		c.press("down", "down", "enter", "?")
		s = c.waitFor("esc fechar")
		if strings.Contains(s, "esc voltar") {
			t.Fatalf("%dx%d: the help gives esc two meanings:\n%s", size[0], size[1], s)
		}
		c.press("esc", "esc")
		c.waitGone("esc fechar")
		c.waitFor("MARIA DA SILVA", "? ajuda · q sair") // the second esc closed the client
	}
}

// esc closes the ctrl+g guide, whose panel says so, and the guide's wrapped lines stand under
// their text, not under their number.
func TestEscClosesTheGuide(t *testing.T) {
	c := newConsole(t, fixture(t), 80, 24)
	c.waitFor("integracao")
	c.press("ctrl+g")
	s := c.waitFor("Criando a Chave API", "há mais abaixo (pgdn) · esc fechar", "esc fechar")
	var wrapped string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, `"Novo".`) {
			wrapped = l
		}
	}
	if !strings.Contains(wrapped, `│      "Novo".`) {
		t.Fatalf("the step's wrapped words lost its indent: %q\n%s", wrapped, s)
	}
	c.press("esc")
	c.waitGone("Criando a Chave API")
}

// On the form, with a field in focus, the help names only what works there: the letters
// type, so no j/k/g/G.
func TestFormHelpListsWhatWorksInAField(t *testing.T) {
	c := open(t)
	c.press("?", "tab")
	s := c.waitFor("↑ campo anterior", "↓ próximo campo")
	for _, gone := range []string{"↓/j", "↑/k", "g    início", "G    fim", "esc voltar"} {
		if strings.Contains(s, gone) {
			t.Fatalf("the help lists %q in a field:\n%s", gone, s)
		}
	}
	c.typeText("jkgG")
	c.waitFor("integracaojkgG")
}
