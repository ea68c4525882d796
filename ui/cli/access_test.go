package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"ponte/ui/cli"
)

// An authorized_keys input with no key in it is an error, not a success that added nothing.
func TestAuthorizedKeysWithNoKeyFails(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	if code, _, errOut := run2(db, "admin", "add", "--login", "maria", "--name", "Maria"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	for _, stdin := range []string{"", "\n\n", "# only a comment\n"} {
		code, out, errOut := ponteIn(stdin, "--db", db, "admin", "add", "--authorized-keys", "-")
		if code == cli.ExitOK || !strings.Contains(errOut, "no key") || out != "" {
			t.Errorf("authorized_keys %q on stdin: %d %q %q", stdin, code, out, errOut)
		}
	}
}
