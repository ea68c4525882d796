package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// form is a few labelled text fields and a button: tab and the arrows move between the
// fields and the button, enter (or ctrl+s) submits from any of them, as the footer says; esc
// closes it. submit checks the values and returns, per field, what is wrong with it (nil:
// nothing), and the command that does the work when all are right. A field's error goes as
// soon as its value changes.
type form struct {
	c      *common
	title  string
	hint   string
	button string
	labels []string
	rules  []string // per field, the store's text rule it follows (store.CheckText), or ""
	inputs []*textinput.Model
	errs   []string
	at     int // the field with the cursor; len(inputs): the button
	submit func(values []string) (errs []string, run tea.Cmd)
	// waits: a submit leaves the form open, for its owner to close on the answer or to mark
	// the field it refused (fail).
	waits bool
}

// field is one of a form's fields: its label, its length limit and what it shows empty. A
// field with a rule (store.FieldNote, FieldReason, ...) takes the store's limit for it and is
// checked by the store's rule before the form submits.
type field struct {
	label       string
	limit       int
	rule        string
	placeholder string
	value       string
}

func newForm(c *common, title, hint, button string, submit func([]string) ([]string, tea.Cmd), fields ...field) *form {
	f := &form{c: c, title: title, hint: hint, button: button, submit: submit}
	for _, fd := range fields {
		if fd.rule != "" {
			fd.limit = store.TextLimit(fd.rule)
		}
		in := c.newInput()
		in.CharLimit = fd.limit
		in.SetWidth(min(fd.limit+1, 40))
		in.Prompt = ""
		in.Placeholder = fd.placeholder
		in.SetValue(fd.value)
		f.labels, f.rules = append(f.labels, fd.label), append(f.rules, fd.rule)
		f.inputs = append(f.inputs, in)
	}
	f.errs = make([]string, len(f.inputs))
	return f
}

// focus puts the cursor in the current field (none on the button).
func (f *form) focus() tea.Cmd {
	for i, in := range f.inputs {
		if i != f.at {
			in.Blur()
		}
	}
	if f.onButton() {
		return nil
	}
	return f.inputs[f.at].Focus()
}

func (f *form) onButton() bool { return f.at == len(f.inputs) }

// fail marks field i with msg, for a refusal that came after the submit, and puts the cursor
// there.
func (f *form) fail(i int, msg string) tea.Cmd {
	f.errs[i], f.at = msg, i
	return f.focus()
}

// key handles a key; closed reports that the form is done (esc, or submitted and accepted).
func (f *form) key(msg tea.KeyPressMsg) (cmd tea.Cmd, closed bool) {
	k := f.c.keys
	switch {
	case key.Matches(msg, k.Back):
		return nil, true
	case key.Matches(msg, k.Next, k.FieldDown): // not j and k: they are text here
		f.at = (f.at + 1) % (len(f.inputs) + 1)
		return f.focus(), false
	case key.Matches(msg, k.Prev, k.FieldUp):
		f.at = (f.at + len(f.inputs)) % (len(f.inputs) + 1)
		return f.focus(), false
	case key.Matches(msg, k.Accept), key.Matches(msg, k.Save):
		values := make([]string, len(f.inputs))
		for i, in := range f.inputs {
			values[i] = strings.TrimSpace(in.Value())
		}
		var errs []string
		var run tea.Cmd
		for i, rule := range f.rules {
			if msg := settingProblem(textRule(rule, values[i])); msg != "" {
				errs = make([]string, len(f.inputs))
				errs[i] = msg
				break
			}
		}
		if errs == nil {
			errs, run = f.submit(values)
		}
		f.errs = make([]string, len(f.inputs))
		copy(f.errs, errs)
		for i, e := range f.errs {
			if e != "" {
				f.at = i
				return f.focus(), false
			}
		}
		return run, !f.waits
	}
	return f.edit(msg), false
}

func (f *form) paste(msg tea.PasteMsg) tea.Cmd { return f.edit(msg) }

// edit gives msg to the field with the cursor; a change of its value takes its error away,
// for it was about the value before.
func (f *form) edit(msg tea.Msg) tea.Cmd {
	if f.onButton() {
		return nil // the button takes no text
	}
	in := f.inputs[f.at]
	was := in.Value()
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	if in.Value() != was {
		f.errs[f.at] = ""
	}
	return cmd
}

// Help is what the footer offers while the form is open: enter does what the button says.
// moves is the keys that move between the fields besides tab: the arrows.
func (f *form) moves() []key.Binding {
	k := f.c.keys
	return []key.Binding{k.FieldUp, k.FieldDown}
}

func (f *form) Help() []key.Binding {
	k := f.c.keys
	submit := k.Accept // the session's binding, named by the button
	submit.SetHelp(k.Accept.Help().Key, f.button)
	return []key.Binding{k.Next, submit, k.Back}
}

func (f *form) View(width int) string {
	st := f.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(f.title) + "\n")
	if f.hint != "" {
		b.WriteString(st.Hint.Render(cell(f.hint, width)) + "\n")
	}
	b.WriteString("\n")
	labelWidth := 10
	for _, l := range f.labels {
		labelWidth = max(labelWidth, textWidth(l)+2)
	}
	for i, in := range f.inputs {
		mark := markNone
		if i == f.at {
			mark = markCursor
		}
		line := mark + st.Label.Render(cell(f.labels[i], labelWidth)) + defused(in.View())
		if f.errs[i] != "" {
			line += "  " + st.Error.Render(f.errs[i])
		}
		b.WriteString(cell(line, width) + "\n")
	}
	b.WriteString("\n" + button(st, f.button, f.onButton()))
	return b.String()
}

// textRule is what the store's rule says of a field's value (nil for a field without one).
func textRule(rule, v string) error {
	if rule == "" {
		return nil
	}
	return store.CheckText(rule, v)
}

// formView is a form opened in a page's list's place (Pendências' dismiss, Nova associação),
// as withDetail shows it: it takes the keys and pastes, and is done on esc or once accepted.
type formView struct {
	*form
	done  bool
	width int
}

func (f *formView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		cmd, closed := f.key(msg)
		f.done = closed
		return cmd
	case tea.PasteMsg:
		return f.paste(msg)
	}
	return nil
}

func (f *formView) View() string     { return f.form.View(f.width) }
func (f *formView) SetSize(w, _ int) { f.width = w }
func (f *formView) Typing() bool     { return true } // a field or its button has the cursor
func (f *formView) Nested() bool     { return false }
func (f *formView) Done() bool       { return f.done }

// Moves is the arrows, which move between the fields (the letters are text).
func (f *formView) Moves() []key.Binding { return f.moves() }
