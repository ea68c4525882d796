package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ponte/ui/cli"
)

// demoQuit is what the demo's console reads as its input in these tests: ctrl+c, which quits.
const demoQuit = "\x03"

// realDB is a database an operator uses: its principal with a real SGA, an administrator, and
// norte-seguro (a demo association's short name) with a real SGA of its own.
func realDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "prod.db")
	t.Setenv("PONTE_SGA_PASSWORD", "a-real-password")
	for _, args := range [][]string{
		{"config", "set", "--sga-url", "https://sga.example.com/api/sga/v2", "--user", "admin.real"},
		{"admin", "add", "--login", "maria", "--name", "Maria"},
		{"association", "add", "norte-seguro", "--name", "Norte Seguro de Verdade"},
		{"--association", "norte-seguro", "config", "set", "--sga-url", "https://norte.example.com/api/sga/v2", "--user", "norte.real"},
	} {
		if code, _, errOut := run2(db, args...); code != cli.ExitOK {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	t.Setenv("PONTE_SGA_PASSWORD", "")
	return db
}

// The demo writes nothing into a database that holds anything but a demo's data: it says what
// is there and what --force would add, and the file is byte for byte as it was.
func TestDemoRefusesARealDatabase(t *testing.T) {
	db := realDB(t)
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := ponteIn(demoQuit, "--db", db, "demo", "--members", "10", "--latency", "0")
	if code != cli.ExitFailure {
		t.Fatalf("demo over a real database: exit %d %q", code, errOut)
	}
	for _, want := range []string{"prod.db is not a demo's database", "association principal (Principal)", `user "admin.real"`,
		"association norte-seguro (Norte Seguro de Verdade)", `administrator "maria"`, "--force",
		"the associations protecao-sul, vale-minas", `the supervisor "demo"`, "in place of the real ones of norte-seguro"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, errOut)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the refused demo changed the database's bytes")
	}
	code, out, _ := run2(db, "association", "list")
	if code != cli.ExitOK || strings.Contains(out, "protecao-sul") || strings.Contains(out, "vale-minas") || !strings.Contains(out, "principal") {
		t.Fatalf("associations after the refusal:\n%s", out)
	}
}

// With --force the demo says what it adds, then adds it.
func TestDemoForceSaysWhatItAdds(t *testing.T) {
	db := realDB(t)
	code, _, errOut := ponteIn(demoQuit, "--db", db, "demo", "--members", "10", "--latency", "0", "--force")
	if code != cli.ExitOK || !strings.Contains(errOut, "--force: ") || !strings.Contains(errOut, "holds data that is not a demo's; adding to it the associations protecao-sul, vale-minas") {
		t.Fatalf("demo --force: exit %d %q", code, errOut)
	}
	code, out, _ := run2(db, "association", "list")
	for _, want := range []string{"principal", "protecao-sul", "norte-seguro", "vale-minas"} {
		if code != cli.ExitOK || !strings.Contains(out, want) {
			t.Fatalf("associations after --force lack %s:\n%s", want, out)
		}
	}
	if _, out, _ := run2(db, "--association", "norte-seguro", "config", "show"); strings.Contains(out, "norte.real") {
		t.Fatalf("--force kept norte-seguro's real integration:\n%s", out)
	}
}

// A new database becomes a demo's, and a demo's database is the demo's again without --force.
func TestDemoReopensItsOwnDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	for range 2 {
		if code, _, errOut := ponteIn(demoQuit, "--db", db, "demo", "--members", "10", "--latency", "0"); code != cli.ExitOK || errOut != "" {
			t.Fatalf("demo: exit %d %q", code, errOut)
		}
	}
	code, out, _ := run2(db, "association", "list")
	if code != cli.ExitOK || strings.Count(out, "\n") != 4 || strings.Contains(out, "principal") {
		t.Fatalf("a demo's associations:\n%s", out)
	}
	if code, out, _ := run2(db, "admin", "list"); code != cli.ExitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "demo") {
		t.Fatalf("a demo's administrators:\n%s", out)
	}
}
