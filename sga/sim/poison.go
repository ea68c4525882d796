package sim

import (
	"fmt"
	"strconv"
	"time"
)

// Records as a careless import or integration leaves them in SGA: values its screens would
// refuse, and an audit that names records the register no longer has. Each is logged in the
// change feed, as SGA logs every edit.

// Edit sets one field of a vehicle, or of the vehicle's member, to value exactly as given,
// without the checks SGA's screens make (a 2 MB plate, a name of 40,000 letters), and logs
// the change. field is placa or chassi (the vehicle's), or nome, cpf or email (its member's).
func (s *Sim) Edit(vehicleCode int64, field, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vi, err := s.vehicle(vehicleCode)
	if err != nil {
		return err
	}
	v := &s.d.vehicles[vi]
	m := &s.d.members[v.member]
	switch field {
	case "placa":
		delete(s.d.vehicleByPlt, v.plate)
		s.logChange(v.code, m.code, field, v.plate, value)
		v.plate = value
		s.d.vehicleByPlt[value] = vi
	case "chassi":
		delete(s.d.vehicleByChs, v.chassis)
		s.logChange(v.code, m.code, field, v.chassis, value)
		v.chassis = value
		s.d.vehicleByChs[value] = vi
	case "nome":
		s.logChange(0, m.code, field, m.name, value)
		m.name = value
	case "cpf":
		delete(s.d.memberByCPF, m.cpf)
		s.logChange(0, m.code, field, m.cpf, value)
		m.cpf = value
		s.d.memberByCPF[value] = v.member
	case "email":
		s.logChange(0, m.code, field, m.email, value)
		m.email = value
	default:
		return fmt.Errorf("sim: Edit does not know the field %q", field)
	}
	return nil
}

// MoveToUnknownMember logs, in the vehicle feed, a change of the vehicle's codigo_associado
// to member, a code associado/buscar does not find (a member created and deleted again, say),
// and leaves the register as it was: SGA's audit then says what its register does not.
func (s *Sim) MoveToUnknownMember(vehicleCode, member int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vi, err := s.vehicle(vehicleCode)
	if err != nil {
		return err
	}
	if _, known := s.d.memberByCode[member]; known {
		return fmt.Errorf("sim: member %d exists", member)
	}
	v := &s.d.vehicles[vi]
	from := s.d.members[v.member].code
	s.logChange(v.code, from, "codigo_associado", strconv.FormatInt(from, 10), strconv.FormatInt(member, 10))
	return nil
}

// LogChangeAt logs a change of a vehicle's field dated at, whatever its code: SGA numbers
// changes as they are saved, and a change saved late (an import, a batch edit) carries the
// time it was made, so the feed's codes and times need not agree. It changes the register
// to after only when the change is the vehicle's latest by time. field is codigo_situacao or
// placa.
func (s *Sim) LogChangeAt(vehicleCode int64, field, after string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vi, err := s.vehicle(vehicleCode)
	if err != nil {
		return err
	}
	v := &s.d.vehicles[vi]
	var before string
	switch field {
	case "codigo_situacao":
		before = strconv.Itoa(v.situation)
	case "placa":
		before = v.plate
	default:
		return fmt.Errorf("sim: LogChangeAt does not know the field %q", field)
	}
	latest := true
	for _, c := range s.changes {
		if c.vehicle == v.code && c.field == field && c.at.After(at) {
			latest = false
		}
	}
	if before == after {
		return nil // SGA logs no change that changes nothing
	}
	s.logChange(v.code, s.d.members[v.member].code, field, before, after)
	s.changes[len(s.changes)-1].at = at
	if !latest {
		return nil
	}
	switch field {
	case "codigo_situacao":
		n, err := strconv.Atoi(after)
		if err != nil {
			return err
		}
		v.situation = n
	case "placa":
		delete(s.d.vehicleByPlt, v.plate)
		v.plate = after
		s.d.vehicleByPlt[after] = vi
	}
	return nil
}
