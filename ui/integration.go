package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

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
	inputs  map[int]*textinput.Model
	errs    map[int]string
	focus   int
	stored  store.Integration
	busy    bool
	message string
	ok      bool
	checks  []syncer.RouteCheck
	guide   bool
	width   int
	height  int
}

type (
	integrationLoadedMsg struct {
		in  store.Integration
		err error
	}
	integrationSavedMsg struct {
		changed []string
		checks  []syncer.RouteCheck
		err     error
		// unknownProduct: nothing was saved, SGA has no such product; known lists its codes.
		unknownProduct bool
		known          []string
	}
)

func newIntegrationPage(c *common) *integrationPage {
	p := &integrationPage{c: c, inputs: map[int]*textinput.Model{}, errs: map[int]string{}, focus: fNone}
	for _, f := range []int{fUser, fPassword, fAPIKey, fProduct, fSyncToken} {
		in := newInput(c)
		in.Prompt = ""
		in.CharLimit = 4096
		in.Width = 50
		if f == fPassword || f == fAPIKey || f == fSyncToken {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '•'
		}
		p.inputs[f] = &in
	}
	return p
}

func (p *integrationPage) Title() string { return tPageIntegration }

func (p *integrationPage) Init() tea.Cmd { return p.load() }

func (p *integrationPage) load() tea.Cmd {
	st := p.c.svc.Store
	return func() tea.Msg {
		in, err := st.Integration()
		return integrationLoadedMsg{in, err}
	}
}

func (p *integrationPage) SetSize(w, h int) { p.width, p.height = w, h }

// Activate reloads the settings another session may have saved, unless this one has edits
// not saved yet: those are never thrown away.
func (p *integrationPage) Activate() tea.Cmd {
	if p.busy || p.edited() {
		return nil
	}
	return p.load()
}

func (p *integrationPage) edited() bool {
	return p.inputs[fUser].Value() != p.stored.User || p.inputs[fProduct].Value() != p.stored.ProductCode ||
		p.inputs[fPassword].Value() != "" || p.inputs[fAPIKey].Value() != "" || p.inputs[fSyncToken].Value() != ""
}

func (p *integrationPage) Typing() bool {
	_, isInput := p.inputs[p.focus]
	return isInput
}

func (p *integrationPage) Help() []key.Binding {
	k := p.c.keys
	save := k.Save
	save.SetEnabled(!p.busy)
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "acionar"))
	open.SetEnabled(p.focus == fSave || p.focus == fUpdateToken)
	next := k.Next
	back := k.Back
	back.SetEnabled(p.focus != fNone)
	return []key.Binding{next, open, save, k.Guide, back}
}

func (p *integrationPage) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case integrationLoadedMsg:
		if msg.err != nil {
			p.c.svc.Logger.Error("read the integration", "err", msg.err)
			p.message, p.ok = tLoadFailed, false
			return nil
		}
		p.stored = msg.in
		p.inputs[fUser].SetValue(msg.in.User)
		p.inputs[fProduct].SetValue(msg.in.ProductCode)
		for f, secret := range map[int]string{fPassword: msg.in.Password, fAPIKey: msg.in.APIKey, fSyncToken: msg.in.SyncToken} {
			p.inputs[f].SetValue("")
			p.inputs[f].Placeholder = ""
			if secret != "" {
				p.inputs[f].Placeholder = store.Mask(secret) + " (" + tKeepSecret + ")"
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
		case msg.err != nil:
			p.c.svc.Logger.Error("save the integration", "err", msg.err)
			p.message, p.ok = tSaveFailed, false
			return tea.Batch(p.load(), toast(false, "%s", p.message))
		case !allOK(msg.checks):
			p.message, p.ok = tSavedWarn, false
		default:
			p.message, p.ok = tSuccess, true
		}
		return tea.Batch(p.load(), toast(p.ok, "%s", p.message))
	case tea.KeyMsg:
		return p.key(msg)
	}
	if in, ok := p.inputs[p.focus]; ok {
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return cmd
	}
	return nil
}

func allOK(checks []syncer.RouteCheck) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return true
}

func (p *integrationPage) key(msg tea.KeyMsg) tea.Cmd {
	k := p.c.keys
	switch {
	case key.Matches(msg, k.Guide):
		p.guide = !p.guide
		return nil
	case key.Matches(msg, k.Back):
		return p.setFocus(fNone)
	case key.Matches(msg, k.Next), p.focus == fNone && key.Matches(msg, k.Down), p.focus != fNone && msg.String() == "down":
		return p.setFocus((p.focus + 1) % nFields)
	case key.Matches(msg, k.Prev), p.focus != fNone && msg.String() == "up":
		return p.setFocus((p.focus - 1 + nFields) % nFields)
	case key.Matches(msg, k.Save):
		return p.save()
	case msg.String() == "enter":
		switch p.focus {
		case fSave:
			return p.save()
		case fUpdateToken:
			return p.updateToken()
		case fNone:
			return p.setFocus(fUser)
		default:
			return p.setFocus(p.focus + 1)
		}
	}
	if in, ok := p.inputs[p.focus]; ok {
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		delete(p.errs, p.focus)
		return cmd
	}
	return nil
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

// save is "Salvar": the manual fields, saved, then tested route by route. A failed test still
// saves, with a warning.
func (p *integrationPage) save() tea.Cmd {
	if p.busy {
		return nil
	}
	valid := true
	for _, f := range []int{fUser, fPassword, fAPIKey, fProduct} {
		valid = p.validate(f) && valid
	}
	if !valid {
		p.message, p.ok = tFixErrors, false
		return nil
	}
	var patch store.IntegrationPatch
	user := strings.TrimSpace(p.inputs[fUser].Value())
	code := strings.TrimSpace(p.inputs[fProduct].Value())
	patch.User, patch.ProductCode = &user, &code
	if v := strings.TrimSpace(p.inputs[fPassword].Value()); v != "" {
		patch.Password = &v
	}
	if v := strings.TrimSpace(p.inputs[fAPIKey].Value()); v != "" {
		patch.APIKey = &v
	}
	return p.run(patch, true, false)
}

// updateToken is "Atualizar Token": the Sincronismo SGA token, saved and tested.
func (p *integrationPage) updateToken() tea.Cmd {
	if p.busy {
		return nil
	}
	v := strings.TrimSpace(p.inputs[fSyncToken].Value())
	if v == "" && p.stored.SyncToken == "" || !p.validate(fSyncToken) {
		if v == "" {
			p.errs[fSyncToken] = tRequired
		}
		p.message, p.ok = tFixErrors, false
		return nil
	}
	var patch store.IntegrationPatch
	if v != "" {
		patch.SyncToken = &v
	}
	return p.run(patch, false, true)
}

func (p *integrationPage) run(patch store.IntegrationPatch, manual, sync bool) tea.Cmd {
	p.busy, p.message, p.ok, p.checks = true, tTesting, true, nil
	st, eng, actor, url, stored := p.c.svc.Store, p.c.svc.Engine, p.c.actor, p.c.svc.SGAURL, p.stored
	return func() tea.Msg {
		// A product code SGA does not have would make every vehicle look gone: refused, as
		// ponte config set refuses it. When SGA cannot be asked, the test below says why.
		if patch.ProductCode != nil && *patch.ProductCode != stored.ProductCode && eng != nil {
			in := stored.Patched(patch)
			if url != "" {
				in.SGAURL = url
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			known, err := syncer.CheckProduct(ctx, in)
			cancel()
			if errors.Is(err, syncer.ErrUnknownProduct) {
				return integrationSavedMsg{unknownProduct: true, known: known}
			}
		}
		changed, err := st.SetIntegration(patch, actor)
		if err != nil {
			return integrationSavedMsg{err: err}
		}
		in, err := st.Integration()
		if err != nil || eng == nil {
			return integrationSavedMsg{changed: changed, err: err}
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return integrationSavedMsg{changed: changed, checks: eng.Probe(ctx, in, manual, sync, url)}
	}
}

func (p *integrationPage) View() string {
	st := p.c.styles
	var b strings.Builder
	field := func(f int, label string) {
		style := st.Label
		marker := "  "
		if p.focus == f {
			style, marker = st.LabelFocus, "› "
		}
		line := marker + style.Render(cell(label, 18)) + defused(p.inputs[f].View())
		if msg := p.errs[f]; msg != "" {
			line += "  " + st.Error.Render("✗ "+msg)
		}
		b.WriteString(line + "\n")
	}
	button := func(f int, label string) {
		style := st.Button
		if p.focus == f {
			style = st.ButtonFocus
		}
		b.WriteString("  " + cell("", 18) + style.Render(label) + "\n")
	}
	b.WriteString(st.Title.Render(tManualSection) + "\n")
	field(fUser, tUser)
	field(fPassword, tPassword)
	field(fAPIKey, tAPIKey)
	field(fProduct, tProductCode)
	button(fSave, tSave)
	b.WriteString("\n" + st.Title.Render(tAutoSection) + "\n")
	field(fSyncToken, tSyncToken)
	button(fUpdateToken, tUpdateToken)
	if p.message != "" {
		style := st.Success
		switch {
		case p.busy:
			style = st.Hint
		case !p.ok:
			style = st.Warning
		}
		b.WriteString("\n" + style.Render(p.message) + "\n")
	}
	for _, c := range p.checks {
		mark, text, style := "✓", tRouteOK, st.Success
		switch {
		case c.Denied:
			mark, text, style = "✗", tRouteDenied, st.Error
		case c.Skipped:
			mark, text, style = "·", tRouteSkipped, st.Hint
		case !c.OK:
			mark, text, style = "✗", tRouteFailed, st.Error
		}
		what := c.Route
		if c.ProductCode != "" {
			what = fmt.Sprintf(tProductCheck, c.ProductCode)
		}
		if c.UnknownProduct {
			text = tUnknownProduct
			if len(c.KnownProducts) > 0 {
				text += fmt.Sprintf(tKnownProducts, strings.Join(c.KnownProducts, ", "))
			}
		}
		line := fmt.Sprintf("  %s %s: %s", mark, what, text)
		if c.Message != "" && !c.OK {
			line += " (" + c.Message + ")"
		}
		b.WriteString(style.Render(cell(line, p.width)) + "\n")
	}
	form := b.String()
	if !p.guide {
		return form
	}
	panel := st.Box.Render(guideSteps)
	return form + "\n" + panel
}
