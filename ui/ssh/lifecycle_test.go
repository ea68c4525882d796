package ssh

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// consoleOn opens a console in a new session channel of c, with a PTY of cols×rows and
// its output kept as bytes.
func consoleOn(t *testing.T, c *gossh.Client, cols, rows int) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return startShell(t, c, sess, &screen{}, "xterm-256color", rows, cols)
}

// shows waits, up to a generous deadline, for the console to show text; unlike waitFor it
// may be called from any goroutine.
func (tm *term) shows(text string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for !tm.out.has(text) {
		if time.Now().After(deadline) {
			return fmt.Errorf("%q never appeared in 2 min", text)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// settle waits, up to a generous deadline, for ok; it fails loudly with what it saw.
func settle(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		good, seen := ok()
		if good {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come back within 60s: %s", what, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two consoles on one connection are two sessions: the first to end releases its own
// console, not the other's, and the other is still told of the shutdown.
func TestConsolesOnOneConnectionEndApart(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	c, err := e.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := consoleOn(t, c, 100, 30)
	a.waitFor(t, "Integração SGA")
	b := consoleOn(t, c, 100, 30)
	b.waitFor(t, "Integração SGA")
	a.keys("q")
	<-a.done
	hub := e.svc.Engine.Hub("")
	settle(t, "the first console's subscription", func() (bool, string) {
		return e.srv.Sessions() == 1 && hub.Subscribers() == 1, fmt.Sprintf("%d sessions, %d subscribers", e.srv.Sessions(), hub.Subscribers())
	})
	go e.stop()
	b.waitFor(t, "servidor encerrando")
	<-b.done
	if n := hub.Subscribers(); n != 0 {
		t.Fatalf("%d progress subscribers left after both consoles ended", n)
	}
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// goroutineGroups is the goroutines running now, grouped by their outermost calls, most
// numerous first: what a failure shows of what was left behind.
func goroutineGroups() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	counts := map[string]int{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		var calls []string
		for _, l := range strings.Split(g, "\n")[1:] {
			if l != "" && !strings.HasPrefix(l, "\t") {
				if i := strings.LastIndex(l, "("); i > 0 {
					l = l[:i]
				}
				calls = append(calls, l)
			}
		}
		counts[strings.Join(calls[:min(len(calls), 4)], " < ")]++
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%4d %s", n, k))
	}
	slices.Sort(lines)
	slices.Reverse(lines)
	return strings.Join(lines[:min(len(lines), 12)], "\n")
}

// TestConsolesLeaveNothingBehind opens 500 consoles over the real SSH server and ends them
// every way a client can: q, the client closing its session channel but keeping the
// connection for others, the client ending its input (EOF), the connection dropped. Once
// they have ended, the goroutines and the heap are back to their level with the
// connections that stay still open.
func TestConsolesLeaveNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("500 consoles")
	}
	const workers, cols, rows = 4, 200, 60
	consoles := 500
	if raceDetector {
		consoles = 100 // the same four endings, each 25 times
	}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxSessions: consoles + workers,
		// One administrator opens them all, a few at once and more while others end.
		MaxConsolesPerAdmin: consoles, MaxConnsPerAdmin: consoles, MaxChannelsPerConn: consoles})
	// Each way ends the console; a console still running a minute later is an error.
	ended := func(tm *term, how string) error {
		select {
		case <-tm.done:
			return nil
		case <-time.After(60 * time.Second):
			return fmt.Errorf("a console still ran 60s after %s", how)
		}
	}
	ends := []func(tm *term) error{
		func(tm *term) error { tm.keys("q"); return ended(tm, "q") },
		func(tm *term) error { tm.sess.Close(); return ended(tm, "the client closed its session") },
		func(tm *term) error { _ = tm.in.Close(); return ended(tm, "the client's input ended") },
		func(tm *term) error { tm.client.Close(); return ended(tm, "the connection dropped") },
	}
	var clients []*gossh.Client
	for range workers {
		c, err := e.dial()
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	// One console per connection first: the server's goroutines that outlive a session
	// (the engine's hub, the store's) are started.
	for _, c := range clients {
		tm := consoleOn(t, c, cols, rows)
		tm.waitFor(t, "Integração SGA")
		if err := ends[0](tm); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, "the sessions", func() (bool, string) { return e.srv.Sessions() == 0, fmt.Sprint(e.srv.Sessions()) })
	goroutines, heap := runtime.NumGoroutine(), heapInUse()

	// Its own configuration: e.dial notes the host key, which dials at once would race on.
	config := &gossh.ClientConfig{User: "operador", Auth: []gossh.AuthMethod{gossh.PublicKeys(e.signer)},
		Timeout: 5 * time.Second, HostKeyCallback: gossh.InsecureIgnoreHostKey()}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c := clients[w]
			for i := range consoles / workers {
				end := ends[(w+i)%len(ends)]
				conn := c
				if (w+i)%len(ends) == 3 { // its own connection, which it drops
					var err error
					if conn, err = gossh.Dial("tcp", e.addr, config); err != nil {
						t.Error(err)
						return
					}
				}
				tm := consoleOn(t, conn, cols, rows)
				if err := tm.shows("Integração SGA"); err != nil {
					t.Error(err)
					return
				}
				if err := end(tm); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	settle(t, "the sessions", func() (bool, string) {
		return e.srv.Sessions() == 0 && e.svc.Engine.Hub("").Subscribers() == 0,
			fmt.Sprintf("%d sessions, %d progress subscribers", e.srv.Sessions(), e.svc.Engine.Hub("").Subscribers())
	})
	settle(t, "the goroutines", func() (bool, string) {
		n := runtime.NumGoroutine()
		return n <= goroutines+2, fmt.Sprintf("%d before, %d after %d consoles; still running:\n%s", goroutines, n, consoles, goroutineGroups())
	})
	const slack = 8 << 20
	settle(t, "the heap", func() (bool, string) {
		h := heapInUse()
		return h <= heap+slack, fmt.Sprintf("%.1f MB before, %.1f MB after %d consoles", float64(heap)/(1<<20), float64(h)/(1<<20), consoles)
	})
	t.Logf("goroutines %d, heap %.1f MB before; after %d consoles: %d, %.1f MB", goroutines, float64(heap)/(1<<20), consoles,
		runtime.NumGoroutine(), float64(heapInUse())/(1<<20))
}
