package cli_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/ui/cli"
)

// Associations from the command line: add, list, show, set, disable and enable; the global
// --association (or PONTE_ASSOCIATION) when there are several, with the list when it is
// missing or wrong.
func TestAssociationCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	if code, _, errOut := ponte("config", "set", "--product-code", "7"); code != cli.ExitOK {
		t.Fatalf("config set on a new database, with one association: %s", errOut)
	}
	code, out, errOut := ponte("association", "add", "Norte", "--name", "Norte Seguro", "--cnpj", "11.222.333/0001-81")
	if code != cli.ExitOK || !strings.Contains(out, "added association norte (Norte Seguro)") {
		t.Fatalf("association add: %d %q %q", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"association", "add", "norte"},                         // exists
		{"association", "add", "sul minas"},                     // not a short name
		{"association", "add", "x", "--cnpj", "11111111111111"}, // not a CNPJ
		{"association", "add", "x", "--cnpj", "11222333000181"}, // norte's CNPJ
		{"association", "add"},
		{"association", "show", "nenhuma"},
		{"association", "set", "norte"},
		{"association", "disable", "nenhuma"},
	} {
		if code, _, errOut := ponte(bad...); code != cli.ExitUsage {
			t.Errorf("ponte %q exited %d, want 2: %s", bad, code, errOut)
		}
	}

	if _, _, errOut := ponte("association", "add", "x", "--cnpj", "11222333000181"); !strings.Contains(errOut, "CNPJ 11.222.333/0001-81: already exists as association norte") {
		t.Errorf("a second association with norte's CNPJ: %q", errOut)
	}

	// Two associations: the commands that work in one need its name.
	code, _, errOut = ponte("config", "show")
	if code != cli.ExitUsage || !strings.Contains(errOut, "this database has 2 associations: name one with --association NAME") ||
		!strings.Contains(errOut, "norte, principal") {
		t.Fatalf("config show with two associations and none named: %d %q", code, errOut)
	}
	code, _, errOut = ponte("--association", "sul", "config", "show")
	if code != cli.ExitUsage || !strings.Contains(errOut, `no association "sul"; there are: norte, principal`) {
		t.Fatalf("an unknown association: %d %q", code, errOut)
	}
	if code, out, _ := ponte("config", "show", "-a", "principal"); code != cli.ExitOK || !strings.Contains(out, "7") {
		t.Fatalf("config show -a principal: %d %q", code, out)
	}
	t.Setenv("PONTE_ASSOCIATION", "norte")
	if code, _, errOut := ponte("config", "set", "--product-code", "8"); code != cli.ExitOK {
		t.Fatalf("config set in PONTE_ASSOCIATION: %s", errOut)
	}
	t.Setenv("PONTE_ASSOCIATION", "")

	code, out, _ = ponte("association", "list", "--json")
	var list []struct {
		Slug, Name, CNPJ string
		Disabled         bool
	}
	if err := json.Unmarshal([]byte(out), &list); code != cli.ExitOK || err != nil || len(list) != 2 ||
		list[0].Slug != "norte" || list[0].CNPJ != "11222333000181" || list[1].Slug != "principal" {
		t.Fatalf("association list --json: %d %v %q", code, err, out)
	}
	code, out, _ = ponte("association", "show", "norte")
	if code != cli.ExitOK || !strings.Contains(out, "product code:") || !strings.Contains(out, "8") || !strings.Contains(out, "last sync:") ||
		!regexp.MustCompile(`(?m)^cnpj: +11\.222\.333/0001-81$`).MatchString(out) {
		t.Fatalf("association show: %d %q", code, out)
	}
	if code, out, errOut := ponte("association", "set", "principal", "--slug", "sul", "--name", "Proteção Sul"); code != cli.ExitOK ||
		!strings.Contains(out, "association sul (Proteção Sul) saved") {
		t.Fatalf("association set: %d %q %q", code, out, errOut)
	}
	if code, out, _ := ponte("association", "disable", "norte"); code != cli.ExitOK || !strings.Contains(out, "association norte disabled") {
		t.Fatalf("disable: %d %q", code, out)
	}
	code, out, _ = ponte("association", "list")
	if code != cli.ExitOK || !strings.Contains(out, "Norte Seguro (disabled)  11.222.333/0001-81") || !strings.Contains(out, "Proteção Sul") {
		t.Fatalf("association list: %d %q", code, out)
	}
	if code, _, errOut := ponte("-a", "norte", "sync"); code != cli.ExitFailure || !strings.Contains(errOut, "disabled") {
		t.Fatalf("a sync of a disabled association: %d %q", code, errOut)
	}
	if code, _, _ := ponte("association", "enable", "norte"); code != cli.ExitOK {
		t.Fatal("enable")
	}
	code, out, _ = ponte("export", "audit", "--format", "csv")
	for _, want := range []string{"sul,", "association.changed", "norte,", "association.disabled", "association.enabled", "settings.changed"} {
		if code != cli.ExitOK || !strings.Contains(out, want) {
			t.Errorf("the audit lacks %q:\n%s", want, out)
		}
	}
}

// association list counts each association's clients beside its vehicles and contracts.
func TestAssociationListCountsClients(t *testing.T) {
	code, out, errOut := run2(fixtureDB(t), "association", "list")
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^ASSOCIATION +NAME +CNPJ +CLIENTS +VEHICLES +CONTRACTS +LAST SYNC +DAILY$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^principal +Principal +- +3 +5 +1 `).MatchString(out) {
		t.Fatalf("association list: %d %q %q", code, out, errOut)
	}
}

// sync --all syncs every enabled association, its own simulator each: one that refuses its
// credentials fails alone, the others succeed; the status says some failed.
func TestSyncAll(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	for i, slug := range []string{"alfa", "bravo", "charlie"} {
		s, url := simServer(t, sim.Options{Seed: uint64(10 + i), Members: 60, PageSize: 20}, nil)
		cr := s.Credentials()
		if code, _, errOut := ponte("association", "add", slug); code != cli.ExitOK {
			t.Fatal(errOut)
		}
		code, _, errOut := ponteIn(cr.SyncToken, "--db", db, "-a", slug, "config", "set", "--sga-url", url, "--product-code", cr.ProductCode, "--sync-token-stdin")
		if code != cli.ExitOK {
			t.Fatalf("config set %s: %d %s", slug, code, errOut)
		}
	}
	bad := "not-the-token" // charlie's token was revoked in its SGA since
	setStale(t, db, "charlie", store.IntegrationPatch{SyncToken: &bad})
	if code, _, errOut := ponte("association", "disable", "principal"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	if code, _, errOut := ponte("sync", "--all", "--client", "1"); code != cli.ExitUsage {
		t.Fatalf("--all with --client: %d %s", code, errOut)
	}
	code, out, errOut := ponte("sync", "--all", "--rate", "0", "--parallel", "2")
	if code != cli.ExitFailure {
		t.Fatalf("sync --all with one refusing: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"alfa: run", "bravo: run", "charlie: run"} {
		if !strings.Contains(out, want) {
			t.Errorf("no line %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "principal") {
		t.Errorf("the disabled association synced:\n%s", out)
	}
	if !strings.Contains(errOut, "syncing 3 associations, 2 at once") {
		t.Errorf("the progress does not say how many at once:\n%s", errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		ok := strings.Contains(line, " succeeded ")
		if strings.HasPrefix(line, "charlie") == ok {
			t.Errorf("%q", line)
		}
	}
	code, out, _ = ponte("runs", "--json")
	var runs []store.Run
	if err := json.Unmarshal([]byte(out), &runs); code != cli.ExitOK || err != nil || len(runs) != 3 {
		t.Fatalf("runs --json: %d %v %q", code, err, out)
	}
	for _, r := range runs {
		if r.Association == "" {
			t.Errorf("run %d names no association", r.ID)
		}
	}
	code, out, _ = ponte("export", "vehicles", "--format", "csv", "-a", "alfa")
	if code != cli.ExitOK || strings.Contains(out, "bravo,") || !strings.Contains(out, "\nalfa,") {
		t.Fatalf("export of alfa: %d %q", code, out[:min(300, len(out))])
	}
	code, out, _ = ponte("export", "vehicles", "--format", "csv")
	if code != cli.ExitOK || !strings.Contains(out, "\nalfa,") || !strings.Contains(out, "\nbravo,") {
		t.Fatalf("export of all: %d", code)
	}
	// A refused token names the association in its next step.
	code, _, errOut = ponte("-a", "charlie", "sync", "--rate", "0")
	if code != cli.ExitRefused || !strings.Contains(errOut, "ponte --association charlie config set --sync-token-stdin") {
		t.Fatalf("charlie's sync: %d %q", code, errOut)
	}
}

// sync --all skips, with a line, an association nobody has configured (a new database's
// untouched "principal"), so that a scheduled sync --all does not fail for it; one begun and
// left short of a field still fails, and a database with nothing configured says so.
func TestSyncAllSkipsTheUnconfigured(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	if code, _, errOut := ponte("association", "add", "alfa"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	if code, out, errOut := ponte("sync", "--all"); code != cli.ExitFailure || !strings.Contains(errOut, "none of alfa, principal is configured") {
		t.Fatalf("sync --all with nothing configured: %d %q %q", code, out, errOut)
	}
	s, url := simServer(t, sim.Options{Seed: 3, Members: 30, PageSize: 20}, nil)
	cr := s.Credentials()
	if code, _, errOut := ponteIn(cr.SyncToken, "--db", db, "-a", "alfa", "config", "set", "--sga-url", url, "--product-code", cr.ProductCode, "--sync-token-stdin"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := ponte("sync", "--all", "--rate", "0")
	if code != cli.ExitOK || !strings.Contains(out, "principal: skipped: not configured (set it with ponte --association principal config set ...)") ||
		!strings.Contains(out, "alfa: run 1 (alfa's 1st) succeeded") {
		t.Fatalf("sync --all beside an untouched principal: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "syncing 1 association") {
		t.Errorf("the progress counts the skipped association: %q", errOut)
	}
	if code, _, errOut := ponte("-a", "principal", "config", "set", "--sga-url", url); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut = ponte("sync", "--all", "--rate", "0")
	if code != cli.ExitFailure || !strings.Contains(out, "principal: run") || !strings.Contains(out, "Código do Produto is not set") {
		t.Fatalf("sync --all beside a principal begun and left short: %d\n%s\n%s", code, out, errOut)
	}
}

// admin add --role operator --associations: the operator's associations, by short name.
func TestAdminRoles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	if code, _, errOut := ponte("association", "add", "norte"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	for _, bad := range [][]string{
		{"--role", "chefe"},
		{"--role", "operator"},
		{"--role", "supervisor", "--associations", "norte"},
		{"--role", "operator", "--associations", "sul"},
	} {
		if code, _, errOut := ponte(append([]string{"admin", "add", "--login", "ana", "--name", "Ana"}, bad...)...); code != cli.ExitUsage {
			t.Errorf("admin add %q: %d %s", bad, code, errOut)
		}
	}
	code, out, errOut := ponte("admin", "add", "--login", "ana", "--name", "Ana", "--role", "operator", "--associations", "norte")
	if code != cli.ExitOK || !strings.Contains(out, "added as operator of norte") {
		t.Fatalf("admin add operator: %d %q %q", code, out, errOut)
	}
	if code, out, _ := ponte("admin", "add", "--login", "bia", "--name", "Bia"); code != cli.ExitOK || !strings.Contains(out, "supervisor of every association") {
		t.Fatalf("admin add supervisor: %d %q", code, out)
	}
	if code, _, errOut := ponte("admin", "set", "bia", "--role", "operator", "--associations", "norte"); code == cli.ExitOK ||
		!strings.Contains(errOut, "bia is the last enabled supervisor") {
		t.Fatalf("the last supervisor made an operator: %d %q", code, errOut)
	}
	if code, _, errOut := ponte("admin", "add", "--login", "caio", "--name", "Caio"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	if code, out, errOut := ponte("admin", "set", "bia", "--role", "operator", "--associations", "norte,principal"); code != cli.ExitOK ||
		!strings.Contains(out, "bia is now operator of norte, principal") {
		t.Fatalf("admin set: %d %q %q", code, out, errOut)
	}
	for _, bad := range [][]string{{"admin", "set", "bia"}, {"admin", "set", "nobody", "--role", "supervisor"},
		{"admin", "set", "bia", "--role", "operator", "--associations", "sul"}} {
		if code, _, _ := ponte(bad...); code == cli.ExitOK {
			t.Errorf("ponte %q succeeded", bad)
		}
	}
	if code, _, _ := ponte("admin", "set", "bia", "--role", "supervisor"); code != cli.ExitOK {
		t.Fatal("admin set back to supervisor")
	}
	if code, out, _ := ponte("export", "audit", "--format", "csv"); code != cli.ExitOK || !strings.Contains(out, "admin.changed") {
		t.Errorf("no admin.changed in the audit:\n%s", out)
	}
	code, out, _ = ponte("admin", "list", "--json")
	var admins []struct {
		Login, Role  string
		Associations []string
	}
	if err := json.Unmarshal([]byte(out), &admins); code != cli.ExitOK || err != nil || len(admins) != 3 ||
		admins[0].Login != "ana" || admins[0].Role != "operator" || len(admins[0].Associations) != 1 || admins[0].Associations[0] != "norte" ||
		admins[1].Role != "supervisor" {
		t.Fatalf("admin list --json: %d %v %q", code, err, out)
	}
}

// association show marks an empty value "-", as association list does: a new association's
// CNPJ and product code. Before, their labels were followed by nothing.
func TestAssociationShowMarksEmptyValues(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	if code, _, errOut := run2(db, "association", "add", "nova"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := run2(db, "association", "show", "nova")
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^cnpj: +-$`).MatchString(out) || !regexp.MustCompile(`(?m)^product code: +-$`).MatchString(out) {
		t.Fatalf("association show: %d %q\n%s", code, errOut, out)
	}
	if regexp.MustCompile(`(?m):\s*$`).MatchString(out) {
		t.Fatalf("association show prints a label with nothing after it:\n%s", out)
	}
}
