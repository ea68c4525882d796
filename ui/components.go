package ui

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The pieces every page is made of, each written once: text markers that carry meaning
// without colour, tabs, label/value blocks, a scrollable text panel. The list with its cursor
// is table.go; the "/" search is search.go.

// Markers: what colour shows is also shown in text, for NO_COLOR and TERM=dumb.
const (
	markCursor = "› "
	markNone   = "  "
)

// button is a button's label: focused (or the action at hand) it reads "[ Salvar ]".
func button(st Styles, label string, focused bool) string {
	if focused {
		return st.ButtonFocus.Render("[ " + label + " ]")
	}
	return st.Button.Render("  " + label + "  ")
}

// tabs draws a row of tabs, the active one in brackets; when the padded row is wider than
// width, the tabs lose their padding (the numbers keep them apart).
func tabs(st Styles, labels []string, active, width int) string {
	pad := " "
	total := len(labels) - 1 + 2*len(labels)
	for _, l := range labels {
		total += textWidth(l)
	}
	if total > width {
		pad = ""
	}
	var b strings.Builder
	for i, l := range labels {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == active {
			b.WriteString(st.TabActive.Render("[" + l + "]"))
		} else {
			b.WriteString(st.Tab.Render(pad + l + pad))
		}
	}
	return b.String()
}

// fields is a label/value block, one pair a line, labels in a column labelWidth wide and
// values cut to what is left of width.
func fields(st Styles, labelWidth, width int, pairs [][2]string) string {
	var b strings.Builder
	for _, kv := range pairs {
		b.WriteString(st.Label.Render(cell(kv[0], labelWidth)) + cell(kv[1], max(0, width-labelWidth)) + "\n")
	}
	return b.String()
}

// scroller is a panel of long text that scrolls (the guide, a run's errors): it shows what
// fits and says when there is more above or below.
type scroller struct {
	c    *common
	vp   viewport.Model
	text string
	hint string // the key that closes the panel, after the "more" line's words ("esc fechar")
}

func newScroller(c *common) *scroller {
	vp := viewport.New()
	vp.KeyMap = viewport.KeyMap{} // the page decides which keys scroll
	return &scroller{c: c, vp: vp}
}

// SetContent sets the text, wrapped at word boundaries to the panel's width, each line's
// continuations under its text (see hangingWrap).
func (s *scroller) SetContent(text string) {
	s.text = text
	s.vp.SetContent(hangingWrap(text, max(1, s.vp.Width())))
}

// hangLead is a line's lead that its wrapped continuations stand under: its indent and a list
// marker ("  6. ", "- ").
var hangLead = regexp.MustCompile(`^ *(?:\d+\. +|[-•] +)?`)

// hangingWrap wraps text at word boundaries to width with a hanging indent: a line's
// continuations start under its text, past its indent and list marker, where the line's lead
// leaves room for words.
func hangingWrap(text string, width int) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lead := hangLead.FindString(l)
		w := textWidth(lead)
		if 2*w > width {
			lead, w = "", 0
		}
		body := ansi.Wrap(l[len(lead):], max(1, width-w), "")
		lines[i] = lead + strings.ReplaceAll(body, "\n", "\n"+strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

// SetSize is the panel's size, its "more" line included.
func (s *scroller) SetSize(w, h int) {
	if w = max(1, w); w != s.vp.Width() {
		s.vp.SetWidth(w)
		s.SetContent(s.text)
	}
	s.vp.SetHeight(max(1, h-1))
}

// Scroll moves by n lines (negative: up); a whole page for n = ±page.
func (s *scroller) Scroll(n int) {
	if n < 0 {
		s.vp.ScrollUp(-n)
	} else {
		s.vp.ScrollDown(n)
	}
}

// Key scrolls by the console's movement keys: a line (↑/k, ↓/j), a page (pgup, pgdn), to
// either end (g, G). pages limits it to the page keys, for a panel beside fields where the
// arrows move between fields. It reports whether it used the key.
func (s *scroller) Key(msg tea.KeyPressMsg, pages bool) bool {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.PageUp):
		s.Scroll(-s.Page())
	case key.Matches(msg, k.PageDown):
		s.Scroll(s.Page())
	case pages:
		return false
	case key.Matches(msg, k.Up):
		s.Scroll(-1)
	case key.Matches(msg, k.Down):
		s.Scroll(1)
	case key.Matches(msg, k.Home):
		s.vp.GotoTop()
	case key.Matches(msg, k.End):
		s.vp.GotoBottom()
	default:
		return false
	}
	return true
}

// Page is how many lines one page scrolls.
func (s *scroller) Page() int { return max(1, s.vp.Height()-1) }

// Scrollable reports whether the text is longer than the panel.
func (s *scroller) Scrollable() bool { return s.vp.TotalLineCount() > s.vp.Height() }

func (s *scroller) View() string {
	st := s.c.styles
	more := ""
	switch {
	case !s.Scrollable():
	case s.vp.AtBottom():
		more = "↑ " + tMoreAbove
	case s.vp.AtTop():
		more = "↓ " + tMoreBelow
	default:
		more = "↑↓ " + tMoreBoth
	}
	if s.hint != "" {
		more = strings.TrimPrefix(more+" · "+s.hint, " · ")
	}
	return s.vp.View() + "\n" + st.Hint.Render(more)
}

// fact is one piece of a line that gives way when room is short: its words, shorter ones
// (short; empty: the same), and its rank (0 always stays; the highest gives way first).
type fact struct {
	long, short string
	rank        int
}

// fitFacts joins facts with sep in at most width cells: every fact in its long words, else in
// its short ones, else without the highest-ranked facts, one rank at a time; the rank-0
// facts are cut as cell cuts when even they do not fit.
func fitFacts(facts []fact, sep string, width int) string {
	top := 0
	for _, f := range facts {
		top = max(top, f.rank)
	}
	join := func(below int, short bool) string {
		var kept []string
		for _, f := range facts {
			text := f.long
			if short && f.short != "" {
				text = f.short
			}
			if f.rank < below && text != "" {
				kept = append(kept, text)
			}
		}
		return strings.Join(kept, sep)
	}
	for below := top + 1; below >= 1; below-- {
		for _, short := range []bool{false, true} {
			if line := join(below, short); textWidth(line) <= width {
				return line
			}
		}
	}
	return strings.TrimRight(cell(join(1, true), width), " ")
}

// cell fits text to exactly width cells, with an ellipsis when it is cut.
func cell(text string, width int) string {
	if width <= 0 {
		return ""
	}
	w := textWidth(text)
	if w > width {
		text = ansi.Truncate(text, width, "…")
		w = textWidth(text)
	}
	return text + strings.Repeat(" ", max(0, width-w))
}

// textWidth is how many cells text takes. Names, plates and cities are Latin letters, one
// cell each, and a table redraws thousands of them a second: those are counted directly;
// anything else (escape codes, combining marks, wide or symbol characters) takes the full
// grapheme rules.
func textWidth(text string) int {
	n := 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return lipgloss.Width(text)
			}
			n, i = n+1, i+1
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r >= 0x300 || r < 0xa0 { // combining marks and beyond; C1 controls
			return lipgloss.Width(text)
		}
		n, i = n+1, i+size
	}
	return n
}
