package ssh

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// 200 connections offering a key that is no one's, each with a user name of 30 KB full of
// escape sequences, leave a bounded log: at most LogBurst lines of "ssh key refused" and one
// more per LogEvery of the run, each short, with the user name cut and escaped, then a line
// that says how many were held back. Before, every key offered wrote its line with the whole
// user name: 15,497 connections grew the log by 2.67 GB in 20 s.
func TestServeBoundsTheLogOfRefusedKeys(t *testing.T) {
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{Logger: slog.New(slog.NewTextHandler(log, nil))})
	// maria logged in from this address: it is not refused for the failures that follow.
	if c, err := e.dial(); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	stranger := newSigner(t)
	user := strings.Repeat("\x1b]0;pwned\a\x1b[2J\u202e", 30_000/16)
	const tries = 200
	start := time.Now()
	for range tries {
		c, err := gossh.Dial("tcp", e.addr, &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(stranger)},
			Timeout: 5 * time.Second, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		if err == nil {
			c.Close()
			t.Fatal("a stranger's key got in")
		}
		var ne net.Error
		if strings.Contains(err.Error(), "connection refused") || (errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("the server stopped answering: %v", err)
		}
	}
	elapsed := time.Since(start)
	e.srv.Shutdown(time.Second) // the pending summary is written now
	log.mu.Lock()
	text := log.buf.String()
	log.mu.Unlock()
	refused, suppressed := 0, false
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		if len(line) > 1024 {
			t.Fatalf("a line of %d bytes: %.300s…", len(line), line)
		}
		if strings.ContainsAny(line, "\x1b\a\u202e") {
			t.Fatalf("a control or bidi character reached the log: %q", line)
		}
		switch {
		case strings.Contains(line, "more suppressed: ssh key refused"):
			suppressed = true
		case strings.Contains(line, `msg="ssh key refused"`):
			refused++
		}
	}
	if most := LogBurst + int(math.Ceil(elapsed.Seconds()/LogEvery.Seconds())); refused == 0 || refused > most {
		t.Fatalf("%d lines of refused keys in %v; want 1 to %d", refused, elapsed, most)
	}
	if !suppressed {
		t.Fatalf("no line says how many refusals were held back:\n%s", text)
	}
}

// A client-chosen string reaches the log cut and escaped.
func TestClientString(t *testing.T) {
	for in, want := range map[string]string{
		"operador":                    "operador",
		"a\x1b[2Jb\u202ec\x00":        `a\x1b[2Jb\u202ec\x00`,
		strings.Repeat("é", 40):       strings.Repeat("é", 32) + "…(80 bytes)",
		"x" + strings.Repeat("é", 40): "x" + strings.Repeat("é", 31) + "…(81 bytes)",
	} {
		if got := clientString(in); got != want {
			t.Errorf("clientString(%q) = %q, want %q", in, got, want)
		}
	}
}
