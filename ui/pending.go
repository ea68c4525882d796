package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// pendingPage is "Pendências": the removal and reinstallation orders ponte proposes from SGA's
// changes, newest first, each with its reason. space ticks, g generates the ticked orders (or
// the one under the cursor) after a confirmation, x dismisses them with a reason, t shows every
// association the administrator may see.
type pendingPage struct {
	c         *common
	table     *table
	proposals []store.ProposalView
	ticked    map[uint64]bool
	open      *store.ProposalView // the proposal whose detail is shown
	all       bool
	assocs    int
	seq       int
	dismiss   withDetail[*formView] // the dismiss form, in the list's place
	keys      pendingKeys
	width     int
	height    int
}

type (
	pendingLoadedMsg struct {
		seq       int
		proposals []store.ProposalView
		assocs    int
		err       error
	}
	ordersGeneratedMsg struct {
		orders []store.Order
		err    error
	}
	proposalsDismissedMsg struct {
		n   int
		err error
	}
)

// The list's columns: what a proposal is, its client, what changed, when and by whom, and
// the contract; the association's when every association is shown. The motive keeps its room
// ("Fora da lista do SGA"); on narrow screens the texts are cut first, then the change gives
// way (the motive says it, the detail shows it whole), the phone, the SGA user, and only then
// the contract.
var (
	pendingColumns = []column{{"", 3}, {tKind, 12}, {tPlate, 7}, {tClient, 0}, {tPhone, 15}, {tMotive, 20},
		{tChange, 15}, {tWhen, 11}, {tChangedBy, 16}, {tContract, 14}}
	pendingAllColumns = append([]column{pendingColumns[0], {tAssociation, 14}}, pendingColumns[1:]...)
)

func newPendingPage(c *common) *pendingPage {
	p := &pendingPage{c: c, table: newTable(c), ticked: map[uint64]bool{}, keys: newPendingKeys(c.keys), dismiss: newDetail[*formView](c, nil)}
	k := p.keys
	p.table.Yield(k.Tick, k.TickAll, k.Generate, k.Dismiss, k.All) // g is gerar ordens here; home is início
	p.table.GiveWay(tChange, tPhone, tChangedBy, tContract)
	return p
}

// Moves is the keys that move the list: início is home only, g generates. A proposal's
// detail has no list in front: none; the dismiss form, its arrows.
func (p *pendingPage) Moves() []key.Binding {
	return p.dismiss.Moves(func() []key.Binding {
		if p.open != nil {
			return nil
		}
		return p.table.Moves()
	})
}

func (p *pendingPage) Title() string { return tPagePending }

func (p *pendingPage) Init() tea.Cmd { return p.load() }

func (p *pendingPage) Activate() tea.Cmd { return p.load() }

func (p *pendingPage) load() tea.Cmd {
	p.seq++
	seq, st, all := p.seq, p.c.st, p.all
	if all {
		st = p.c.base
	}
	return func() tea.Msg {
		assocs, err := st.Associations()
		if err != nil {
			return pendingLoadedMsg{seq: seq, err: err}
		}
		ps, err := st.ProposalViews(store.ProposalFilter{Status: store.ProposalPending}, 0)
		return pendingLoadedMsg{seq: seq, proposals: ps, assocs: len(assocs), err: err}
	}
}

func (p *pendingPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
	p.dismiss.SetSize(w, h)
	p.rows()
}

func (p *pendingPage) Typing() bool { return p.dismiss.Typing(false) }

// Claims says which of the root's keys the page takes for its own: x dismisses here.
func (p *pendingPage) Claims() []key.Binding { return []key.Binding{p.keys.Dismiss} }

func (p *pendingPage) updateKeys() {
	has, list := len(p.proposals) > 0, p.open == nil
	for _, b := range []*key.Binding{&p.keys.Generate, &p.keys.Dismiss} {
		b.SetEnabled(has)
	}
	for _, b := range []*key.Binding{&p.keys.Tick, &p.keys.TickAll, &p.keys.Open} {
		b.SetEnabled(has && list)
	}
	p.keys.Back.SetEnabled(!list)
	p.keys.All.SetEnabled(p.assocs > 1 && list)
	if p.all {
		p.keys.All.SetHelp("t", tShowOne)
	} else {
		p.keys.All.SetHelp("t", tShowAll)
	}
}

func (p *pendingPage) Help() []key.Binding {
	return p.dismiss.Help(func() []key.Binding {
		p.updateKeys()
		k := p.keys
		return []key.Binding{k.Tick, k.TickAll, k.Open, k.Generate, k.Dismiss, k.All, k.Back}
	})
}

// Update hands keys and pastes to the dismiss form while it is open (withDetail).
func (p *pendingPage) Update(msg tea.Msg) tea.Cmd { return p.dismiss.Update(msg, p.update) }

func (p *pendingPage) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pendingLoadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			p.c.svc.Logger.Error("list proposals", "err", msg.err)
			return toast(false, "%s", tLoadFailed)
		}
		p.proposals, p.assocs = msg.proposals, msg.assocs
		live := map[uint64]bool{}
		for _, pr := range p.proposals {
			if p.ticked[pr.ID] {
				live[pr.ID] = true
			}
		}
		p.ticked = live
		p.reopen()
		p.rows()
		return nil
	case ordersGeneratedMsg:
		if msg.err != nil {
			return tea.Batch(p.failed(msg.err), p.load())
		}
		numbers := make([]string, len(msg.orders))
		for i, o := range msg.orders {
			numbers[i] = o.Number
		}
		p.ticked = map[uint64]bool{}
		return tea.Batch(toast(true, tGenerated, strings.Join(numbers, ", ")), changed)
	case proposalsDismissedMsg:
		if msg.err != nil {
			return tea.Batch(p.failed(msg.err), p.load())
		}
		p.ticked = map[uint64]bool{}
		return tea.Batch(toast(true, "%s", plural(msg.n, tDismissedOne, tDismissedMany)), changed)
	case dataChangedMsg:
		return p.load()
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

// changed tells every page that orders or proposals changed.
func changed() tea.Msg { return dataChangedMsg{} }

func (p *pendingPage) failed(err error) tea.Cmd {
	switch {
	case errors.Is(err, store.ErrNotPending), errors.Is(err, store.ErrNotFound):
		return toast(false, "%s", tAlreadyDecided)
	case errors.Is(err, store.ErrNotProposable):
		return toast(false, "%s", tNoLongerFits)
	case errors.Is(err, store.ErrForbidden):
		return toast(false, "%s", tOnlySupervisors)
	}
	p.c.svc.Logger.Error("decide proposals", "err", err)
	return toast(false, "%s", tSaveFailed)
}

func (p *pendingPage) key(msg tea.KeyPressMsg) tea.Cmd {
	p.updateKeys()
	k := p.keys
	switch {
	case key.Matches(msg, k.Open):
		if pr, ok := p.current(); ok {
			p.open = &pr
		}
		return nil
	case key.Matches(msg, k.Back):
		p.open = nil
		return nil
	case key.Matches(msg, k.Tick):
		if pr, ok := p.current(); ok {
			i := p.table.Cursor()
			toggle(p.table, p.ticked, pr.ID)
			p.box(i)
		}
		return nil
	case key.Matches(msg, k.TickAll):
		if len(p.ticked) == len(p.proposals) {
			p.ticked = map[uint64]bool{}
		} else {
			for _, pr := range p.proposals {
				p.ticked[pr.ID] = true
			}
		}
		for i := range p.proposals {
			p.box(i)
		}
		return nil
	case key.Matches(msg, k.All):
		p.all = !p.all
		p.ticked = map[uint64]bool{}
		p.rows()
		return p.load()
	}
	if !key.Matches(msg, k.Generate, k.Dismiss) {
		if p.open == nil {
			p.table.Update(msg)
		}
		return nil
	}
	// g and x are offered only while proposals are listed: they act on the ticked ones, else
	// the one under the cursor.
	chosen, st, actor := p.chosen(), p.c.base, p.c.actor
	ids := idsOf(chosen)
	if key.Matches(msg, k.Generate) {
		return ask(fmt.Sprintf(tConfirmGenerate, plural(len(chosen), tOrderOne, tOrderMany), kindsOf(chosen)), func() tea.Msg {
			orders, err := st.AcceptProposals(ids, actor)
			return ordersGeneratedMsg{orders, err}
		})
	}
	f := newForm(p.c, fmt.Sprintf(tDismissTitle, plural(len(chosen), tPendingOne, tPendingMany)), tDismissHint, tDismissButton,
		func(v []string) ([]string, tea.Cmd) {
			if v[0] == "" {
				return []string{tReasonRequired}, nil
			}
			return nil, func() tea.Msg {
				return proposalsDismissedMsg{len(ids), st.DismissProposals(ids, v[0], actor)}
			}
		}, field{label: tReason, rule: store.FieldReason})
	p.dismiss.Open(&formView{form: f})
	return f.focus()
}

// chosen are the proposal whose detail is shown, else the ticked proposals, or the one under
// the cursor when none is ticked.
func (p *pendingPage) chosen() []store.ProposalView {
	if p.open != nil {
		return []store.ProposalView{*p.open}
	}
	var out []store.ProposalView
	for _, pr := range p.proposals {
		if p.ticked[pr.ID] {
			out = append(out, pr)
		}
	}
	if len(out) == 0 {
		if pr, ok := p.current(); ok {
			out = append(out, pr)
		}
	}
	return out
}

func (p *pendingPage) current() (store.ProposalView, bool) {
	if len(p.proposals) == 0 {
		return store.ProposalView{}, false
	}
	return p.proposals[p.table.Cursor()], true
}

// reopen shows the open proposal as it was read again, or the list when it was decided.
func (p *pendingPage) reopen() {
	if p.open == nil {
		return
	}
	id := p.open.ID
	p.open = nil
	for i, pr := range p.proposals {
		if pr.ID == id {
			p.open = &p.proposals[i]
		}
	}
}

// Ticked is how many proposals are ticked, for the status bar.
func (p *pendingPage) Ticked() int { return len(p.ticked) }

func idsOf(ps []store.ProposalView) []uint64 {
	ids := make([]uint64, len(ps))
	for i, pr := range ps {
		ids[i] = pr.ID
	}
	return ids
}

// kindsOf says how many of each kind: "2 Retiradas, 1 Reinstalação".
func kindsOf(ps []store.ProposalView) string {
	var parts []string
	for _, kind := range store.OrderKinds {
		n := 0
		for _, pr := range ps {
			if pr.Kind == kind {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, kindCount(n, kind))
		}
	}
	return strings.Join(parts, ", ")
}

// rows lays the proposals out.
func (p *pendingPage) rows() {
	cols := pendingColumns
	if p.all {
		cols = pendingAllColumns
	}
	if !slices.Equal(p.table.cols, cols) {
		p.table.cols = cols
	}
	rows := make([]row, len(p.proposals))
	for i, pr := range p.proposals {
		box := tickBox(p.ticked[pr.ID])
		when := "-"
		if !pr.Cause.ChangedAt.IsZero() {
			when = pr.Cause.ChangedAt.Local().Format("02/01 15:04")
		}
		cells := []string{box, pr.Kind, pr.Plate, clientName(pr.Client.Name, pr.ClientSGACode), formatPhone(pr.Client.Phone),
			pr.Cause.Motive, fmt.Sprintf(tChangeText, pr.Cause.Before, pr.Cause.After), when, changedBy(pr), pr.Contract.Number}
		if p.all {
			cells = slices.Insert(cells, 1, pr.AssociationSlug)
		}
		rows[i] = row{key: fmt.Sprintf("%d/%d", pr.Association, pr.ID), cells: cells}
	}
	p.table.SetRows(rows)
}

// box redraws the tick box of row i, the first cell: a tick changes nothing else, and laying
// every row out again cost each space 2.5 ms a thousand proposals.
func (p *pendingPage) box(i int) { p.table.rows[i].cells[0] = tickBox(p.ticked[p.proposals[i].ID]) }

func tickBox(ticked bool) string {
	if ticked {
		return "[x]"
	}
	return "[ ]"
}

// changedBy is who made the change in SGA: the user its change feed names, else, when a full
// read found the change, that (a full read names no one).
func changedBy(pr store.ProposalView) string {
	switch {
	case pr.Cause.ChangedBy != "":
		return pr.Cause.ChangedBy
	case pr.RunKind == store.RunFull:
		return tByFullRead
	}
	return "-"
}

func (p *pendingPage) View() string {
	return p.dismiss.View(p.listView)
}

func (p *pendingPage) listView() string {
	st := p.c.styles
	head := st.Hint.Render(plural(len(p.proposals), tPendingOne, tPendingMany))
	if p.all {
		head = st.Hint.Render(fmt.Sprintf(tPendingAll, plural(len(p.proposals), tPendingOne, tPendingMany), plural(p.assocs, tAssocCountOne, tAssocCountMany)))
	}
	if len(p.proposals) == 0 {
		return head + "\n" + st.Hint.Render(cell(tNoPending, p.width))
	}
	if p.open != nil {
		return proposalView(st, *p.open, p.width)
	}
	return head + "\n" + p.table.View()
}

// causeText is why an order was proposed: the motive and the change ("Cancelamento: situação
// ATIVO → CANCELADO"), or, for a vehicle that left SGA's list, the change alone, which says
// the motive ("ATIVO → fora da lista do SGA").
func causeText(c store.Cause) string {
	if c.Field == "lista" {
		return fmt.Sprintf(tCauseLeftList, c.Before)
	}
	return fmt.Sprintf(tCauseText, c.Motive, tFieldSituation, c.Before, c.After)
}

// causeWhen is when SGA recorded the change and who made it, when known.
func causeWhen(c store.Cause) string {
	switch {
	case c.ChangedAt.IsZero():
		return ""
	case c.ChangedBy != "":
		return fmt.Sprintf(tCauseWhenBy, c.ChangedAt.Local().Format("02/01/2006 15:04"), c.ChangedBy)
	}
	return c.ChangedAt.Local().Format("02/01/2006 15:04")
}
