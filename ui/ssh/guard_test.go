package ssh

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store/safefile"
)

// A client that claims a terminal of 4294967295×4294967295, then resizes to 100×100000000,
// gets a console of at most MaxColumns×MaxRows; the server goes on serving other sessions.
// Before the sizes were clamped the first request made the process allocate by the claimed
// height and die of it.
func TestServeClampsTerminalSize(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "host"), Options{})
	c, sess := e.session()
	out := newScreen()
	huge := startShell(t, c, sess, out, "xterm", math.MaxUint32, math.MaxUint32)
	huge.waitFor(t, "Integração SGA")
	if err := sess.WindowChange(100000000, 100); err != nil {
		t.Fatal(err)
	}
	huge.keys("?")
	time.Sleep(300 * time.Millisecond)
	// A line of the console is at most MaxColumns wide, whatever was claimed.
	for line := range strings.SplitSeq(stripped(out), "\n") {
		if n := len([]rune(line)); n > MaxColumns {
			t.Fatalf("a line of %d characters: the width was not clamped", n)
		}
	}
	other := e.open()
	defer other.close()
	other.waitFor(t, "Integração SGA")
	huge.close()
}

// session opens an SSH session as maria, closed when the test ends.
func (e *sshEnv) session() (*gossh.Client, *gossh.Session) {
	e.t.Helper()
	c, err := e.dial()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { sess.Close() })
	return c, sess
}

func stripped(s *screen) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(ansi.Strip(s.buf.String()), "\r", "\n")
}

// Agent forwarding is refused: nothing in ponte would use it.
func TestServeRefusesAgentForwarding(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "host"), Options{})
	_, sess := e.session()
	ok, err := sess.SendRequest("auth-agent-req@openssh.com", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatal("agent forwarding was accepted")
	}
}

// 500 connections from one address that never start the SSH handshake do not lock the
// administrators out, even with the process's file limit close by: past a few, each closes
// the oldest (and is logged), so an administrator from another address still gets the console.
// Without the limit the server ran out of descriptors and accepted no one.
func TestServeHoldsOffIdleConnections(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip("no file limit to lower:", err)
	}
	const flood = 500
	held := 64 // what the process holds already
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		held = len(fds)
	}
	low := lim
	low.Cur = min(lim.Cur, uint64(held+flood+200)) // room for the flood's client ends, not for its server ends too
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip("cannot lower the file limit:", err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)

	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "host"),
		Options{Logger: slog.New(slog.NewTextHandler(log, nil))})
	attacker := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 2 * time.Second}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range flood {
		c, err := attacker.Dial("tcp", e.addr)
		if err != nil {
			t.Fatalf("after %d connections: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	tm := e.open()
	defer tm.close()
	tm.waitFor(t, "Integração SGA")
	if got := e.srv.gate.waiting(); got > 8 {
		t.Errorf("%d connections wait to authenticate; at most 8 from one address may", got)
	}
	if !log.has("silent before its version line") {
		t.Errorf("the refusals were not logged:\n%s", log.buf.String())
	}
}

// A connection that does not authenticate within the handshake deadline is closed.
func TestServeHandshakeDeadline(t *testing.T) {
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "host"),
		Options{HandshakeTimeout: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(log, nil))})
	e.closesSilent(t, "the connection")
	if !log.has("handshake deadline") {
		t.Errorf("the closing was not logged:\n%s", log.buf.String())
	}
	// An administrator within the deadline is not cut off by it.
	e.outlives(t)
}

// The host key is made without touching the directory it goes in; one others can read is
// refused with the command that fixes it.
func TestHostKeyFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "host")
	first, err := loadHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadHostKey(path)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("the key was not kept: %v", err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o755, path: 0o600} {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != want {
			t.Errorf("%s has mode %o, want %o", p, fi.Mode().Perm(), want)
		}
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = loadHostKey(path)
	if !errors.Is(err, safefile.ErrNotPrivate) || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("a readable host key: %v", err)
	}
}
