package ui

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
	"ponte/store/norm"
)

// clientsPage is "Clientes": the list with search, and a client with its tabs.
type clientsPage struct {
	c      *common
	list   *listView
	all    bool // search every association the administrator may see
	assocs int  // how many they may see: the toggle is offered when more than one
	toggle key.Binding
	seq    int // the newest search; older results are dropped
	page   store.ClientsPage
	paging bool // a further page is being read
	err    error
	detail withDetail[*clientView] // the client open, in the list's place
}

type clientsLoadedMsg struct {
	seq    int
	page   store.ClientsPage
	more   bool // a further page of the unfiltered list, to append
	assocs int  // associations the administrator may see
	err    error
}

// openClientMsg opens a client on Clientes (after a switch to its association).
type openClientMsg struct{ client store.Client }

// The list's columns: one association's clients, or every association's with their own (the
// city gives way first on narrow terminals).
var (
	clientColumns    = []column{{tName, 0}, {tCPF, 14}, {tCity, 22}, {tSituation, 12}}
	clientAllColumns = []column{{tName, 0}, {tAssociation, 16}, {tCPF, 14}, {tCity, 18}, {tSituation, 12}}
)

func newClientsPage(c *common) *clientsPage {
	list := newListView(c, clientColumns...)
	list.search.SetHint(tClientSearchHint)
	return &clientsPage{c: c, list: list, toggle: c.keys.AllAssocs, detail: newDetail(c, (*clientView).load)}
}

func (p *clientsPage) Title() string { return tPageClients }

func (p *clientsPage) Init() tea.Cmd { return p.find() }

func (p *clientsPage) Activate() tea.Cmd { return p.detail.Reload(p.find()) }

// find runs the query in a command; results carry their sequence number.
func (p *clientsPage) find() tea.Cmd {
	p.seq++
	seq, q, st, all := p.seq, p.list.Query(), p.c.st, p.all
	p.paging = false
	return func() tea.Msg {
		assocs, err := st.Associations()
		if err != nil {
			return clientsLoadedMsg{seq: seq, err: err}
		}
		var page store.ClientsPage
		if all {
			page, err = st.SearchAll(q, 500)
		} else {
			page, err = st.SearchClients(q, 500)
		}
		return clientsLoadedMsg{seq: seq, page: page, assocs: len(assocs), err: err}
	}
}

// columns sets the list's columns for what it lists and the page's width.
func (p *clientsPage) columns() {
	if p.all {
		p.list.SetColumns(clientAllColumns...)
		p.list.table.Optional(tCity)
	} else {
		p.list.SetColumns(clientColumns...)
		p.list.table.Optional()
	}
}

// rows lists the clients found, in the columns set.
func (p *clientsPage) rows() {
	rows := make([]row, len(p.page.Clients))
	for i, c := range p.page.Clients {
		city := c.City + "/" + c.State
		rows[i] = row{key: fmt.Sprintf("%s/%d", c.Association, c.SGACode), cells: []string{c.Name, norm.FormatCPF(c.CPF), city, c.Situation}}
		if p.all {
			rows[i].cells = slices.Insert(rows[i].cells, 1, c.Association)
		}
	}
	p.list.SetRows(rows)
}

func (p *clientsPage) SetSize(w, h int) {
	p.list.SetSize(w, h-1)
	p.detail.SetSize(w, h)
}

// Ticked is how many of the open client's vehicles are ticked, for the status bar.
func (p *clientsPage) Ticked() int {
	if v, ok := p.detail.Get(); ok {
		return v.Ticked()
	}
	return 0
}

func (p *clientsPage) Typing() bool { return p.detail.Typing(p.list.Typing()) }

func (p *clientsPage) Moves() []key.Binding { return p.detail.Moves(p.list.Moves) }

func (p *clientsPage) updateKeys() {
	p.toggle.SetEnabled(p.assocs > 1 && !p.list.Typing())
	if p.all {
		p.toggle.SetHelp("t", tSearchOne)
	} else {
		p.toggle.SetHelp("t", tSearchAll)
	}
}

func (p *clientsPage) Help() []key.Binding {
	return p.detail.Help(func() []key.Binding {
		p.updateKeys()
		return append(p.list.Help(), p.toggle)
	})
}

// Update hands keys and pastes to the open client, else to the list (withDetail).
func (p *clientsPage) Update(msg tea.Msg) tea.Cmd { return p.detail.Update(msg, p.update) }

func (p *clientsPage) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case clientsLoadedMsg:
		if msg.seq != p.seq {
			return nil // an older search, overtaken by a newer one
		}
		p.err = msg.err
		if msg.err != nil {
			p.c.svc.Logger.Error("search clients", "err", msg.err)
			return nil
		}
		if msg.more {
			p.paging = false
			msg.page.Clients = append(p.page.Clients, msg.page.Clients...)
		} else {
			p.assocs = msg.assocs
		}
		p.page = msg.page
		p.rows()
		return nil
	case openClientMsg:
		return p.openClient(msg.client)
	case dataChangedMsg:
		return p.find()
	case tea.KeyPressMsg:
		p.updateKeys()
		if key.Matches(msg, p.toggle) {
			p.all = !p.all
			p.columns()
			return p.find()
		}
		return p.act(p.list.Key(msg))
	case tea.PasteMsg:
		return p.act(p.list.Paste(msg))
	}
	return nil
}

// openClient shows cl in the list's place.
func (p *clientsPage) openClient(cl store.Client) tea.Cmd {
	v := newClientView(p.c, cl)
	p.detail.Open(v)
	return v.Init()
}

func (p *clientsPage) act(a listAction, cmd tea.Cmd) tea.Cmd {
	switch a {
	case listQuery:
		return tea.Batch(cmd, p.find())
	case listOpen:
		cl := p.page.Clients[p.list.Cursor()]
		if p.all && cl.Association != p.c.assoc.Slug {
			return tea.Batch(cmd, p.elsewhere(cl))
		}
		return tea.Batch(cmd, p.openClient(cl))
	case listMoved:
		return tea.Batch(cmd, p.more())
	}
	return cmd
}

// elsewhere opens a client of another association: the session switches to it first, since
// what is done with the client (its sync, Importar) is done there.
func (p *clientsPage) elsewhere(cl store.Client) tea.Cmd {
	st := p.c.base
	return func() tea.Msg {
		a, err := st.Association(cl.Association)
		if err != nil {
			return toastMsg{false, tLoadFailed}
		}
		return switchMsg{assoc: a, page: pageClients, open: &cl}
	}
}

// more reads the next page of the unfiltered list when the cursor reaches its end.
func (p *clientsPage) more() tea.Cmd {
	if p.list.Query() != "" || p.all || !p.page.More || p.paging || p.list.Cursor() < len(p.page.Clients)-1 {
		return nil
	}
	p.paging = true
	seq, next, st := p.seq, p.page.Next, p.c.st
	return func() tea.Msg {
		page, err := st.ListClients(next, 500)
		return clientsLoadedMsg{seq: seq, page: page, more: true, err: err}
	}
}

func (p *clientsPage) View() string { return p.detail.View(p.listView) }

func (p *clientsPage) listView() string {
	st := p.c.styles
	if p.err != nil {
		return p.list.search.View() + "\n" + st.Error.Render(tLoadFailed)
	}
	more := ""
	if p.page.Total > 0 {
		more = "  " + st.Hint.Render(p.countText())
	}
	if p.page.More && (p.list.Query() != "" || p.all) {
		more += "  " + st.Hint.Render(tMore)
	}
	if p.all {
		more += "  " + st.StatusKey.Render(fmt.Sprintf(tSearchingAll, plural(p.assocs, tAssocCountOne, tAssocCountMany)))
	}
	return p.list.View(tNoClients, more)
}

// countText is how many clients the list shows: "276 clientes", all of them; "3 de 276
// clientes" for a search, or for a list of every association cut at its limit.
func (p *clientsPage) countText() string {
	total := plural(p.page.Total, tClientOne, tClientMany)
	if p.list.Query() == "" && (!p.all || !p.page.More) {
		return total // the association's list reads its further pages as the cursor goes
	}
	return fmt.Sprintf(tOfTotal, len(p.page.Clients), total)
}
