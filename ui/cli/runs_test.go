package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ponte/sga/sim"
	"ponte/ui/cli"
)

// A run's output in English: counts in their number ("1 client, 1 vehicle"); a successful
// incremental run ends "100% done, pages 1/1"; runs lists a run that fell back with why in
// its REASON column.
func TestRunOutputSaysWhatHappened(t *testing.T) {
	s, url := simServer(t, sim.Options{Seed: 2, Members: 60, PageSize: 20}, nil)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	t.Setenv("PONTE_SGA_PASSWORD", cr.Password)
	t.Setenv("PONTE_SGA_API_KEY", cr.APIKey)
	t.Setenv("PONTE_SGA_SYNC_TOKEN", cr.SyncToken)
	if code, _, errOut := ponte("config", "set", "--sga-url", url, "--user", cr.User, "--product-code", cr.ProductCode); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	t.Setenv("PONTE_SGA_PASSWORD", "")
	t.Setenv("PONTE_SGA_API_KEY", "")
	t.Setenv("PONTE_SGA_SYNC_TOKEN", "")
	if code, _, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := ponte("sync", "--rate", "0", "--mode", "incremental")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if last := lines[len(lines)-1]; code != cli.ExitOK || !strings.Contains(out, "from SGA's change feed") ||
		!strings.HasPrefix(last, "run 2: 100% done pages 1/1") {
		t.Fatalf("incremental: %d %q\n%s", code, out, errOut)
	}

	// A member with one vehicle of ours, synced alone with the token: one of each.
	var one sim.VehicleInfo
	ours := map[int64]int{}
	for _, v := range s.Vehicles() {
		if slices.Contains(v.Products, cr.ProductCode) {
			ours[v.MemberCode]++
		}
	}
	for _, v := range s.Vehicles() {
		if ours[v.MemberCode] == 1 && slices.Contains(v.Products, cr.ProductCode) && (one.Code == 0 || v.Code < one.Code) {
			one = v
		}
	}
	if code, _, errOut := ponte("config", "unset", "user"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut = ponte("sync", "--rate", "0", "--client", one.MemberCPF)
	if code != cli.ExitOK || !strings.Contains(out, ": 1 client, 1 vehicle (") || !strings.Contains(out, ", 0 errors, 1 SGA request\n") {
		t.Fatalf("one client: %d %q %q", code, out, errOut)
	}

	// A refused token, read with the manual credentials: runs says so.
	other := filepath.Join(t.TempDir(), "other.db")
	t.Setenv("PONTE_SGA_PASSWORD", cr.Password)
	t.Setenv("PONTE_SGA_API_KEY", cr.APIKey)
	t.Setenv("PONTE_SGA_SYNC_TOKEN", "token-revogado")
	if code, _, errOut := run2(other, "config", "set", "--sga-url", url, "--user", cr.User, "--product-code", cr.ProductCode); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	if code, out, errOut := run2(other, "sync", "--rate", "0"); code != cli.ExitOK ||
		!strings.Contains(out, "fell back: SGA refused the Sincronismo SGA token; read with the manual credentials") {
		t.Fatalf("fallen back: %d %q %q", code, out, errOut)
	}
	code, out, errOut = run2(other, "runs")
	if row := strings.Split(strings.TrimSpace(out), "\n"); code != cli.ExitOK || len(row) != 2 ||
		!strings.HasSuffix(row[1], "fell back: SGA refused the Sincronismo SGA token; read with the manual credentials") {
		t.Fatalf("runs: %d %q %q", code, out, errOut)
	}
}
