package syncer

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// errNoneOurs: a full read found vehicles in SGA's listing, none with the Código do Produto.
var errNoneOurs = errors.New("no vehicle in SGA's listing carries the Código do Produto")

// productTally is what a full read saw of the listing's products: how many records, how many
// of ours, and each product's name and count.
type productTally struct {
	records, ours int
	names         map[string]string
	counts        map[string]int
}

// tally counts a record of the listing.
func (r *runner) tally(rec record) {
	t := &r.products
	t.records++
	if rec.ours {
		t.ours++
		return
	}
	if t.counts == nil {
		t.names, t.counts = map[string]string{}, map[string]int{}
	}
	for _, p := range rec.products {
		t.counts[p.Code]++
		if t.names[p.Code] == "" {
			t.names[p.Code] = cut(p.Name, 40) // SGA's text, in the run's reason
		}
	}
}

// noneOurs says, after a full read of the whole listing, that it found vehicles and none of
// ours: the Código do Produto matches nothing SGA lists (another supplier's product, a code
// typed wrong that SGA has), and the run stops before taking the fleet for gone, naming the
// products the listing carries, the most common first. A read that continued another has
// not seen every page, and is not asked; nor is a run allowed to mark the whole fleet gone
// (MaxGone 100): its operator says the fleet really left.
func (r *runner) noneOurs() error {
	t := r.products
	if t.records == 0 || t.ours > 0 || r.pages.carried > 0 || r.allVehicles || r.e.opt.MaxGone >= 100 {
		return nil
	}
	codes := slices.SortedFunc(maps.Keys(t.counts), func(a, b string) int { return cmp.Or(t.counts[b]-t.counts[a], cmp.Compare(a, b)) })
	var seen []string
	for _, code := range codes[:min(len(codes), 6)] {
		name := ""
		if n := t.names[code]; n != "" {
			name = " (" + n + ")"
		}
		seen = append(seen, fmt.Sprintf("%s%s on %d", code, name, t.counts[code]))
	}
	return fmt.Errorf("%w (%s) of the %d read; the products it carries: %s", errNoneOurs, r.in.ProductCode, t.records, strings.Join(seen, ", "))
}

// cut is s to at most n characters.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
