package store

import (
	"errors"
	"fmt"
	"time"
)

// Where a contract's tracker is, as its orders tell (see trackerOf).
const (
	trackerNever = iota // its Instalação is not Concluída: open, or cancelled
	trackerIn           // its Instalação, or a later Reinstalação, is Concluída
	trackerOut          // a Retirada Concluída, no Reinstalação since
)

// trackerOf says where contract c's tracker is: the last of its Instalação, Retiradas and
// Reinstalações to be Concluída decides.
func trackerOf(tx txn, c Contract) (int, error) {
	where, last := trackerNever, time.Time{}
	for _, n := range append([]string{c.OrderNumber}, c.Orders...) {
		var o Order
		if _, err := getJSON(tx.Bucket(bOrders), []byte(n), &o); err != nil {
			return 0, err
		}
		if o.Status != OrderStatusDone {
			continue
		}
		at := o.CreatedAt
		for _, e := range o.history() {
			if e.Status == OrderStatusDone {
				at = e.At
			}
		}
		if at.Before(last) {
			continue
		}
		last = at
		if o.Kind == OrderKindRemoval {
			where = trackerOut
		} else {
			where = trackerIn
		}
	}
	return where, nil
}

// ErrNotProposable: a Retirada or Reinstalação the contract has no room for.
var ErrNotProposable = fmt.Errorf("the contract has no room for this order: %w", ErrInvalid)

// proposable says whether contract c may have an order of kind (OrderKindRemoval or
// OrderKindReinstallation) proposed or generated: nil, or why not (matching ErrNotProposable).
// A Retirada is for a tracker in the vehicle; a Reinstalação for one taken back; neither while
// a Retirada or Reinstalação of the contract is still open.
func proposable(tx txn, c Contract, kind string) error {
	for _, n := range c.Orders {
		var o Order
		if _, err := getJSON(tx.Bucket(bOrders), []byte(n), &o); err != nil {
			return err
		}
		if !OrderFinal(o.Status) && (o.Kind == OrderKindRemoval || o.Kind == OrderKindReinstallation) {
			return refuse(ErrNotProposable, "contract %s already has %s %s %q", c.Number, o.Kind, o.Number, o.Status)
		}
	}
	where, err := trackerOf(tx, c)
	if err != nil {
		return err
	}
	switch {
	case where == trackerNever:
		return refuse(ErrNotProposable, "contract %s: its tracker was never installed (Instalação %s is not %q)",
			c.Number, c.OrderNumber, OrderStatusDone)
	case where == trackerIn && kind == OrderKindReinstallation:
		return refuse(ErrNotProposable, "contract %s: its tracker is in the vehicle; a %s follows a %s %q",
			c.Number, kind, OrderKindRemoval, OrderStatusDone)
	case where == trackerOut && kind == OrderKindRemoval:
		return refuse(ErrNotProposable, "contract %s: its tracker was already taken back", c.Number)
	}
	return nil
}

// fits reports whether proposable lets contract c have an order of kind.
func fits(tx txn, c Contract, kind string) (bool, error) {
	err := proposable(tx, c, kind)
	if errors.Is(err, ErrNotProposable) {
		return false, nil
	}
	return err == nil, err
}

// Proposable says whether the contract numbered number may have an order of kind
// (OrderKindRemoval or OrderKindReinstallation) proposed: nil, or why not (matching
// ErrNotProposable). It is the rule a sync's proposals and their acceptance follow.
func (s *Store) Proposable(number, kind string) error {
	return s.view(func(tx txn) error {
		var c Contract
		if found, err := getJSON(tx.Bucket(bContracts), []byte(number), &c); err != nil {
			return err
		} else if !found || !s.shows(c.Association) {
			return fmt.Errorf("contract %s: %w", number, ErrNotFound)
		}
		return proposable(tx, c, kind)
	})
}
