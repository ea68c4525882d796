package ui

import "charm.land/lipgloss/v2"

// Styles are the console's look. Colours pick their shade from the session's background
// (dark until the terminal says otherwise); the program brings them down to what the
// session's terminal can show, down to none for NO_COLOR and TERM=dumb. Nothing the console
// means is carried by colour alone: the cursor row, the focused button and the active tab
// each have a text marker too (see marks.go).
type Styles struct {
	Plain       lipgloss.Style
	Tab         lipgloss.Style
	TabActive   lipgloss.Style
	Title       lipgloss.Style
	Label       lipgloss.Style
	LabelFocus  lipgloss.Style
	Hint        lipgloss.Style
	Error       lipgloss.Style
	Success     lipgloss.Style
	Warning     lipgloss.Style
	Button      lipgloss.Style
	ButtonFocus lipgloss.Style
	RowSelected lipgloss.Style
	RowDisabled lipgloss.Style
	Header      lipgloss.Style
	Status      lipgloss.Style
	StatusKey   lipgloss.Style
	Box         lipgloss.Style
	BarFull     lipgloss.Style
	BarEmpty    lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
}

// NewStyles builds the styles for a dark or a light background.
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	accent := ld(lipgloss.Color("25"), lipgloss.Color("39"))
	subtle := ld(lipgloss.Color("245"), lipgloss.Color("243"))
	green := ld(lipgloss.Color("28"), lipgloss.Color("42"))
	red := ld(lipgloss.Color("160"), lipgloss.Color("203"))
	yellow := ld(lipgloss.Color("136"), lipgloss.Color("220"))
	barBg := ld(lipgloss.Color("254"), lipgloss.Color("236"))
	s := lipgloss.NewStyle()
	return Styles{
		Plain:       s,
		Tab:         s.Foreground(subtle),
		TabActive:   s.Bold(true).Foreground(accent),
		Title:       s.Bold(true).Foreground(accent),
		Label:       s,
		LabelFocus:  s.Bold(true).Foreground(accent),
		Hint:        s.Foreground(subtle),
		Error:       s.Foreground(red),
		Success:     s.Foreground(green).Bold(true),
		Warning:     s.Foreground(yellow),
		Button:      s.Foreground(subtle),
		ButtonFocus: s.Bold(true).Reverse(true),
		RowSelected: s.Bold(true).Reverse(true),
		RowDisabled: s.Foreground(subtle),
		Header:      s.Bold(true).Underline(true),
		Status:      s.Foreground(subtle),
		StatusKey:   s.Bold(true),
		Box:         s.Border(lipgloss.RoundedBorder()).BorderForeground(subtle).Padding(0, 1),
		BarFull:     s.Foreground(accent),
		BarEmpty:    s.Foreground(barBg),
		HelpKey:     s.Bold(true),
		HelpDesc:    s.Foreground(subtle),
	}
}
