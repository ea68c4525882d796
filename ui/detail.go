package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// detailView is what a list page opens in its list's place: a profile, a client, an order,
// a form. While it is open it takes every key and paste, and hears every other message after
// the page has.
type detailView interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Help() []key.Binding
	Typing() bool // a field of the detail has focus: esc is the field's
	// Nested reports that the detail shows a view of its own (a run's errors): esc closes
	// that, not the detail.
	Nested() bool
}

// doner is a detail that closes by itself: a form, on esc or once it is accepted.
type doner interface{ Done() bool }

// withDetail is the detail a list page may have open over its list, written once for every
// such page: whether one is open, what reaches it, its size, and how esc closes it. The page
// keeps its list and its own messages; where it needs more, it gives a hook.
type withDetail[V detailView] struct {
	v    V
	open bool
	back key.Binding // the session's esc
	w, h int
	// reload reads the open detail again when its page comes back to the front (nil: it
	// has nothing to read).
	reload func(V) tea.Cmd
	// closed, when set, is what the page does once esc has closed the detail (Contratos e
	// OS reads its list again).
	closed func() tea.Cmd
}

func newDetail[V detailView](c *common, reload func(V) tea.Cmd) withDetail[V] {
	return withDetail[V]{back: c.keys.Back, reload: reload}
}

// Open shows v in the list's place, at the page's size.
func (d *withDetail[V]) Open(v V) {
	d.v, d.open = v, true
	v.SetSize(d.w, d.h)
}

// Close goes back to the list.
func (d *withDetail[V]) Close() {
	var none V
	d.v, d.open = none, false
}

// Get is the open detail, and whether one is open.
func (d *withDetail[V]) Get() (V, bool) { return d.v, d.open }

// IsOpen reports whether a detail is open.
func (d *withDetail[V]) IsOpen() bool { return d.open }

// SetSize sizes the open detail, and each one opened after, to the page.
func (d *withDetail[V]) SetSize(w, h int) {
	d.w, d.h = w, h
	if d.open {
		d.v.SetSize(w, h)
	}
}

// Moves is the movement keys the open detail answers (none unless it is a mover), else the
// list's.
func (d *withDetail[V]) Moves(list func() []key.Binding) []key.Binding {
	if !d.open {
		return list()
	}
	if mv, ok := any(d.v).(mover); ok {
		return mv.Moves()
	}
	return nil
}

// Typing is the open detail's, else the list's.
func (d *withDetail[V]) Typing(list bool) bool {
	if d.open {
		return d.v.Typing()
	}
	return list
}

// Help is the open detail's bindings, else the list's.
func (d *withDetail[V]) Help(list func() []key.Binding) []key.Binding {
	if d.open {
		return d.v.Help()
	}
	return list()
}

// View draws the open detail, else the list.
func (d *withDetail[V]) View(list func() string) string {
	if d.open {
		return d.v.View()
	}
	return list()
}

// Reload reads the list again (list, the page's reading) and the open detail (its reload
// hook), when the page comes back to the front: another session, or another page of this
// one, may have changed either while the page was behind.
func (d *withDetail[V]) Reload(list tea.Cmd) tea.Cmd {
	if d.open && d.reload != nil {
		return tea.Batch(list, d.reload(d.v))
	}
	return list
}

// Update routes msg. Keys and pastes go to the open detail alone (esc closes it, unless the
// detail takes esc itself), or to page while none is open; every other message goes to page,
// then to the detail open after it: readings, progress and changes concern both.
func (d *withDetail[V]) Update(msg tea.Msg, page func(tea.Msg) tea.Cmd) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if !d.open {
			return page(msg)
		}
		if key.Matches(msg, d.back) && !d.v.Typing() && !d.v.Nested() {
			d.Close()
			if d.closed != nil {
				return d.closed()
			}
			return nil
		}
		return d.forward(msg)
	case tea.PasteMsg:
		if !d.open {
			return page(msg)
		}
		return d.forward(msg)
	}
	cmd := page(msg)
	if d.open {
		return tea.Batch(cmd, d.v.Update(msg))
	}
	return cmd
}

// forward gives msg to the open detail, and closes it when it says it is done.
func (d *withDetail[V]) forward(msg tea.Msg) tea.Cmd {
	cmd := d.v.Update(msg)
	if dn, ok := any(d.v).(doner); ok && dn.Done() {
		d.Close()
	}
	return cmd
}
