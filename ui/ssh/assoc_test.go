package ssh

import (
	"path/filepath"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
	"ponte/ui/uitest"
)

// An operator who comes in over SSH with their key sees their association only: its name in
// the header, one association on Associações and in the picker, its clients alone; nothing of
// the others is ever written to their terminal.
func TestServeShowsAnOperatorOnlyTheirAssociation(t *testing.T) {
	f := uitest.New(t)
	f.Many(t)
	svc := ui.Services{Store: f.Store, Engine: f.Engine, Now: f.Now}
	e := startServer(t, svc, filepath.Join(t.TempDir(), "host_ed25519"), Options{})
	e.signer = newSigner(t) // Ana's key from now on
	key := store.SSHKey{Fingerprint: gossh.FingerprintSHA256(e.signer.PublicKey()), Line: "test"}
	if err := f.Store.AddAdminKey("ana", key, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	tm := e.open()
	defer tm.close()
	tm.waitFor(t, "Associação: Norte Seguro")
	tm.keys("5")
	tm.waitFor(t, "1 associação")
	tm.keys("3")
	tm.waitFor(t, "MARIA NORTE DE SOUZA")
	tm.keys("\x01") // ctrl+a
	tm.waitFor(t, "Trocar de associação")
	for _, other := range []string{"Proteção Sul", "principal", "Vale de Minas", "MARIA DA SILVA", "MARIANA VALE"} {
		if tm.out.has(other) {
			t.Errorf("the operator's terminal was shown %q", other)
		}
	}
}
