package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// searchBox is a list page's "/" search: a text field that, while focused, takes every key.
// "/" starts a new query (the old one is replaced, not appended to); enter keeps the query and
// leaves the field; esc clears it and leaves.
type searchBox struct {
	c      *common
	input  *textinput.Model
	typing bool
}

func newSearchBox(c *common) searchBox {
	in := c.newInput()
	in.Prompt = tFilter
	in.CharLimit = 80
	return searchBox{c: c, input: in}
}

func (s *searchBox) Value() string { return s.input.Value() }

// SetHint sets what the empty field says it searches ("nome, CPF, placa ou cidade").
func (s *searchBox) SetHint(h string) {
	s.input.Placeholder = h
	s.fit()
}

// fit sizes the field for what it shows: a text field with no width cuts its placeholder to
// one letter, and one with a width pads and scrolls its text. So the empty field is as wide
// as its hint, and a field with text has no width (the text is never longer than the limit).
func (s *searchBox) fit() {
	if s.input.Value() == "" {
		s.input.SetWidth(lipgloss.Width(s.input.Placeholder))
		return
	}
	s.input.SetWidth(0)
}

// Start focuses an empty field; it reports whether a query was dropped.
func (s *searchBox) Start() (bool, tea.Cmd) {
	s.typing = true
	return s.Clear(), s.input.Focus()
}

// Clear empties the query; it reports whether there was one.
func (s *searchBox) Clear() bool {
	had := s.input.Value() != ""
	s.input.SetValue("")
	s.fit()
	return had
}

// Help is the keys that work while typing.
func (s *searchBox) Help() []key.Binding { return []key.Binding{s.c.keys.Confirm, s.c.keys.Back} }

// Key handles a key while typing; it reports whether the query changed.
func (s *searchBox) Key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Confirm):
		s.typing = false
		s.input.Blur()
		return false, nil
	case key.Matches(msg, k.Back):
		s.typing = false
		s.input.Blur()
		return s.Clear(), nil
	}
	return s.update(msg)
}

// update gives the field a key or a paste, and fits it to what it then holds. The field has
// no width while it takes the text, so that it never scrolls it.
func (s *searchBox) update(msg tea.Msg) (bool, tea.Cmd) {
	before := s.input.Value()
	s.input.SetWidth(0)
	var cmd tea.Cmd
	*s.input, cmd = s.input.Update(msg)
	s.fit()
	return s.input.Value() != before, cmd
}

// Paste takes pasted text into the field while typing.
func (s *searchBox) Paste(msg tea.PasteMsg) (bool, tea.Cmd) { return s.update(msg) }

// View is the field while it is used, else a hint of its key.
func (s *searchBox) View() string {
	if s.typing || s.input.Value() != "" {
		return s.input.View()
	}
	return s.c.styles.Hint.Render(tFilter + "/")
}
