package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// contractsPage is "Contratos e OS": contracts with their service orders, newest first.
type contractsPage struct {
	c         *common
	contracts []store.ContractView
	list      *listView
	seq       int
	open      *store.ContractView
	order     store.Order
	width     int
	height    int
}

type (
	contractsLoadedMsg struct {
		seq       int
		contracts []store.ContractView
		err       error
	}
	contractOpenedMsg struct {
		contract store.Contract
		order    store.Order
	}
)

func newContractsPage(c *common) *contractsPage {
	return &contractsPage{c: c, list: newListView(c, column{tContract, 15}, column{tOrder, 16},
		column{tPlate, 8}, column{tClient, 0}, column{tStatus, 7}, column{tCreatedAt, 16}, column{tCreatedBy, 10})}
}

func (p *contractsPage) Title() string { return tPageContracts }

func (p *contractsPage) Init() tea.Cmd { return p.load() }

func (p *contractsPage) Activate() tea.Cmd { return p.load() }

func (p *contractsPage) load() tea.Cmd {
	p.seq++
	seq, q, st := p.seq, p.list.Query(), p.c.st
	return func() tea.Msg {
		cs, err := st.ContractViews(q, 1000)
		return contractsLoadedMsg{seq, cs, err}
	}
}

func (p *contractsPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-1)
}

func (p *contractsPage) Typing() bool { return p.list.Typing() }

func (p *contractsPage) Help() []key.Binding {
	if p.open != nil && !p.list.Typing() {
		return []key.Binding{p.c.keys.Back}
	}
	return p.list.Help()
}

func (p *contractsPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case contractsLoadedMsg:
		if msg.seq != p.seq || msg.err != nil {
			return nil
		}
		p.contracts = msg.contracts
		rows := make([]row, len(p.contracts))
		for i, c := range p.contracts {
			rows[i] = row{cells: []string{c.Number, c.OrderNumber, c.Plate, clientName(c), c.OrderStatus,
				c.CreatedAt.Local().Format("02/01/2006 15:04"), c.CreatedBy}}
		}
		p.list.SetRows(rows)
		return nil
	case contractOpenedMsg:
		cv := store.ContractView{Contract: msg.contract, OrderStatus: msg.order.Status}
		for _, c := range p.contracts {
			if c.Number == cv.Number {
				cv.ClientName = c.ClientName
			}
		}
		p.open, p.order = &cv, msg.order
		return nil
	case dataChangedMsg:
		return p.load()
	case tea.KeyPressMsg:
		if p.open != nil {
			if key.Matches(msg, p.c.keys.Back) {
				p.open = nil
			}
			return nil
		}
		return p.act(p.list.Key(msg))
	case tea.PasteMsg:
		return p.act(p.list.Paste(msg))
	}
	return nil
}

// clientName is the contract's client as people know them: the name, else the SGA code.
func clientName(c store.ContractView) string {
	if c.ClientName != "" {
		return c.ClientName
	}
	return fmt.Sprint(c.ClientSGACode)
}

func (p *contractsPage) act(a listAction, cmd tea.Cmd) tea.Cmd {
	switch a {
	case listQuery:
		return tea.Batch(cmd, p.load())
	case listOpen:
		number, st := p.contracts[p.list.Cursor()].Number, p.c.st
		return func() tea.Msg {
			c, o, err := st.Contract(number)
			if err != nil {
				return toastMsg{false, tLoadFailed}
			}
			return contractOpenedMsg{c, o}
		}
	}
	return cmd
}

func (p *contractsPage) View() string {
	st := p.c.styles
	if p.open != nil {
		c, o := p.open, p.order
		var b strings.Builder
		b.WriteString(st.Title.Render(tContract+" "+c.Number) + "\n\n")
		b.WriteString(fields(st, 18, p.width, [][2]string{{tClient, fmt.Sprintf("%s (%s %d)", clientName(*c), tSGACode, c.ClientSGACode)},
			{tVehicle, fmt.Sprintf("%s (%s %d)", c.Plate, tSGACode, c.VehicleSGACode)},
			{tCreatedAt, c.CreatedAt.Local().Format("02/01/2006 15:04:05")}, {tCreatedBy, c.CreatedBy}}))
		b.WriteString("\n" + st.Title.Render(tOrder+" "+o.Number) + "\n\n")
		b.WriteString(fields(st, 18, p.width, [][2]string{{tKind, o.Kind}, {tStatus, o.Status}, {tContract, o.ContractNumber}}))
		return b.String()
	}
	return p.list.View(tNoContracts, "")
}
