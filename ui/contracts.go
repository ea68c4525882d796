package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	open       *orderView
	oseq       int // the newest reading of an order; older answers are dropped
	width      int
	height     int
}

type contractsKeys struct {
	Kind, Status, Defaulted key.Binding
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
		client   string
		err      error
	}
	orderMovedMsg struct {
		order store.Order
		step  store.OrderStep
		err   error
	}
)

// The list's columns by the width they have: the contract's number and the date give way first.
var (
	orderColumnsWide   = []column{{tOrderShort, 14}, {tKind, 12}, {tStatus, 11}, {tContract, 14}, {tSituation, 12}, {tPlate, 7}, {tClient, 0}, {tCreatedAt, 10}}
	orderColumns       = []column{{tOrderShort, 14}, {tKind, 12}, {tStatus, 11}, {tSituation, 12}, {tPlate, 7}, {tClient, 0}, {tCreatedAt, 10}}
	orderColumnsNarrow = []column{{tOrderShort, 14}, {tKind, 12}, {tStatus, 11}, {tSituation, 12}, {tPlate, 7}, {tClient, 0}}
)

// columnsFor picks the columns for a width.
func columnsFor(width int) []column {
	switch {
	case width >= 110:
		return orderColumnsWide
	case width >= 96:
		return orderColumns
	}
	return orderColumnsNarrow
}

func newContractsPage(c *common) *contractsPage {
	return &contractsPage{c: c, list: newListView(c, orderColumnsNarrow...),
		keys: contractsKeys{
			Kind:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", tFilterKind)),
			Status:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", tFilterStatus)),
			Defaulted: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", tFilterDefaulted)),
		}}
}

func (p *contractsPage) Title() string { return tPageContracts }

func (p *contractsPage) Init() tea.Cmd { return p.load() }

func (p *contractsPage) Activate() tea.Cmd {
	if p.open != nil {
		return tea.Batch(p.load(), p.reloadOrder())
	}
	return p.load()
}

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
	if len(columnsFor(w)) != len(columnsFor(p.width)) || p.width == 0 {
		cursor := p.list.Cursor()
		p.list.SetColumns(columnsFor(w)...)
		p.width = w
		p.rows()
		p.list.table.SetCursor(cursor)
	}
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
}

// rows lists the orders in the columns the width allows.
func (p *contractsPage) rows() {
	cols := columnsFor(p.width)
	rows := make([]row, len(p.orders))
	for i, o := range p.orders {
		cells := []string{o.Number, o.Kind, o.Status}
		if len(cols) == len(orderColumnsWide) {
			cells = append(cells, o.ContractNumber)
		}
		cells = append(cells, contractState(o.ContractState, o.Delinquent), o.Plate, clientName(o.ClientName, o.ClientSGACode))
		if len(cols) > len(orderColumnsNarrow) {
			cells = append(cells, o.CreatedAt.Local().Format("02/01/2006"))
		}
		rows[i] = row{cells: cells, disabled: store.OrderFinal(o.Status)}
	}
	p.list.SetRows(rows)
}

func (p *contractsPage) Typing() bool {
	if p.open != nil {
		return p.open.Typing()
	}
	return p.list.Typing()
}

// Claims gives x to an open order: it cancels the order there.
func (p *contractsPage) Claims() []string {
	if p.open != nil {
		return []string{"x"}
	}
	return nil
}

func (p *contractsPage) Help() []key.Binding {
	if p.open != nil {
		return p.open.Help()
	}
	if p.list.Typing() {
		return p.list.Help()
	}
	k := p.keys
	return append(p.list.Help(), k.Kind, k.Status, k.Defaulted)
}

func (p *contractsPage) Update(msg tea.Msg) tea.Cmd {
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
		if msg.seq != p.oseq || (!msg.open && p.open == nil) {
			return nil // overtaken by a newer reading, or the order was closed meanwhile
		}
		if msg.err != nil {
			p.c.svc.Logger.Error("open order", "err", msg.err)
			return toast(false, "%s", tLoadFailed)
		}
		if p.open == nil || p.open.order.Number != msg.order.Number {
			p.open = newOrderView(p.c)
		}
		p.open.show(msg)
		return nil
	case dataChangedMsg:
		if p.open != nil {
			return tea.Batch(p.load(), p.reloadOrder())
		}
		return p.load()
	case orderMovedMsg:
		if p.open == nil {
			return nil
		}
		p.oseq++ // a reading asked before the step would show the order as it was
		if msg.err != nil {
			return tea.Batch(p.open.moved(msg), p.reloadOrder())
		}
		return p.open.moved(msg)
	case tea.PasteMsg:
		if p.open != nil {
			return p.open.paste(msg)
		}
		return p.act(p.list.Paste(msg))
	case tea.KeyPressMsg:
		if p.open != nil {
			cmd, back := p.open.key(msg)
			if back {
				p.open = nil
				return p.load()
			}
			return cmd
		}
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

func (p *contractsPage) View() string {
	if p.open != nil {
		return p.open.View(p.width)
	}
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

// orderView is one service order: its contract, why it exists, its visit, contact attempts
// and life, with the keys that move it on.
type orderView struct {
	c        *common
	order    store.Order
	contract store.Contract
	client   string
	form     *form
	choosing bool // the contact attempt's outcome, by its number
	keys     orderKeys
}

type orderKeys struct {
	Schedule, Contact, Start, Finish, Cancel key.Binding
}

func newOrderView(c *common) *orderView {
	return &orderView{c: c, keys: orderKeys{
		Schedule: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", tSchedule)),
		Contact:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", tContact)),
		Start:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", tStart)),
		Finish:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", tFinish)),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", tCancelOrder)),
	}}
}

// reload reads the order again: another session may have moved it.
// reloadOrder reads the order in view again: another session may have moved it.
func (p *contractsPage) reloadOrder() tea.Cmd {
	p.oseq++
	return loadOrder(p.c.st, p.open.order.Number, p.oseq, false)
}

// loadOrder reads an order, its contract and its client's name.
func loadOrder(st *store.Store, number string, seq int, open bool) tea.Cmd {
	return func() tea.Msg {
		o, c, err := st.Order(number)
		if err != nil {
			return orderOpenedMsg{seq: seq, open: open, err: err}
		}
		var name string
		if cl, err := st.ClientByCode(o.ClientSGACode); err == nil {
			name = cl.Name
		}
		return orderOpenedMsg{seq: seq, open: open, order: o, contract: c, client: name}
	}
}

func (v *orderView) show(msg orderOpenedMsg) {
	v.order, v.contract, v.client = msg.order, msg.contract, msg.client
}

func (v *orderView) Typing() bool { return v.form != nil || v.choosing }

func (v *orderView) updateKeys() {
	s := v.order.Status
	v.keys.Schedule.SetEnabled(store.CanStep(s, store.OrderStatusScheduled))
	v.keys.Contact.SetEnabled(s == store.OrderStatusOpen || s == store.OrderStatusScheduled)
	v.keys.Start.SetEnabled(store.CanStep(s, store.OrderStatusRunning))
	v.keys.Finish.SetEnabled(store.CanStep(s, store.OrderStatusDone))
	v.keys.Cancel.SetEnabled(store.CanStep(s, store.OrderStatusCancelled))
}

func (v *orderView) Help() []key.Binding {
	if v.form != nil {
		return v.form.Help()
	}
	if v.choosing {
		return []key.Binding{v.c.keys.Back}
	}
	v.updateKeys()
	k := v.keys
	return []key.Binding{k.Schedule, k.Contact, k.Start, k.Finish, k.Cancel, v.c.keys.Back}
}

func (v *orderView) paste(msg tea.PasteMsg) tea.Cmd {
	if v.form != nil {
		return v.form.paste(msg)
	}
	return nil
}

// step moves the order in a command.
func (v *orderView) step(s store.OrderStep) tea.Cmd {
	number, st, actor := v.order.Number, v.c.st, v.c.actor
	return func() tea.Msg {
		o, err := st.AdvanceOrder(number, s, actor)
		return orderMovedMsg{order: o, step: s, err: err}
	}
}

// moved shows what a step did.
func (v *orderView) moved(msg orderMovedMsg) tea.Cmd {
	if msg.err != nil {
		if errors.Is(msg.err, store.ErrBadStep) {
			return toast(false, tBadStep, v.order.Number, v.order.Status, msg.step.To)
		}
		v.c.svc.Logger.Error("order step", "order", v.order.Number, "err", msg.err)
		return toast(false, "%s", tSaveFailed)
	}
	v.order = msg.order // the step's answer is the order as it is now
	say := toast(true, tOrderMoved, msg.order.Number, msg.order.Status)
	if msg.step.To == "" && msg.step.Attempt != nil {
		say = toast(true, tContactSaved, msg.step.Attempt.Outcome)
	}
	return tea.Batch(say, changed)
}

// key handles a key: the command it asks for, and whether the view is to close.
func (v *orderView) key(msg tea.KeyPressMsg) (cmd tea.Cmd, back bool) {
	if v.form != nil {
		cmd, closed := v.form.key(msg)
		if closed {
			v.form = nil
		}
		return cmd, false
	}
	if v.choosing {
		if len(msg.Text) == 1 && msg.Text[0] >= '1' && int(msg.Text[0]-'0') <= len(store.ContactOutcomes) {
			v.choosing = false
			outcome := store.ContactOutcomes[msg.Text[0]-'1']
			return v.step(store.OrderStep{Attempt: &store.ContactAttempt{Outcome: outcome}}), false
		}
		v.choosing = !key.Matches(msg, v.c.keys.Back)
		return nil, false
	}
	v.updateKeys()
	k, o := v.keys, v.order
	switch {
	case key.Matches(msg, v.c.keys.Back):
		return nil, true
	case key.Matches(msg, k.Schedule):
		date, hour, tech := "", "", ""
		if o.Visit != nil {
			at := o.Visit.At.Local()
			date, hour, tech = at.Format("02/01/2006"), at.Format("15:04"), o.Visit.Technician
		}
		v.form = newForm(v.c, fmt.Sprintf(tScheduleTitle, o.Number), tScheduleHint, tScheduleButton, v.schedule,
			field{label: tDate, limit: 10, placeholder: tDatePlaceholder, value: date},
			field{label: tHour, limit: 5, placeholder: tHourPlaceholder, value: hour},
			field{label: tTechnician, limit: 60, value: tech})
		return v.form.focus(), false
	case key.Matches(msg, k.Contact):
		v.choosing = true
	case key.Matches(msg, k.Start):
		return ask(fmt.Sprintf(tConfirmStart, o.Number), v.step(store.OrderStep{To: store.OrderStatusRunning})), false
	case key.Matches(msg, k.Finish):
		q := fmt.Sprintf(tConfirmFinish, o.Number)
		if o.Kind == store.OrderKindRemoval {
			q = fmt.Sprintf(tConfirmFinishOut, o.Number, o.ContractNumber)
		}
		return ask(q, v.step(store.OrderStep{To: store.OrderStatusDone})), false
	case key.Matches(msg, k.Cancel):
		v.form = newForm(v.c, fmt.Sprintf(tCancelTitle, o.Number), tCancelHint, tCancelButton, func(vals []string) ([]string, tea.Cmd) {
			if vals[0] == "" {
				return []string{tReasonRequired}, nil
			}
			return nil, v.step(store.OrderStep{To: store.OrderStatusCancelled, Note: vals[0]})
		}, field{label: tReason, limit: 200})
		return v.form.focus(), false
	}
	return nil, false
}

// schedule checks the scheduling form and schedules.
func (v *orderView) schedule(vals []string) ([]string, tea.Cmd) {
	errs := make([]string, 3)
	day, errDay := time.ParseInLocation("02/01/2006", vals[0], time.Local)
	hour, errHour := time.Parse("15:04", vals[1])
	if errDay != nil {
		errs[0] = tBadDate
	}
	if errHour != nil {
		errs[1] = tBadTime
	}
	if vals[2] == "" {
		errs[2] = tNeedTechnician
	}
	if errDay != nil || errHour != nil || vals[2] == "" {
		return errs, nil
	}
	at := day.Add(time.Duration(hour.Hour())*time.Hour + time.Duration(hour.Minute())*time.Minute)
	return nil, v.step(store.OrderStep{To: store.OrderStatusScheduled, Visit: &store.Visit{At: at, Technician: vals[2]}})
}

func (v *orderView) View(width int) string {
	if v.form != nil {
		return v.form.View(width)
	}
	st := v.c.styles
	o, c := v.order, v.contract
	var b strings.Builder
	b.WriteString(st.Title.Render(tOrder+" "+o.Number) + "\n\n")
	pairs := [][2]string{{tKind, o.Kind}, {tStatus, o.Status},
		{tContract, o.ContractNumber + " · " + contractState(c.State(), c.Delinquent)},
		{tClient, fmt.Sprintf("%s (%s %d)", clientName(v.client, o.ClientSGACode), tSGACode, o.ClientSGACode)},
		{tVehicle, fmt.Sprintf("%s (%s %d)", o.Plate, tSGACode, o.VehicleSGACode)}}
	if o.Cause != nil {
		pairs = append(pairs, [2]string{tMotive, causeText(*o.Cause)})
		if when := causeWhen(*o.Cause); when != "" {
			pairs = append(pairs, [2]string{tInSGA, when})
		}
	}
	if o.Visit != nil {
		pairs = append(pairs, [2]string{tVisit, fmt.Sprintf(tVisitText, o.Visit.At.Local().Format("02/01/2006 15:04"), o.Visit.Technician)})
	}
	if o.CancelReason != "" {
		pairs = append(pairs, [2]string{tCancelledBecause, o.CancelReason})
	}
	b.WriteString(fields(st, 18, width, pairs))
	if v.choosing {
		b.WriteString("\n" + st.Title.Render(tContactTitle) + "\n")
		for i, out := range store.ContactOutcomes {
			b.WriteString(fmt.Sprintf("  %d  %s\n", i+1, out))
		}
		b.WriteString(st.Hint.Render(fmt.Sprintf(tContactHint, len(store.ContactOutcomes))) + "\n")
		return b.String()
	}
	b.WriteString("\n" + st.Label.Render(tAttempts) + "\n")
	if len(o.Attempts) == 0 {
		b.WriteString(st.Hint.Render("  "+tNoAttempts) + "\n")
	}
	for _, a := range o.Attempts {
		line := fmt.Sprintf("  %s  %s, %s", a.At.Local().Format("02/01/2006 15:04"), a.Outcome, a.By)
		if a.Note != "" {
			line += " · " + a.Note
		}
		b.WriteString(cell(line, width) + "\n")
	}
	b.WriteString("\n" + st.Label.Render(tHistory) + "\n")
	for _, e := range o.Life() {
		line := "  " + fmt.Sprintf(tHistoryLine, e.At.Local().Format("02/01/2006 15:04"), e.Status, e.By)
		if e.Note != "" {
			line += " · " + e.Note
		}
		b.WriteString(cell(line, width) + "\n")
	}
	return b.String()
}
