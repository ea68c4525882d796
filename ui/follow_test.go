package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
)

// heldSGA points the integration at s through a door that holds the requests hold picks
// (nil: every one) until open is called: a run that asks for one is running until then,
// however fast the machine.
func heldSGA(t *testing.T, svc Services, s *sim.Sim, hold func(*http.Request) bool) (open func()) {
	t.Helper()
	door := make(chan struct{})
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold == nil || hold(r) {
			select {
			case <-door:
			case <-r.Context().Done():
				return
			}
		}
		s.ServeHTTP(w, r)
	}))
	var once sync.Once
	open = func() { once.Do(func() { close(door) }) }
	t.Cleanup(func() { open(); web.Close() })
	url := web.URL + sim.BasePath
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{SGAURL: &url}, maria); err != nil {
		t.Fatal(err)
	}
	return open
}

// headerLine is the screen's line that starts with prefix.
func headerLine(screen, prefix string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// lineAfter is the screen's line after the one that starts with prefix.
func lineAfter(screen, prefix string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	return ""
}

// A run opened while it runs follows it: when it ends, its detail says how, without esc and
// enter again.
func TestAnOpenRunFollowsTheRun(t *testing.T) {
	svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, nil)
	release := heldSGA(t, svc, s, nil)
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("27/11/2026 09:30")
	c.press("s")
	c.waitFor("› 2 (2ª)    em andamento")
	c.press("enter")
	c.waitUntil("the open run's header, running", func(s string) bool {
		return strings.HasSuffix(headerLine(s, "Erros da execução 2"), "em andamento")
	})
	release()
	out := c.waitFor("✓ Sincronismo concluído")
	c.waitUntil("the open run's header, ended", func(s string) bool {
		out = s
		return strings.HasSuffix(headerLine(s, "Erros da execução 2"), "concluído")
	})
	if !strings.Contains(out, "Nenhum erro.") {
		t.Fatalf("the ended run's detail:\n%s", out)
	}
	if p := svc.Engine.Hub("").Latest(); p.Running || p.Status != store.StatusSucceeded {
		t.Fatalf("the engine's state: %+v", p)
	}
}

// A run that fell back to the manual listing, which gives no page count, shows the pages it
// has read and no percentage while it runs, in the profile's Andamento and in the status bar;
// it ends at 100%.
func TestARunWithNoPageCountSaysThePagesRead(t *testing.T) {
	for _, size := range [][2]int{{120, 35}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			bad := "token-revogado"
			svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, func(p *store.IntegrationPatch) { p.SyncToken = &bad })
			// The first situação's pages (one wave of four) are read; the second's wait.
			release := heldSGA(t, svc, s, func(r *http.Request) bool {
				return strings.Contains(r.URL.Path, "listar-veiculo-produto/2/")
			})
			c := newConsole(t, svc, size[0], size[1])
			openProfile(c)
			c.waitFor("27/11/2026 09:30")
			c.press("s")
			out := c.waitUntil("the pages read under Andamento", func(s string) bool {
				return lineAfter(s, "Andamento de importação SGA") == "4 páginas lidas"
			})
			if bar := statusLine(out); !strings.Contains(bar, "Sincronizando · 4 páginas lidas") || strings.Contains(bar, "%") {
				t.Fatalf("the status bar: %q", bar)
			}
			if strings.Contains(out, "%") {
				t.Fatalf("a percentage while the page count is unknown:\n%s", out)
			}
			fits(t, c, "a run with no page count", size[0], size[1])
			release()
			c.waitFor("✓ Sincronismo concluído", "100%")
		})
	}
}

// Clientes says how many clients the list shows, in agreement: the association's, then, while
// a search is typed, how many it found of them; across associations, of all of theirs.
func TestClientsSaysHowManyItShows(t *testing.T) {
	svc, ana := many(t)
	c := openOn(t, svc, 100, 30)
	c.press("3")
	c.waitFor("MARIA DA SILVA", "3 clientes")
	c.press("/")
	c.typeText("maria")
	out := c.waitFor("Buscar: maria", "1 de 3 clientes")
	c.waitGone("JOSÉ D'ÁVILA")
	c.press("enter", "t")
	c.waitFor("Buscando em 3 associações.", "MARIA NORTE", "3 de 5 clientes")
	// An operator of one association with one client.
	op := newConsoleAs(t, svc, Session{Actor: store.Actor{Who: "ana", From: "test"}, Admin: &ana}, 100, 30)
	op.press("3")
	out = op.waitFor("MARIA NORTE DE SOUZA", "1 cliente")
	if strings.Contains(out, "1 clientes") {
		t.Fatalf("one client in the plural:\n%s", out)
	}
}

// A run of the manual listing cancelled: its detail says the pages it read, of no total.
func TestACancelledRunWithNoPageCountSaysThePagesRead(t *testing.T) {
	bad := "token-revogado"
	svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, func(p *store.IntegrationPatch) { p.SyncToken = &bad })
	heldSGA(t, svc, s, func(r *http.Request) bool { return strings.Contains(r.URL.Path, "listar-veiculo-produto/2/") })
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("27/11/2026 09:30")
	c.press("s")
	c.waitUntil("the pages read under Andamento", func(s string) bool {
		return lineAfter(s, "Andamento de importação SGA") == "4 páginas lidas"
	})
	c.press("x")
	c.waitFor("Cancelar o sincronismo em andamento? (s/n)")
	c.press("s")
	c.waitFor("› 2 (2ª)    cancelado")
	c.press("enter")
	out := c.waitFor("Erros da execução 2", "antes de parar.")
	if !strings.Contains(out, "Leu 4 páginas antes de parar.") {
		t.Fatalf("the cancelled run's detail:\n%s", out)
	}
}
