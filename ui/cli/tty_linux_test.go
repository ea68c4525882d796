package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/sys/unix"

	"ponte/ui/cli"
)

// openPTY opens a pseudo-terminal of cols×24: the terminal side for a command's stderr, and
// the side a test reads what it wrote from.
func openPTY(t *testing.T, cols int) (term, reader *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: uint16(cols), Row: 24}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return s, m
}

// syncOnTTY runs a sync whose stderr is a terminal of cols columns and returns what it wrote.
func syncOnTTY(t *testing.T, cols int, termName string, args ...string) string {
	t.Helper()
	db, _, url := syncedDB(t, 300)
	t.Setenv("TERM", termName)
	tty, pty := openPTY(t, cols)
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	var out bytes.Buffer
	code := cli.Execute(context.Background(), append([]string{"--db", db, "--sga-url", url, "sync", "--rate", "0", "--batch", "50"}, args...),
		cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: tty})
	if code != cli.ExitOK {
		t.Fatalf("sync: %d %s", code, out.String())
	}
	tty.Close()
	within(t, 10e9, "the terminal's output", read)
	return strings.ReplaceAll(got.String(), "\r\n", "\n") // the terminal's own newline translation
}

// On a terminal of 80 columns the progress is one line redrawn in place, never wider than 79,
// so it never wraps and stacks.
func TestProgressFitsTheTerminal(t *testing.T) {
	got := syncOnTTY(t, 80, "xterm-256color")
	if !strings.Contains(got, "\r\x1b[K") {
		t.Fatalf("no line redrawn in place: %q", got)
	}
	draws := regexp.MustCompile("\r\x1b\\[K([^\r\n]*)").FindAllStringSubmatch(got, -1)
	for _, d := range draws {
		if w := ansi.StringWidth(d[1]); w > 79 {
			t.Fatalf("a %d-column line on an 80-column terminal: %q", w, d[1])
		}
	}
	last := draws[len(draws)-1][1]
	if !strings.Contains(last, "100% done") || !strings.Contains(last, "(succeeded)") {
		t.Fatalf("the last line is not the run's end: %q", last)
	}
}

// TERM=dumb gets plain lines, even on a terminal.
func TestProgressOnADumbTerminal(t *testing.T) {
	got := syncOnTTY(t, 80, "dumb")
	if strings.ContainsAny(got, "\r\x1b") || !strings.Contains(got, "run 2: 100% done") {
		t.Fatalf("TERM=dumb: %q", got)
	}
}

// A command over SSH never touches the server's own terminal: with ponte serve's stdin and
// stdout on one, a remote command's help and error write nothing there (no colour query), and the
// client gets plain text.
func TestRemoteCommandsLeaveTheServersTerminalAlone(t *testing.T) {
	s := serveSynced(t, 10)
	tty, pty := openPTY(t, 80)
	saved, savedIn := os.Stdout, os.Stdin
	os.Stdout, os.Stdin = tty, tty
	t.Cleanup(func() { os.Stdout, os.Stdin = saved, savedIn })
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	for _, line := range []string{"nonsense", "export --help", "export kinds", "runs"} {
		code, out, errOut := s.ssh("maria", "", line)
		if strings.Contains(out+errOut, "\x1b") || code == 0 && out == "" {
			t.Errorf("ssh host %s: exit %d, styled or empty:\n%q\n%q", line, code, out, errOut)
		}
	}
	os.Stdout, os.Stdin = saved, savedIn
	tty.Close()
	within(t, 10e9, "the server terminal's output", read)
	if got.Len() > 0 {
		t.Fatalf("remote commands wrote to the server's terminal: %q", got.String())
	}
}
