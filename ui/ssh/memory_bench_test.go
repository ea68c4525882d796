package ssh

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// MaxConsolesHeap is what 50 consoles (the default --max-sessions) at the clamp may hold.
const maxConsolesHeap = 1 << 30

// BenchmarkConsolesAtTheClamp opens 10 consoles whose clients claim the largest terminal
// there is (clamped to MaxColumns×MaxRows), each drawn on two pages, and reports the heap they
// hold, per console and for 50 (the default --max-sessions). At the clamp of 1000×500 a
// console held 111.7 MB (5.45 GB for 50).
func BenchmarkConsolesAtTheClamp(b *testing.B) {
	for b.Loop() {
		each := consolesHeap(b, 10)
		b.ReportMetric(float64(each)/(1<<20), "MB/console")
		b.ReportMetric(float64(each)*50/(1<<30), "GB/50-consoles")
	}
}

// 50 consoles at the clamp stay under 1 GB, by what 3 of them hold.
func TestServeConsolesAtTheClampFitInMemory(t *testing.T) {
	if each := consolesHeap(t, 3); each*50 > maxConsolesHeap {
		t.Fatalf("a console at %d×%d holds %.1f MB: 50 would hold %.2f GB", MaxColumns, MaxRows,
			float64(each)/(1<<20), float64(each)*50/(1<<30))
	}
}

// consolesHeap opens n consoles at the clamp and returns the heap each holds.
func consolesHeap(tb testing.TB, n int) uint64 {
	e := startServer(tb, fixture(tb), filepath.Join(tb.TempDir(), "hk"), Options{MaxSessions: n + 1})
	defer e.stop()
	before := heap()
	for range n {
		c, err := e.dial()
		if err != nil {
			tb.Fatal(err)
		}
		defer c.Close()
		sess, err := c.NewSession()
		if err != nil {
			tb.Fatal(err)
		}
		out := &screen{} // the bytes only: no terminal of the client's size in this heap
		sess.Stdout = out
		in, _ := sess.StdinPipe()
		if err := sess.RequestPty("xterm-256color", 1<<20, 1<<20, gossh.TerminalModes{}); err != nil {
			tb.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			tb.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); !out.has("Integração SGA"); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				tb.Fatal("a console was never drawn")
			}
		}
		_, _ = in.Write([]byte("2"))
		for deadline := time.Now().Add(30 * time.Second); !out.has("Maria Souza"); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				tb.Fatal("the second page was never drawn")
			}
		}
	}
	after := heap()
	if after < before {
		return 0
	}
	return (after - before) / uint64(n)
}

// heap is the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
