package ssh

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
)

// counter counts the writes a session receives: each is a redraw of its screen.
type counter struct{ n atomic.Int64 }

func (c *counter) Write(p []byte) (int, error) { c.n.Add(1); return len(p), nil }

// BenchmarkSyncWithSessions runs a full sync of 20,000 associados (50 ms per request, 500
// records per page, pool of 4) with no session open, then with 50 SSH sessions watching it.
// It reports the sync's wall time and the fewest screen updates any session received.
func BenchmarkSyncWithSessions(b *testing.B) {
	srv := simtest.Serve(b, sim.Options{Seed: 1, Members: 20_000, PageSize: 500, Faults: sim.Faults{Latency: 50 * time.Millisecond}})
	for _, sessions := range []int{0, 50} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st := simtest.OpenStore(b, store.Options{})
				a := store.Actor{Who: "bench"}
				simtest.Configure(b, st, srv, simtest.TokenOnly(), simtest.As(a))
				_, _ = st.AddAdmin(store.Admin{Login: "maria", Name: "Maria"}, a)
				eng := syncer.New(st, syncer.Options{Rate: -1})
				svc := ui.Services{Store: st, Engine: eng}
				e := startServer(b, svc, filepath.Join(b.TempDir(), "hk"), Options{MaxSessions: 100})
				var counts []*counter
				var clients []*gossh.Client
				for range sessions {
					c, err := e.dial()
					if err != nil {
						b.Fatal(err)
					}
					sess, _ := c.NewSession()
					cnt := &counter{}
					sess.Stdout = cnt
					_ = sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{})
					_ = sess.Shell()
					counts, clients = append(counts, cnt), append(clients, c)
				}
				time.Sleep(500 * time.Millisecond) // every console drawn
				before := make([]int64, len(counts))
				for i, c := range counts {
					before[i] = c.n.Load()
				}
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime()
				run, err := eng.Run(context.Background(), syncer.Request{By: a})
				took, cpu := time.Since(start), cpuTime()-cpu0
				b.StopTimer()
				if err != nil || run.Status != store.StatusSucceeded {
					b.Fatal(run.Status, err)
				}
				fewest := int64(-1)
				for i, c := range counts {
					if d := c.n.Load() - before[i]; fewest < 0 || d < fewest {
						fewest = d
					}
				}
				b.ReportMetric(took.Seconds(), "sync-s")
				b.ReportMetric(cpu.Seconds(), "cpu-s") // the whole process's, during the sync
				b.ReportMetric(float64(run.Counts.Vehicles()), "vehicles")
				if sessions > 0 {
					b.ReportMetric(float64(fewest), "min-updates/session")
				}
				for _, c := range clients {
					c.Close()
				}
				e.stop()
				eng.Close()
				st.Close()
				b.StartTimer()
			}
		})
	}
}

// cpuTime is the CPU time this process has used (user and system): less at the mercy of a
// shared machine than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
