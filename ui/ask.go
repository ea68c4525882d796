package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The status bar's questions. While one is open the keys go to it, and nothing that arrives
// takes its place: a result is shown below it, and a question about the running sync is
// asked again in words that still make sense when that sync ends first. The operator's next
// key always answers what the bar shows; an s meant as "yes" never reaches the page (where it
// would start a sync).

// askMsg asks the operator a yes/no question in the status bar; yes runs if they agree.
type askMsg struct {
	question string
	yes      tea.Cmd
	// ended, for a question about the running sync, is what the bar asks instead when that
	// sync ends before the answer.
	ended *askMsg
	// notice says something that needs no answer: any of the answer keys closes it.
	notice bool
}

// ask returns the command that asks question, running yes on "s".
func ask(question string, yes tea.Cmd) tea.Cmd {
	return func() tea.Msg { return askMsg{question: question, yes: yes} }
}

// askSync asks a question about the running sync; ended takes its place if the sync ends
// first.
func askSync(question string, yes tea.Cmd, ended askMsg) tea.Cmd {
	return func() tea.Msg { return askMsg{question: question, yes: yes, ended: &ended} }
}

// syncEnded replaces an open question about the sync that just ended.
func (m *Model) syncEnded() {
	if a := m.asking; a != nil && a.ended != nil {
		m.asking = a.ended
		m.drawn = false // the footer's keys may change (a notice's)
	}
}

// askQuit is what q asks during a sync: if the sync ends first, a plain confirmation, whose
// yes asks about other associations' syncs then (see leave).
func (m *Model) askQuit() tea.Cmd {
	q := tQuitLocal
	if m.c.svc.Served {
		q = tQuitServed
	}
	return askSync(q, m.quit, askMsg{question: tQuitSyncEnded, yes: func() tea.Msg { return m.leave()() }})
}

// leave is q when no sync of this association runs. Here, quitting closes the engine: another
// association's sync would stop too, so it asks first.
func (m *Model) leave() tea.Cmd {
	if eng := m.c.svc.Engine; eng != nil && !m.c.svc.Served {
		if running, queued := eng.Busy(); running+queued > 0 {
			return ask(plural(running+queued, tQuitOthersOne, tQuitOthersMany), m.quit)
		}
	}
	return m.quit
}

// answer takes a key while a question is open: s (or y, enter) says yes, n (or esc) no, q
// quits; every other key waits for the answer.
func (m *Model) answer(msg tea.KeyPressMsg) tea.Cmd {
	a, k := m.asking, m.keys
	switch {
	case a.notice && key.Matches(msg, k.Dismiss):
		m.asking = nil
		return nil
	case key.Matches(msg, k.Yes) && !a.notice:
		m.asking = nil
		return a.yes
	case key.Matches(msg, k.No):
		m.asking = nil
		return nil
	case key.Matches(msg, k.Quit):
		m.asking = nil
		return m.quit
	}
	return nil
}

// answerKeys are the footer's keys while a question is open.
func (m *Model) answerKeys() []key.Binding {
	k := m.keys
	if m.asking.notice {
		return []key.Binding{k.Dismiss, k.Quit}
	}
	return []key.Binding{k.Yes, k.No, k.Quit}
}
