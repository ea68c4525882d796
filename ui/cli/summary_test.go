package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"ponte/sga/sim"
	"ponte/ui/cli"
)

// A sync's summary is one line of at most 100 columns that says which kind of run it was and
// why it read so, even for an association with the longest short name.
func TestSyncSummarySaysKindAndWhyInOneLineOf100Columns(t *testing.T) {
	s, url := simServer(t, sim.Options{Seed: 4, Members: 60, PageSize: 20}, nil)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	configSet(t, db, url, cr, manualAndToken)
	long := strings.Repeat("associacao-", 3)[:32]
	if code, _, errOut := ponte("association", "set", "principal", "--slug", long); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--rate", "0"}, ": full read, as asked; "},
		{[]string{"sync", "--rate", "0", "--mode", "incremental"}, ": incremental, 0 changes from SGA's change feed; "},
		{[]string{"sync", "--rate", "0", "--mode", "auto"}, ": full read, the daily one; "},
		{[]string{"runs", "1"}, ": full read, as asked; "},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := ponte(tt.args...)
			line, _, _ := strings.Cut(out, "\n")
			if code != cli.ExitOK || !strings.Contains(line, tt.want) || !strings.Contains(line, " vehicles") || utf8.RuneCountInString(line) > 100 {
				t.Errorf("ponte %s: %d, %d columns:\n%s\n%s", strings.Join(tt.args, " "), code, utf8.RuneCountInString(line), out, errOut)
			}
		})
	}
	if code, out, _ := ponte("sync", "--all", "--rate", "0"); code != cli.ExitOK || utf8.RuneCountInString(strings.TrimSpace(out)) > 100 ||
		!strings.Contains(out, "full read, as asked") {
		t.Errorf("sync --all: %d\n%s", code, out)
	}
}
