package cli_test

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"ponte/ui/cli"
)

// An authorized_keys input with no key in it is an error, not a success that added nothing.
func TestAuthorizedKeysWithNoKeyFails(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	if code, _, errOut := run2(db, "admin", "add", "--login", "maria", "--name", "Maria"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	for _, stdin := range []string{"", "\n\n", "# only a comment\n"} {
		t.Run(fmt.Sprintf("%q", stdin), func(t *testing.T) {
			code, out, errOut := ponteIn(stdin, "--db", db, "admin", "add", "--authorized-keys", "-")
			if code == cli.ExitOK || !strings.Contains(errOut, "no key") || out != "" {
				t.Errorf("authorized_keys %q on stdin: %d %q %q", stdin, code, out, errOut)
			}
		})
	}
}

// Access is taken away from the command line: a key by its comment or fingerprint, a
// profile disabled and enabled, an operator's last association, a profile removed; each
// in the audit, and the last supervisor kept.
func TestAdminAccessCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := ponte(args...)
		if code != cli.ExitOK {
			t.Fatalf("ponte %q: %d %s", args, code, errOut)
		}
		return out
	}
	must("association", "add", "norte")
	must("admin", "add", "--login", "maria", "--name", "Maria")
	must("admin", "add", "--login", "ana", "--name", "Ana", "--role", "operator", "--associations", "norte")
	line, fp := newKeyLine(t, "ana@laptop")
	if out := must("admin", "key", "add", "ana", line); out != "ana: "+fp+" (ana@laptop)\n" {
		t.Errorf("key add: %q", out)
	}
	other, otherFP := newKeyLine(t, "ana@desk")
	if code, out, errOut := ponteIn(other+"\n", "--db", db, "admin", "key", "add", "ana", "-"); code != cli.ExitOK || !strings.Contains(out, otherFP) {
		t.Errorf("key add from stdin: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := ponte("admin", "key", "add", "ana", "not a key"); code == cli.ExitOK || !strings.Contains(errOut, "not an SSH public key") {
		t.Errorf("key add of garbage: %d %q", code, errOut)
	}
	if out := must("admin", "key", "remove", "ana", "ana@laptop"); !strings.Contains(out, "key "+fp+" (ana@laptop) removed from ana") {
		t.Errorf("key remove by comment: %q", out)
	}
	must("admin", "key", "remove", "ana", otherFP)
	if code, _, errOut := ponte("admin", "key", "remove", "ana", otherFP); code == cli.ExitOK || !strings.Contains(errOut, "has no key") {
		t.Errorf("a key removed twice: %d %q", code, errOut)
	}

	must("admin", "disable", "ana")
	if out := must("admin", "list"); !strings.Contains(out, "operator of norte (disabled)") {
		t.Errorf("admin list of a disabled profile:\n%s", out)
	}
	must("admin", "enable", "ana")
	if out := must("admin", "set", "ana", "--role", "operator", "--associations", ""); !strings.Contains(out, "operator of no association") {
		t.Errorf("the last association taken: %q", out)
	}
	if code, _, _ := ponte("admin", "set", "ana", "--role", "operator"); code != cli.ExitUsage {
		t.Errorf("--role operator without --associations: %d", code)
	}

	for _, args := range [][]string{{"admin", "remove", "maria"}, {"admin", "disable", "maria"}} {
		if code, _, errOut := ponte(args...); code == cli.ExitOK || !strings.Contains(errOut, "last enabled supervisor") {
			t.Errorf("ponte %q: %d %q", args, code, errOut)
		}
	}
	if out := must("admin", "remove", "ana"); !strings.Contains(out, "administrator ana (Ana) removed") {
		t.Errorf("remove: %q", out)
	}
	if code, _, errOut := ponte("admin", "remove", "ana"); code == cli.ExitOK || !strings.Contains(errOut, "not found") {
		t.Errorf("remove twice: %d %q", code, errOut)
	}
	audit := must("export", "audit", "--format", "csv")
	for _, action := range []string{"admin.key_removed", "admin.disabled", "admin.enabled", "admin.changed", "admin.removed"} {
		if !strings.Contains(audit, action) {
			t.Errorf("no %s in the audit", action)
		}
	}
}

func newKeyLine(t *testing.T, comment string) (string, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ssh.NewPublicKey(pub)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment, ssh.FingerprintSHA256(k)
}
