package ssh

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// from dials the server from the loopback address 127.0.0.n, a source of its own.
func (e *sshEnv) from(n byte) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, n)}, Timeout: 5 * time.Second}
	return d.Dial("tcp", e.addr)
}

// loginFrom logs maria in from 127.0.0.n and opens her console.
func (e *sshEnv) loginFrom(t *testing.T, n byte) *term {
	t.Helper()
	raw, err := e.from(n)
	if err != nil {
		t.Fatal(err)
	}
	conn, chans, reqs, err := gossh.NewClientConn(raw, e.addr, &gossh.ClientConfig{User: "operador",
		Auth: []gossh.AuthMethod{gossh.PublicKeys(e.signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatalf("maria from 127.0.0.%d: %v", n, err)
	}
	c := gossh.NewClient(conn, chans, reqs)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return startShell(t, c, sess, newScreen(), "xterm-256color", 30, 100)
}

// admitted reports whether the server greets a connection with its version line (it was let
// in) or closes it without a word (it was refused).
func admitted(t *testing.T, c net.Conn) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server neither greeted nor closed a connection within 10s")
	}
	return err == nil && strings.HasPrefix(line, "SSH-")
}

// 128 connections from 16 addresses that never send a byte, held open, do not keep an
// administrator out, neither from another address nor from one of theirs (an office's shared
// address): a connection that is silent before its version line gives way to one that speaks.
// Before, the 64 places before authentication were theirs for the whole 20 s handshake
// deadline, and every administrator was refused.
func TestServeAdmitsAdministratorsPastIdleConnections(t *testing.T) {
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{Logger: slog.New(slog.NewTextHandler(log, nil))})
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range 128 {
		c, err := e.from(byte(2 + i%16))
		if err != nil {
			t.Fatalf("after %d connections: %v", len(held), err)
		}
		held = append(held, c)
	}
	for _, n := range []byte{1, 2} {
		tm := e.loginFrom(t, n)
		tm.waitFor(t, "Integração SGA")
		tm.close()
	}
	if got := e.srv.gate.waiting(); got > DefaultStartups.Full {
		t.Errorf("%d connections wait to authenticate; at most %d may", got, DefaultStartups.Full)
	}
	if !log.has("silent before its version line") {
		t.Errorf("the closing of idle connections was not logged:\n%s", log.buf.String())
	}
}

// A connection that sends no version line is closed after VersionTimeout, well before the
// handshake deadline; one that speaks has the handshake deadline.
func TestServeVersionLineDeadline(t *testing.T) {
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{VersionTimeout: 200 * time.Millisecond, HandshakeTimeout: time.Minute, Logger: slog.New(slog.NewTextHandler(log, nil))})
	e.closesSilent(t, "a silent connection")
	if !log.has("no version line within the deadline") {
		t.Errorf("the closing was not logged:\n%s", log.buf.String())
	}
	e.outlives(t) // past the version deadline: the session goes on
}

// An address whose connections keep failing is refused for a while, and only that address;
// one an administrator logged in from is not refused for it.
func TestServePenalisesAddressesThatKeepFailing(t *testing.T) {
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{VersionTimeout: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(log, nil))})
	trusted := e.loginFrom(t, 5)
	trusted.waitFor(t, "Integração SGA")
	trusted.close()
	for _, n := range []byte{3, 5} {
		for range PenaltyAfter {
			c, err := e.from(n)
			if err != nil {
				t.Fatal(err)
			}
			if !admitted(t, c) {
				t.Fatalf("127.0.0.%d was refused before it failed", n)
			}
			_, _ = c.Read(make([]byte, 1)) // until the version deadline closes it
			c.Close()
		}
	}
	c, err := e.from(3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if admitted(t, c) {
		t.Fatalf("127.0.0.3 failed %d times and was let in again", PenaltyAfter)
	}
	if !log.has("its connections keep failing") {
		t.Errorf("the penalty was not logged:\n%s", log.buf.String())
	}
	for _, n := range []byte{4, 5} {
		tm := e.loginFrom(t, n)
		tm.waitFor(t, "Integração SGA")
		tm.close()
	}
}

// Past Startups.Start connections that spoke and did not authenticate, newcomers are dropped
// at random, more often the more there are; at Startups.Full, every one.
func TestServeDropsEarlyPastStartups(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{MaxStartups: Startups{Start: 2, Rate: 50, Full: 6}, MaxPendingPerAddr: 100})
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// speak holds connections that sent their version line until n of them wait.
	spoke := 0
	speak := func(n int) {
		for spoke < n {
			c, err := e.from(2)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
			if !admitted(t, c) {
				continue // dropped: again
			}
			if _, err := c.Write([]byte("SSH-2.0-test\r\n")); err != nil {
				t.Fatal(err)
			}
			spoke++
			for deadline := time.Now().Add(10 * time.Second); e.srv.gate.speaking() < spoke; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the server never read a version line")
				}
			}
		}
	}
	// probe counts how many of tries newcomers are let in.
	probe := func(tries int) int {
		in := 0
		for range tries {
			c, err := e.from(3)
			if err != nil {
				t.Fatal(err)
			}
			if admitted(t, c) {
				in++
			}
			c.Close()
		}
		return in
	}
	speak(1)
	if in := probe(20); in != 20 {
		t.Fatalf("below START, %d of 20 let in", in)
	}
	speak(4) // a chance of 75% of being dropped
	if in := probe(100); in == 0 || in == 100 {
		t.Fatalf("between START and FULL, %d of 100 let in; want some, not all", in)
	}
	speak(6)
	if in := probe(20); in != 0 {
		t.Fatalf("at FULL, %d of 20 let in", in)
	}
}

// An address refused again is refused twice as long, up to PenaltyMax; the table keeps at most
// PenaltySources addresses, and one refused now is not dropped for a newcomer.
func TestPenaltiesGrowAndStayBounded(t *testing.T) {
	ps := penalties{m: map[string]*source{}}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	want := PenaltyFirst
	for range 8 {
		var got time.Duration
		for range PenaltyAfter {
			got = ps.fail("a", now)
		}
		if got != want {
			t.Fatalf("refused for %v, want %v", got, want)
		}
		if !ps.refused("a", now.Add(got-time.Second)) || ps.refused("a", now.Add(got)) {
			t.Fatalf("the refusal of %v does not last that long", got)
		}
		now = now.Add(got)
		want = min(PenaltyMax, 2*want)
	}
	for i := range 2 * PenaltySources {
		for range PenaltyAfter {
			ps.fail(fmt.Sprint(i), now)
		}
	}
	if len(ps.m) > PenaltySources {
		t.Fatalf("%d addresses kept; at most %d", len(ps.m), PenaltySources)
	}
	if !ps.refused("0", now) {
		t.Fatal("a refused address was dropped for a newcomer")
	}
}
