package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// An association suspends a member's theft coverage when the tracker is not in within its
// deadline from the contract (48 to 72 hours in public operations), so every open Instalação
// has a time left, counted from Importar.

// DefaultInstallWithin is the deadline of an association whose rules set none.
const DefaultInstallWithin = 72 * time.Hour

// MaxInstallWithin bounds the deadline an association may set: beyond a month it is no
// deadline at all.
const MaxInstallWithin = 31 * 24 * time.Hour

// InstallWindow is how long the association gives for an installation, from Importar.
func (r Rules) InstallWindow() time.Duration {
	if r.InstallWithin > 0 {
		return r.InstallWithin
	}
	return DefaultInstallWithin
}

// CheckInstallWithin refuses a deadline that is not a whole number of minutes between one
// hour and MaxInstallWithin.
func CheckInstallWithin(d time.Duration) error {
	if d < time.Hour || d > MaxInstallWithin || d%time.Minute != 0 {
		return fmt.Errorf("an installation deadline of %s: want whole minutes from 1h to %s: %w", d, MaxInstallWithin, ErrInvalid)
	}
	return nil
}

// Deadline is when an open Instalação is due, and where now stands against it. The zero
// Deadline is an order that has none: another kind, or one whose life has ended.
type Deadline struct {
	Due   time.Time `json:"due"`
	Late  bool      `json:"late"`      // now is past Due
	Today bool      `json:"due_today"` // not late, and Due is before the end of now's day
}

// Set reports whether the order has a deadline.
func (d Deadline) Set() bool { return !d.Due.IsZero() }

// Left is the time from now to Due: negative once late.
func (d Deadline) Left(now time.Time) time.Duration { return d.Due.Sub(now) }

// DeadlineOf is the one rule of an order's deadline: an Instalação not yet Concluída or
// Cancelada is due the association's window after it was opened; it is late once now is past
// that, and due today when it falls before the end of now's day (in now's location).
func (r Rules) DeadlineOf(o Order, now time.Time) Deadline {
	if o.Kind != OrderKindInstallation || OrderFinal(o.Status) {
		return Deadline{}
	}
	due := o.CreatedAt.Add(r.InstallWindow())
	y, m, d := now.Date()
	endOfDay := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	late := now.After(due)
	return Deadline{Due: due, Late: late, Today: !late && due.Before(endOfDay)}
}

// What OrderFilter.Deadline asks for.
const (
	DeadlineLate  = "late"  // the late ones
	DeadlineToday = "today" // those due before the end of today, not late yet
)

// matches reports whether d is what the filter's deadline asks for ("": any; OrderViews
// refuses any other value).
func (d Deadline) matches(want string) bool {
	switch want {
	case DeadlineLate:
		return d.Late
	case DeadlineToday:
		return d.Today
	}
	return true
}

// DeadlineCount is how many of an association's open Instalações are late and due today.
type DeadlineCount struct {
	Association uint64 `json:"association"`
	Slug        string `json:"association_slug"`
	Late        int    `json:"late"`
	Today       int    `json:"due_today"`
}

// DeadlineCounts counts, per association the store may see (only its own, seen from one),
// the open Instalações that are late and that are due today, by the store's clock; every
// association it may see has its line, zeros included, in the order of their IDs.
func (s *Store) DeadlineCounts() ([]DeadlineCount, error) {
	now := s.now()
	var out []DeadlineCount
	err := s.view(func(tx txn) error {
		out = out[:0]
		rules := map[uint64]Rules{}
		index := map[uint64]int{}
		err := eachAssociation(tx.Tx, func(at txn) error {
			a := *at.assoc
			if !s.shows(a.ID) {
				return nil
			}
			var r Rules
			if err := readRules(at, &r); err != nil {
				return err
			}
			rules[a.ID], index[a.ID] = r, len(out)
			out = append(out, DeadlineCount{Association: a.ID, Slug: a.Slug})
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bOrders).ForEach(func(k, v []byte) error {
			var o Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			i, ok := index[o.Association]
			if !ok {
				return nil
			}
			d := rules[o.Association].DeadlineOf(o, now)
			if d.Late {
				out[i].Late++
			}
			if d.Today {
				out[i].Today++
			}
			return nil
		})
	})
	return out, err
}
