package ssh

import (
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
	kept := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		kept += " " + comment
	}
	return store.SSHKey{Fingerprint: gossh.FingerprintSHA256(pk), Line: kept, Comment: comment}, nil
}
