package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"ponte/store/norm"
)

// Situation is a row of the association's situação table.
type Situation struct {
	Code        int
	Description string
}

// DefaultSituations is the table the simulator serves unless told otherwise.
var DefaultSituations = []Situation{
	{1, "ATIVO"}, {2, "INADIMPLENTE"}, {3, "CANCELADO"}, {4, "INATIVO"}, {5, "PENDENTE"},
}

// Product is a product of the association's catalogue.
type Product struct {
	Code     string
	Name     string
	Cents    int64 // monthly price
	Supplier bool  // supplied by us: appears in the supplier-sync listing
}

type member struct {
	code       int64
	name       string
	sex        string
	cpf        string // 11 digits
	rg         string
	birth      time.Time
	ddd        string
	mobile     string // 9XXXX-XXXX
	phone      string // 3XXX-XXXX
	email      string
	zip        string
	street     string
	number     string
	district   string
	city       string
	uf         string
	situation  int
	registered time.Time
	vehicles   []int // indexes into data.vehicles
}

type vehicle struct {
	code      int64
	member    int // index into data.members
	plate     string
	chassis   string
	renavam   string
	brand     string
	model     string
	kind      string
	color     string
	fuel      string
	yearMade  int
	yearModel int
	fipeCode  string
	fipeCents int64
	situation int
	products  []string // product codes, in catalogue order
	created   time.Time
	contract  time.Time
}

// data is the association's whole register. The generator is sequential, so member i is the
// same for a given seed whatever the number of members asked for.
type data struct {
	rng      *rand.Rand
	products []Product
	ours     string // our product's code

	members  []member
	vehicles []vehicle

	memberByCode  map[int64]int
	memberByCPF   map[string]int
	vehicleByCode map[int64]int
	vehicleByPlt  map[string]int
	vehicleByChs  map[string]int

	nextMember, nextVehicle int64
}

func newData(seed uint64, members int) *data {
	d := &data{
		rng:           rand.New(rand.NewPCG(seed, 0x5ca1ab1e)),
		memberByCode:  make(map[int64]int, members),
		memberByCPF:   make(map[string]int, members),
		vehicleByCode: make(map[int64]int, members*5/2),
		vehicleByPlt:  make(map[string]int, members*5/2),
		vehicleByChs:  make(map[string]int, members*5/2),
		nextMember:    10001,
		nextVehicle:   50001,
	}
	d.ours = fmt.Sprint(10 + d.rng.IntN(80))
	d.products = []Product{
		{"1", "ASSISTÊNCIA 24H", 2990, false},
		{"2", "CARRO RESERVA 7 DIAS", 1990, false},
		{"3", "PROTEÇÃO DE VIDROS", 1500, false},
		{"4", "COBERTURA A TERCEIROS", 3490, false},
		{d.ours, "RASTREADOR", 5990, true},
		{fmt.Sprint(100 + d.rng.IntN(80)), "BLOQUEADOR VEICULAR", 2490, true},
	}
	for range members {
		d.addMember(d.rng, 0)
	}
	return d
}

// epoch anchors generated dates, so that they do not depend on when the simulator runs.
var epoch = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

func (d *data) addMember(r *rand.Rand, vehicles int) int {
	m := member{code: d.nextMember}
	d.nextMember += int64(1 + r.IntN(3)) // codes have gaps, as in any register with deletions
	female := r.IntN(2) == 0
	first := pick(r, maleNames)
	m.sex = "M"
	if female {
		first, m.sex = pick(r, femaleNames), "F"
	}
	s1, s2 := pick(r, surnames), pick(r, surnames)
	for s2 == s1 {
		s2 = pick(r, surnames)
	}
	m.name = first + " " + s1 + " " + s2
	if r.IntN(4) == 0 {
		m.name = first + " " + pick(r, surnames) + " " + s1 + " " + s2
	}
	for {
		m.cpf = makeCPF(r)
		if _, dup := d.memberByCPF[m.cpf]; !dup {
			break
		}
	}
	m.rg = fmt.Sprintf("%02d.%03d.%03d-%d", r.IntN(100), r.IntN(1000), r.IntN(1000), r.IntN(10))
	m.birth = time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	c := pick(r, cities)
	m.city, m.uf, m.ddd = c.name, c.uf, c.ddd
	m.zip = fmt.Sprintf("%s%02d-%03d", c.cep, r.IntN(100), r.IntN(1000))
	m.street, m.number, m.district = pick(r, streets), fmt.Sprint(1+r.IntN(3000)), pick(r, districts)
	m.mobile = fmt.Sprintf("9%04d-%04d", 6000+r.IntN(4000), r.IntN(10000))
	m.phone = fmt.Sprintf("3%03d-%04d", r.IntN(1000), r.IntN(10000))
	m.email = fmt.Sprintf("%s.%s%d@%s", asciiLower(first), asciiLower(s1), r.IntN(100), pick(r, emailDomains))
	m.situation = drawSituation(r)
	m.registered = epoch.AddDate(0, 0, r.IntN(3650))

	idx := len(d.members)
	d.members = append(d.members, m)
	d.memberByCode[m.code] = idx
	d.memberByCPF[m.cpf] = idx
	if vehicles <= 0 {
		vehicles = 1 + weighted(r, []int{70, 20, 7, 3})
	}
	for range vehicles {
		d.addVehicle(r, idx, false)
	}
	return idx
}

// addVehicle registers a new vehicle for member mi. withOurs forces our product on it.
func (d *data) addVehicle(r *rand.Rand, mi int, withOurs bool) int {
	m := &d.members[mi]
	b := pick(r, brands)
	md := pick(r, b.models)
	v := vehicle{
		code:   d.nextVehicle,
		member: mi,
		brand:  b.name,
		model:  md.name,
		kind:   md.kind,
		color:  pick(r, colors),
		fuel:   pick(r, fuels),
	}
	d.nextVehicle += int64(1 + r.IntN(2))
	v.yearMade = 2008 + r.IntN(18)
	v.yearModel = v.yearMade + r.IntN(2)
	age := max(0, 2026-v.yearModel)
	v.fipeCents = md.fipe * 100 * int64(100-min(age*6, 70)) / 100
	v.fipeCode = fmt.Sprintf("%s-%d", md.fipeC, r.IntN(10))
	zeroKm := r.IntN(40) == 0
	for !zeroKm {
		if r.IntN(10) < 7 {
			v.plate = fmt.Sprintf("%c%c%c%d%c%d%d", letter(r), letter(r), letter(r), r.IntN(10), letter(r), r.IntN(10), r.IntN(10))
		} else {
			v.plate = fmt.Sprintf("%c%c%c%04d", letter(r), letter(r), letter(r), r.IntN(10000))
		}
		if _, dup := d.vehicleByPlt[v.plate]; !dup {
			break
		}
	}
	for {
		v.chassis = makeChassis(r, b.wmi)
		if _, dup := d.vehicleByChs[v.chassis]; !dup {
			break
		}
	}
	v.renavam = makeRenavam(r)
	v.situation = m.situation
	if r.IntN(10) == 0 {
		v.situation = drawSituation(r)
	}
	v.created = m.registered.AddDate(0, 0, r.IntN(400))
	v.contract = v.created.AddDate(0, 0, r.IntN(10))
	// Our tracker on most vehicles, the supplier's blocker alone on a few, and the usual
	// protection products on many.
	roll := r.IntN(100)
	for _, p := range d.products {
		switch {
		case p.Code == d.ours:
			if withOurs || roll < 85 {
				v.products = append(v.products, p.Code)
			}
		case p.Supplier:
			if roll >= 85 && roll < 91 || (roll < 85 && r.IntN(10) == 0) {
				v.products = append(v.products, p.Code)
			}
		default:
			if r.IntN(3) > 0 {
				v.products = append(v.products, p.Code)
			}
		}
	}
	idx := len(d.vehicles)
	d.vehicles = append(d.vehicles, v)
	m.vehicles = append(m.vehicles, idx)
	d.vehicleByCode[v.code] = idx
	if v.plate != "" {
		d.vehicleByPlt[v.plate] = idx
	}
	d.vehicleByChs[v.chassis] = idx
	return idx
}

func (d *data) product(code string) (Product, bool) {
	for _, p := range d.products {
		if p.Code == code {
			return p, true
		}
	}
	return Product{}, false
}

// supplierProducts returns the supplier's products that v carries.
func (d *data) supplierProducts(v *vehicle) []Product {
	var out []Product
	for _, code := range v.products {
		if p, ok := d.product(code); ok && p.Supplier {
			out = append(out, p)
		}
	}
	return out
}

func drawSituation(r *rand.Rand) int {
	return 1 + weighted(r, []int{80, 7, 7, 3, 3})
}

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func letter(r *rand.Rand) byte { return byte('A' + r.IntN(26)) }

// makeCPF returns 11 digits with valid check digits, never all the same digit.
func makeCPF(r *rand.Rand) string {
	for {
		var d [9]byte
		for i := range d {
			d[i] = byte('0' + r.IntN(10))
		}
		if nine := string(d[:]); strings.Count(nine, nine[:1]) != 9 {
			return nine + norm.CPFCheckDigits(nine)
		}
	}
}

// makeRenavam returns 11 digits whose last one is RENAVAM's check digit.
func makeRenavam(r *rand.Rand) string {
	var sb strings.Builder
	for range 10 {
		sb.WriteByte(byte('0' + r.IntN(10)))
	}
	base := sb.String()
	sb.WriteByte(byte('0' + renavamDigit(base)))
	return sb.String()
}

func renavamDigit(base string) int {
	weights := []int{3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := range 10 {
		sum += int(base[i]-'0') * weights[i]
	}
	dv := sum * 10 % 11
	if dv == 10 {
		return 0
	}
	return dv
}

// ValidRenavam reports whether s is an 11-digit RENAVAM with a valid check digit.
func ValidRenavam(s string) bool {
	if len(s) != 11 || !norm.AllDigits(s) {
		return false
	}
	return renavamDigit(s[:10]) == int(s[10]-'0')
}

// chassis characters: a VIN never uses I, O or Q.
const vinChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

func makeChassis(r *rand.Rand, wmi string) string {
	var sb strings.Builder
	sb.WriteString(wmi)
	for sb.Len() < 17 {
		sb.WriteByte(vinChars[r.IntN(len(vinChars))])
	}
	return sb.String()
}

func asciiLower(s string) string { return strings.ToLower(norm.Fold(s)) }
