package store

import (
	"testing"
	"time"
)

// TestFreshness: the last full read is the end of the association's newest full run that
// succeeded (not a partial one, not an incremental one, not a client's own run), and the
// newest change is the newest SGA time any batch applied, kept when a later batch's is older.
func TestFreshness(t *testing.T) {
	ck := &clock{time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)}
	s := openTest(t, "", Options{Now: ck.now})
	if f, err := s.Freshness(); err != nil || !f.LastFullRead.IsZero() || !f.NewestChange.IsZero() {
		t.Fatalf("a new store's freshness = %+v, %v", f, err)
	}
	if _, ok := (Freshness{}).Age(ck.t); ok {
		t.Error("never read in full, yet Age says it has an age")
	}
	run := func(kind, status string, took time.Duration, b Batch) {
		t.Helper()
		r, err := s.StartRun(Run{Kind: kind, Source: SourceSync}, cli)
		if err != nil {
			t.Fatal(err)
		}
		b.RunID = r.ID
		if _, err := s.Apply(b); err != nil {
			t.Fatal(err)
		}
		ck.t = ck.t.Add(took)
		if _, err := s.FinishRun(r.ID, status, "", "", cli); err != nil {
			t.Fatal(err)
		}
		ck.t = ck.t.Add(time.Hour)
	}
	run(RunFull, StatusSucceeded, 20*time.Minute, Batch{})
	fullEnd := time.Date(2026, 5, 4, 3, 20, 0, 0, time.UTC)
	change := time.Date(2026, 5, 4, 4, 10, 0, 0, time.UTC)
	b := Batch{}
	b.Applied(change.Add(-time.Hour))
	b.Applied(change)
	b.Applied(time.Time{})
	run(RunIncremental, StatusSucceeded, time.Minute, b)
	older := Batch{}
	older.Applied(change.Add(-2 * time.Hour)) // the overlap read again: the newest stays
	run(RunIncremental, StatusSucceeded, time.Minute, older)
	run(RunFull, StatusPartial, time.Minute, Batch{})
	run(RunFull, StatusFailed, time.Minute, Batch{})
	run(RunClient, StatusSucceeded, time.Minute, Batch{})

	f, err := s.Freshness()
	if err != nil || !f.LastFullRead.Equal(fullEnd) || !f.NewestChange.Equal(change) {
		t.Fatalf("freshness = %+v, %v; want last full read %v, newest change %v", f, err, fullEnd, change)
	}
	if age, ok := f.Age(fullEnd.Add(2 * time.Hour)); !ok || age != 2*time.Hour {
		t.Errorf("age = %v, %v", age, ok)
	}

	// Every association's, from one read; another association's runs are its own.
	other, err := s.AddAssociation(Association{Slug: "outra"}, cli)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Freshnesses()
	if err != nil || len(all) != 2 {
		t.Fatalf("freshnesses = %+v, %v", all, err)
	}
	for _, a := range all {
		want := f
		if a.Association.Slug == other.Slug {
			want = Freshness{}
		}
		if !a.LastFullRead.Equal(want.LastFullRead) || !a.NewestChange.Equal(want.NewestChange) {
			t.Errorf("%s: freshness = %+v, want %+v", a.Association.Slug, a.Freshness, want)
		}
	}
	if sum, err := s.Overview(); err != nil || len(sum) != 2 {
		t.Fatalf("overview = %+v, %v", sum, err)
	} else {
		for _, a := range sum {
			if a.Slug != other.Slug && !a.Freshness.LastFullRead.Equal(fullEnd) {
				t.Errorf("overview's freshness of %s = %+v", a.Slug, a.Freshness)
			}
		}
	}
}
