package cli_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	charmlog "charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
	"ponte/ui/cli"
	uissh "ponte/ui/ssh"
)

// BenchmarkExportsOverSSH: a store with 62,000 associados (about 75,000 vehicles of ours)
// served over SSH. A full sync (50 ms a request) runs alone, then again while 10 console
// sessions watch it and 20 clients run ssh host export vehicles at once. It reports each
// export's time (median and slowest), the bytes each received, and the sync's wall time alone
// and under that load. The clients are all maria's from one address, so the server lets that
// many wait to authenticate at once (--max-pending-per-addr; 8 by default) and hold
// connections and consoles (--max-connections-per-admin, --max-consoles-per-admin).
func BenchmarkExportsOverSSH(b *testing.B) {
	charmlog.SetLevel(charmlog.FatalLevel)
	const consoles, exports = 10, 20
	a := store.Actor{Who: "bench"}
	h := simtest.New(b, sim.Options{Seed: 1, Members: 62_000}, simtest.StoreOptions(store.Options{}), simtest.TokenOnly(), simtest.As(a))
	st := h.Store
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	_, _ = st.AddAdmin(store.Admin{Login: "maria", Name: "Maria",
		Keys: []store.SSHKey{{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), Line: "bench"}}}, a)
	eng := syncer.New(st, syncer.Options{Rate: -1})
	defer eng.Close()
	syncNow := func() time.Duration {
		start := time.Now()
		run, err := eng.Run(context.Background(), syncer.Request{By: a})
		if err != nil || run.Status != store.StatusSucceeded {
			b.Fatal(run.Status, err)
		}
		return time.Since(start)
	}
	syncNow() // the first, filling the store
	_ = h.Sim.SetFaults(sim.Faults{Latency: 50 * time.Millisecond})
	srv, err := uissh.New(ui.Services{Store: st, Engine: eng}, uissh.Options{HostKeyPath: filepath.Join(b.TempDir(), "hk"),
		MaxSessions: 100, MaxPendingPerAddr: 2 * exports, MaxConnsPerAdmin: consoles + exports, MaxConsolesPerAdmin: consoles, Commands: cli.Commands(st, eng, slog.New(slog.DiscardHandler))})
	if err != nil {
		b.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(2 * time.Second)
	dial := func() (*gossh.Client, error) {
		return gossh.Dial("tcp", ln.Addr().String(), &gossh.ClientConfig{User: "maria", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	}
	for b.Loop() {
		alone := syncNow()
		var clients []*gossh.Client
		for range consoles {
			c, err := dial()
			if err != nil {
				b.Fatal(err)
			}
			sess, _ := c.NewSession()
			sess.Stdout = io.Discard
			_ = sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{})
			_ = sess.Shell()
			clients = append(clients, c)
		}
		time.Sleep(300 * time.Millisecond) // every console drawn
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			times []time.Duration
			bytes atomic.Int64
		)
		loaded := make(chan time.Duration, 1)
		go func() { loaded <- syncNow() }()
		for !eng.Running("") {
			time.Sleep(time.Millisecond)
		}
		for range exports {
			wg.Go(func() {
				c, err := dial()
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				sess, _ := c.NewSession()
				n := &countingWriter{}
				sess.Stdout = n
				start := time.Now()
				if err := sess.Run("export vehicles"); err != nil {
					b.Error(err)
				}
				took := time.Since(start)
				bytes.Add(n.n)
				mu.Lock()
				times = append(times, took)
				mu.Unlock()
			})
		}
		wg.Wait()
		underLoad := <-loaded
		for _, c := range clients {
			c.Close()
		}
		slices.Sort(times)
		b.ReportMetric(times[len(times)/2].Seconds(), "export-median-s")
		b.ReportMetric(times[len(times)-1].Seconds(), "export-max-s")
		b.ReportMetric(float64(bytes.Load())/exports/1e6, "MB/export")
		b.ReportMetric(alone.Seconds(), "sync-alone-s")
		b.ReportMetric(underLoad.Seconds(), "sync-loaded-s")
	}
	vehicles, _ := st.Overview()
	b.Logf("%d vehicles in the store", vehicles[0].Vehicles)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
