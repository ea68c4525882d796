package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ponte/store/norm"
)

// Service order kinds and statuses, as the console shows them.
const (
	OrderKindRemoval        = "Retirada"
	OrderKindReinstallation = "Reinstalação"

	OrderStatusScheduled = "Agendada"
	OrderStatusRunning   = "Em execução"
	OrderStatusDone      = "Concluída"
	OrderStatusCancelled = "Cancelada"

	// ContractClosed is a contract whose tracker was taken back (its Retirada is Concluída), or
	// whose Instalação was cancelled and the contract closed with it.
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
	// Visit is, on an Agendada, the visit it set; each surface writes its date in its own
	// format (Detail). Events recorded before it was kept have the visit in Note.
	Visit *Visit `json:"visit,omitempty"`
	// Contract is, on an Instalação's cancel, the state its contract was left in: Ativo
	// (kept) or Encerrado (closed).
	Contract string `json:"contract,omitempty"`
}

// Detail is what an event says beside its status, its date and who: the visit it set, with
// its date and time in layout ("15/01/2027 09:00, Carlos Souza"), then its note.
func (e OrderEvent) Detail(layout string) string {
	if e.Visit == nil {
		return e.Note
	}
	return strings.TrimSpace(fmt.Sprintf("%s, %s %s", e.Visit.At.Local().Format(layout), e.Visit.Technician, e.Note))
}

// ContactAttempt is one call or message to the member to agree on a visit.
type ContactAttempt struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Outcome string    `json:"outcome"` // one of ContactOutcomes
	Note    string    `json:"note,omitempty"`
}

// What an order keeps of its life: every step rewrites the order, so a life kept whole would
// make each step cost more than the one before. Past a limit the oldest go, counted in
// Order.AttemptsDropped and Order.HistoryDropped; the audit keeps every step.
const (
	MaxOrderAttempts = 20 // the newest contact attempts an order keeps
	MaxOrderHistory  = 20 // the steps its history keeps: its opening and the newest 19
)

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
	Visit   *Visit          // for Agendada: required, not in the past
	Attempt *ContactAttempt // a contact attempt to record (At and By are filled)
	Note    string          // for Cancelada: the reason, required
	// Contract is, for Cancelada, what becomes of the contract: KeepContract or CloseContract,
	// required where CancelDecidesContract says so and refused elsewhere.
	Contract string
}

// What cancelling an Instalação does to its contract (OrderStep.Contract).
const (
	KeepContract  = "keep"  // it stays Ativo
	CloseContract = "close" // it becomes Encerrado
)

// Why a step is refused; each matches ErrInvalid, and the error's text says what to do.
var (
	// ErrBadStep: the order cannot take this step from where it is.
	ErrBadStep = fmt.Errorf("the order cannot take this step: %w", ErrInvalid)
	// ErrPastVisit: the visit asked for is before the store's clock.
	ErrPastVisit = fmt.Errorf("the visit is in the past: %w", ErrInvalid)
	// ErrContractDecision: a cancel without the decision on the contract it needs, or with
	// one it has no room for.
	ErrContractDecision = fmt.Errorf("cancelling this order needs a decision on its contract: %w", ErrInvalid)
)

// refusal is a refused request whose text says it all: it matches its sentinel without
// repeating the sentinel's words ("...: invalid").
type refusal struct {
	text string
	is   error
}

func (r *refusal) Error() string { return r.text }
func (r *refusal) Unwrap() error { return r.is }

func refuse(is error, format string, args ...any) error {
	return &refusal{text: fmt.Sprintf(format, args...), is: is}
}

// Why an order cannot take a step (StepError.Why).
const (
	StepFinished      = "finished"       // a finished order does not change
	StepCancelled     = "cancelled"      // a cancelled order does not change
	StepStarted       = "started"        // contact attempts are for orders not yet started
	StepScheduleFirst = "schedule first" // an Aberta order is scheduled before it starts
	StepNotScheduled  = "not scheduled"  // an Aberta order is scheduled and started before it ends
	StepStartFirst    = "start first"    // an Agendada order is started before it ends
	StepNoReschedule  = "no reschedule"  // the work has started: it is not rescheduled
	StepNotThere      = "not there"      // no other reason: the status does not lead there
)

// StepError is why order Number, in status From, cannot move to status To ("": a contact
// attempt): Why is one of the Step reasons, for a console to say in its own words. It matches
// ErrBadStep.
type StepError struct {
	Number, From, To, Why string
}

var stepWhy = map[string]string{
	StepFinished:      "a finished order does not change",
	StepCancelled:     "a cancelled order does not change",
	StepStarted:       "contact attempts are for orders not yet started",
	StepScheduleFirst: "schedule it before starting",
	StepNotScheduled:  "schedule and start it before finishing",
	StepStartFirst:    "start it before finishing",
	StepNoReschedule:  "the work has started: it cannot be rescheduled",
}

func (e *StepError) Error() string {
	why, ok := stepWhy[e.Why]
	if !ok {
		why = fmt.Sprintf("it cannot become %q", e.To)
	}
	return fmt.Sprintf("order %s is %q: %s", e.Number, e.From, why)
}

func (e *StepError) Unwrap() error { return ErrBadStep }

// CheckStep says whether order o may move to status to ("": record a contact attempt): nil, or
// a *StepError saying why not and what comes first. AdvanceOrder asks it.
func CheckStep(o Order, to string) error {
	from := o.Status
	var why string
	switch {
	case to == "" && !OrderFinal(from) && from != OrderStatusRunning, to != "" && CanStep(from, to):
		return nil
	case from == OrderStatusDone:
		why = StepFinished
	case from == OrderStatusCancelled:
		why = StepCancelled
	case to == "":
		why = StepStarted
	case from == OrderStatusOpen && to == OrderStatusRunning:
		why = StepScheduleFirst
	case from == OrderStatusOpen && to == OrderStatusDone:
		why = StepNotScheduled
	case from == OrderStatusScheduled && to == OrderStatusDone:
		why = StepStartFirst
	case from == OrderStatusRunning && to == OrderStatusScheduled:
		why = StepNoReschedule
	default:
		why = StepNotThere
	}
	return &StepError{Number: o.Number, From: from, To: to, Why: why}
}

// visitLayout is how a visit's date and time are read and written, in local time.
const visitLayout = "02/01/2006 15:04"

// CheckVisit refuses a visit in the past by the store's clock: another day, or an earlier
// hour today. The current minute is not past (visits are set to the minute). A visit that has
// passed is rescheduled to one to come. The refusal is a *VisitError.
func (s *Store) CheckVisit(at time.Time) error {
	return checkVisit(at, s.now())
}

// VisitError is a visit refused for being in the past: At, asked for when it was Now, both
// by the store's clock. It matches ErrPastVisit.
type VisitError struct {
	At, Now time.Time
}

// Today reports whether the visit was for today, at an hour already past: the hour is what
// to change, not the day.
func (e *VisitError) Today() bool {
	y, m, d := e.At.Local().Date()
	ny, nm, nd := e.Now.Local().Date()
	return y == ny && m == nm && d == nd
}

func (e *VisitError) Error() string {
	return fmt.Sprintf("visit %s is in the past (now %s): choose a later date and time",
		e.At.Local().Format(visitLayout), e.Now.Local().Format(visitLayout))
}

func (e *VisitError) Unwrap() error { return ErrPastVisit }

func checkVisit(at, now time.Time) error {
	if at.Before(now.Truncate(time.Minute)) {
		return &VisitError{At: at, Now: now}
	}
	return nil
}

// CancelDecidesContract reports whether cancelling o needs a decision on its contract c: an
// Instalação whose contract is Ativo, for its tracker never went in; the contract may stay for
// another attempt or close. A Retirada's contract stays Ativo (the tracker stays in the
// vehicle), a Reinstalação's Encerrado (it never went back in): nothing to decide.
func CancelDecidesContract(o Order, c Contract) bool {
	return o.Kind == OrderKindInstallation && c.State() == ContractActive
}

// cancelContract does to the cancelled order's contract what decision says, in the caller's
// transaction, and returns the contract's state when a decision was made ("" when none was
// needed).
func cancelContract(tx txn, o Order, decision string, now time.Time, a Actor) (string, error) {
	var c Contract
	if _, err := getJSON(tx.Bucket(bContracts), []byte(o.ContractNumber), &c); err != nil {
		return "", err
	}
	if !CancelDecidesContract(o, c) {
		if decision != "" {
			return "", refuse(ErrContractDecision, "order %s is a %q: cancelling it leaves contract %s %q; "+
				"only an Instalação's cancel decides its contract", o.Number, o.Kind, o.ContractNumber, c.State())
		}
		return "", nil
	}
	switch decision {
	case KeepContract:
		return ContractActive, nil
	case CloseContract:
		c.Status, c.StatusAt, c.StatusBy = ContractClosed, now, a.Who
		return ContractClosed, putJSON(tx.Bucket(bContracts), []byte(c.Number), c)
	case "":
		return "", refuse(ErrContractDecision, "order %s is an %q: say whether its contract %s stays %q (%s) or becomes %q (%s)",
			o.Number, o.Kind, o.ContractNumber, ContractActive, KeepContract, ContractClosed, CloseContract)
	}
	return "", refuse(ErrInvalid, "contract decision %q: want %s or %s", decision, KeepContract, CloseContract)
}

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
	if err := checkStepText(step); err != nil {
		return Order{}, err
	}
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
		if step.Contract != "" && step.To != OrderStatusCancelled {
			return refuse(ErrContractDecision, "a decision on the contract belongs to a cancel, not to %q", step.To)
		}
		if step.Attempt != nil {
			if err := CheckStep(o, ""); err != nil {
				return err
			}
			if !slices.Contains(ContactOutcomes, step.Attempt.Outcome) {
				return fmt.Errorf("contact outcome %q: want one of %s: %w", step.Attempt.Outcome, strings.Join(ContactOutcomes, ", "), ErrInvalid)
			}
			att := *step.Attempt
			att.At, att.By, att.Note = now, a.Who, strings.TrimSpace(att.Note)
			o.Attempts = append(o.Attempts, att)
			if over := len(o.Attempts) - MaxOrderAttempts; over > 0 {
				o.Attempts, o.AttemptsDropped = slices.Delete(o.Attempts, 0, over), o.AttemptsDropped+over
			}
			detail = append(detail, fmt.Sprintf("contact attempt %d: %s", o.AttemptsDropped+len(o.Attempts), att.Outcome))
		}
		if step.To != "" {
			if err := CheckStep(o, step.To); err != nil {
				return err
			}
			note := strings.TrimSpace(step.Note)
			event := OrderEvent{At: now, By: a.Who, Status: step.To}
			var contract string
			switch step.To {
			case OrderStatusScheduled:
				if step.Visit == nil || step.Visit.At.IsZero() || strings.TrimSpace(step.Visit.Technician) == "" {
					return fmt.Errorf("scheduling needs a date and time and a technician: %w", ErrInvalid)
				}
				if err := checkVisit(step.Visit.At, now); err != nil {
					return err
				}
				v := Visit{At: step.Visit.At.UTC(), Technician: strings.TrimSpace(step.Visit.Technician)}
				o.Visit, event.Visit = &v, &v
			case OrderStatusCancelled:
				if note == "" {
					return fmt.Errorf("cancelling needs a reason: %w", ErrInvalid)
				}
				o.CancelReason = note
				if event.Contract, err = cancelContract(at, o, step.Contract, now, a); err != nil {
					return err
				}
				switch event.Contract {
				case ContractActive:
					contract = "; contract " + o.ContractNumber + " kept " + ContractActive
				case ContractClosed:
					contract = "; contract " + o.ContractNumber + " " + ContractClosed
				}
			}
			o.Status = step.To
			event.Note = note
			o.History = append(o.History, event)
			if over := len(o.History) - MaxOrderHistory; over > 0 { // the opening stays
				o.History, o.HistoryDropped = slices.Delete(o.History, 1, 1+over), o.HistoryDropped+over
			}
			detail = append(detail, step.To+optional(event.Detail(visitLayout))+contract)
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

// checkStepText refuses a step whose note, cancel reason or technician CheckText refuses.
func checkStepText(step OrderStep) error {
	field := FieldNote
	if step.To == OrderStatusCancelled {
		field = FieldReason
	}
	if err := CheckText(field, strings.TrimSpace(step.Note)); err != nil {
		return err
	}
	if step.Attempt != nil {
		if err := CheckText(FieldNote, strings.TrimSpace(step.Attempt.Note)); err != nil {
			return err
		}
	}
	if step.Visit != nil {
		return CheckText(FieldTechnician, strings.TrimSpace(step.Visit.Technician))
	}
	return nil
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

// OrderClient returns the client of order o as the register has it now (its name and phone,
// for the contact attempts), read in o's association even by a store seen from none: a zero
// Client when the client is no longer in the register.
func (s *Store) OrderClient(o Order) (Client, error) {
	var c Client
	err := s.view(func(tx txn) error {
		if !s.shows(o.Association) {
			return fmt.Errorf("order %s: %w", o.Number, ErrNotFound)
		}
		at, err := tx.in(o.Association)
		if err != nil {
			return err
		}
		_, err = getClient(at.Bucket(bClients), i64(o.ClientSGACode), &c)
		return err
	})
	return c, err
}

// OrderFilter narrows a list of orders; empty fields match all.
type OrderFilter struct {
	Query  string
	Kind   string
	Status string
	// Deadline is DeadlineLate or DeadlineToday for only the Instalações late or due today
	// (Rules.DeadlineOf); "" for every order.
	Deadline string
}

// OrderView is an order with what a list shows beside it: its contract's state and its
// client's name.
type OrderView struct {
	Order
	ContractState string
	Delinquent    bool
	ClientName    string   // "" when the client is no longer in the register
	Deadline      Deadline // an open Instalação's, by its association's rules and the store's clock
}

// OrderViews lists orders newest first that match f, each with its contract's state and its
// client's name, from one read transaction, up to limit (0: all): the store's association's,
// or, seen from none, those of every association it may see.
func (s *Store) OrderViews(f OrderFilter, limit int) ([]OrderView, error) {
	if f.Deadline != "" && f.Deadline != DeadlineLate && f.Deadline != DeadlineToday {
		return nil, fmt.Errorf("an order deadline filter %q: want %q or %q: %w", f.Deadline, DeadlineLate, DeadlineToday, ErrInvalid)
	}
	q, now := norm.Key(f.Query), s.now()
	var out []OrderView
	err := s.view(func(tx txn) error {
		out = out[:0]
		contracts := tx.Bucket(bContracts)
		type who struct {
			assoc uint64
			code  int64
		}
		names := map[who]string{}
		rules := map[uint64]Rules{}
		c := tx.Bucket(bOrders).Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var ov OrderView
			if err := json.Unmarshal(v, &ov.Order); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			if !s.shows(ov.Association) || (f.Kind != "" && ov.Kind != f.Kind) || (f.Status != "" && ov.Status != f.Status) {
				continue
			}
			r, ok := rules[ov.Association]
			if !ok {
				at, err := tx.in(ov.Association)
				if err != nil {
					return err
				}
				if err := readRules(at, &r); err != nil {
					return err
				}
				rules[ov.Association] = r
			}
			if ov.Deadline = r.DeadlineOf(ov.Order, now); !ov.Deadline.matches(f.Deadline) {
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
			if q != "" && !strings.Contains(norm.Key(fmt.Sprintf("%s %s %s %s %s %s %d %d %s", ov.Number, ov.ContractNumber, ov.Plate,
				ov.Kind, ov.Status, ov.ContractState, ov.ClientSGACode, ov.VehicleSGACode, name)), q) {
				continue
			}
			out = append(out, ov)
		}
		return nil
	})
	return out, err
}
