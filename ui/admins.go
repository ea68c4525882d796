package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"ponte/sga/syncer"
	"ponte/store"
)

// adminsPage is "Administradores": the profiles, and a profile with its tabs.
type adminsPage struct {
	c        *common
	admins   []store.Admin
	shown    []store.Admin
	list     *table
	search   searchBox
	open     *adminView
	progress syncer.Progress
	width    int
	height   int
}

type adminsLoadedMsg struct {
	admins []store.Admin
	err    error
}

func newAdminsPage(c *common) *adminsPage {
	return &adminsPage{c: c, search: newSearchBox(c), list: newTable(c, column{tName, 0}, column{tLogin, 16}, column{tEmail, 28})}
}

func (p *adminsPage) Title() string { return tPageAdmins }

func (p *adminsPage) Init() tea.Cmd {
	st := p.c.svc.Store
	return func() tea.Msg {
		a, err := st.Admins()
		return adminsLoadedMsg{a, err}
	}
}

func (p *adminsPage) Activate() tea.Cmd {
	if p.open != nil {
		return p.open.load()
	}
	return p.Init()
}

func (p *adminsPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-2)
	if p.open != nil {
		p.open.SetSize(w, h)
	}
}

func (p *adminsPage) Typing() bool {
	if p.open != nil {
		return p.open.Typing()
	}
	return p.search.typing
}

func (p *adminsPage) Help() []key.Binding {
	if p.open != nil {
		return p.open.Help()
	}
	k := p.c.keys
	if p.search.typing {
		return []key.Binding{k.Back}
	}
	open := k.Open
	open.SetEnabled(len(p.shown) > 0)
	return []key.Binding{k.Filter, open, k.Up, k.Down}
}

func (p *adminsPage) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(p.search.Value()))
	p.shown = p.shown[:0]
	var rows []row
	for _, a := range p.admins {
		if q == "" || strings.Contains(strings.ToLower(a.Name+" "+a.Login+" "+a.Email), q) {
			p.shown = append(p.shown, a)
			rows = append(rows, row{cells: []string{a.Name, a.Login, a.Email}})
		}
	}
	p.list.SetRows(rows)
}

func (p *adminsPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case adminsLoadedMsg:
		p.admins = msg.admins
		p.applyFilter()
		return nil
	case progressMsg:
		p.progress = syncer.Progress(msg)
		if p.open != nil {
			return p.open.Update(msg)
		}
		return nil
	case tea.KeyMsg:
		if p.open != nil {
			if key.Matches(msg, p.c.keys.Back) && !p.open.Typing() && p.open.runOpen == nil {
				p.open = nil
				return nil
			}
			return p.open.Update(msg)
		}
		return p.key(msg)
	}
	if p.open != nil {
		return p.open.Update(msg)
	}
	return nil
}

func (p *adminsPage) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys
	if p.search.typing {
		changed, cmd := p.search.Key(msg)
		if changed {
			p.applyFilter()
		}
		return cmd
	}
	switch {
	case key.Matches(msg, k.Filter):
		return p.search.Start()
	case key.Matches(msg, k.Back) && p.search.Clear():
		p.applyFilter()
		return nil
	case key.Matches(msg, k.Open) && len(p.shown) > 0:
		p.open = newAdminView(p.c, p.shown[p.list.Cursor()], p.progress)
		p.open.SetSize(p.width, p.height)
		return p.open.Init()
	}
	p.list.Update(msg)
	return nil
}

func (p *adminsPage) View() string {
	if p.open != nil {
		return p.open.View()
	}
	st := p.c.styles
	head := p.search.View(st)
	if len(p.admins) == 0 {
		return head + "\n" + st.Hint.Render(tNoAdmins)
	}
	return head + "\n" + p.list.View()
}

// adminView is a profile: tabs Perfil and Integrações SGA, and "Sincronizar Ativos SGA".
type adminView struct {
	c        *common
	admin    store.Admin
	tab      int
	progress syncer.Progress
	schedule store.Schedule
	runs     []store.Run
	runList  *table
	runOpen  *store.Run
	editing  bool
	timeIn   textinput.Model
	timeErr  string
	width    int
	height   int
}

type (
	runsLoadedMsg struct {
		runs     []store.Run
		schedule store.Schedule
		err      error
	}
	syncStartMsg struct{ err error }
)

func newAdminView(c *common, a store.Admin, p syncer.Progress) *adminView {
	ti := newInput(c)
	ti.Prompt = ""
	ti.CharLimit = 5
	ti.Placeholder = "03:00"
	return &adminView{c: c, admin: a, progress: p, tab: 1, timeIn: ti, runList: newTable(c,
		column{"#", 5}, column{tStatus, 20}, column{"Início", 16}, column{tPageClients, 10}, column{"Veículos", 9}, column{"Erros", 6})}
}

func (v *adminView) Init() tea.Cmd { return v.load() }

func (v *adminView) load() tea.Cmd {
	st := v.c.svc.Store
	return func() tea.Msg {
		runs, sc, err := st.SyncState(20)
		return runsLoadedMsg{runs, sc, err}
	}
}

func (v *adminView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.runList.SetSize(w, max(3, h-16))
}

func (v *adminView) Typing() bool { return v.editing }

func (v *adminView) Help() []key.Binding {
	k := v.c.keys
	if v.editing {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tSave)), k.Back}
	}
	sync, cancel := k.Sync, k.Cancel
	sync.SetEnabled(!v.progress.Running)
	cancel.SetEnabled(v.progress.Running)
	toggle, tm, open := k.Toggle, k.Time, k.Open
	onInt := v.tab == 1
	toggle.SetEnabled(onInt)
	tm.SetEnabled(onInt)
	open.SetEnabled(onInt && len(v.runs) > 0)
	return []key.Binding{k.TabNext, sync, cancel, toggle, tm, open, k.Back}
}

func (v *adminView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runsLoadedMsg:
		if msg.err == nil {
			v.runs, v.schedule = msg.runs, msg.schedule
			rows := make([]row, len(v.runs))
			for i, r := range v.runs {
				rows[i] = row{cells: []string{fmt.Sprint(r.ID), statusText(r.Status), r.StartedAt.Local().Format("02/01/2006 15:04"),
					fmt.Sprint(r.Counts.Clients()), fmt.Sprint(r.Counts.Vehicles()), fmt.Sprint(r.ErrorCount)}}
			}
			v.runList.SetRows(rows)
		}
		return nil
	case progressMsg:
		was := v.progress.Running
		v.progress = syncer.Progress(msg)
		if was != v.progress.Running {
			return v.load()
		}
		return nil
	case syncStartMsg:
		switch {
		case errors.Is(msg.err, syncer.ErrBusy):
			return tea.Batch(v.load(), toast(false, "%s", tSyncBusy))
		case msg.err != nil:
			v.c.svc.Logger.Error("start the sync", "err", msg.err)
			return toast(false, "%s", tStartFailed)
		}
		return tea.Batch(v.load(), toast(true, "%s", tSyncStarted))
	case tea.KeyMsg:
		return v.key(msg)
	}
	if v.editing {
		var cmd tea.Cmd
		v.timeIn, cmd = v.timeIn.Update(msg)
		return cmd
	}
	return nil
}

func (v *adminView) key(msg tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	eng := v.c.svc.Engine
	if v.editing {
		switch msg.String() {
		case "esc":
			v.editing, v.timeErr = false, ""
			v.timeIn.Blur()
			return nil
		case "enter":
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
		v.timeIn, cmd = v.timeIn.Update(msg)
		return cmd
	}
	if v.runOpen != nil {
		if key.Matches(msg, k.Back) {
			v.runOpen = nil
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.TabNext):
		v.tab = 1 - v.tab
	case key.Matches(msg, k.Sync) && !v.progress.Running && eng != nil:
		req := syncer.Request{By: v.c.actor, BaseURL: v.c.svc.SGAURL}
		return func() tea.Msg { return syncStartMsg{eng.EnableDaily(req)} }
	case key.Matches(msg, k.Cancel) && v.progress.Running && eng != nil:
		eng.Cancel(v.c.actor)
	case v.tab == 1 && key.Matches(msg, k.Toggle):
		return v.setDaily(!v.schedule.Enabled, v.schedule.TimeOfDay)
	case v.tab == 1 && key.Matches(msg, k.Time):
		v.editing = true
		v.timeIn.SetValue(v.schedule.TimeOfDay)
		return v.timeIn.Focus()
	case v.tab == 1 && key.Matches(msg, k.Open) && len(v.runs) > 0:
		r := v.runs[v.runList.Cursor()]
		v.runOpen = &r
	default:
		v.runList.Update(msg)
	}
	return nil
}

func (v *adminView) setDaily(on bool, at string) tea.Cmd {
	eng, actor := v.c.svc.Engine, v.c.actor
	if eng == nil {
		return nil
	}
	return func() tea.Msg {
		if err := eng.SetDaily(on, at, actor); err != nil {
			return toastMsg{false, tBadTime}
		}
		return toastMsg{true, tSuccess}
	}
}

func (v *adminView) View() string {
	st := v.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(v.admin.Name) + "  " + st.Hint.Render(v.admin.Login) + "\n")
	for i, t := range []string{tTabProfile, tTabIntegrations} {
		if i == v.tab {
			b.WriteString(st.TabActive.Render(t))
		} else {
			b.WriteString(st.Tab.Render(t))
		}
	}
	btn := st.Button
	if !v.progress.Running {
		btn = st.ButtonFocus
	}
	b.WriteString("   " + btn.Render(tSyncActive+" (s)") + "\n\n")
	if v.tab == 0 {
		var keys []string
		for _, k := range v.admin.Keys {
			keys = append(keys, k.Fingerprint)
		}
		for _, kv := range [][2]string{{tName, v.admin.Name}, {tLogin, v.admin.Login}, {tEmail, v.admin.Email},
			{tKeys, strings.Join(keys, ", ")}} {
			b.WriteString(st.Label.Render(cell(kv[0], 14)) + kv[1] + "\n")
		}
		return b.String()
	}
	if v.runOpen != nil {
		return b.String() + v.runErrors()
	}
	daily := tDailyOff
	if v.schedule.Enabled {
		daily = fmt.Sprintf(tDailyOn, v.schedule.TimeOfDay, v.schedule.NextRun.Local().Format("02/01 15:04"))
	}
	b.WriteString(st.Label.Render(tDaily+": ") + daily)
	if v.editing {
		b.WriteString("  " + st.LabelFocus.Render(tEditTime+": ") + v.timeIn.View())
		if v.timeErr != "" {
			b.WriteString("  " + st.Error.Render("✗ "+v.timeErr))
		}
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

// progressField is "Andamento de importação SGA": a bar and what the engine reports.
func (v *adminView) progressField() string {
	st := v.c.styles
	p := v.progress
	const width = 40
	filled := int(p.Fraction() * width)
	bar := st.BarFull.Render(strings.Repeat("█", filled)) + st.BarEmpty.Render(strings.Repeat("░", width-filled))
	line := fmt.Sprintf("%s %3.0f%%", bar, p.Fraction()*100)
	var facts []string
	switch {
	case p.Running && p.Phase == syncer.PhasePaused:
		facts = append(facts, st.Warning.Render(fmt.Sprintf(tPausedUntil, p.PausedUntil.Local().Format("15:04:05"))))
	case p.Running:
		facts = append(facts, tSyncing)
	case p.Status != "":
		facts = append(facts, statusText(p.Status))
	default:
		facts = append(facts, tIdle)
	}
	if p.PagesTotal > 0 {
		facts = append(facts, fmt.Sprintf(tPages, p.PagesDone, p.PagesTotal))
	}
	facts = append(facts, fmt.Sprintf(tCounts, p.Clients, p.Vehicles), fmt.Sprintf(tChanged, p.Changed), fmt.Sprintf(tErrors, p.Errors))
	if p.Running && p.Rate > 0 {
		facts = append(facts, fmt.Sprintf(tRate, p.Rate))
	}
	if p.Running && p.ETA > 0 {
		facts = append(facts, fmt.Sprintf(tETA, p.ETA.Round(time.Second)))
	}
	out := st.Title.Render(tProgressField) + "\n" + line + "\n" + cell(strings.Join(facts, " · "), v.width)
	if !p.Running && p.ReasonCode != "" && p.ReasonCode != "cancelled" {
		out += "\n" + st.Warning.Render(cell(reasonText(p.ReasonCode), v.width))
	}
	return out
}

func (v *adminView) runErrors() string {
	st := v.c.styles
	r := v.runOpen
	var b strings.Builder
	b.WriteString(st.Title.Render(fmt.Sprintf(tRunErrors, r.ID)) + "  " + st.Hint.Render(statusText(r.Status)+" "+reasonText(r.ReasonCode)) + "\n")
	if r.Resumes != 0 {
		b.WriteString(st.Hint.Render(fmt.Sprintf(tResumes, r.Resumes)) + "\n")
	}
	if len(r.Errors) == 0 {
		b.WriteString(st.Hint.Render(tNoErrors))
		return b.String()
	}
	for i, e := range r.Errors {
		if i >= v.height-6 {
			b.WriteString(st.Hint.Render(fmt.Sprintf("… +%d", r.ErrorCount-i)))
			break
		}
		where := e.Key
		if e.Page > 0 {
			where = fmt.Sprintf("página %d %s", e.Page, e.Key)
		}
		detail := kindText(e.Kind)
		if e.Kind != "record" && e.Reason != "" {
			detail += ": " + e.Reason // SGA's own message, in Portuguese
		} else if field, ok := strings.CutPrefix(e.Reason, "field "); ok && e.Kind == "record" {
			name, _, _ := strings.Cut(field, ":")
			detail += " (campo " + name + ")"
		}
		b.WriteString(cell(fmt.Sprintf("%s  %s  %s", e.At.Local().Format("15:04:05"), where, detail), v.width) + "\n")
	}
	return b.String()
}
