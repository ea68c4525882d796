package store

// Reading the register: a client or a vehicle by what an operator knows of it, a client's
// vehicles with their contracts, and the register's totals.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"ponte/store/norm"
)

// ClientByCode returns one client.
func (s *Store) ClientByCode(code int64) (Client, error) {
	var c Client
	err := s.view(func(tx txn) error {
		found, err := getClient(tx.Bucket(bClients), i64(code), &c)
		if err == nil && !found {
			return fmt.Errorf("client %d: %w", code, ErrNotFound)
		}
		return err
	})
	return c, err
}

// ClientByCPF returns the client with this CPF (digits, or masked).
func (s *Store) ClientByCPF(cpf string) (Client, error) {
	page, err := s.SearchClients(norm.Digits(cpf), 2)
	if err != nil {
		return Client{}, err
	}
	for _, c := range page.Clients {
		if c.CPF == norm.Digits(cpf) {
			return c, nil
		}
	}
	return Client{}, fmt.Errorf("client with CPF %s: %w", norm.Digits(cpf), ErrNotFound)
}

// FindClient finds a client by CPF (11 digits, masked or not) or by SGA code, the two ways an
// operator names one on the command line.
func (s *Store) FindClient(ref string) (Client, error) {
	ref = strings.TrimSpace(ref)
	if cpf, ok := norm.CPF(ref); ok {
		if c, err := s.ClientByCPF(cpf); err == nil || !errors.Is(err, ErrNotFound) {
			return c, err
		}
	}
	code, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || code <= 0 {
		return Client{}, fmt.Errorf("no client with CPF %q: %w", ref, ErrNotFound)
	}
	c, err := s.ClientByCode(code)
	if errors.Is(err, ErrNotFound) {
		return Client{}, fmt.Errorf("no client with SGA code or CPF %q: %w", ref, ErrNotFound)
	}
	return c, err
}

// FindVehicle finds one of a client's vehicles by SGA code or plate.
func FindVehicle(owned []VehicleView, ref string) (VehicleView, error) {
	plate := norm.Plate(ref)
	for _, v := range owned {
		if strconv.FormatInt(v.SGACode, 10) == strings.TrimSpace(ref) || (plate != "" && v.Plate == plate) {
			return v, nil
		}
	}
	return VehicleView{}, fmt.Errorf("%s: no such vehicle among the client's %s: %w", ref, Count(len(owned), "vehicle", "vehicles"), ErrNotFound)
}

// VehicleView is a vehicle with its contract number, if it was imported.
type VehicleView struct {
	Vehicle
	ContractNumber string `json:"contract_number,omitempty"`
	// Class is what the association's rules make of the vehicle's situação (Rules.Classify).
	Class string `json:"-"`
}

// Active reports whether the vehicle is active: SGA still lists it and the association's
// rules take its situação as active (Rules.Active). Only an active vehicle is imported.
func (v VehicleView) Active() bool { return !v.Gone && v.Class == ClassActive }

// VehiclesOfClient lists a client's vehicles, by plate, with their contracts.
func (s *Store) VehiclesOfClient(client int64) ([]VehicleView, error) {
	var out []VehicleView
	err := s.view(func(tx txn) error {
		var rules Rules
		if err := readRules(tx, &rules); err != nil {
			return err
		}
		c := tx.Bucket(bVehicleClient).Cursor()
		prefix := i64(client)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v, err := vehicleView(tx, rules, k[8:])
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Plate != out[j].Plate {
			return out[i].Plate < out[j].Plate
		}
		return out[i].SGACode < out[j].SGACode
	})
	return out, err
}

// vehicleView reads one vehicle with its contract number and the class rules give it.
func vehicleView(tx txn, rules Rules, key []byte) (VehicleView, error) {
	var v VehicleView
	found, err := getVehicle(tx.Bucket(bVehicles), key, &v.Vehicle)
	if err != nil {
		return v, err
	}
	if !found {
		return v, fmt.Errorf("vehicle %d: %w", int64(binary.BigEndian.Uint64(key)), ErrNotFound)
	}
	v.ContractNumber = string(tx.Bucket(bContractVeh).Get(assocKey(tx.assocID(), key)))
	v.Class = rules.Classify(v.Situation)
	return v, nil
}

// VehicleByCode returns one vehicle with its contract number.
func (s *Store) VehicleByCode(code int64) (VehicleView, error) {
	var v VehicleView
	err := s.view(func(tx txn) error {
		var rules Rules
		if err := readRules(tx, &rules); err != nil {
			return err
		}
		var err error
		v, err = vehicleView(tx, rules, i64(code))
		return err
	})
	return v, err
}

// VehiclesByPlate finds vehicles whose plate starts with the given text (hyphens and case
// ignored), up to limit.
func (s *Store) VehiclesByPlate(plate string, limit int) ([]VehicleView, error) {
	if limit <= 0 {
		limit = 50
	}
	p := norm.Plate(plate)
	var out []VehicleView
	if p == "" {
		return nil, nil
	}
	err := s.view(func(tx txn) error {
		var rules Rules
		if err := readRules(tx, &rules); err != nil {
			return err
		}
		c := tx.Bucket(bVehiclePlate).Cursor()
		for k, _ := c.Seek([]byte(p)); k != nil && bytes.HasPrefix(k, []byte(p)) && len(out) < limit; k, _ = c.Next() {
			v, err := vehicleView(tx, rules, k[len(k)-8:])
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Counts are the register's totals.
type Counts struct {
	Clients, Vehicles, Contracts, Orders int
}

// Counts returns how many records the store holds: its association's, or, seen from none,
// those of every association it may see.
func (s *Store) Counts() (Counts, error) {
	var c Counts
	err := s.view(func(tx txn) error {
		c = Counts{}
		if err := s.eachVisible(tx, func(t txn) error {
			c.Clients += t.Bucket(bClients).Stats().KeyN
			c.Vehicles += t.Bucket(bVehicles).Stats().KeyN
			prefix := u64(t.assocID())
			cur := tx.Bucket(bContractVeh).Cursor()
			for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
				c.Contracts++
			}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bOrders).ForEach(func(k, v []byte) error {
			var o struct {
				Association uint64 `json:"association"`
			}
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("order %s: %w", k, err)
			}
			if s.shows(o.Association) {
				c.Orders++
			}
			return nil
		})
	})
	return c, err
}
