package store

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestCrashChild is the writer that TestCrashRecovery kills: it is skipped unless run by it.
// It writes batches of upserts and imports, with checkpoints, forever.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("PONTE_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrashRecovery")
	}
	s, err := Open(path, Options{LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	a := Actor{Who: "crash", From: "test"}
	run, _ := s.StartRun(Run{Kind: RunFull}, a)
	situations := []string{"ATIVO", "ATIVO", "ATIVO", "INADIMPLENTE", "CANCELADO"}
	for i := 0; ; i++ {
		var b Batch
		b.RunID = run.ID
		for range 200 {
			code := int64(1 + r.IntN(3000))
			cl := code/3 + 1
			b.Vehicles = append(b.Vehicles, Vehicle{SGACode: code, ClientSGACode: cl,
				Plate:   fmt.Sprintf("ABC%d%c%02d", r.IntN(10), 'A'+rune(r.IntN(26)), r.IntN(100)),
				Chassis: fmt.Sprintf("9BW%014d", code), Situation: situations[r.IntN(len(situations))]})
			b.Clients = append(b.Clients, Client{SGACode: cl, CPF: fmt.Sprintf("%011d", cl),
				Name: fmt.Sprintf("CLIENTE %d %s", cl, []string{"SILVA", "SOUZA", "JOSÉ"}[r.IntN(3)])})
		}
		b.Errors = []RunError{{Page: i, Reason: "synthetic"}}
		b.Checkpoint = &Checkpoint{RunID: run.ID, Done: []int{i}}
		if _, err := s.Apply(b); err != nil {
			fmt.Println("apply:", err)
			os.Exit(4)
		}
		for range 3 {
			cl := int64(1 + r.IntN(1000))
			vs, err := s.VehiclesOfClient(cl)
			if err != nil {
				os.Exit(5)
			}
			var pick []int64
			for _, v := range vs {
				if v.ContractNumber == "" && v.Active() && r.IntN(2) == 0 {
					pick = append(pick, v.SGACode)
				}
			}
			if len(pick) > 0 {
				if _, err := s.Import(cl, pick, a); err != nil {
					fmt.Println("import:", err)
					os.Exit(6)
				}
			}
		}
		if i%7 == 6 {
			_, _ = s.MarkGone([]uint64{run.ID}, int64(1+r.IntN(1000)), nil)
			pw := fmt.Sprint("senha-", i)
			_, _ = s.SetIntegration(IntegrationPatch{Password: &pw}, a)
		}
	}
}

// TestCrashRecovery kills a writer with SIGKILL at random moments, 20 times; after each, the
// store opens, bbolt's check is clean, every index resolves both ways, no contract lacks its
// service order, and no number repeats or skips.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process 20 times")
	}
	path := filepath.Join(t.TempDir(), "ponte.db")
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for round := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "PONTE_CRASH_DB="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "ready" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("round %d: the writer did not start: %q", round, lines.Text())
		}
		time.Sleep(time.Duration(50+r.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		var rest []string
		for lines.Scan() {
			rest = append(rest, lines.Text())
		}
		err = cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != -1 {
			t.Fatalf("round %d: the writer ended on its own before the kill: %v %v", round, err, rest)
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if err := s.Verify(); err != nil {
			t.Fatalf("round %d: after kill -9:\n%v", round, err)
		}
		if _, err := s.Integration(); err != nil {
			t.Fatalf("round %d: settings after kill -9: %v", round, err)
		}
		s.Close()
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := s.Counts()
	if c.Vehicles == 0 || c.Contracts == 0 {
		t.Fatalf("the writers wrote nothing to check: %+v", c)
	}
	t.Logf("after 20 kills: %+v", c)
}

// TestConcurrentImports: 8 goroutines import overlapping sets of the same vehicles at once;
// every vehicle ends with exactly one contract.
func TestConcurrentImports(t *testing.T) {
	s := openTest(t, "", Options{})
	var b Batch
	b.Clients = []Client{client(1, "MARIA", "12345678909")}
	for code := int64(1); code <= 40; code++ {
		b.Vehicles = append(b.Vehicles, vehicle(code, 1, fmt.Sprintf("AAA%04d", code), "ATIVO"))
	}
	if _, err := s.Apply(b); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	succeeded := map[int64]int{}
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 30 {
				var set []int64
				for range 1 + r.IntN(4) {
					set = append(set, int64(1+r.IntN(40)))
				}
				got, err := s.Import(1, set, Actor{Who: fmt.Sprint("op", g)})
				if err != nil && !errors.Is(err, ErrAlreadyImported) {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, im := range got {
					succeeded[im.Contract.VehicleSGACode]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	contracts, _ := s.Contracts("", 0)
	per := map[int64]int{}
	for _, c := range contracts {
		per[c.VehicleSGACode]++
	}
	for v, n := range per {
		if n != 1 || succeeded[v] != 1 {
			t.Errorf("vehicle %d: %d contracts, %d successful imports", v, n, succeeded[v])
		}
	}
	if len(per) == 0 {
		t.Fatal("nothing was imported")
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}
