package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// offer is what the footer offers now, as the root chooses it (Model.offer): a question's
// answers or the picker's keys on one line, or else the page's keys.
type offer struct {
	line []key.Binding // a question's answers, or the picker's keys
	// The page's keys in the ? help's three groups: the page's own (with the pages and the
	// picker), the movement keys its list answers, and the root's.
	groups [][]key.Binding
	// fixed ends the short line: x while a sync runs (it works on every page), ? and q.
	fixed []key.Binding
}

// bindings is every binding of the offer, in the order the footer shows them.
func (o offer) bindings() [][]key.Binding {
	if o.line != nil {
		return [][]key.Binding{o.line}
	}
	return o.groups
}

// offer is the one choice of what the footer offers: a question's answers while one is open;
// else the association picker's keys while it is open; else the page's, its list's and the
// root's.
func (m *Model) offer() offer {
	switch {
	case m.asking != nil:
		return offer{line: m.answerKeys()}
	case m.picker.IsOpen():
		return offer{line: m.picker.Help()}
	}
	k := m.keys
	cancel := k.Cancel // x works on every page; the short line offers it while a sync runs
	cancel.SetEnabled(cancel.Enabled() && m.status.syncing())
	return offer{groups: m.helpGroups(), fixed: []key.Binding{cancel, k.Help, k.Quit}}
}

// footerState is the root's part of what the footer shows: whether a question is open, and
// whether a sync runs.
type footerState struct{ asking, running bool }

// footer is the line of keys at the bottom, or the ? help's columns: the keys that work now.
// It keeps what it drew last, and for what root state: the root draws it again (draw) only
// when the page's drawing is stale or that state changed, as a server redraws every session
// several times a second for the status bar alone.
type footer struct {
	help     help.Model
	full     bool // the ? help is open
	width    int
	view     string      // what it drew last
	drawnFor footerState // and for what
}

func newFooter(c *common) *footer {
	f := &footer{help: help.New()}
	f.help.ShortSeparator, f.help.FullSeparator = " · ", "   "
	f.restyle(c.styles)
	f.SetSize(c.width - 2)
	return f
}

// restyle takes the session's styles.
func (f *footer) restyle(st Styles) {
	f.help.Styles.ShortKey, f.help.Styles.FullKey = st.HelpKey, st.HelpKey
	f.help.Styles.ShortDesc, f.help.Styles.FullDesc = st.HelpDesc, st.HelpDesc
	f.help.Styles.ShortSeparator, f.help.Styles.FullSeparator, f.help.Styles.Ellipsis = st.HelpDesc, st.HelpDesc, st.HelpDesc
}

// SetSize gives the footer its width.
func (f *footer) SetSize(width int) { f.width = width }

// Full reports whether the ? help is open.
func (f *footer) Full() bool { return f.full }

// ToggleFull opens or closes the ? help.
func (f *footer) ToggleFull() { f.full = !f.full }

// Rows is the lines the footer takes for o: one, or the ? help's.
func (f *footer) Rows(o offer) int {
	if !f.full {
		return 1
	}
	return lipgloss.Height(f.render(o))
}

// isDrawnFor reports whether the footer's last drawing was for the root state st.
func (f *footer) isDrawnFor(st footerState) bool { return f.drawnFor == st }

// draw draws the footer for o, in the root state st.
func (f *footer) draw(o offer, st footerState) {
	f.view, f.drawnFor = f.render(o), st
}

// View is the footer as last drawn.
func (f *footer) View() string { return f.view }

// render is the footer for o: the keys that work now, or all of them with ?. The short line
// always ends with "? ajuda · q sair" (and "x" while a sync runs); when it is too narrow,
// the page's keys give way first.
func (f *footer) render(o offer) string {
	h, width := &f.help, f.width
	if o.line != nil {
		h.SetWidth(width)
		return h.ShortHelpView(o.line)
	}
	groups := o.groups
	pageKeys := groups[0]
	if f.full {
		// The root's keys (esc closes this help) are never cut: where the three columns do
		// not fit, they take a line of their own below the page's.
		h.SetWidth(0)
		if full := h.FullHelpView(groups); lipgloss.Width(full) <= width {
			return full
		}
		h.SetWidth(width)
		return h.FullHelpView(groups[:2]) + "\n" + h.ShortHelpView(groups[2])
	}
	h.SetWidth(0)
	fixed := h.ShortHelpView(o.fixed)
	sep := h.Styles.ShortSeparator.Render(h.ShortSeparator)
	room := width - lipgloss.Width(fixed) - lipgloss.Width(sep)
	if fixed == "" {
		room = width
	}
	// The page's keys, as many as fit, in order; "…" says some gave way.
	var keys []key.Binding
	for _, b := range pageKeys {
		if b.Enabled() {
			keys = append(keys, b)
		}
	}
	left := ""
	for n := len(keys); n > 0; n-- {
		l := h.ShortHelpView(keys[:n])
		if n < len(keys) {
			l += sep + h.Styles.Ellipsis.Render(h.Ellipsis)
		}
		if lipgloss.Width(l) <= room {
			left = l
			break
		}
	}
	switch {
	case left == "":
		return fixed
	case fixed == "":
		return left
	}
	return left + sep + fixed
}
