package ssh

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
	"ponte/ui/uitest"
)

// ended waits for a session to end; it fails the test after 10 s.
func (tm *term) ended(t *testing.T, what string) {
	t.Helper()
	select {
	case <-tm.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: the session is still open", what)
	}
}

// A key removed, or its profile disabled, while a console is open over it: that console
// ends at once, says why, and the key opens nothing after.
func TestServeClosesTheSessionsOfARemovedKey(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	st, by := e.svc.Store, store.Actor{Who: "test"}
	fp := gossh.FingerprintSHA256(e.signer.PublicKey())
	other := newSigner(t)
	if err := st.AddAdminKey("maria", store.SSHKey{Fingerprint: gossh.FingerprintSHA256(other.PublicKey())}, by); err != nil {
		t.Fatal(err)
	}
	a, b := e.open(), e.openWithKey(other)
	defer a.close()
	defer b.close()
	a.waitFor(t, "Integração SGA")
	b.waitFor(t, "Integração SGA")
	if _, err := st.RemoveAdminKey("maria", fp, by); err != nil {
		t.Fatal(err)
	}
	a.ended(t, "the removed key's console")
	a.waitFor(t, ui.SayAccessRevoked)
	if _, err := e.dial(); err == nil {
		t.Fatal("the removed key logged in again")
	}
	// The other key's console goes on.
	b.keys("2")
	b.waitFor(t, "maria@example.com")
	select {
	case <-b.done:
		t.Fatal("the session of a key that stays was closed")
	default:
	}
	// Disabled, the profile's other key closes too.
	if _, err := st.AddAdmin(store.Admin{Login: "bia", Name: "Bia"}, by); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetAdminEnabled("maria", false, by); err != nil {
		t.Fatal(err)
	}
	b.ended(t, "a disabled profile's console")
	if _, err := e.dial(gossh.PublicKeys(other)); err == nil {
		t.Fatal("a disabled profile logged in")
	}
}

// A command running over SSH is cut off too, told why on its stderr.
func TestServeClosesTheCommandsOfARemovedProfile(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	handler := func(ctx context.Context, c Command) Result {
		close(started)
		select {
		case <-ctx.Done():
		case <-release:
		}
		return Result{}
	}
	defer close(release)
	svc := fixture(t)
	e := startServer(t, svc, filepath.Join(t.TempDir(), "hk"), Options{Commands: handler})
	if _, err := svc.Store.AddAdmin(store.Admin{Login: "bia", Name: "Bia"}, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	_, sess := e.session()
	var errOut bytes.Buffer
	sess.Stdout, sess.Stderr = io.Discard, &errOut
	done := make(chan error, 1)
	go func() { done <- sess.Run("sync --follow") }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the command never started")
	}
	if _, err := svc.Store.RemoveAdmin("maria", store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var exit *gossh.ExitError
		if errors.As(err, &exit) && exit.ExitStatus() == 0 {
			t.Errorf("the command ended with status 0")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the removed profile's command still runs")
	}
	if !strings.Contains(errOut.String(), ui.SayAccessRevoked) {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// openWithKey is open with another of the profile's keys.
func (e *sshEnv) openWithKey(k gossh.Signer) *term {
	e.t.Helper()
	was := e.signer
	e.signer = k
	defer func() { e.signer = was }()
	return e.open()
}

// An operator whose association is taken away loses the console at once; left with none,
// they are refused at login, and given one back they get in again.
func TestServeClosesAnOperatorsSessionWhenTheirAssociationGoes(t *testing.T) {
	f := uitest.New(t)
	ana := f.Many(t)
	svc := ui.Services{Store: f.Store, Engine: f.Engine, Now: f.Now}
	e := startServer(t, svc, filepath.Join(t.TempDir(), "hk"), Options{})
	e.signer = newSigner(t)
	by := store.Actor{Who: "test"}
	if err := f.Store.AddAdminKey("ana", store.SSHKey{Fingerprint: gossh.FingerprintSHA256(e.signer.PublicKey())}, by); err != nil {
		t.Fatal(err)
	}
	tm := e.open()
	defer tm.close()
	tm.waitFor(t, "Associação: Norte Seguro")
	if _, err := f.Store.SetAdminAccess("ana", store.RoleOperator, nil, by); err != nil {
		t.Fatal(err)
	}
	tm.ended(t, "the console of an operator left with no association")
	if c, err := e.dial(); err == nil {
		c.Close()
		t.Fatal("an operator of no association logged in")
	}
	if _, err := f.Store.SetAdminAccess("ana", store.RoleOperator, ana.Associations, by); err != nil {
		t.Fatal(err)
	}
	again := e.open()
	defer again.close()
	again.waitFor(t, "Associação: Norte Seguro")
}
