package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The commands run on each damaged copy, each in a process of its own: a fault in a mapped
// page kills a process unless it is turned into a panic, so only a child can show it. The
// first four only read.
var damageCommands = []string{"export", "search", "runs", "verify", "sync"}

var damageKey = bytes.Repeat([]byte{7}, keySize)

// TestDamagedChild runs TestDamagedPagesDoNotCrash's commands on its damaged copies, from
// job PONTE_DAMAGE_FROM on, one line for each: it is skipped unless run by it. A handled
// error is an answer; a crash ends the process after the line that started the job.
func TestDamagedChild(t *testing.T) {
	good := os.Getenv("PONTE_DAMAGE_DB")
	if good == "" {
		t.Skip("run by TestDamagedPagesDoNotCrash")
	}
	db, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := strconv.Atoi(os.Getenv("PONTE_DAMAGE_FROM"))
	copies, _ := strconv.Atoi(os.Getenv("PONTE_DAMAGE_COPIES"))
	path := filepath.Join(t.TempDir(), "copy.db")
	for job := from; job < copies*len(damageCommands); job++ {
		copyNo, cmd := job/len(damageCommands), damageCommands[job%len(damageCommands)]
		bad := damage(rand.New(rand.NewPCG(20, uint64(copyNo))), db)
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("job %d start\n", job)
		err := damageCommand(path, cmd)
		after, _ := os.ReadFile(path)
		switch {
		case cmd != "sync" && !bytes.Equal(after, bad):
			fmt.Printf("job %d changed the file\n", job)
		case err != nil:
			fmt.Printf("job %d refused: %v\n", job, strings.ReplaceAll(err.Error(), "\n", " / "))
		default:
			fmt.Printf("job %d answered\n", job)
		}
		os.Remove(path)
	}
	os.Exit(0)
}

func damageCommand(path, cmd string) error {
	s, err := Open(path, Options{ReadOnly: cmd != "sync", SecretKey: damageKey, NoSync: true,
		LockTimeout: 100 * time.Millisecond})
	if err != nil {
		return err
	}
	defer s.Close()
	if cmd == "verify" {
		return s.Verify()
	}
	in, err := s.In("sul")
	if err != nil {
		return err
	}
	switch cmd {
	case "export":
		if _, err := in.Export("clients", "csv", io.Discard); err != nil {
			return err
		}
		_, err = in.Export("vehicles", "json", io.Discard)
		return err
	case "search":
		if _, err := in.SearchClients("silva", 50); err != nil {
			return err
		}
		if _, err := in.ListClients("", 200); err != nil {
			return err
		}
		if _, err := in.VehiclesByPlate("ABC", 50); err != nil {
			return err
		}
		_, err = in.VehiclesOfClient(7)
		return err
	case "runs":
		if _, _, err := in.SyncState(20); err != nil {
			return err
		}
		if _, err := in.OrderViews(OrderFilter{}, 100); err != nil {
			return err
		}
		if _, err := in.ProposalViews(ProposalFilter{}, 100); err != nil {
			return err
		}
		if _, err := s.Overview(); err != nil {
			return err
		}
		_, err = s.AuditLog(100, 0)
		return err
	case "sync":
		r := rand.New(rand.NewPCG(5, 5))
		run, err := in.StartRun(Run{Kind: RunFull, Source: SourceSync}, cli)
		if err != nil {
			return err
		}
		clients, vehicles := damageRecords(r, 1, 900)
		if _, err := in.Apply(Batch{RunID: run.ID, Clients: clients, Vehicles: vehicles, PagesDone: 1}); err != nil {
			return err
		}
		if _, err := in.FinishRun(run.ID, StatusSucceeded, "", "", cli); err != nil {
			return err
		}
		vs, err := in.VehiclesOfClient(400)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Active() && v.ContractNumber == "" {
				_, err = in.Import(400, []int64{v.SGACode}, cli)
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// damageRecords are SGA-like clients and vehicles, two vehicles a client, codes from first.
func damageRecords(r *rand.Rand, first, n int64) ([]Client, []Vehicle) {
	names := []string{"MARIA", "JOSÉ", "ANA", "JOÃO", "FRANCISCA", "ANTÔNIO", "LUIZ", "PAULO", "CARLOS", "ADRIANA"}
	surnames := []string{"DA SILVA", "DOS SANTOS", "OLIVEIRA", "SOUZA", "RODRIGUES", "FERREIRA", "ALVES", "PEREIRA"}
	cities := []string{"BELO HORIZONTE", "CONTAGEM", "BETIM", "UBERLÂNDIA", "JUIZ DE FORA"}
	situations := []string{"ATIVO", "ATIVO", "ATIVO", "INADIMPLENTE", "CANCELADO"}
	var cs []Client
	var vs []Vehicle
	for code := first; code < first+n; code++ {
		name := names[r.IntN(len(names))] + " " + surnames[r.IntN(len(surnames))]
		cs = append(cs, Client{SGACode: code, CPF: fmt.Sprintf("%011d", 10000000000+code*7919), Name: name,
			Email: fmt.Sprintf("cliente%d@example.com", code), Phone: fmt.Sprintf("3199%07d", code),
			City: cities[r.IntN(len(cities))], State: "MG", Situation: "ATIVO"})
		for j := range int64(2) {
			v := vehicle(code*10+j, code, fmt.Sprintf("ABC%d%c%02d", r.IntN(10), 'A'+rune(r.IntN(26)), r.IntN(100)),
				situations[r.IntN(len(situations))])
			v.Brand, v.Color, v.YearMade, v.YearModel = "VOLKSWAGEN", "PRATA", 2015+r.IntN(10), 2016+r.IntN(10)
			vs = append(vs, v)
		}
	}
	return cs, vs
}

// damageFixture is a database as a few weeks of use leave it: two associations with their
// clients and vehicles from several runs, contracts and orders moved on, proposals, the audit.
func damageFixture(t *testing.T, path string) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, err := Open(path, Options{NoSync: true, SecretKey: damageKey, Now: ck.now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(24, 7))
	for _, slug := range []string{"sul", "norte"} {
		if _, err := s.AddAssociation(Association{Slug: slug, Name: "Proteção " + slug}, cli); err != nil {
			t.Fatal(err)
		}
		in, err := s.In(slug)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			ck.t = ck.t.Add(24 * time.Hour)
			run, err := in.StartRun(Run{Kind: RunFull, Source: SourceSync}, cli)
			if err != nil {
				t.Fatal(err)
			}
			for page := range 4 {
				clients, vehicles := damageRecords(r, int64(1+page*400), 400)
				if round > 0 {
					vehicles = vehicles[:len(vehicles)-r.IntN(20)]
				}
				if _, err := in.Apply(Batch{RunID: run.ID, Clients: clients, Vehicles: vehicles, PagesDone: page + 1,
					Errors: []RunError{{Page: page, Reason: "synthetic"}}}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := in.FinishRun(run.ID, StatusSucceeded, "", "", cli); err != nil {
				t.Fatal(err)
			}
		}
		for code := int64(1); code <= 60; code++ {
			vs, err := in.VehiclesOfClient(code)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Active() && v.ContractNumber == "" {
					if _, err := in.Import(code, []int64{v.SGACode}, cli); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("the fixture is not sound: %v", err)
	}
}

// damage writes 20 random bytes into the data pages of a copy of db (the two meta pages are
// left alone: inspect already refuses a damaged header): at one place or scattered.
func damage(r *rand.Rand, db []byte) []byte {
	m, err := readMeta(bytes.NewReader(db))
	if err != nil {
		panic(err)
	}
	page := int(m.pageSize)
	out := bytes.Clone(db)
	pages := len(out) / page
	if r.IntN(2) == 0 {
		at := (2+r.IntN(pages-2))*page + r.IntN(page-20)
		for i := range 20 {
			out[at+i] = byte(r.Uint32())
		}
		return out
	}
	for range 20 {
		out[(2+r.IntN(pages-2))*page+r.IntN(page)] = byte(r.Uint32())
	}
	return out
}

// TestDamagedPagesDoNotCrash: on copies of a database with random bytes in its data pages
// (60 copies, or PONTE_DAMAGE_COPIES), no command crashes the process: each answers or
// refuses, and a command that only reads leaves the file as it was.
func TestDamagedPagesDoNotCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs commands on damaged copies in child processes")
	}
	good := filepath.Join(t.TempDir(), "good.db")
	damageFixture(t, good)
	copies := 60
	if raceDetector {
		copies = 15 // each child runs several times slower; the full count runs without -race
	}
	if n, err := strconv.Atoi(os.Getenv("PONTE_DAMAGE_COPIES")); err == nil && n > 0 {
		copies = n
	}
	total := copies * len(damageCommands)
	var crashes, refused, answered int
	for from := 0; from < total; {
		child := exec.Command(os.Args[0], "-test.run=^TestDamagedChild$", "-test.count=1")
		child.Env = append(os.Environ(), "PONTE_DAMAGE_DB="+good, "PONTE_DAMAGE_FROM="+strconv.Itoa(from),
			"PONTE_DAMAGE_COPIES="+strconv.Itoa(copies))
		out, err := child.CombinedOutput()
		started := -1
		for line := range strings.Lines(string(out)) {
			var job int
			var what string
			if n, _ := fmt.Sscanf(line, "job %d %s", &job, &what); n != 2 {
				continue
			}
			switch what {
			case "start":
				started = job
				continue
			case "refused:":
				refused++
				if os.Getenv("PONTE_DAMAGE_SHOW") != "" {
					t.Log(strings.TrimSpace(line))
				}
			case "answered":
				answered++
			case "changed":
				t.Errorf("copy %d: %s, which only reads, changed the file", job/len(damageCommands),
					damageCommands[job%len(damageCommands)])
			}
			from, started = job+1, -1
		}
		if err == nil {
			break
		}
		if started < 0 {
			t.Fatalf("the child failed outside a job (%v):\n%s", err, out)
		}
		crashes++
		t.Errorf("copy %d: %s crashed (%v):\n%s", started/len(damageCommands), damageCommands[started%len(damageCommands)],
			err, crashLines(out, 14))
		from = started + 1
	}
	t.Logf("%d commands on %d damaged copies: %d crashed, %d refused, %d answered",
		total, copies, crashes, refused, answered)
}

// crashLines is the start of a crash's report: the panic and the top of its stack.
func crashLines(b []byte, n int) string {
	s := string(b)
	if i := strings.Index(s, "panic: "); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, "fatal error: "); i >= 0 {
		s = s[i:]
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// A store that found its file damaged takes no more writes: the write is refused, with the
// reason, and the file is left as it was.
func TestDamagedStoreTakesNoMoreWrites(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	damageFixture(t, good)
	db, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// A panic of ponte's own code is that call's error only: the file is not called damaged.
	s, err := Open(good, Options{SecretKey: damageKey, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = s.view(func(txn) error { panic("a bug") })
	if err == nil || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "a bug") {
		t.Fatalf("a panic in ponte's code: %v", err)
	}
	if in, err := s.In("sul"); err != nil {
		t.Fatal(err)
	} else if _, err := in.Apply(Batch{Clients: []Client{client(1, "MARIA", "12345678909")}}); err != nil {
		t.Fatalf("a write after it: %v", err)
	}
	s.Close()

	path := filepath.Join(dir, "copy.db")
	for copyNo := range 60 {
		bad := damage(rand.New(rand.NewPCG(20, uint64(copyNo))), db)
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{SecretKey: damageKey, NoSync: true})
		if err != nil {
			continue
		}
		if err := s.Verify(); !errors.Is(err, ErrDamaged) {
			s.Close()
			continue // no fault or panic on this copy
		}
		written, _ := os.ReadFile(path)
		_, err = s.Apply(Batch{Clients: []Client{client(1, "MARIA", "12345678909")}})
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "no change written") ||
			!strings.Contains(err.Error(), "restore it from a backup") {
			t.Fatalf("copy %d: a write after the damage was found: %v", copyNo, err)
		}
		s.Close()
		if after, _ := os.ReadFile(path); !bytes.Equal(after, written) {
			t.Fatalf("copy %d: the refused write changed the file", copyNo)
		}
		return
	}
	t.Fatal("no copy made the store fault or panic")
}

// A record that cannot be decoded is reported as damage, with what to do, whether the store
// met it in its compact encoding or in JSON; the other records are still read.
func TestUnreadableRecordIsCalledDamage(t *testing.T) {
	s := openTest(t, "", Options{NoSync: true})
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{client(1, "ANA", "12345678909"), client(2, "RUI", "98765432100")},
		Vehicles: []Vehicle{vehicle(10, 1, "ABC1D23", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return eachDataBucket(tx, func(_ []byte, b *bolt.Bucket) error {
			if err := b.Bucket(bClients).Put(i64(1), []byte{recordV1, 0xff}); err != nil {
				return err
			}
			return b.Bucket(bRuns).Put(u64(run.ID), []byte(`{"id":1,"started_at":"2026-1\x81-01T00:00:00Z"}`))
		})
	}); err != nil {
		t.Fatal(err)
	}
	_, clientErr := s.ClientByCode(1)
	_, runErr := s.Run(run.ID)
	for _, err := range []error{clientErr, runErr} {
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "restore the database from a backup") {
			t.Errorf("reading a damaged record: %v", err)
		}
	}
	if c, err := s.ClientByCode(2); err != nil || c.Name != "RUI" {
		t.Fatalf("the sound record: %+v, %v", c, err)
	}
}
