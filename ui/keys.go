package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of the console. Pages enable and disable bindings from their state
// on every update, so the footer's help never shows a key that does nothing.
type KeyMap struct {
	Page1, Page2, Page3, Page4 key.Binding
	Next, Prev                 key.Binding
	Up, Down, PageUp, PageDown key.Binding
	Open, Back, Filter         key.Binding
	Help, Quit                 key.Binding
	Save, Guide                key.Binding
	Tick, TickAll, Import      key.Binding
	Sync, Cancel, Toggle, Time key.Binding
	TabNext                    key.Binding
	Yes, No                    key.Binding
}

// DefaultKeys returns a new key map (each session its own: bindings carry enabled state).
func DefaultKeys() KeyMap {
	return KeyMap{
		Page1:    key.NewBinding(key.WithKeys("1"), key.WithHelp("1-4", "páginas")),
		Page2:    key.NewBinding(key.WithKeys("2")),
		Page3:    key.NewBinding(key.WithKeys("3")),
		Page4:    key.NewBinding(key.WithKeys("4")),
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "próximo campo")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "campo anterior")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "acima")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "abaixo")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "página acima")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "página abaixo")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "abrir")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", tBack)),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "buscar")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "ajuda")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "sair")),
		Save:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", tSave)),
		Guide:    key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", tGuideToggle)),
		Tick:     key.NewBinding(key.WithKeys(" "), key.WithHelp("espaço", "marcar")),
		TickAll:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "marcar todos")),
		Import:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", tImport)),
		Sync:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", tSyncActive)),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancelar sincronismo")),
		Toggle:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "liga/desliga o diário")),
		Time:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "horário do diário")),
		TabNext:  key.NewBinding(key.WithKeys("tab", "right", "left", "shift+tab"), key.WithHelp("tab/←/→", "abas")),
		Yes:      key.NewBinding(key.WithKeys("s", "y", "enter"), key.WithHelp("s", "confirmar")),
		No:       key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "cancelar")),
	}
}
