package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckSetting(t *testing.T) {
	for _, c := range []struct {
		field, value string
		want         string // "" when valid
	}{
		{FieldUser, "integracao.ponte", ""},
		{FieldUser, "joão.silva", ""},
		{FieldUser, "", "usuario: empty"},
		{FieldUser, "ab\x1b[31m", "usuario: character 3 is a control character (U+001B)"},
		{FieldUser, "ab\u009b31m", "usuario: character 3 is a control character (U+009B)"},
		{FieldUser, "ab\x7f", "usuario: character 3 is a control character (U+007F)"},
		{FieldUser, "adm\u202enimda", "usuario: character 4 is a bidirectional text control (U+202E)"},
		{FieldUser, "a\u2066b", "usuario: character 2 is a bidirectional text control (U+2066)"},
		{FieldUser, "ação\xff", "usuario: byte 7 is not valid UTF-8"},
		{FieldUser, strings.Repeat("á", 121), "usuario: longer than 120 characters"},
		{FieldUser, strings.Repeat("á", 120), ""},
		{FieldProductCode, "19", ""},
		{FieldProductCode, "19a", "codigo_produto: digits only"},
		{FieldPassword, "s3nh4-f0rte", ""},
		{FieldPassword, "duas palavras", "senha: character 5 is a space"},
		{FieldSGAURL, "https://api.hinova.com.br/api/sga/v2", ""},
		{FieldSGAURL, "http://127.0.0.1:8765/api/sga/v2", ""},
		{FieldSGAURL, "ftp://x", "want an http or https URL"},
		{FieldSGAURL, "https://", "want an http or https URL"},
		{FieldSGAURL, "https://u:p@sga.example.com/", "carries a user name or password"},
		{FieldSGAURL, "https://u@sga.example.com/", "carries a user name or password"},
		{FieldSGAURL, "http://169.254.169.254/latest/meta-data", "link-local"},
		{FieldSGAURL, "http://[fe80::1]/", "link-local"},
		{FieldSGAURL, "http://[fe80::1%25eth0]/", "link-local"},
		{FieldSGAURL, "http://[::ffff:169.254.169.254]/", "link-local"},
		{FieldSGAURL, "http://[ff02::1%25eth0]/", "link-local"},
	} {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			err := CheckSetting(c.field, c.value)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("%s %q: %v", c.field, c.value, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrInvalid)):
				t.Errorf("%s %q: %v; want %q", c.field, c.value, err, c.want)
			}
			if err != nil && c.field != FieldUser && c.value != "" && strings.Contains(err.Error(), c.value) {
				t.Errorf("the error repeats the value: %v", err)
			}
		})
	}
	// The store itself refuses, whoever calls it.
	s := openTest(t, "", Options{NoSync: true})
	bad := "admin\u009b"
	if _, err := s.SetIntegration(IntegrationPatch{User: &bad}, cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("SetIntegration took a control character: %v", err)
	}
	if in, _ := s.Integration(); in.User != "" {
		t.Fatalf("stored %q", in.User)
	}
}

// A run whose process died is closed at the next writable open, as interrupted, ending when it
// last wrote; a read-only open leaves it alone.
func TestInterruptedRunIsClosedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	clk := &clock{t: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)}
	s, err := Open(path, Options{NoSync: true, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := s.StartRun(Run{Kind: RunFull, Source: SourceSync}, cli)
	clk.t = clk.t.Add(90 * time.Second)
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{client(1, "ANA", "12345678909")},
		Vehicles: []Vehicle{vehicle(10, 1, "ABC1D23", "ATIVO")}, PagesDone: 1}); err != nil {
		t.Fatal(err)
	}
	lastWrite := clk.t
	s.Close() // as if killed: nothing closed the run

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ro.Run(run.ID); r.Status != StatusRunning {
		t.Fatalf("a read-only open changed the run: %s", r.Status)
	}
	ro.Close()

	clk.t = clk.t.Add(5 * time.Hour)
	s2 := openTest(t, path, Options{NoSync: true, Now: clk.now})
	r, err := s2.Run(run.ID)
	if err != nil || r.Status != StatusInterrupted || r.ReasonCode != ReasonInterrupted || !r.FinishedAt.Equal(lastWrite) {
		t.Fatalf("after reopening: %+v, %v; want interrupted, finished at %s", r, err, lastWrite)
	}
	if r.Counts.PagesDone != 1 || r.Counts.Clients() != 1 {
		t.Errorf("counts lost: %+v", r.Counts)
	}
	log, _ := s2.AuditLog(0, 0)
	if len(log) == 0 || log[0].Action != ActionSyncInterrupted {
		t.Fatalf("audit: %+v", log)
	}
}

// A client that comes back in a later batch of the same run is written again but counted once.
func TestClientsCountedOncePerRun(t *testing.T) {
	s := openTest(t, "", Options{NoSync: true})
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	c := client(1, "ANA", "12345678909")
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{c}, Vehicles: []Vehicle{vehicle(10, 1, "ABC1D23", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	c.Phone = "31999990000"
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{c}, Vehicles: []Vehicle{vehicle(11, 1, "DEF4G56", "ATIVO")},
		Counted: map[int64]bool{1: true}}); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Run(run.ID)
	if r.Counts.Clients() != 1 || r.Counts.Vehicles() != 2 {
		t.Fatalf("counts %+v: want 1 client, 2 vehicles", r.Counts)
	}
	if got, _ := s.ClientByCode(1); got.Phone != c.Phone {
		t.Fatal("the later batch's client was not written")
	}
}

// MarkGone asks before marking, and marks nothing when told no.
func TestMarkGoneAsksFirst(t *testing.T) {
	s := openTest(t, "", Options{NoSync: true})
	first, _ := s.StartRun(Run{Kind: RunFull}, cli)
	var vs []Vehicle
	for i := range int64(10) {
		vs = append(vs, vehicle(100+i, 1, "", "ATIVO"))
	}
	if _, err := s.Apply(Batch{RunID: first.ID, Clients: []Client{client(1, "ANA", "12345678909")}, Vehicles: vs}); err != nil {
		t.Fatal(err)
	}
	second, _ := s.StartRun(Run{Kind: RunFull}, cli)
	if _, err := s.Apply(Batch{RunID: second.ID, Vehicles: vs[:4]}); err != nil {
		t.Fatal(err)
	}
	var asked [2]int
	_, err := s.MarkGone([]uint64{second.ID}, 0, func(would, fleet int) bool { asked = [2]int{would, fleet}; return false })
	var tm *TooManyGoneError
	if !errors.As(err, &tm) || !errors.Is(err, ErrTooManyGone) || asked != [2]int{6, 10} || tm.Would != 6 || tm.Fleet != 10 {
		t.Fatalf("MarkGone refused: %v, asked %v", err, asked)
	}
	if r, _ := s.Run(second.ID); r.Counts.VehiclesGone != 0 {
		t.Fatal("counted though nothing was marked")
	}
	// A vehicle seen by a run this one continues is not gone.
	if n, err := s.MarkGone([]uint64{second.ID, first.ID}, 0, func(int, int) bool { return false }); n != 0 || err != nil {
		t.Fatalf("with the first run in the chain: %d, %v", n, err)
	}
	if n, err := s.MarkGone([]uint64{second.ID}, 0, nil); n != 6 || err != nil {
		t.Fatalf("allowed: %d, %v", n, err)
	}
}

// BackupFile never writes over the database or its key, nor over an existing file unless
// asked; the copy is private and complete.
func TestBackupFileRefusals(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, filepath.Join(dir, "ponte.db"), Options{NoSync: true})
	for _, p := range []string{s.Path(), KeyPath(s.Path()), filepath.Join(dir, ".", "ponte.db")} {
		t.Run(p, func(t *testing.T) {
			if _, err := s.BackupFile(p, true); !errors.Is(err, ErrProtected) {
				t.Errorf("backup over %s: %v", p, err)
			}
		})
	}
	alias := filepath.Join(dir, "alias.db")
	if err := os.Link(s.Path(), alias); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BackupFile(alias, true); !errors.Is(err, ErrProtected) {
		t.Errorf("backup over a hard link to the database: %v", err)
	}
}

// FuzzInspect: whatever bytes a database file holds, inspect answers without panicking, and a
// file it passes opens without crashing the process.
func FuzzInspect(f *testing.F) {
	good := filepath.Join(f.TempDir(), "good.db")
	s, err := Open(good, Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	s.Close()
	data, _ := os.ReadFile(good)
	f.Add(data[:2*pageSize])
	f.Add(data[:pageSize])
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := inspect(path); err != nil {
			return
		}
		if s, err := Open(path, Options{ReadOnly: true, LockTimeout: 50 * time.Millisecond}); err == nil {
			s.Close()
		}
	})
}

// A database path that is a link pointing nowhere is refused, writable or not, and nothing is
// created at its target.
func TestOpenRefusesADanglingLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "moved", "ponte.db")
	link := filepath.Join(dir, "ponte.db")
	if err := os.Mkdir(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{NoSync: true}, {ReadOnly: true}} {
		s, err := Open(link, o)
		if err == nil {
			s.Close()
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is a symbolic link to "+target+", which does not exist") {
			t.Errorf("read-only %v: %v", o.ReadOnly, err)
		}
		if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("read-only %v: the link's target was created: %v", o.ReadOnly, err)
		}
	}
}
