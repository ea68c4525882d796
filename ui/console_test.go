package ui

import (
	"bytes"
	"ponte/ui/uitest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// console drives a Model as a Bubble Tea program does: a key goes through Update, every
// command runs on its own goroutine, and the messages they return come back through Update,
// one at a time. Tests press keys and wait for what the screen shows; a wait that times out
// fails the test with the screen, and no command is ever dropped.
type console struct {
	t    testing.TB
	svc  Services // what the console was given: the test reads the store through it
	m    *Model
	msgs chan tea.Msg
	done chan struct{}
	quit bool
	// hold, when set, keeps back the messages it matches until release: a reading that a
	// real program may deliver after the keys that follow it.
	hold func(tea.Msg) bool
	held []tea.Msg
}

var maria = uitest.Maria

func newConsole(t testing.TB, svc Services, w, h int, opts ...Option) *console {
	t.Helper()
	return newConsoleAs(t, svc, Session{Actor: maria}, w, h, opts...)
}

// newConsoleAs is newConsole for another session: an operator's, say.
func newConsoleAs(t testing.TB, svc Services, sess Session, w, h int, opts ...Option) *console {
	t.Helper()
	c := &console{t: t, svc: svc, m: New(svc, sess, opts...), msgs: make(chan tea.Msg, 256), done: make(chan struct{})}
	t.Cleanup(func() { close(c.done); c.m.Close() })
	c.handle(tea.WindowSizeMsg{Width: w, Height: h})
	c.exec(c.m.Init())
	return c
}

// steps presses keys and waits for text in turn: "=TEXT" waits until the screen shows TEXT,
// anything else is a key.
func (c *console) steps(steps ...string) {
	c.t.Helper()
	for _, s := range steps {
		if text, ok := strings.CutPrefix(s, "="); ok {
			c.waitFor(text)
		} else {
			c.press(s)
		}
	}
}

func (c *console) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		select {
		case c.msgs <- msg:
		case <-c.done:
		}
	}()
}

func (c *console) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, cmd := range msg {
			c.exec(cmd)
		}
		return
	case tea.QuitMsg:
		c.quit = true
		return
	}
	if c.hold != nil && c.hold(msg) {
		c.held = append(c.held, msg)
		return
	}
	_, cmd := c.m.Update(msg)
	c.exec(cmd)
}

// release stops holding messages back and handles those held, in their order.
func (c *console) release() {
	c.hold = nil
	held := c.held
	c.held = nil
	for _, msg := range held {
		c.handle(msg)
	}
}

// drain handles the messages that have already arrived.
func (c *console) drain() {
	for {
		select {
		case msg := <-c.msgs:
			c.handle(msg)
		default:
			return
		}
	}
}

// press sends keys by name ("enter", "ctrl+s", "space", "j") one after the other.
func (c *console) press(names ...string) {
	c.t.Helper()
	for _, n := range names {
		c.drain()
		c.handle(keyPress(n))
	}
}

// rush sends keys without first handling what earlier commands returned: a person faster
// than the console's readings.
func (c *console) rush(names ...string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		if r := []rune(n); len(r) == 1 {
			c.handle(tea.KeyPressMsg{Code: r[0], Text: n})
			continue
		}
		c.handle(keyPress(n))
	}
}

// typeText types text one character at a time.
func (c *console) typeText(text string) {
	for _, r := range text {
		c.drain()
		c.handle(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// waitFor handles messages until the screen shows every one of want, and returns it.
func (c *console) waitFor(want ...string) string {
	c.t.Helper()
	return c.waitUntil(strings.Join(want, " and "), func(s string) bool {
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// waitGone handles messages until the screen no longer shows text.
func (c *console) waitGone(text string) string {
	c.t.Helper()
	return c.waitUntil("no "+text, func(s string) bool { return !strings.Contains(s, text) })
}

// waitUntil looks at the screen after every message it handles, not after a run of them: a
// state that lasts between two messages (a result on the status bar until its clearing tick)
// is seen even when a slow machine delivers both at once.
func (c *console) waitUntil(what string, ok func(string) bool) string {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s := c.screen()
		if ok(s) {
			return s
		}
		select {
		case msg := <-c.msgs:
			c.handle(msg)
		case <-deadline:
			c.t.Fatalf("waited 20 s for %s; the screen:\n%s", what, s)
		}
	}
}

// screen is the console's text, without styles.
func (c *console) screen() string { return ansi.Strip(c.m.Screen()) }

// ascii is the screen as a terminal without colours gets it (NO_COLOR): styles, no colours.
func (c *console) ascii() string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	_, _ = w.WriteString(c.m.Screen())
	return b.String()
}

func keyPress(name string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"down":      {Code: tea.KeyDown},
		"up":        {Code: tea.KeyUp},
		"pgdown":    {Code: tea.KeyPgDown},
		"pgup":      {Code: tea.KeyPgUp},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"space":     {Code: tea.KeySpace, Text: " "},
		"backspace": {Code: tea.KeyBackspace},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"f12":       {Code: tea.KeyF12}, // no binding's
	}
	if k, ok := named[name]; ok {
		return k
	}
	if r, ok := strings.CutPrefix(name, "ctrl+"); ok && len(r) == 1 {
		return tea.KeyPressMsg{Code: rune(r[0]), Mod: tea.ModCtrl}
	}
	if len([]rune(name)) != 1 {
		panic("unknown key " + name)
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// A state that lasts between two messages arriving together (a result, then the next one that
// takes its place, as a slow machine delivers a toast and its clearing tick) is still seen by
// waitFor.
func TestWaitForSeesAStateBetweenTwoMessages(t *testing.T) {
	c := newConsole(t, fixture(t), 100, 24)
	c.waitFor("integracao")
	c.msgs <- toastMsg{ok: true, text: "a primeira"}
	c.msgs <- toastMsg{ok: true, text: "a segunda"}
	c.waitFor("a primeira")
}
