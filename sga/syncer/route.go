package syncer

import (
	"cmp"
	"context"

	"ponte/sga"
	"ponte/store"
)

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

// pageFailed reports whether err, a page's, fails that page alone: not a failure no retry
// mends (the run stops), nor one of a run cancelled meanwhile.
func pageFailed(ctx context.Context, err error) bool {
	return err != nil && !isFatal(err) && ctx.Err() == nil
}

// handle is the writer, the one route of a page's result, whichever listing it came from. A
// failure no retry mends stops the run (fatal); one while the run is cancelled is nothing;
// any other fails the page, which the next run reads first. A page read goes into the batch
// and the page bookkeeping; the batch goes to the committer when it is full or old enough.
func (r *runner) handle(ctx context.Context, res pageResult) error {
	switch {
	case res.err == nil:
		r.take(res)
	case pageFailed(ctx, res.err):
		r.pages.fail(res.page, cmp.Or(sga.ErrorMessage(res.err), res.err.Error()))
		r.log.Warn("page failed", "run", r.run.ID, "page", res.page, "err", res.err)
		r.batch.fail(store.RunError{Page: res.page, Kind: errorKind(res.err),
			Reason: sga.ErrorMessage(res.err), At: r.e.opt.Now().UTC()}) // SGA's own words, if any
	case isFatal(res.err):
		if r.fatal == nil {
			r.fatal = fatalReason(res.err)
		}
		return nil
	default: // cancelled: the caller says so
		return nil
	}
	return r.flush(false)
}

// take takes a page's records into the batch, its unreadable ones as run errors.
func (r *runner) take(res pageResult) {
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
		r.batch.add(rec, r.rules)
	}
	for _, b := range res.bad {
		r.batch.fail(store.RunError{Page: res.page, Key: b.Key, Kind: KindRecord, Reason: b.Reason, At: r.e.opt.Now().UTC()})
	}
	r.pages.read(res)
}
