package ui

import "github.com/charmbracelet/lipgloss"

// Styles are built from the session's renderer, so that each SSH session gets colours that fit
// its own terminal (or none, for NO_COLOR and TERM=dumb).
type Styles struct {
	Plain       lipgloss.Style
	App         lipgloss.Style
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
	Row         lipgloss.Style
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

// NewStyles builds the styles on r.
func NewStyles(r *lipgloss.Renderer) Styles {
	accent := lipgloss.AdaptiveColor{Light: "25", Dark: "39"}
	subtle := lipgloss.AdaptiveColor{Light: "245", Dark: "243"}
	green := lipgloss.AdaptiveColor{Light: "28", Dark: "42"}
	red := lipgloss.AdaptiveColor{Light: "160", Dark: "203"}
	yellow := lipgloss.AdaptiveColor{Light: "136", Dark: "220"}
	barBg := lipgloss.AdaptiveColor{Light: "254", Dark: "236"}
	return Styles{
		Plain:       r.NewStyle(),
		App:         r.NewStyle().Padding(0, 1),
		Tab:         r.NewStyle().Padding(0, 1).Foreground(subtle),
		TabActive:   r.NewStyle().Padding(0, 1).Bold(true).Underline(true).Foreground(accent),
		Title:       r.NewStyle().Bold(true).Foreground(accent),
		Label:       r.NewStyle(),
		LabelFocus:  r.NewStyle().Bold(true).Foreground(accent),
		Hint:        r.NewStyle().Foreground(subtle),
		Error:       r.NewStyle().Foreground(red),
		Success:     r.NewStyle().Foreground(green).Bold(true),
		Warning:     r.NewStyle().Foreground(yellow),
		Button:      r.NewStyle().Padding(0, 1).Border(lipgloss.NormalBorder(), false, true).BorderForeground(subtle),
		ButtonFocus: r.NewStyle().Padding(0, 1).Bold(true).Reverse(true).Border(lipgloss.NormalBorder(), false, true),
		Row:         r.NewStyle(),
		RowSelected: r.NewStyle().Bold(true).Reverse(true),
		RowDisabled: r.NewStyle().Foreground(subtle),
		Header:      r.NewStyle().Bold(true).Underline(true),
		Status:      r.NewStyle().Foreground(subtle),
		StatusKey:   r.NewStyle().Bold(true),
		Box:         r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(subtle).Padding(0, 1),
		BarFull:     r.NewStyle().Foreground(accent),
		BarEmpty:    r.NewStyle().Foreground(barBg),
		HelpKey:     r.NewStyle().Bold(true),
		HelpDesc:    r.NewStyle().Foreground(subtle),
	}
}
