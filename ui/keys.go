package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the console, as the footer names them. Each page keeps its own
// copy of the bindings it uses and sets their enabled state from its state in one place (its
// updateKeys); its handlers match those same bindings, so a key the footer does not offer
// does nothing, and a key it offers always does what it says.
type KeyMap struct {
	Pages                      key.Binding
	Next, Prev                 key.Binding
	Up, Down, PageUp, PageDown key.Binding
	Home, End                  key.Binding
	Open, Back, Filter         key.Binding
	Help, Quit, ForceQuit      key.Binding
	Save, Guide, Press         key.Binding
	Tick, TickAll, Import      key.Binding
	Sync, Cancel, Toggle, Time key.Binding
	TabNext                    key.Binding
	Association, AllAssocs     key.Binding
	NewAssoc, Enable, Use      key.Binding
	Confirm, Accept            key.Binding
	Yes, No                    key.Binding
}

// DefaultKeys returns a new key map.
func DefaultKeys() KeyMap {
	return KeyMap{
		Pages:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6"), key.WithHelp("1-6", "páginas")),
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "próximo campo")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "campo anterior")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "acima")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "abaixo")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "página acima")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "página abaixo")),
		Home:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "início")),
		End:       key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "fim")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "abrir")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", tBack)),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "buscar")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "ajuda")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "sair")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c")), // always, even in a field
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", tSave)),
		Guide:     key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", tGuideToggle)),
		Press:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "acionar")),
		Tick:      key.NewBinding(key.WithKeys("space"), key.WithHelp("espaço", "marcar")),
		TickAll:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "marcar todos")),
		Import:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", tImport)),
		Sync:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", tSyncActive)),
		Cancel:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancelar sincronismo")),
		Toggle:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "liga/desliga o diário")),
		Time:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "horário do diário")),
		TabNext:   key.NewBinding(key.WithKeys("tab", "right", "left", "shift+tab"), key.WithHelp("tab", "abas")),
		Confirm:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirmar busca")),
		// Associations: the picker works on every page; the others are their pages' own.
		Association: key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", tPickAssociation)),
		AllAssocs:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", tSearchAll)),
		NewAssoc:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", tNewAssociation)),
		Enable:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", tDisableEnable)),
		Use:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tUseAssociation)),
		Accept:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tSave)),
		Yes:         key.NewBinding(key.WithKeys("s", "y", "enter"), key.WithHelp("s", "confirmar")),
		No:          key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "cancelar")),
	}
}
