package cli_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

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
