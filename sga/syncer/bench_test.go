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
