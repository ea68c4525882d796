package syncer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
	"ponte/store/norm"
)

var maria = store.Actor{Who: "maria", From: "test"}

type env struct {
	sim   *sim.Sim
	srv   *httptest.Server
	store *store.Store
	eng   *Engine
	creds sim.Credentials
}

// newEnv starts a simulator, a store configured for it, and an engine. wrap, when not nil,
// sits between the engine and the simulator.
func newEnv(t testing.TB, so sim.Options, eo Options, manualOnly bool, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	if so.Members == 0 {
		so.Members = 300
	}
	if so.PageSize == 0 {
		so.PageSize = 50
	}
	opts := []simtest.Option{simtest.Wrap(wrap)}
	if manualOnly {
		opts = append(opts, simtest.ManualOnly())
	}
	h := simtest.New(t, so, opts...)
	e := &env{sim: h.Sim, srv: h.HTTP, store: h.Store, eng: New(h.Store, quick(eo)), creds: h.Creds}
	t.Cleanup(e.eng.Close)
	return e
}

// quick is o for tests: no pacing, short retries and timeouts, unless o says otherwise.
func quick(o Options) Options {
	if o.Rate == 0 {
		o.Rate = -1
	}
	if o.RetryBase == 0 {
		o.RetryBase, o.RetryMax = time.Millisecond, 5*time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	return o
}

// ours is the ground truth: the vehicles that carry our product, by code.
func (e *env) ours() []int64 {
	var out []int64
	for _, v := range e.sim.Vehicles() {
		if slices.Contains(v.Products, e.creds.ProductCode) {
			out = append(out, v.Code)
		}
	}
	return out
}

// stored lists the vehicles in the store that are not gone, by code.
func (e *env) stored(t *testing.T) []int64 {
	t.Helper()
	var out []int64
	for code := range e.allVehicles(t) {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

func (e *env) allVehicles(t *testing.T) map[int64]store.Vehicle {
	t.Helper()
	page, err := e.store.SearchClients("", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]store.Vehicle{}
	for _, c := range page.Clients {
		vs, err := e.store.VehiclesOfClient(c.SGACode)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if !v.Gone {
				out[v.SGACode] = v.Vehicle
			}
		}
	}
	return out
}

func TestFullSyncThenChanges(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 3}, Options{}, false, nil)
	ctx := context.Background()
	run, err := e.eng.Run(ctx, Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded || run.Source != store.SourceSync {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	want := e.ours()
	if got := e.stored(t); !slices.Equal(got, want) {
		t.Fatalf("stored %d vehicles, want %d", len(got), len(want))
	}
	if run.Counts.VehiclesCreated != len(want) || run.Counts.PagesTotal == 0 {
		t.Fatalf("counts = %+v", run.Counts)
	}
	if err := e.store.Verify(); err != nil {
		t.Fatal(err)
	}

	run2, err := e.eng.Run(ctx, Request{By: maria})
	if err != nil || run2.Counts.VehiclesCreated+run2.Counts.VehiclesUpdated != 0 || run2.Counts.VehiclesUnchanged != len(want) {
		t.Fatalf("second run changed things: %+v, %v", run2.Counts, err)
	}

	churn := e.sim.Churn()
	changedOurs, after := 0, e.ours()
	for _, code := range churn.SituationsChanged {
		if slices.Contains(want, code) && slices.Contains(after, code) { // a vehicle that left ours is gone, not changed
			changedOurs++
		}
	}
	run3, err := e.eng.Run(ctx, Request{By: maria})
	if err != nil {
		t.Fatal(err)
	}
	if run3.Counts.SituationsChanged != changedOurs || run3.Counts.VehiclesCreated < len(churn.VehiclesAdded) {
		t.Fatalf("after churn %v: counts %+v, want %d changed situações", churn, run3.Counts, changedOurs)
	}
	if got := e.stored(t); !slices.Equal(got, e.ours()) {
		t.Fatalf("after churn: stored %d, want %d", len(got), len(e.ours()))
	}
	final := e.eng.Hub("").Latest()
	if final.Running || final.Status != store.StatusSucceeded || final.Changed != changedOurs+run3.Counts.VehiclesGone { // leaving the listing is a change too
		t.Fatalf("final progress = %+v", final)
	}
}

func TestManualSourceReadsTheSameVehicles(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 4}, Options{}, true, nil)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Source != store.SourceManual || run.Status != store.StatusSucceeded {
		t.Fatalf("run: %+v, %v", run, err)
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("manual source stored %d vehicles, want %d", len(got), len(want))
	}
}

// countPages counts the supplier-sync page requests, in order.
type pageLog struct {
	mu    sync.Mutex
	pages []string
	fail  map[string]bool // pages answered 500
}

func (l *pageLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.Index(r.URL.Path, "/listar/pagina/"); i >= 0 {
			page := r.URL.Path[i+len("/listar/pagina/"):]
			l.mu.Lock()
			l.pages = append(l.pages, page)
			fail := l.fail[page]
			l.mu.Unlock()
			if fail {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"mensagem":"Erro interno"}`))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (l *pageLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.pages
	l.pages = nil
	return out
}

func TestCancelThenResumeWithoutRereading(t *testing.T) {
	log := &pageLog{}
	e := newEnv(t, sim.Options{Seed: 5, PageSize: 10, Faults: sim.Faults{Latency: 20 * time.Millisecond}},
		Options{Workers: 2, FlushEvery: time.Millisecond}, false, log.wrap)
	updates, unsubscribe := e.eng.Hub("").Subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for p := range updates {
			if p.Running && p.PagesDone >= 5 {
				cancel()
				return
			}
		}
	}()
	run, err := e.eng.Run(ctx, Request{By: maria})
	if !errors.Is(err, context.Canceled) || run.Status != store.StatusCancelled {
		t.Fatalf("cancelled run: %+v, %v", run, err)
	}
	cp, found, _ := e.store.Checkpoint()
	if !found || cp.RunID != run.ID || len(cp.Done) < 5 || len(cp.Done) >= cp.Total {
		t.Fatalf("checkpoint = %+v (found %v)", cp, found)
	}
	first := log.take()

	run2, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run2.ID == run.ID || run2.Resumes != run.ID || run2.Status != store.StatusSucceeded {
		t.Fatalf("resumed run: %+v, %v", run2, err)
	}
	// The new run read only what was left, and counted only that.
	if run2.Counts.PagesDone != cp.Total-len(cp.Done) || run2.Counts.PagesTotal != cp.Total {
		t.Errorf("resumed run read %d of %d pages; %d were left", run2.Counts.PagesDone, run2.Counts.PagesTotal, cp.Total-len(cp.Done))
	}
	// What the cancelled run saw was seen: nothing left the list.
	if run2.Counts.VehiclesGone != 0 {
		t.Errorf("the resumed run marked %d vehicles gone that the run it continued had seen", run2.Counts.VehiclesGone)
	}
	for code, v := range e.allVehicles(t) {
		if v.Gone {
			t.Fatalf("vehicle %d marked gone after a resume", code)
		}
	}
	second := log.take()
	for _, p := range second {
		for _, d := range cp.Done {
			if p == strconv.Itoa(d) {
				t.Fatalf("page %s was done before the cancel and read again", p)
			}
		}
	}
	// A request the cancelled run sent may reach the server after it returned, and so land in
	// this log: at most one per worker, of a page that run had not finished (which this run
	// reads too). Every page left is read, and nothing else.
	distinct := map[string]bool{}
	for _, p := range second {
		distinct[p] = true
	}
	if late := len(second) - len(distinct); len(distinct) != cp.Total-len(cp.Done)+1 || late > 2 { // +1: the page count
		t.Errorf("resume made %d page requests (%d distinct) for %d pages left (first run made %d)", len(second), len(distinct),
			cp.Total-len(cp.Done), len(first))
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("after resume: %d vehicles, want %d", len(got), len(want))
	}
	if _, found, _ := e.store.Checkpoint(); found {
		t.Error("the checkpoint outlived a succeeded run")
	}
}

func TestPartialRunThenFailedPagesFirst(t *testing.T) {
	log := &pageLog{fail: map[string]bool{"3": true}}
	e := newEnv(t, sim.Options{Seed: 6}, Options{MaxRetries: 1}, false, log.wrap)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusPartial || run.ErrorCount == 0 || run.Errors[0].Page != 3 {
		t.Fatalf("run with a failing page: %+v, %v", run, err)
	}
	log.take()
	log.mu.Lock()
	log.fail = nil
	log.mu.Unlock()
	run2, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run2.ID == run.ID || run2.Status != store.StatusSucceeded {
		t.Fatalf("next run: %+v, %v", run2, err)
	}
	if pages := log.take(); len(pages) < 2 || pages[0] != "quantidade-paginas" || pages[1] != "3" {
		t.Fatalf("the next run read %v first; want the failed page 3 first", pages[:min(4, len(pages))])
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("stored %d, want %d", len(got), len(want))
	}
}

// A block pauses the run and it continues; the metrics hooks hear of every blocked reply
// (OnRequest) and of each pause once, however many workers met it (OnPause).
func TestBlockPausesAndContinues(t *testing.T) {
	var pauses, blocked atomic.Int64
	e := newEnv(t, sim.Options{Seed: 7, Faults: sim.Faults{BlockAfter: 4, BlockWindow: 10 * time.Second, BlockFor: 300 * time.Millisecond}},
		Options{BlockProbe: 100 * time.Millisecond, BlockProbeMax: 200 * time.Millisecond,
			OnPause: func(a string) {
				if a == "principal" {
					pauses.Add(1)
				}
			},
			OnRequest: func(a, _ string, err error) {
				if a == "principal" && sga.Outcome(err) == "blocked" {
					blocked.Add(1)
				}
			}}, false, nil)
	updates, unsubscribe := e.eng.Hub("").Subscribe()
	paused := make(chan bool, 1)
	go func() {
		saw := false
		for p := range updates {
			saw = saw || (p.Phase == PhasePaused && !p.PausedUntil.IsZero())
		}
		paused <- saw
	}()
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	unsubscribe()
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run through blocks: %+v, %v", run, err)
	}
	if e.sim.Stats().Blocks == 0 || !<-paused {
		t.Fatalf("no block happened or none was shown (blocks %d)", e.sim.Stats().Blocks)
	}
	t.Logf("%d pauses, %d blocked replies", pauses.Load(), blocked.Load())
	if p, b := pauses.Load(), blocked.Load(); p < 1 || p > b {
		t.Fatalf("%d pauses for %d blocked replies", p, b)
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("stored %d, want %d", len(got), len(want))
	}
}

func TestBadCredentialsStopWithAReason(t *testing.T) {
	// The token and the manual password both wrong: nothing to fall back to.
	e := newEnv(t, sim.Options{Seed: 1}, Options{}, false, nil)
	bad := "not-the-token"
	if _, err := e.store.SetIntegration(store.IntegrationPatch{SyncToken: &bad, Password: &bad}, maria); err != nil {
		t.Fatal(err)
	}
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err == nil || run.Status != store.StatusFailed || !strings.Contains(run.Reason, "SGA refused the credentials") ||
		run.ReasonCode != ReasonCredentials {
		t.Fatalf("run: %+v, %v", run, err)
	}
	if got := e.sim.Stats().Requests; got > 3 {
		t.Fatalf("%d requests after the token was refused", got)
	}
	code := ""
	if _, err := e.store.SetIntegration(store.IntegrationPatch{ProductCode: &code}, maria); err == nil {
		run, _ = e.eng.Run(context.Background(), Request{By: maria})
		if run.Status != store.StatusFailed || !strings.Contains(run.Reason, "Código do Produto") {
			t.Fatalf("without a product code: %+v", run)
		}
	}
}

// A client's own sync lists every vehicle the client has in SGA when the manual credentials
// are set: those without our product as Foreign, which cannot be imported and which a full
// sync never marks gone. With the sync token alone, it lists ours.
func TestOneClient(t *testing.T) {
	for _, mode := range []string{"manual", "both", "token"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, sim.Options{Seed: 8}, Options{}, mode == "manual", nil)
			st, eng := e.store, e.eng
			if mode == "token" {
				st, eng = tokenOnly(t, e)
			}
			// A member with vehicles of ours and others.
			byMember := map[int64][]sim.VehicleInfo{}
			for _, v := range e.sim.Vehicles() {
				byMember[v.MemberCode] = append(byMember[v.MemberCode], v)
			}
			var cpf string
			var member int64
			for m, vs := range byMember {
				ours := 0
				for _, v := range vs {
					if slices.Contains(v.Products, e.creds.ProductCode) {
						ours++
					}
				}
				if ours > 0 && ours < len(vs) && (member == 0 || m < member) {
					cpf, member = vs[0].MemberCPF, m
				}
			}
			if member == 0 {
				t.Fatal("seed 8 has no member with vehicles of ours and others")
			}
			run, err := eng.Run(context.Background(), Request{CPF: norm.FormatCPF(cpf), By: maria})
			if err != nil || run.Kind != store.RunClient || run.Client != cpf || run.Status != store.StatusSucceeded {
				t.Fatalf("%s: %+v, %v", mode, run, err)
			}
			var ours, all []int64
			foreign := int64(0)
			for _, v := range byMember[member] {
				all = append(all, v.Code)
				if slices.Contains(v.Products, e.creds.ProductCode) {
					ours = append(ours, v.Code)
				} else if foreign == 0 {
					foreign = v.Code
				}
			}
			vs, _ := st.VehiclesOfClient(member)
			var got []int64
			for _, v := range vs {
				got = append(got, v.SGACode)
				if v.Foreign == slices.Contains(ours, v.SGACode) {
					t.Fatalf("%s: vehicle %d Foreign=%v", mode, v.SGACode, v.Foreign)
				}
			}
			slices.Sort(got)
			want := all
			if mode == "token" {
				want = ours
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: stored %v, want %v", mode, got, want)
			}
			if mode != "token" {
				if _, err := st.Import(member, []int64{foreign}, maria); !errors.Is(err, store.ErrNotOurs) {
					t.Fatalf("%s: importing a vehicle without our product: %v", mode, err)
				}
				if run, err := eng.Run(context.Background(), Request{By: maria}); err != nil || run.Counts.VehiclesGone != 0 {
					t.Fatalf("%s: the full sync after it: %+v, %v", mode, run, err)
				}
				if v, _ := st.VehiclesOfClient(member); len(v) != len(all) || slices.ContainsFunc(v, func(x store.VehicleView) bool { return x.Gone }) {
					t.Fatalf("%s: a full sync marked a vehicle without our product gone: %+v", mode, v)
				}
			}
			run, err = eng.Run(context.Background(), Request{CPF: "529.982.247-25", By: maria}) // a CPF, of no one in SGA
			if err == nil || run.Status != store.StatusFailed {
				t.Fatalf("unknown CPF: %+v, %v", run, err)
			}
		})
	}
}

// tokenOnly is a database on e's simulator with the sync token and no manual credentials.
func tokenOnly(t *testing.T, e *env) (*store.Store, *Engine) {
	in, _ := e.store.Integration()
	st := simtest.OpenStore(t, store.Options{NoSync: true})
	if _, err := st.SetIntegration(store.IntegrationPatch{SGAURL: &in.SGAURL, SyncToken: &e.creds.SyncToken, ProductCode: &in.ProductCode}, maria); err != nil {
		t.Fatal(err)
	}
	eng := New(st, Options{Rate: -1})
	t.Cleanup(eng.Close)
	return st, eng
}

func TestOneRunAtATime(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 9, Faults: sim.Faults{Latency: 50 * time.Millisecond}}, Options{}, false, nil)
	if err := e.eng.Start(Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.Start(Request{By: maria}); !errors.Is(err, ErrBusy) {
		t.Fatalf("second start: %v, want ErrBusy", err)
	}
	for deadline := time.Now().Add(20 * time.Second); e.eng.Hub("").Latest().RunID == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the run never started")
		}
	}
	if !e.eng.Cancel("", store.Actor{Who: "joao"}) {
		t.Fatal("nothing to cancel")
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.eng.Running("") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	runs, _ := e.store.Runs(1)
	if len(runs) != 1 || runs[0].Status != store.StatusCancelled || runs[0].Reason != "cancelled by joao" {
		t.Fatalf("runs = %+v", runs)
	}
}

func TestHubLatestWinsAndNeverBlocks(t *testing.T) {
	h := NewHub()
	slow, unsubSlow := h.Subscribe()
	fast, unsubFast := h.Subscribe()
	if p := <-fast; p.Phase != PhaseIdle {
		t.Fatalf("first state = %+v", p)
	}
	<-slow
	received := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range fast {
			received++
			if !p.Running {
				return
			}
		}
	}()
	start := time.Now()
	for i := range 1000 {
		h.Publish(Progress{Running: true, PagesDone: i})
	}
	h.Publish(Progress{Running: false, PagesDone: 1000, Phase: PhaseDone})
	// The publishes returned although the slow subscriber never read: that is the check.
	<-done
	// Coalesced: about one update per interval of the time spent, however slow the machine.
	if allowed := int(time.Since(start)/minInterval) + 3; received > allowed {
		t.Fatalf("%d updates for 1,001 publishes in %v (at most %d): not coalesced", received, time.Since(start), allowed)
	}
	if p := <-slow; p.PagesDone != 1000 {
		t.Fatalf("the slow subscriber's pending state is %+v, want the newest", p)
	}
	unsubSlow()
	unsubFast()
	unsubFast() // twice is harmless
	if h.Subscribers() != 0 {
		t.Fatalf("%d subscribers left", h.Subscribers())
	}
	h.Close()
	ch, _ := h.Subscribe()
	if _, open := <-ch; open {
		t.Fatal("subscribing to a closed hub gave an open channel")
	}
}

func TestNextRun(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, time.Local) }
	for _, tt := range []struct {
		tod  string
		now  time.Time
		want time.Time
	}{
		{"03:00", at(2, 0), at(3, 0)},
		{"03:00", at(3, 0), at(3, 0).AddDate(0, 0, 1)},
		{"03:00", at(10, 0), at(3, 0).AddDate(0, 0, 1)},
		{"23:59", at(23, 58), at(23, 59)},
	} {
		t.Run(tt.tod+" at "+tt.now.Format(time.DateTime), func(t *testing.T) {
			got, err := NextRun(tt.tod, tt.now)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("NextRun(%s, %v) = %v, %v; want %v", tt.tod, tt.now, got, err, tt.want)
			}
		})
	}
	if _, err := NextRun("3h", time.Now()); err == nil {
		t.Error("a bad time of day was accepted")
	}
}

func TestScheduleRunsAMissedSyncAtStartAndEnableDailyStartsOne(t *testing.T) {
	// Latency keeps a run going long enough for the second request to meet it.
	e := newEnv(t, sim.Options{Seed: 10, Faults: sim.Faults{Latency: 30 * time.Millisecond}}, Options{}, false, nil)
	missed := time.Now().Add(-time.Hour)
	if err := e.store.SetSchedule(store.Schedule{Enabled: true, TimeOfDay: "03:00", NextRun: missed}, maria); err != nil {
		t.Fatal(err)
	}
	e.eng.StartSchedule()
	deadline := time.Now().Add(20 * time.Second)
	var runs []store.Run
	for time.Now().Before(deadline) {
		runs, _ = e.store.Runs(0)
		if len(runs) == 1 && runs[0].Status == store.StatusSucceeded {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(runs) != 1 || runs[0].StartedBy != "agendamento" || runs[0].Status != store.StatusSucceeded {
		t.Fatalf("the missed daily run did not run at start: %+v", runs)
	}
	sc, _ := e.store.Schedule()
	if !sc.NextRun.After(time.Now()) || sc.LastRun.IsZero() {
		t.Fatalf("schedule after the run = %+v", sc)
	}

	if err := e.eng.SetDaily("", false, "04:30", maria); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.EnableDaily(Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.EnableDaily(Request{By: maria}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a second Sincronizar Ativos SGA while a run goes: %v, want ErrBusy", err)
	}
	waitIdle(t, e.eng)
	sc, _ = e.store.Schedule()
	if !sc.Enabled || sc.TimeOfDay != "04:30" || sc.NextRun.Hour() != 4 {
		t.Fatalf("schedule after a run that worked = %+v", sc)
	}
	if err := e.eng.SetDaily("", true, "25:00", maria); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("bad time: %v", err)
	}
}

// A Sincronizar Ativos SGA whose run fails (SGA refuses the login) does not switch the daily
// sync on: it could not work either.
func TestEnableDailyLeavesTheScheduleOffWhenTheRunFails(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 11}, Options{}, true, nil)
	wrong := "senha-errada"
	if _, err := e.store.SetIntegration(store.IntegrationPatch{Password: &wrong}, maria); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.SetDaily("", false, "03:00", maria); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.EnableDaily(Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e.eng)
	runs, _ := e.store.Runs(1)
	if len(runs) != 1 || runs[0].Status != store.StatusFailed {
		t.Fatalf("runs = %+v, want one failed", runs)
	}
	if sc, _ := e.store.Schedule(); sc.Enabled {
		t.Fatalf("a failed run switched the daily sync on: %+v", sc)
	}
}

// waitIdle waits for the engine's run to end, failing the test after 30 s.
func waitIdle(t *testing.T, eng *Engine) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for eng.Running("") {
		if time.Now().After(deadline) {
			t.Fatal("the run did not end within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// With batches of a few vehicles, a client's vehicles land in several batches: the run counts
// each client once, keeps it ATIVO when any of its vehicles is, in whichever batch, and counts
// the pages it read.
func TestCountsAreTrueAcrossBatches(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8, Members: 200, PageSize: 20}, Options{BatchVehicles: 3, FlushEvery: time.Hour}, false, nil)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run: %+v, %v", run, err)
	}
	page, _ := e.store.SearchClients("", 1_000_000)
	if run.Counts.Clients() != len(page.Clients) {
		t.Errorf("the run counted %d clients; the store has %d", run.Counts.Clients(), len(page.Clients))
	}
	if run.Counts.PagesDone != run.Counts.PagesTotal || run.Counts.PagesTotal == 0 {
		t.Errorf("pages done %d of %d", run.Counts.PagesDone, run.Counts.PagesTotal)
	}
	active := map[int64]bool{}
	for _, v := range e.sim.Vehicles() {
		if slices.Contains(v.Products, e.creds.ProductCode) && v.Situation == 1 {
			active[v.MemberCode] = true
		}
	}
	for _, c := range page.Clients {
		if active[c.SGACode] && !(store.Rules{}).Active(c.Situation) {
			t.Fatalf("client %d has an ATIVO vehicle but is %s", c.SGACode, c.Situation)
		}
	}
}

// A run stopped because the engine closes (the server stopping) is interrupted by the
// server's shutdown, not cancelled, and not by the operator who started it.
func TestShutdownCancelIsTheServers(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 5, PageSize: 10, Faults: sim.Faults{Latency: 50 * time.Millisecond}},
		Options{Workers: 1}, false, nil)
	updates, unsubscribe := e.eng.Hub("").Subscribe()
	defer unsubscribe()
	if err := e.eng.Start(Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	for p := range updates {
		if p.Running && p.PagesDone >= 1 {
			break
		}
	}
	e.eng.Close()
	runs, _ := e.store.Runs(1)
	if len(runs) != 1 || !interruptedByShutdown(runs[0]) {
		t.Fatalf("run after shutdown: %+v", runs)
	}
	log, _ := e.store.AuditLog(1, 0)
	if len(log) != 1 || log[0].Action != store.ActionSyncInterrupted || log[0].Who != "server" {
		t.Fatalf("audit after shutdown: %+v", log)
	}
}

// A Sincronismo SGA token SGA refuses: with the manual credentials set, the run reads with
// them and says so; without them, it fails naming the token.
func TestRefusedSyncTokenFallsBackToManual(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 12}, Options{}, false, nil)
	bad := "token-revogado"
	if _, err := e.store.SetIntegration(store.IntegrationPatch{SyncToken: &bad}, maria); err != nil {
		t.Fatal(err)
	}
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded || !run.FellBack || run.Source != store.SourceManual || run.Counts.Vehicles() == 0 {
		t.Fatalf("run = %+v, %v; want succeeded with the manual credentials", run, err)
	}
	if p := e.eng.Hub("").Latest(); !p.FellBack {
		t.Fatalf("progress does not say it fell back: %+v", p)
	}

	// The same SGA, a database with only the (refused) token.
	in, _ := e.store.Integration()
	st := simtest.OpenStore(t, store.Options{NoSync: true})
	if _, err := st.SetIntegration(store.IntegrationPatch{SGAURL: &in.SGAURL, SyncToken: &bad, ProductCode: &in.ProductCode}, maria); err != nil {
		t.Fatal(err)
	}
	eng := New(st, Options{})
	defer eng.Close()
	run, _ = eng.Run(context.Background(), Request{By: maria})
	if run.Status != store.StatusFailed || run.ReasonCode != ReasonSyncToken || run.FellBack {
		t.Fatalf("without manual credentials: %+v, want failed with %s", run, ReasonSyncToken)
	}
}

// A client's own sync whose manual login SGA refuses (a wrong Senha) falls back to the
// Sincronismo SGA token's lookup by CPF, as a full sync falls back the other way, and says
// so; without a token, it fails naming the login.
func TestClientSyncFallsBackToTheToken(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	var v sim.VehicleInfo
	for _, x := range e.sim.Vehicles() {
		if slices.Contains(x.Products, e.creds.ProductCode) && (v.Code == 0 || x.Code < v.Code) {
			v = x
		}
	}
	wrong := "senha-errada"
	if _, err := e.store.SetIntegration(store.IntegrationPatch{Password: &wrong}, maria); err != nil {
		t.Fatal(err)
	}
	run, err := e.eng.Run(context.Background(), Request{CPF: v.MemberCPF, By: maria})
	if err != nil || run.Status != store.StatusSucceeded || !run.FellBack || run.Source != store.SourceSync || run.Counts.Vehicles() == 0 {
		t.Fatalf("run = %+v, %v; want succeeded with the sync token", run, err)
	}
	if p := e.eng.Hub("").Latest(); !p.FellBack || p.Source != store.SourceSync {
		t.Fatalf("progress does not say it fell back: %+v", p)
	}
	if _, err := e.store.VehicleByCode(v.Code); err != nil {
		t.Fatalf("vehicle %d not stored: %v", v.Code, err)
	}

	e = newEnv(t, sim.Options{Seed: 8}, Options{}, true, nil)
	if _, err := e.store.SetIntegration(store.IntegrationPatch{Password: &wrong}, maria); err != nil {
		t.Fatal(err)
	}
	run, _ = e.eng.Run(context.Background(), Request{CPF: v.MemberCPF, By: maria})
	if run.Status != store.StatusFailed || run.ReasonCode != ReasonCredentials || run.FellBack {
		t.Fatalf("without a token: %+v, want failed with %s", run, ReasonCredentials)
	}
}

// The daily sync is on by the time the end of the run that turned it on is published: a
// console that reloads on that end shows it on.
func TestEnableDailyIsOnWhenTheEndIsPublished(t *testing.T) {
	for range 5 {
		e := newEnv(t, sim.Options{Seed: 13, Members: 40}, Options{}, false, nil)
		if err := e.eng.SetDaily("", false, "03:00", maria); err != nil {
			t.Fatal(err)
		}
		updates, unsub := e.eng.Hub("").Subscribe()
		if err := e.eng.EnableDaily(Request{By: maria}); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(30 * time.Second)
		for ended := false; !ended; {
			select {
			case p := <-updates:
				if p.Phase != PhaseDone || p.Running {
					continue
				}
				ended = true
				if sc, _ := e.store.Schedule(); !sc.Enabled {
					t.Fatal("the run's end was published before the daily sync was turned on")
				}
			case <-deadline:
				t.Fatal("the run did not end within 30 s")
			}
		}
		unsub()
	}
}

// With the manual credentials, an SGA that does not answer at all ends the run at once as
// unreachable, instead of asking for every page of ten situações.
func TestManualSourceUnreachableFailsAtOnce(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 4, Members: 20}, Options{}, true, nil)
	e.srv.Close()
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err == nil || run.Status != store.StatusFailed || run.ReasonCode != ReasonUnreachable {
		t.Fatalf("run %s (%s: %s), %d errors, %v", run.Status, run.ReasonCode, run.Reason, run.ErrorCount, err)
	}
}

// A client's sync against an SGA that does not answer read nothing: it failed, with the reason
// a full sync gives, whichever credentials it reads with; one that SGA answers in error (a 502
// after the retries) failed too, with what SGA said.
func TestClientSyncAgainstASilentSGAFails(t *testing.T) {
	for _, manual := range []bool{true, false} {
		e := newEnv(t, sim.Options{Seed: 4, Members: 20}, Options{}, manual, nil)
		cpf := e.sim.Vehicles()[0].MemberCPF
		e.srv.Close()
		full, _ := e.eng.Run(context.Background(), Request{By: maria})
		run, err := e.eng.Run(context.Background(), Request{CPF: cpf, By: maria})
		if err == nil || run.Status != store.StatusFailed || run.ReasonCode != ReasonUnreachable || run.ReasonCode != full.ReasonCode {
			t.Errorf("manual only %v: client run %s (%s: %s), %v; the full run %s (%s)", manual, run.Status, run.ReasonCode, run.Reason, err,
				full.Status, full.ReasonCode)
		}
	}
	bad := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	}
	e := newEnv(t, sim.Options{Seed: 4, Members: 20}, Options{MaxRetries: 1}, true, bad)
	run, err := e.eng.Run(context.Background(), Request{CPF: e.sim.Vehicles()[0].MemberCPF, By: maria})
	if err == nil || run.Status != store.StatusFailed || run.ReasonCode != ReasonOther {
		t.Errorf("SGA answering 502: client run %s (%s: %s), %v", run.Status, run.ReasonCode, run.Reason, err)
	}
}

// A manual listing whose pages all fail ends partial with the pages it could not read; it
// does not go on asking for pages that cannot tell where the listing ends.
func TestManualListingWhosePagesAllFailEnds(t *testing.T) {
	var listings atomic.Int64
	fail := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/veiculo/listar-veiculo-produto/") {
				listings.Add(1)
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, sim.Options{Seed: 4, Members: 20}, Options{MaxRetries: 1, Workers: 2}, true, fail)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusPartial || run.ReasonCode != ReasonPagesFailed {
		t.Fatalf("run %s (%s: %s), %d errors, %v", run.Status, run.ReasonCode, run.Reason, run.ErrorCount, err)
	}
	// One wave of 2 pages for each of the simulator's five situações, each page tried twice.
	if n := listings.Load(); n != 5*2*2 {
		t.Fatalf("%d listing requests, want 20", n)
	}
}

// Every line a sync logs, the SGA client's included, names its association; with a JSON
// handler each is one object.
func TestEverySyncLogLineNamesItsAssociation(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, sim.Options{Seed: 4, Members: 200}, Options{Logger: logger}, false, nil)
	if err := e.sim.SetFaults(sim.Faults{Fail5xx: 0.2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.Run(t.Context(), Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	retries := 0
	for _, l := range lines {
		var entry map[string]any
		if err := json.Unmarshal([]byte(l), &entry); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if entry["association"] != "principal" {
			t.Errorf("a line without its association: %s", l)
		}
		if entry["msg"] == "sga retry" {
			retries++
		}
	}
	if len(lines) < 3 || retries == 0 {
		t.Fatalf("%d lines, %d retries: the test saw too little", len(lines), retries)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Health is nil while the engine and its schedule work, says so when the schedule cannot
// read the associations, and when the engine is closed.
func TestHealth(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 1, Members: 10}, Options{}, false, nil)
	e.eng.StartSchedule()
	if err := e.eng.Health(); err != nil {
		t.Fatalf("a working engine: %v", err)
	}
	broken := New(e.store, Options{})
	e.store.Close() // the first tick cannot read the associations
	broken.StartSchedule()
	deadline := time.Now().Add(10 * time.Second)
	for broken.Health() == nil {
		if time.Now().After(deadline) {
			t.Fatal("a schedule that cannot read the store is still healthy after 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := broken.Health(); !strings.Contains(err.Error(), "the daily schedule failed") {
		t.Fatalf("health: %v", err)
	}
	broken.Close()
	if err := broken.Health(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("a closed engine: %v", err)
	}
}

// A pool has more workers than requests in flight, so that one decoding a page leaves its
// slot to another; SGA still never sees more than Workers requests at once.
func TestRequestsInFlightNeverExceedWorkers(t *testing.T) {
	var now, most atomic.Int64
	count := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := now.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			// Hold each request until another is in flight (the page count, alone, gives up
			// after a while): the pool's overlap does not depend on the machine's speed.
			for wait := time.Now(); now.Load() < 2 && time.Since(wait) < 500*time.Millisecond; {
				time.Sleep(time.Millisecond)
			}
			next.ServeHTTP(w, r)
			now.Add(-1)
		})
	}
	e := newEnv(t, sim.Options{Seed: 7, Members: 1500}, Options{Workers: 3}, false, count)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("run: %+v, %v", run, err)
	}
	if got := most.Load(); got > 3 || got < 2 {
		t.Fatalf("at most %d requests in flight at once, want 2 or 3 (3 workers)", got)
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("stored %d, want %d", len(got), len(want))
	}
}
