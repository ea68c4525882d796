package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ponte/store/norm"
)

// What "Importar" creates for a vehicle.
const (
	OrderKindInstallation = "Instalação"
	OrderStatusOpen       = "Aberta"
)

// Contract is created by "Importar", one per vehicle.
type Contract struct {
	Number         string    `json:"number"` // CT-YYYY-NNNNNN
	Association    uint64    `json:"association"`
	ClientSGACode  int64     `json:"client_sga_code"`
	VehicleSGACode int64     `json:"vehicle_sga_code"`
	Plate          string    `json:"plate,omitempty"` // when it was created
	OrderNumber    string    `json:"order_number"`    // the installation order
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	// Status is "" while the contract runs, ContractClosed once its Retirada is done or its
	// Instalação was cancelled closing it.
	Status   string    `json:"status,omitempty"`
	StatusAt time.Time `json:"status_at,omitzero"`
	StatusBy string    `json:"status_by,omitempty"`
	// Delinquent: SGA lists the vehicle as INADIMPLENTE (or a situação the association
	// classifies so).
	Delinquent bool `json:"delinquent,omitempty"`
	// Orders are the orders opened after the installation (removals, reinstallations).
	Orders []string `json:"orders,omitempty"`
}

// State is how the console names the contract's state.
func (c Contract) State() string {
	if c.Status != "" {
		return c.Status
	}
	return ContractActive
}

// Order is a service order; "Importar" opens an installation order with each contract.
type Order struct {
	Number         string    `json:"number"` // OS-YYYY-NNNNNN
	Association    uint64    `json:"association"`
	ContractNumber string    `json:"contract_number"`
	ClientSGACode  int64     `json:"client_sga_code"`
	VehicleSGACode int64     `json:"vehicle_sga_code"`
	Plate          string    `json:"plate,omitempty"`
	Kind           string    `json:"kind"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	// Cause is the change in SGA a removal or reinstallation answers; Proposal its proposal.
	Cause        *Cause           `json:"cause,omitempty"`
	Proposal     uint64           `json:"proposal,omitempty"`
	Visit        *Visit           `json:"visit,omitempty"`
	Attempts     []ContactAttempt `json:"attempts,omitempty"`
	CancelReason string           `json:"cancel_reason,omitempty"`
	History      []OrderEvent     `json:"history,omitempty"`
	// AttemptsDropped and HistoryDropped count the oldest contact attempts and steps the
	// order no longer keeps (MaxOrderAttempts, MaxOrderHistory); the audit keeps every one.
	AttemptsDropped int `json:"attempts_dropped,omitempty"`
	HistoryDropped  int `json:"history_dropped,omitempty"`
}

// Imported is what one vehicle's import created.
type Imported struct {
	Contract Contract
	Order    Order
}

// ImportError is why one vehicle could not be imported. Err is one of ErrNotFound,
// ErrWrongClient, ErrNotActive or ErrAlreadyImported (then Contract names the contract).
type ImportError struct {
	Vehicle  int64
	Plate    string
	Contract string
	Err      error
}

func (e *ImportError) Error() string {
	id := fmt.Sprintf("vehicle %d", e.Vehicle)
	if e.Plate != "" {
		id += " (" + e.Plate + ")"
	}
	if e.Contract != "" {
		return fmt.Sprintf("%s: %v: contract %s", id, e.Err, e.Contract)
	}
	return fmt.Sprintf("%s: %v", id, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// Import creates, for each of a client's vehicles, a contract and an installation service
// order, and one audit entry, in one transaction. If any vehicle is refused, nothing is
// written, and the error joins one *ImportError per refused vehicle. Numbers are per year,
// unique and gapless.
func (s *Store) Import(client int64, vehicles []int64, a Actor) ([]Imported, error) {
	if len(vehicles) == 0 {
		return nil, fmt.Errorf("no vehicle to import: %w", ErrInvalid)
	}
	vehicles = slices.Clone(vehicles)
	slices.Sort(vehicles)
	vehicles = slices.Compact(vehicles)
	now := s.now()
	year := now.Year()
	var out []Imported
	err := s.update(func(tx txn) error {
		out = out[:0]
		views, err := importable(tx, client, vehicles)
		if err != nil {
			return err
		}
		var summary []string
		for _, v := range views {
			ct, err := nextNumber(tx, "CT", year)
			if err != nil {
				return err
			}
			os, err := nextNumber(tx, "OS", year)
			if err != nil {
				return err
			}
			c := Contract{Number: ct, Association: tx.assocID(), ClientSGACode: client, VehicleSGACode: v.SGACode, Plate: v.Plate,
				OrderNumber: os, CreatedAt: now.UTC(), CreatedBy: a.Who}
			o := Order{Number: os, Association: tx.assocID(), ContractNumber: ct, ClientSGACode: client, VehicleSGACode: v.SGACode, Plate: v.Plate,
				Kind: OrderKindInstallation, Status: OrderStatusOpen, CreatedAt: now.UTC(), CreatedBy: a.Who}
			if err := putJSON(tx.Bucket(bContracts), []byte(ct), c); err != nil {
				return err
			}
			if err := putJSON(tx.Bucket(bOrders), []byte(os), o); err != nil {
				return err
			}
			if err := tx.Bucket(bContractVeh).Put(assocKey(tx.assocID(), i64(v.SGACode)), []byte(ct)); err != nil {
				return err
			}
			out = append(out, Imported{Contract: c, Order: o})
			label := v.Plate
			if label == "" {
				label = v.Chassis
			}
			summary = append(summary, fmt.Sprintf("%s + %s (%s)", ct, os, label))
		}
		return appendAudit(tx, now.UTC(), a, ActionImport, fmt.Sprintf("client %d: %s", client, strings.Join(summary, ", ")))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckImport says what Import would refuse, writing nothing: nil when every vehicle can be
// imported, else the same errors Import returns.
func (s *Store) CheckImport(client int64, vehicles []int64) error {
	return s.view(func(tx txn) error {
		_, err := importable(tx, client, vehicles)
		return err
	})
}

// importable reads the vehicles to import and checks each: it returns their views, or an error
// joining one *ImportError per vehicle refused.
func importable(tx txn, client int64, vehicles []int64) ([]VehicleView, error) {
	if tx.Bucket(bClients).Get(i64(client)) == nil {
		return nil, fmt.Errorf("client %d: %w", client, ErrNotFound)
	}
	var rules Rules
	if err := readRules(tx, &rules); err != nil {
		return nil, err
	}
	var refused []error
	views := make([]VehicleView, 0, len(vehicles))
	for _, code := range vehicles {
		v, err := vehicleView(tx, rules, i64(code))
		switch {
		case errors.Is(err, ErrNotFound):
			refused = append(refused, &ImportError{Vehicle: code, Err: ErrNotFound})
			continue
		case err != nil:
			return nil, err
		case v.ContractNumber != "":
			refused = append(refused, &ImportError{Vehicle: code, Plate: v.Plate, Contract: v.ContractNumber, Err: ErrAlreadyImported})
		case v.ClientSGACode != client:
			refused = append(refused, &ImportError{Vehicle: code, Plate: v.Plate, Err: ErrWrongClient})
		case v.Foreign:
			refused = append(refused, &ImportError{Vehicle: code, Plate: v.Plate, Err: ErrNotOurs})
		case !v.Active():
			refused = append(refused, &ImportError{Vehicle: code, Plate: v.Plate, Err: ErrNotActive})
		}
		views = append(views, v)
	}
	return views, errors.Join(refused...)
}

// nextNumber takes the next number of a kind and year: PREFIX-YYYY-NNNNNN. The counter is
// bumped inside the caller's transaction, so a rolled-back import leaves no gap.
func nextNumber(tx txn, prefix string, year int) (string, error) {
	b := tx.Bucket(bSequences)
	key := []byte(fmt.Sprintf("%s-%04d", prefix, year))
	n := uint64(0)
	if v := b.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	if n > 999_999 {
		return "", fmt.Errorf("%s numbers for %d are exhausted", prefix, year)
	}
	if err := b.Put(key, u64(n)); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d-%06d", prefix, year, n), nil
}

// Contracts lists contracts newest first whose number, order, plate or client code contains
// query (case-insensitive; empty: all), up to limit (0: all): the store's association's, or,
// seen from none, those of every association it may see.
func (s *Store) Contracts(query string, limit int) ([]Contract, error) {
	return list(s, bContracts, query, limit, func(c Contract) uint64 { return c.Association }, func(c Contract) string {
		return fmt.Sprintf("%s %s %s %d %d", c.Number, c.OrderNumber, c.Plate, c.ClientSGACode, c.VehicleSGACode)
	})
}

// Orders lists service orders newest first, filtered like Contracts.
func (s *Store) Orders(query string, limit int) ([]Order, error) {
	return list(s, bOrders, query, limit, func(o Order) uint64 { return o.Association }, func(o Order) string {
		return fmt.Sprintf("%s %s %s %s %s %d %d", o.Number, o.ContractNumber, o.Plate, o.Kind, o.Status, o.ClientSGACode, o.VehicleSGACode)
	})
}

func list[T any](s *Store, bucket []byte, query string, limit int, assoc func(T) uint64, text func(T) string) ([]T, error) {
	q := norm.Key(query)
	var out []T
	err := s.view(func(tx txn) error {
		c := tx.Bucket(bucket).Cursor()
		// Keys are PREFIX-YYYY-NNNNNN: byte order is year then number, so newest is last.
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if s.shows(assoc(rec)) && (q == "" || strings.Contains(norm.Key(text(rec)), q)) {
				out = append(out, rec)
			}
		}
		return nil
	})
	return out, err
}

// Contract returns one contract and its service order.
func (s *Store) Contract(number string) (Contract, Order, error) {
	var c Contract
	var o Order
	err := s.view(func(tx txn) error {
		found, err := getJSON(tx.Bucket(bContracts), []byte(strings.ToUpper(strings.TrimSpace(number))), &c)
		if err != nil {
			return err
		}
		if !found || !s.shows(c.Association) {
			return fmt.Errorf("contract %s: %w", number, ErrNotFound)
		}
		_, err = getJSON(tx.Bucket(bOrders), []byte(c.OrderNumber), &o)
		return err
	})
	return c, o, err
}
