package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// contractsPage is "Contratos e OS": the service orders, newest first, each with its contract,
// filtered by kind, status and defaulting contracts; enter opens an order and its life.
type contractsPage struct {
	c          *common
	orders     []store.OrderView
	list       *listView
	seq        int
	kind       string // "" every kind
	status     string // "" every status
	defaulting bool   // only orders of contracts marked INADIMPLENTE
	keys       contractsKeys
	detail     withDetail[*orderView] // the order open, in the list's place
	oseq       int                    // the newest reading of an order; older answers are dropped
}

type (
	ordersLoadedMsg struct {
		seq    int
		orders []store.OrderView
		err    error
	}
	orderOpenedMsg struct {
		seq      int  // the newest reading of an order wins
		open     bool // asked to open it (else a reload of the order in view)
		order    store.Order
		contract store.Contract
		client   store.Client // a zero Client when no longer in the register
		err      error
	}
	orderMovedMsg struct {
		order store.Order
		step  store.OrderStep
		err   error
	}
)

// The list's columns: when the width is short, the date gives way first, then the contract's
// state (the order's and the contract's numbers are never cut: they are what an operator
// reads out).
var orderColumns = []column{{tOrderShort, 14}, {tKind, 12}, {tStatus, 11}, {tContract, 14}, {tSituation, 12}, {tPlate, 7}, {tClient, 0}, {tCreatedAt, 10}}

func newContractsPage(c *common) *contractsPage {
	list := newListView(c, orderColumns...)
	list.search.SetHint(tOrderSearchHint)
	list.table.Optional(tCreatedAt)
	list.table.GiveWay(tSituation)
	p := &contractsPage{c: c, list: list, keys: newContractsKeys()}
	p.detail = newDetail(c, func(*orderView) tea.Cmd { return p.reloadOrder() })
	p.detail.closed = p.load // back on the list, it shows what the order's steps changed
	return p
}

func (p *contractsPage) Title() string { return tPageContracts }

func (p *contractsPage) Init() tea.Cmd { return p.load() }

func (p *contractsPage) Activate() tea.Cmd { return p.detail.Reload(p.load()) }

func (p *contractsPage) load() tea.Cmd {
	p.seq++
	seq, st := p.seq, p.c.st
	f := store.OrderFilter{Query: p.list.Query(), Kind: p.kind, Status: p.status}
	defaulting := p.defaulting
	return func() tea.Msg {
		os, err := st.OrderViews(f, 0)
		if defaulting {
			os = slices.DeleteFunc(os, func(o store.OrderView) bool { return !o.Delinquent })
		}
		if len(os) > 1000 {
			os = os[:1000]
		}
		return ordersLoadedMsg{seq, os, err}
	}
}

func (p *contractsPage) SetSize(w, h int) {
	p.list.SetSize(w, h-1)
	p.detail.SetSize(w, h)
}

// rows lists the orders.
func (p *contractsPage) rows() {
	rows := make([]row, len(p.orders))
	for i, o := range p.orders {
		cells := []string{o.Number, o.Kind, o.Status, o.ContractNumber, contractState(o.ContractState, o.Delinquent), o.Plate,
			clientName(o.ClientName, o.ClientSGACode), o.CreatedAt.Local().Format("02/01/2006")}
		rows[i] = row{key: fmt.Sprintf("%d/%s", o.Association, o.Number), cells: cells, disabled: store.OrderFinal(o.Status)}
	}
	p.list.SetRows(rows)
}

func (p *contractsPage) Typing() bool { return p.detail.Typing(p.list.Typing()) }

func (p *contractsPage) Moves() []key.Binding { return p.detail.Moves(p.list.Moves) }

// Claims gives x to an open order: it cancels the order there.
func (p *contractsPage) Claims() []key.Binding {
	if v, ok := p.detail.Get(); ok {
		return []key.Binding{v.keys.Cancel}
	}
	return nil
}

func (p *contractsPage) Help() []key.Binding {
	return p.detail.Help(func() []key.Binding {
		if p.list.Typing() {
			return p.list.Help()
		}
		k := p.keys
		return append(p.list.Help(), k.Kind, k.Status, k.Defaulted)
	})
}

// Update hands keys and pastes to the open order, else to the list (withDetail).
func (p *contractsPage) Update(msg tea.Msg) tea.Cmd { return p.detail.Update(msg, p.update) }

func (p *contractsPage) update(msg tea.Msg) tea.Cmd {
	open, isOpen := p.detail.Get()
	switch msg := msg.(type) {
	case ordersLoadedMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			p.c.svc.Logger.Error("list orders", "err", msg.err)
			return toast(false, "%s", tLoadFailed)
		}
		p.orders = msg.orders
		p.rows()
		return nil
	case orderOpenedMsg:
		if msg.seq != p.oseq || (!msg.open && !isOpen) {
			return nil // overtaken by a newer reading, or the order was closed meanwhile
		}
		if msg.err != nil {
			p.c.svc.Logger.Error("open order", "err", msg.err)
			return toast(false, "%s", tLoadFailed)
		}
		if !isOpen || open.order.Number != msg.order.Number {
			open = newOrderView(p.c)
			p.detail.Open(open)
		}
		open.show(msg)
		return nil
	case dataChangedMsg:
		return p.detail.Reload(p.load())
	case orderMovedMsg:
		if !isOpen {
			return nil
		}
		p.oseq++ // a reading asked before the step would show the order as it was
		if msg.err != nil {
			return tea.Batch(open.moved(msg), p.reloadOrder())
		}
		return open.moved(msg)
	case tea.PasteMsg:
		return p.act(p.list.Paste(msg))
	case tea.KeyPressMsg:
		if !p.list.Typing() {
			switch k := p.keys; {
			case key.Matches(msg, k.Kind):
				p.kind = cycle(store.OrderKinds, p.kind)
				p.list.Restart()
				return p.load()
			case key.Matches(msg, k.Status):
				p.status = cycle(store.OrderStatuses, p.status)
				p.list.Restart()
				return p.load()
			case key.Matches(msg, k.Defaulted):
				p.defaulting = !p.defaulting
				p.list.Restart()
				return p.load()
			}
		}
		return p.act(p.list.Key(msg))
	}
	return nil
}

// cycle is the value after v in all, with "" (every one) before the first and after the last.
func cycle(all []string, v string) string {
	i := slices.Index(all, v)
	if i+1 >= len(all) {
		return ""
	}
	return all[i+1]
}

// clientName is a client as people know them: the name, else the SGA code.
func clientName(name string, code int64) string {
	if name != "" {
		return name
	}
	return fmt.Sprint(code)
}

// contractState is how a list shows a contract: Ativo, Encerrado, or Inadimplente.
func contractState(state string, delinquent bool) string {
	if state == store.ContractActive && delinquent {
		return tContractDefaulted
	}
	return state
}

func (p *contractsPage) act(a listAction, cmd tea.Cmd) tea.Cmd {
	switch a {
	case listQuery:
		return tea.Batch(cmd, p.load())
	case listOpen:
		p.oseq++
		return loadOrder(p.c.st, p.orders[p.list.Cursor()].Number, p.oseq, true)
	}
	return cmd
}

func (p *contractsPage) View() string { return p.detail.View(p.listView) }

func (p *contractsPage) listView() string {
	kind, status := p.kind, p.status
	if kind == "" {
		kind = tAll
	}
	if status == "" {
		status = tAll
	}
	note := fmt.Sprintf(tFilterNote, kind, status)
	if p.defaulting {
		note += tFilterDefaultNote
	}
	empty := tNoOrders
	if p.kind != "" || p.status != "" || p.defaulting {
		empty = tNoOrdersFiltered
	}
	return p.list.View(empty, p.c.styles.Hint.Render(note))
}

// reloadOrder reads the order in view again: another session may have moved it.
func (p *contractsPage) reloadOrder() tea.Cmd {
	p.oseq++
	open, _ := p.detail.Get()
	return loadOrder(p.c.st, open.order.Number, p.oseq, false)
}

// loadOrder reads an order, its contract and its client.
func loadOrder(st store.ContractStore, number string, seq int, open bool) tea.Cmd {
	return func() tea.Msg {
		o, c, err := st.Order(number)
		if err != nil {
			return orderOpenedMsg{seq: seq, open: open, err: err}
		}
		cl, err := st.OrderClient(o)
		if err != nil {
			return orderOpenedMsg{seq: seq, open: open, err: err}
		}
		return orderOpenedMsg{seq: seq, open: open, order: o, contract: c, client: cl}
	}
}
