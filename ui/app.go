package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/sga/syncer"
	"ponte/store"
)

// page is one of the header's pages.
type page interface {
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// Help is the page's bindings, enabled as the page's state allows: the footer shows the
	// enabled ones, and the page's handlers match the same bindings.
	Help() []key.Binding
	Typing() bool // a text field has focus: global keys are text
	Title() string
	// Activate is called when the page comes to the front: other sessions may have changed
	// what it shows.
	Activate() tea.Cmd
}

// Messages the root handles or broadcasts.
type (
	progressMsg syncer.Progress
	toastMsg    struct {
		ok   bool
		text string
	}
	clearToastMsg struct{ id int }
	// dataChangedMsg tells the page in front to reload: a sync ended, or an import was made.
	dataChangedMsg struct{}
	// cancelledMsg reports a cancel the operator confirmed.
	cancelledMsg struct{ ok bool }
)

func toast(ok bool, format string, args ...any) tea.Cmd {
	return func() tea.Msg { return toastMsg{ok: ok, text: fmt.Sprintf(format, args...)} }
}

// Model is the console of one session.
type Model struct {
	c      *common
	pages  []page
	active int
	mouse  bool
	keys   KeyMap // the root's own bindings: pages, help, quit, cancel

	status *statusBar
	footer *footer
	picker *picker // ctrl+a, kept between openings

	updates  feed // the current association's sync
	activity feed // every association's syncs, for the count in the status bar
	epoch    int  // bumped by each switch of association (see Update)
	// What the active page drew last, kept while nothing it shows can have changed: a
	// server redraws fifty sessions several times a second for the status bar alone.
	body   string
	drawn  bool
	asking *askMsg
}

// Option changes how the console behaves.
type Option func(*Model)

// WithMouse lets the mouse wheel scroll the list in front.
func WithMouse() Option { return func(m *Model) { m.mouse = true } }

// New returns the console for one session.
func New(svc Services, s Session, opts ...Option) *Model {
	c := newCommon(svc, s)
	m := &Model{c: c, keys: DefaultKeys(), footer: newFooter(c)}
	m.picker = newPicker(c)
	m.status = newStatusBar(c)
	m.pages = newPages(c)
	m.status.readFreshness()
	if svc.Engine != nil {
		m.subscribe()
		m.activity = subscribeTo(svc.Engine.Activity())
		m.status.countSyncs()
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// newPages are the header's pages, in the order their number keys name them.
func newPages(c *common) []page {
	return []page{newIntegrationPage(c), newAdminsPage(c), newClientsPage(c), newContractsPage(c), newAssocsPage(c), newPendingPage(c)}
}

// Page numbers the root opens by itself.
const (
	pageIntegration = 0
	pageClients     = 2
)

// Close ends the session's commands and releases its subscription to the sync progress.
func (m *Model) Close() {
	m.c.cancel()
	m.updates.stop()
	m.activity.stop()
}

// Init loads every page, starts listening to the sync, and asks the terminal its background.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitProgress(), m.waitActivity(), tea.RequestBackgroundColor, m.freshTick()}
	if m.status.syncing() {
		cmds = append(cmds, heartbeat()) // opened during a sync
	}
	for _, p := range m.pages {
		cmds = append(cmds, p.Init())
	}
	return stamp(m.epoch, tea.Batch(cmds...))
}

func (m *Model) waitProgress() tea.Cmd {
	return m.updates.wait(m.c.ctx.Done(), func(p syncer.Progress) tea.Msg { return progressMsg(p) })
}

// Update routes messages: size and progress to everyone, keys to the active page.
func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case heartbeatMsg, toastMsg, clearToastMsg, askMsg, cancelledMsg, pickerLoadedMsg:
		// the root's own: the page's drawing stands
	case progressMsg, activityMsg:
		m.progressRedraws()
	default:
		m.drawn = false
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.status.SetSize(m.c.width - 2)
		m.footer.SetSize(m.c.width - 2)
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.setDark(msg.IsDark())
		m.footer.restyle(m.c.styles)
		return m, nil
	case progressMsg:
		p := syncer.Progress(msg)
		if !m.status.take(p) {
			return m, m.waitProgress() // held back: the bar shows the newest later
		}
		return m, tea.Batch(m.waitProgress(), m.show(p))
	case activityMsg:
		m.status.Update(msg)
		return m, tea.Batch(m.waitActivity(), m.pages[m.active].Update(msg))
	case switchMsg:
		return m, m.switchTo(msg)
	case freshnessMsg:
		m.status.Update(msg)
		return m, nil
	case freshTickMsg: // the status bar is drawn again; the page in front redraws its ages
		return m, tea.Batch(m.freshTick(), m.pages[m.active].Update(msg))
	case pickerLoadedMsg:
		if m.picker.IsOpen() {
			m.drawn = false
		}
		return m, m.picker.Update(msg)
	case heartbeatMsg:
		held, running := m.status.beat()
		switch {
		case !running:
			return m, nil
		case held != nil:
			return m, tea.Batch(heartbeat(), m.show(*held))
		}
		return m, heartbeat()
	case toastMsg, clearToastMsg:
		return m, m.status.Update(msg)
	case askMsg:
		m.asking = &msg
		return m, nil
	case cancelledMsg:
		if !msg.ok {
			return m, toast(false, "%s", tNothingToCancel)
		}
		return m, toast(true, "%s", tCancelling)
	case ShutdownMsg:
		m.status.say(false, tShuttingDown)
		m.Close()
		return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return tea.QuitMsg{} })
	case dataChangedMsg:
		// Only the page in front reloads now; the others reload when shown (Activate), so a
		// sync's end costs each session one read, not four.
		return m, tea.Batch(m.pages[m.active].Update(msg), m.loadFreshness())
	case tea.KeyPressMsg:
		m.status.dropToast()
		return m, m.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return m, m.pages[m.active].Update(tea.KeyPressMsg{Code: tea.KeyUp})
		case tea.MouseWheelDown:
			return m, m.pages[m.active].Update(tea.KeyPressMsg{Code: tea.KeyDown})
		}
		return m, nil
	case tea.PasteMsg:
		if m.picker.IsOpen() {
			m.drawn = false
			return m, m.picker.Update(msg)
		}
		return m, m.pages[m.active].Update(msg)
	}
	// Every other message goes to every page: each reacts only to its own (typed) results,
	// which may arrive while another page is in front.
	var cmds []tea.Cmd
	for _, p := range m.pages {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// progressRedraws marks the page in front to be drawn again when it shows a sync's progress.
func (m *Model) progressRedraws() {
	if w, ok := m.pages[m.active].(interface{ watchesProgress() bool }); ok && w.watchesProgress() {
		m.drawn = false
	}
}

// show takes a sync's progress: the status bar, the pages that show it, and a word when a
// run ends.
func (m *Model) show(p syncer.Progress) tea.Cmd {
	cmds := m.status.show(p)
	m.progressRedraws() // a progress held back comes in on a heartbeat, which redraws nothing else
	if runEnded(p) {
		m.syncEnded()
	}
	for _, pg := range m.pages {
		cmds = append(cmds, pg.Update(progressMsg(p)))
	}
	return tea.Batch(cmds...)
}

// updateKeys sets the root's bindings, enabled as the session's state allows.
func (m *Model) updateKeys() {
	typing := m.pages[m.active].Typing() || m.picker.IsOpen()
	m.keys.Pages.SetEnabled(!typing && m.asking == nil)
	m.keys.Association.SetEnabled(!typing && m.asking == nil && m.c.base != nil)
	m.keys.Cancel.SetEnabled(!typing && m.asking == nil && m.c.svc.Engine != nil && !claims(m.pages[m.active], m.keys.Cancel))
	m.keys.Help.SetEnabled(!typing)
	m.keys.CloseHelp.SetEnabled(m.footer.Full() && !m.picker.IsOpen() && m.asking == nil)
	m.keys.Quit.SetEnabled(!typing)
}

// ticker is a page whose ticked rows the status bar counts while it is in front, read when the
// bar is drawn: a count sent by message could arrive after a newer one (a load's after a
// key's).
type ticker interface{ Ticked() int }

// claimer is a page that takes some of the root's keys for its own while it shows something
// that uses them (x dismisses on Pendências, cancels an order on an open order): Claims is
// the page's bindings that take them, enabled or not.
type claimer interface{ Claims() []key.Binding }

// claims reports whether p takes a key of the root's binding b.
func claims(p page, b key.Binding) bool {
	c, ok := p.(claimer)
	return ok && slices.ContainsFunc(c.Claims(), func(own key.Binding) bool { return sharesKey(own, b) })
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		m.Close()
		return tea.Quit
	}
	if m.picker.IsOpen() {
		m.drawn = false
		return m.picker.Update(msg)
	}
	m.updateKeys()
	k := m.keys
	if m.asking != nil {
		return m.answer(msg)
	}
	p := m.pages[m.active]
	switch {
	case key.Matches(msg, k.Quit):
		if m.status.syncing() {
			return m.askQuit()
		}
		return m.leave()
	case key.Matches(msg, k.Help), key.Matches(msg, k.CloseHelp):
		m.footer.ToggleFull()
		m.resize()
		return nil
	case key.Matches(msg, k.Cancel):
		if !m.status.syncing() {
			return toast(false, "%s", tNothingToCancel)
		}
		eng, actor, slug := m.c.svc.Engine, m.c.actor, m.c.assoc.Slug
		return askSync(tConfirmCancel, func() tea.Msg { return cancelledMsg{eng.Cancel(slug, actor)} },
			askMsg{question: tCancelSyncEnded, notice: true})
	case key.Matches(msg, k.Association):
		m.drawn = false
		return m.picker.Open()
	case key.Matches(msg, k.Pages):
		next := int(msg.Text[0] - '1')
		if next == m.active {
			return nil
		}
		m.active = next
		m.resize()
		return m.pages[next].Activate()
	}
	return p.Update(msg)
}

func (m *Model) quit() tea.Msg {
	m.Close()
	return tea.QuitMsg{}
}

func (m *Model) resize() {
	w, h := m.contentSize()
	for _, p := range m.pages {
		p.SetSize(w, h)
	}
}

// contentSize is what the active page gets: all but the header, status bar and footer.
func (m *Model) contentSize() (int, int) {
	footer := 1
	if m.footer.Full() { // the ? help's lines: the offer is read only then
		footer = m.footer.Rows(m.offer())
	}
	return max(0, m.c.width-2), max(0, m.c.height-2-m.status.Rows()-footer)
}

// View draws the header, the page, the status bar and the footer.
func (m *Model) View() tea.View {
	v := tea.NewView(frame(m.Screen()))
	v.AltScreen = true
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Screen is the console's text as the terminal shows it (the View's content).
func (m *Model) Screen() string {
	if m.c.width == 0 {
		return tLoading
	}
	if m.c.width < 80 || m.c.height < 24 {
		return m.c.styles.Plain.Width(m.c.width).Render(fmt.Sprintf(tTooSmall, m.c.width, m.c.height))
	}
	m.updateKeys()
	// The status bar takes the lines its result or question needs from the page: the pages
	// are sized again when that changes (a result comes or goes), not on every drawing.
	question, ticked := "", 0
	if m.asking != nil {
		question = m.asking.question
	}
	if t, ok := m.pages[m.active].(ticker); ok {
		ticked = t.Ticked()
	}
	m.status.SetStatus(question, ticked)
	rows := m.status.Rows()
	status := strings.Split(m.status.View(), "\n")
	if m.status.Rows() != rows {
		m.resize()
		m.drawn = false
	}
	// One pass over plain strings: a server redraws this for every session several times a
	// second, and lipgloss passes over the whole screen cost the sync engine its CPU.
	_, h := m.contentSize()
	lines := make([]string, 0, m.c.height)
	lines = append(lines, m.header(), m.assocLine())
	root := footerState{asking: m.asking != nil, running: m.status.syncing()}
	if !m.drawn || !m.footer.isDrawnFor(root) {
		if m.picker.IsOpen() {
			m.picker.SetSize(m.c.width-2, h) // the room the screen draws it in
			m.body = m.picker.View()
		} else {
			m.body = m.pages[m.active].View()
		}
		m.footer.draw(m.offer(), root)
		m.drawn = true
	}
	body := strings.Split(m.body, "\n")
	for i := range h {
		if i < len(body) {
			lines = append(lines, body[i])
		} else {
			lines = append(lines, "")
		}
	}
	lines = append(lines, status...)
	lines = append(lines, strings.Split(m.footer.View(), "\n")...)
	var b strings.Builder
	inner := m.c.width - 2
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteByte(' ')
		b.WriteString(cell(line, inner))
		b.WriteByte(' ')
	}
	return b.String()
}

// header is the pages' tabs; on a narrow terminal the tabs not in front go by short names.
func (m *Model) header() string {
	labels := make([]string, len(m.pages))
	total := len(m.pages) + 1
	for i, p := range m.pages {
		labels[i] = fmt.Sprintf("%d %s", i+1, p.Title())
		total += textWidth(labels[i])
	}
	if total > m.c.width-2 {
		for i, p := range m.pages {
			if short, ok := shortTitles[p.Title()]; ok && i != m.active {
				labels[i] = fmt.Sprintf("%d %s", i+1, short)
			}
		}
	}
	return tabs(m.c.styles, labels, m.active, m.c.width-2)
}

// frame is the console's text as the terminal gets it, without the characters store.Unprintable
// names that a frame of its own never holds: DEL, the C1 controls (U+009B is CSI), the line
// separators and the bidirectional controls, which SGA's data or an operator's text may carry
// and the terminal would obey. Each takes no cell, so the layout stands. (The C0 controls are
// the frame's own escape sequences; the renderer keeps only those it knows.)
func frame(screen string) string {
	strip := func(r rune) bool { return r >= 0x7f && store.Unprintable(r) }
	if !strings.ContainsFunc(screen, strip) {
		return screen
	}
	return strings.Map(func(r rune) rune {
		if strip(r) {
			return -1
		}
		return r
	}, screen)
}
