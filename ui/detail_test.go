package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"ponte/store"
	"ponte/ui/uitest"
)

// A list page that comes back to the front with a detail open reads its list again, as it
// reads the detail: what changed while another page was in front shows when esc goes back
// to the list. Each page has the same rule (the Contratos e OS page always had it).
func TestAListBehindADetailIsReadAgainWhenItsPageReturns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		open   []string                   // to the page with a detail open
		change func(*testing.T, Services) // what another session does meanwhile
		page   string                     // the page's key
		shows  string                     // what the list shows after it
	}{
		{"clients", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23"}, func(t *testing.T, svc Services) {
			if _, err := svc.Store.Apply(store.Batch{Clients: []store.Client{{SGACode: 77, Name: "PEDRO NOVO", CPF: "52998224725",
				City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO"}}}); err != nil {
				t.Fatal(err)
			}
		}, "3", "PEDRO NOVO"},
		{"admins", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30"}, func(t *testing.T, svc Services) {
			if _, err := svc.Store.AddAdmin(store.Admin{Login: "bia", Name: "Bia Reis"}, maria); err != nil {
				t.Fatal(err)
			}
		}, "2", "Bia Reis"},
		{"contracts", []string{"4", "=OS-2026-000001", "enter", "=Ordem de serviço OS-2026-000001"}, func(t *testing.T, svc Services) {
			if _, err := svc.Store.Import(1, []int64{11}, uitest.Maria); err != nil {
				t.Fatal(err)
			}
		}, "4", "OS-2026-000002"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := fixture(t)
			c := newConsole(t, svc, 100, 30)
			c.waitFor("integracao", "Último: concluído")
			c.steps(tc.open...)
			c.steps("1", "=[1 Integração SGA]")
			tc.change(t, svc)
			c.press(tc.page)
			c.press("esc")
			c.waitFor(tc.shows)
		})
	}
}

// A paste goes where the keys go: into the open detail's or form's field, never into the
// list's search behind it.
func TestAPasteGoesToTheOpenDetail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		open  func(*testing.T) *console // a console on the fixture, its first screen loaded
		steps []string                  // to a detail, its field focused and empty when it has one
		paste string
		shows string // the detail's field with the paste in it; "": the detail takes no text
		list  string // what the list shows once esc has closed the detail
	}{
		{"admin time", wide, []string{"2", "=Maria Souza", "enter", "=ligado, às 03:00", "h", "=03:00",
			"backspace", "backspace", "backspace", "backspace", "backspace"}, "04:30", "04:30", "Buscar:"},
		{"order technician", wide, []string{"4", "=OS-2026-000001", "enter", "=Aberta, por", "a", "=Data e hora da visita", "tab", "tab"},
			"JOANA TÉCNICA", "JOANA TÉCNICA", "Buscar:"},
		{"client", wide, []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23"}, "xyz", "", "Buscar:"},
		{"dismiss reason", func(t *testing.T) *console {
			c := newConsole(t, withProposals(t), 140, 35)
			c.waitFor("integracao", "Último: concluído")
			return c
		},
			[]string{"6", "=2 pendências", "x", "=Descartar 1 pendência"}, "VEÍCULO VENDIDO", "VEÍCULO VENDIDO", "2 pendências"},
		{"new association", func(t *testing.T) *console {
			svc, _ := many(t)
			c := openOn(t, svc, 140, 35)
			c.waitFor("integracao", "Associação: Proteção Sul")
			return c
		},
			[]string{"5", "=3 associações", "n", "=Nova associação"}, "leste", "leste", "3 associações"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.open(t)
			c.steps(tc.steps...)
			c.handle(tea.PasteMsg{Content: tc.paste})
			if tc.shows != "" {
				c.waitFor(tc.shows)
			}
			// Back on the list, nothing of the paste shows there (the form's esc closes it).
			c.press("esc", "esc", "esc")
			if s := c.waitFor(tc.list); strings.Contains(s, tc.paste) {
				t.Errorf("the paste reached the list behind the detail:\n%s", s)
			}
		})
	}
}

// wide is a console on the fixture wide enough for a profile's time field beside its line.
func wide(t *testing.T) *console {
	c := newConsole(t, fixture(t), 140, 35)
	c.waitFor("integracao", "Último: concluído")
	return c
}
