package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
)

// The days the change feeds show only in part. SGA's feeds report the columns of the vehicle
// and member tables; product links live in another table, so a product moved from one vehicle
// to another, a vehicle that gains our product, or one registered with only the supplier's
// other product shows only in the supplier-sync listing. Corrections of a vehicle's columns
// are in the feed, the descriptive ones (model, brand, colour) as SGA's codes for them.

// The vehicle columns a correction changes, as the vehicle feed names them.
const (
	FieldModel     = "codigo_modelo"
	FieldBrand     = "codigo_marca"
	FieldColor     = "codigo_cor"
	FieldYearMade  = "ano_fabricacao"
	FieldYearModel = "ano_modelo"
	FieldRenavam   = "renavam"
)

// Correction is what a vehicle's register is corrected to; empty and zero fields stay.
type Correction struct {
	Brand, Model, Color string
	YearMade, YearModel int
	Renavam             string
}

// Correct changes a vehicle's columns, each change logged in the vehicle feed.
func (s *Sim) Correct(vehicleCode int64, c Correction) error {
	return s.editVehicle(vehicleCode, false, func(vi int) { s.correct(vi, c) })
}

func (s *Sim) correct(vi int, c Correction) {
	v := &s.d.vehicles[vi]
	member := s.d.members[v.member].code
	set := func(field string, old *string, to string, code func(string) int) {
		if to == "" || to == *old {
			return
		}
		s.logChange(v.code, member, field, strconv.Itoa(code(*old)), strconv.Itoa(code(to)))
		*old = to
	}
	set(FieldBrand, &v.brand, c.Brand, nameCode)
	set(FieldModel, &v.model, c.Model, nameCode)
	set(FieldColor, &v.color, c.Color, nameCode)
	years := func(field string, old *int, to int) {
		if to != 0 && to != *old {
			s.logChange(v.code, member, field, strconv.Itoa(*old), strconv.Itoa(to))
			*old = to
		}
	}
	years(FieldYearMade, &v.yearMade, c.YearMade)
	years(FieldYearModel, &v.yearModel, c.YearModel)
	if c.Renavam != "" && c.Renavam != v.renavam {
		s.logChange(v.code, member, FieldRenavam, v.renavam, c.Renavam)
		v.renavam = c.Renavam
	}
}

// nameCode is SGA's code for a description in one of its lookup tables (models, brands,
// colours): stable for a name, as the table's row is.
func nameCode(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 1000 + int(h.Sum32()%90000)
}

// LinkOurs links our product to a vehicle. One that carried none of the supplier's products
// enters the supplier-sync listing where its code falls, among older vehicles.
func (s *Sim) LinkOurs(vehicleCode int64) error {
	return s.editVehicle(vehicleCode, true, s.linkOurs)
}

func (s *Sim) linkOurs(vi int) {
	v := &s.d.vehicles[vi]
	if slices.Contains(v.products, s.d.ours) {
		return
	}
	v.products = append(v.products, s.d.ours)
	slices.SortFunc(v.products, func(a, b string) int { return s.d.catalogueIndex(a) - s.d.catalogueIndex(b) })
}

// UnlinkOurs unlinks our product alone from a vehicle: the supplier's other product, if the
// vehicle has it, keeps it in the listing.
func (s *Sim) UnlinkOurs(vehicleCode int64) error {
	return s.editVehicle(vehicleCode, true, func(vi int) {
		v := &s.d.vehicles[vi]
		v.products = slices.DeleteFunc(v.products, func(code string) bool { return code == s.d.ours })
	})
}

// AddVehicleOtherOnly registers a new vehicle for an existing member with the supplier's other
// product and not ours: the listing grows by one that ponte keeps nothing of.
func (s *Sim) AddVehicleOtherOnly(memberCode int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mi, found := s.d.memberByCode[memberCode]
	if !found {
		return 0, fmt.Errorf("no member %d", memberCode)
	}
	other := s.d.otherSupplierProduct()
	if other == "" {
		return 0, fmt.Errorf("the catalogue has no other product of the supplier")
	}
	s.gen++
	vi := s.d.addOtherOnly(rand.New(rand.NewPCG(s.opts.Seed, uint64(s.gen))), mi, other)
	s.rebuildSyncList()
	return s.d.vehicles[vi].code, nil
}

// addOtherOnly adds a vehicle to member mi with the supplier's product other and none of ours.
func (d *data) addOtherOnly(r *rand.Rand, mi int, other string) int {
	vi := d.addVehicle(r, mi, false)
	v := &d.vehicles[vi]
	v.products = slices.DeleteFunc(v.products, func(code string) bool { p, _ := d.product(code); return p.Supplier })
	v.products = append(v.products, other)
	slices.SortFunc(v.products, func(a, b string) int { return d.catalogueIndex(a) - d.catalogueIndex(b) })
	return vi
}

// otherSupplierProduct is the supplier's product that is not ours (its blocker), or "".
func (d *data) otherSupplierProduct() string {
	for _, p := range d.products {
		if p.Supplier && p.Code != d.ours {
			return p.Code
		}
	}
	return ""
}

// catalogueIndex is a product's place in the catalogue, which products are listed in.
func (d *data) catalogueIndex(code string) int {
	return slices.IndexFunc(d.products, func(p Product) bool { return p.Code == code })
}

// churnPartly is a churn round's share of what the feeds show only in part, each at the rate
// of the plates' conversions; the caller holds s.mu and rebuilds the listing.
func (s *Sim) churnPartly(r *rand.Rand, spare map[int64]bool, rep *ChurnReport) {
	nv := len(s.d.vehicles)
	free := func(pred func(v *vehicle) bool) int { // a vehicle not spared that pred accepts, or -1
		for range 20 {
			vi := r.IntN(nv)
			if v := &s.d.vehicles[vi]; !spare[v.code] && pred(v) {
				return vi
			}
		}
		return -1
	}
	onlyOurs := func(v *vehicle) bool {
		sp := s.d.supplierProducts(v)
		return len(sp) == 1 && sp[0].Code == s.d.ours
	}
	unlisted := func(v *vehicle) bool { return len(s.d.supplierProducts(v)) == 0 }
	for range max(1, nv/2000) {
		from, to := free(onlyOurs), free(unlisted)
		if from < 0 || to < 0 {
			continue
		}
		v := &s.d.vehicles[from]
		v.products = slices.DeleteFunc(v.products, func(code string) bool { return code == s.d.ours })
		s.linkOurs(to)
		rep.ProductsMoved = append(rep.ProductsMoved, [2]int64{v.code, s.d.vehicles[to].code})
	}
	for range max(1, nv/2000) {
		if vi := free(unlisted); vi >= 0 {
			s.linkOurs(vi)
			rep.OursLinked = append(rep.OursLinked, s.d.vehicles[vi].code)
		}
	}
	if other := s.d.otherSupplierProduct(); other != "" {
		for range max(1, nv/2000) {
			vi := s.d.addOtherOnly(r, r.IntN(len(s.d.members)), other)
			rep.OtherOnlyAdded = append(rep.OtherOnlyAdded, s.d.vehicles[vi].code)
		}
	}
	for range max(1, nv/2000) {
		vi := free(func(v *vehicle) bool { return len(s.d.supplierProducts(v)) > 0 })
		if vi < 0 {
			continue
		}
		b := pick(r, brands)
		s.correct(vi, Correction{Brand: b.name, Model: pick(r, b.models).name, Color: pick(r, colors),
			YearModel: s.d.vehicles[vi].yearMade + 1})
		rep.Corrected = append(rep.Corrected, s.d.vehicles[vi].code)
	}
	for range max(1, len(s.d.members)/2000) {
		mi := r.IntN(len(s.d.members))
		s.setMobile(mi, fmt.Sprintf("9%04d-%04d", 6000+r.IntN(4000), r.IntN(10000)))
		rep.MobilesChanged = append(rep.MobilesChanged, s.d.members[mi].code)
	}
}

// SetMemberMobile changes a member's mobile number (9XXXX-XXXX, its area code kept), logged in
// the member feed as telefone_celular.
func (s *Sim) SetMemberMobile(memberCode int64, mobile string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mi, found := s.d.memberByCode[memberCode]
	if !found {
		return fmt.Errorf("no member %d", memberCode)
	}
	s.setMobile(mi, mobile)
	return nil
}

func (s *Sim) setMobile(mi int, mobile string) {
	m := &s.d.members[mi]
	s.logChange(0, m.code, "telefone_celular", m.mobile, mobile)
	m.mobile = mobile
}
