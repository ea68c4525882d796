package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ponte/sga/syncer"
	"ponte/ui/uitest"
)

// The root's components, each through its own methods: the status bar, the footer and the
// association picker.

// A running sync's news that comes sooner than progressEvery after the last showing waits for
// the next heartbeat, unless newer news comes first; a new phase is shown at once.
func TestStatusBarHoldsNewsBetweenShowings(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := newStatusBar(newCommon(Services{Now: func() time.Time { return now }}, Session{}))
	s.SetSize(98)
	news := func(phase string, done int) syncer.Progress {
		return syncer.Progress{Running: true, RunID: 1, Phase: phase, PagesDone: done, PagesTotal: 10}
	}
	if !s.take(news(syncer.PhaseReading, 1)) {
		t.Fatal("the first news was held back")
	}
	s.show(news(syncer.PhaseReading, 1))
	if s.take(news(syncer.PhaseReading, 5)) {
		t.Fatal("news 0 s after a showing was shown at once")
	}
	if v := ansi.Strip(s.View()); !strings.Contains(v, " 10%") {
		t.Fatalf("the bar shows news held back: %q", v)
	}
	held, running := s.beat()
	if !running || held == nil || held.PagesDone != 5 {
		t.Fatalf("beat = %v, %v; want the news held back", held, running)
	}
	s.show(*held)
	if v := ansi.Strip(s.View()); !strings.Contains(v, " 50%") {
		t.Fatalf("the bar after the heartbeat: %q", v)
	}
	if !s.take(news(syncer.PhaseMarking, 10)) {
		t.Fatal("a new phase was held back")
	}
	now = now.Add(progressEvery)
	if !s.take(news(syncer.PhaseReading, 6)) {
		t.Fatal("news progressEvery after a showing was held back")
	}
}

// A result too long to sit beside the sync's words takes lines of its own, and gives them
// back when it goes; the clearing of an older result leaves a newer one.
func TestStatusBarResultTakesRowsOfItsOwn(t *testing.T) {
	s := newStatusBar(newCommon(Services{}, Session{}))
	s.SetSize(60)
	s.View()
	if s.Rows() != 1 {
		t.Fatalf("an idle bar takes %d rows", s.Rows())
	}
	older := s.say(true, "salvo")
	long := strings.Repeat("palavra ", 20)
	newer := s.say(false, long)
	s.Update(clearToastMsg{older})
	v := s.View()
	if s.Rows() < 2 || lipgloss.Height(v) != s.Rows() || !strings.Contains(ansi.Strip(v), "✗ palavra") {
		t.Fatalf("the long result in %d rows:\n%s", s.Rows(), v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := textWidth(l); w > 60 {
			t.Fatalf("a line of %d columns in 60: %q", w, l)
		}
	}
	s.Update(clearToastMsg{newer})
	if v := ansi.Strip(s.View()); s.Rows() != 1 || strings.Contains(v, "palavra") {
		t.Fatalf("the bar after the clearing, in %d rows: %q", s.Rows(), v)
	}
	// A question takes the bar; a result that comes meanwhile goes below it.
	s.SetStatus("Cancelar a sincronização?", 0)
	s.say(true, "salvo")
	if v := ansi.Strip(s.View()); s.Rows() != 2 || !strings.HasPrefix(v, "Cancelar") || !strings.Contains(v, "✓ salvo") {
		t.Fatalf("the question and a result, in %d rows: %q", s.Rows(), v)
	}
}

// The short footer always ends with the root's keys; the page's give way first, and "…"
// says so. The ? help takes the lines its columns need.
func TestFooterPageKeysGiveWayFirst(t *testing.T) {
	f := newFooter(newCommon(Services{}, Session{}))
	k := DefaultKeys()
	o := offer{
		groups: [][]key.Binding{{k.Open, k.Filter, k.Sync, k.Import, k.TickAll}, {k.Up, k.Down}, {k.Cancel, k.Help, k.Quit}},
		fixed:  []key.Binding{k.Help, k.Quit},
	}
	f.SetSize(200)
	f.draw(o, footerState{})
	wide := ansi.Strip(f.View())
	if !strings.HasSuffix(wide, "? ajuda · q sair") || strings.Contains(wide, "…") {
		t.Fatalf("at 200 columns: %q", wide)
	}
	f.SetSize(40)
	f.draw(o, footerState{running: true})
	narrow := ansi.Strip(f.View())
	if !strings.HasSuffix(narrow, "? ajuda · q sair") || !strings.Contains(narrow, "…") || textWidth(narrow) > 40 {
		t.Fatalf("at 40 columns: %q", narrow)
	}
	if !f.isDrawnFor(footerState{running: true}) || f.isDrawnFor(footerState{}) {
		t.Fatal("the footer does not say what it was drawn for")
	}
	if f.Rows(o) != 1 {
		t.Fatalf("the short footer takes %d rows", f.Rows(o))
	}
	f.ToggleFull()
	f.SetSize(200)
	if !f.Full() || f.Rows(o) < 3 {
		t.Fatalf("the ? help takes %d rows", f.Rows(o))
	}
}

// Enter pressed before the picker's list is read chooses, once it is read, the first
// association that matches what was typed; the picker closes.
func TestPickerChoosesWhatWasTypedBeforeTheList(t *testing.T) {
	fx := uitest.New(t)
	fx.Many(t)
	c := newCommon(Services{Store: fx.Store, Now: fx.Now}, Session{Actor: maria})
	p := newPicker(c)
	open := p.Open()
	for _, r := range "vale" {
		p.Update(keyPress(string(r)))
	}
	p.Update(keyPress("enter"))
	if !p.IsOpen() {
		t.Fatal("enter closed the picker before its list was read")
	}
	var chosen tea.Cmd
	for _, cmd := range open().(tea.BatchMsg) {
		if msg, ok := cmd().(pickerLoadedMsg); ok {
			chosen = p.Update(msg)
		}
	}
	if p.IsOpen() || chosen == nil {
		t.Fatalf("after the list: open %v, command %v", p.IsOpen(), chosen)
	}
	if sw, ok := chosen().(switchMsg); !ok || sw.assoc.Slug != "vale-minas" {
		t.Fatalf("chose %#v", chosen())
	}
}

// The picker draws in the room it is given, the cursor's row as wide as that room, the
// current association marked.
func TestPickerDrawsInItsRoom(t *testing.T) {
	fx := uitest.New(t)
	fx.Many(t)
	c := newCommon(Services{Store: fx.Store, Now: fx.Now}, Session{Actor: maria})
	p := newPicker(c)
	open := p.Open()
	for _, cmd := range open().(tea.BatchMsg) {
		if msg, ok := cmd().(pickerLoadedMsg); ok {
			p.Update(msg)
		}
	}
	p.SetSize(70, 8)
	v := p.View()
	if h := lipgloss.Height(v); h > 8 {
		t.Fatalf("%d lines in 8:\n%s", h, v)
	}
	plain := ansi.Strip(v)
	if !strings.Contains(plain, "●") || !strings.Contains(plain, "norte-seguro") {
		t.Fatalf("the picker:\n%s", plain)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := textWidth(l); w > 70 {
			t.Fatalf("a line of %d columns in 70: %q", w, l)
		}
	}
}
