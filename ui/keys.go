package ui

import (
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the console's shared bindings, as the footer names them; the per-view key sets
// below are built from it, one set per view and session (newPendingKeys and the others), so
// every binding of the console is written in this file. Each page keeps its own copy of the
// bindings it uses and sets their enabled state from its state in one place (its
// updateKeys); its handlers match those same bindings, so a key the footer does not offer
// does nothing, and a key it offers always does what it says.
type KeyMap struct {
	Pages                      key.Binding
	Next, Prev                 key.Binding
	Up, Down, PageUp, PageDown key.Binding
	Home, End                  key.Binding
	Open, Back, Filter         key.Binding
	Help, CloseHelp, Quit      key.Binding
	ForceQuit                  key.Binding
	Save, Guide, Press         key.Binding
	Tick, TickAll, Import      key.Binding
	Sync, Cancel, Toggle, Time key.Binding
	TabNext                    key.Binding
	Association, AllAssocs     key.Binding
	NewAssoc, Enable, Use      key.Binding
	Confirm, Accept            key.Binding
	Yes, No, Dismiss           key.Binding
	// In a text field the letters are text: only the arrows move between fields.
	FieldUp, FieldDown key.Binding
	// The association picker's cursor: its filter takes the letters.
	PickerUp, PickerDown key.Binding
}

// DefaultKeys returns a new key map.
func DefaultKeys() KeyMap {
	return KeyMap{
		Pages:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6"), key.WithHelp("1-6", tKeyPages)),
		Next:      one("tab", tNextField),
		Prev:      one("shift+tab", tPrevField),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", tKeyUp)),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", tKeyDown)),
		PageUp:    one("pgup", tKeyPageUp),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", tKeyPageDown)),
		Home:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", tKeyHome)),
		End:       key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", tKeyEnd)),
		Open:      one("enter", tKeyOpen),
		Back:      one("esc", tBack),
		Filter:    one("/", tKeyFilter),
		Help:      one("?", tKeyHelp),
		CloseHelp: one("esc", tClose), // the open ? help
		Quit:      one("q", tKeyQuit),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c")), // always, even in a field
		Save:      one("ctrl+s", tSave),
		Guide:     one("ctrl+g", tGuideToggle),
		Press:     one("enter", tKeyPress),
		Tick:      key.NewBinding(key.WithKeys("space"), key.WithHelp(tKeySpace, tKeyTick)),
		TickAll:   one("a", tKeyTickAll),
		Import:    one("i", tImport),
		Sync:      one("s", tSyncActive),
		Cancel:    one("x", tKeyCancelSync),
		Toggle:    one("d", tKeyToggleDaily),
		Time:      one("h", tKeyDailyTime),
		TabNext:   key.NewBinding(key.WithKeys("tab", "right", "left", "shift+tab"), key.WithHelp("tab", tKeyTabs)),
		Confirm:   one("enter", tKeyConfirmSearch),
		// Associations: the picker works on every page; the others are their pages' own.
		Association: one("ctrl+a", tPickAssociation),
		AllAssocs:   one("t", tSearchAll),
		NewAssoc:    one("n", tNewAssociation),
		Enable:      one("d", tDisableEnable),
		Use:         one("enter", tUseAssociation),
		Accept:      one("enter", tSave),
		Yes:         key.NewBinding(key.WithKeys("s", "y", "enter"), key.WithHelp("s", tKeyYes)),
		No:          key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", tKeyNo)),
		// A notice in the status bar closes with any answer: the key meant for the question
		// it replaced does nothing else.
		Dismiss:    key.NewBinding(key.WithKeys("enter", "esc", "s", "y", "n"), key.WithHelp("enter", tClose)),
		FieldUp:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", tPrevField)),
		FieldDown:  key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", tNextField)),
		PickerUp:   key.NewBinding(key.WithKeys("up", "ctrl+p")),
		PickerDown: key.NewBinding(key.WithKeys("down", "ctrl+n")),
	}
}

// moveKeys are the bindings that move a list's cursor. A page whose own keys take some of
// theirs gives its list a copy without them (yield): one key has one meaning on a page, and
// the footer names it once.
type moveKeys struct{ Up, Down, PageUp, PageDown, Home, End key.Binding }

func (k KeyMap) moves() moveKeys {
	return moveKeys{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

func (m moveKeys) list() []key.Binding {
	return []key.Binding{m.Up, m.Down, m.PageUp, m.PageDown, m.Home, m.End}
}

// yield is the movement keys without the keys that taken bind (see withoutKeys).
func (m moveKeys) yield(taken ...key.Binding) moveKeys {
	drop := map[string]bool{}
	for _, b := range taken {
		for _, k := range b.Keys() {
			drop[k] = true
		}
	}
	without := func(b key.Binding) key.Binding { return withoutKeys(b, func(k string) bool { return drop[k] }) }
	return moveKeys{without(m.Up), without(m.Down), without(m.PageUp), without(m.PageDown), without(m.Home), without(m.End)}
}

// one is a binding of a single key, shown in the help as that key.
func one(k, help string) key.Binding {
	return key.NewBinding(key.WithKeys(k), key.WithHelp(k, help))
}

// withoutKeys is b without the keys drop names: a binding left with no key is disabled, one
// that lost some is named by those it kept ("home" for início when g is taken).
func withoutKeys(b key.Binding, drop func(string) bool) key.Binding {
	var kept, names []string
	for _, k := range b.Keys() {
		if !drop(k) {
			kept = append(kept, k)
			names = append(names, keyName(k))
		}
	}
	switch {
	case len(kept) == len(b.Keys()):
		return b
	case len(kept) == 0:
		return key.NewBinding(key.WithDisabled())
	}
	nb := key.NewBinding(key.WithKeys(kept...), key.WithHelp(strings.Join(names, "/"), b.Help().Desc))
	nb.SetEnabled(b.Enabled())
	return nb
}

// isText reports whether a key types a character into a field with focus (j, g, G), as
// opposed to a named key (up, pgdown, space).
func isText(k string) bool { return utf8.RuneCountInString(k) == 1 }

// keyName is how the footer writes a key.
func keyName(k string) string {
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "pgdown":
		return "pgdn"
	}
	return k
}

// mover is a page whose list moves by keys of its own (its movement keys yielded some to the
// page's): the full help names those.
type mover interface{ Moves() []key.Binding }

// helpGroups is every binding the footer offers now, in its three groups: the page's (with
// the pages and the association picker), the movement keys the page's list answers, and the
// root's. Each key is in one binding at most: the footer and the handlers read the same ones.
func (m *Model) helpGroups() [][]key.Binding {
	p, k := m.pages[m.active], m.keys
	moves := m.c.keys.moves().list()
	if mv, ok := p.(mover); ok {
		moves = slices.Clone(mv.Moves())
	}
	// A field with focus takes the letters among the movement keys as text, and the open help
	// takes esc: the help names each key by what it does now.
	typing, closes := p.Typing(), k.CloseHelp.Enabled()
	taken := func(name string) bool { return typing && isText(name) || closes && name == "esc" }
	own := append(p.Help(), k.Pages, k.Association)
	for _, g := range [][]key.Binding{own, moves} {
		for i, b := range g {
			g[i] = withoutKeys(b, taken)
		}
	}
	return [][]key.Binding{own, moves, {k.Cancel, k.Help, k.CloseHelp, k.Quit}}
}

// The views' own key sets. Each is made for one view of one session, from the session's
// KeyMap (the bindings it shares) and the keys only that view has: a view changes the
// enabled state and help of its copy without touching another's.

// integrationKeys are Integração SGA's bindings; updateKeys enables them from the page's
// state.
type integrationKeys struct {
	Next, Prev, Down, Press, Save, Guide, Scroll, Back key.Binding
	// In a field, letters are text: only the arrows move, and enter goes to the next field.
	FieldUp, FieldDown, Advance key.Binding
}

func newIntegrationKeys(k KeyMap) integrationKeys {
	return integrationKeys{
		Next: k.Next, Prev: k.Prev, Down: k.Down, Press: k.Press, Save: k.Save, Guide: k.Guide, Back: k.Back,
		Scroll:  key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", tGuideScroll)),
		FieldUp: k.FieldUp, FieldDown: k.FieldDown,
		Advance: key.NewBinding(key.WithKeys("enter")),
	}
}

// adminKeys are an open profile's bindings (Integrações and its runs).
type adminKeys struct {
	TabNext, Sync, Toggle, Time, Open, Scroll, Back, Accept key.Binding
}

func newAdminKeys(k KeyMap) adminKeys {
	return adminKeys{
		TabNext: k.TabNext, Sync: k.Sync, Toggle: k.Toggle, Time: k.Time, Open: k.Open, Back: k.Back, Accept: k.Accept,
		Scroll: key.NewBinding(key.WithKeys("up", "k", "down", "j", "pgup", "pgdown", "home", "g", "end", "G"), key.WithHelp("↑/↓", tScrollErrors)),
	}
}

// accessKeys are the Perfil tab's bindings (admins_access.go).
type accessKeys struct {
	Disable, Remove, RemoveKey key.Binding
}

func newAccessKeys() accessKeys {
	return accessKeys{
		Disable:   one("d", tProfileDisableEnable),
		Remove:    one("e", tProfileRemove),
		RemoveKey: one("r", tProfileRemoveKey),
	}
}

// clientKeys are an open client's bindings (Veículos and Dados).
type clientKeys struct {
	TabNext, Tick, TickAll, Import, Sync, Back key.Binding
}

func newClientKeys(k KeyMap) clientKeys {
	return clientKeys{TabNext: k.TabNext, Tick: k.Tick, TickAll: k.TickAll, Import: k.Import, Sync: k.Sync, Back: k.Back}
}

// contractsKeys are Contratos e OS's filters.
type contractsKeys struct {
	Kind, Status, Defaulted key.Binding
}

func newContractsKeys() contractsKeys {
	return contractsKeys{
		Kind:      one("f", tFilterKind),
		Status:    one("s", tFilterStatus),
		Defaulted: one("i", tFilterDefaulted),
	}
}

// orderKeys are an open service order's steps, and an Instalação's cancel question.
type orderKeys struct {
	Schedule, Contact, Start, Finish, Cancel key.Binding
	CloseContract, KeepContract              key.Binding
}

func newOrderKeys() orderKeys {
	return orderKeys{
		Schedule:      one("a", tSchedule),
		Contact:       one("c", tContact),
		Start:         one("e", tStart),
		Finish:        one("f", tFinish),
		Cancel:        one("x", tCancelOrder),
		CloseContract: one("s", tCloseContract),
		KeepContract:  one("n", tKeepContract),
	}
}

// assocKeys are Associações' bindings.
type assocKeys struct {
	Use, New, Enable key.Binding
}

func newAssocKeys(k KeyMap) assocKeys {
	return assocKeys{Use: k.Use, New: k.NewAssoc, Enable: k.Enable}
}

// pendingKeys are Pendências' bindings. g is gerar ordens here (the detail's hint says so):
// the list's início is home alone (the page's table yields g, see moveKeys.yield).
type pendingKeys struct {
	Tick, TickAll, Generate, Dismiss, All, Open, Back key.Binding
}

func newPendingKeys(k KeyMap) pendingKeys {
	return pendingKeys{
		Tick: k.Tick, TickAll: k.TickAll, Open: k.Open, Back: k.Back,
		Generate: one("g", tGenerate),
		Dismiss:  one("x", tDismiss),
		All:      one("t", tShowAll),
	}
}

// listKeys are a list page's own bindings: search, open the row, clear the search.
type listKeys struct {
	Filter, Open, Clear key.Binding
}

func newListKeys(k KeyMap) listKeys {
	return listKeys{Filter: k.Filter, Open: k.Open, Clear: one("esc", tClearSearch)}
}

// enabled is b enabled: a handler that answers a key its binding does not offer now (to say
// why not) matches it with this copy.
func enabled(b key.Binding) key.Binding {
	b.SetEnabled(true)
	return b
}

// sharesKey reports whether bindings a and b have a key in common.
func sharesKey(a, b key.Binding) bool {
	return slices.ContainsFunc(a.Keys(), func(k string) bool { return slices.Contains(b.Keys(), k) })
}

// Offered is every binding the footer offers now (offer), enabled, as it draws them: a
// question's answers, the association picker's keys, or the page's, its list's and the
// root's (the ? help's three groups).
func (m *Model) Offered() []key.Binding {
	m.updateKeys()
	var on []key.Binding
	for _, g := range m.offer().bindings() {
		for _, b := range g {
			if b.Enabled() {
				on = append(on, b)
			}
		}
	}
	return on
}
