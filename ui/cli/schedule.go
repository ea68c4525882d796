package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"ponte/sga/syncer"
	"ponte/store"
)

// The schedule's flags on association rules: --full-day, --every, --hours.

// dailyWords are what --full-day takes for a full read every day.
var dailyWords = map[string]bool{"daily": true, "todo-dia": true, "diario": true, "diário": true, "diaria": true, "diária": true}

// scheduleFlags are the schedule settings given on the command line, unparsed.
type scheduleFlags struct{ fullDay, every, hours string }

// patch parses the flags that were given (set tells which) into a change of the schedule.
func (f scheduleFlags) patch(set func(string) bool) (func(*store.Schedule), error) {
	var steps []func(*store.Schedule)
	if set("full-day") {
		word := strings.ToLower(strings.TrimSpace(f.fullDay))
		day, isDay := weekdays[word]
		switch {
		case dailyWords[word]:
			steps = append(steps, func(sc *store.Schedule) { sc.Full = store.FullDaily })
		case isDay:
			steps = append(steps, func(sc *store.Schedule) { sc.Full, sc.FullDay = store.FullWeekly, day })
		default:
			return nil, usagef("--full-day %q: daily, or a weekday for a weekly full read (domingo, segunda, ... or sunday, monday, ...)", f.fullDay)
		}
	}
	if set("every") {
		minutes, err := everyMinutes(f.every)
		if err != nil {
			return nil, err
		}
		steps = append(steps, func(sc *store.Schedule) { sc.EveryMinutes = minutes })
	}
	if set("hours") {
		from, to, ok := strings.Cut(strings.TrimSpace(f.hours), "-")
		if !ok {
			return nil, usagef("--hours %q: want HH:MM-HH:MM, e.g. 07:00-20:00", f.hours)
		}
		steps = append(steps, func(sc *store.Schedule) { sc.HoursFrom, sc.HoursTo = strings.TrimSpace(from), strings.TrimSpace(to) })
	}
	return func(sc *store.Schedule) {
		for _, step := range steps {
			step(sc)
		}
	}, nil
}

// everyMinutes is --every as minutes: a duration in whole minutes, or off (0).
func everyMinutes(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "off" || s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d%time.Minute != 0 || d < store.MinEveryMinutes*time.Minute || d > store.MaxEveryMinutes*time.Minute {
		return 0, usagef("--every %q: want whole minutes from %dm to %dh (e.g. 30m, 1h), or off", s, store.MinEveryMinutes, store.MaxEveryMinutes/60)
	}
	return int(d / time.Minute), nil
}

// setSchedule saves a change of an association's schedule: through the server's engine when
// the command runs in ponte serve (its scheduler plans from it at once), else in the store,
// with the next run planned as the scheduler would.
func (a *app) setSchedule(in store.Backend, change func(*store.Schedule)) error {
	here, _ := in.Current()
	var err error
	if a.host != nil {
		err = a.host.engine.SetSchedule(here.Slug, a.actor(), change)
	} else {
		_, err = in.UpdateSchedule(a.actor(), func(sc *store.Schedule) error {
			change(sc)
			if err := sc.Validate(); err != nil {
				return err
			}
			var err error
			sc.NextRun, _, err = syncer.NextSlot(*sc, here.Slug, time.Now())
			return err
		})
	}
	if errors.Is(err, store.ErrInvalid) {
		return usageError{err}
	}
	return err
}

// scheduleLine is a schedule in one line, with what it means for how fresh ponte's data is:
// "full read daily at 03:00; changes every 60 min 07:00-20:00: feed changes within 60 min
// in those hours, everything else within a day".
func scheduleLine(sc store.Schedule) string {
	var s string
	bound := "a day"
	if sc.Full == store.FullWeekly {
		s = fmt.Sprintf("full read on %ss at %s (the change feed at %s the other days)", sc.FullDay, sc.TimeOfDay, sc.TimeOfDay)
		bound = "a week"
	} else {
		s = "full read daily at " + sc.TimeOfDay
	}
	if sc.EveryMinutes > 0 {
		s += fmt.Sprintf("; changes every %d min %s-%s: feed changes within %d min in those hours, everything else within %s",
			sc.EveryMinutes, sc.HoursFrom, sc.HoursTo, sc.EveryMinutes, bound)
	} else {
		s += "; nothing in between: everything within " + bound
	}
	if !sc.Enabled {
		s = "off (when on: " + s + ")"
	}
	return s
}

// skippedLine says how many scheduled runs came due while another run went.
func skippedLine(sc store.Schedule) string {
	if sc.Skipped == 0 {
		return "none"
	}
	return fmt.Sprintf("%d, the last at %s (a run was going: they are skipped, not queued)", sc.Skipped, sc.SkippedAt.Local().Format(timeLayout))
}

// fullDayName is the weekday of a weekly full read, or "daily".
func fullDayName(sc store.Schedule) string {
	if sc.Full == store.FullWeekly {
		return sc.FullDay.String()
	}
	return store.FullDaily
}

// scheduleJSON is the schedule as rules --json prints it.
func scheduleJSON(sc store.Schedule) map[string]any {
	return map[string]any{"enabled": sc.Enabled, "time_of_day": sc.TimeOfDay, "full": sc.Full, "full_day": fullDayName(sc),
		"every_minutes": sc.EveryMinutes, "hours": sc.HoursFrom + "-" + sc.HoursTo, "skipped_runs": sc.Skipped, "line": scheduleLine(sc)}
}
