package ssh

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
	"ponte/ui/uitest"
)

// withAna is the fixture with ana, an operator, and an environment that logs in as her with
// asAna; maria is the supervisor.
func withAna(t *testing.T, o Options) (e *sshEnv, asAna func() *term) {
	t.Helper()
	f := uitest.New(t)
	f.Many(t)
	e = startServer(t, ui.Services{Store: f.Store, Engine: f.Engine, Now: f.Now}, filepath.Join(t.TempDir(), "hk"), o)
	ana := newSigner(t)
	key := store.SSHKey{Fingerprint: gossh.FingerprintSHA256(ana.PublicKey()), Line: "test"}
	if err := f.Store.AddAdminKey("ana", key, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	return e, func() *term {
		t.Helper()
		maria := e.signer
		e.signer = ana
		defer func() { e.signer = maria }()
		return e.open()
	}
}

// An operator cannot take the sessions kept for supervisors: with 3 sessions and 1 kept, ana's
// third console is told the server is full, and maria still gets hers. Before, ana could hold
// every session and the supervisor was left with "servidor cheio".
func TestServeKeepsSessionsForSupervisors(t *testing.T) {
	e, asAna := withAna(t, Options{MaxSessions: 3, SupervisorSessions: 1})
	for range 2 {
		tm := asAna()
		defer tm.close()
		tm.waitFor(t, "Associação: Norte Seguro")
	}
	third := asAna()
	defer third.close()
	third.waitFor(t, "servidor cheio")
	maria := e.open()
	defer maria.close()
	maria.waitFor(t, "Integração SGA")
	if _, err := New(e.svc, Options{HostKeyPath: filepath.Join(t.TempDir(), "hk"), MaxSessions: 5, SupervisorSessions: 5}); err == nil {
		t.Fatal("every session kept for supervisors was accepted")
	}
}

// One connection opens at most MaxChannelsPerConn sessions at once; one that ends makes room.
// Before, a connection could open any number (400,000 took 3.7 GB).
func TestServeBoundsSessionsPerConnection(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxChannelsPerConn: 3})
	c, err := e.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var open []*gossh.Session
	for range 3 {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d of 3: %v", len(open)+1, err)
		}
		open = append(open, sess)
	}
	if _, err := c.NewSession(); err == nil || !strings.Contains(err.Error(), "at most 3 sessions on one connection") {
		t.Fatalf("a fourth session on one connection: %v", err)
	}
	open[0].Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sess, err := c.NewSession()
		if err == nil {
			sess.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a session that ended made no room: %v", err)
		}
	}
}

// A session takes at most MaxEnvPerChannel env requests, each of at most MaxEnvBytes; the
// rest are refused and the session goes on with what it kept. Before, 20,000 requests of
// 30 KB each were all kept (+640 MB).
func TestServeBoundsEnvRequests(t *testing.T) {
	var got []string
	handler := func(_ context.Context, c Command) Result { got = c.Env; return Result{} }
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxEnvPerChannel: 4, Commands: handler})
	_, sess := e.session()
	if err := sess.Setenv("BIG", strings.Repeat("x", MaxEnvBytes)); err == nil {
		t.Fatal("an env request larger than MaxEnvBytes was accepted")
	}
	refused := 0
	for i := range 10 {
		if sess.Setenv(fmt.Sprintf("V%d", i), "1") != nil {
			refused++
		}
	}
	if refused != 6 {
		t.Fatalf("%d of 10 env requests refused; want 6 past the 4 allowed", refused)
	}
	if err := sess.Run("runs"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0] != "V0=1" {
		t.Fatalf("the command got the environment %q", got)
	}
}

// One administrator holds at most MaxConsolesPerAdmin consoles: the next is told why, a
// command still runs, and a console that ends makes room. Before, one key could open consoles
// until the server was full.
func TestServeBoundsConsolesPerAdministrator(t *testing.T) {
	handler := func(_ context.Context, c Command) Result { fmt.Fprintln(c.Out, "ok"); return Result{} }
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxConsolesPerAdmin: 2, Commands: handler})
	first, second := e.open(), e.open()
	defer second.close()
	first.waitFor(t, "Integração SGA")
	second.waitFor(t, "Integração SGA")
	third := e.open()
	third.waitFor(t, fmt.Sprintf(ui.SayTooManyConsoles, 2))
	third.close()
	_, sess := e.session()
	if out, err := sess.CombinedOutput("runs"); err != nil || string(out) != "ok\n" {
		t.Fatalf("a command past the consoles: %v %q", err, out)
	}
	first.close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		tm := e.open()
		for !tm.out.has("Integração SGA") && !tm.out.has("consoles demais") {
			if time.Now().After(deadline) {
				t.Fatal("a console that ended made no room")
			}
			time.Sleep(20 * time.Millisecond)
		}
		ok := tm.out.has("Integração SGA")
		tm.close()
		if ok {
			break
		}
	}
}

// One administrator holds at most MaxConnsPerAdmin connections: the next is told why on its
// session and closed; one that ends makes room. Before, one key held 3,000.
func TestServeBoundsConnectionsPerAdministrator(t *testing.T) {
	handler := func(_ context.Context, c Command) Result { fmt.Fprintln(c.Out, "ok"); return Result{} }
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxConnsPerAdmin: 2, Commands: handler})
	var held []*gossh.Client
	for range 2 {
		c, err := e.dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	c, sess := e.session()
	out, err := sess.CombinedOutput("runs")
	if err == nil || !strings.Contains(string(out), fmt.Sprintf(ui.SayTooManyConnections, 2)) {
		t.Fatalf("a third connection: %v %q", err, out)
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }() // the server closes it after overLimitGrace
	select {
	case <-closed:
	case <-time.After(overLimitGrace + 30*time.Second):
		t.Fatal("the connection past the limit was left open")
	}
	held[0].Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, sess := e.session()
		if out, err := sess.CombinedOutput("runs"); err == nil && string(out) == "ok\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a connection that ended made no room")
		}
	}
}
