package ui

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// searchBox is a list page's "/" search: a text field that, while focused, takes every key.
// enter keeps the query and leaves the field; esc clears it and leaves.
type searchBox struct {
	input  textinput.Model
	typing bool
}

func newSearchBox(c *common) searchBox {
	in := newInput(c)
	in.Prompt = tFilter
	in.CharLimit = 80
	return searchBox{input: in}
}

// newInput is a text field styled from the session's renderer: bubbles' defaults would use the
// process's, which describes the server's terminal, not an SSH session's.
func newInput(c *common) textinput.Model {
	in := textinput.New()
	st := c.styles
	in.PromptStyle, in.TextStyle, in.PlaceholderStyle = st.Plain, st.Plain, st.Hint
	in.CompletionStyle = st.Hint
	in.Cursor.Style, in.Cursor.TextStyle = st.Plain.Reverse(true), st.Plain
	return in
}

func (s *searchBox) Value() string { return s.input.Value() }

// Start focuses the field.
func (s *searchBox) Start() tea.Cmd {
	s.typing = true
	return s.input.Focus()
}

// Clear empties the query; it reports whether there was one.
func (s *searchBox) Clear() bool {
	had := s.input.Value() != ""
	s.input.SetValue("")
	return had
}

// Key handles a key while typing; it reports whether the query changed.
func (s *searchBox) Key(msg tea.KeyMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "enter":
		s.typing = false
		s.input.Blur()
		return false, nil
	case "esc":
		s.typing = false
		s.input.Blur()
		return s.Clear(), nil
	}
	before := s.input.Value()
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return s.input.Value() != before, cmd
}

// View is the field while it is used, else a hint of its key.
func (s *searchBox) View(st Styles) string {
	if s.typing || s.input.Value() != "" {
		return s.input.View()
	}
	return st.Hint.Render(tFilter + "/")
}
