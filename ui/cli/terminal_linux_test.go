package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"ponte/ui/cli"
)

// sync --all with stdout and stderr on one terminal shows each association's end once, in
// full: the line stdout prints. Before, stderr noted it first, cut to the terminal's width,
// and stdout printed it again below.
func TestSyncAllOnATerminalSaysEachEndOnce(t *testing.T) {
	db, _, url := syncedDB(t, 30)
	t.Setenv("TERM", "xterm-256color")
	tty, pty := openPTY(t, 80)
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	code := cli.Execute(context.Background(), []string{"--db", db, "--sga-url", url, "sync", "--all", "--rate", "0"},
		cli.Env{Stdin: strings.NewReader(""), Stdout: tty, Stderr: tty})
	tty.Close()
	within(t, 10e9, "the terminal's output", read)
	screen := got.String()
	if code != cli.ExitOK {
		t.Fatalf("sync --all: %d %q", code, screen)
	}
	if n := strings.Count(screen, "principal: "); n != 1 || !strings.Contains(screen, "principal: run 2 (principal's 2nd) succeeded") || strings.Contains(screen, "…") {
		t.Fatalf("the association's end shown %d times, want once and whole: %q", n, screen)
	}
	if !strings.Contains(screen, "syncing 1 association, 4 at once") {
		t.Fatalf("no progress on the terminal: %q", screen)
	}
}

// Help on a terminal that reports 0 columns (a pseudo-terminal nobody sized, as script(1) opens
// with no terminal behind it) shows its usage and examples 80 columns wide. Before, fang drew
// them in boxes 0 wide, empty.
func TestHelpOnATerminalOfNoWidth(t *testing.T) {
	tty, pty := openPTY(t, 0)
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = io.Copy(&got, pty) }()
	cmd := exec.Command(os.Args[0])
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "__FANG_TEST_WIDTH=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childArgs+"=sync --help", "TERM=xterm-256color", "NO_COLOR=1")
	if err := cmd.Run(); err != nil {
		t.Fatalf("ponte sync --help: %v", err)
	}
	tty.Close()
	within(t, 10e9, "the terminal's output", read)
	help := ansi.Strip(got.String())
	for _, want := range []string{"ponte sync [--flags]", "ponte sync --client 123.456.789-09 --json", "ponte sync --all --parallel 8"} {
		if !strings.Contains(help, want) {
			t.Fatalf("help on a terminal of 0 columns lacks %q:\n%s", want, help)
		}
	}
}

// demo --force says what it added on the console's first screen too: the console covers the
// line on stderr at once (it is readable only after quitting). Before, the screen said nothing
// of it.
func TestDemoForceSaysWhatItAddsOnTheConsole(t *testing.T) {
	db := realDB(t)
	screen, pty, exited := consoleOnPTY(t, "--db", db, "demo", "--members", "10", "--latency", "0", "--force")
	waitUntil(t, "the demo's first screen to say what --force added", func() bool {
		s := ansi.Strip(screen())
		return strings.Contains(s, "adicionou ao banco de dados") && strings.Contains(s, db)
	})
	if _, err := pty.WriteString("q"); err != nil {
		t.Fatal(err)
	}
	if code := within(t, 30e9, "the demo after q", exited); code != cli.ExitOK {
		t.Fatalf("the demo exited %d", code)
	}
}
