package ui

import (
	"strings"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
)

// startLongSync opens the profile and starts a sync long enough to be ended by the test.
func startLongSync(t *testing.T) (*console, Services) {
	svc, _ := simServices(t, sim.Options{Seed: 5, Members: 6000, PageSize: 50, Faults: sim.Faults{Latency: 300 * time.Millisecond}}, true, nil)
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("27/11/2026 09:30")
	c.press("s")
	c.waitFor("Sincronizando")
	return c, svc
}

// waitIdle waits until the engine runs and queues nothing: the run that ended has left it.
func waitIdle(t *testing.T, svc Services) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if running, queued := svc.Engine.Busy(); running+queued == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("waited 20 s for the engine to be idle")
		}
	}
}

// q during a sync asks; when the sync ends before the answer, the question becomes a plain
// confirmation with the sync's end below it, and s then quits (it does not start a sync).
func TestQuitQuestionOutlivesTheSyncItIsAbout(t *testing.T) {
	c, svc := startLongSync(t)
	c.press("q")
	c.waitFor("Um sincronismo está em andamento: sair o interrompe")
	svc.Engine.Cancel("", store.Actor{Who: "ana", From: "test"})
	s := c.waitFor("O sincronismo terminou. Sair? (s/n)", "✗ Sincronismo cancelado por ana após", "s confirmar · n cancelar")
	if strings.Contains(s, "sair o interrompe") {
		t.Fatalf("the question about the ended sync stayed:\n%s", s)
	}
	waitIdle(t, svc)
	c.press("s")
	c.waitUntil("quit", func(string) bool { return c.quit })
}

// x during a sync asks; when the sync ends first, the bar says there is nothing left to cancel,
// and the s meant for the question closes that notice instead of reaching the page.
func TestCancelQuestionOutlivesTheSyncItIsAbout(t *testing.T) {
	c, svc := startLongSync(t)
	c.press("x")
	c.waitFor("Cancelar o sincronismo em andamento? (s/n)")
	svc.Engine.Cancel("", store.Actor{Who: "ana", From: "test"})
	c.waitFor("O sincronismo terminou antes de ser cancelado", "✗ Sincronismo cancelado por ana após", "enter fechar · q sair")
	waitIdle(t, svc)
	c.press("s")
	s := c.waitGone("O sincronismo terminou antes de ser cancelado")
	if strings.Contains(s, "Sincronismo iniciado") || c.quit {
		t.Fatalf("the s meant for the question reached the console:\n%s", s)
	}
	c.press("x")
	c.waitFor("Nenhum sincronismo em andamento.")
}

// A result that comes while a question is open is shown below it; the question stays, and
// the keys still answer it.
func TestAResultNeverTakesAQuestionsPlace(t *testing.T) {
	c := open(t)
	openVehicles(c)
	c.press("space", "i")
	c.waitFor("(s/n)")
	c.handle(toastMsg{ok: true, text: "Outra coisa aconteceu."})
	s := c.waitFor("(s/n)", "✓ Outra coisa aconteceu.")
	if !strings.Contains(s, "s confirmar") {
		t.Fatalf("the question's keys are gone:\n%s", s)
	}
	c.press("n")
	c.waitGone("(s/n)")
}
