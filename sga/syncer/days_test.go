package syncer

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// The days the change feeds show only in part, synced two ways side by side: one store reads
// the feed, the other the whole listing. What the feed shows must agree at once; what it
// cannot show (a product moved between vehicles) must agree after that day's full read.
// Both with a listing that gives each vehicle's codigo_situacao and with one that gives only
// its description.
func TestTheDaysTheFeedShowsInPart(t *testing.T) {
	for _, bare := range []bool{false, true} {
		t.Run(fmt.Sprintf("listing without situação codes %v", bare), func(t *testing.T) { daysInPart(t, bare) })
	}
}

func daysInPart(t *testing.T, bare bool) {
	ck := &weekClock{t: time.Date(2026, 11, 1, 4, 0, 0, 0, sga.Brasilia)}
	srv := simtest.Serve(t, sim.Options{Seed: 43, Members: 600, PageSize: 100, Now: ck.now, ListingWithoutSituationCode: bare})
	s := srv.Sim
	inc, full := newTwin(t, srv, ck), newTwin(t, srv, ck)
	inc.sync(t, ModeFull)
	full.sync(t, ModeFull)
	ours := s.Credentials().ProductCode
	ck.next(time.Hour)
	quiet := inc.sync(t, ModeIncremental)
	ck.next(-time.Hour)

	// Vehicles to move products between: one with our product alone among the supplier's,
	// and ones the listing does not hold (none of the supplier's products), oldest first.
	var onlyOurs int64
	var unlisted []int64
	for _, v := range s.Vehicles() {
		switch {
		case onlyOurs == 0 && slices.Equal(supplierOf(s, v), []string{ours}):
			onlyOurs = v.Code
		case len(supplierOf(s, v)) == 0:
			unlisted = append(unlisted, v.Code)
		}
	}
	if onlyOurs == 0 || len(unlisted) < 2 {
		t.Fatal("the simulator has no vehicles to move products between")
	}
	member := s.Vehicles()[5].MemberCode
	corrected := onlyOurs

	days := []struct {
		what   string
		churn  func()
		kind   string // how the incremental run read
		inPart bool   // the feed cannot show it: equal only after a full read
	}{
		{"a vehicle with only the supplier's other product, at the listing's end", func() {
			_, err := s.AddVehicleOtherOnly(member)
			must(t, err)
		}, store.RunIncremental, false},
		{"our product linked to an older vehicle, in the middle of the code order", func() {
			must(t, s.LinkOurs(unlisted[0]))
		}, store.RunFull, false},
		{"corrections of a vehicle's model, brand, colour, years and renavam", func() {
			must(t, s.Correct(corrected, sim.Correction{Brand: "FIAT", Model: "ARGO 1.0", Color: "AZUL", YearMade: 2019, YearModel: 2020, Renavam: "00998877665"}))
		}, store.RunIncremental, false},
		{"a vehicle cancelled", func() {
			must(t, s.SetSituation(corrected, 3))
		}, store.RunIncremental, false},
		{"a member's mobile number changed", func() {
			must(t, s.SetMemberMobile(member, "98888-1234"))
		}, store.RunIncremental, false},
		{"our product moved from one vehicle to another: the count stays", func() {
			must(t, s.UnlinkOurs(onlyOurs))
			must(t, s.LinkOurs(unlisted[1]))
		}, store.RunIncremental, true},
	}
	for i, day := range days {
		ck.next(24 * time.Hour)
		day.churn()
		ck.next(time.Hour)
		r := inc.sync(t, ModeIncremental)
		if r.Kind != day.kind {
			t.Fatalf("day %d (%s): a %s run (%s), want %s", i+1, day.what, r.Kind, r.Note, day.kind)
		}
		full.sync(t, ModeFull)
		// What the run applied it does not ask SGA for again on the next run: a quiet run
		// after it makes the requests a quiet run makes.
		if again := inc.sync(t, ModeIncremental); again.Counts.Requests != quiet.Counts.Requests || again.Counts.VehiclesUpdated+again.Counts.ClientsUpdated != 0 {
			t.Errorf("day %d (%s): the run after it made %d requests (a quiet one %d) and %d updates", i+1, day.what,
				again.Counts.Requests, quiet.Counts.Requests, again.Counts.VehiclesUpdated+again.Counts.ClientsUpdated)
		}
		if day.inPart {
			if r.Counts.ListingWas == 0 || r.Counts.ListingWas != r.Counts.ListingNow {
				t.Errorf("day %d (%s): the run does not say the listing's count stayed: %d → %d", i+1, day.what, r.Counts.ListingWas, r.Counts.ListingNow)
			}
			inc.sync(t, ModeFull) // the day's full read
		}
		iv, ic := contents(t, inc.st, s)
		fv, fc := contents(t, full.st, s)
		sameMaps(t, fmt.Sprintf("day %d (%s) vehicle", i+1, day.what), iv, fv)
		sameMaps(t, fmt.Sprintf("day %d (%s) client", i+1, day.what), ic, fc)
		sameMaps(t, fmt.Sprintf("day %d (%s) proposal of vehicle", i+1, day.what), proposals(t, inc.st), proposals(t, full.st))
		if t.Failed() {
			t.FailNow()
		}
		ck.next(-time.Hour)
	}
}

// supplierOf is the supplier's products a simulated vehicle carries.
func supplierOf(s *sim.Sim, v sim.VehicleInfo) []string {
	var out []string
	for _, p := range s.Products() {
		if p.Supplier && slices.Contains(v.Products, p.Code) {
			out = append(out, p.Code)
		}
	}
	return out
}
