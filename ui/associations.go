package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/sga/syncer"
	"ponte/store"
)

// Messages about associations, handled by the root.
type (
	// switchMsg makes an association the session's current one; page, when not negative, is
	// the page to show then (an added association opens on its Integração SGA).
	switchMsg struct {
		assoc store.Association
		page  int
		open  *store.Client // a client to open on Clientes once switched
		say   string        // the status bar's word once switched; empty: "Associação atual: ..."
	}
	// activityMsg: some association's sync moved (the status bar's count, the Associações
	// page's progress column).
	activityMsg struct{}
)

// assocsPage is "Associações": every association the administrator may see, with its
// figures and its sync; a supervisor adds, disables and re-enables them here.
type assocsPage struct {
	c       *common
	keys    assocKeys
	table   *table
	summary []store.AssociationSummary
	loaded  bool
	seq     int
	err     error
	adding  withDetail[*assocForm] // Nova associação, in the list's place
	width   int
	height  int
}

type assocsLoadedMsg struct {
	seq     int
	summary []store.AssociationSummary
	err     error
}

func newAssocsPage(c *common) *assocsPage {
	return &assocsPage{c: c, keys: newAssocKeys(c.keys),
		table: newTable(c, assocColumns(100)...), adding: newDetail[*assocForm](c, nil)}
}

func (p *assocsPage) Title() string { return tPageAssocs }

func (p *assocsPage) Init() tea.Cmd { return p.load() }

func (p *assocsPage) Activate() tea.Cmd { return p.load() }

func (p *assocsPage) load() tea.Cmd {
	p.seq++
	seq, st := p.seq, p.c.base
	return func() tea.Msg {
		sum, err := st.Overview()
		return assocsLoadedMsg{seq, sum, err}
	}
}

func (p *assocsPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.cols = assocColumns(w)
	p.table.SetSize(w, h-2)
	p.adding.SetSize(w, h)
	p.rows()
}

// assocColumns are the list's columns for a page width: the figures' headings shorten on
// narrow terminals so that the name keeps its room, and the last sync's date is left to wide
// ones (how fresh the data is says the rest).
func assocColumns(width int) []column {
	vehicles, contracts, last := column{tAssocVehicles, 8}, column{tAssocContracts, 9}, column{tAssocLast, 20}
	if width < 96 {
		vehicles, contracts = column{tAssocVehiclesShort, 6}, column{tAssocContractsShort, 6}
	}
	if lastDated(width) {
		last.width = 29
	}
	return []column{{" ", 1}, {tAssociation, 0}, vehicles, contracts, last, {tAssocFresh, 11}, {tAssocNext, 11}}
}

// lastDated reports whether the list at width dates each association's last sync.
func lastDated(width int) bool { return width >= 110 }

func (p *assocsPage) Typing() bool { return p.adding.Typing(false) }

func (p *assocsPage) Moves() []key.Binding { return p.adding.Moves(p.table.Moves) }

// watchesProgress: the page shows every association's sync as it goes.
func (p *assocsPage) watchesProgress() bool { return true }

func (p *assocsPage) updateKeys() {
	any, list := len(p.summary) > 0, !p.adding.IsOpen()
	p.keys.Use.SetEnabled(any && list)
	p.keys.New.SetEnabled(p.c.supervisor() && list)
	p.keys.Enable.SetEnabled(any && p.c.supervisor() && list)
}

func (p *assocsPage) Help() []key.Binding {
	return p.adding.Help(func() []key.Binding {
		p.updateKeys()
		return []key.Binding{p.keys.Use, p.keys.New, p.keys.Enable}
	})
}

// Update hands keys and pastes to Nova associação while it is open (withDetail).
func (p *assocsPage) Update(msg tea.Msg) tea.Cmd { return p.adding.Update(msg, p.update) }

func (p *assocsPage) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case assocsLoadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		p.err = msg.err
		if msg.err != nil {
			p.c.svc.Logger.Error("list associations", "err", msg.err)
			return nil
		}
		p.summary, p.loaded = msg.summary, true
		p.rows()
		return nil
	case freshTickMsg: // the ages grew
		p.rows()
		return nil
	case progressMsg, activityMsg:
		p.rows()
		if m, ok := msg.(progressMsg); ok && !m.Running && m.Phase == syncer.PhaseDone {
			return p.load()
		}
		return nil
	case dataChangedMsg:
		return p.load()
	case assocAddedMsg:
		if msg.err != nil {
			if f, ok := p.adding.Get(); ok {
				return f.fail(msg.err)
			}
			return nil
		}
		p.adding.Close()
		say := fmt.Sprintf(tAssocAdded, msg.assoc.Label())
		return tea.Batch(p.load(), func() tea.Msg { return switchMsg{assoc: msg.assoc, page: 0, say: say} })
	case assocToggledMsg:
		if msg.err != nil {
			if errors.Is(msg.err, store.ErrForbidden) {
				return toast(false, "%s", tOnlySupervisors)
			}
			p.c.svc.Logger.Error("enable association", "err", msg.err)
			return toast(false, "%s", tSaveFailed)
		}
		text := tAssocEnabledOK
		if msg.assoc.Disabled {
			text = tAssocDisabledOK
		}
		return tea.Batch(p.load(), toast(true, text, msg.assoc.Label()))
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

type (
	assocAddedMsg struct {
		assoc store.Association
		err   error
	}
	assocToggledMsg struct {
		assoc store.Association
		err   error
	}
)

func (p *assocsPage) key(msg tea.KeyPressMsg) tea.Cmd {
	p.updateKeys()
	k := p.keys
	switch {
	case key.Matches(msg, k.Use):
		a := p.summary[p.table.Cursor()].Association
		return func() tea.Msg { return switchMsg{assoc: a, page: -1} }
	case key.Matches(msg, k.New):
		f := newAssocForm(p.c)
		p.adding.Open(f)
		return f.focus()
	case key.Matches(msg, k.Enable):
		a := p.summary[p.table.Cursor()].Association
		st, actor := p.c.base, p.c.actor
		q := fmt.Sprintf(tConfirmDisable, a.Label())
		if a.Disabled {
			q = fmt.Sprintf(tConfirmEnable, a.Label())
		}
		return ask(q, func() tea.Msg {
			a, err := st.SetAssociationEnabled(a.Slug, a.Disabled, actor)
			return assocToggledMsg{a, err}
		})
	}
	p.table.Update(msg)
	return nil
}

// rows lists the associations with their last run and, for those syncing, how far they are.
func (p *assocsPage) rows() {
	rows := make([]row, len(p.summary))
	for i, s := range p.summary {
		mark := " "
		if s.ID == p.c.assoc.ID {
			mark = "●"
		}
		last := tAssocNever
		if r := s.LastRun; r != nil {
			last = withWarning(shortStatus(r.Status), r.Status, r.FellBack)
			if lastDated(p.width) {
				last += " " + r.StartedAt.Local().Format("02/01 15:04")
			}
			if r.ErrorCount > 0 {
				last += " · " + plural(r.ErrorCount, tErrorOne, tErrorMany)
			}
		}
		if eng := p.c.svc.Engine; eng != nil { // a sync of the association going says how far it is instead
			switch pr := eng.Hub(s.Slug).Latest(); {
			case !pr.OfAssociation(): // a client's own sync is not the association's state
			case pr.Running && pr.Phase == syncer.PhaseQueued:
				last = tAssocQueued
			case pr.Running && pr.Phase == syncer.PhasePaused:
				last = tAssocPaused
			case pr.Running && pr.PagesTotal > 0:
				last = fmt.Sprintf("%s %.0f%%", tSyncing, pr.Fraction()*100)
			case pr.Running:
				last = tSyncing
			}
		}
		next := tAssocNoDaily
		switch {
		case s.Disabled:
			next = tAssocDisabled
		case s.Schedule.Enabled && !s.Schedule.NextRun.IsZero():
			next = s.Schedule.NextRun.Local().Format("02/01 15:04")
		}
		name := s.Label()
		if s.Name != s.Slug && p.width >= 96 { // narrow, the name alone keeps its room
			name += " (" + s.Slug + ")"
		}
		fresh := freshAgo(s.Freshness, p.c.svc.Now())
		rows[i] = row{key: s.Slug, cells: []string{mark, name, fmt.Sprint(s.Vehicles), fmt.Sprint(s.Contracts), last, fresh, next},
			disabled: s.Disabled}
	}
	p.table.SetRows(rows)
}

func (p *assocsPage) View() string { return p.adding.View(p.listView) }

func (p *assocsPage) listView() string {
	st := p.c.styles
	switch {
	case p.err != nil:
		return st.Error.Render(tLoadFailed)
	case !p.loaded:
		return st.Hint.Render(tLoading)
	}
	head := st.Hint.Render(plural(len(p.summary), tAssocCountOne, tAssocCountMany))
	return head + "\n\n" + p.table.View()
}

// shortStatus names a run's status in few letters, for the list.
func shortStatus(status string) string {
	if status == store.StatusPartial {
		return tStatusPartialShort
	}
	return statusText(status)
}

// assocForm is "Nova associação": short name, name and CNPJ. The store checks them: the form
// stays open until it answers, and a refusal marks its field.
type assocForm struct{ formView }

// The association form's fields.
const (
	afSlug = iota
	afName
	afCNPJ
)

func newAssocForm(c *common) *assocForm {
	f := &assocForm{}
	f.form = newForm(c, tAssocAdd, tAssocAddHint, tSave, f.submit,
		field{label: tAssocSlug, limit: 32, placeholder: tAssocSlugExample}, field{label: tAssocName, limit: 120},
		field{label: tAssocCNPJ, limit: 18})
	f.waits = true
	return f
}

func (f *assocForm) submit(values []string) ([]string, tea.Cmd) {
	a := store.Association{Slug: values[afSlug], Name: values[afName], CNPJ: values[afCNPJ]}
	if a.Slug == "" {
		a.Slug = store.Slugify(a.Name)
	}
	st, actor := f.c.base, f.c.actor
	return nil, func() tea.Msg {
		a, err := st.AddAssociation(a, actor)
		return assocAddedMsg{a, err}
	}
}

// fail shows why the store refused the association, on its field.
func (f *assocForm) fail(err error) tea.Cmd {
	var fe *store.FieldError
	switch {
	case errors.As(err, &fe):
		return f.form.fail(afName, settingProblem(err))
	case errors.Is(err, store.ErrForbidden):
		return f.form.fail(afSlug, tOnlySupervisors)
	case errors.Is(err, store.ErrCNPJTaken):
		return f.form.fail(afCNPJ, tAssocCNPJTaken)
	case errors.Is(err, store.ErrDuplicate):
		return f.form.fail(afSlug, tAssocDuplicate)
	case strings.Contains(err.Error(), "CNPJ"):
		return f.form.fail(afCNPJ, tAssocBadCNPJ)
	case errors.Is(err, store.ErrInvalid) && strings.HasPrefix(err.Error(), "name"):
		return f.form.fail(afName, fmt.Sprintf(tTooLong, 120))
	case errors.Is(err, store.ErrInvalid):
		return f.form.fail(afSlug, tAssocBadSlug)
	}
	f.c.svc.Logger.Error("add association", "err", err)
	return f.form.fail(afSlug, tSaveFailed)
}
