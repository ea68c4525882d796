package store

import (
	"errors"
	"testing"
	"time"
)

func TestDeadlineOf(t *testing.T) {
	opened := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	open := Order{Kind: OrderKindInstallation, Status: OrderStatusScheduled, CreatedAt: opened}
	within48 := Rules{InstallWithin: 48 * time.Hour}
	for name, c := range map[string]struct {
		rules       Rules
		order       Order
		now         time.Time
		set         bool
		late, today bool
	}{
		"the day it opens":           {within48, open, opened.Add(time.Hour), true, false, false},
		"the morning it is due":      {within48, open, opened.Add(47 * time.Hour), true, false, true},
		"the minute it is due":       {within48, open, opened.Add(48 * time.Hour), true, false, true},
		"a minute late":              {within48, open, opened.Add(48*time.Hour + time.Minute), true, true, false},
		"no rule: 72 hours, not yet": {Rules{}, open, opened.Add(49 * time.Hour), true, false, false},
		"no rule: 72 hours, late":    {Rules{}, open, opened.Add(73 * time.Hour), true, true, false},
		"a Retirada has none":        {within48, Order{Kind: OrderKindRemoval, Status: OrderStatusOpen, CreatedAt: opened}, opened.Add(99 * time.Hour), false, false, false},
		"a Concluída has none":       {within48, Order{Kind: OrderKindInstallation, Status: OrderStatusDone, CreatedAt: opened}, opened.Add(99 * time.Hour), false, false, false},
		"a Cancelada has none":       {within48, Order{Kind: OrderKindInstallation, Status: OrderStatusCancelled, CreatedAt: opened}, opened.Add(99 * time.Hour), false, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			d := c.rules.DeadlineOf(c.order, c.now)
			if d.Set() != c.set || d.Late != c.late || d.Today != c.today {
				t.Errorf("DeadlineOf at %s = %+v, want set %v, late %v, today %v", c.now, d, c.set, c.late, c.today)
			}
			if c.set && d.Late != (d.Left(c.now) < 0) {
				t.Errorf("late %v but %s left", d.Late, d.Left(c.now))
			}
		})
	}
}

// The store's lists and counts ask the association's rules, by the store's clock.
func TestTheStoreCountsLateInstallations(t *testing.T) {
	ck := &clock{time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	s, imp := imported(t, ck, 10, 11)
	for _, bad := range []time.Duration{30 * time.Minute, 32 * 24 * time.Hour, 90 * time.Second} {
		if err := s.SetRules(Rules{InstallWithin: bad}, cli); !errors.Is(err, ErrInvalid) {
			t.Errorf("a deadline of %s: %v", bad, err)
		}
	}
	if err := s.SetRules(Rules{InstallWithin: 48 * time.Hour}, cli); err != nil {
		t.Fatal(err)
	}
	counts := func() DeadlineCount {
		t.Helper()
		cs, err := s.DeadlineCounts()
		if err != nil || len(cs) != 1 {
			t.Fatalf("DeadlineCounts = %v, %v", cs, err)
		}
		return cs[0]
	}
	listed := func(want string) int {
		t.Helper()
		os, err := s.OrderViews(OrderFilter{Deadline: want}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(os)
	}
	if c := counts(); c.Late != 0 || c.Today != 0 || c.Slug == "" {
		t.Errorf("the day they open: %+v", c)
	}
	ck.t = ck.t.Add(47 * time.Hour)
	if c := counts(); c.Late != 0 || c.Today != 2 || listed(DeadlineToday) != 2 || listed(DeadlineLate) != 0 || listed("") != 2 {
		t.Errorf("the morning they are due: %+v", c)
	}
	if _, err := s.AdvanceOrder(imp[1].Order.Number, OrderStep{To: OrderStatusCancelled, Note: "desistiu", Contract: KeepContract}, cli); err != nil {
		t.Fatal(err)
	}
	ck.t = ck.t.Add(2 * time.Hour)
	if c := counts(); c.Late != 1 || c.Today != 0 || listed(DeadlineLate) != 1 || listed(DeadlineToday) != 0 {
		t.Errorf("an hour past due, one cancelled: %+v", c)
	}
	if _, err := s.OrderViews(OrderFilter{Deadline: "soon"}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown deadline filter: %v", err)
	}
	os, _ := s.OrderViews(OrderFilter{Deadline: DeadlineLate}, 0)
	if len(os) != 1 || os[0].Number != imp[0].Order.Number || !os[0].Deadline.Due.Equal(imp[0].Order.CreatedAt.Add(48*time.Hour)) {
		t.Errorf("the late one: %+v", os)
	}
}
