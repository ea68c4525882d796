package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Service order kinds and statuses, as the console shows them.
const (
	OrderKindRemoval        = "Retirada"
	OrderKindReinstallation = "Reinstalação"

	OrderStatusScheduled = "Agendada"
	OrderStatusRunning   = "Em execução"
	OrderStatusDone      = "Concluída"
	OrderStatusCancelled = "Cancelada"

	// ContractClosed is a contract whose tracker was taken back: its Retirada is Concluída.
	ContractClosed = "Encerrado"
	ContractActive = "Ativo"
)

// OrderKinds and OrderStatuses are every kind and status, in their natural order.
var (
	OrderKinds    = []string{OrderKindInstallation, OrderKindRemoval, OrderKindReinstallation}
	OrderStatuses = []string{OrderStatusOpen, OrderStatusScheduled, OrderStatusRunning, OrderStatusDone, OrderStatusCancelled}
)

// OrderEvent is one step of an order's life: who moved it to which status, when, and why.
type OrderEvent struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

// ContactAttempt is one call or message to the member to agree on a visit.
type ContactAttempt struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Outcome string    `json:"outcome"` // one of ContactOutcomes
	Note    string    `json:"note,omitempty"`
}

// ContactOutcomes are what a contact attempt can end in.
var ContactOutcomes = []string{"Agendado", "Sem resposta", "Recusou", "Número errado", "Retornar depois"}

// Visit is when and by whom the work is to be done.
type Visit struct {
	At         time.Time `json:"at"`
	Technician string    `json:"technician"`
}

// OrderFinal reports whether an order's life has ended.
func OrderFinal(status string) bool {
	return status == OrderStatusDone || status == OrderStatusCancelled
}

// history returns the order's life, the opening included: orders written before history was
// kept have only their creation.
func (o Order) history() []OrderEvent {
	if len(o.History) > 0 {
		return o.History
	}
	return []OrderEvent{{At: o.CreatedAt, By: o.CreatedBy, Status: OrderStatusOpen}}
}

// Life returns the order's steps, oldest first.
func (o Order) Life() []OrderEvent { return slices.Clone(o.history()) }

// OrderStep is one change to an order's life, as Store.AdvanceOrder takes it.
type OrderStep struct {
	// To is the status the order moves to; empty records a contact attempt only.
	To      string
	Visit   *Visit          // for Agendada: required
	Attempt *ContactAttempt // a contact attempt to record (At and By are filled)
	Note    string          // for Cancelada: the reason, required
}

// ErrBadStep: the order cannot take this step from where it is. The error says from where.
var ErrBadStep = fmt.Errorf("the order cannot take this step: %w", ErrInvalid)

// next lists the statuses each status may move to.
var next = map[string][]string{
	OrderStatusOpen:      {OrderStatusScheduled, OrderStatusCancelled},
	OrderStatusScheduled: {OrderStatusScheduled, OrderStatusRunning, OrderStatusCancelled},
	OrderStatusRunning:   {OrderStatusDone, OrderStatusCancelled},
}

// CanStep reports whether an order in status from may move to status to.
func CanStep(from, to string) bool { return slices.Contains(next[from], to) }

// AdvanceOrder moves an order one step in its life and records who and when, in the order's
// history and in the audit, in one transaction. A Retirada Concluída closes its contract
// (Encerrado); a Reinstalação Concluída opens it again.
func (s *Store) AdvanceOrder(number string, step OrderStep, a Actor) (Order, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	now := s.now().UTC()
	var o Order
	err := s.update(func(tx txn) error {
		found, err := getJSON(tx.Bucket(bOrders), []byte(number), &o)
		if err != nil {
			return err
		}
		if !found || !s.shows(o.Association) {
			return fmt.Errorf("order %s: %w", number, ErrNotFound)
		}
		at, err := tx.in(o.Association)
		if err != nil {
			return err
		}
		o.History = o.history()
		var detail []string
		if step.Attempt != nil {
			if OrderFinal(o.Status) || o.Status == OrderStatusRunning {
				return fmt.Errorf("order %s is %s: contact attempts are for orders not yet started: %w", number, o.Status, ErrBadStep)
			}
			if !slices.Contains(ContactOutcomes, step.Attempt.Outcome) {
				return fmt.Errorf("contact outcome %q: want one of %s: %w", step.Attempt.Outcome, strings.Join(ContactOutcomes, ", "), ErrInvalid)
			}
			att := *step.Attempt
			att.At, att.By, att.Note = now, a.Who, strings.TrimSpace(att.Note)
			o.Attempts = append(o.Attempts, att)
			detail = append(detail, fmt.Sprintf("contact attempt %d: %s", len(o.Attempts), att.Outcome))
		}
		if step.To != "" {
			if !CanStep(o.Status, step.To) {
				return fmt.Errorf("order %s is %s and cannot become %s: %w", number, o.Status, step.To, ErrBadStep)
			}
			note := strings.TrimSpace(step.Note)
			switch step.To {
			case OrderStatusScheduled:
				if step.Visit == nil || step.Visit.At.IsZero() || strings.TrimSpace(step.Visit.Technician) == "" {
					return fmt.Errorf("scheduling needs a date and time and a technician: %w", ErrInvalid)
				}
				v := Visit{At: step.Visit.At.UTC(), Technician: strings.TrimSpace(step.Visit.Technician)}
				o.Visit = &v
				note = strings.TrimSpace(fmt.Sprintf("%s, %s %s", v.At.Local().Format("02/01/2006 15:04"), v.Technician, note))
			case OrderStatusCancelled:
				if note == "" {
					return fmt.Errorf("cancelling needs a reason: %w", ErrInvalid)
				}
				o.CancelReason = note
			}
			o.Status = step.To
			o.History = append(o.History, OrderEvent{At: now, By: a.Who, Status: step.To, Note: note})
			detail = append(detail, step.To+optional(note))
			if step.To == OrderStatusDone {
				if err := orderDone(at, o, now, a); err != nil {
					return err
				}
			}
		}
		if len(detail) == 0 {
			return fmt.Errorf("nothing to do: %w", ErrInvalid)
		}
		if err := putJSON(tx.Bucket(bOrders), []byte(o.Number), o); err != nil {
			return err
		}
		return appendAudit(at, now, a, ActionOrderChanged, fmt.Sprintf("%s (%s, %s): %s", o.Number, o.Kind, o.Plate, strings.Join(detail, "; ")))
	})
	return o, err
}

func optional(note string) string {
	if note == "" {
		return ""
	}
	return " (" + note + ")"
}

// orderDone closes or reopens the order's contract when a removal or reinstallation is done.
func orderDone(tx txn, o Order, now time.Time, a Actor) error {
	var status string
	switch o.Kind {
	case OrderKindRemoval:
		status = ContractClosed
	case OrderKindReinstallation:
		status = ContractActive
	default:
		return nil
	}
	var c Contract
	found, err := getJSON(tx.Bucket(bContracts), []byte(o.ContractNumber), &c)
	if err != nil || !found {
		return err
	}
	c.Status, c.StatusAt, c.StatusBy = status, now, a.Who
	if status == ContractActive {
		c.Status = ""
	}
	return putJSON(tx.Bucket(bContracts), []byte(c.Number), c)
}

// Order returns one service order and its contract.
func (s *Store) Order(number string) (Order, Contract, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	var o Order
	var c Contract
	err := s.view(func(tx txn) error {
		found, err := getJSON(tx.Bucket(bOrders), []byte(number), &o)
		if err != nil {
			return err
		}
		if !found || !s.shows(o.Association) {
			return fmt.Errorf("order %s: %w", number, ErrNotFound)
		}
		_, err = getJSON(tx.Bucket(bContracts), []byte(o.ContractNumber), &c)
		return err
	})
	return o, c, err
}

// OrderFilter narrows a list of orders; empty fields match all.
type OrderFilter struct {
	Query  string
	Kind   string
	Status string
}

// OrderView is an order with what a list shows beside it: its contract's state and its
// client's name.
type OrderView struct {
	Order
	ContractState string
	Delinquent    bool
	ClientName    string // "" when the client is no longer in the register
}

// OrderViews lists orders newest first that match f, each with its contract's state and its
// client's name, from one read transaction, up to limit (0: all): the store's association's,
// or, seen from none, those of every association it may see.
func (s *Store) OrderViews(f OrderFilter, limit int) ([]OrderView, error) {
	q := foldKey(f.Query)
	var out []OrderView
	err := s.view(func(tx txn) error {
		out = out[:0]
		contracts := tx.Bucket(bContracts)
		type who struct {
			assoc uint64
			code  int64
		}
		names := map[who]string{}
		c := tx.Bucket(bOrders).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var ov OrderView
			if err := json.Unmarshal(v, &ov.Order); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			if !s.shows(ov.Association) || (f.Kind != "" && ov.Kind != f.Kind) || (f.Status != "" && ov.Status != f.Status) {
				continue
			}
			var ct Contract
			if _, err := getJSON(contracts, []byte(ov.ContractNumber), &ct); err != nil {
				return err
			}
			ov.ContractState, ov.Delinquent = ct.State(), ct.Delinquent
			w := who{ov.Association, ov.ClientSGACode}
			name, ok := names[w]
			if !ok {
				var cl Client
				at, err := tx.in(ov.Association)
				if err != nil {
					return err
				}
				if _, err := getClient(at.Bucket(bClients), i64(ov.ClientSGACode), &cl); err != nil {
					return err
				}
				name, names[w] = cl.Name, cl.Name
			}
			ov.ClientName = name
			if q != "" && !strings.Contains(foldKey(fmt.Sprintf("%s %s %s %s %s %s %d %d %s", ov.Number, ov.ContractNumber, ov.Plate,
				ov.Kind, ov.Status, ov.ContractState, ov.ClientSGACode, ov.VehicleSGACode, name)), q) {
				continue
			}
			out = append(out, ov)
		}
		return nil
	})
	return out, err
}
