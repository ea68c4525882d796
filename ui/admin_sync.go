package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"ponte/sga"
	"ponte/sga/syncer"
	"ponte/store"
)

// The profile's sync fields: Andamento de importação SGA, a run's detail and the daily
// schedule's line.

// standing is the association's sync state, which the profile's Andamento shows: the run of
// the whole association going or just ended, else its last one as the store keeps it. A
// client's own run is not it (store.AssociationKind); the client's page tells that one.
func (v *adminView) standing() syncer.Progress {
	if p := v.progress; p.OfAssociation() {
		return p
	}
	for _, r := range v.runs {
		if r.OfAssociation() {
			return syncer.Ended(r)
		}
	}
	return syncer.Progress{Phase: syncer.PhaseIdle}
}

// progressField is "Andamento de importação SGA": a bar and what the engine reports.
func (v *adminView) progressField() string {
	st := v.c.styles
	p := v.standing()
	// No bar and no percentage for a run whose listing gives no page count: the pages read.
	line := st.Hint.Render(pagesSoFar(p))
	if p.Measured() {
		const width = 40
		filled := int(p.Fraction() * width)
		bar := st.BarFull.Render(strings.Repeat("█", filled)) + st.BarEmpty.Render(strings.Repeat("░", width-filled))
		line = fmt.Sprintf("%s %3.0f%%", bar, p.Fraction()*100)
	}
	var state string
	switch {
	case p.Running && p.Phase == syncer.PhasePaused:
		state = st.Warning.Render(fmt.Sprintf(tPausedUntil, p.PausedUntil.Local().Format("15:04:05")))
	case p.Running:
		state = tSyncing
	case p.Status != "":
		state = statusText(p.Status)
	default:
		state = tIdle
	}
	// What gives way first at a narrow width: the rate, then what changed, the pages, the ETA.
	facts := []fact{{long: state}}
	if p.Running && p.ETA > 0 {
		facts = append(facts, fact{long: fmt.Sprintf(tETA, p.ETA.Round(time.Second)), rank: 3})
	}
	if p.PagesTotal > 0 {
		facts = append(facts, fact{long: fmt.Sprintf(tPages, p.PagesDone, p.PagesTotal), rank: 4})
	}
	facts = append(facts, fact{long: statusCounts(p.Clients, p.Vehicles), rank: 1},
		fact{long: plural(p.Changed, tChangedOne, tChangedMany), short: plural(p.Changed, tChangedShortOne, tChangedShortMany), rank: 5},
		fact{long: plural(p.Errors, tErrorOne, tErrorMany), rank: 2})
	if p.Running && p.Rate > 0 {
		facts = append(facts, fact{long: fmt.Sprintf(tRate, p.Rate), rank: 6})
	}
	out := st.Title.Render(tProgressField) + "\n" + line + "\n" + cell(fitFacts(facts, " · ", v.width), v.width)
	if p.FellBack { // whole: it says what to do
		out += "\n" + st.Warning.Render(ansi.Wordwrap(fellBackText(p.Source), max(1, v.width), ""))
	}
	if why := noteText(p.NoteCode); why != "" {
		out += "\n" + st.Hint.Render(cell(fmt.Sprintf(tReadInFull, why), v.width))
	}
	if !p.Running && p.ReasonCode != "" && p.ReasonCode != "cancelled" {
		out += "\n" + st.Warning.Render(cell(reasonText(p.ReasonCode), v.width))
	}
	return out
}

// runErrors is a run's detail: why it ended, which run it continued, and its errors.
func (v *adminView) runErrors() string {
	st := v.c.styles
	r := v.runOpen
	var b strings.Builder
	b.WriteString(st.Title.Render(fmt.Sprintf(tRunErrors, runNumber(*r, v.c.assoc.Label()))) + "  " + st.Hint.Render(statusText(r.Status)) + "\n")
	if r.Resumes != 0 {
		b.WriteString(st.Hint.Render(fmt.Sprintf(tResumes, r.Resumes)) + "\n")
	}
	if r.FellBack {
		b.WriteString(st.Warning.Render(fellBackText(r.Source)) + "\n")
	}
	if why := noteText(r.NoteCode); why != "" {
		b.WriteString(st.Hint.Render(fmt.Sprintf(tReadInFull, why)) + "\n")
	}
	if r.Kind == store.RunIncremental {
		b.WriteString(st.Hint.Render(incrementalRead(r.Counts.Changes, r.Counts.Requests)) + "\n")
		if r.Counts.ListingNow > 0 {
			b.WriteString(st.Hint.Render(ansi.Wordwrap(fmt.Sprintf(tListingUnseen, r.Counts.ListingWas, r.Counts.ListingNow), max(1, v.width), "")) + "\n")
		}
	}
	if why := reasonText(r.ReasonCode); why != "" && r.ReasonCode != "cancelled" {
		b.WriteString(st.Warning.Render(tReason+": "+why) + "\n")
	}
	if r.CancelledBy != "" {
		b.WriteString(st.Hint.Render(fmt.Sprintf(tCancelledBy, r.CancelledBy)) + "\n")
	}
	if r.Status == store.StatusCancelled || r.Status == store.StatusInterrupted {
		b.WriteString(st.Hint.Render(readBefore(syncer.Ended(*r))) + "\n")
	}
	if len(r.Errors) == 0 {
		if r.ReasonCode == "" || r.ReasonCode == "cancelled" {
			b.WriteString(st.Hint.Render(tNoErrors))
		}
		return b.String()
	}
	for _, e := range r.Errors {
		where := e.Key
		if e.Page > 0 {
			where = fmt.Sprintf("página %d %s", e.Page, e.Key)
		}
		detail := kindText(e.Kind)
		if e.Kind != "record" && e.Reason != "" {
			detail += ": " + e.Reason // SGA's own message, in Portuguese
		} else if field, ok := strings.CutPrefix(e.Reason, "field "); ok && e.Kind == "record" {
			name, _, _ := strings.Cut(field, ":")
			detail += " (campo " + name + ")"
		}
		b.WriteString(fmt.Sprintf("%s  %s  %s", e.At.Local().Format("15:04:05"), where, detail) + "\n")
	}
	if r.ErrorCount > len(r.Errors) {
		b.WriteString(st.Hint.Render(plural(r.ErrorCount-len(r.Errors), tNotKeptOne, tNotKeptMany)))
	}
	return b.String()
}

// scheduleSaved says what d or h saved: the daily sync's time and what the schedule reads
// when, or, off, that the time is kept for when it is turned on.
func scheduleSaved(sc store.Schedule) string {
	if sc.Enabled {
		return fmt.Sprintf(tDailySavedOn, scheduleText(sc))
	}
	return fmt.Sprintf(tDailySavedOff, sc.TimeOfDay)
}

// dailyLine is the daily sync's state: when on, its time and next run; when off, the time it
// keeps for when it is turned on (h changes it either way).
func (v *adminView) dailyLine() string {
	sc := v.schedule
	switch {
	case sc.Enabled:
		kind := tNextChanges
		if _, daily, err := syncer.NextSlot(sc, v.c.assoc.Slug, sc.NextRun.Add(-time.Second)); err == nil && daily && sc.FullOn(sc.NextRun.In(sga.Brasilia).Weekday()) {
			kind = tNextFull
		}
		return fmt.Sprintf(tDailyOn, sc.TimeOfDay, sc.NextRun.Local().Format("02/01 15:04"), kind)
	case sc.TimeOfDay != "":
		return fmt.Sprintf(tDailyOffAt, sc.TimeOfDay)
	}
	return tDailyOff
}

// scheduleText is the schedule in one line, with what it means for how fresh the data is:
// "leitura completa todo dia às 03:00; alterações a cada 60 min das 07:00 às 20:00
// (atualizado em até 60 min; produtos, em até 1 dia)".
func scheduleText(sc store.Schedule) string {
	s, bound := fmt.Sprintf(tSchedDaily, sc.TimeOfDay), tSchedDay
	if sc.Full == store.FullWeekly {
		s, bound = fmt.Sprintf(tSchedWeekly, weekdayText(sc.FullDay), sc.TimeOfDay), tSchedWeek
		if sc.EveryMinutes == 0 {
			s += tSchedOtherDays
		}
	}
	if !sc.Enabled {
		s = tSchedWhenOn + s // off, it is what turning it on brings
	}
	switch {
	case sc.EveryMinutes > 0:
		return s + fmt.Sprintf(tSchedEvery, sc.EveryMinutes, sc.HoursFrom, sc.HoursTo, sc.EveryMinutes, bound)
	case sc.Full == store.FullWeekly:
		return s + tSchedNoneWeekly
	}
	return s + tSchedNone
}

// lateBy is how long after its slot the next run starts: each association's spread
// (syncer.Spread, within the interval for an incremental run), which the line's "próximo"
// shows and the hint under it explains.
func lateBy(sc store.Schedule, slug string) time.Duration {
	if !sc.Enabled || sc.NextRun.IsZero() {
		return 0
	}
	slot, daily, err := syncer.NextSlot(sc, slug, sc.NextRun.Add(-time.Second))
	switch {
	case err != nil || !slot.Equal(sc.NextRun): // not planned by this schedule: nothing to explain
		return 0
	case !daily:
		return syncer.Spread(slug) % sc.Every()
	}
	return syncer.Spread(slug)
}
