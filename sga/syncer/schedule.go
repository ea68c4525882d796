package syncer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"ponte/store"
)

// The scheduled sync. "Sincronizar Ativos SGA" turns it on and starts a run at once; then a
// run starts every day at the set time, which reads SGA's whole listing (every day, or on the
// full day of a weekly schedule: ModeAuto), and an incremental run every EveryMinutes within
// the association's hours, which brings what the change feed shows within that interval.
// The schedule lives in the store, so it survives restarts, and a run that was due while
// ponte was down starts when the scheduler does. An association's runs never overlap: a run
// due while another goes is skipped and counted (store.Schedule.Skipped), not queued.

// scheduleActor is who the audit log names for scheduled runs.
var scheduleActor = store.Actor{Who: "agendamento", From: "ponte"}

// NextRun returns the first time of day (HH:MM, local time) strictly after t.
func NextRun(timeOfDay string, t time.Time) (time.Time, error) {
	hm, err := time.Parse("15:04", timeOfDay)
	if err != nil {
		return time.Time{}, fmt.Errorf("time of day %q: want HH:MM", timeOfDay)
	}
	local := t.Local()
	next := time.Date(local.Year(), local.Month(), local.Day(), hm.Hour(), hm.Minute(), 0, 0, time.Local)
	if !next.After(t) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, hm.Hour(), hm.Minute(), 0, 0, time.Local)
	}
	return next, nil
}

// Spread is how far after its time of day an association's daily sync starts: a fixed offset
// within ten minutes, from its short name, so that a hundred associations set to 03:00 do not
// all start in the same second (and those beyond Options.MaxConcurrent queue anyway).
func Spread(slug string) time.Duration {
	h := fnv.New32a()
	h.Write([]byte(slug))
	return time.Duration(h.Sum32()%600) * time.Second
}

// nextRun is an association's next daily run after t: its time of day plus its spread.
func nextRun(timeOfDay, slug string, t time.Time) (time.Time, error) {
	next, err := NextRun(timeOfDay, t.Add(-Spread(slug)))
	return next.Add(Spread(slug)), err
}

// NextSlot is an association's next scheduled run strictly after t, and whether it is the
// daily run (else one of the incremental runs within its hours). Both kinds are spread by
// Spread (the interval's within its length), so hundreds of associations do not start in
// the same second; when both fall at once, the daily run is the one.
func NextSlot(sc store.Schedule, slug string, t time.Time) (at time.Time, daily bool, err error) {
	at, err = nextRun(sc.TimeOfDay, slug, t)
	if err != nil || sc.Every() <= 0 {
		return at, true, err
	}
	from, err1 := time.Parse("15:04", sc.HoursFrom)
	to, err2 := time.Parse("15:04", sc.HoursTo)
	if err := errors.Join(err1, err2); err != nil {
		return time.Time{}, false, fmt.Errorf("hours %s-%s: want HH:MM-HH:MM", sc.HoursFrom, sc.HoursTo)
	}
	every, off := sc.Every(), Spread(slug)%sc.Every()
	local := t.Local()
	// From the day before: its last run, spread, may fall after midnight.
	for d := -1; d <= 1; d++ {
		first := time.Date(local.Year(), local.Month(), local.Day()+d, from.Hour(), from.Minute(), 0, 0, time.Local)
		last := time.Date(local.Year(), local.Month(), local.Day()+d, to.Hour(), to.Minute(), 0, 0, time.Local)
		for s := first; !s.After(last); s = s.Add(every) {
			if c := s.Add(off); c.After(t) {
				if c.Before(at) {
					return c, false, nil
				}
				return at, true, nil
			}
		}
	}
	return at, true, nil
}

// EnableDaily is "Sincronizar Ativos SGA": it starts a run now and, when that run ends
// succeeded or partial, turns the association's daily sync on. A run that fails (wrong
// credentials, a route not enabled) leaves the schedule as it was: a daily sync that cannot
// work is not switched on. If a run is going, ErrBusy says so and nothing changes.
func (e *Engine) EnableDaily(req Request) error {
	req.daily = true
	return e.Start(req)
}

// enableAfter turns the daily sync on after the run that EnableDaily started, if it worked.
func (e *Engine) enableAfter(l *lane, run store.Run, err error, by store.Actor) {
	if err != nil || (run.Status != store.StatusSucceeded && run.Status != store.StatusPartial) {
		return
	}
	_, err = l.now().st.UpdateSchedule(by, func(sc *store.Schedule) error {
		if sc.Enabled {
			return nil
		}
		sc.Enabled = true
		sc.NextRun, _, err = NextSlot(*sc, l.now().assoc.Slug, e.opt.Now())
		return err
	})
	if err != nil {
		e.opt.Logger.Error("turn the daily sync on", "association", l.now().assoc.Slug, "err", err)
		return
	}
	e.wake()
}

// SetDaily turns an association's daily sync on or off and sets its time of day.
func (e *Engine) SetDaily(ref string, enabled bool, timeOfDay string, by store.Actor) error {
	l, err := e.lane(ref)
	if err != nil {
		return err
	}
	return e.SetSchedule(l.now().assoc.Slug, by, func(sc *store.Schedule) { sc.Enabled, sc.TimeOfDay = enabled, timeOfDay })
}

// SetSchedule changes an association's schedule with fn and plans its next run from the new
// settings; an invalid setting is refused (store.ErrInvalid) and nothing changes.
func (e *Engine) SetSchedule(ref string, by store.Actor, fn func(*store.Schedule)) error {
	l, err := e.lane(ref)
	if err != nil {
		return err
	}
	_, err = l.now().st.UpdateSchedule(by, func(sc *store.Schedule) error {
		fn(sc)
		if err := sc.Validate(); err != nil {
			return err
		}
		var err error
		sc.NextRun, _, err = NextSlot(*sc, l.now().assoc.Slug, e.opt.Now())
		return err
	})
	if err != nil {
		return err
	}
	e.wake()
	return nil
}

func (e *Engine) wake() {
	select {
	case e.wakeup <- struct{}{}:
	default:
	}
}

// StartSchedule runs every association's daily schedule until Close.
func (e *Engine) StartSchedule() {
	e.started.Store(true)
	e.scheduled.Store(true)
	e.wg.Go(e.scheduleLoop)
}

func (e *Engine) scheduleLoop() {
	defer e.scheduled.Store(false)
	for {
		wait, err := e.scheduleTick()
		if err != nil {
			e.opt.Logger.Error("daily sync schedule", "err", err)
			e.tickErr.Store(&tickFailed{at: e.opt.Now(), err: err})
			wait = min(wait, time.Minute)
		} else {
			e.tickErr.Store(nil)
		}
		t := time.NewTimer(wait)
		select {
		case <-e.life.Done():
			t.Stop()
			return
		case <-e.wakeup:
		case <-t.C:
		}
		t.Stop()
	}
}

// scheduleTick starts the daily runs that are due, and says how long to wait for the next.
// One association's broken schedule is logged and skipped; the others go on.
func (e *Engine) scheduleTick() (time.Duration, error) {
	all, err := e.st.Associations()
	if err != nil {
		return time.Minute, err
	}
	wait := time.Hour // re-read at least hourly: the clock may jump, associations come and go
	var errs []error
	for _, a := range all {
		if a.Disabled {
			continue
		}
		d, err := e.tickOne(a)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a.Slug, err))
			continue
		}
		wait = min(wait, d)
	}
	return wait, errors.Join(errs...)
}

func (e *Engine) tickOne(a store.Association) (time.Duration, error) {
	l, err := e.lane(a.Slug)
	if err != nil {
		return 0, err
	}
	st := l.now().st
	sc, err := st.Schedule()
	if err != nil {
		return 0, err
	}
	if !sc.Enabled {
		return 24 * time.Hour, nil // until woken
	}
	now := e.opt.Now()
	if !sc.NextRun.IsZero() && now.Before(sc.NextRun) {
		return sc.NextRun.Sub(now), nil
	}
	next, _, err := NextSlot(sc, a.Slug, now)
	if err != nil {
		return 0, err
	}
	if sc.NextRun.IsZero() {
		_, err := st.UpdateSchedule(scheduleActor, func(sc *store.Schedule) error { sc.NextRun = next; return nil })
		return next.Sub(now), err
	}
	// Due: the daily run when its time came since the run that was due (ponte may have been
	// down over several), else an incremental one.
	mode, kind := ModeIncremental, "incremental"
	if daily, err := nextRun(sc.TimeOfDay, a.Slug, sc.NextRun.Add(-time.Second)); err == nil && !daily.After(now) {
		mode, kind = ModeAuto, "daily"
	}
	started := true
	switch err := e.Start(Request{Association: a.Slug, Mode: mode, By: scheduleActor}); {
	case errors.Is(err, ErrBusy):
		started = false
	case err != nil:
		return 0, err
	}
	sc, err = st.UpdateSchedule(scheduleActor, func(sc *store.Schedule) error {
		sc.NextRun = next
		if started {
			sc.LastRun = now
		} else {
			sc.Skipped, sc.SkippedAt = sc.Skipped+1, now
		}
		return nil
	})
	if !started {
		e.opt.Logger.Info("scheduled sync due while the association's sync runs: skipped, not queued",
			"association", a.Slug, "run", kind, "skipped", sc.Skipped, "next", next)
	}
	return next.Sub(now), err
}
