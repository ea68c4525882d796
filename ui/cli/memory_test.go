package cli

import (
	"runtime/debug"
	"testing"
)

// The heap's soft limit grows with the syncs that run at once: under one association's limit,
// ten syncing together kept the collector running without pause (283 s of CPU instead of 30).
func TestMemoryLimitScalesWithTheSyncs(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	for _, syncs := range []int{0, 1, 4, 10} {
		limitMemory(syncs)
		if got, want := debug.SetMemoryLimit(-1), int64(max(1, syncs))*memoryLimit; got != want {
			t.Errorf("%d syncs: limit %d MiB, want %d MiB", syncs, got>>20, want>>20)
		}
	}
}
