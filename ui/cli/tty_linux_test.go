package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
	restore := onProcessTerminal(t, tty)
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	for _, line := range []string{"nonsense", "export --help", "export kinds", "runs"} {
		code, out, errOut := s.ssh("maria", "", line)
		if strings.Contains(out+errOut, "\x1b") || code == 0 && out == "" {
			t.Errorf("ssh host %s: exit %d, styled or empty:\n%q\n%q", line, code, out, errOut)
		}
	}
	restore()
	tty.Close()
	within(t, 10e9, "the server terminal's output", read)
	if got.Len() > 0 {
		t.Fatalf("remote commands wrote to the server's terminal: %q", got.String())
	}
}

// onProcessTerminal makes tty the process's own stdin and stdout, where fang and lipgloss look
// for a terminal, until the returned func or the test's end puts them back.
func onProcessTerminal(t *testing.T, tty *os.File) (restore func()) {
	saved, savedIn := os.Stdout, os.Stdin
	os.Stdout, os.Stdin = tty, tty
	var once sync.Once
	restore = func() { once.Do(func() { os.Stdout, os.Stdin = saved, savedIn }) }
	t.Cleanup(restore)
	return restore
}

// onSilentTerminal runs a command line in this process with its streams, and the process's own
// stdin and stdout, on a terminal that never answers a query; it returns the exit status and
// what the terminal received. It fails loudly if the command does not end.
func onSilentTerminal(t *testing.T, args ...string) (int, string) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color")
	tty, pty := openPTY(t, 100)
	restore := onProcessTerminal(t, tty)
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Execute(context.Background(), args, cli.Env{Stdin: tty, Stdout: tty, Stderr: tty})
	}()
	code := within(t, 60e9, "ponte "+strings.Join(args, " ")+" on a terminal that never answers", exited)
	restore()
	tty.Close()
	within(t, 10e9, "the terminal's output", read)
	return code, got.String()
}

// Help and a mistyped command's error print on a terminal that never answers queries: the
// background colour is asked once, fenced by the device attributes and a short wait (fang's own
// query asked twice and waited two seconds for each), and not at all where it cannot matter.
func TestHelpOnATerminalThatNeverAnswers(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		noColor bool
		code    int
		want    string
		queries int
	}{
		{[]string{"--help"}, false, cli.ExitOK, "USAGE", 1},
		{[]string{"nonsense"}, false, cli.ExitUsage, "unknown command", 1},
		{[]string{"--help"}, true, cli.ExitOK, "USAGE", 0},
	} {
		t.Run(fmt.Sprintf("%s no-color=%v", strings.Join(tc.args, " "), tc.noColor), func(t *testing.T) {
			if tc.noColor {
				t.Setenv("NO_COLOR", "1")
			}
			code, got := onSilentTerminal(t, tc.args...)
			if code != tc.code || !strings.Contains(got, tc.want) {
				t.Errorf("ponte %s: exit %d, the terminal got %q", strings.Join(tc.args, " "), code, got)
			}
			if n := strings.Count(got, ansi.RequestBackgroundColor); n != tc.queries {
				t.Errorf("ponte %s (NO_COLOR %v): the background asked %d times, want %d: %q", strings.Join(tc.args, " "), tc.noColor, n, tc.queries, got)
			}
		})
	}
}

// The console draws its screen on a terminal that never answers its background query: it
// asks without waiting, in dark shades until an answer comes; and it reads its keys from the
// terminal it was given (q quits).
func TestConsoleOnATerminalThatNeverAnswers(t *testing.T) {
	db := fixtureDB(t)
	screen, pty, exited := consoleOnPTY(t, "--db", db)
	waitUntil(t, "the console's first screen on a terminal that never answers", func() bool {
		return strings.Contains(screen(), "Clientes")
	})
	// q, again each few seconds as a person would if nothing happened: a key typed while the
	// terminal is still being put in raw mode may be read before the console reads keys.
	go func() {
		for range 10 {
			if _, err := pty.WriteString("q"); err != nil {
				return
			}
			select {
			case <-t.Context().Done():
				return
			case <-time.After(3 * time.Second):
			}
		}
	}()
	if code := within(t, 60e9, "the console after q", exited); code != cli.ExitOK {
		t.Fatalf("the console exited %d", code)
	}
}

// consoleOnPTY runs a command line that opens the console on a terminal of 120 columns that
// never answers a query, its streams and the process's own: what the terminal received so
// far, the side a test types on, and the exit status once it ends.
func consoleOnPTY(t *testing.T, args ...string) (screen func() string, keys *os.File, exited <-chan int) {
	t.Helper()
	t.Setenv("TERM", "xterm-256color")
	tty, pty := openPTY(t, 120)
	onProcessTerminal(t, tty)
	var mu sync.Mutex
	var got bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := pty.Read(buf)
			mu.Lock()
			got.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	done := make(chan int, 1)
	go func() {
		done <- cli.Execute(context.Background(), args, cli.Env{Stdin: tty, Stdout: tty, Stderr: tty})
	}()
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return got.String()
	}, pty, done
}
