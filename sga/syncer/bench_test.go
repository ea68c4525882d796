package syncer

import (
	"context"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
)

// BenchmarkFullSync syncs a register of 62,000 associados (about 75,000 vehicles with our
// product) from an in-process simulator with 50 ms per request, 500 records per page and a
// pool of 4, into a new database. .ci/bench-sync measures the same with separate processes,
// peak RSS included.
func BenchmarkFullSync(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b, sim.Options{Seed: 1, Members: 62000, PageSize: 500, Faults: sim.Faults{Latency: 50 * time.Millisecond}}, Options{}, false, nil)
		b.StartTimer()
		run, err := e.eng.Run(context.Background(), Request{By: maria})
		if err != nil || run.Status != store.StatusSucceeded {
			b.Fatal(run, err)
		}
		b.ReportMetric(float64(run.Counts.Vehicles()), "vehicles")
	}
}

// BenchmarkIncremental measures an incremental run against a full one on the register of
// BenchmarkFullSync, once 1% of its vehicles of ours changed situação in SGA: the requests each
// made (the target: the incremental at most 5% of the full) and the incremental run's time.
func BenchmarkIncremental(b *testing.B) {
	e := newEnv(b, sim.Options{Seed: 1, Members: 62000, PageSize: 500}, Options{}, false, nil)
	full, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || full.Status != store.StatusSucceeded {
		b.Fatal(full, err)
	}
	ours := e.ours()
	changed := len(ours) / 100
	for i := range changed {
		code := ours[i*100]
		v, err := e.store.VehicleByCode(code)
		if err != nil {
			b.Fatal(err)
		}
		next := 3 // CANCELADO
		if v.SituationCode == 3 {
			next = 1
		}
		if err := e.sim.SetSituation(code, next); err != nil {
			b.Fatal(err)
		}
	}
	first := true
	for b.Loop() {
		run, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
		if err != nil || run.Status != store.StatusSucceeded || run.Kind != store.RunIncremental {
			b.Fatal(run, err)
		}
		if first && run.Counts.SituationsChanged != changed {
			b.Fatalf("%d situações changed, want %d", run.Counts.SituationsChanged, changed)
		}
		first = false
		b.ReportMetric(float64(run.Counts.Requests), "requests")
		b.ReportMetric(float64(full.Counts.Requests), "full-requests")
		b.ReportMetric(100*float64(run.Counts.Requests)/float64(full.Counts.Requests), "%-of-full")
		b.ReportMetric(float64(changed), "changed")
	}
}
