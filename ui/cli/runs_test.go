package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
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
	configSet(t, db, url, cr, manualAndToken)
	if code, _, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := ponte("sync", "--rate", "0", "--mode", "incremental")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if last := lines[len(lines)-1]; code != cli.ExitOK || !strings.Contains(out, "from SGA's change feed") ||
		!strings.HasPrefix(last, "run 2: 100% done pages 1/1") {
		t.Fatalf("incremental: %d %q\n%s", code, out, errOut)
	}
	// The run says what it could not know: products moved between vehicles.
	if code, out, errOut := ponte("runs", "2"); code != cli.ExitOK ||
		!strings.Contains(out, "listing 77 → 77 records: products moved between vehicles wait for the full read") {
		t.Fatalf("runs 2: %d %q %q", code, out, errOut)
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
	if code != cli.ExitOK || !strings.Contains(out, ": client run; 1 client, 1 vehicle") || !strings.Contains(out, ", 0 errors, 1 SGA request\n") {
		t.Fatalf("one client: %d %q %q", code, out, errOut)
	}

	// A refused token, read with the manual credentials: runs says so.
	other := filepath.Join(t.TempDir(), "other.db")
	configSet(t, other, url, cr, manualOnly)
	revoked := "token-revogado"
	setStale(t, other, "", store.IntegrationPatch{SyncToken: &revoked})
	// The manual listing gives no page count: its progress says the pages read, and no
	// percentage until the end.
	if code, out, errOut := run2(other, "sync", "--rate", "0"); code != cli.ExitOK ||
		!strings.Contains(out, "fell back to the manual credentials") ||
		strings.Contains(errOut, "/0") || strings.Contains(errOut, "0% reading") || !strings.Contains(errOut, ": 100% done pages ") {
		t.Fatalf("fallen back: %d %q %q", code, out, errOut)
	}
	code, out, errOut = run2(other, "runs")
	if row := strings.Split(strings.TrimSpace(out), "\n"); code != cli.ExitOK || len(row) != 2 ||
		!strings.HasSuffix(row[1], "fell back: SGA refused the Sincronismo SGA token; read with the manual credentials") {
		t.Fatalf("runs: %d %q %q", code, out, errOut)
	}
}

// Run IDs name a run in the whole database; beside them, the summary and runs say which of its
// association's runs it is, as an operator counts them.
func TestRunsAreNumberedInTheirAssociation(t *testing.T) {
	s, url := simServer(t, sim.Options{Seed: 2, Members: 30, PageSize: 20}, nil)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	configSet(t, db, url, cr, tokenOnly)
	if code, _, errOut := ponte("association", "add", "norte"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	configSet(t, db, url, cr, tokenOnly, "-a", "norte")
	for _, want := range []string{"run 1 (principal's 1st) succeeded", "run 2 (norte's 1st) succeeded", "run 3 (norte's 2nd) succeeded"} {
		assoc := strings.TrimSuffix(strings.Fields(want)[2][1:], "'s")
		if code, out, errOut := ponte("-a", assoc, "sync", "--rate", "0"); code != cli.ExitOK || !strings.HasPrefix(out, want) {
			t.Fatalf("sync -a %s: %d %q %q, want %q", assoc, code, out, errOut, want)
		}
	}
	code, out, errOut := ponte("-a", "norte", "runs")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != cli.ExitOK || len(rows) != 3 || !strings.HasPrefix(rows[1], "3   2nd of norte ") || !strings.HasPrefix(rows[2], "2   1st of norte ") {
		t.Fatalf("runs -a norte: %d %q %q", code, out, errOut)
	}
}

// lineWatch is a stderr that tells, once, when a line holding want was written.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return len(p), nil
}

func (w *lineWatch) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.buf.String() }

// A run stopped with Ctrl-C ends saying who cancelled it, in its last progress line and in its
// summary.
func TestCancelledRunSaysWho(t *testing.T) {
	// SGA holds every page of its supplier listing until the run gives up on it.
	s, url := simServer(t, sim.Options{Seed: 3, Members: 40}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if path.Base(path.Dir(r.URL.Path)) == "pagina" && path.Base(r.URL.Path) != "quantidade-paginas" {
				<-r.Context().Done()
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	db := filepath.Join(t.TempDir(), "ponte.db")
	configSet(t, db, url, s.Credentials(), tokenOnly)
	ctx, cancel := context.WithCancelCause(context.Background())
	errOut := &lineWatch{want: "reading", seen: make(chan struct{})}
	seen := errOut.seen
	var out bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--db", db, "sync", "--rate", "0", "--workers", "1"}, &out, errOut)
	}()
	within(t, 20*time.Second, "the sync reading", seen)
	cancel(cli.Interrupted{Signal: os.Interrupt})
	if code := within(t, 20*time.Second, "sync after SIGINT", exited); code != 130 {
		t.Fatalf("exit %d, want 130: %q %q", code, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "(cancelled by ") || !strings.Contains(out.String(), "; cancelled by ") {
		t.Fatalf("who cancelled is not said:\n%s\n%s", out.String(), errOut.String())
	}
}
