package ui

import (
	"fmt"
	"ponte/sga/syncer"
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// The root's side of the current association: following its sync, switching to another, and
// the line that names it.

// subscribe follows the current association's sync. The state the session (or the
// association) opens on is not announced: a run that ended before it is over.
func (m *Model) subscribe() {
	m.updates.stop()
	hub := m.c.svc.Engine.Hub(m.c.assoc.Slug)
	p := hub.Latest()
	m.status.follow(p)
	m.updates = subscribeTo(hub)
	for _, pg := range m.pages { // the pages start from it too
		pg.Update(progressMsg(p))
	}
}

// switchTo makes a the session's current association: every page starts again on it, and the
// status bar follows its sync.
func (m *Model) switchTo(msg switchMsg) tea.Cmd {
	if !m.c.setAssociation(msg.assoc) {
		return toast(false, "%s", tLoadFailed)
	}
	m.epoch++                   // what the old pages asked for is dropped when it comes back
	m.c.inputs = m.c.inputs[:0] // the old pages' fields go with them
	m.c.inputs = append(m.c.inputs, m.picker.input)
	m.pages = newPages(m.c)
	if msg.page >= 0 {
		m.active = msg.page
	}
	if msg.open != nil {
		m.active = pageClients
	}
	m.asking, m.drawn = nil, false
	m.resize()
	say := msg.say
	if say == "" {
		say = fmt.Sprintf(tAssocNowCurrent, msg.assoc.Label())
	}
	m.status.readFreshness()
	cmds := []tea.Cmd{toast(true, "%s", say)}
	if m.c.svc.Engine != nil {
		m.subscribe()
		cmds = append(cmds, m.waitProgress())
		if m.status.syncing() {
			cmds = append(cmds, heartbeat())
		}
	}
	for _, p := range m.pages {
		cmds = append(cmds, p.Init())
	}
	if c := msg.open; c != nil {
		cl := *c
		cmds = append(cmds, func() tea.Msg { return openClientMsg{cl} })
	}
	return tea.Batch(cmds...)
}

// Update handles a message. Every message of the console's own that a command brings back is
// stamped with the association it was asked in (an epoch bumped by each switch): a page's
// data read before a switch, arriving after it, would show one association's clients under
// another's name. Those are dropped; what concerns the session whatever the association
// (toasts, the spinner, the count of syncs, a switch) is not. Bubble Tea's own messages
// (quit, the terminal's answers) pass untouched.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if e, ok := msg.(epochMsg); ok {
		if e.epoch != m.epoch && !anyEpoch(e.msg) {
			return m, nil
		}
		msg = e.msg
	}
	_, cmd := m.update(msg)
	return m, stamp(m.epoch, cmd)
}

// epochMsg is a message of the console's own, with the epoch of the command that brought it.
type epochMsg struct {
	epoch int
	msg   tea.Msg
}

// anyEpoch reports the messages that stand whatever association they were asked in.
func anyEpoch(msg tea.Msg) bool {
	switch msg.(type) {
	case toastMsg, clearToastMsg, heartbeatMsg, activityMsg, switchMsg, cancelledMsg, dataChangedMsg, pickerLoadedMsg,
		freshTickMsg:
		return true
	}
	return false
}

var uiPackage = reflect.TypeFor[epochMsg]().PkgPath()

// stamp makes cmd's messages of this package carry epoch; a batch's commands are stamped
// one by one.
func stamp(epoch int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(msg))
			for i, c := range msg {
				out[i] = stamp(epoch, c)
			}
			return out
		default:
			if t := reflect.TypeOf(msg); t.PkgPath() == uiPackage {
				return epochMsg{epoch, msg}
			}
			return msg
		}
	}
}

// waitActivity waits for any association's sync to move.
func (m *Model) waitActivity() tea.Cmd {
	return m.activity.wait(m.c.ctx.Done(), func(syncer.Progress) tea.Msg { return activityMsg{} })
}

// feed is a session's subscription to a hub of sync progress; the zero feed follows nothing
// (a console with no engine).
type feed struct {
	ch    <-chan syncer.Progress
	leave func()
}

// subscribeTo subscribes to h.
func subscribeTo(h *syncer.Hub) feed {
	ch, leave := h.Subscribe()
	return feed{ch, leave}
}

// stop leaves the hub.
func (f feed) stop() {
	if f.leave != nil {
		f.leave()
	}
}

// wait is the command that waits for the hub's next news, as msg makes it a message, until
// the hub closes or the session ends (done).
func (f feed) wait(done <-chan struct{}, msg func(syncer.Progress) tea.Msg) tea.Cmd {
	if f.ch == nil {
		return nil
	}
	ch := f.ch
	return func() tea.Msg {
		select {
		case p, ok := <-ch:
			if !ok {
				return nil
			}
			return msg(p)
		case <-done:
			return nil
		}
	}
}

// assocLine is the line under the tabs: the current association, at the right.
func (m *Model) assocLine() string {
	a := m.c.assoc
	if a.Slug == "" {
		return ""
	}
	name := a.Label()
	if a.Name != a.Slug {
		name += " (" + a.Slug + ")"
	}
	if a.Disabled {
		name += " · " + tAssocDisabled
	}
	text := tAssociation + ": " + name
	room := m.c.width - 2
	text = cell(text, min(room, textWidth(text)))
	return strings.Repeat(" ", max(0, room-textWidth(text))) + m.c.styles.Title.Render(text)
}
