package cli

import (
	"runtime/debug"
	"testing"
)

// The heap's soft limit grows with the syncs that run at once: under one association's limit,
// ten syncing together kept the collector running without pause (283 s of CPU instead of 30).
// GOGC is raised under it, and GOMEMLIMIT and GOGC, when set, are the operator's to keep.
func TestMemoryLimitScalesWithTheSyncs(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	defer func() { debug.SetMemoryLimit(limit); debug.SetGCPercent(percent) }()
	for _, syncs := range []int{0, 1, 4, 10} {
		tuneGC(syncs)
		if got, want := debug.SetMemoryLimit(-1), int64(max(1, syncs))*memoryLimit; got != want {
			t.Errorf("%d syncs: limit %d MiB, want %d MiB", syncs, got>>20, want>>20)
		}
		if got := debug.SetGCPercent(100); got != gcPercent {
			t.Errorf("%d syncs: GOGC %d, want %d", syncs, got, gcPercent)
		}
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	t.Setenv("GOGC", "50")
	debug.SetMemoryLimit(1 << 30)
	tuneGC(1)
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("GOMEMLIMIT set: limit %d MiB, want it left at 1024", got>>20)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set: GOGC %d, want it left as it was", got)
	}
}
