package cli_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"ponte/ui/uitest"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/ui/cli"
)

// SIGTERM to ponte serve during a sync that a client started over SSH: the run is recorded
// as interrupted by the server's shutdown, not as cancelled by the client's administrator,
// and the client gets the exit status of a SIGTERM (143) and a line that says why.
func TestSIGTERMDuringASyncOverSSH(t *testing.T) {
	db, sm, _ := syncedDB(t, 400)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddAdmin(store.Admin{Login: "maria", Name: "Maria Souza",
		Keys: []store.SSHKey{{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), Line: "test"}}}, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sm.SetFaults(sim.Faults{Latency: 3 * time.Second}) // the sync is still running when the signal comes

	dir := t.TempDir()
	logFile := filepath.Join(dir, "ponte.log")
	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Execute(ctx, []string{"--db", db, "serve", "--listen", "127.0.0.1:0", "--log", logFile,
			"--host-key", filepath.Join(dir, "hk")}, cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	}()
	waitFile(t, logFile, "serving the console over ssh")
	b, _ := os.ReadFile(logFile)
	addr := regexp.MustCompile(`msg="serving the console over ssh" addr=(\S+)`).FindSubmatch(b)
	if addr == nil {
		t.Fatalf("no address in the log:\n%s", b)
	}
	c, err := gossh.Dial("tcp", string(addr[1]), &gossh.ClientConfig{User: "maria", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut uitest.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	if err := sess.Start("sync --association principal"); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	waitUntil(t, "the sync's progress", func() bool { return strings.Contains(errOut.String(), "pages") })

	stop(cli.Interrupted{Signal: syscall.SIGTERM})
	err = within(t, 30*time.Second, "the ssh command after SIGTERM", ended)
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 143 {
		t.Errorf("the client got %v, want exit status 143\nstdout: %s\nstderr: %s", err, out.String(), tail(errOut.String(), 800))
	}
	if !strings.Contains(errOut.String(), "the server is shutting down") {
		t.Errorf("the client was not told why the command stopped:\n%s", tail(errOut.String(), 800))
	}
	if code := within(t, 30*time.Second, "serve after SIGTERM", exited); code != 143 {
		t.Fatalf("serve after SIGTERM: exit %d", code)
	}

	st, err = store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	principal, _ := st.In("principal")
	runs, _ := principal.Runs(1)
	if len(runs) != 1 || runs[0].Status != store.StatusInterrupted || runs[0].CancelledBy != "" ||
		!strings.Contains(runs[0].Reason, "shutdown") || runs[0].StartedBy != "maria" {
		t.Fatalf("the run after SIGTERM: %+v", runs)
	}
	log, _ := st.AuditLog(0, 0)
	for _, e := range log {
		if e.Action == store.ActionSyncCancelled {
			t.Errorf("the audit says the run was cancelled: %+v", e)
		}
	}
	if !slicesContainsAction(log, store.ActionSyncInterrupted, "server") {
		t.Errorf("the audit does not say the server's shutdown interrupted the run: %+v", log)
	}
}

func slicesContainsAction(log []store.AuditEntry, action, who string) bool {
	for _, e := range log {
		if e.Action == action && e.Who == who {
			return true
		}
	}
	return false
}
