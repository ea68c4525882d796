package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// picker is ctrl+a: the associations the administrator may see, filtered as they type. It
// opens at once, so that what is typed before the list is read lands in its field; the list
// fills in when read.
//
// The root opens it (Open), hands it the keys, pastes and its readings while it is open
// (Update), and draws it in the page's place (SetSize, View); it chooses by itself.
type picker struct {
	c             *common
	input         *textinput.Model
	all           []store.Association
	shown         []store.Association
	cursor        int
	isOpen        bool // on screen, taking the keys
	seq           int  // the newest reading's number: an older one's answer is dropped
	loading       bool // the list of this opening is not read yet
	enter         bool // enter was pressed while loading: the list, once read, chooses
	width, height int  // the page's room, which it takes
}

type pickerLoadedMsg struct {
	seq int
	all []store.Association
	err error
}

func newPicker(c *common) *picker {
	in := c.newInput()
	in.Prompt = tFilter
	in.CharLimit = 40
	return &picker{c: c, input: in}
}

// Open empties the field, focuses it and reads the associations again.
func (p *picker) Open() tea.Cmd {
	p.seq++
	p.isOpen, p.loading, p.enter = true, true, false
	p.all, p.shown, p.cursor = nil, nil, 0
	p.input.SetValue("")
	st, seq := p.c.base, p.seq
	return tea.Batch(p.input.Focus(), func() tea.Msg {
		all, err := st.Associations()
		return pickerLoadedMsg{seq, all, err}
	})
}

// IsOpen reports whether the picker is on screen, taking the keys.
func (p *picker) IsOpen() bool { return p.isOpen }

// Help is the picker's keys, as the footer offers them while it is open.
func (p *picker) Help() []key.Binding { return []key.Binding{p.c.keys.Open, p.c.keys.Back} }

// Update takes a key or a paste while the picker is open, and its list when read. Choosing an
// association (by enter, or by the list that comes after enter) closes the picker and makes
// the association current; a list that fails to be read closes it and says so.
func (p *picker) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pickerLoadedMsg:
		if !p.isOpen {
			return nil // closed before its list was read
		}
		chosen, ok := p.set(msg)
		if !ok {
			return nil // opened again since
		}
		if msg.err != nil {
			p.c.svc.Logger.Error("list associations", "err", msg.err)
			p.close()
			return toast(false, "%s", tLoadFailed)
		}
		if chosen != nil {
			p.close()
			return p.choose(*chosen)
		}
		return nil
	case tea.KeyPressMsg:
		if !p.isOpen {
			return nil
		}
		chosen, closed, cmd := p.key(msg)
		if closed {
			p.close()
		}
		if chosen != nil {
			return tea.Batch(cmd, p.choose(*chosen))
		}
		return cmd
	case tea.PasteMsg:
		if !p.isOpen {
			return nil
		}
		return p.paste(msg)
	}
	return nil
}

// choose makes a the current association, on the page in front.
func (p *picker) choose(a store.Association) tea.Cmd {
	if a.ID == p.c.assoc.ID {
		return nil
	}
	return func() tea.Msg { return switchMsg{assoc: a, page: -1} }
}

// close takes the picker off the screen.
func (p *picker) close() {
	p.isOpen = false
	p.input.Blur()
}

// set takes a reading's list; it reports false for an older opening's. With nothing typed
// yet the cursor starts on the current association. When enter was pressed before the list
// came, it chooses the first that matches what was typed.
func (p *picker) set(msg pickerLoadedMsg) (chosen *store.Association, ok bool) {
	if msg.seq != p.seq {
		return nil, false
	}
	p.loading = false
	p.all = msg.all
	p.filter()
	if p.input.Value() == "" {
		for i, a := range p.shown {
			if a.ID == p.c.assoc.ID {
				p.cursor = i
			}
		}
	}
	if p.enter && len(p.shown) > 0 {
		a := p.shown[p.cursor]
		return &a, true
	}
	return nil, true
}

// filter keeps the associations whose short name or name holds what was typed (case and
// accents ignored).
func (p *picker) filter() {
	q := store.Slugify(p.input.Value())
	p.shown = p.shown[:0]
	for _, a := range p.all {
		if q == "" || strings.Contains(a.Slug, q) || strings.Contains(store.Slugify(a.Name), q) {
			p.shown = append(p.shown, a)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

// key handles a key: it returns the association chosen, or whether the picker closed.
func (p *picker) key(msg tea.KeyPressMsg) (chosen *store.Association, closed bool, cmd tea.Cmd) {
	k := p.c.keys
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Association):
		return nil, true, nil
	case key.Matches(msg, k.Open):
		if p.loading {
			p.enter = true
			return nil, false, nil
		}
		if len(p.shown) == 0 {
			return nil, false, nil
		}
		a := p.shown[p.cursor]
		return &a, true, nil
	case key.Matches(msg, k.PickerUp):
		p.cursor = max(0, p.cursor-1)
		return nil, false, nil
	case key.Matches(msg, k.PickerDown):
		p.cursor = min(len(p.shown)-1, p.cursor+1)
		return nil, false, nil
	}
	before := p.input.Value()
	*p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.cursor = 0
		p.filter()
	}
	return nil, false, cmd
}

func (p *picker) paste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	*p.input, cmd = p.input.Update(msg)
	p.cursor = 0
	p.filter()
	return cmd
}

// SetSize gives the picker the page's room.
func (p *picker) SetSize(width, height int) { p.width, p.height = width, height }

// View draws the picker in the page's place: the field, then the list around the cursor.
func (p *picker) View() string {
	st, width, height := p.c.styles, p.width, p.height
	lines := []string{st.Title.Render(tPickerTitle), st.Hint.Render(tPickerHint), "", p.input.View(), ""}
	switch {
	case p.loading:
		lines = append(lines, st.Hint.Render(tLoading))
	case len(p.shown) == 0:
		lines = append(lines, st.Hint.Render(fmt.Sprintf(tPickerNone, p.input.Value())))
	}
	room := max(1, height-len(lines))
	from := max(0, min(p.cursor-room/2, len(p.shown)-room))
	labels := 0
	for _, a := range p.shown {
		labels = max(labels, textWidth(a.Label()))
	}
	for i := from; i < len(p.shown) && i < from+room; i++ {
		a := p.shown[i]
		text := cell(a.Label(), labels) + "  " + st.Hint.Render(a.Slug)
		if a.Disabled {
			text += "  " + st.Hint.Render("("+tAssocDisabled+")")
		}
		if a.ID == p.c.assoc.ID {
			text += "  ●"
		}
		if i == p.cursor {
			lines = append(lines, st.RowSelected.Render(cell(markCursor+text, width)))
		} else {
			lines = append(lines, markNone+text)
		}
	}
	return strings.Join(lines, "\n")
}
