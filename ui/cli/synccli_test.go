package cli_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/store/norm"
	"ponte/ui/cli"
)

// runsOf is the database's runs, newest first.
func runsOf(t *testing.T, db string) []store.Run {
	t.Helper()
	code, out, errOut := run2(db, "runs", "--json", "--limit", "50")
	var runs []store.Run
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &runs) != nil {
		t.Fatalf("runs --json: %d %q %q", code, out, errOut)
	}
	return runs
}

// sync --client takes a CPF or a stored client's SGA code, as import --client does; anything
// else is a mistake on the command line (exit 2), said before any run is recorded. Before, a
// code was sent to the engine as a CPF and recorded as a failed run, exit 1.
func TestSyncClientTakesACodeOrACPF(t *testing.T) {
	db, s, url := syncedDB(t, 20)
	before := len(runsOf(t, db))
	for _, bad := range []string{"99999", "12.34", "abc", "832.563.107-4", "0", "529.982.247-26", "11111111111"} {
		t.Run(bad, func(t *testing.T) {
			code, out, errOut := run2(db, "--sga-url", url, "sync", "--rate", "0", "--client", bad)
			if code != cli.ExitUsage || out != "" || !strings.Contains(errOut, "--client") {
				t.Errorf("sync --client %s: exit %d, want %d: %q %q", bad, code, cli.ExitUsage, out, errOut)
			}
		})
	}
	if n := len(runsOf(t, db)); n != before {
		t.Fatalf("bad --client values recorded %d runs", n-before)
	}
	m := s.Vehicles()[0]
	for _, ref := range []string{strconv.FormatInt(m.MemberCode, 10), m.MemberCPF} {
		t.Run(ref, func(t *testing.T) {
			code, out, errOut := run2(db, "--sga-url", url, "sync", "--rate", "0", "--client", ref, "--json")
			var run store.Run
			if code != cli.ExitOK || json.Unmarshal([]byte(out), &run) != nil || run.Kind != store.RunClient || run.Client != digits(m.MemberCPF) {
				t.Errorf("sync --client %s: %d %+v %q", ref, code, run, errOut)
			}
		})
	}
}

func digits(s string) string {
	d, _ := norm.CPF(s)
	return d
}

// The audit's details count in number, as ponte export audit shows them: a one-client sync
// ends with "1 client", an administrator without keys is added with "0 keys". Before, "1
// clients" and "0 key(s)".
func TestAuditCountsAgreeInNumber(t *testing.T) {
	db, s, url := syncedDB(t, 20)
	if code, out, errOut := run2(db, "--sga-url", url, "sync", "--rate", "0", "--client", s.Vehicles()[0].MemberCPF); code != cli.ExitOK {
		t.Fatalf("sync --client: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run2(db, "admin", "add", "--login", "joao", "--name", "João"); code != cli.ExitOK {
		t.Fatalf("admin add: %d %q", code, errOut)
	}
	code, audit, errOut := run2(db, "export", "audit")
	if code != cli.ExitOK {
		t.Fatalf("export audit: %d %q", code, errOut)
	}
	for _, want := range []string{"succeeded: 1 client, ", "login joao, supervisor, 0 keys"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit lacks %q:\n%s", want, audit)
		}
	}
	if strings.Contains(audit, "(s)") || strings.Contains(audit, " 1 clients") {
		t.Errorf("the audit counts out of number:\n%s", audit)
	}
}

// sync --client against an SGA that does not answer failed, as the full sync does, for the same
// reason: exit 1, "no reply from SGA", and the run recorded failed with that reason's code.
// Before, it ended partial, "1 pages failed".
func TestClientSyncAgainstASilentSGAFails(t *testing.T) {
	db, sm, _ := syncedDB(t, 40)
	dead := httptest.NewServer(nil)
	url := dead.URL + sim.BasePath
	dead.Close()
	for _, args := range [][]string{{"sync"}, {"sync", "--client", sm.Vehicles()[0].MemberCPF}} {
		code, _, errOut := ponteIn("", append([]string{"--db", db, "--sga-url", url, "--rate", "0"}, args...)...)
		if code != cli.ExitFailure || !strings.Contains(errOut, "ponte: no reply from SGA at "+dead.URL) {
			t.Errorf("ponte %s: %d %q", strings.Join(args, " "), code, errOut)
		}
	}
	runs := runsOf(t, db)
	if len(runs) != 3 || runs[0].Kind != store.RunClient || runs[0].Status != store.StatusFailed ||
		runs[0].ReasonCode != runs[1].ReasonCode || runs[1].Status != store.StatusFailed {
		t.Fatalf("runs: %+v", runs)
	}
}

// sync --all with stdout and stderr sent to one log (> log 2>&1) writes each association's end
// once: stderr's note is left out whenever both streams are the same file, terminal or not.
// Before, only two terminals counted as one, and the log held every line twice.
func TestSyncAllToOneLogSaysEachEndOnce(t *testing.T) {
	db, _, url := syncedDB(t, 30)
	log, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	code := cli.Execute(context.Background(), []string{"--db", db, "--sga-url", url, "sync", "--all", "--rate", "0"},
		cli.Env{Stdin: strings.NewReader(""), Stdout: log, Stderr: log})
	got, err := os.ReadFile(log.Name())
	if err != nil {
		t.Fatal(err)
	}
	if code != cli.ExitOK || strings.Count(string(got), "principal: ") != 1 || !strings.Contains(string(got), "syncing 1 association") {
		t.Fatalf("sync --all > log 2>&1: exit %d, want each end once:\n%s", code, got)
	}
}

// A sync's progress says its rate as a unit, with one decimal, whatever the number: "1.0
// vehicles/s", never "1 vehicles/s", which read as a count out of number.
func TestSyncProgressSaysItsRateAsAUnit(t *testing.T) {
	db, _, url := syncedDB(t, 30)
	code, _, errOut := run2(db, "--sga-url", url, "sync", "--rate", "0")
	rates := regexp.MustCompile(`[0-9.]+ vehicles/s`).FindAllString(errOut, -1)
	if code != cli.ExitOK || len(rates) == 0 {
		t.Fatalf("sync: %d, no rate in its progress:\n%s", code, errOut)
	}
	for _, r := range rates {
		if !regexp.MustCompile(`^[0-9]+\.[0-9] vehicles/s$`).MatchString(r) {
			t.Errorf("rate %q, want one decimal:\n%s", r, errOut)
		}
	}
}
