package syncer

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// scheduled is a twin whose SGA may be held: a request waits while hold is open.
func scheduled(t *testing.T, ck *weekClock, hold chan struct{}) (*twin, *sim.Sim) {
	t.Helper()
	srv := simtest.Serve(t, sim.Options{Seed: 52, Members: 200, PageSize: 50, Now: ck.now}, simtest.Wrap(func(s http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hold != nil {
				<-hold
			}
			s.ServeHTTP(w, r)
		})
	}))
	return newTwin(t, srv, ck), srv.Sim
}

// scheduledRun is one run the schedule started: when the clock said, and how it read.
type scheduledRun struct {
	at         time.Time
	kind, note string
}

// walk ticks the schedule every five minutes of the clock until end, and says which runs it
// started, each waited for to its end.
func walk(t *testing.T, w *twin, ck *weekClock, end time.Time) []scheduledRun {
	t.Helper()
	var out []scheduledRun
	seen, _ := w.st.Runs(0)
	for ; ck.now().Before(end); ck.next(5 * time.Minute) {
		if _, err := w.eng.scheduleTick(); err != nil {
			t.Fatalf("tick at %v: %v", ck.now(), err)
		}
		waitIdle(t, w.eng)
		runs, _ := w.st.Runs(0)
		if len(runs) == len(seen) {
			continue
		}
		if len(runs) != len(seen)+1 || runs[0].StartedBy != scheduleActor.Who || runs[0].Status != store.StatusSucceeded {
			t.Fatalf("at %v the schedule started %d runs: %+v", ck.now(), len(runs)-len(seen), runs[0])
		}
		out = append(out, scheduledRun{ck.now(), runs[0].Kind, runs[0].NoteCode})
		seen = runs
	}
	return out
}

func at(day time.Time, hm string) time.Time {
	t, _ := time.Parse("15:04", hm)
	return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, time.Local)
}

// A day of the default schedule: the full read at 03:00 (plus the association's spread) every
// day, and an incremental run every hour from 07:00 to 20:00, none outside those hours.
func TestTheScheduleReadsInFullDailyAndTheFeedHourlyWithinTheHours(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, time.Local)
	ck := &weekClock{t: monday}
	w, _ := scheduled(t, ck, nil)
	sc := store.DefaultSchedule()
	sc.Enabled = true
	must(t, w.st.SetSchedule(sc, maria))
	slug := "principal"
	runs := walk(t, w, ck, monday.AddDate(0, 0, 1).Add(4*time.Hour))

	var full, inc []scheduledRun
	for _, r := range runs {
		if r.kind == store.RunFull {
			full = append(full, r)
		} else {
			inc = append(inc, r)
		}
	}
	if len(full) != 2 {
		t.Fatalf("full reads %+v, want Monday's and Tuesday's", full)
	}
	for i, r := range full {
		due := at(monday.AddDate(0, 0, i), "03:00").Add(Spread(slug))
		if r.at.Before(due) || !r.at.Before(due.Add(5*time.Minute)) || r.note != NoteFullDaily {
			t.Errorf("full read %d at %v (%s), due %v", i, r.at, r.note, due)
		}
	}
	if len(inc) != 14 {
		t.Fatalf("%d incremental runs, want 14 (07:00 to 20:00 hourly): %+v", len(inc), inc)
	}
	for i, r := range inc {
		due := at(monday, "07:00").Add(time.Duration(i)*time.Hour + Spread(slug)%time.Hour)
		if r.kind != store.RunIncremental || r.at.Before(due) || !r.at.Before(due.Add(5*time.Minute)) {
			t.Errorf("incremental run %d at %v (%s %s), due %v", i, r.at, r.kind, r.note, due)
		}
	}
	got, _ := w.st.Schedule()
	if next, daily, _ := NextSlot(got, slug, ck.now()); !got.NextRun.Equal(next) || daily {
		t.Errorf("next run %v, want the 07:00 one at %v", got.NextRun, next)
	}
}

// A weekly full read, for an SGA that blocks heavy extraction: the daily run reads in full
// on the named day only and the change feed on the others.
func TestAWeeklyScheduleReadsInFullOnItsDayOnly(t *testing.T) {
	sunday := time.Date(2026, 11, 29, 4, 0, 0, 0, time.Local)
	ck := &weekClock{t: sunday}
	w, _ := scheduled(t, ck, nil)
	w.sync(t, ModeFull) // the feed starts after a full read
	sc := store.DefaultSchedule()
	sc.Enabled, sc.EveryMinutes, sc.Full, sc.FullDay = true, 0, store.FullWeekly, time.Tuesday
	must(t, w.st.SetSchedule(sc, maria))
	runs := walk(t, w, ck, sunday.AddDate(0, 0, 2).Add(time.Hour))
	var kinds []string
	for _, r := range runs {
		kinds = append(kinds, fmt.Sprintf("%s %s %s", r.at.Weekday(), r.kind, r.note))
	}
	want := []string{"Monday incremental ", "Tuesday full " + NoteFullDay}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("runs %q, want %q", kinds, want)
	}
}

// A run due while the association's run goes does not start, nor wait to: it is skipped,
// counted in the schedule, and the next is planned as usual.
func TestARunDueWhileOneGoesIsSkippedAndCounted(t *testing.T) {
	ck := &weekClock{t: time.Date(2026, 11, 30, 9, 30, 0, 0, time.Local)}
	hold := make(chan struct{})
	w, _ := scheduled(t, ck, hold)
	sc := store.DefaultSchedule()
	sc.Enabled, sc.NextRun = true, ck.now().Add(-time.Minute)
	must(t, w.st.SetSchedule(sc, maria))
	if err := w.eng.Start(Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := w.eng.scheduleTick(); err != nil {
			t.Fatal(err)
		}
		ck.next(time.Hour)
		must(t, w.st.SetSchedule(func() store.Schedule { s, _ := w.st.Schedule(); s.NextRun = ck.now(); return s }(), maria))
	}
	close(hold)
	waitIdle(t, w.eng)
	got, _ := w.st.Schedule()
	if got.Skipped != 2 || !got.SkippedAt.Equal(ck.now().Add(-time.Hour)) || !got.LastRun.IsZero() {
		t.Errorf("schedule after two runs due during one: %+v", got)
	}
	if runs, _ := w.st.Runs(0); len(runs) != 1 || runs[0].StartedBy != maria.Who {
		t.Errorf("runs = %+v, want only the one that was going", runs)
	}
}

// A hundred associations' hourly runs start spread over ten minutes too, not in one second.
func TestIntervalRunsAreSpread(t *testing.T) {
	sc := store.DefaultSchedule()
	sc.Enabled = true
	base := time.Date(2026, 11, 27, 9, 30, 0, 0, time.Local)
	seconds := map[time.Time]bool{}
	for i := range 100 {
		slug := fmt.Sprintf("associacao-%d", i)
		next, daily, err := NextSlot(sc, slug, base)
		start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.Local)
		if err != nil || daily || next.Before(start) || !next.Before(start.Add(10*time.Minute)) {
			t.Fatalf("%s: next run %v (daily %v), %v", slug, next, daily, err)
		}
		seconds[next] = true
	}
	if len(seconds) < 90 {
		t.Errorf("a hundred associations start in only %d distinct seconds", len(seconds))
	}
}
