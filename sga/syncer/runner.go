package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"ponte/sga"
	"ponte/store"
)

// runner is one run: its client, its store run and its progress, and the owners of what it
// reads: the page bookkeeping (pages.go), the batch being filled (batch.go) and the committer
// writing the last one (committer.go). Every page's result goes one way, through handle
// (route.go).
type runner struct {
	e      *Engine
	l      *lane
	log    *slog.Logger // the engine's, naming the association
	st     assocStore
	client *sga.Client
	in     store.Integration
	rules  store.Rules // the association's, read as the run starts: what its situações mean
	req    Request
	start  time.Time
	run    store.Run
	gate   gate
	slots  chan struct{} // a request in flight holds one: at most opt.Workers at once

	mu   sync.Mutex // guards prog: workers publish pauses, the writer everything else
	prog Progress

	commits committer

	// Owned by the writer.
	pages pages
	batch batch
	fatal error // a failure no retry mends: the run stops, with its reason
	// allVehicles: keep vehicles without our product too (a client's own sync), as Foreign.
	allVehicles bool

	note         note         // why a run reads in full when an incremental one was asked for
	sent0        int64        // the client's request count when the run started
	listingTotal int          // the supplier listing's record count, as SGA gave it
	products     productTally // what the listing carried, for a run that finds none ours
}

// reset readies the writer's state for a run. The run's errors so far stay its own (an
// incremental run that turns into a full read keeps those of the feed).
func (r *runner) reset() {
	errs := r.batch.errs
	r.pages, r.batch, r.products = newPages(), newBatch(), productTally{}
	r.batch.errs = errs
}

// record changes the run's stored bookkeeping (what, its counts or its source). A store that
// refuses it costs the run that figure, not the run: the run's log says what was not recorded.
func (r *runner) record(what string, f func(*store.Run)) {
	if err := r.st.UpdateRun(r.run.ID, f); err != nil {
		r.log.Error("run bookkeeping not recorded", "run", r.run.ID, "what", what, "err", err)
	}
}

// publish changes the run's progress with f and publishes it.
func (r *runner) publish(f func(*Progress)) {
	r.mu.Lock()
	f(&r.prog)
	p := r.prog
	r.mu.Unlock()
	r.e.publish(r.l, p)
}

// checkConfig says what the integration lacks for a run that reads with source.
func (r *runner) checkConfig(source string) error {
	switch {
	case strings.TrimSpace(r.in.ProductCode) == "":
		return errNoProduct
	case source == store.SourceManual && !r.client.Credentials().HasManual():
		return errNoCredentials
	}
	return nil
}

// finish records how the run ended, publishes it, and returns it with an error for a run that
// failed or was cancelled. A partial run may have a cause too (its reason), but no error: it
// ended, with something left for an operator or the next run.
func (r *runner) finish(status string, cause error) (store.Run, error) {
	if r.pages.done != nil {
		r.progress() // pages handled since the last batch
	}
	reason, code := "", ""
	by := r.req.By
	switch {
	case cause != nil:
		reason, code = cause.Error(), reasonCode(cause)
	case status == store.StatusCancelled:
		var shutdown bool
		if by, shutdown = r.e.cancelledBy(r.l); shutdown {
			status, reason, code = store.StatusInterrupted, reasonShutdown, store.ReasonInterrupted
		} else {
			reason, code = "cancelled by "+by.Who, ReasonCancelled
		}
		cause = context.Canceled
	case status == store.StatusPartial:
		reason, code = fmt.Sprintf("%d pages failed; the next run reads them first", len(r.pages.failed)), ReasonPagesFailed
	}
	if status == store.StatusPartial {
		cause = nil
	}
	if r.prog.Source == store.SourceSync {
		code = tokenCode(code) // the token was what SGA refused
	}
	sent := int(r.client.Requests() - r.sent0)
	r.record("requests", func(run *store.Run) { run.Counts.Requests = sent })
	run, err := r.st.FinishRun(r.run.ID, status, code, reason, by)
	if err != nil {
		run = r.run
		cause = errors.Join(cause, err)
	}
	if r.req.daily {
		// Before the end is published: whoever reloads on it sees the daily sync on.
		r.e.enableAfter(r.l, run, err, r.req.By)
	}
	r.publish(func(p *Progress) {
		p.Running, p.Phase, p.Status, p.Reason, p.ReasonCode, p.ETA = false, PhaseDone, status, reason, code, 0
		p.Errors, p.CancelledBy = run.ErrorCount, run.CancelledBy
		p.PagesDone = p.endPages()
	})
	r.log.Info("sync finished", "run", run.ID, "status", status, "clients", run.Counts.Clients(),
		"vehicles", run.Counts.Vehicles(), "errors", run.ErrorCount, "reason", reason, "took", time.Since(r.start).Round(time.Millisecond))
	return run, cause
}

// progress publishes pages done, rate and ETA.
func (r *runner) progress() {
	elapsed := time.Since(r.start)
	r.publish(func(p *Progress) {
		p.PagesDone = r.pages.handled()
		if elapsed > 0 {
			p.Rate = float64(p.Vehicles) / elapsed.Seconds()
		}
		if p.PagesTotal > 0 && p.PagesDone > 0 && p.PagesDone < p.PagesTotal {
			p.ETA = time.Duration(float64(elapsed) / float64(p.PagesDone) * float64(p.PagesTotal-p.PagesDone))
		} else {
			p.ETA = 0
		}
		if p.Phase == PhasePaused && time.Now().After(p.PausedUntil) {
			p.Phase = PhaseReading
		}
	})
}
