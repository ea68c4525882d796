package ui

import (
	"regexp"
	"slices"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyState is one state of the console the keys test walks: how to reach it from a fresh
// console, and which page is in front there (its number key answers by staying).
type keyState struct {
	name  string
	fix   string   // the fixture: "" has proposals, "plain" none, "many" three associations
	page  string   // the page in front: "1" to "6"
	steps []string // keys, and "=TEXT": wait until the screen shows TEXT
}

// keyStates are every page of the console and the states its keys lead to: lists, searches,
// open items and their tabs, forms, questions, the help and the association picker.
var keyStates = []keyState{
	{"integration", "", "1", nil},
	{"integration field", "", "1", []string{"tab", "=Usuário"}},
	{"integration button", "", "1", []string{"tab", "tab", "tab", "tab", "tab", "tab"}},
	{"integration guide", "", "1", []string{"ctrl+g", "=Criando a Chave API"}},
	{"full help", "", "1", []string{"?", "=esc fechar"}},
	{"admins", "", "2", []string{"2", "=Maria Souza"}},
	{"admins search", "", "2", []string{"2", "=Maria Souza", "/", "=Buscar:"}},
	{"admin integrations", "", "2", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "=ligado, às 03:00"}},
	{"admin schedule time", "", "2", []string{"2", "=Maria Souza", "enter", "=ligado, às 03:00", "h", "=03:00"}},
	{"admin profile", "", "2", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "tab", "=maria@example.com"}},
	{"admin run", "", "2", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "enter", "=Nenhum erro."}},
	{"clients", "", "3", []string{"3", "=MARIA DA SILVA"}},
	{"clients search", "", "3", []string{"3", "=MARIA DA SILVA", "/", "m", "=Buscar: m"}},
	{"client vehicles", "", "3", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23"}},
	{"client data", "", "3", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23", "tab", "=Código SGA"}},
	{"import question", "", "3", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23", "a", "i", "=Confirmar? (s/n)"}},
	{"contracts", "", "4", []string{"4", "=OS-2026-000001"}},
	{"order done", "", "4", []string{"4", "=OS-2026-000001", "enter", "=Ordem de serviço OS-2026-000002", "=Concluída, por"}},
	{"order open", "plain", "4", []string{"4", "=OS-2026-000001", "enter", "=Ordem de serviço OS-2026-000001", "=Aberta, por"}},
	{"order schedule form", "plain", "4", []string{"4", "=OS-2026-000001", "enter", "=Aberta, por", "a", "=Data e hora da visita"}},
	{"order contact", "plain", "4", []string{"4", "=OS-2026-000001", "enter", "=Aberta, por", "c", "=Resultado do contato"}},
	{"pending", "", "6", []string{"6", "=2 pendências"}},
	{"pending detail", "", "6", []string{"6", "=2 pendências", "enter", "=Retirada proposta"}},
	{"pending dismiss form", "", "6", []string{"6", "=2 pendências", "x", "=Descartar 1 pendência"}},
	{"pending generate question", "", "6", []string{"6", "=2 pendências", "g", "=(s/n)"}},
	{"picker", "many", "1", []string{"ctrl+a", "=Trocar de associação", "=Vale de Minas"}},
	{"many clients", "many", "3", []string{"3", "=MARIA DA SILVA"}},
	{"many clients all", "many", "3", []string{"3", "=MARIA DA SILVA", "t", "=Buscando em 3 associações", "=MARIA NORTE"}},
	{"many associations", "many", "5", []string{"5", "=3 associações", "down"}}, // enter uses another
	{"many association form", "many", "5", []string{"5", "=3 associações", "n", "=Nova associação"}},
	{"many pending", "many", "6", []string{"6", "=Nenhuma pendência", "=ver todas as associações"}},
}

// reach is a fresh console in state s, its readings handled and the last result off the
// status bar (a key takes it away, whatever the key).
func reach(t *testing.T, s keyState) *console {
	t.Helper()
	var c *console
	switch s.fix {
	case "many":
		svc, _ := many(t)
		c = openOn(t, svc, 100, 30)
		c.waitFor("integracao", "Associação: Proteção Sul")
	case "plain":
		c = open(t)
	default:
		c = newConsole(t, withProposals(t), 100, 30)
		c.waitFor("integracao", "Último: concluído")
	}
	c.steps(s.steps...)
	c.press("f12") // no binding's: the status bar's result goes
	c.drain()
	return c
}

// keyMsg is the key press whose name is k, as a terminal sends it.
func keyMsg(t *testing.T, k string) tea.KeyPressMsg {
	t.Helper()
	msg := keyPress(k)
	if msg.String() != k {
		t.Fatalf("cannot press %q: the press reads %q", k, msg.String())
	}
	return msg
}

// acts reports whether pressing k in the state c is in does something: the key returns a
// command (a reading, a question, a result) or changes the screen.
func acts(t *testing.T, c *console, k string) bool {
	t.Helper()
	before := c.screen()
	_, cmd := c.m.Update(keyMsg(t, k))
	return cmd != nil || c.screen() != before
}

// onlyMoves reports whether b moves a list or a text (a line, a page, to either end, or the
// scroll of the guide and of a run's errors): on a list or a text that fits it does nothing,
// and the lists' own tests move them. It is told by what the help says it does: a page's own
// key that took a movement key (Pendências' g) is still checked.
func onlyMoves(b key.Binding) bool {
	moves := []string{tGuideScroll, tScrollErrors}
	for _, m := range DefaultKeys().moves().list() {
		moves = append(moves, m.Help().Desc)
	}
	return slices.Contains(moves, b.Help().Desc)
}

func helpText(b key.Binding) string { return b.Help().Key + " " + b.Help().Desc }

// Every page and state of the console offers each key once, and every key it offers does
// something: no two enabled bindings the footer lists share a key, and pressing each key
// of each listed binding, on a console brought to that state afresh, answers with a command
// or a change of the screen. A movement key at the end it moves towards has nothing to move:
// it is pressed from the other end too (movesFrom).
func TestKeysNeverCollideAndAllAct(t *testing.T) {
	for _, s := range keyStates {
		t.Run(s.name, func(t *testing.T) {
			c := reach(t, s)
			offered := c.m.Offered()
			if len(offered) == 0 {
				t.Fatalf("the footer offers nothing:\n%s", c.screen())
			}
			for i, a := range offered {
				for _, b := range offered[i+1:] {
					if sharesKey(a, b) {
						t.Errorf("%q and %q share a key (%v, %v):\n%s", helpText(a), helpText(b), a.Keys(), b.Keys(), c.screen())
					}
				}
			}
			for _, b := range offered {
				for _, k := range b.Keys() {
					if k == s.page && slices.Contains(b.Keys(), "1") {
						continue // the page in front's own number: it stays
					}
					if !keyActs(t, s, offered, k) && !(onlyMoves(b) && movesFrom(t, s, k)) {
						t.Errorf("%q is offered, but %s does nothing:\n%s", helpText(b), k, c.screen())
					}
				}
			}
		})
	}
}

// keyActs reports whether k acts in state s, on a console brought there afresh; that
// console must offer what the first one did (else s's last wait is not for its last reading).
func keyActs(t *testing.T, s keyState, offered []key.Binding, k string) bool {
	t.Helper()
	c := reach(t, s)
	if got, want := helpTexts(c.m.Offered()), helpTexts(offered); !slices.Equal(got, want) {
		t.Fatalf("%s is not the same state twice: it offered %q, now %q", s.name, want, got)
	}
	return acts(t, c, k)
}

// movesFrom reports whether the movement key k moves something in state s when pressed from
// the other end of its list or text: up from the end, down from the start (where the state
// starts already), the end of a list the state leaves on its first row.
func movesFrom(t *testing.T, s keyState, k string) bool {
	t.Helper()
	for _, from := range []string{"end", "G", "pgdown", "down"} {
		c := reach(t, s)
		if !acts(t, c, from) {
			continue
		}
		c.drain()
		if acts(t, c, k) {
			return true
		}
	}
	return false
}

func helpTexts(bs []key.Binding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = helpText(b)
	}
	return out
}

// The footer shows what Offered says it offers, each key beside what it does (the ? help
// opened where the footer offers it): the test above walks what the operator sees.
func TestOfferedIsWhatTheHelpLists(t *testing.T) {
	for _, s := range keyStates {
		t.Run(s.name, func(t *testing.T) {
			// With the ? help open from the start: in a field, ? is text.
			if len(s.steps) == 0 || s.steps[0] != "?" {
				s.steps = append([]string{"?"}, s.steps...)
			}
			c := reach(t, s)
			screen := c.screen()
			for _, b := range c.m.Offered() {
				h := b.Help()
				if h.Key == "" {
					continue
				}
				listed := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(h.Key) + `\s+` + regexp.QuoteMeta(h.Desc))
				if !listed.MatchString(screen) {
					t.Errorf("%q is offered but not listed:\n%s", h.Key+" "+h.Desc, screen)
				}
			}
		})
	}
}
