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

// A paste goes where the keys go: into the open detail's field, never into the list's search
// behind it.
func TestAPasteGoesToTheOpenDetail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string // to a detail, its field focused and empty when it has one
		paste string
		shows string // the detail's field with the paste in it; "": the detail takes no text
	}{
		{"admin time", []string{"2", "=Maria Souza", "enter", "=ligado, às 03:00", "h", "=03:00",
			"backspace", "backspace", "backspace", "backspace", "backspace"}, "04:30", "04:30"},
		{"order technician", []string{"4", "=OS-2026-000001", "enter", "=Aberta, por", "a", "=Data e hora da visita", "tab", "tab"},
			"JOANA TÉCNICA", "JOANA TÉCNICA"},
		{"client", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23"}, "xyz", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConsole(t, fixture(t), 140, 35)
			c.waitFor("integracao", "Último: concluído")
			c.steps(tc.steps...)
			c.handle(tea.PasteMsg{Content: tc.paste})
			if tc.shows != "" {
				c.waitFor(tc.shows)
			}
			// Back on the list, its search holds nothing of the paste.
			c.press("esc", "esc", "esc")
			if s := c.waitFor("Buscar:"); strings.Contains(s, tc.paste) {
				t.Errorf("the paste reached the list behind the detail:\n%s", s)
			}
		})
	}
}
