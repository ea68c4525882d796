package ssh

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui/uitest"
)

// TestMetricsExportFreshness: /metrics has each association's last full read and newest
// change applied, read from the store at the scrape: 0 for an association never read.
func TestMetricsExportFreshness(t *testing.T) {
	now := time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC)
	st, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), store.Options{NoSync: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	eng := syncer.New(st, syncer.Options{})
	t.Cleanup(func() { eng.Close(); st.Close() })
	by := store.Actor{Who: "maria", From: "test"}
	if _, err := st.AddAssociation(store.Association{Slug: "norte"}, by); err != nil {
		t.Fatal(err)
	}
	sul, err := st.AddAssociation(store.Association{Slug: "sul"}, by)
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.In(sul.Slug)
	if err != nil {
		t.Fatal(err)
	}
	full, err := in.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.FinishRun(full.ID, store.StatusSucceeded, "", "", by); err != nil {
		t.Fatal(err)
	}
	fullEnd := now
	now = now.Add(time.Hour)
	change := now.Add(-10 * time.Minute)
	run, err := in.StartRun(store.Run{Kind: store.RunIncremental, Source: store.SourceSync}, by)
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{RunID: run.ID}
	b.Applied(change)
	if _, err := in.Apply(b); err != nil {
		t.Fatal(err)
	}
	if _, err := in.FinishRun(run.ID, store.StatusSucceeded, "", "", by); err != nil {
		t.Fatal(err)
	}

	m := NewMetrics()
	m.Watch(st, eng, nil)
	web := httptest.NewServer(m.Handler(st, eng))
	defer web.Close()
	families := uitest.Scrape(t, web.URL+"/metrics")
	value := func(name, assoc string) (float64, bool) {
		f := families[name]
		if f == nil {
			return 0, false
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "association" && l.GetValue() == assoc {
					return mt.GetGauge().GetValue(), true
				}
			}
		}
		return 0, false
	}
	for _, c := range []struct {
		name, assoc string
		want        float64
	}{
		{"ponte_sga_last_full_read_timestamp_seconds", "sul", float64(fullEnd.Unix())},
		{"ponte_sga_newest_change_applied_timestamp_seconds", "sul", float64(change.Unix())},
		{"ponte_sga_last_full_read_timestamp_seconds", "norte", 0},
		{"ponte_sga_newest_change_applied_timestamp_seconds", "norte", 0},
	} {
		t.Run(c.name+" "+c.assoc, func(t *testing.T) {
			if v, ok := value(c.name, c.assoc); !ok || v != c.want {
				t.Errorf("%s{association=%q} = %v (present %v), want %v", c.name, c.assoc, v, ok, c.want)
			}
		})
	}
}
