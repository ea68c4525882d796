package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"ponte/sga"
	"ponte/store"
)

// runner is one run: its client, its store run, its progress, and the batch being filled.
type runner struct {
	e      *Engine
	l      *lane
	log    *slog.Logger // the engine's, naming the association
	st     assocStore
	client *sga.Client
	in     store.Integration
	req    Request
	start  time.Time
	run    store.Run
	gate   gate
	slots  chan struct{} // a request in flight holds one: at most opt.Workers at once

	mu   sync.Mutex // guards prog: workers publish pauses, the writer everything else
	prog Progress

	// The committer applies batches in order while the writer fills the next one.
	commits   chan store.Batch
	committed sync.WaitGroup
	commitMu  sync.Mutex
	commitErr error

	// Owned by the writer.
	done      map[int]bool
	carried   int // pages an interrupted run had done, continued from its checkpoint
	failed    map[int]string
	pending   map[int64]store.Client
	active    map[int64]bool // clients this run saw, and whether any of their vehicles is ATIVO
	counted   map[int64]bool // clients a batch already handed to the committer counted
	vehicles  []store.Vehicle
	refused   []int64 // vehicles seen but refused (vetRecord): the stored ones stay as they were
	errs      []store.RunError
	lastFlush time.Time
	fatal     error
	// allVehicles: keep vehicles without our product too (a client's own sync), as Foreign.
	allVehicles bool

	note         note             // why a run reads in full when an incremental one was asked for
	sent0        int64            // the client's request count when the run started
	listingTotal int              // the supplier listing's record count, as SGA gave it
	spans        map[int][2]int64 // each page's lowest and highest vehicle code
	maxCode      int64
	products     productTally // what the listing carried, for a run that finds none ours
}

// pageResult is one page as a worker fetched it.
type pageResult struct {
	page    int
	records []record
	bad     []sga.RecordError
	short   bool // fewer records than a full page: the listing ends here (manual source)
	err     error
}

// record is a vehicle row from either source, mapped to the store's shapes.
type record struct {
	client   store.Client
	vehicle  store.Vehicle
	ours     bool
	products sga.Products // as SGA named them, for a run that finds none ours (products.go)
}

// reset readies the writer's state for a run.
func (r *runner) reset() {
	r.done, r.failed, r.pending = map[int]bool{}, map[int]string{}, map[int64]store.Client{}
	r.spans = map[int][2]int64{}
	r.active, r.counted = map[int64]bool{}, map[int64]bool{}
	r.products = productTally{}
}

// record changes the run's stored bookkeeping (what, its counts or its source). A store that
// refuses it costs the run that figure, not the run: the run's log says what was not recorded.
func (r *runner) record(what string, f func(*store.Run)) {
	if err := r.st.UpdateRun(r.run.ID, f); err != nil {
		r.log.Error("run bookkeeping not recorded", "run", r.run.ID, "what", what, "err", err)
	}
}

func (r *runner) publish(f func(*Progress)) {
	r.mu.Lock()
	f(&r.prog)
	p := r.prog
	r.mu.Unlock()
	r.e.publish(r.l, p)
}

// syncFull reads every vehicle that carries our product, from the supplier-sync listing when
// there is a sync token, else from the manual API's vehicles-with-products listing.
func (r *runner) syncFull(ctx context.Context) (store.Run, error) {
	source := store.SourceSync
	if r.in.SyncToken == "" {
		source = store.SourceManual
	}
	r.reset()
	var priority []int
	var resumes uint64
	cp, found, err := r.st.Checkpoint()
	if err != nil {
		return store.Run{}, err
	}
	// A checkpoint is continued with the Código do Produto it was read with: pages read for
	// another code hold other vehicles.
	if found && cp.Source == source && cp.RunID != 0 && cp.Product == r.in.ProductCode {
		if prev, err := r.st.Run(cp.RunID); err == nil {
			switch {
			case prev.Status == store.StatusInterrupted || prev.Status == store.StatusCancelled || prev.Status == store.StatusFailed,
				prev.Status == store.StatusPartial && len(cp.Failed) > 0:
				// A new run continues the interrupted one from its checkpoint, without
				// re-reading the pages it wrote: the pages that failed first. So does the run
				// after a partial one, whose pages failed: reading every page again, under
				// an SGA that fails a share of them, it would never end succeeded.
				resumes = prev.ID
				for _, p := range cp.Done {
					r.done[p] = true
				}
				r.carried = len(r.done)
				priority = slices.Sorted(maps.Keys(cp.Failed))
			}
		}
	}
	run := store.Run{Kind: store.RunFull, Source: source, Resumes: resumes, Note: r.note.text, NoteCode: r.note.code}
	if r.run, err = r.st.StartRun(run, r.req.By); err != nil {
		return store.Run{}, err
	}
	r.sent0 = r.client.Requests()
	r.prog = Progress{Running: true, RunID: r.run.ID, Kind: store.RunFull, Source: source,
		StartedBy: r.run.StartedBy, StartedAt: r.run.StartedAt, Phase: PhaseCounting, PagesDone: len(r.done), NoteCode: r.note.code}
	r.publish(func(*Progress) {})
	return r.readFull(ctx, source, priority)
}

// readFull reads the whole listing into the run started, marks what it did not see as gone,
// and records where the change feed may take over.
func (r *runner) readFull(ctx context.Context, source string, priority []int) (store.Run, error) {
	var err error
	if err := r.checkConfig(source); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	r.pending = map[int64]store.Client{}
	r.lastFlush = time.Now()
	r.startCommitter()
	if source == store.SourceSync {
		err = r.readSyncListing(ctx, priority)
		if next := r.fallBack(ctx, source, err); next != "" {
			// Nothing of the supplier listing was read; the manual listing has no page count.
			source = next
			r.publish(func(p *Progress) { p.PagesDone, p.PagesTotal = 0, 0 })
			err = r.readManualListing(ctx)
		}
	} else {
		err = r.readManualListing(ctx)
	}
	if ferr := r.flush(true); ferr != nil && err == nil {
		err = ferr
	}
	if derr := r.drain(); derr != nil && err == nil {
		err = derr
	}
	switch {
	case r.fatal != nil:
		return r.finish(store.StatusFailed, r.fatal)
	case ctx.Err() != nil:
		return r.finish(store.StatusCancelled, nil)
	case err != nil:
		return r.finish(store.StatusFailed, err)
	case len(r.failed) > 0:
		// The next run retries these pages first.
		_, err := r.st.Apply(store.Batch{Checkpoint: &store.Checkpoint{RunID: r.run.ID, Source: source, Total: r.prog.PagesTotal,
			Done: slices.Sorted(maps.Keys(r.done)), Failed: r.failed, Product: r.in.ProductCode}})
		if err != nil {
			return r.finish(store.StatusFailed, err)
		}
		return r.finish(store.StatusPartial, nil)
	}
	r.publish(func(p *Progress) { p.Phase = PhaseMarking })
	if err := r.noneOurs(); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	seen, err := r.resumedChain()
	if err != nil {
		return r.finish(store.StatusFailed, err)
	}
	if _, err := r.st.SetAside(seen, r.in.ProductCode); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	gone, err := r.st.MarkGone(seen, 0, r.e.allowGone)
	switch {
	case errors.Is(err, store.ErrTooManyGone):
		// A wrong Código do Produto, or an SGA answering with part of its list, looks like
		// the fleet leaving: nothing is marked, and an operator decides.
		return r.finish(store.StatusPartial, fmt.Errorf("%w: %w", errTooManyGone, err))
	case err != nil:
		return r.finish(store.StatusFailed, err)
	}
	r.publish(func(p *Progress) { p.Changed += gone })
	if err := r.recordListing(source); err != nil {
		return r.finish(store.StatusFailed, err)
	}
	return r.finish(store.StatusSucceeded, nil)
}

// fallBack is the one rule of falling back from one set of credentials to the other: when SGA
// refused those the run read with (source) before anything was read, with err or as the run's
// fatal error, and the other source's credentials are set, the run reads with those instead,
// and says so. It returns the source to read with, or "" when the run cannot fall back.
func (r *runner) fallBack(ctx context.Context, source string, err error) string {
	refused := errors.Is(err, sga.ErrUnauthorized) || (err == nil && errors.Is(r.fatal, sga.ErrUnauthorized))
	if !refused || ctx.Err() != nil || r.carried != 0 || len(r.done) != 0 {
		return ""
	}
	next, set := store.SourceManual, sga.Credentials{User: r.in.User, Password: r.in.Password, APIKey: r.in.APIKey}.HasManual()
	if source == store.SourceManual {
		next, set = store.SourceSync, r.in.SyncToken != ""
	}
	if !set {
		return ""
	}
	r.log.Warn("SGA refused the credentials; reading with the others", "run", r.run.ID, "refused", source, "reading", next, "err", cmp.Or(err, r.fatal))
	r.record("source", func(run *store.Run) { run.Source, run.FellBack = next, true })
	r.publish(func(p *Progress) { p.Source, p.FellBack = next, true })
	r.failed, r.fatal = map[int]string{}, nil
	return next
}

// resumedChain lists the runs whose reading this one completes: itself, the run it resumed,
// the run that one resumed, and so on. A vehicle last seen by any of them was seen.
func (r *runner) resumedChain() ([]uint64, error) {
	chain := []uint64{r.run.ID}
	for id := r.run.Resumes; id != 0 && len(chain) < 1000; {
		prev, err := r.st.Run(id)
		if err != nil {
			return nil, fmt.Errorf("run %d, which run %d resumes: %w", id, chain[len(chain)-1], err)
		}
		chain = append(chain, id)
		id = prev.Resumes
	}
	return chain, nil
}

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
	if r.done != nil {
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
		reason, code = fmt.Sprintf("%d pages failed; the next run reads them first", len(r.failed)), ReasonPagesFailed
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

// readSyncListing reads the supplier-sync pages with a pool of workers and one writer: the
// pages that failed last time first, then every page not done yet.
func (r *runner) readSyncListing(ctx context.Context, priority []int) error {
	var pc sga.PageCount
	if err := r.gated(ctx, func() (err error) { pc, err = r.client.SyncPageCount(ctx); return err }); err != nil {
		switch {
		case ctx.Err() != nil:
			return nil // cancelled: the caller says so
		case isFatal(err):
			r.fatal = fatalReason(err)
			return nil
		}
		return fmt.Errorf("read the page count: %w", err)
	}
	var first, rest []int
	for _, p := range priority {
		if p <= pc.Pages && !r.done[p] {
			first = append(first, p)
		}
	}
	for p := 1; p <= pc.Pages; p++ {
		if !r.done[p] && !slices.Contains(first, p) {
			rest = append(rest, p)
		}
	}
	r.listingTotal = pc.Records
	r.record("pages total", func(run *store.Run) { run.Counts.PagesTotal = pc.Pages })
	r.publish(func(p *Progress) { p.PagesTotal, p.Phase = pc.Pages, PhaseReading })
	// The pages that failed last time go first, all of them, before any other.
	if err := r.pool(ctx, first, r.fetchSyncPage); err != nil || r.fatal != nil || ctx.Err() != nil {
		return err
	}
	return r.pool(ctx, rest, r.fetchSyncPage)
}

// decoders is how many of a pool's workers may be decoding while the others' requests fill
// every slot.
const decoders = 2

// pool fetches pages with the engine's workers and hands every result to the writer, here.
func (r *runner) pool(ctx context.Context, pages []int, fetch func(context.Context, int) pageResult) error {
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make(chan pageResult, r.e.opt.Workers)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for _, p := range pages {
			select {
			case jobs <- p:
			case <-fctx.Done():
				return
			}
		}
	})
	var workers sync.WaitGroup
	// More workers than requests in flight (gated holds those to opt.Workers): a worker
	// decoding the page it read leaves its request slot to one that is not.
	for range r.e.opt.Workers + decoders {
		workers.Go(func() {
			for p := range jobs {
				res := fetch(fctx, p)
				select {
				case results <- res:
				case <-fctx.Done():
					return
				}
			}
		})
	}
	wg.Go(func() { workers.Wait(); close(results) })
	var err error
	for res := range results {
		if e := r.handle(ctx, res); e != nil && err == nil {
			err = e
			cancel()
		}
		if r.fatal != nil {
			cancel()
		}
	}
	wg.Wait()
	return err
}

// fetchSyncPage reads one page, reading it again at once when some of its records come back
// unreadable (SGA's replies are sometimes damaged in transit).
func (r *runner) fetchSyncPage(ctx context.Context, n int) pageResult {
	var best pageResult
	for attempt := 0; attempt <= r.e.opt.PageRetries; attempt++ {
		var reply sga.SyncReply
		err := r.gated(ctx, func() (err error) { reply, err = r.client.FetchSyncPage(ctx, n); return err })
		var p sga.SyncPage
		if err == nil {
			p, err = reply.Decode() // out of gated: the next request need not wait for it
		}
		if err != nil {
			if attempt > 0 {
				return best // keep what the earlier read got
			}
			return pageResult{page: n, err: err}
		}
		res := pageResult{page: n, bad: p.Bad, records: make([]record, 0, len(p.Records))}
		for _, rec := range p.Records {
			res.records = append(res.records, fromSyncRecord(rec, r.in.ProductCode))
		}
		if attempt == 0 || len(res.bad) < len(best.bad) {
			best = res
		}
		if len(best.bad) == 0 {
			break
		}
	}
	return best
}

// handle is the writer: it takes a page's records into the batch and writes the batch when it
// is full or old enough.
func (r *runner) handle(ctx context.Context, res pageResult) error {
	if res.err != nil {
		switch {
		case isFatal(res.err):
			if r.fatal == nil {
				r.fatal = fatalReason(res.err)
			}
			return nil
		case ctx.Err() != nil:
			return nil
		}
		r.failed[res.page] = sga.ErrorMessage(res.err)
		if r.failed[res.page] == "" {
			r.failed[res.page] = res.err.Error()
		}
		r.log.Warn("page failed", "run", r.run.ID, "page", res.page, "err", res.err)
		r.errs = append(r.errs, store.RunError{Page: res.page, Kind: errorKind(res.err),
			Reason: sga.ErrorMessage(res.err), At: r.e.opt.Now().UTC()}) // SGA's own words, if any
	} else {
		r.span(res)
		for _, rec := range res.records {
			r.tally(rec)
			if !rec.ours {
				if !r.allVehicles {
					continue
				}
				rec.vehicle.Foreign = true // a client's own sync lists every vehicle it has
			}
			if err := vetRecord(rec); err != nil {
				r.refuse(res.page, rec.vehicle.SGACode, err)
				continue
			}
			c := rec.client
			// A client is ATIVO if any of its vehicles is, in whichever batch it came.
			active := r.active[c.SGACode] || c.Situation == "ATIVO"
			if active {
				c.Situation = "ATIVO"
			}
			r.active[c.SGACode] = active
			r.pending[c.SGACode] = c
			r.vehicles = append(r.vehicles, rec.vehicle)
		}
		for _, b := range res.bad {
			r.errs = append(r.errs, store.RunError{Page: res.page, Key: b.Key, Kind: KindRecord, Reason: b.Reason, At: r.e.opt.Now().UTC()})
		}
		if len(res.bad) > 0 {
			r.failed[res.page] = fmt.Sprintf("%d unreadable records", len(res.bad))
		} else {
			r.done[res.page] = true
			delete(r.failed, res.page)
		}
	}
	return r.flush(false)
}

// startCommitter starts the goroutine that writes batches, one transaction each, in order.
// One batch is written while the next fills: SGA's pages keep coming during the fsync.
func (r *runner) startCommitter() {
	r.commits = make(chan store.Batch, 1)
	r.committed.Go(func() {
		for b := range r.commits {
			if r.failedCommit() != nil {
				continue // drain: nothing more is written after a failure
			}
			res, err := r.st.Apply(b)
			if err == nil {
				var run store.Run
				if run, err = r.st.Run(r.run.ID); err == nil {
					r.publish(func(p *Progress) {
						p.Clients, p.Vehicles, p.Errors = run.Counts.Clients(), run.Counts.Vehicles(), run.ErrorCount
						p.Changed += res.SituationsChanged
					})
				}
			}
			if err != nil {
				r.commitMu.Lock()
				r.commitErr = fmt.Errorf("write a batch: %w", err)
				r.commitMu.Unlock()
			}
		}
	})
}

func (r *runner) failedCommit() error {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()
	return r.commitErr
}

// drain waits for every batch handed to the committer to be written.
func (r *runner) drain() error {
	close(r.commits)
	r.committed.Wait()
	return r.failedCommit()
}

// flush hands the batch, its errors and the checkpoint to the committer, when it is due.
func (r *runner) flush(force bool) error {
	if err := r.failedCommit(); err != nil {
		return err
	}
	due := len(r.vehicles) >= r.e.opt.BatchVehicles || time.Since(r.lastFlush) >= r.e.opt.FlushEvery
	if !force && !due {
		r.progress()
		return nil
	}
	r.lastFlush = time.Now()
	cp := &store.Checkpoint{RunID: r.run.ID, Source: r.prog.Source, Total: r.prog.PagesTotal,
		Done: slices.Sorted(maps.Keys(r.done)), Failed: maps.Clone(r.failed), Product: r.in.ProductCode}
	counted := map[int64]bool{}
	for code := range r.pending {
		if r.counted[code] {
			counted[code] = true
		}
		r.counted[code] = true
	}
	b := store.Batch{RunID: r.run.ID, Clients: slices.Collect(maps.Values(r.pending)), Vehicles: r.vehicles,
		Errors: r.errs, Checkpoint: cp, Counted: counted, PagesDone: len(r.done) - r.carried, Seen: r.refused}
	slices.SortFunc(b.Clients, func(a, c store.Client) int { return cmp.Compare(a.SGACode, c.SGACode) })
	// The next batch's room, the size this one reached: the batch itself goes to the committer.
	r.pending, r.vehicles, r.errs, r.refused = make(map[int64]store.Client, len(b.Clients)), make([]store.Vehicle, 0, cap(b.Vehicles)), nil, nil
	r.commits <- b
	r.progress()
	return nil
}

// progress publishes pages done, rate and ETA.
func (r *runner) progress() {
	elapsed := time.Since(r.start)
	r.publish(func(p *Progress) {
		p.PagesDone = len(r.done) + len(r.failed)
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
