package syncer

import (
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// TestFreshnessFollowsTheRuns: the last full read is the full run's end, not moved by the
// incremental runs after it; the newest change is the SGA time of the newest feed change an
// incremental run applied, and a feed change about a vehicle that is not ours moves nothing.
func TestFreshnessFollowsTheRuns(t *testing.T) {
	ck := &weekClock{t: time.Date(2026, 11, 1, 4, 0, 0, 0, sga.Brasilia)} // a Sunday: the full day
	srv := simtest.Serve(t, sim.Options{Seed: 7, Members: 200, PageSize: 100, Now: ck.now})
	s := srv.Sim
	w := newTwin(t, srv, ck)

	full := w.sync(t, ModeAuto)
	if full.Kind != store.RunFull {
		t.Fatalf("day 0: a %s run", full.Kind)
	}
	f, err := w.st.Freshness()
	if err != nil || !f.LastFullRead.Equal(full.FinishedAt) || !f.NewestChange.IsZero() {
		t.Fatalf("after the full read: %+v, %v; want last full read %v and no change", f, err, full.FinishedAt)
	}

	var ours, theirs int64
	for _, v := range s.Vehicles() {
		_, err := w.st.VehicleByCode(v.Code)
		switch {
		case err == nil && ours == 0:
			ours = v.Code
		case err != nil && theirs == 0:
			theirs = v.Code
		}
	}
	if ours == 0 || theirs == 0 {
		t.Fatalf("the simulator has no vehicle of ours (%d) or none of another supplier (%d)", ours, theirs)
	}
	ck.next(24 * time.Hour)
	changed := ck.now().Truncate(time.Second)
	must(t, s.SetSituation(ours, 3))
	ck.next(time.Hour)
	must(t, s.SetSituation(theirs, 3)) // newer, but not a vehicle ponte keeps
	ck.next(time.Hour)
	if r := w.sync(t, ModeIncremental); r.Kind != store.RunIncremental {
		t.Fatalf("day 1: a %s run (%s)", r.Kind, r.Note)
	}
	f, err = w.st.Freshness()
	if err != nil || !f.LastFullRead.Equal(full.FinishedAt) || !f.NewestChange.Equal(changed) {
		t.Fatalf("after the incremental run: %+v, %v; want last full read %v, newest change %v", f, err, full.FinishedAt, changed)
	}
}
