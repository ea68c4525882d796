package syncer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// weekClock is the one clock of a simulated week: SGA's change log and both engines read it.
type weekClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *weekClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *weekClock) next(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// twin is a store and its engine, on the week's simulator.
type twin struct {
	st  *store.Store
	eng *Engine
}

func newTwin(t *testing.T, srv *simtest.Server, ck *weekClock) *twin {
	t.Helper()
	st := simtest.OpenStore(t, store.Options{NoSync: true, Now: ck.now})
	simtest.Configure(t, st, srv)
	eng := New(st, quick(Options{Now: ck.now}))
	t.Cleanup(eng.Close)
	return &twin{st: st, eng: eng}
}

func (w *twin) sync(t *testing.T, mode string) store.Run {
	t.Helper()
	run, err := w.eng.Run(context.Background(), Request{Mode: mode, By: maria})
	if err != nil {
		t.Fatalf("%s sync: %v", mode, err)
	}
	if run.Status != store.StatusSucceeded {
		t.Fatalf("%s sync ended %s: %s", mode, run.Status, run.Reason)
	}
	return run
}

// contents is what a store keeps of SGA, without the times it learnt it: every vehicle the
// simulator ever had and every member of them.
func contents(t *testing.T, st *store.Store, s *sim.Sim) (vehicles, clients map[int64]string) {
	t.Helper()
	vehicles, clients = map[int64]string{}, map[int64]string{}
	members := map[int64]bool{}
	for _, sv := range s.Vehicles() {
		members[sv.MemberCode] = true
		v, err := st.VehicleByCode(sv.Code)
		if err != nil {
			continue
		}
		vehicles[sv.Code] = fmt.Sprintf("client %d plate %s chassis %s renavam %s %s %s %s %d/%d sit %d %s prev %s products %v foreign %v gone %v",
			v.ClientSGACode, v.Plate, v.Chassis, v.Renavam, v.Brand, v.Model, v.Color, v.YearMade, v.YearModel,
			v.SituationCode, v.Situation, v.PrevSituation, v.Products, v.Foreign, v.Gone)
	}
	for code := range members {
		c, err := st.ClientByCode(code)
		if err != nil {
			continue
		}
		clients[code] = fmt.Sprintf("%s cpf %s %s %s %s/%s %s", c.Name, c.CPF, c.Email, c.Phone, c.City, c.State, c.Situation)
	}
	return vehicles, clients
}

// proposals is each store's pending proposals as vehicle -> kind and motive.
func proposals(t *testing.T, st *store.Store) map[int64]string {
	t.Helper()
	ps, err := st.Proposals(store.ProposalFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, p := range ps {
		key := p.VehicleSGACode
		if _, twice := out[key]; twice && p.Status == store.ProposalPending {
			t.Errorf("vehicle %d has more than one proposal pending", key)
		}
		out[key] += fmt.Sprintf("[%s %s %s %s→%s]", p.Kind, p.Status, p.Cause.Motive, p.Cause.Before, p.Cause.After)
	}
	return out
}

func sameMaps(t *testing.T, what string, got, want map[int64]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s %d:\n incremental %q\n full        %q", what, k, got[k], want[k])
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %d only in the incremental store: %q", what, k, got[k])
		}
	}
}

// TestAWeekOfIncrementalSyncs syncs a week of SGA's churn daily two ways: one store reads the
// change feed, the other the whole listing. Every day they must hold the same, and propose
// the same orders, once.
func TestAWeekOfIncrementalSyncs(t *testing.T) {
	ck := &weekClock{t: time.Date(2026, 11, 1, 4, 0, 0, 0, sga.Brasilia)} // a Sunday
	srv := simtest.Serve(t, sim.Options{Seed: 41, Members: 800, PageSize: 100, Now: ck.now})
	s := srv.Sim
	inc, full := newTwin(t, srv, ck), newTwin(t, srv, ck)
	weekly := store.DefaultSchedule()
	weekly.Full, weekly.FullDay = store.FullWeekly, time.Sunday // the feed the other days
	must(t, inc.st.SetSchedule(weekly, maria))

	// Day 0: both read everything, and import the same twenty vehicles.
	if r := inc.sync(t, ModeAuto); r.Kind != store.RunFull || r.NoteCode != NoteFullDay {
		t.Fatalf("day 0: %s run, note %q", r.Kind, r.NoteCode)
	}
	full.sync(t, ModeFull)
	var imported []int64
	byClient := map[int64][]int64{}
	for _, v := range s.Vehicles() {
		if len(imported) < 20 && v.Situation == 1 && slices.Contains(v.Products, s.Credentials().ProductCode) {
			if sv, err := inc.st.VehicleByCode(v.Code); err == nil && sv.Active() {
				imported = append(imported, v.Code)
				byClient[v.MemberCode] = append(byClient[v.MemberCode], v.Code)
			}
		}
	}
	for client, vs := range byClient {
		for _, w := range []*twin{inc, full} {
			imp, err := w.st.Import(client, vs, maria)
			if err != nil {
				t.Fatal(err)
			}
			// Each tracker installed: SGA's cancel of its vehicle proposes its Retirada.
			for _, im := range imp {
				for _, step := range []store.OrderStep{{To: store.OrderStatusScheduled, Visit: &store.Visit{At: ck.now(), Technician: "Carlos"}},
					{To: store.OrderStatusRunning}, {To: store.OrderStatusDone}} {
					if _, err := w.st.AdvanceOrder(im.Order.Number, step, maria); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}

	// What happens each day, and how the incremental store must have read it.
	days := []struct {
		churn  func()
		kind   string // "" when the listing's count decides, as in a churn round
		inPart bool   // what the feeds cannot show: equal after the day's full read
	}{
		1: {func() { // a contracted vehicle cancelled, another defaulting, a plate converted
			must(t, s.SetSituation(imported[0], 3))
			must(t, s.SetSituation(imported[1], 2))
			must(t, s.SetPlate(imported[2], "PNT1E23"))
		}, store.RunIncremental, false},
		2: {func() { // new vehicles of a known member and of a new one, an e-mail
			_, err := s.AddVehicle(s.Vehicles()[10].MemberCode)
			must(t, err)
			s.AddMember(2)
			must(t, s.SetMemberEmail(s.Vehicles()[12].MemberCode, "trocou@example.com"))
		}, store.RunIncremental, false},
		3: {func() { // the cancelled one comes back before anyone decided; another contracted one is cancelled twice over
			must(t, s.SetSituation(imported[0], 1))
			must(t, s.SetSituation(imported[3], 4))
			must(t, s.SetSituation(imported[3], 3))
		}, store.RunIncremental, false},
		4: {func() { // a member drops our service: only the listing's count shows it
			must(t, s.DropSupplier(imported[4]))
		}, store.RunFull, false},
		// A whole round: a dropped product, a product moved between vehicles, one linked to an
		// older vehicle, new ones at the end; the count may look explained.
		5: {func() { s.Churn() }, "", true},
		6: {func() { // back to ATIVO from INADIMPLENTE, and a quiet day otherwise
			must(t, s.SetSituation(imported[1], 1))
		}, store.RunIncremental, false},
	}
	for day := 1; day < len(days); day++ {
		ck.next(24 * time.Hour)
		days[day].churn()
		ck.next(time.Hour) // the changes are an hour old when the runs read them
		r := inc.sync(t, ModeAuto)
		if days[day].kind != "" && r.Kind != days[day].kind {
			t.Fatalf("day %d: a %s run (%s), want %s", day, r.Kind, r.Note, days[day].kind)
		}
		rf := full.sync(t, ModeFull)
		if days[day].inPart {
			inc.sync(t, ModeFull) // the day's full read
		}
		// The share shrinks with the fleet (BenchmarkIncremental measures it at 75,000
		// vehicles); here, with 11 pages, it is only fewer.
		if r.Kind == store.RunIncremental && r.Counts.Requests >= rf.Counts.Requests {
			t.Errorf("day %d: the incremental run made %d requests, the full %d", day, r.Counts.Requests, rf.Counts.Requests)
		}
		iv, ic := contents(t, inc.st, s)
		fv, fc := contents(t, full.st, s)
		sameMaps(t, fmt.Sprintf("day %d vehicle", day), iv, fv)
		sameMaps(t, fmt.Sprintf("day %d client", day), ic, fc)
		sameMaps(t, fmt.Sprintf("day %d proposal of vehicle", day), proposals(t, inc.st), proposals(t, full.st))
		if t.Failed() {
			t.FailNow()
		}
		if day == 3 {
			// The same day again: the feed repeats itself, and nothing is proposed twice.
			before := proposals(t, inc.st)
			inc.sync(t, ModeIncremental)
			sameMaps(t, "day 3 again, proposal of vehicle", proposals(t, inc.st), before)
		}
		ck.next(-time.Hour)
	}

	// What the week proposed, in the incremental store: the cancellation withdrawn when the
	// vehicle came back, the vehicle cancelled twice over once, the dropped one once; the
	// defaulting one marked its contract and proposed nothing.
	got := proposals(t, inc.st)
	want := map[int64]string{
		imported[0]: "[Retirada superada Cancelamento ATIVO→CANCELADO]",
		imported[3]: "[Retirada pendente Cancelamento ATIVO→CANCELADO]",
		imported[4]: "[Retirada pendente Fora da lista do SGA ATIVO→fora da lista]",
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("vehicle %d: proposals %q, want %q", code, got[code], w)
		}
	}
	ps, _ := inc.st.Proposals(store.ProposalFilter{Status: store.ProposalPending}, 0)
	for _, p := range ps {
		if p.VehicleSGACode == imported[3] && (p.Cause.ChangedBy == "" || p.Cause.ChangedAt.IsZero()) {
			t.Errorf("the feed's author and time are missing: %+v", p.Cause)
		}
	}
	if err := inc.st.Verify(); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Where SGA does not let the token read the change feeds, the connection test says so without
// failing, and an incremental run reads in full, saying why.
func TestFeedNotAllowedReadsInFull(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 3, DeniedRoutes: []string{sim.RouteVehicleChanges, sim.RouteMemberChanges}}, Options{}, false, nil)
	in, err := e.store.Integration()
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, c := range e.eng.Probe(context.Background(), in, store.Rules{}, true, true, "") {
		switch {
		case c.Optional && c.Denied:
			denied++
		case !c.OK:
			t.Errorf("route %s failed: %+v", c.Route, c)
		}
	}
	if denied != 2 {
		t.Fatalf("%d optional routes denied, want the two feeds", denied)
	}
	if r, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || r.Kind != store.RunFull {
		t.Fatalf("full: %+v %v", r, err)
	}
	r, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || r.Status != store.StatusSucceeded || r.Kind != store.RunFull || r.NoteCode != NoteFeedDenied || r.Note == "" {
		t.Fatalf("incremental without the feed: %+v %v", r, err)
	}
}

// Without the sync token (the listing's count), or before any full read, an incremental run
// reads in full and says why.
func TestIncrementalNeedsAFullReadAndBothCredentials(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 3}, Options{}, true, nil)
	r, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || r.Kind != store.RunFull || r.NoteCode != NoteNeedsBoth {
		t.Fatalf("manual only: %+v %v", r, err)
	}
	e = newEnv(t, sim.Options{Seed: 3}, Options{}, false, nil)
	r, err = e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || r.Kind != store.RunFull || r.NoteCode != NoteNoFull {
		t.Fatalf("no full read yet: %+v %v", r, err)
	}
	r, err = e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || r.Kind != store.RunIncremental || r.Counts.Requests == 0 {
		t.Fatalf("after a full read: %+v %v", r, err)
	}
}

// A new association's first read, in many small batches, leaves every client found by its CPF.
func TestFirstSyncIsSearchable(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 9}, Options{BatchVehicles: 100}, false, nil)
	if r, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || r.Status != store.StatusSucceeded {
		t.Fatalf("first sync: %+v %v", r, err)
	}
	if err := e.store.Verify(); err != nil {
		t.Fatal(err)
	}
	page, _ := e.store.SearchClients("", 1_000_000)
	if len(page.Clients) == 0 {
		t.Fatal("no client listed")
	}
	for _, c := range page.Clients[:min(20, len(page.Clients))] {
		if found, _ := e.store.SearchClients(c.CPF, 5); len(found.Clients) != 1 || found.Clients[0].SGACode != c.SGACode {
			t.Errorf("CPF %s: %+v", c.CPF, found.Clients)
		}
	}
}

// A run read to its end ends at 100% with every page done, whichever way it read: a full
// read, an incremental one (one step, no pages of its own), one that fell back to the manual
// listing (which gives no page count).
func TestARunReadToItsEndIsAllDone(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 3}, Options{}, false, nil)
	ended := func(what string, r store.Run, err error) {
		t.Helper()
		p := e.eng.Hub("").Latest()
		if err != nil || r.Status != store.StatusSucceeded || p.RunID != r.ID || p.Running {
			t.Fatalf("%s: %+v %v; progress %+v", what, r, err, p)
		}
		if p.Fraction() != 1 || p.PagesDone != p.PagesTotal && p.PagesTotal > 0 {
			t.Fatalf("%s: ended at %.0f%%, pages %d/%d", what, p.Fraction()*100, p.PagesDone, p.PagesTotal)
		}
	}
	r, err := e.eng.Run(context.Background(), Request{By: maria})
	ended("full", r, err)
	r, err = e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if r.Kind != store.RunIncremental {
		t.Fatalf("not an incremental run: %+v", r)
	}
	ended("incremental", r, err)
	bad := "token-revogado"
	if _, err := e.store.SetIntegration(store.IntegrationPatch{SyncToken: &bad}, maria); err != nil {
		t.Fatal(err)
	}
	r, err = e.eng.Run(context.Background(), Request{By: maria})
	if !r.FellBack {
		t.Fatalf("did not fall back: %+v", r)
	}
	ended("fallen back", r, err)
}
