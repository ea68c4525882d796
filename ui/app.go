package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"ponte/sga/syncer"
)

// page is one of the header's pages.
type page interface {
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Help() []key.Binding // the keys that work right now
	Typing() bool        // a text field has focus: global keys are text
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
	// tickedMsg carries how many vehicles are ticked, for the status bar.
	tickedMsg int
)

func toast(ok bool, format string, args ...any) tea.Cmd {
	return func() tea.Msg { return toastMsg{ok: ok, text: fmt.Sprintf(format, args...)} }
}

// Model is the console of one session.
type Model struct {
	c        *common
	pages    []page
	active   int
	fullHelp bool

	progress   syncer.Progress
	updates    <-chan syncer.Progress
	unsub      func()
	spin       spinner.Model
	ticked     int
	headerText string
	headerFor  int // the active page (+1) headerText was drawn for; 0: none
	toastText  string
	toastOK    bool
	toastID    int
}

// New returns the console for one session.
func New(svc Services, s Session) *Model {
	c := newCommon(svc, s)
	// A slow spinner: every tick redraws the session, and a server may hold fifty of them.
	spin := spinner.Spinner{Frames: spinner.Line.Frames, FPS: time.Second / 4}
	m := &Model{c: c, spin: spinner.New(spinner.WithSpinner(spin), spinner.WithStyle(c.styles.Title))}
	m.pages = []page{newIntegrationPage(c), newAdminsPage(c), newClientsPage(c), newContractsPage(c)}
	if svc.Engine != nil {
		m.updates, m.unsub = svc.Engine.Hub().Subscribe()
	}
	return m
}

// Close releases the session's subscription to the sync progress.
func (m *Model) Close() {
	if m.unsub != nil {
		m.unsub()
	}
}

// Init loads every page and starts listening to the sync.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitProgress()}
	for _, p := range m.pages {
		cmds = append(cmds, p.Init())
	}
	return tea.Batch(cmds...)
}

func (m *Model) waitProgress() tea.Cmd {
	if m.updates == nil {
		return nil
	}
	ch := m.updates
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return progressMsg(p)
	}
}

// Update routes messages: size and progress to everyone, keys to the active page.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		for _, p := range m.pages {
			p.SetSize(m.contentSize())
		}
		return m, nil
	case progressMsg:
		was := m.progress.Running
		m.progress = syncer.Progress(msg)
		cmds = append(cmds, m.waitProgress())
		if m.progress.Running && !was {
			cmds = append(cmds, m.spin.Tick)
		}
		if was && !m.progress.Running {
			cmds = append(cmds, func() tea.Msg { return dataChangedMsg{} })
		}
		// Pages that show progress get it too.
		for _, p := range m.pages {
			cmds = append(cmds, p.Update(msg))
		}
		return m, tea.Batch(cmds...)
	case spinner.TickMsg:
		if !m.progress.Running {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case toastMsg:
		m.toastID++
		m.toastText, m.toastOK = msg.text, msg.ok
		id := m.toastID
		return m, tea.Tick(5*time.Second, func(time.Time) tea.Msg { return clearToastMsg{id} })
	case clearToastMsg:
		if msg.id == m.toastID {
			m.toastText = ""
		}
		return m, nil
	case tickedMsg:
		m.ticked = int(msg)
		return m, nil
	case ShutdownMsg:
		m.toastID++
		m.toastText, m.toastOK = tShuttingDown, false
		m.Close()
		return m, tea.Tick(time.Second, func(time.Time) tea.Msg { return tea.QuitMsg{} })
	case dataChangedMsg:
		// Only the page in front reloads now; the others reload when shown (Activate), so a
		// sync's end costs each session one read, not four.
		return m, m.pages[m.active].Update(msg)
	case tea.KeyMsg:
		return m, m.key(msg)
	case tea.MouseMsg:
		// With --mouse, the wheel scrolls the list in front; nothing else uses the mouse.
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			return m, m.pages[m.active].Update(tea.KeyMsg{Type: tea.KeyUp})
		case tea.MouseButtonWheelDown:
			return m, m.pages[m.active].Update(tea.KeyMsg{Type: tea.KeyDown})
		}
		return m, nil
	}
	// Every other message goes to every page: each reacts only to its own (typed) results,
	// which may arrive while another page is in front.
	for _, p := range m.pages {
		cmds = append(cmds, p.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	if msg.String() == "ctrl+c" {
		m.Close()
		return tea.Quit
	}
	p := m.pages[m.active]
	if !p.Typing() {
		switch {
		case key.Matches(msg, k.Quit):
			m.Close()
			return tea.Quit
		case key.Matches(msg, k.Help):
			m.fullHelp = !m.fullHelp
			p.SetSize(m.contentSize())
			return nil
		case key.Matches(msg, k.Page1), key.Matches(msg, k.Page2), key.Matches(msg, k.Page3), key.Matches(msg, k.Page4):
			next := int(msg.Runes[0] - '1')
			if next == m.active {
				return nil
			}
			m.active = next
			return m.pages[next].Activate()
		}
	}
	return p.Update(msg)
}

// contentSize is what the active page gets: all but the header, status bar and footer.
func (m *Model) contentSize() (int, int) {
	footer := 1
	if m.fullHelp {
		footer = lipgloss.Height(m.helpView())
	}
	return max(0, m.c.width-2), max(0, m.c.height-3-footer)
}

// View draws the header, the page, the status bar and the footer.
func (m *Model) View() string {
	if m.c.width == 0 {
		return tLoading
	}
	if m.c.width < 80 || m.c.height < 24 {
		return m.c.styles.Plain.Width(m.c.width).Render(fmt.Sprintf(tTooSmall, m.c.width, m.c.height))
	}
	// One pass over plain strings: a server redraws this for every session several times a
	// second, and lipgloss passes over the whole screen cost the sync engine its CPU.
	_, h := m.contentSize()
	lines := make([]string, 0, m.c.height)
	lines = append(lines, m.header(), "")
	body := strings.Split(m.pages[m.active].View(), "\n")
	for i := range h {
		if i < len(body) {
			lines = append(lines, body[i])
		} else {
			lines = append(lines, "")
		}
	}
	lines = append(lines, m.statusView())
	lines = append(lines, strings.Split(m.helpView(), "\n")...)
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

// header is the pages' tabs; it changes only with the active page, so it is kept.
func (m *Model) header() string {
	if m.headerFor == m.active+1 {
		return m.headerText
	}
	st := m.c.styles
	var tabs []string
	for i, p := range m.pages {
		label := fmt.Sprintf("%d %s", i+1, p.Title())
		if i == m.active {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	m.headerText, m.headerFor = lipgloss.JoinHorizontal(lipgloss.Top, tabs...), m.active+1
	return m.headerText
}

// statusView is the status bar: the sync, the ticked vehicles, and the last action's result.
func (m *Model) statusView() string {
	st := m.c.styles
	p := m.progress
	var parts []string
	switch {
	case p.Running && p.Phase == syncer.PhasePaused:
		parts = append(parts, st.Warning.Render(fmt.Sprintf(tPausedUntil, p.PausedUntil.Local().Format("15:04:05"))))
	case p.Running:
		s := m.spin.View() + " " + tSyncing
		if p.PagesTotal > 0 {
			s += fmt.Sprintf(" %3.0f%%", p.Fraction()*100)
		}
		s += " · " + fmt.Sprintf(tCounts, p.Clients, p.Vehicles)
		if p.StartedBy != "" {
			s += " · " + fmt.Sprintf(tStartedBy, p.StartedBy)
		}
		parts = append(parts, st.StatusKey.Render(s))
	case p.Status != "":
		parts = append(parts, fmt.Sprintf(tRunStatus, statusText(p.Status)))
	default:
		parts = append(parts, tIdle)
	}
	if m.ticked > 0 {
		parts = append(parts, st.StatusKey.Render(fmt.Sprintf(tTicked, m.ticked)))
	}
	if m.toastText != "" {
		mark, style := "✓ ", st.Success
		if !m.toastOK {
			mark, style = "✗ ", st.Error
		}
		parts = append(parts, style.Render(mark+m.toastText))
	}
	line := strings.Join(parts, st.Status.Render("  │  "))
	return cell(line, m.c.width-2)
}

// helpView is the footer: the keys that work now, or all of them with ?.
func (m *Model) helpView() string {
	st := m.c.styles
	k := m.c.keys
	page := m.pages[m.active].Help()
	global := []key.Binding{}
	if !m.pages[m.active].Typing() {
		global = append(global, k.Page1, k.Help, k.Quit)
	}
	render := func(bs []key.Binding) string {
		var out []string
		for _, b := range bs {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			out = append(out, st.HelpKey.Render(b.Help().Key)+" "+st.HelpDesc.Render(b.Help().Desc))
		}
		return strings.Join(out, st.HelpDesc.Render(" · "))
	}
	if !m.fullHelp {
		return cell(render(append(page, global...)), m.c.width-2)
	}
	var lines []string
	for _, group := range [][]key.Binding{page, {k.Up, k.Down, k.PageUp, k.PageDown, k.Back}, global} {
		if s := render(group); s != "" {
			lines = append(lines, s)
		}
	}
	return strings.Join(lines, "\n")
}
