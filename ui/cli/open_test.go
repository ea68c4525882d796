package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ponte/store"
	"ponte/ui/cli"
)

// Every way a command opens the database (to read or to write; the whole of it, its
// association, or the named one or all) says the same of a database that is not there, and of
// one another process holds.
func TestEveryCommandSaysTheSameOfTheDatabase(t *testing.T) {
	reads := map[string][]string{
		"whole database":         {"admin", "list"},
		"its association":        {"config", "show"},
		"named association, all": {"export", "clients"},
	}
	missing := filepath.Join(t.TempDir(), "nenhum.db")
	for name, args := range reads {
		t.Run("missing/"+name, func(t *testing.T) {
			code, _, errOut := ponteIn("", append(args, "--db", missing)...)
			if code != cli.ExitFailure || !strings.Contains(errOut, missing+" does not exist") ||
				!strings.Contains(errOut, "name the database with --db or PONTE_DB, or make it: ponte config set creates it") {
				t.Errorf("ponte %s on a missing database: %d %q", strings.Join(args, " "), code, errOut)
			}
		})
	}
	db := fixtureDB(t)
	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	reads["writing, whole database"] = []string{"association", "add", "norte"}
	reads["writing, its association"] = []string{"config", "unset", "sync-token"}
	for name, args := range reads {
		t.Run("held/"+name, func(t *testing.T) {
			code, _, errOut := ponteIn("", append(args, "--db", db)...)
			if code != cli.ExitInUse || !strings.Contains(errOut, fmt.Sprintf("is in use by process %d (", os.Getpid())) ||
				!strings.Contains(errOut, fmt.Sprintf("wait for it to end, or stop it (kill -INT %d)", os.Getpid())) {
				t.Errorf("ponte %s on a held database: %d %q", strings.Join(args, " "), code, errOut)
			}
		})
	}
}
