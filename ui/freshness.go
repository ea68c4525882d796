package ui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// An association's freshness as the console shows it: how long ago its data was last known
// to equal SGA's (store.Freshness.Age: the end of its last successful full read), on the
// Associações page per association and in the status bar for the current one.

// freshAgo is the age of f at now in few words: "agora", "há 5 min", "há 2 h" (up to two
// days), "há 3 dias"; "nunca" when no full read succeeded.
func freshAgo(f store.Freshness, now time.Time) string {
	age, ok := f.Age(now)
	switch {
	case !ok:
		return tFreshNever
	case age < time.Minute:
		return tFreshNow
	case age < time.Hour:
		return fmt.Sprintf(tFreshMinutes, int(age/time.Minute))
	case age < 48*time.Hour:
		return fmt.Sprintf(tFreshHours, int(age/time.Hour))
	}
	return fmt.Sprintf(tFreshDays, int(age/(24*time.Hour)))
}

// freshStatus is the status bar's word on the current association's freshness: "atualizado
// há 2 h"; "" until it is read.
func (s *statusBar) freshStatus() string {
	if s.fresh == nil {
		return ""
	}
	if s.fresh.LastFullRead.IsZero() {
		return tFreshStatusNever
	}
	return fmt.Sprintf(tFreshStatus, freshAgo(*s.fresh, s.c.svc.Now()))
}

// readFreshness reads the current association's freshness now, before the session (or the
// association switched to) is first drawn; a failure leaves the status bar without it.
func (s *statusBar) readFreshness() {
	s.fresh = nil
	if s.c.st == nil || s.c.assoc.ID == 0 { // no association to be fresh
		return
	}
	f, err := s.c.st.Freshness()
	if err != nil {
		s.c.svc.Logger.Error("read the freshness", "err", err)
		return
	}
	s.fresh = &f
}

// freshTickMsg comes every minute: the ages shown grow without anything else changing.
type freshTickMsg struct{}

// freshTick waits a minute for the next freshTickMsg, or until the session ends: a closed
// session leaves no timer waiting behind it.
func (m *Model) freshTick() tea.Cmd {
	done := m.c.ctx.Done()
	return func() tea.Msg {
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		select {
		case <-t.C:
			return freshTickMsg{}
		case <-done:
			return nil
		}
	}
}

// freshnessMsg is the current association's freshness, read again.
type freshnessMsg struct {
	assoc uint64
	f     store.Freshness
}

// loadFreshness reads the current association's freshness again when its data changed (a run
// ended).
func (m *Model) loadFreshness() tea.Cmd {
	st, id, log := m.c.st, m.c.assoc.ID, m.c.svc.Logger
	if st == nil || id == 0 {
		return nil
	}
	return func() tea.Msg {
		f, err := st.Freshness()
		if err != nil {
			log.Error("read the freshness", "err", err)
			return nil
		}
		return freshnessMsg{id, f}
	}
}

// takeFreshness keeps a freshness read for the association still current.
func (s *statusBar) takeFreshness(msg freshnessMsg) {
	if msg.assoc == s.c.assoc.ID {
		f := msg.f
		s.fresh = &f
	}
}
