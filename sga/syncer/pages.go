package syncer

import (
	"fmt"
	"maps"
	"slices"

	"ponte/store"
)

// pages is a run's page bookkeeping: the pages done (carried from the run it continues, or
// read now), those that failed and why, and the vehicle codes each page held. The checkpoint
// is made of it.
type pages struct {
	done    map[int]bool
	carried int // pages an interrupted run had done, continued from its checkpoint
	failed  map[int]string
	spans   map[int][2]int64 // each page's lowest and highest vehicle code
	maxCode int64
}

func newPages() pages {
	return pages{done: map[int]bool{}, failed: map[int]string{}, spans: map[int][2]int64{}}
}

// carry takes the pages a checkpoint says were done.
func (p *pages) carry(done []int) {
	for _, n := range done {
		p.done[n] = true
	}
	p.carried = len(p.done)
}

// read records a page read, with bad records unreadable: done, or failed when some were.
func (p *pages) read(res pageResult) {
	if len(res.records) > 0 {
		lo, hi := res.records[0].vehicle.SGACode, res.records[0].vehicle.SGACode
		for _, rec := range res.records {
			lo, hi = min(lo, rec.vehicle.SGACode), max(hi, rec.vehicle.SGACode)
		}
		p.spans[res.page] = [2]int64{lo, hi}
		p.maxCode = max(p.maxCode, hi)
	}
	if len(res.bad) > 0 {
		p.failed[res.page] = fmt.Sprintf("%d unreadable records", len(res.bad))
		return
	}
	p.done[res.page] = true
	delete(p.failed, res.page)
}

// fail records a page that failed, and why.
func (p *pages) fail(page int, why string) { p.failed[page] = why }

// handled is how many pages were done or failed.
func (p *pages) handled() int { return len(p.done) + len(p.failed) }

// written is how many pages this run wrote itself.
func (p *pages) written() int { return len(p.done) - p.carried }

// checkpoint is where a run that stops here is continued from.
func (p *pages) checkpoint(run uint64, source string, total int, product string) *store.Checkpoint {
	return &store.Checkpoint{RunID: run, Source: source, Total: total,
		Done: slices.Sorted(maps.Keys(p.done)), Failed: maps.Clone(p.failed), Product: product}
}

// ordered reports whether every page's codes came after the previous page's.
func (p *pages) ordered() bool {
	keys := slices.Sorted(maps.Keys(p.spans))
	for i := 1; i < len(keys); i++ {
		if p.spans[keys[i-1]][1] >= p.spans[keys[i]][0] {
			return false
		}
	}
	return true
}
