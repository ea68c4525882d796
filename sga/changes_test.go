package sga_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
)

// simClock is a settable clock for the simulator's change log.
type simClock struct{ t time.Time }

func (c *simClock) now() time.Time { return c.t }

func TestChangeFeeds(t *testing.T) {
	ck := &simClock{time.Date(2026, 11, 2, 10, 15, 0, 0, sga.Brasilia)}
	h := newHarness(t, sim.Options{Seed: 7, Now: ck.now}, nil)
	ctx := context.Background()
	vs := h.sim.Vehicles()
	v := vs[3]
	next := 3
	if v.Situation == 3 {
		next = 1
	}
	if err := h.sim.SetSituation(v.Code, next); err != nil {
		t.Fatal(err)
	}
	ck.t = ck.t.AddDate(0, 0, 2)
	if err := h.sim.SetPlate(vs[4].Code, "ZZZ9Z99"); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.SetMemberEmail(vs[4].MemberCode, "nova@example.com"); err != nil {
		t.Fatal(err)
	}

	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, sga.Brasilia) }
	// Two overlapping windows repeat the change they share, keyed alike.
	a, err := h.client.VehicleChanges(ctx, sga.ChangeQuery{From: day(1), To: day(4)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.client.VehicleChanges(ctx, sga.ChangeQuery{From: day(2), To: day(8)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Changes) != 2 || len(b.Changes) != 2 || a.Changes[0].Code != b.Changes[0].Code {
		t.Fatalf("windows: %+v / %+v", a, b)
	}
	sit := a.Changes[0]
	if sit.Field != "codigo_situacao" || int64(sit.VehicleCode) != v.Code || string(sit.After) != "3" && next == 3 ||
		sit.UserName == "" || !sit.At().Equal(time.Date(2026, 11, 2, 10, 15, 0, 0, sga.Brasilia)) {
		t.Fatalf("situação change: %+v at %v", sit, sit.At())
	}
	if p := a.Changes[1]; p.Field != "placa" || string(p.After) != "ZZZ9Z99" {
		t.Fatalf("plate change: %+v", p)
	}
	// The member feed's date and time come apart; they are read together.
	m, err := h.client.MemberChanges(ctx, sga.ChangeQuery{From: day(1), To: day(7)})
	if err != nil || len(m.Changes) != 1 || string(m.Changes[0].After) != "nova@example.com" ||
		!m.Changes[0].At().Equal(time.Date(2026, 11, 4, 10, 15, 0, 0, sga.Brasilia)) {
		t.Fatalf("member changes: %+v, %v", m, err)
	}
	// Empty windows, whether SGA says [] or 406, are empty.
	for _, d := range []int{20, 21} {
		e, err := h.client.VehicleChanges(ctx, sga.ChangeQuery{From: day(d), To: day(d)})
		if err != nil || len(e.Changes) != 0 {
			t.Fatalf("empty window %d: %+v, %v", d, e, err)
		}
	}
	// The client never asks for more than seven days.
	if _, err := h.client.VehicleChanges(ctx, sga.ChangeQuery{From: day(1), To: day(8)}); !errors.Is(err, sga.ErrWindow) {
		t.Fatalf("eight days: %v", err)
	}
	if w := sga.ChangeWindows(day(1), day(16)); len(w) != 3 || !w[2].From.Equal(day(15)) || !w[2].To.Equal(day(16)) {
		t.Fatalf("windows = %+v", w)
	}
}

func TestChangeDates(t *testing.T) {
	for _, c := range []struct {
		date, hour string
		want       time.Time
	}{
		{"2020-10-24T08:30:00-0300", "", time.Date(2020, 10, 24, 11, 30, 0, 0, time.UTC)},
		{"2020-10-24T08:30:00-03:00", "", time.Date(2020, 10, 24, 11, 30, 0, 0, time.UTC)},
		{"2020-10-24", "08:30:00", time.Date(2020, 10, 24, 11, 30, 0, 0, time.UTC)},
		{"24/10/2020", "08:30", time.Date(2020, 10, 24, 11, 30, 0, 0, time.UTC)},
		{"2020-10-24 08:30:00", "", time.Date(2020, 10, 24, 11, 30, 0, 0, time.UTC)},
		{"2020-10-24", "", time.Date(2020, 10, 24, 3, 0, 0, 0, time.UTC)},
		{"", "", time.Time{}},
		{"ontem", "", time.Time{}},
	} {
		t.Run(c.date+" "+c.hour, func(t *testing.T) {
			got := sga.Change{Date: sga.Text(c.date), Time: sga.Text(c.hour)}.At()
			if !got.Equal(c.want) {
				t.Errorf("%q %q: %v, want %v", c.date, c.hour, got, c.want)
			}
		})
	}
}

// The change feeds are optional routes: denied, the connection test still passes, and says so.
func TestFeedRoutesAreOptionalInTheTest(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 7, DeniedRoutes: []string{sim.RouteVehicleChanges}}, nil)
	rep := h.client.Test(context.Background(), nil)
	found := false
	for _, r := range rep.Results {
		if r.Route == "listar/alteracao-veiculos" {
			found = r.Status == sga.ProbeNotAllowed && r.Optional
		}
	}
	if !found || !rep.OK() || !rep.ManualOK() {
		t.Fatalf("report: ok %v, manual ok %v, %+v", rep.OK(), rep.ManualOK(), rep.Results)
	}
}
