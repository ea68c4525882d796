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
	keys      listKeys
	contracts []store.ContractView
	list      *table
	search    searchBox
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
	return &contractsPage{c: c, keys: newListKeys(c), search: newSearchBox(c), list: newTable(c, column{tContract, 15}, column{tOrder, 16},
		column{tPlate, 8}, column{tClient, 0}, column{tStatus, 7}, column{tCreatedAt, 16}, column{tCreatedBy, 10})}
}

func (p *contractsPage) Title() string { return tPageContracts }

func (p *contractsPage) Init() tea.Cmd { return p.load() }

func (p *contractsPage) Activate() tea.Cmd { return p.load() }

func (p *contractsPage) load() tea.Cmd {
	p.seq++
	seq, q, st := p.seq, p.search.Value(), p.c.svc.Store
	return func() tea.Msg {
		cs, err := st.ContractViews(q, 1000)
		return contractsLoadedMsg{seq, cs, err}
	}
}

func (p *contractsPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.list.SetSize(w, h-2)
}

func (p *contractsPage) Typing() bool { return p.search.typing }

func (p *contractsPage) Help() []key.Binding {
	switch {
	case p.search.typing:
		return p.search.Help()
	case p.open != nil:
		return []key.Binding{p.c.keys.Back}
	}
	p.keys.update(len(p.contracts) > 0, p.search.Value() != "")
	return p.keys.help()
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
		return p.key(msg)
	case tea.PasteMsg:
		if p.search.typing {
			if changed, cmd := p.search.Paste(msg); changed {
				return tea.Batch(cmd, p.load())
			}
		}
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

func (p *contractsPage) key(msg tea.KeyPressMsg) tea.Cmd {
	p.keys.update(len(p.contracts) > 0, p.search.Value() != "")
	k := p.keys
	if p.search.typing {
		changed, cmd := p.search.Key(msg)
		if changed {
			return tea.Batch(cmd, p.load())
		}
		return cmd
	}
	if p.open != nil {
		if key.Matches(msg, p.c.keys.Back) {
			p.open = nil
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		dropped, cmd := p.search.Start()
		if dropped {
			return tea.Batch(cmd, p.load())
		}
		return cmd
	case key.Matches(msg, k.Clear):
		p.search.Clear()
		return p.load()
	case key.Matches(msg, k.Open):
		number, st := p.contracts[p.list.Cursor()].Number, p.c.svc.Store
		return func() tea.Msg {
			c, o, err := st.Contract(number)
			if err != nil {
				return toastMsg{false, tLoadFailed}
			}
			return contractOpenedMsg{c, o}
		}
	}
	p.list.Update(msg)
	return nil
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
	head := p.search.View()
	if len(p.contracts) == 0 {
		if p.search.Value() != "" {
			return head + "\n" + st.Hint.Render(fmt.Sprintf(tNoMatch, p.search.Value()))
		}
		return head + "\n" + st.Hint.Render(tNoContracts)
	}
	return head + "\n" + p.list.View()
}
