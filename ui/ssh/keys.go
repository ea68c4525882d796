package ssh

import (
	"crypto/rsa"
	"fmt"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
)

// ParseKey reads one public key in authorized_keys form (a .pub file's line): the key as the
// store keeps it, with its SHA256 fingerprint and its comment.
func ParseKey(line []byte) (store.SSHKey, error) {
	pk, comment, _, _, err := gossh.ParseAuthorizedKey(line)
	if err != nil {
		return store.SSHKey{}, err
	}
	if err := CheckKey(pk); err != nil {
		return store.SSHKey{}, err
	}
	kept := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		kept += " " + comment
	}
	return store.SSHKey{Fingerprint: gossh.FingerprintSHA256(pk), Line: kept, Comment: comment}, nil
}

// MinRSABits is the shortest RSA key ponte takes: 1024-bit RSA is within reach of factoring,
// and NIST has allowed nothing under 2048 bits since 2013.
const MinRSABits = 2048

// CheckKey is the one rule for the keys that may open the console, asked when a key is added
// (ParseKey) and when one is offered at login: RSA keys shorter than MinRSABits are refused.
func CheckKey(pk gossh.PublicKey) error {
	if cert, ok := pk.(*gossh.Certificate); ok {
		pk = cert.Key
	}
	c, ok := pk.(gossh.CryptoPublicKey)
	if !ok {
		return nil
	}
	if k, ok := c.CryptoPublicKey().(*rsa.PublicKey); ok && k.N.BitLen() < MinRSABits {
		return fmt.Errorf("an RSA key of %d bits is too weak: use one of %d bits or more, or ed25519 (ssh-keygen -t ed25519)", k.N.BitLen(), MinRSABits)
	}
	return nil
}

// keyAdmin is the administrator a key offered at login opens the console for, or why it
// opens nothing.
func (s *Server) keyAdmin(key gossh.PublicKey) (store.Admin, error) {
	if err := CheckKey(key); err != nil {
		return store.Admin{}, err
	}
	a, err := s.svc.Store.AdminByKey(gossh.FingerprintSHA256(key))
	if err == nil {
		err = a.MayLogIn() // disabled, or an operator of no association
	}
	return a, err
}
