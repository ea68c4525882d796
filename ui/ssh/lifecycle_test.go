package ssh

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// consoleOn opens a console in a new session channel of c, with a PTY of cols×rows and
// its output kept as bytes.
func consoleOn(t *testing.T, c *gossh.Client, cols, rows int) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &screen{}
	sess.Stdout, sess.Stderr = out, out
	in, _ := sess.StdinPipe()
	if err := sess.RequestPty("xterm-256color", rows, cols, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	tm := &term{client: c, sess: sess, in: in, out: out, done: make(chan error, 1)}
	go func() { tm.done <- sess.Wait() }()
	return tm
}

// settle waits, up to a generous deadline, for ok; it fails loudly with what it saw.
func settle(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		good, seen := ok()
		if good {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come back within 60s: %s", what, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two consoles on one connection are two sessions: the first to end releases its own
// console, not the other's, and the other is still told of the shutdown.
func TestConsolesOnOneConnectionEndApart(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	c, err := e.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := consoleOn(t, c, 100, 30)
	a.waitFor(t, "Integração SGA")
	b := consoleOn(t, c, 100, 30)
	b.waitFor(t, "Integração SGA")
	a.keys("q")
	<-a.done
	hub := e.svc.Engine.Hub("")
	settle(t, "the first console's subscription", func() (bool, string) {
		return e.srv.Sessions() == 1 && hub.Subscribers() == 1, fmt.Sprintf("%d sessions, %d subscribers", e.srv.Sessions(), hub.Subscribers())
	})
	go e.stop()
	b.waitFor(t, "servidor encerrando")
	<-b.done
	if n := hub.Subscribers(); n != 0 {
		t.Fatalf("%d progress subscribers left after both consoles ended", n)
	}
}
