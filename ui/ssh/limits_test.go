package ssh

import (
	"path/filepath"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
	"ponte/ui/uitest"
)

// withAna is the fixture with ana, an operator, and an environment that logs in as her with
// asAna; maria is the supervisor.
func withAna(t *testing.T, o Options) (e *sshEnv, asAna func() *term) {
	t.Helper()
	f := uitest.New(t)
	f.Many(t)
	e = startServer(t, ui.Services{Store: f.Store, Engine: f.Engine, Now: f.Now}, filepath.Join(t.TempDir(), "hk"), o)
	ana := newSigner(t)
	key := store.SSHKey{Fingerprint: gossh.FingerprintSHA256(ana.PublicKey()), Line: "test"}
	if err := f.Store.AddAdminKey("ana", key, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	return e, func() *term {
		t.Helper()
		maria := e.signer
		e.signer = ana
		defer func() { e.signer = maria }()
		return e.open()
	}
}

// An operator cannot take the sessions kept for supervisors: with 3 sessions and 1 kept, ana's
// third console is told the server is full, and maria still gets hers. Before, ana could hold
// every session and the supervisor was left with "servidor cheio".
func TestServeKeepsSessionsForSupervisors(t *testing.T) {
	e, asAna := withAna(t, Options{MaxSessions: 3, SupervisorSessions: 1})
	for range 2 {
		tm := asAna()
		defer tm.close()
		tm.waitFor(t, "Associação: Norte Seguro")
	}
	third := asAna()
	defer third.close()
	third.waitFor(t, "servidor cheio")
	maria := e.open()
	defer maria.close()
	maria.waitFor(t, "Integração SGA")
	if _, err := New(e.svc, Options{HostKeyPath: filepath.Join(t.TempDir(), "hk"), MaxSessions: 5, SupervisorSessions: 5}); err == nil {
		t.Fatal("every session kept for supervisors was accepted")
	}
}
