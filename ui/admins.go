package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"ponte/sga/syncer"
	"ponte/store"
)

// adminsPage is "Administradores": the profiles, and a profile with its tabs.
type adminsPage struct {
	c        *common
	admins   []store.Admin
	shown    []store.Admin
	list     *listView
	detail   withDetail[*adminView] // the profile open, in the list's place
	progress syncer.Progress
}

type adminsLoadedMsg struct {
	admins []store.Admin
	err    error
}

func newAdminsPage(c *common) *adminsPage {
	return &adminsPage{c: c, list: newListView(c, column{tName, 0}, column{tLogin, 16}, column{tEmail, 28}),
		detail: newDetail(c, (*adminView).load)}
}

func (p *adminsPage) Title() string { return tPageAdmins }

func (p *adminsPage) Init() tea.Cmd {
	st := p.c.st
	return func() tea.Msg {
		a, err := st.Admins()
		return adminsLoadedMsg{a, err}
	}
}

func (p *adminsPage) Activate() tea.Cmd { return p.detail.Reload(p.Init()) }

func (p *adminsPage) SetSize(w, h int) {
	p.list.SetSize(w, h-1)
	p.detail.SetSize(w, h)
}

func (p *adminsPage) Typing() bool { return p.detail.Typing(p.list.Typing()) }

func (p *adminsPage) Help() []key.Binding { return p.detail.Help(p.list.Help) }

func (p *adminsPage) Moves() []key.Binding { return p.detail.Moves(p.list.Moves) }

// applyFilter lists the administrators the query finds (name, login, e-mail).
func (p *adminsPage) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(p.list.Query()))
	p.shown = p.shown[:0]
	var rows []row
	for _, a := range p.admins {
		if q == "" || strings.Contains(strings.ToLower(a.Name+" "+a.Login+" "+a.Email), q) {
			p.shown = append(p.shown, a)
			rows = append(rows, row{key: a.Login, cells: []string{a.Name, a.Login, a.Email}})
		}
	}
	p.list.SetRows(rows)
}

// Update hands keys and pastes to the open profile, else to the list (withDetail).
func (p *adminsPage) Update(msg tea.Msg) tea.Cmd { return p.detail.Update(msg, p.update) }

func (p *adminsPage) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case adminsLoadedMsg:
		p.admins = msg.admins
		p.applyFilter()
	case adminChangedMsg:
		return p.accessChanged(msg)
	case progressMsg:
		p.progress = syncer.Progress(msg) // what a profile opened next starts from
	case tea.KeyPressMsg:
		return p.act(p.list.Key(msg))
	case tea.PasteMsg:
		return p.act(p.list.Paste(msg))
	}
	return nil
}

func (p *adminsPage) act(a listAction, cmd tea.Cmd) tea.Cmd {
	switch a {
	case listQuery:
		p.applyFilter()
	case listOpen:
		v := newAdminView(p.c, p.shown[p.list.Cursor()], p.progress)
		p.detail.Open(v)
		return tea.Batch(cmd, v.Init())
	}
	return cmd
}

func (p *adminsPage) View() string {
	return p.detail.View(func() string { return p.list.View(tNoAdmins, "") })
}

// adminView is a profile: tabs Perfil and Integrações SGA, and "Sincronizar Ativos SGA".
type adminView struct {
	c        *common
	keys     adminKeys
	admin    store.Admin
	tab      int
	progress syncer.Progress
	schedule store.Schedule
	runs     []store.Run
	runList  *table
	runOpen  *store.Run
	errors   *scroller
	editing  bool
	timeIn   *textinput.Model
	timeErr  string
	width    int
	height   int
	access   accessKeys // the Perfil tab's (admins_access.go)
	keyAt    int        // the key under the cursor there
}

type (
	runsLoadedMsg struct {
		runs     []store.Run
		schedule store.Schedule
		err      error
	}
	syncStartMsg struct {
		err    error
		daily  bool            // the daily sync was already on
		before syncer.Progress // what the session knew when s was pressed
	}
	// runLoadedMsg is the open run as the store keeps it now.
	runLoadedMsg struct {
		run store.Run
		err error
	}
	// scheduleSetMsg carries the schedule as it was saved, so the line shows it at once.
	scheduleSetMsg struct {
		schedule store.Schedule
		err      error
	}
)

func newAdminView(c *common, a store.Admin, p syncer.Progress) *adminView {
	ti := c.newInput()
	ti.Prompt = ""
	ti.CharLimit = 5
	ti.Placeholder = "03:00"
	v := &adminView{c: c, admin: a, progress: p, tab: 1, timeIn: ti, errors: newScroller(c), access: newAccessKeys(),
		keys: newAdminKeys(c.keys), runList: newTable(c,
			column{"#", 9}, column{tStatus, 0}, column{tRunKind, 10}, column{"Início", 16}, column{tPageClients, 9}, column{"Veículos", 8}, column{"Erros", 5})}
	v.runList.NewestOnTop() // runs that others start show as they come
	return v
}

func (v *adminView) Init() tea.Cmd { return v.load() }

func (v *adminView) load() tea.Cmd {
	st := v.c.st
	return func() tea.Msg {
		runs, sc, err := st.SyncState(20)
		return runsLoadedMsg{runs, sc, err}
	}
}

// loadRun reads one run again, for its open detail.
func (v *adminView) loadRun(id uint64) tea.Cmd {
	st := v.c.st
	return func() tea.Msg {
		r, err := st.Run(id)
		return runLoadedMsg{r, err}
	}
}

func (v *adminView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.runList.SetSize(w, max(3, h-17)) // less the schedule's lines
	v.errors.SetSize(w, max(3, h-6))
}

func (v *adminView) Typing() bool { return v.editing }

// Nested: a run's errors are open; esc goes back to the runs.
func (v *adminView) Nested() bool { return v.runOpen != nil }

// Moves is the movement keys the tab answers: the runs' list; on Perfil, the cursor between
// the profile's keys. A run's errors scroll by their own binding; the time field has none.
func (v *adminView) Moves() []key.Binding {
	switch {
	case v.editing, v.runOpen != nil:
		return nil
	case v.tab == 0:
		up, down := v.c.keys.Up, v.c.keys.Down
		up.SetEnabled(len(v.admin.Keys) > 1)
		down.SetEnabled(len(v.admin.Keys) > 1)
		return []key.Binding{up, down}
	}
	return v.runList.Moves()
}

// updateKeys is the one place the profile's bindings are enabled from its state.
func (v *adminView) updateKeys() {
	k := &v.keys
	eng := v.c.svc.Engine != nil
	onRuns := v.tab == 1 && v.runOpen == nil && !v.editing
	k.TabNext.SetEnabled(v.runOpen == nil && !v.editing)
	k.Sync.SetEnabled(eng && !v.progress.Running && !v.editing && v.runOpen == nil)
	k.Toggle.SetEnabled(eng && onRuns)
	k.Time.SetEnabled(eng && onRuns)
	k.Open.SetEnabled(onRuns && len(v.runs) > 0)
	k.Scroll.SetEnabled(v.runOpen != nil && v.errors.Scrollable())
	k.Accept.SetEnabled(v.editing)
	k.Back.SetEnabled(true)
	v.updateAccessKeys()
}

func (v *adminView) Help() []key.Binding {
	v.updateKeys()
	k := v.keys
	return []key.Binding{k.Accept, k.TabNext, k.Sync, k.Toggle, k.Time, k.Open, k.Scroll, k.Back,
		v.access.Disable, v.access.Remove, v.access.RemoveKey}
}

func (v *adminView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runsLoadedMsg:
		if msg.err == nil {
			v.runs, v.schedule = msg.runs, msg.schedule
			rows := make([]row, len(v.runs))
			for i, r := range v.runs {
				rows[i] = row{key: fmt.Sprint(r.ID), cells: []string{runNumber(r, ""), runStatus(r), runKindText(r.Kind), r.StartedAt.Local().Format("02/01/2006 15:04"),
					fmt.Sprint(r.Counts.Clients()), fmt.Sprint(r.Counts.Vehicles()), fmt.Sprint(r.ErrorCount)}}
			}
			v.runList.SetRows(rows)
			// A detail opened from the list before this reading shows the run as it was
			// then: it follows the newer reading (the end of a run may come in only here).
			if v.runOpen != nil {
				if i := slices.IndexFunc(v.runs, func(r store.Run) bool { return r.ID == v.runOpen.ID }); i >= 0 {
					r := v.runs[i]
					v.runOpen = &r
					v.errors.SetContent(v.runErrors())
				}
			}
		}
		return nil
	case scheduleSetMsg:
		if msg.err != nil {
			v.c.svc.Logger.Error("set the daily sync", "err", msg.err)
			return toast(false, "%s", tBadTime)
		}
		v.schedule = msg.schedule
		return toast(true, "%s", scheduleSaved(msg.schedule))
	case runLoadedMsg:
		if msg.err != nil {
			v.c.svc.Logger.Error("reload the open run", "err", msg.err)
			return nil
		}
		if v.runOpen != nil && v.runOpen.ID == msg.run.ID {
			v.runOpen = &msg.run
			v.errors.SetContent(v.runErrors())
		}
		return nil
	case progressMsg:
		was := v.progress
		v.progress = syncer.Progress(msg)
		var cmds []tea.Cmd
		// A run started or ended (a short one may arrive as its end alone): the list changed.
		if was.Running != v.progress.Running || was.RunID != v.progress.RunID || was.Status != v.progress.Status {
			cmds = append(cmds, v.load())
		}
		// The open run went on or ended: its detail follows it.
		if v.runOpen != nil && v.runOpen.ID == v.progress.RunID {
			cmds = append(cmds, v.loadRun(v.runOpen.ID))
		}
		return tea.Batch(cmds...)
	case syncStartMsg:
		if msg.err != nil {
			v.runList.TakeNewFirst(false)
		}
		switch {
		case errors.Is(msg.err, syncer.ErrBusy):
			return tea.Batch(v.load(), toast(false, "%s", tSyncBusy))
		case errors.Is(msg.err, syncer.ErrDisabled):
			return toast(false, tAssocIsDisabled, v.c.assoc.Label())
		case msg.err != nil:
			v.c.svc.Logger.Error("start the sync", "err", msg.err)
			return toast(false, "%s", tStartFailed)
		case !v.progress.Running && v.progress.Phase == syncer.PhaseDone && !sameEnd(v.progress, msg.before):
			return v.load() // the run already ended, and the root said how: not "started"
		case msg.daily:
			return tea.Batch(v.load(), toast(true, "%s", tSyncStartedOn))
		}
		return tea.Batch(v.load(), toast(true, "%s", tSyncStarted))
	case tea.KeyPressMsg:
		return v.key(msg)
	case tea.PasteMsg:
		if v.editing {
			var cmd tea.Cmd
			*v.timeIn, cmd = v.timeIn.Update(msg)
			return cmd
		}
		return nil
	}
	if v.editing {
		var cmd tea.Cmd
		*v.timeIn, cmd = v.timeIn.Update(msg)
		return cmd
	}
	return nil
}

func (v *adminView) key(msg tea.KeyPressMsg) tea.Cmd {
	v.updateKeys()
	k := v.keys
	eng := v.c.svc.Engine
	if v.editing {
		switch {
		case key.Matches(msg, k.Back):
			v.editing, v.timeErr = false, ""
			v.timeIn.Blur()
			return nil
		case key.Matches(msg, k.Accept):
			t := strings.TrimSpace(v.timeIn.Value())
			if _, err := time.Parse("15:04", t); err != nil || len(t) != 5 {
				v.timeErr = tBadTime
				return nil
			}
			v.editing, v.timeErr = false, ""
			v.timeIn.Blur()
			return v.setDaily(v.schedule.Enabled, t)
		}
		var cmd tea.Cmd
		*v.timeIn, cmd = v.timeIn.Update(msg)
		return cmd
	}
	if v.runOpen != nil {
		switch {
		case key.Matches(msg, k.Back):
			v.runOpen = nil
		case key.Matches(msg, k.Scroll):
			v.errors.Key(msg, false)
		}
		return nil
	}
	if cmd, ok := v.accessKey(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.TabNext):
		v.tab = 1 - v.tab
	case !k.Sync.Enabled() && v.progress.Running && key.Matches(msg, v.c.keys.Sync):
		return toast(false, "%s", tSyncBusy) // s while a sync runs: say why nothing starts
	case key.Matches(msg, k.Sync):
		v.runList.TakeNewFirst(true) // the run started is the one to look at
		req := syncer.Request{Association: v.c.assoc.Slug, By: v.c.actor, BaseURL: v.c.svc.SGAURL}
		daily, before := v.schedule.Enabled, v.progress
		return func() tea.Msg { return syncStartMsg{err: eng.EnableDaily(req), daily: daily, before: before} }
	case key.Matches(msg, k.Toggle):
		return v.setDaily(!v.schedule.Enabled, v.schedule.TimeOfDay)
	case key.Matches(msg, k.Time):
		v.editing = true
		v.timeIn.SetValue(v.schedule.TimeOfDay)
		return v.timeIn.Focus()
	case key.Matches(msg, k.Open):
		r := v.runs[v.runList.Cursor()]
		v.runOpen = &r
		v.errors.SetContent(v.runErrors())
		v.errors.SetSize(v.width, max(3, v.height-6))
	default:
		if v.tab == 1 {
			v.runList.Update(msg)
		}
	}
	return nil
}

// setDaily saves the daily schedule and brings it back as saved: the line changes at once.
func (v *adminView) setDaily(on bool, at string) tea.Cmd {
	eng, st, actor, slug := v.c.svc.Engine, v.c.st, v.c.actor, v.c.assoc.Slug
	return func() tea.Msg {
		if err := eng.SetDaily(slug, on, at, actor); err != nil {
			return scheduleSetMsg{err: err}
		}
		sc, err := st.Schedule()
		return scheduleSetMsg{schedule: sc, err: err}
	}
}

// runStatus is a run's status for the list: "concluído", "falhou", "em andamento
// (retomada de #4)".
func runStatus(r store.Run) string {
	s := statusText(r.Status)
	if r.Resumes != 0 {
		s += " (" + fmt.Sprintf(tResumed, r.Resumes) + ")"
	}
	return s
}

func (v *adminView) View() string {
	v.updateKeys() // the button shows whether s works now
	st := v.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(v.admin.Name) + "  " + st.Hint.Render(v.admin.Login) + "\n")
	b.WriteString(tabs(st, []string{tTabProfile, tTabIntegrations}, v.tab, v.width))
	b.WriteString("   " + button(st, tSyncActive+" (s)", v.keys.Sync.Enabled()) + "\n\n")
	if v.tab == 0 {
		return b.String() + v.profileView()
	}
	if v.runOpen != nil {
		return b.String() + v.errors.View()
	}
	b.WriteString(st.Label.Render(tDaily+": ") + v.dailyLine())
	if v.editing {
		b.WriteString("  " + st.LabelFocus.Render(tEditTime+": ") + v.timeIn.View())
		if v.timeErr != "" {
			b.WriteString("  " + st.Error.Render("✗ "+v.timeErr))
		}
	}
	b.WriteString("\n" + st.Label.Render(tSchedLabel+": ") + ansi.Wordwrap(scheduleText(v.schedule), max(1, v.width-textWidth(tSchedLabel+": ")), ""))
	if late := lateBy(v.schedule, v.c.assoc.Slug); late >= time.Minute {
		b.WriteString("\n" + st.Hint.Render(ansi.Wordwrap(fmt.Sprintf(tDailySpread, int(late.Minutes())), max(1, v.width), "")))
	}
	b.WriteString("\n\n" + st.Title.Render(tLastRuns) + "\n")
	if len(v.runs) == 0 {
		b.WriteString(st.Hint.Render(tNoRuns) + "\n")
	} else {
		b.WriteString(v.runList.View() + "\n")
	}
	b.WriteString("\n" + v.progressField())
	return b.String()
}

// watchesProgress reports whether the page shows the sync's progress now: a profile does.
func (p *adminsPage) watchesProgress() bool { return p.detail.IsOpen() }
