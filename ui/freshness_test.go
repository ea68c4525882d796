package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"ponte/ui/uitest"
)

// Associações says per association how long ago its data was last read in full from SGA, in
// minutes, hours or days, "nunca" for one never read in full (Norte Seguro's only run was
// partial); the status bar says it of the current association, and follows a switch.
func TestFreshnessOnAssociationsAndStatusBar(t *testing.T) {
	for _, tc := range []struct {
		after time.Duration
		want  string
	}{
		{20 * time.Second, "agora"},
		{5 * time.Minute, "há 5 min"},
		{2*time.Hour + 59*time.Minute, "há 2 h"},
		{30 * time.Hour, "há 30 h"},
		{3*24*time.Hour + time.Hour, "há 3 dias"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			svc, _ := many(t)
			svc.Now = func() time.Time { return uitest.Now.Add(tc.after) }
			c := openOn(t, svc, 100, 30)
			c.waitFor("Associação: Proteção Sul")
			c.press("5")
			s := c.waitFor("3 associações", "Atualizado", "atualizado "+tc.want)
			if l := markedLine(s, "● Proteção Sul"); !strings.Contains(l, " "+tc.want+" ") {
				t.Errorf("Proteção Sul's line does not say %q:\n%s", tc.want, s)
			}
			if l := markedLine(s, "Norte Seguro"); !strings.Contains(l, " nunca ") {
				t.Errorf("Norte Seguro's line does not say nunca:\n%s", s)
			}
			c.press("ctrl+a")
			c.waitFor("Trocar de associação")
			c.typeText("norte")
			c.waitGone("Vale de Minas")
			c.press("enter")
			s = c.waitFor("Associação: Norte Seguro (norte-seguro)", "nunca atualizado")
			if strings.Contains(s, "atualizado "+tc.want) {
				t.Errorf("the status bar still says Proteção Sul's freshness on Norte Seguro:\n%s", s)
			}
		})
	}
}

// The ages grow with the clock, with nothing else happening: every minute the status bar and
// Associações say them again.
func TestFreshnessAgesWithTheClock(t *testing.T) {
	svc, _ := many(t)
	var mu sync.Mutex
	now := uitest.Now.Add(5 * time.Minute)
	svc.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := openOn(t, svc, 100, 30)
	c.press("5")
	c.waitFor("3 associações", "atualizado há 5 min")
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	c.handle(freshTickMsg{})
	s := c.waitFor("atualizado há 2 h")
	if l := markedLine(s, "● Proteção Sul"); !strings.Contains(l, " há 2 h ") {
		t.Errorf("Proteção Sul's line does not say há 2 h:\n%s", s)
	}
}
