package ui

import (
	"errors"
	"fmt"
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
	proposals []store.Proposal
	ticked    map[uint64]bool
	all       bool
	assocs    int
	seq       int
	dismiss   *form
	keys      pendingKeys
	width     int
	height    int
}

type pendingKeys struct {
	Tick, TickAll, Generate, Dismiss, All key.Binding
}

type (
	pendingLoadedMsg struct {
		seq       int
		proposals []store.Proposal
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

// The list's columns: what a proposal is, what changed, when and by whom; the contract, the
// association (when all are shown) and the SGA user as the width allows.
const (
	colContract = iota
	colAssoc
	colBy
)

type pendingColumn struct {
	column
	only int // -1: always shown; else the col* it is
}

var pendingAll = []pendingColumn{
	{column{"", 3}, -1}, {column{tAssociation, 14}, colAssoc}, {column{tKind, 12}, -1}, {column{tPlate, 7}, -1},
	{column{tContract, 14}, colContract}, {column{tMotive, 12}, -1}, {column{tChange, 22}, -1}, {column{tWhen, 11}, -1},
	{column{tChangedBy, 0}, colBy},
}

// shown says which optional columns a width and the toggle allow.
func (p *pendingPage) shown() map[int]bool {
	return map[int]bool{colAssoc: p.all, colContract: p.width >= 120 || (!p.all && p.width >= 110),
		colBy: p.width >= 96}
}

func newPendingPage(c *common) *pendingPage {
	p := &pendingPage{c: c, table: newTable(c), ticked: map[uint64]bool{}, keys: pendingKeys{
		Tick:     c.keys.Tick,
		TickAll:  c.keys.TickAll,
		Generate: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", tGenerate)),
		Dismiss:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", tDismiss)),
		All:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", tShowAll)),
	}}
	k := p.keys
	p.table.Yield(k.Tick, k.TickAll, k.Generate, k.Dismiss, k.All) // g is gerar ordens here; home is início
	return p
}

// Moves is the keys that move the list: início is home only, g generates.
func (p *pendingPage) Moves() []key.Binding { return p.table.Moves() }

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
		ps, err := st.Proposals(store.ProposalFilter{Status: store.ProposalPending}, 0)
		return pendingLoadedMsg{seq: seq, proposals: ps, assocs: len(assocs), err: err}
	}
}

func (p *pendingPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, h-1)
	p.rows()
}

func (p *pendingPage) Typing() bool { return p.dismiss != nil }

// Claims says which of the root's keys the page takes for its own: x dismisses here.
func (p *pendingPage) Claims() []string { return []string{"x"} }

func (p *pendingPage) updateKeys() {
	has := len(p.proposals) > 0
	for _, b := range []*key.Binding{&p.keys.Tick, &p.keys.TickAll, &p.keys.Generate, &p.keys.Dismiss} {
		b.SetEnabled(has)
	}
	p.keys.All.SetEnabled(p.assocs > 1)
	if p.all {
		p.keys.All.SetHelp("t", tShowOne)
	} else {
		p.keys.All.SetHelp("t", tShowAll)
	}
}

func (p *pendingPage) Help() []key.Binding {
	if p.dismiss != nil {
		return p.dismiss.Help()
	}
	p.updateKeys()
	k := p.keys
	return []key.Binding{k.Tick, k.TickAll, k.Generate, k.Dismiss, k.All}
}

func (p *pendingPage) Update(msg tea.Msg) tea.Cmd {
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
	case tea.PasteMsg:
		if p.dismiss != nil {
			return p.dismiss.paste(msg)
		}
	case tea.KeyPressMsg:
		if p.dismiss != nil {
			cmd, closed := p.dismiss.key(msg)
			if closed {
				p.dismiss = nil
			}
			return cmd
		}
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
		p.table.Update(msg)
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
	p.dismiss = newForm(p.c, fmt.Sprintf(tDismissTitle, plural(len(chosen), tPendingOne, tPendingMany)), tDismissHint, tDismissButton,
		func(v []string) ([]string, tea.Cmd) {
			if v[0] == "" {
				return []string{tReasonRequired}, nil
			}
			return nil, func() tea.Msg {
				return proposalsDismissedMsg{len(ids), st.DismissProposals(ids, v[0], actor)}
			}
		}, field{label: tReason, limit: 200})
	return p.dismiss.focus()
}

// chosen are the ticked proposals, or the one under the cursor when none is ticked.
func (p *pendingPage) chosen() []store.Proposal {
	var out []store.Proposal
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

func (p *pendingPage) current() (store.Proposal, bool) {
	if len(p.proposals) == 0 {
		return store.Proposal{}, false
	}
	return p.proposals[p.table.Cursor()], true
}

// Ticked is how many proposals are ticked, for the status bar.
func (p *pendingPage) Ticked() int { return len(p.ticked) }

func idsOf(ps []store.Proposal) []uint64 {
	ids := make([]uint64, len(ps))
	for i, pr := range ps {
		ids[i] = pr.ID
	}
	return ids
}

// kindsOf says how many of each kind: "2 Retirada, 1 Reinstalação".
func kindsOf(ps []store.Proposal) string {
	var parts []string
	for _, kind := range store.OrderKinds {
		n := 0
		for _, pr := range ps {
			if pr.Kind == kind {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf(tKindCount, n, kind))
		}
	}
	return strings.Join(parts, ", ")
}

// rows lays the proposals out in the columns the width allows.
func (p *pendingPage) rows() {
	shown := p.shown()
	var cols []column
	for _, c := range pendingAll {
		if c.only < 0 || shown[c.only] {
			cols = append(cols, c.column)
		}
	}
	p.table.cols = cols
	rows := make([]row, len(p.proposals))
	for i, pr := range p.proposals {
		box := tickBox(p.ticked[pr.ID])
		when := "-"
		if !pr.Cause.ChangedAt.IsZero() {
			when = pr.Cause.ChangedAt.Local().Format("02/01 15:04")
		}
		all := map[int]string{colAssoc: pr.AssociationSlug, colContract: pr.Contract, colBy: pr.Cause.ChangedBy}
		values := []string{box, "", pr.Kind, pr.Plate, "", pr.Cause.Motive, fmt.Sprintf(tChangeText, pr.Cause.Before, pr.Cause.After), when, ""}
		var cells []string
		for j, c := range pendingAll {
			switch {
			case c.only < 0:
				cells = append(cells, values[j])
			case shown[c.only]:
				cells = append(cells, all[c.only])
			}
		}
		rows[i] = row{cells: cells}
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

func (p *pendingPage) View() string {
	st := p.c.styles
	if p.dismiss != nil {
		return p.dismiss.View(p.width)
	}
	head := st.Hint.Render(plural(len(p.proposals), tPendingOne, tPendingMany))
	if p.all {
		head = st.Hint.Render(fmt.Sprintf(tPendingAll, p.assocs))
	}
	if len(p.proposals) == 0 {
		return head + "\n" + st.Hint.Render(cell(tNoPending, p.width))
	}
	return head + "\n" + p.table.View()
}

// causeText is why an order was proposed: the motive and the change.
func causeText(c store.Cause) string {
	field := tFieldSituation
	if c.Field == "lista" {
		field = tFieldList
	}
	return fmt.Sprintf(tCauseText, c.Motive, field, c.Before, c.After)
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
