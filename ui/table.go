package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// column is a table column: its title and width (0: take what is left).
type column struct {
	title string
	width int
}

// row is one line of a table: the record it shows, its cells, and whether it is shown
// disabled. key names the record (a plate's proposal, an order's number) so that a reload
// keeps the cursor on it; "" leaves the cursor on the row number.
type row struct {
	key      string
	cells    []string
	disabled bool
}

// table is the list every screen uses: fixed columns, a cursor, and a window that scrolls. It
// renders only the rows in view, so a list of tens of thousands costs what the screen shows.
type table struct {
	c      *common
	keys   moveKeys
	cols   []column
	rows   []row
	cursor int
	offset int
	// restart: the next rows are a new search's, listed from the first row.
	restart bool
	// newestOnTop: a list whose newest record comes first keeps a cursor on its first row
	// there as new records arrive, so they come into view (NewestOnTop).
	newestOnTop bool
	// newFirst: the next rows with another record first put the cursor on it (TakeNewFirst).
	newFirst bool
	first    string
	width    int
	height   int // rows in view, header excluded
	// optional and giveWay are the columns that give way on a narrow screen (Optional, GiveWay).
	optional, giveWay []string
	// measured is what need found for the rows and measuredCols; nil: not yet measured.
	measured     []int
	measuredCols []column
}

func newTable(c *common, cols ...column) *table {
	return &table{c: c, keys: c.keys.moves(), cols: cols}
}

// Yield leaves to the page the keys its own bindings take: the cursor moves by the others.
func (t *table) Yield(taken ...key.Binding) { t.keys = t.c.keys.moves().yield(taken...) }

// Moves is the keys that move the cursor, for the footer: none while there is no other row
// to move to.
func (t *table) Moves() []key.Binding {
	moves := t.keys.list()
	for i := range moves {
		moves[i].SetEnabled(moves[i].Enabled() && len(t.rows) > 1)
	}
	return moves
}

func (t *table) SetSize(w, h int) {
	t.width, t.height = w, max(1, h-1)
	t.clamp()
}

// SetRows lists rows: the cursor stays on the record it was on, at the same place on the
// screen, or, when that one is gone, on the nearest of its old neighbours still listed; a
// reload must not move it to another record under the operator's hand. After Restart, the
// cursor starts at the first row; after TakeNewFirst, on the new record listed first.
func (t *table) SetRows(rows []row) {
	switch {
	case t.newFirst && len(rows) > 0 && rows[0].key != t.first:
		t.cursor, t.offset, t.newFirst = 0, 0, false
	case t.restart:
		t.cursor, t.offset = 0, 0
	case t.newestOnTop && t.cursor == 0:
		t.offset = 0 // on the newest: it stays on the newest
	default:
		if i, ok := follow(t.rows, t.cursor, rows); ok {
			t.offset += i - t.cursor
			t.cursor = i
		}
	}
	t.rows, t.measured, t.restart = rows, nil, false
	t.clamp()
}

// follow finds in rows the record old[at] shows, or else the nearest of its neighbours
// there, the next one first; false when old[at] has no key or nothing is found.
func follow(old []row, at int, rows []row) (int, bool) {
	if at < 0 || at >= len(old) || old[at].key == "" {
		return 0, false
	}
	index := make(map[string]int, len(rows))
	for i, r := range rows {
		if r.key != "" {
			index[r.key] = i
		}
	}
	for d := 0; d < len(old); d++ {
		for _, j := range []int{at + d, at - d} {
			if j < 0 || j >= len(old) || old[j].key == "" {
				continue
			}
			if i, ok := index[old[j].key]; ok {
				return i, true
			}
		}
	}
	return 0, false
}

// TakeNewFirst, on, has the next rows that list another record first put the cursor on it:
// the record the operator just made (a run they started) is the one to look at; off, it
// stops waiting for one.
func (t *table) TakeNewFirst(on bool) {
	t.newFirst, t.first = on, ""
	if len(t.rows) > 0 {
		t.first = t.rows[0].key
	}
}

// NewestOnTop is for a list whose newest record comes first (runs): a cursor on the first
// row stays there as newer records arrive, where they show; elsewhere it keeps its record.
func (t *table) NewestOnTop() { t.newestOnTop = true }

// Restart lists the next rows from the first: they are a new search's, and the record under
// the cursor belongs to the old results.
func (t *table) Restart() {
	t.cursor, t.offset, t.restart = 0, 0, true
}

func (t *table) Cursor() int { return t.cursor }

func (t *table) SetCursor(i int) {
	t.cursor = i
	t.clamp()
}

// toggle ticks the row with key k, or unticks it, and moves the cursor to the next row: what
// space does on every list with boxes, so that space after space ticks rows in turn.
func toggle[K comparable](t *table, ticked map[K]bool, k K) {
	if ticked[k] {
		delete(ticked, k)
	} else {
		ticked[k] = true
	}
	t.SetCursor(t.Cursor() + 1)
}

func (t *table) clamp() {
	t.cursor = max(0, min(t.cursor, len(t.rows)-1))
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	t.offset = max(0, min(t.offset, len(t.rows)-t.height))
}

// Update moves the cursor; it reports whether it used the key.
func (t *table) Update(msg tea.KeyPressMsg) bool {
	k := t.keys
	switch {
	case key.Matches(msg, k.Up):
		t.cursor--
	case key.Matches(msg, k.Down):
		t.cursor++
	case key.Matches(msg, k.PageUp):
		t.cursor -= t.height
	case key.Matches(msg, k.PageDown):
		t.cursor += t.height
	case key.Matches(msg, k.Home):
		t.cursor = 0
	case key.Matches(msg, k.End):
		t.cursor = len(t.rows) - 1
	default:
		return false
	}
	t.clamp()
	return true
}

// widths shares the table's width among its columns, from what their cells hold: a column
// takes its declared width, or more when a cell needs it, and the column of width 0 takes what
// is left. When that is too wide, the page's optional columns give way (Optional), columns give
// back the room their cells do not use, then the longest texts are cut (never below a
// column's declared width, or flexFloor for the one of width 0); when even that is too wide,
// the columns the page names give way (GiveWay), then the column of width 0 is cut down to
// flexMin, then columns give way from the right, the column of width 0 last. A hidden
// column's width is 0.
func (t *table) widths() []int {
	n := len(t.cols)
	need := t.need()
	pref, want, floor := make([]int, n), make([]int, n), make([]int, n)
	for i, c := range t.cols {
		want[i] = need[i]
		switch {
		case c.width == 0:
			pref[i], floor[i] = want[i], min(want[i], flexFloor)
		default:
			pref[i], floor[i] = max(c.width, want[i]), min(c.width, want[i])
		}
	}
	avail := t.width - len(markNone)
	shown := make([]bool, n)
	for i := range shown {
		shown[i] = true
	}
	total := func(v []int) int {
		sum, cols := 0, 0
		for i, x := range v {
			if shown[i] {
				sum, cols = sum+x, cols+1
			}
		}
		return sum + max(0, cols-1)
	}
	for _, title := range t.optional { // the optional columns go before any text is cut
		if i := t.index(title); i >= 0 && total(want) > avail {
			shown[i] = false
		}
	}
	flex := slices.IndexFunc(t.cols, func(c column) bool { return c.width == 0 })
	for total(floor) > avail {
		if t.givenWay(shown) && flex >= 0 && shown[flex] && floor[flex] > flexMin {
			// the name is cut short before a column that identifies the row goes
			floor[flex] = max(flexMin, floor[flex]-(total(floor)-avail))
			continue
		}
		i := t.nextToGo(shown)
		if i < 0 {
			break
		}
		shown[i] = false
	}
	w := make([]int, n)
	switch {
	case total(pref) <= avail:
		copy(w, pref)
	case total(want) <= avail: // every text whole; the room left pads the columns in turn
		copy(w, want)
		for i, room := 0, avail-total(w); i < n && room > 0; i++ {
			if shown[i] {
				add := min(room, pref[i]-w[i])
				w[i], room = w[i]+add, room-add
			}
		}
	default: // cut the longest texts to one level, as high as fits; what is left goes to them in turn
		level := slices.Max(want)
		for ; level > 0; level-- {
			for i := range w {
				w[i] = min(want[i], max(floor[i], level))
			}
			if total(w) <= avail {
				break
			}
		}
		for i, room := 0, avail-total(w); i < n && room > 0; i++ {
			if shown[i] && w[i] < want[i] {
				w[i], room = w[i]+1, room-1
			}
		}
	}
	for i := range w {
		if !shown[i] {
			w[i] = 0
		}
	}
	if flex >= 0 && shown[flex] {
		w[flex] += max(0, avail-total(w))
	}
	return w
}

// flexFloor is the narrowest the column of width 0 (a name, a model) gets before the columns
// the page names give way (GiveWay): enough to read a name by; flexMin, the narrowest it gets
// before the others do: a plate or a contract's number, which say which row it is, is worth
// more than the end of a name.
const (
	flexFloor = 14
	flexMin   = 10
)

// Optional names, in order, the columns that give way before any text is cut, on a screen
// too narrow for every text whole.
func (t *table) Optional(titles ...string) { t.optional = titles }

// GiveWay names, in order, the columns that give way first when even cut texts do not fit;
// the others go after them, from the right.
func (t *table) GiveWay(titles ...string) { t.giveWay = titles }

func (t *table) index(title string) int {
	return slices.IndexFunc(t.cols, func(c column) bool { return c.title == title })
}

// givenWay reports whether every column the page names to give way first is hidden.
func (t *table) givenWay(shown []bool) bool {
	for _, title := range t.giveWay {
		if i := t.index(title); i >= 0 && shown[i] {
			return false
		}
	}
	return true
}

// nextToGo is the shown column that gives way next, or -1 when one is left.
func (t *table) nextToGo(shown []bool) int {
	if count(shown) <= 1 {
		return -1
	}
	for _, title := range t.giveWay {
		if i := t.index(title); i >= 0 && shown[i] {
			return i
		}
	}
	for pass := 0; pass < 2; pass++ { // the column of width 0 last
		for i := len(t.cols) - 1; i >= 0; i-- {
			if shown[i] && (pass == 1 || t.cols[i].width != 0) {
				return i
			}
		}
	}
	return -1
}

func count(shown []bool) int {
	n := 0
	for _, s := range shown {
		if s {
			n++
		}
	}
	return n
}

// need is how wide each column's title and cells are, measured once per rows and columns.
func (t *table) need() []int {
	if t.measured != nil && slices.Equal(t.measuredCols, t.cols) {
		return t.measured
	}
	need := make([]int, len(t.cols))
	for i, c := range t.cols {
		need[i] = textWidth(c.title)
	}
	for _, r := range t.rows {
		for i := range min(len(r.cells), len(need)) {
			need[i] = max(need[i], textWidth(r.cells[i]))
		}
	}
	t.measured, t.measuredCols = need, slices.Clone(t.cols)
	return need
}

func (t *table) View() string {
	st := t.c.styles
	w := t.widths()
	var b strings.Builder
	var head []string
	for i, c := range t.cols {
		if w[i] > 0 {
			head = append(head, cell(c.title, w[i]))
		}
	}
	b.WriteString(markNone + st.Header.Render(cell(strings.Join(head, " "), t.width-len(markNone))))
	end := min(len(t.rows), t.offset+t.height)
	cells := make([]string, 0, len(t.cols))
	for i := t.offset; i < end; i++ {
		r := t.rows[i]
		cells = cells[:0]
		for j := range t.cols {
			if w[j] == 0 {
				continue
			}
			text := ""
			if j < len(r.cells) {
				text = r.cells[j]
			}
			cells = append(cells, cell(text, w[j]))
		}
		line := cell(strings.Join(cells, " "), t.width-len(markNone))
		switch {
		case i == t.cursor:
			line = markCursor + st.RowSelected.Render(line)
		case r.disabled:
			line = markNone + st.RowDisabled.Render(line)
		default:
			line = markNone + line // a plain row: no style to apply
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

// listView is a list page's body, written once for Administradores, Clientes and Contratos
// e OS: the "/" search above a table, the keys to search, clear and open, and what to say when
// nothing is listed. The page keeps its rows and what opening one shows.
type listView struct {
	c      *common
	keys   listKeys
	search searchBox
	table  *table
	rows   int // rows listed, for the keys and the empty text
}

// listAction is what a key did to the list.
type listAction int

const (
	listNothing listAction = iota
	listQuery              // the query changed: list again
	listOpen               // open the row under the cursor
	listMoved              // the cursor moved
)

func newListView(c *common, cols ...column) *listView {
	return &listView{c: c, search: newSearchBox(c), table: newTable(c, cols...), keys: newListKeys(c.keys)}
}

// SetRows lists rows.
func (l *listView) SetRows(rows []row) {
	l.rows = len(rows)
	l.table.SetRows(rows)
}

func (l *listView) SetSize(w, h int) { l.table.SetSize(w, h-1) }

// SetColumns changes the columns; the rows that follow must match them.
func (l *listView) SetColumns(cols ...column) {
	l.table.cols = cols
	l.table.SetRows(nil)
	l.rows = 0
}

func (l *listView) Cursor() int   { return l.table.Cursor() }
func (l *listView) Query() string { return l.search.Value() }
func (l *listView) Typing() bool  { return l.search.typing }

// Moves is the keys that move the list: none while the search has the keys.
func (l *listView) Moves() []key.Binding {
	if l.search.typing {
		return nil
	}
	return l.table.Moves()
}

// updateKeys enables the bindings from the list's state: rows to open, a query to clear.
func (l *listView) updateKeys() {
	l.keys.Open.SetEnabled(l.rows > 0)
	l.keys.Clear.SetEnabled(l.search.Value() != "")
}

func (l *listView) Help() []key.Binding {
	if l.search.typing {
		return l.search.Help()
	}
	l.updateKeys()
	return []key.Binding{l.keys.Filter, l.keys.Open, l.keys.Clear}
}

// Key handles a key: typing in the search, or the list's own keys and movement. A key that
// changes the query starts the list again at its first row: the old cursor row belongs to
// the old results.
func (l *listView) Key(msg tea.KeyPressMsg) (listAction, tea.Cmd) {
	return l.restartOnQuery(l.key(msg))
}

func (l *listView) key(msg tea.KeyPressMsg) (listAction, tea.Cmd) {
	if l.search.typing {
		changed, cmd := l.search.Key(msg)
		if changed {
			return listQuery, cmd
		}
		return listNothing, cmd
	}
	l.updateKeys()
	switch k := l.keys; {
	case key.Matches(msg, k.Filter):
		dropped, cmd := l.search.Start()
		if dropped {
			return listQuery, cmd
		}
		return listNothing, cmd
	case key.Matches(msg, k.Clear):
		l.search.Clear()
		return listQuery, nil
	case key.Matches(msg, k.Open):
		return listOpen, nil
	}
	if l.table.Update(msg) {
		return listMoved, nil
	}
	return listNothing, nil
}

// Paste takes pasted text into the search while typing.
func (l *listView) Paste(msg tea.PasteMsg) (listAction, tea.Cmd) {
	if !l.search.typing {
		return listNothing, nil
	}
	if changed, cmd := l.search.Paste(msg); changed {
		return l.restartOnQuery(listQuery, cmd)
	}
	return listNothing, nil
}

// restartOnQuery starts the list again when the query changed.
func (l *listView) restartOnQuery(a listAction, cmd tea.Cmd) (listAction, tea.Cmd) {
	if a == listQuery {
		l.Restart()
	}
	return a, cmd
}

// Restart puts the cursor on the first row, for a new search: what a page's own filter
// changes is a new search too.
func (l *listView) Restart() { l.table.Restart() }

// View is the search line (with note after it), then the table, or what to say when nothing
// is listed: empty with no query, "Nenhum resultado" with one.
func (l *listView) View(empty, note string) string {
	st := l.c.styles
	head := l.search.View() + note
	switch {
	case l.rows > 0:
		return head + "\n" + l.table.View()
	case l.search.Value() != "":
		empty = fmt.Sprintf(tNoMatch, l.search.Value())
	}
	// The empty list's sentence says what to do next: it wraps, never cut.
	return head + "\n" + st.Hint.Render(ansi.Wrap(empty, max(1, l.table.width), ""))
}
