package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"ponte/sga"
	"ponte/store"
)

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
				r.pages.carry(cp.Done)
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
		StartedBy: r.run.StartedBy, StartedAt: r.run.StartedAt, Phase: PhaseCounting, PagesDone: len(r.pages.done), NoteCode: r.note.code}
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
	r.batch.clients, r.batch.last = map[int64]store.Client{}, time.Now()
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
	if derr := r.commits.drain(); derr != nil && err == nil {
		err = derr
	}
	switch {
	case r.fatal != nil:
		return r.finish(store.StatusFailed, r.fatal)
	case ctx.Err() != nil:
		return r.finish(store.StatusCancelled, nil)
	case err != nil:
		return r.finish(store.StatusFailed, err)
	case len(r.pages.failed) > 0:
		// The next run retries these pages first.
		_, err := r.st.Apply(store.Batch{Checkpoint: r.pages.checkpoint(r.run.ID, source, r.prog.PagesTotal, r.in.ProductCode)})
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
	if !refused || ctx.Err() != nil || r.pages.carried != 0 || len(r.pages.done) != 0 {
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
	r.pages.failed, r.fatal = map[int]string{}, nil
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
		if p <= pc.Pages && !r.pages.done[p] {
			first = append(first, p)
		}
	}
	for p := 1; p <= pc.Pages; p++ {
		if !r.pages.done[p] && !slices.Contains(first, p) {
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
