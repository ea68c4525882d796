package syncer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
)

func interruptedByShutdown(r store.Run) bool {
	return r.Status == store.StatusInterrupted && r.ReasonCode == store.ReasonInterrupted && r.CancelledBy == "" &&
		strings.Contains(r.Reason, "shutdown")
}

// Run's context ended with ErrShutdown as its cause (a command inside a server that stops)
// interrupts the run for the shutdown; ended otherwise, the run is cancelled by who asked.
func TestRunStoppedByShutdownIsInterrupted(t *testing.T) {
	for _, shutdown := range []bool{true, false} {
		e := newEnv(t, sim.Options{Seed: 5, PageSize: 10, Faults: sim.Faults{Latency: 50 * time.Millisecond}},
			Options{Workers: 1}, false, nil)
		updates, unsubscribe := e.eng.Hub("").Subscribe()
		ctx, stop := context.WithCancelCause(context.Background())
		go func() {
			for p := range updates {
				if p.Running && p.PagesDone >= 1 {
					if shutdown {
						stop(fmt.Errorf("serve: %w", ErrShutdown))
					} else {
						stop(nil)
					}
					return
				}
			}
		}()
		run, err := e.eng.Run(ctx, Request{By: maria})
		unsubscribe()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("shutdown %v: err %v, want context.Canceled", shutdown, err)
		}
		log, _ := e.store.AuditLog(1, 0)
		switch {
		case shutdown && (!interruptedByShutdown(run) || log[0].Action != store.ActionSyncInterrupted || log[0].Who != "server"):
			t.Fatalf("stopped by the shutdown: %+v\naudit %+v", run, log)
		case !shutdown && (run.Status != store.StatusCancelled || run.CancelledBy != "maria" || log[0].Action != store.ActionSyncCancelled):
			t.Fatalf("cancelled by maria: %+v\naudit %+v", run, log)
		}
	}
}
