package syncer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// fleet is one store holding several associations, each with its own simulator.
type fleet struct {
	store *store.Store
	eng   *Engine
	sims  map[string]*sim.Sim
}

// newFleet makes one association per entry of sims (by short name), configured for it. wrap,
// when not nil, sits between the engine and each simulator.
func newFleet(t testing.TB, sims map[string]sim.Options, eo Options, wrap func(slug string, h http.Handler) http.Handler) *fleet {
	t.Helper()
	st := simtest.OpenStore(t, store.Options{NoSync: true})
	f := &fleet{store: st, sims: map[string]*sim.Sim{}}
	for slug, so := range sims {
		if so.Members == 0 {
			so.Members = 200
		}
		if so.PageSize == 0 {
			so.PageSize = 40
		}
		var opts []simtest.Option
		if wrap != nil {
			opts = append(opts, simtest.Wrap(func(h http.Handler) http.Handler { return wrap(slug, h) }))
		}
		srv := simtest.Serve(t, so, opts...)
		if _, err := st.AddAssociation(store.Association{Slug: slug}, maria); err != nil {
			t.Fatal(err)
		}
		in, _ := st.In(slug)
		simtest.Configure(t, in, srv)
		f.sims[slug] = srv.Sim
	}
	eo = quick(eo)
	f.eng = New(st, eo)
	t.Cleanup(f.eng.Close)
	return f
}

// ours is the ground truth of one association: the codes of the vehicles with our product.
func (f *fleet) ours(slug string) []int64 {
	s := f.sims[slug]
	var out []int64
	for _, v := range s.Vehicles() {
		if slices.Contains(v.Products, s.Credentials().ProductCode) {
			out = append(out, v.Code)
		}
	}
	slices.Sort(out)
	return out
}

func (f *fleet) stored(t *testing.T, slug string) []int64 {
	t.Helper()
	in, err := f.store.In(slug)
	if err != nil {
		t.Fatal(err)
	}
	page, err := in.SearchClients("", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, c := range page.Clients {
		vs, _ := in.VehiclesOfClient(c.SGACode)
		for _, v := range vs {
			if !v.Gone {
				out = append(out, v.SGACode)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Five associations sync at once: one is blocked by SGA's extraction limit for as long as the
// test lasts, one refuses its credentials. The other three finish while the blocked one is
// still paused, none of them ever paused, each with exactly its own SGA's vehicles; each
// association has its own run and audit.
func TestManyAssociationsFailAlone(t *testing.T) {
	sims := map[string]sim.Options{
		"alfa": {Seed: 1}, "bravo": {Seed: 2}, "charlie": {Seed: 3},
		"bloqueada": {Seed: 4, Faults: sim.Faults{BlockAfter: 2, BlockWindow: time.Minute, BlockFor: time.Hour}},
		"recusada":  {Seed: 5},
	}
	f := newFleet(t, sims, Options{MaxConcurrent: 5, BlockProbe: time.Hour, BlockProbeMax: time.Hour}, nil)
	bad := "not-the-token"
	in, _ := f.store.In("recusada")
	if _, err := in.SetIntegration(store.IntegrationPatch{SyncToken: &bad, Password: &bad}, maria); err != nil {
		t.Fatal(err)
	}
	paused := make(chan struct{})
	updates, unsubscribe := f.eng.Hub("bloqueada").Subscribe()
	defer unsubscribe()
	go func() {
		for p := range updates {
			if p.Phase == PhasePaused {
				close(paused)
				return
			}
		}
	}()
	pausedElsewhere := make(chan string, 10)
	all, stopAll := f.eng.Activity().Subscribe()
	go func() {
		for p := range all {
			if p.Phase == PhasePaused && p.Association != "bloqueada" {
				pausedElsewhere <- p.Association
			}
		}
	}()
	blocked := make(chan error, 1)
	go func() {
		_, err := f.eng.Run(context.Background(), Request{Association: "bloqueada", By: maria})
		blocked <- err
	}()
	select {
	case <-paused:
	case <-time.After(20 * time.Second):
		t.Fatal("the blocked association never paused")
	}

	type result struct {
		slug string
		run  store.Run
		err  error
	}
	results := make(chan result)
	for _, slug := range []string{"alfa", "bravo", "charlie", "recusada"} {
		go func() {
			run, err := f.eng.Run(context.Background(), Request{Association: slug, By: maria})
			results <- result{slug, run, err}
		}()
	}
	for range 4 {
		r := <-results
		switch {
		case r.slug == "recusada":
			if r.err == nil || r.run.Status != store.StatusFailed || r.run.ReasonCode != ReasonCredentials {
				t.Errorf("recusada: %+v, %v", r.run, r.err)
			}
		case r.err != nil || r.run.Status != store.StatusSucceeded:
			t.Errorf("%s: %+v, %v", r.slug, r.run, r.err)
		default:
			if got, want := f.stored(t, r.slug), f.ours(r.slug); !slices.Equal(got, want) {
				t.Errorf("%s: stored %d vehicles, its SGA has %d", r.slug, len(got), len(want))
			}
		}
	}
	if !f.eng.Running("bloqueada") || f.eng.Hub("bloqueada").Latest().Phase != PhasePaused {
		t.Errorf("the blocked association is no longer paused: %+v", f.eng.Hub("bloqueada").Latest())
	}
	stopAll()
	select {
	case slug := <-pausedElsewhere:
		t.Errorf("%s paused too", slug)
	default:
	}
	if !f.eng.Cancel("bloqueada", maria) {
		t.Fatal("nothing to cancel in bloqueada")
	}
	if err := <-blocked; err == nil {
		t.Error("the blocked run ended without an error after its cancel")
	}

	for slug := range sims {
		in, _ := f.store.In(slug)
		runs, err := in.Runs(0)
		if err != nil || len(runs) != 1 || runs[0].Association != slug {
			t.Errorf("%s's runs: %+v, %v", slug, runs, err)
		}
	}
	log, _ := f.store.AuditLog(0, 0)
	finished := map[string]string{}
	for _, e := range log {
		if e.Action == store.ActionSyncFinished || e.Action == store.ActionSyncCancelled {
			finished[e.Association] = e.Details
		}
	}
	for slug := range sims {
		if !strings.Contains(finished[slug], fmt.Sprintf("run %d", mustRun(t, f, slug).ID)) {
			t.Errorf("no audit of %s's run end: %v", slug, finished)
		}
	}
}

func mustRun(t *testing.T, f *fleet, slug string) store.Run {
	t.Helper()
	in, _ := f.store.In(slug)
	runs, err := in.Runs(1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%s: %v, %v", slug, runs, err)
	}
	return runs[0]
}

// With MaxConcurrent 2, three associations asked at once never have more than two talking to
// SGA at the same time; the third waits, and then runs.
func TestMaxConcurrentQueuesTheRest(t *testing.T) {
	var mu sync.Mutex
	inFlight := map[string]int{}
	most := 0
	wrap := func(slug string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight[slug]++
			busy := 0
			for _, n := range inFlight {
				if n > 0 {
					busy++
				}
			}
			most = max(most, busy)
			mu.Unlock()
			defer func() { mu.Lock(); inFlight[slug]--; mu.Unlock() }()
			h.ServeHTTP(w, r)
		})
	}
	sims := map[string]sim.Options{"um": {Seed: 1, Faults: sim.Faults{Latency: 5 * time.Millisecond}},
		"dois": {Seed: 2, Faults: sim.Faults{Latency: 5 * time.Millisecond}}, "tres": {Seed: 3, Faults: sim.Faults{Latency: 5 * time.Millisecond}}}
	f := newFleet(t, sims, Options{MaxConcurrent: 2}, wrap)
	for slug := range sims {
		if err := f.eng.Start(Request{Association: slug, By: maria}); err != nil {
			t.Fatal(err)
		}
	}
	if r, q := f.eng.Busy(); r+q != 3 {
		t.Errorf("right after three starts: %d running, %d queued", r, q)
	}
	for slug := range sims {
		deadline := time.Now().Add(20 * time.Second)
		for f.eng.Running(slug) {
			if time.Now().After(deadline) {
				t.Fatalf("%s still running", slug)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if r := mustRun(t, f, slug); r.Status != store.StatusSucceeded {
			t.Errorf("%s: %+v", slug, r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if most > 2 {
		t.Errorf("%d associations talked to SGA at once, with MaxConcurrent 2", most)
	}
}

// A hundred associations at 03:00 start spread over ten minutes, not in one second.
func TestDailySchedulesAreSpread(t *testing.T) {
	base := time.Date(2026, 11, 27, 12, 0, 0, 0, time.Local)
	seconds := map[time.Time]bool{}
	for i := range 100 {
		slug := fmt.Sprintf("associacao-%d", i)
		next, err := nextRun("03:00", slug, base)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 11, 28, 3, 0, 0, 0, time.Local)
		if next.Before(start) || !next.Before(start.Add(10*time.Minute)) || next.Sub(start) != Spread(slug) {
			t.Fatalf("%s: next run %v", slug, next)
		}
		seconds[next] = true
		// Just after its own start, the next is the day after, not the same day again.
		if again, _ := nextRun("03:00", slug, next); !again.Equal(next.AddDate(0, 0, 1)) {
			t.Fatalf("%s: after %v comes %v", slug, next, again)
		}
	}
	if len(seconds) < 90 {
		t.Errorf("a hundred associations start in only %d distinct seconds", len(seconds))
	}
}

// BenchmarkManyAssociations syncs 8 associations of 2,000 associados at once, 4 at a time,
// simulators without latency: what the writer and the decoder cost per vehicle when many
// associations share one process (go test -bench Many -cpuprofile).
func BenchmarkManyAssociations(b *testing.B) {
	var took time.Duration
	total := 0
	for b.Loop() {
		b.StopTimer()
		sims := map[string]sim.Options{}
		for i := range 8 {
			sims[fmt.Sprintf("a%d", i)] = sim.Options{Seed: uint64(i + 1), Members: 2000, PageSize: 500}
		}
		f := newFleet(b, sims, Options{MaxConcurrent: 4}, nil) // a new database each time: every vehicle is new
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		vehicles := 0
		var mu sync.Mutex
		for slug := range sims {
			wg.Go(func() {
				run, err := f.eng.Run(context.Background(), Request{Association: slug, By: maria})
				if err != nil {
					b.Error(err)
				}
				mu.Lock()
				vehicles += run.Counts.Vehicles()
				mu.Unlock()
			})
		}
		wg.Wait()
		took += time.Since(start)
		total += vehicles
	}
	b.ReportMetric(float64(took.Nanoseconds())/float64(total), "ns/vehicle")
}

// An association renamed or disabled after its first sync: the engine follows it.
func TestEngineFollowsAnAssociationsChanges(t *testing.T) {
	f := newFleet(t, map[string]sim.Options{"alfa": {Seed: 1}}, Options{}, nil)
	if _, err := f.eng.Run(context.Background(), Request{Association: "alfa", By: maria}); err != nil {
		t.Fatal(err)
	}
	slug := "zulu"
	if _, err := f.store.UpdateAssociation("alfa", store.AssociationPatch{Slug: &slug}, maria); err != nil {
		t.Fatal(err)
	}
	run, err := f.eng.Run(context.Background(), Request{Association: "zulu", By: maria})
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("after the rename: %+v, %v", run, err)
	}
	if p := f.eng.Hub("zulu").Latest(); p.Association != "zulu" || p.RunID != run.ID {
		t.Errorf("the hub after the rename: %+v", p)
	}
	log, _ := f.store.AuditLog(1, 0)
	if len(log) != 1 || log[0].Association != "zulu" {
		t.Errorf("the audit after the rename: %+v", log)
	}
	if _, err := f.store.SetAssociationEnabled("zulu", false, maria); err != nil {
		t.Fatal(err)
	}
	if err := f.eng.Start(Request{Association: "zulu", By: maria}); !errors.Is(err, ErrDisabled) {
		t.Errorf("a disabled association started: %v", err)
	}
	if err := f.eng.Start(Request{Association: "alfa", By: maria}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old name still starts a sync: %v", err)
	}
}
