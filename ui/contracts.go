package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"ponte/store"
)

// contractsPage is "Contratos e OS": contracts with their service orders, newest first.
type contractsPage struct {
	c         *common
	contracts []store.ContractView
	list      *table
	search    searchBox
	seq       int
	open      *store.Contract
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
	return &contractsPage{c: c, search: newSearchBox(c), list: newTable(c, column{tContract, 15}, column{tOrder, 16},
		column{tPlate, 9}, column{tClient, 9}, column{tStatus, 8}, column{tCreatedAt, 16}, column{tCreatedBy, 0})}
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
	k := p.c.keys
	if p.search.typing || p.open != nil {
		return []key.Binding{k.Back}
	}
	open := k.Open
	open.SetEnabled(len(p.contracts) > 0)
	return []key.Binding{k.Filter, open, k.Up, k.Down}
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
			rows[i] = row{cells: []string{c.Number, c.OrderNumber, c.Plate, fmt.Sprint(c.ClientSGACode), c.OrderStatus,
				c.CreatedAt.Local().Format("02/01/2006 15:04"), c.CreatedBy}}
		}
		p.list.SetRows(rows)
		return nil
	case contractOpenedMsg:
		p.open, p.order = &msg.contract, msg.order
		return nil
	case dataChangedMsg:
		return p.load()
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *contractsPage) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys
	if p.search.typing {
		changed, cmd := p.search.Key(msg)
		if changed {
			return tea.Batch(cmd, p.load())
		}
		return cmd
	}
	if p.open != nil {
		if key.Matches(msg, k.Back) {
			p.open = nil
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Filter):
		return p.search.Start()
	case key.Matches(msg, k.Back) && p.search.Clear():
		return p.load()
	case key.Matches(msg, k.Open) && len(p.contracts) > 0:
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
		for _, kv := range [][2]string{{tClient, fmt.Sprint(c.ClientSGACode)}, {tVehicle, fmt.Sprintf("%d %s", c.VehicleSGACode, c.Plate)},
			{tCreatedAt, c.CreatedAt.Local().Format("02/01/2006 15:04:05")}, {tCreatedBy, c.CreatedBy}} {
			b.WriteString(st.Label.Render(cell(kv[0], 18)) + kv[1] + "\n")
		}
		b.WriteString("\n" + st.Title.Render(tOrder+" "+o.Number) + "\n\n")
		for _, kv := range [][2]string{{tKind, o.Kind}, {tStatus, o.Status}, {tContract, o.ContractNumber}} {
			b.WriteString(st.Label.Render(cell(kv[0], 18)) + kv[1] + "\n")
		}
		return b.String()
	}
	head := p.search.View(st)
	if len(p.contracts) == 0 {
		if p.search.Value() != "" {
			return head + "\n" + st.Hint.Render(fmt.Sprintf(tNoMatch, p.search.Value()))
		}
		return head + "\n" + st.Hint.Render(tNoContracts)
	}
	return head + "\n" + p.list.View()
}
