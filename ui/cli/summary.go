package cli

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"ponte/sga/syncer"
	"ponte/store"
)

// summaryWidth is the most columns a run's summary takes: one line, in a terminal of 100.
const summaryWidth = 100

// runSummary is a run in one line of at most summaryWidth columns: which it was, how it
// ended and why it read as it did, then as many of its figures as fit, what asks for action
// first: "run 7 (principal's 7th) succeeded in 1.2s: full read, the daily one; 412 vehicles
// (3 new, 5 updated), 1 order proposed (ponte pending list), 300 clients, 0 errors".
// ponte runs ID says the rest (notes: ...).
func runSummary(r store.Run) string { return runSummaryIn(r, summaryWidth) }

// summaryPart is one figure of a run's summary.
type summaryPart struct {
	text string
	rank int  // 0 first: what gives way last
	cut  bool // cut to the room left rather than dropped
	kept bool
}

// runSummaryIn is runSummary in at most width columns.
func runSummaryIn(r store.Run, width int) string {
	c := r.Counts
	rankOf := func(n, some, none int) int { return map[bool]int{true: some, false: none}[n > 0] }
	vehicles := plural(c.Vehicles(), "vehicle", "vehicles")
	var changed []string
	if c.VehiclesCreated > 0 {
		changed = append(changed, fmt.Sprintf("%d new", c.VehiclesCreated))
	}
	if c.VehiclesUpdated > 0 {
		changed = append(changed, fmt.Sprintf("%d updated", c.VehiclesUpdated))
	}
	if len(changed) > 0 {
		vehicles += " (" + strings.Join(changed, ", ") + ")"
	}
	parts := []summaryPart{
		{text: plural(c.Clients(), "client", "clients"), rank: map[bool]int{true: 0, false: 4}[r.Kind == store.RunClient]},
		{text: vehicles, rank: map[bool]int{true: 3, false: 0}[r.Status == store.StatusFailed]}, // a failure's reason says more
		{text: plural(r.ErrorCount, "error", "errors"), rank: rankOf(r.ErrorCount, 0, 3)},
	}
	if c.Proposals > 0 {
		parts = append(parts, summaryPart{text: plural(c.Proposals, "order", "orders") + " proposed (ponte pending list)"})
	}
	if c.SituationsChanged > 0 {
		parts = append(parts, summaryPart{text: fmt.Sprintf(`%d with a new "situação"`, c.SituationsChanged), rank: 2})
	}
	if c.VehiclesGone > 0 {
		parts = append(parts, summaryPart{text: fmt.Sprintf("%d left the list", c.VehiclesGone), rank: 1})
	}
	if r.FellBack {
		parts = append(parts, summaryPart{text: "fell back to the " + map[bool]string{true: "Sincronismo SGA token", false: "manual credentials"}[r.Source == store.SourceSync]}) // SGA refused the others: to fix
	}
	if r.Resumes != 0 {
		parts = append(parts, summaryPart{text: fmt.Sprintf("continued run %d", r.Resumes), rank: 3})
	}
	if c.Requests > 0 {
		parts = append(parts, summaryPart{text: plural(c.Requests, "SGA request", "SGA requests"), rank: 4})
	}
	var reason *summaryPart
	if r.Reason != "" {
		reason = &summaryPart{text: store.Printable(r.Reason), cut: true} // SGA's words may be in it
	}

	// The head gives way to what never does: the run's time, then its association's name
	// (both in ponte runs ID).
	core := 0
	for _, p := range parts {
		if p.rank == 0 {
			core += len(", ") + cols(p.text)
		}
	}
	if reason != nil {
		core += len("; ") + min(cols(reason.text), 60)
	}
	heads := []string{fmt.Sprintf("%s %s in %s: %s", runName(r), r.Status, took(r), runKind(r)),
		fmt.Sprintf("%s %s: %s", runName(r), r.Status, runKind(r)), fmt.Sprintf("run %d %s: %s", r.ID, r.Status, runKind(r))}
	head := heads[len(heads)-1]
	for _, h := range heads {
		if cols(h)+core <= width {
			head = h
			break
		}
	}
	head = cut(head, width)
	used := cols(head)
	if reason != nil {
		if room := width - used - len("; "); room < cols(reason.text) && room >= 16 {
			reason.text = cut(reason.text, room)
		}
		if reason.kept = used+len("; ")+cols(reason.text) <= width; reason.kept {
			used += len("; ") + cols(reason.text)
		}
	}
	for rank := range 5 {
		for i := range parts {
			if p := &parts[i]; p.rank == rank && used+len(", ")+cols(p.text) <= width {
				p.kept, used = true, used+len(", ")+cols(p.text)
			}
		}
	}
	var shown []string
	for _, p := range parts {
		if p.kept {
			shown = append(shown, p.text)
		}
	}
	out := head
	if len(shown) > 0 {
		out += "; " + strings.Join(shown, ", ")
	}
	if reason != nil && reason.kept {
		out += "; " + reason.text
	}
	return out
}

// runKind is which run it was and why it read so: "full read, the daily one", "incremental,
// 3 changes from SGA's change feed", "client run".
func runKind(r store.Run) string {
	switch r.Kind {
	case store.RunIncremental:
		return "incremental, " + plural(r.Counts.Changes, "change", "changes") + " from SGA's change feed"
	case store.RunClient:
		return "client run"
	}
	why, ok := fullWhy[r.NoteCode]
	if !ok {
		why = r.Note // a reason this command does not know in short
	}
	return "full read, " + why
}

// fullWhy is why a run read in full, in short, by its note code ("": it was asked to).
var fullWhy = map[string]string{
	"":                      "as asked",
	syncer.NoteFullDaily:    "the daily one",
	syncer.NoteFullDay:      "the weekly full day",
	syncer.NoteNoFull:       "no recent full read for the feed to follow",
	syncer.NoteNeedsBoth:    "the feed needs the manual credentials and the token",
	syncer.NoteFeedDenied:   "the change-feed routes are not enabled",
	syncer.NoteListingMoved: "the listing changed beyond what the feed shows",
}

// cols is how many columns s takes (every rune one: ponte's words have no wide ones).
func cols(s string) int { return utf8.RuneCountInString(s) }

// cut is s in at most width columns, ending in "…" when cut.
func cut(s string, width int) string {
	if cols(s) <= width {
		return s
	}
	r := []rune(s)
	return string(slices.Clip(r[:max(0, width-1)])) + "…"
}
