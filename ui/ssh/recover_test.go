package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"ponte/ui"
)

// A panic while one session is handled (a bug, or a store read that fails in a way nobody
// foresaw) ends that session with an error, logged with its stack; the console open beside
// it goes on, and so does the server.
func TestServeKeepsOtherSessionsWhenOnePanics(t *testing.T) {
	handler := func(_ context.Context, c Command) Result {
		if c.Args[0] == "boom" {
			panic("a session's bug")
		}
		fmt.Fprintln(c.Out, "ok")
		return Result{Command: c.Args[0]}
	}
	log := &screen{}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"),
		Options{Commands: handler, Logger: slog.New(slog.NewTextHandler(log, nil))})
	console := e.open()
	defer console.close()
	console.waitFor(t, "Integração SGA")

	_, sess := e.session()
	var errOut bytes.Buffer
	sess.Stderr = &errOut
	err := sess.Run("boom")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(errOut.String(), ui.SaySessionFailed) {
		t.Fatalf("the panicking session: %v, stderr %q", err, errOut.String())
	}
	if !log.has("ssh session failed") || !log.has("a session's bug") {
		t.Fatalf("not logged: %s", log.buf.String())
	}
	console.keys("4")
	console.waitFor(t, "OS-2026-000001")
	_, again := e.session()
	if out, err := again.Output("runs"); err != nil || string(out) != "ok\n" {
		t.Fatalf("a later session: %q, %v", out, err)
	}
}
