package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// A register changes while ponte runs: situações change, members add vehicles, new members
// join. Churn does that on purpose, deterministically from the seed and the round number, so
// that a second sync has something to find.

// ChurnReport says what one round of churn changed.
type ChurnReport struct {
	Round             int
	SituationsChanged []int64 // vehicle codes
	VehiclesAdded     []int64
	MembersAdded      []int64
	PlatesChanged     []int64 // vehicle codes
	ProductsRemoved   []int64 // vehicle codes that lost the supplier's products
	EmailsChanged     []int64 // member codes
	// What the feeds show only in part: our product moved from one vehicle to another (the
	// listing's count stays), linked to a vehicle listed among older codes, a vehicle added
	// with only the supplier's other product, and corrections of a vehicle's columns.
	ProductsMoved  [][2]int64 // from, to
	OursLinked     []int64
	OtherOnlyAdded []int64
	Corrected      []int64
	MobilesChanged []int64 // member codes
}

func (r ChurnReport) String() string {
	return fmt.Sprintf("round %d: %d situações changed, %d vehicles added, %d members added, %d plates changed, %d vehicles without our products, %d e-mails changed, %d products moved, %d linked, %d added with another product, %d corrected, %d mobiles changed",
		r.Round, len(r.SituationsChanged), len(r.VehiclesAdded), len(r.MembersAdded), len(r.PlatesChanged),
		len(r.ProductsRemoved), len(r.EmailsChanged), len(r.ProductsMoved), len(r.OursLinked), len(r.OtherOnlyAdded), len(r.Corrected), len(r.MobilesChanged))
}

// Churn applies one round of changes: about 0.5% of the vehicles change situação, 0.2% more
// vehicles appear on existing members, and 0.1% more members join, each at least one.
func (s *Sim) Churn() ChurnReport { return s.ChurnSparing(nil) }

// ChurnSparing is Churn leaving alone the vehicles spare names, by code (the round's other
// changes stay as Churn's): the demo changes those itself, one at a time, so that each
// change is one an operator can follow.
func (s *Sim) ChurnSparing(spare map[int64]bool) ChurnReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	rep := ChurnReport{Round: s.gen}
	r := rand.New(rand.NewPCG(s.opts.Seed, uint64(s.gen)))
	nv, nm := len(s.d.vehicles), len(s.d.members)
	for range max(1, nv/200) {
		vi := r.IntN(nv)
		v := &s.d.vehicles[vi]
		next := s.opts.Situations[r.IntN(len(s.opts.Situations))].Code
		if next == v.situation || spare[v.code] {
			continue
		}
		s.setSituation(vi, next)
		rep.SituationsChanged = append(rep.SituationsChanged, v.code)
	}
	for range max(1, nv/500) {
		vi := s.d.addVehicle(r, r.IntN(nm), true)
		rep.VehiclesAdded = append(rep.VehiclesAdded, s.d.vehicles[vi].code)
	}
	for range max(1, nm/1000) {
		mi := s.d.addMember(r, 1+r.IntN(2))
		rep.MembersAdded = append(rep.MembersAdded, s.d.members[mi].code)
	}
	// Then, at a tenth of the situações' rate each: a plate converted to Mercosul, a member who
	// drops our service (the supplier's products leave the vehicle), an e-mail changed.
	for range max(1, nv/2000) {
		vi := r.IntN(nv)
		if old := s.d.vehicles[vi].plate; !spare[s.d.vehicles[vi].code] && len(old) == 7 && old[4] >= '0' && old[4] <= '9' {
			s.setPlate(vi, old[:4]+string(rune('A'+old[4]-'0'))+old[5:])
			if s.d.vehicles[vi].plate != old {
				rep.PlatesChanged = append(rep.PlatesChanged, s.d.vehicles[vi].code)
			}
		}
	}
	for range max(1, nv/2000) {
		vi := r.IntN(nv)
		if !spare[s.d.vehicles[vi].code] && len(s.d.supplierProducts(&s.d.vehicles[vi])) > 0 {
			s.dropSupplier(vi)
			rep.ProductsRemoved = append(rep.ProductsRemoved, s.d.vehicles[vi].code)
		}
	}
	for range max(1, nm/2000) {
		m := &s.d.members[r.IntN(nm)]
		email := fmt.Sprintf("novo.%d.%d@example.com", m.code, s.gen)
		s.logChange(0, m.code, "email", m.email, email)
		m.email = email
		rep.EmailsChanged = append(rep.EmailsChanged, m.code)
	}
	s.churnPartly(r, spare, &rep)
	s.rebuildSyncList()
	return rep
}

// RunChurn applies a round of churn every interval until ctx ends, reporting each round.
func (s *Sim) RunChurn(ctx context.Context, every time.Duration, report func(ChurnReport)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rep := s.Churn()
			if report != nil {
				report(rep)
			}
		}
	}
}

// SetSituation changes one vehicle's situação.
func (s *Sim) SetSituation(vehicleCode int64, situation int) error {
	if _, known := s.sits[situation]; !known {
		return fmt.Errorf("unknown situação %d", situation)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vi, err := s.vehicle(vehicleCode)
	if err != nil {
		return err
	}
	s.setSituation(vi, situation)
	return nil
}

// AddVehicle registers a new vehicle, with our product, for an existing member.
func (s *Sim) AddVehicle(memberCode int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mi, found := s.d.memberByCode[memberCode]
	if !found {
		return 0, fmt.Errorf("no member %d", memberCode)
	}
	s.gen++
	vi := s.d.addVehicle(rand.New(rand.NewPCG(s.opts.Seed, uint64(s.gen))), mi, true)
	s.rebuildSyncList()
	return s.d.vehicles[vi].code, nil
}

// AddMember registers a new member with the given number of vehicles (at least one).
func (s *Sim) AddMember(vehicles int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	mi := s.d.addMember(rand.New(rand.NewPCG(s.opts.Seed, uint64(s.gen))), max(1, vehicles))
	s.rebuildSyncList()
	return s.d.members[mi].code
}

// VehicleInfo is the simulator's own view of a vehicle, for tests and for ground truth.
type VehicleInfo struct {
	Code       int64
	MemberCode int64
	MemberCPF  string
	Plate      string
	Chassis    string
	Renavam    string
	Situation  int
	Products   []string
}

// Vehicles returns every vehicle, in code order.
func (s *Sim) Vehicles() []VehicleInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]VehicleInfo, len(s.d.vehicles))
	for i := range s.d.vehicles {
		v := &s.d.vehicles[i]
		m := &s.d.members[v.member]
		out[i] = VehicleInfo{Code: v.code, MemberCode: m.code, MemberCPF: m.cpf, Plate: v.plate,
			Chassis: v.chassis, Renavam: v.renavam, Situation: v.situation, Products: append([]string(nil), v.products...)}
	}
	return out
}

// Counts returns how many members and vehicles the register holds.
func (s *Sim) Counts() (members, vehicles int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.d.members), len(s.d.vehicles)
}

// Products returns the association's product catalogue; Supplier marks ours and the supplier's.
func (s *Sim) Products() []Product {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Product(nil), s.d.products...)
}
