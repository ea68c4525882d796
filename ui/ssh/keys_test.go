package ssh

import (
	"crypto/rand"
	"crypto/rsa"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
)

func rsaSigner(t *testing.T, bits int) gossh.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// An RSA key under MinRSABits is refused when it is added, and at login when a database
// holds one from before.
func TestShortRSAKeysAreRefused(t *testing.T) {
	weak, strong := rsaSigner(t, 1024), rsaSigner(t, MinRSABits)
	if _, err := ParseKey(gossh.MarshalAuthorizedKey(weak.PublicKey())); err == nil || !strings.Contains(err.Error(), "1024") {
		t.Errorf("a 1024-bit RSA key was taken: %v", err)
	}
	if k, err := ParseKey(gossh.MarshalAuthorizedKey(strong.PublicKey())); err != nil || k.Fingerprint == "" {
		t.Errorf("a %d-bit RSA key: %+v, %v", MinRSABits, k, err)
	}

	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	for _, s := range []gossh.Signer{weak, strong} {
		key := store.SSHKey{Fingerprint: gossh.FingerprintSHA256(s.PublicKey()), Line: "test"}
		if err := e.svc.Store.AddAdminKey("maria", key, store.Actor{Who: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := e.dial(gossh.PublicKeys(weak)); err == nil {
		c.Close()
		t.Error("a 1024-bit RSA key logged in")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("a 1024-bit RSA key: %v", err)
	}
	c, err := e.dial(gossh.PublicKeys(strong))
	if err != nil {
		t.Fatalf("a %d-bit RSA key: %v", MinRSABits, err)
	}
	c.Close()
}
