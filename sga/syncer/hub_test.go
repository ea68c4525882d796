package syncer

import (
	"testing"

	"ponte/store"
)

// A run's percentage means something when its page count is known, or once it read to its
// end: not while it reads the manual listing, which gives none, nor when that stopped short.
func TestProgressIsMeasuredWhenThePageCountIsKnown(t *testing.T) {
	for _, c := range []struct {
		what string
		p    Progress
		want bool
	}{
		{"idle", Progress{Phase: PhaseIdle}, true},
		{"counting the sync listing's pages", Progress{Running: true, Phase: PhaseCounting}, false},
		{"reading the sync listing", Progress{Running: true, Phase: PhaseReading, PagesDone: 3, PagesTotal: 8}, true},
		{"reading the manual listing", Progress{Running: true, Phase: PhaseReading, Source: store.SourceManual, PagesDone: 8}, false},
		{"the manual listing read to its end", Progress{Phase: PhaseDone, Status: store.StatusSucceeded, PagesDone: 24}, true},
		{"the manual listing cancelled", Progress{Phase: PhaseDone, Status: store.StatusCancelled, PagesDone: 8}, false},
		{"the sync listing cancelled", Progress{Phase: PhaseDone, Status: store.StatusCancelled, PagesDone: 3, PagesTotal: 8}, true},
		{"a run that could not start", Progress{Phase: PhaseDone, Status: store.StatusFailed}, false},
	} {
		t.Run(c.what, func(t *testing.T) {
			if got := c.p.Measured(); got != c.want {
				t.Errorf("%s: Measured() = %v, want %v (%+v)", c.what, got, c.want, c.p)
			}
		})
	}
}
