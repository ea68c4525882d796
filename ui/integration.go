package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ponte/sga/syncer"
	"ponte/store"
)

// The integration form's fields and buttons, in focus order.
const (
	fUser = iota
	fPassword
	fAPIKey
	fProduct
	fSave
	fSyncToken
	fUpdateToken
	nFields
	fNone = -1
)

// integrationPage is "Integração SGA": the guide's form, saved and tested against SGA.
type integrationPage struct {
	c       *common
	keys    integrationKeys
	inputs  map[int]*textinput.Model
	errs    map[int]string
	focus   int
	stored  store.Integration
	busy    bool
	message string
	ok      bool
	checks  []syncer.RouteCheck
	guide   *scroller
	showing bool // the guide panel is open
	width   int
	height  int
}

type (
	integrationLoadedMsg struct {
		in  store.Integration
		err error
		// saved are the fields this session just saved, with the values it sent: a field
		// still holding what was sent takes the stored value; every other edit, made
		// before or while saving, survives the reload.
		saved map[int]string
	}
	integrationSavedMsg struct {
		saved  map[int]string
		checks []syncer.RouteCheck
		err    error
		// unknownProduct: nothing was saved, SGA has no such product; known lists its codes.
		unknownProduct bool
		known          []string
		// refused: nothing was saved, SGA refused the login or the token (syncer.Vet's error).
		refused error
	}
)

func newIntegrationPage(c *common) *integrationPage {
	p := &integrationPage{c: c, inputs: map[int]*textinput.Model{}, errs: map[int]string{}, focus: fNone,
		guide: newScroller(c), keys: newIntegrationKeys(c.keys)}
	p.guide.SetContent(guideSteps)
	p.guide.hint = "esc " + tClose
	for _, f := range []int{fUser, fPassword, fAPIKey, fProduct, fSyncToken} {
		in := c.newInput()
		in.Prompt = ""
		in.CharLimit = 4096
		in.SetWidth(48)
		if f == fPassword || f == fAPIKey || f == fSyncToken {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		p.inputs[f] = in
	}
	p.updateKeys()
	return p
}

func (p *integrationPage) Title() string { return tPageIntegration }

func (p *integrationPage) Init() tea.Cmd { return p.load(nil) }

func (p *integrationPage) load(saved map[int]string) tea.Cmd {
	st := p.c.st
	return func() tea.Msg {
		in, err := st.Integration()
		return integrationLoadedMsg{in, err, saved}
	}
}

func (p *integrationPage) SetSize(w, h int) {
	p.width, p.height = w, h
	p.layout(p.form())
}

// Activate reloads the settings another session may have saved; edits not saved yet are
// kept (see integrationLoadedMsg).
func (p *integrationPage) Activate() tea.Cmd {
	if p.busy {
		return nil
	}
	return p.load(nil)
}

// changed reports whether a field holds an edit not saved yet.
func (p *integrationPage) changed(f int) bool {
	switch f {
	case fUser:
		return p.inputs[f].Value() != p.stored.User
	case fProduct:
		return p.inputs[f].Value() != p.stored.ProductCode
	case fPassword, fAPIKey, fSyncToken:
		return p.inputs[f].Value() != ""
	}
	return false
}

func (p *integrationPage) Typing() bool {
	_, isInput := p.inputs[p.focus]
	return isInput
}

// updateKeys is the one place the page's bindings are enabled from its state. To an
// operator the form is read-only: nothing moves into it or saves it.
func (p *integrationPage) updateKeys() {
	k := &p.keys
	edits := p.c.supervisor()
	k.Next.SetEnabled(edits)
	k.Prev.SetEnabled(edits)
	k.Save.SetEnabled(edits && !p.busy)
	k.Press.SetEnabled(edits && !p.busy && (p.focus == fSave || p.focus == fUpdateToken))
	k.Back.SetEnabled(p.showing || p.focus != fNone)
	if p.showing { // esc closes the guide first, then leaves the field
		k.Back.SetHelp("esc", tClose)
	} else {
		k.Back.SetHelp("esc", tBack)
	}
	k.Down.SetEnabled(edits && p.focus == fNone)
	k.FieldUp.SetEnabled(p.focus != fNone)
	k.FieldDown.SetEnabled(p.focus != fNone)
	k.Advance.SetEnabled(edits && p.focus != fSave && p.focus != fUpdateToken)
	k.Scroll.SetEnabled(p.showing && p.guide.Scrollable())
	if p.showing {
		k.Guide.SetHelp("ctrl+g", tGuideHide)
	} else {
		k.Guide.SetHelp("ctrl+g", tGuideToggle)
	}
}

// Moves are the keys that move between the fields: the form has no list to scroll.
func (p *integrationPage) Moves() []key.Binding {
	return []key.Binding{p.keys.FieldUp, p.keys.FieldDown}
}

func (p *integrationPage) Help() []key.Binding {
	k := p.keys
	return []key.Binding{k.Next, k.Press, k.Save, k.Guide, k.Scroll, k.Back}
}

func (p *integrationPage) Update(msg tea.Msg) tea.Cmd {
	defer p.updateKeys()
	switch msg := msg.(type) {
	case integrationLoadedMsg:
		if msg.err != nil {
			p.c.svc.Logger.Error("read the integration", "err", msg.err)
			p.message, p.ok = tLoadFailed, false
			return nil
		}
		for f, v := range map[int]string{fUser: msg.in.User, fProduct: msg.in.ProductCode} {
			if sent, ok := msg.saved[f]; ok && p.inputs[f].Value() == sent || !p.changed(f) {
				p.inputs[f].SetValue(v)
			}
		}
		p.stored = msg.in
		for f, secret := range map[int]string{fPassword: msg.in.Password, fAPIKey: msg.in.APIKey, fSyncToken: msg.in.SyncToken} {
			if sent, ok := msg.saved[f]; ok && p.inputs[f].Value() == sent {
				p.inputs[f].SetValue("")
			}
			p.inputs[f].Placeholder = ""
			switch {
			case secret == "":
			case p.c.supervisor(): // a blank field keeps the stored one
				p.inputs[f].Placeholder = store.Mask(fieldName[f], secret) + " (" + tKeepSecret + ")"
			default: // read-only: nothing to keep or leave blank
				p.inputs[f].Placeholder = store.Mask(fieldName[f], secret)
			}
		}
		return nil
	case integrationSavedMsg:
		p.busy = false
		p.checks = msg.checks
		switch {
		case msg.unknownProduct:
			p.errs[fProduct] = tUnknownProduct
			p.message, p.ok = fmt.Sprintf(tProductNotSaved, p.inputs[fProduct].Value()), false
			if len(msg.known) > 0 {
				p.message += fmt.Sprintf(tKnownProducts, strings.Join(msg.known, ", "))
			}
			return toast(false, "%s", p.message)
		case msg.refused != nil:
			// The edits stay in the form, marked unsaved: the operator corrects them.
			p.message, p.ok = refusedText(msg.refused), false
			return toast(false, "%s", p.message)
		case errors.Is(msg.err, store.ErrForbidden):
			p.message, p.ok = tOnlySupervisors, false
			return toast(false, "%s", p.message)
		case msg.err != nil:
			p.c.svc.Logger.Error("save the integration", "err", msg.err)
			p.message, p.ok = tSaveFailed, false
			return tea.Batch(p.load(nil), toast(false, "%s", p.message))
		}
		p.message, p.ok = headline(msg.checks)
		return tea.Batch(p.load(msg.saved), toast(p.ok, "%s", p.message))
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	if in, ok := p.inputs[p.focus]; ok {
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return cmd
	}
	return nil
}

func (p *integrationPage) key(msg tea.KeyPressMsg) tea.Cmd {
	p.updateKeys()
	k := p.keys
	switch {
	case key.Matches(msg, k.Guide):
		p.showing = !p.showing
		p.layout(p.form())
		return nil
	case key.Matches(msg, k.Scroll):
		p.guide.Key(msg, true)
		return nil
	case key.Matches(msg, k.Back) && p.showing:
		p.showing = false
		p.layout(p.form())
		return nil
	case key.Matches(msg, k.Back):
		return p.setFocus(fNone)
	case key.Matches(msg, k.Next), key.Matches(msg, k.Down), key.Matches(msg, k.FieldDown):
		return p.setFocus((p.focus + 1) % nFields)
	case key.Matches(msg, k.Prev), key.Matches(msg, k.FieldUp):
		return p.setFocus((p.focus - 1 + nFields) % nFields)
	case key.Matches(msg, k.Save):
		return p.save()
	case !p.c.supervisor() && key.Matches(msg, p.c.keys.Save):
		return p.refuse() // the form is read-only to them: ctrl+s says why
	case key.Matches(msg, k.Press):
		if p.focus == fSave {
			return p.save()
		}
		return p.updateToken()
	case key.Matches(msg, k.Advance):
		if p.focus == fNone {
			return p.setFocus(fUser)
		}
		return p.setFocus(p.focus + 1)
	}
	if in, ok := p.inputs[p.focus]; ok {
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		delete(p.errs, p.focus)
		p.dropFixMessage()
		return cmd
	}
	return nil
}

// dropFixMessage takes away "Corrija os campos marcados." once nothing is marked.
func (p *integrationPage) dropFixMessage() {
	if p.message == tFixErrors && len(p.errs) == 0 {
		p.message = ""
	}
}

// setFocus blurs every field and focuses one, returning its cursor's blink.
func (p *integrationPage) setFocus(f int) tea.Cmd {
	if p.focus != fNone {
		p.validate(p.focus)
	}
	for _, in := range p.inputs {
		in.Blur()
	}
	p.focus = f
	if in, ok := p.inputs[f]; ok {
		return in.Focus()
	}
	return nil
}

// fieldName is the store's name of each field: the store's rules (store.CheckSetting) are the
// form's rules.
var fieldName = map[int]string{fUser: store.FieldUser, fPassword: store.FieldPassword, fAPIKey: store.FieldAPIKey,
	fProduct: store.FieldProductCode, fSyncToken: store.FieldSyncToken}

// settingProblem says in Portuguese what store.CheckSetting refused; "" when nothing.
func settingProblem(err error) string {
	var fe *store.FieldError
	if !errors.As(err, &fe) {
		if err != nil {
			return tInvalidValue
		}
		return ""
	}
	switch fe.Problem {
	case store.ProblemEmpty:
		return tRequired
	case store.ProblemTooLong:
		return fmt.Sprintf(tTooLong, fe.Limit)
	case store.ProblemDigitsOnly:
		return tDigitsOnly
	case store.ProblemSpaces:
		return tNoSpaces
	case store.ProblemControl, store.ProblemBidi:
		return fmt.Sprintf(tForbiddenChar, fe.Pos)
	case store.ProblemInvalidUTF8:
		return fmt.Sprintf(tInvalidUTF8, fe.Pos)
	}
	return tInvalidValue
}

// defused shows a typed or pasted bidirectional control as U+FFFD: the terminal would
// otherwise obey it and show the field's text reordered. (The value keeps it, and validation
// refuses it with its position.)
func defused(view string) string {
	return strings.Map(func(r rune) rune {
		if store.IsBidiControl(r) {
			return '\uFFFD'
		}
		return r
	}, view)
}

// validate checks one field and records its message; it reports whether it is valid.
func (p *integrationPage) validate(f int) bool {
	in, ok := p.inputs[f]
	if !ok {
		return true
	}
	v := in.Value()
	stored := map[int]string{fPassword: p.stored.Password, fAPIKey: p.stored.APIKey, fSyncToken: p.stored.SyncToken}
	msg := ""
	switch {
	case v == "" && stored[f] != "":
		// a secret left empty keeps what is stored
	case v != "" && strings.TrimSpace(v) == "":
		msg = tOnlySpaces
	default:
		msg = settingProblem(store.CheckSetting(fieldName[f], strings.TrimSpace(v)))
	}
	if msg == "" {
		delete(p.errs, f)
		return true
	}
	p.errs[f] = msg
	return false
}

// save is "Salvar": the manual fields, tested, saved, then tested route by route. What SGA
// refuses is not saved (see run).
func (p *integrationPage) save() tea.Cmd {
	if p.busy {
		return nil
	}
	if !p.c.supervisor() {
		return p.refuse()
	}
	valid := true
	for _, f := range []int{fUser, fPassword, fAPIKey, fProduct} {
		valid = p.validate(f) && valid
	}
	if !valid {
		p.message, p.ok, p.checks = tFixErrors, false, nil
		return nil
	}
	var patch store.IntegrationPatch
	saved := map[int]string{}
	for _, f := range []int{fUser, fProduct, fPassword, fAPIKey} {
		saved[f] = p.inputs[f].Value()
	}
	user := strings.TrimSpace(p.inputs[fUser].Value())
	code := strings.TrimSpace(p.inputs[fProduct].Value())
	patch.User, patch.ProductCode = &user, &code
	if v := strings.TrimSpace(p.inputs[fPassword].Value()); v != "" {
		patch.Password = &v
	}
	if v := strings.TrimSpace(p.inputs[fAPIKey].Value()); v != "" {
		patch.APIKey = &v
	}
	return p.run(patch, saved, true, false)
}

// updateToken is "Atualizar Token": the Sincronismo SGA token, saved and tested. Unsaved
// edits of the manual fields stay as they are, unsaved.
func (p *integrationPage) updateToken() tea.Cmd {
	if p.busy {
		return nil
	}
	if !p.c.supervisor() {
		return p.refuse()
	}
	v := strings.TrimSpace(p.inputs[fSyncToken].Value())
	if v == "" && p.stored.SyncToken == "" || !p.validate(fSyncToken) {
		if v == "" {
			p.errs[fSyncToken] = tRequired
		}
		p.message, p.ok, p.checks = tFixErrors, false, nil
		return nil
	}
	var patch store.IntegrationPatch
	if v != "" {
		patch.SyncToken = &v
	}
	return p.run(patch, map[int]string{fSyncToken: p.inputs[fSyncToken].Value()}, false, true)
}

// refuse says that only supervisors change an integration.
func (p *integrationPage) refuse() tea.Cmd {
	p.message, p.ok, p.checks = tOnlySupervisors, false, nil
	return toast(false, "%s", tOnlySupervisors)
}

func (p *integrationPage) run(patch store.IntegrationPatch, saved map[int]string, manual, sync bool) tea.Cmd {
	p.busy, p.message, p.ok, p.checks = true, tTesting, true, nil
	st, eng, actor, url, stored, life := p.c.st, p.c.svc.Engine, p.c.actor, p.c.svc.SGAURL, p.stored, p.c.ctx
	return func() tea.Msg {
		// Tested before it is saved, as ponte config set does: credentials or a token SGA
		// refuses, or a product code it does not have (every vehicle would look gone), are
		// not saved, and the stored ones stay. When SGA cannot be asked, it is saved, and the
		// test below says so.
		if eng != nil {
			ctx, cancel := context.WithTimeout(life, 30*time.Second)
			known, err := syncer.Vet(ctx, stored, patch, url)
			cancel()
			switch {
			case errors.Is(err, syncer.ErrUnknownProduct):
				return integrationSavedMsg{unknownProduct: true, known: known}
			case errors.Is(err, syncer.ErrLoginRefused), errors.Is(err, syncer.ErrTokenRefused):
				return integrationSavedMsg{refused: err}
			case life.Err() != nil: // the session ended during the test: nothing untested is saved
				return integrationSavedMsg{err: life.Err()}
			}
		}
		if _, err := st.SetIntegration(patch, actor); err != nil {
			return integrationSavedMsg{err: err}
		}
		in, err := st.Integration()
		if err != nil || eng == nil {
			return integrationSavedMsg{saved: saved, err: err}
		}
		rules, err := st.Rules()
		if err != nil {
			return integrationSavedMsg{saved: saved, err: err}
		}
		ctx, cancel := context.WithTimeout(life, time.Minute)
		defer cancel()
		return integrationSavedMsg{saved: saved, checks: eng.Probe(ctx, in, rules, manual, sync, url)}
	}
}

// The form's geometry: a label column, then the field.
const labelWidth = 20

// layout sizes the guide panel to what the form leaves of the page (at least a few lines).
func (p *integrationPage) layout(form string) {
	used := lipgloss.Height(form) - 1                            // the form ends with a newline
	p.guide.SetSize(max(10, p.width-4), max(4, p.height-used-2)) // less the box's borders
}

func (p *integrationPage) View() string {
	form := p.form()
	if !p.showing {
		return form + p.checksView() + p.c.demoView(p.width)
	}
	p.layout(form)
	return form + p.c.styles.Box.Render(p.guide.View())
}

// form is the fields, the buttons and the last action's message.
func (p *integrationPage) form() string {
	st := p.c.styles
	var b strings.Builder
	field := func(f int, label string) {
		style, marker := st.Label, markNone
		if p.focus == f {
			style, marker = st.LabelFocus, markCursor
		}
		if p.changed(f) {
			label += " *"
		}
		b.WriteString(marker + style.Render(cell(label, labelWidth-len(markNone))) + defused(p.inputs[f].View()) + "\n")
		if msg := p.errs[f]; msg != "" {
			b.WriteString(cell("", labelWidth) + st.Error.Render("✗ "+msg) + "\n")
		}
	}
	buttonLine := func(f int, label string, fields ...int) {
		line := cell("", labelWidth) + button(st, label, p.focus == f)
		for _, g := range fields {
			if p.changed(g) {
				line += "  " + st.Hint.Render(tUnsaved)
				break
			}
		}
		b.WriteString(line + "\n")
	}
	edits := p.c.supervisor()
	if !edits {
		b.WriteString(st.Warning.Render(cell(tReadOnlyIntegration, p.width)) + "\n")
	}
	b.WriteString(st.Title.Render(tManualSection) + "\n")
	field(fUser, tUser)
	field(fPassword, tPassword)
	field(fAPIKey, tAPIKey)
	field(fProduct, tProductCode)
	if edits {
		buttonLine(fSave, tSave, fUser, fPassword, fAPIKey, fProduct)
	}
	b.WriteString(st.Title.Render(tAutoSection) + "\n")
	field(fSyncToken, tSyncToken)
	if edits {
		buttonLine(fUpdateToken, tUpdateToken, fSyncToken)
	}
	if p.message != "" {
		style := st.Success
		switch {
		case p.busy:
			style = st.Hint
		case !p.ok:
			style = st.Warning
		}
		b.WriteString(style.Render(ansi.Wrap(p.message, max(1, p.width), "")) + "\n")
	}
	return b.String()
}
