package syncer

import (
	"errors"
	"fmt"
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

// EnableDaily is "Sincronizar Ativos SGA": it starts a run now and, when that run ends
// succeeded or partial, turns the daily sync on. A run that fails (wrong credentials, a route
// not enabled) leaves the schedule as it was: a daily sync that cannot work is not switched on.
// If a run is going, ErrBusy says so and nothing changes.
func (e *Engine) EnableDaily(req Request) error {
	req.daily = true
	return e.Start(req)
}

// enableAfter turns the daily sync on after the run that EnableDaily started, if it worked.
func (e *Engine) enableAfter(run store.Run, err error, by store.Actor) {
	if err != nil || (run.Status != store.StatusSucceeded && run.Status != store.StatusPartial) {
		return
	}
	sc, err := e.st.Schedule()
	if err == nil && !sc.Enabled {
		sc.Enabled = true
		if sc.NextRun, err = NextRun(sc.TimeOfDay, e.opt.Now()); err == nil {
			err = e.st.SetSchedule(sc, by)
		}
	}
	if err != nil {
		e.opt.Logger.Error("turn the daily sync on", "err", err)
		return
	}
	e.wake()
}

// SetDaily turns the daily sync on or off and sets its time of day.
func (e *Engine) SetDaily(enabled bool, timeOfDay string, by store.Actor) error {
	sc, err := e.st.Schedule()
	if err != nil {
		return err
	}
	sc.Enabled, sc.TimeOfDay = enabled, timeOfDay
	if sc.NextRun, err = NextRun(timeOfDay, e.opt.Now()); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if err := e.st.SetSchedule(sc, by); err != nil {
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

// StartSchedule runs the daily schedule until Close.
func (e *Engine) StartSchedule() {
	e.wg.Go(e.scheduleLoop)
}

func (e *Engine) scheduleLoop() {
	for {
		wait, err := e.scheduleTick()
		if err != nil {
			e.opt.Logger.Error("daily sync schedule", "err", err)
			wait = time.Minute
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

// scheduleTick starts the daily run when it is due, and says how long to wait for the next.
func (e *Engine) scheduleTick() (time.Duration, error) {
	sc, err := e.st.Schedule()
	if err != nil {
		return 0, err
	}
	if !sc.Enabled {
		return 24 * time.Hour, nil // until woken
	}
	now := e.opt.Now()
	if sc.NextRun.IsZero() {
		if sc.NextRun, err = NextRun(sc.TimeOfDay, now); err != nil {
			return 0, err
		}
		return time.Until(sc.NextRun), e.st.SetSchedule(sc, scheduleActor)
	}
	if now.Before(sc.NextRun) {
		return min(sc.NextRun.Sub(now), time.Hour), nil // re-read at least hourly: the clock may jump
	}
	switch err := e.Start(Request{By: scheduleActor}); {
	case errors.Is(err, ErrBusy):
		e.opt.Logger.Info("daily sync due, but a sync is running; it counts for today")
	case err != nil:
		return 0, err
	}
	sc.LastRun = now
	if sc.NextRun, err = NextRun(sc.TimeOfDay, now); err != nil {
		return 0, err
	}
	return time.Until(sc.NextRun), e.st.SetSchedule(sc, scheduleActor)
}
