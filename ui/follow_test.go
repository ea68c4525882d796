package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
)

// heldSGA points the integration at s through a door that holds every request until open is
// called: a run started before then is running, however fast the machine.
func heldSGA(t *testing.T, svc Services, s *sim.Sim) (open func()) {
	t.Helper()
	door := make(chan struct{})
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-door:
			s.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
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

// A run opened while it runs follows it: when it ends, its detail says how, without esc and
// enter again.
func TestAnOpenRunFollowsTheRun(t *testing.T) {
	svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, nil)
	release := heldSGA(t, svc, s)
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
