package syncer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"ponte/store"
)

// The daily sync. "Sincronizar Ativos SGA" turns it on and starts a run at once; then a run
// starts every day at the set time. The schedule lives in the store, so it survives restarts,
// and a run that was due while ponte was down starts when the scheduler does.

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
	sc, err := l.now().st.Schedule()
	if err == nil && !sc.Enabled {
		sc.Enabled = true
		if sc.NextRun, err = nextRun(sc.TimeOfDay, l.now().assoc.Slug, e.opt.Now()); err == nil {
			err = l.now().st.SetSchedule(sc, by)
		}
	}
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
	sc, err := l.now().st.Schedule()
	if err != nil {
		return err
	}
	sc.Enabled, sc.TimeOfDay = enabled, timeOfDay
	if sc.NextRun, err = nextRun(timeOfDay, l.now().assoc.Slug, e.opt.Now()); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if err := l.now().st.SetSchedule(sc, by); err != nil {
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
	sc, err := l.now().st.Schedule()
	if err != nil {
		return 0, err
	}
	if !sc.Enabled {
		return 24 * time.Hour, nil // until woken
	}
	now := e.opt.Now()
	if sc.NextRun.IsZero() {
		if sc.NextRun, err = nextRun(sc.TimeOfDay, a.Slug, now); err != nil {
			return 0, err
		}
		return time.Until(sc.NextRun), l.now().st.SetSchedule(sc, scheduleActor)
	}
	if now.Before(sc.NextRun) {
		return sc.NextRun.Sub(now), nil
	}
	switch err := e.Start(Request{Association: a.Slug, Mode: ModeAuto, By: scheduleActor}); {
	case errors.Is(err, ErrBusy):
		e.opt.Logger.Info("daily sync due, but a sync is running; it counts for today", "association", a.Slug)
	case err != nil:
		return 0, err
	}
	sc.LastRun = now
	if sc.NextRun, err = nextRun(sc.TimeOfDay, a.Slug, now); err != nil {
		return 0, err
	}
	return time.Until(sc.NextRun), l.now().st.SetSchedule(sc, scheduleActor)
}
