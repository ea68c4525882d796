package syncer

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"ponte/store"
)

// batch is what the writer gathered since the last flush: the clients and vehicles to write,
// the run errors, the vehicles refused; and, across batches, which clients were counted and
// which of them has an active vehicle.
type batch struct {
	clients  map[int64]store.Client
	active   map[int64]string // per client, the situação of the first active vehicle this run saw
	counted  map[int64]bool   // clients a batch already handed to the committer counted
	vehicles []store.Vehicle
	refused  []int64 // vehicles seen but refused (vetRecord): the stored ones stay as they were
	errs     []store.RunError
	last     time.Time // when the last batch was taken
}

func newBatch() batch {
	return batch{clients: map[int64]store.Client{}, active: map[int64]string{}, counted: map[int64]bool{}}
}

// add takes a record the store accepts (vetRecord) into the batch. A client is active if any
// of its vehicles is (as the association's rules read its situação), in whichever batch it
// came.
func (b *batch) add(rec record, rules store.Rules) {
	c := rec.client
	if b.active[c.SGACode] == "" && rules.Active(c.Situation) {
		b.active[c.SGACode] = c.Situation
	}
	if sit := b.active[c.SGACode]; sit != "" {
		c.Situation = sit
	}
	b.clients[c.SGACode] = c
	b.vehicles = append(b.vehicles, rec.vehicle)
}

// fail records a run error.
func (b *batch) fail(e store.RunError) { b.errs = append(b.errs, e) }

// refuse records a vehicle refused, and why.
func (b *batch) refuse(vehicle int64, e store.RunError) {
	b.errs = append(b.errs, e)
	b.refused = append(b.refused, vehicle)
}

// due reports whether the batch is full (vehicles) or old enough (every) to be written.
func (b *batch) due(vehicles int, every time.Duration) bool {
	return len(b.vehicles) >= vehicles || time.Since(b.last) >= every
}

// take returns what was gathered as a store batch of run, with the checkpoint cp and the
// pages written since the run started, and starts the next batch.
func (b *batch) take(run uint64, cp *store.Checkpoint, pagesDone int) store.Batch {
	b.last = time.Now()
	counted := map[int64]bool{}
	for code := range b.clients {
		if b.counted[code] {
			counted[code] = true
		}
		b.counted[code] = true
	}
	out := store.Batch{RunID: run, Clients: slices.Collect(maps.Values(b.clients)), Vehicles: b.vehicles,
		Errors: b.errs, Checkpoint: cp, Counted: counted, PagesDone: pagesDone, Seen: b.refused}
	slices.SortFunc(out.Clients, func(a, c store.Client) int { return cmp.Compare(a.SGACode, c.SGACode) })
	// The next batch's room, the size this one reached: the batch itself goes to the committer.
	b.clients, b.vehicles, b.errs, b.refused = make(map[int64]store.Client, len(out.Clients)), make([]store.Vehicle, 0, cap(out.Vehicles)), nil, nil
	return out
}

// flush hands the batch, its errors and the checkpoint to the committer, when it is due.
func (r *runner) flush(force bool) error {
	if err := r.commits.failed(); err != nil {
		return err
	}
	if !force && !r.batch.due(r.e.opt.BatchVehicles, r.e.opt.FlushEvery) {
		r.progress()
		return nil
	}
	cp := r.pages.checkpoint(r.run.ID, r.prog.Source, r.prog.PagesTotal, r.in.ProductCode)
	r.commits.send(r.batch.take(r.run.ID, cp, r.pages.written()))
	r.progress()
	return nil
}
