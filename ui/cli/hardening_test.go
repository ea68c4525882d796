package cli_test

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/ui/cli"
)

// syncedDB is a database after a full sync of a simulator's register.
func syncedDB(t *testing.T, members int) (db string, s *sim.Sim, url string) {
	t.Helper()
	s, url = simServer(t, sim.Options{Seed: 3, Members: members, PageSize: 50}, nil)
	cr := s.Credentials()
	db = filepath.Join(t.TempDir(), "ponte.db")
	configSet(t, db, url, cr, tokenOnly)
	if code, out, errOut := run2(db, "sync", "--rate", "0"); code != cli.ExitOK {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	return db, s, url
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// A database cut short at any point is refused by every command that only reads, with exit 1
// and a message; none of them crashes or writes a byte. Before, bbolt mapped the file, trusted
// its header and faulted past the end, after a schema transaction had already written to it.
func TestReadOnlyCommandsOnACutDatabase(t *testing.T) {
	good, _, _ := syncedDB(t, 400)
	db, err := bolt.Open(good, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var used int64
	_ = db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	page := int64(db.Info().PageSize) // the cuts after one meta page and after both
	db.Close()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{{"config", "show"}, {"config", "test", "--timeout", "2s"}, {"admin", "list"}}
	for _, kind := range store.ExportKinds {
		commands = append(commands, []string{"export", kind})
	}
	dir := t.TempDir()
	for _, at := range []int64{0, 100, page, 2 * page, used / 4, used / 2, used - page} {
		cut := filepath.Join(dir, "cut.db")
		if err := os.WriteFile(cut, data[:at], 0o600); err != nil {
			t.Fatal(err)
		}
		before := fileHash(t, cut)
		for _, args := range append(commands, []string{"backup", filepath.Join(dir, "copy.db")}) {
			code, _, errOut := run2(cut, args...)
			if code != cli.ExitFailure || errOut == "" {
				t.Errorf("cut at %d, ponte %v: exit %d %q; want 1 and a message", at, args, code, errOut)
			}
			if fileHash(t, cut) != before {
				t.Fatalf("cut at %d, ponte %v changed the file", at, args)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "copy.db")); err == nil {
			t.Fatalf("cut at %d: a backup of a damaged database was written", at)
		}
		if _, err := os.Stat(store.KeyPath(cut)); err == nil {
			t.Fatalf("cut at %d: a read-only command made a key file", at)
		}
		// A command that writes refuses it just the same, before touching it (an empty file
		// is where a new database may be made).
		if at == 0 {
			continue
		}
		if code, _, errOut := run2(cut, "admin", "add", "--login", "ana", "--name", "Ana"); code != cli.ExitFailure || fileHash(t, cut) != before {
			t.Errorf("cut at %d, admin add: exit %d %q, file changed %v", at, code, errOut, fileHash(t, cut) != before)
		}
		os.Remove(store.KeyPath(cut))
	}
}

// Another application's bbolt file, a text file and an empty file are not converted into
// ponte databases by a command that reads; the first two are refused by every command.
func TestForeignFilesAreNotConverted(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	empty := filepath.Join(dir, "empty.db")
	for p, content := range map[string]string{text: "minhas anotações\n", empty: ""} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]string{other: "another application's bbolt database (its buckets: widgets)",
		text: "is a text file: not a ponte database", empty: "empty file"} {
		before := fileHash(t, path)
		for _, args := range [][]string{{"export", "clients"}, {"config", "show"}} {
			code, _, errOut := run2(path, args...)
			if code != cli.ExitFailure || !strings.Contains(errOut, want) {
				t.Errorf("ponte --db %s %v: %d %q; want %q", filepath.Base(path), args, code, errOut, want)
			}
		}
		if path != empty {
			if code, _, errOut := run2(path, "admin", "add", "--login", "ana", "--name", "Ana"); code != cli.ExitFailure || !strings.Contains(errOut, want) {
				t.Errorf("ponte --db %s admin add: %d %q", filepath.Base(path), code, errOut)
			}
		}
		if fileHash(t, path) != before {
			t.Errorf("%s was changed", filepath.Base(path))
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode changed to %o", filepath.Base(path), fi.Mode().Perm())
		}
		if _, err := os.Stat(store.KeyPath(path)); err == nil {
			t.Errorf("a key file was made beside %s", filepath.Base(path))
		}
	}
	// A database or key others can read is refused with the fix, and left as it is.
	db2, _, _ := syncedDB(t, 20)
	for _, p := range []string{db2, store.KeyPath(db2)} {
		_ = os.Chmod(p, 0o644)
		code, _, errOut := run2(db2, "export", "clients")
		if code != cli.ExitFailure || !strings.Contains(errOut, "chmod 600 "+p) {
			t.Errorf("%s 0644: %d %q", filepath.Base(p), code, errOut)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode changed", filepath.Base(p))
		}
		_ = os.Chmod(p, 0o600)
	}
}

// backup writes only a new file, or with --force an existing regular one; never the database,
// its key or the host key, never through a link, never over a device.
func TestBackupRefusesToDestroy(t *testing.T) {
	db, _, _ := syncedDB(t, 20)
	dir := filepath.Dir(db)
	key := store.KeyPath(db)
	host := cli.HostKeyPath(db)
	if err := os.WriteFile(host, []byte("host key"), 0o600); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "old-backup.db")
	if err := os.WriteFile(existing, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("someone else's file"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	// The old code wrote FILE.tmp, following a link planted there.
	planted := filepath.Join(dir, "new.db.tmp")
	if err := os.Symlink(victim, planted); err != nil {
		t.Fatal(err)
	}
	watch := []string{db, key, host, existing, victim}
	hashes := map[string][32]byte{}
	for _, p := range watch {
		hashes[p] = fileHash(t, p)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", db, "--force"}, "ponte needs that file"},
		{[]string{"backup", key, "--force"}, "ponte needs that file"},
		{[]string{"backup", host, "--force"}, "ponte needs that file"},
		{[]string{"backup", existing}, "already exists; choose a new name, or add --force"},
		{[]string{"backup", link, "--force"}, "is a symbolic link"},
		{[]string{"backup", "/dev/null", "--force"}, "is a device"},
		{[]string{"backup", filepath.Join(dir, "no", "such", "dir.db")}, "no such file or directory"},
	} {
		t.Run(c.want, func(t *testing.T) {
			code, _, errOut := run2(db, c.args...)
			if code != cli.ExitFailure || !strings.Contains(errOut, c.want) {
				t.Errorf("ponte %v: %d %q; want %q", c.args, code, errOut, c.want)
			}
		})
	}
	for _, p := range watch {
		if fileHash(t, p) != hashes[p] {
			t.Errorf("%s was changed", p)
		}
	}
	newPath := filepath.Join(dir, "new.db")
	if code, out, errOut := run2(db, "backup", newPath); code != cli.ExitOK || !strings.Contains(out, "bytes written") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if fileHash(t, victim) != hashes[victim] {
		t.Fatal("the backup was written through the planted link")
	}
	if code, _, errOut := run2(db, "backup", existing, "--force"); code != cli.ExitOK {
		t.Fatalf("backup --force over an old backup: %d %q", code, errOut)
	}
	for _, p := range []string{newPath, existing} {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o", p, fi.Mode().Perm())
		}
		if code, out, errOut := run2(p, "export", "vehicles"); code != cli.ExitOK || out == "" {
			t.Errorf("the backup %s does not read: %d %q", p, code, errOut)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// A wrong product code that slipped past config set (SGA changed its catalogue, say) makes
// the next sync find none of our vehicles: it marks nothing gone, fails naming the products
// SGA's listing carries, and exits 1. Before, it exited 0 with the whole fleet marked gone.
func TestSyncWithAWrongProductMarksNothing(t *testing.T) {
	db, _, _ := syncedDB(t, 200)
	b, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code := "99" // saved past the check, as an older ponte did
	if _, err := b.SetIntegration(store.IntegrationPatch{ProductCode: &code}, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	exit, out, errOut := run2(db, "sync", "--rate", "0", "--json")
	var r store.Run
	if exit != cli.ExitFailure || json.Unmarshal([]byte(out), &r) != nil || r.Status != store.StatusFailed ||
		r.ReasonCode != "none_ours" || r.Counts.VehiclesGone != 0 || !strings.Contains(errOut, "(RASTREADOR) on ") {
		t.Fatalf("sync with a wrong product code: %d %q %q", exit, out, errOut)
	}
	_, vehicles, _ := run2(db, "export", "vehicles")
	if strings.Contains(vehicles, `"gone":true`) {
		t.Fatal("vehicles were marked gone")
	}
}

// config test has a deadline for the whole test and names each route it could not finish.
func TestConfigTestDeadline(t *testing.T) {
	var silent atomic.Bool // once set, SGA holds every request 30 s
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if silent.Load() {
				select {
				case <-time.After(30 * time.Second):
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	s, url := simServer(t, sim.Options{Seed: 2, Members: 10}, slow)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	configSet(t, db, url, cr, tokenOnly)
	silent.Store(true)
	start := time.Now()
	code, out, _ := run2(db, "config", "test", "--timeout", "1s")
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("config test --timeout 1s took %s", took)
	}
	if code != cli.ExitFailure || strings.Count(out, "not finished") < 4 || !strings.Contains(out, "the test's 1s ran out first") {
		t.Fatalf("config test against a silent SGA: %d\n%s", code, out)
	}
}

// A value saved before settings were checked is printed quoted, never raw: the terminal would
// obey a control character in it.
func TestConfigShowQuotesOldControlCharacters(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	run2(db, "admin", "list") // creates nothing: read-only
	if code, _, errOut := run2(db, "admin", "add", "--login", "ana", "--name", "Ana"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	b, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error { // the only association's settings, as the file holds them
		id := tx.Bucket([]byte("idx_association_slug")).Get([]byte("principal"))
		return tx.Bucket([]byte("association_data")).Bucket(id).Bucket([]byte("settings")).Put([]byte("integration"),
			[]byte(`{"usuario":"ab\u009b31mc\u202e","sga_url":"https://jose:segredo@sga.example.com/v2"}`))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := run2(db, "config", "show")
	if code != cli.ExitOK || strings.ContainsAny(out, "\u009b\u202e") || !strings.Contains(out, `"ab\u009b31mc\u202e"`) ||
		strings.Contains(out, "segredo") {
		t.Fatalf("config show: %d %q", code, out)
	}
}
