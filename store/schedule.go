package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Schedule is an association's automatic sync: one daily run at TimeOfDay, which reads SGA's
// whole listing every day (FullDaily) or on FullDay only (FullWeekly; the other days it reads
// the change feed), and incremental runs every EveryMinutes from HoursFrom to HoursTo. The
// daily full read is what catches what no change feed shows (a product linked or unlinked);
// the incremental runs bring what the feed shows within EveryMinutes during working hours.
type Schedule struct {
	Enabled   bool   `json:"enabled"`
	TimeOfDay string `json:"time_of_day"` // "03:00", local time
	// Full is how often the daily run reads in full: FullDaily or FullWeekly.
	Full string `json:"full"`
	// FullDay is the weekday of the full read when Full is FullWeekly.
	FullDay time.Weekday `json:"full_day,omitempty"`
	// EveryMinutes is the time between incremental runs within the hours; 0: none.
	EveryMinutes int    `json:"every_minutes"`
	HoursFrom    string `json:"hours_from"` // "07:00": the first incremental run, local time
	HoursTo      string `json:"hours_to"`   // "20:00": the last one starts no later
	// Skipped counts the runs that came due while one of the association's runs was going,
	// and so did not start (they are not queued); SkippedAt is the newest of them.
	Skipped   int       `json:"skipped,omitempty"`
	SkippedAt time.Time `json:"skipped_at,omitzero"`
	LastRun   time.Time `json:"last_run,omitzero"`
	NextRun   time.Time `json:"next_run,omitzero"` // the next run of either kind
	ChangedBy string    `json:"changed_by,omitempty"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// How often the daily run reads SGA's whole listing.
const (
	FullDaily  = "daily"  // every day: the default
	FullWeekly = "weekly" // on FullDay only, for an SGA that blocks heavy extraction
)

// The schedule's defaults, and the bounds of its interval.
const (
	DefaultTimeOfDay    = "03:00" // the daily run
	DefaultEveryMinutes = 60      // an incremental run every hour...
	DefaultHoursFrom    = "07:00" // ...from 07:00...
	DefaultHoursTo      = "20:00" // ...to 20:00
	MinEveryMinutes     = 5       // SGA's change feed is not read more often
	MaxEveryMinutes     = 12 * 60
)

// DefaultSchedule is an association's schedule until one is saved: off, and when turned on a
// full read daily at 03:00 and the change feed hourly from 07:00 to 20:00. A schedule saved
// before a field existed takes that field from here.
func DefaultSchedule() Schedule {
	return Schedule{TimeOfDay: DefaultTimeOfDay, Full: FullDaily, EveryMinutes: DefaultEveryMinutes,
		HoursFrom: DefaultHoursFrom, HoursTo: DefaultHoursTo}
}

// Every is the time between incremental runs (0: none).
func (sc Schedule) Every() time.Duration { return time.Duration(sc.EveryMinutes) * time.Minute }

// FullOn reports whether the daily run of a day that is weekday d reads SGA's whole listing.
func (sc Schedule) FullOn(d time.Weekday) bool { return sc.Full != FullWeekly || d == sc.FullDay }

// Validate says what is wrong with a schedule's settings, as an ErrInvalid.
func (sc Schedule) Validate() error {
	for name, hm := range map[string]string{"time of day": sc.TimeOfDay, "hours from": sc.HoursFrom, "hours to": sc.HoursTo} {
		if _, err := time.Parse("15:04", hm); err != nil || len(hm) != 5 {
			return fmt.Errorf("%s %q: want HH:MM: %w", name, hm, ErrInvalid)
		}
	}
	switch {
	case sc.Full != FullDaily && sc.Full != FullWeekly:
		return fmt.Errorf("full read %q: want %s or %s: %w", sc.Full, FullDaily, FullWeekly, ErrInvalid)
	case sc.FullDay < time.Sunday || sc.FullDay > time.Saturday:
		return fmt.Errorf("full day %d: not a weekday: %w", sc.FullDay, ErrInvalid)
	case sc.EveryMinutes != 0 && (sc.EveryMinutes < MinEveryMinutes || sc.EveryMinutes > MaxEveryMinutes):
		return fmt.Errorf("every %d minutes: want %d to %d minutes, or none: %w", sc.EveryMinutes, MinEveryMinutes, MaxEveryMinutes, ErrInvalid)
	case sc.HoursFrom >= sc.HoursTo:
		return fmt.Errorf("hours %s-%s: the first must come before the second: %w", sc.HoursFrom, sc.HoursTo, ErrInvalid)
	}
	return nil
}

// settings is what an operator sets, without the scheduler's bookkeeping: a change of it is
// audited.
func (sc Schedule) settings() Schedule {
	return Schedule{Enabled: sc.Enabled, TimeOfDay: sc.TimeOfDay, Full: sc.Full, FullDay: sc.FullDay,
		EveryMinutes: sc.EveryMinutes, HoursFrom: sc.HoursFrom, HoursTo: sc.HoursTo}
}

// rules is the part of the settings that is one of the association's rules.
func (sc Schedule) rules() Schedule {
	return Schedule{Full: sc.Full, FullDay: sc.FullDay, EveryMinutes: sc.EveryMinutes, HoursFrom: sc.HoursFrom, HoursTo: sc.HoursTo}
}

// readSchedule is the schedule b keeps, its missing fields from DefaultSchedule. A schedule
// saved before the daily full read existed chose a weekday other than Sunday only to move its
// weekly full read: it keeps reading in full weekly, on that day.
func readSchedule(b *bolt.Bucket) (Schedule, bool, error) {
	sc := DefaultSchedule()
	sc.Full = ""
	found, err := getJSON(b, keySchedule, &sc)
	if sc.Full == "" {
		sc.Full = FullDaily
		if sc.FullDay != time.Sunday {
			sc.Full = FullWeekly
		}
	}
	return sc, found, err
}

// Schedule returns the association's schedule (DefaultSchedule when never set).
func (s *Store) Schedule() (Schedule, error) {
	var sc Schedule
	err := s.view(func(tx txn) error {
		var err error
		sc, _, err = readSchedule(tx.Bucket(bSync))
		return err
	})
	return sc, err
}

// SetSchedule saves the schedule; a change of its settings is audited.
func (s *Store) SetSchedule(sc Schedule, a Actor) error {
	_, err := s.UpdateSchedule(a, func(cur *Schedule) error { *cur = sc; return nil })
	return err
}

// UpdateSchedule changes the saved schedule with fn in one transaction, so that the
// scheduler's bookkeeping and an operator's change do not undo each other. A change of its
// settings is audited; an invalid one is refused (ErrInvalid) and nothing is saved.
func (s *Store) UpdateSchedule(a Actor, fn func(*Schedule) error) (Schedule, error) {
	now := s.now().UTC()
	var sc Schedule
	err := s.update(func(tx txn) error {
		b := tx.Bucket(bSync)
		old, found, err := readSchedule(b)
		if err != nil {
			return err
		}
		sc = old
		if err := fn(&sc); err != nil {
			return err
		}
		def := DefaultSchedule() // a schedule built whole may leave these out
		if sc.Full == "" {
			sc.Full = def.Full
		}
		if sc.HoursFrom == "" && sc.HoursTo == "" {
			sc.HoursFrom, sc.HoursTo = def.HoursFrom, def.HoursTo
		}
		if err := sc.Validate(); err != nil {
			return err
		}
		// How often it reads in full and how often the feed: the association's rules, which
		// only a supervisor changes. Turning the daily sync on or off and its time are not.
		if old.rules() != sc.rules() {
			if err := s.mayChangeRules(); err != nil {
				return err
			}
		}
		changed := !found || old.settings() != sc.settings()
		if changed {
			sc.ChangedBy, sc.ChangedAt = a.Who, now
		} else {
			sc.ChangedBy, sc.ChangedAt = old.ChangedBy, old.ChangedAt
		}
		if err := putJSON(b, keySchedule, sc); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return appendAudit(tx, now, a, ActionScheduleChanged, sc.auditText())
	})
	return sc, err
}

// auditText is a schedule's settings as its audit entry tells them: "daily sync on at 03:00",
// then whatever differs from the defaults.
func (sc Schedule) auditText() string {
	state := "off"
	if sc.Enabled {
		state = "on"
	}
	details := fmt.Sprintf("daily sync %s at %s", state, sc.TimeOfDay)
	if sc.Full == FullWeekly {
		details += ", in full on " + sc.FullDay.String()
	}
	def := DefaultSchedule()
	switch {
	case sc.EveryMinutes == 0:
		details += ", no incremental runs"
	case sc.EveryMinutes != def.EveryMinutes || sc.HoursFrom != def.HoursFrom || sc.HoursTo != def.HoursTo:
		details += fmt.Sprintf(", incremental every %d min %s-%s", sc.EveryMinutes, sc.HoursFrom, sc.HoursTo)
	}
	return details
}
