package sim

// The wire shapes the simulator sends, as SGA sends them, and the helpers that fill them.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"ponte/store/norm"
)

type vehicleWire struct {
	Code          string `json:"codigo_veiculo"`
	Plate         string `json:"placa"`
	Chassis       string `json:"chassi"`
	Renavam       string `json:"renavam"`
	FipeCode      string `json:"codigo_fipe,omitempty"`
	FipeValue     string `json:"valor_fipe"`
	FixedValue    string `json:"valor_fixo,omitempty"`
	YearMade      string `json:"ano_fabricacao"`
	YearModel     string `json:"ano_modelo"`
	TypeCode      string `json:"codigo_tipo"`
	Type          string `json:"tipo"`
	Category      string `json:"categoria"`
	Brand         string `json:"marca"`
	Model         string `json:"modelo"`
	Color         string `json:"cor,omitempty"`
	Fuel          string `json:"combustivel,omitempty"`
	MemberCode    string `json:"codigo_associado"`
	OwnerName     string `json:"nome,omitempty"`
	OwnerCPF      string `json:"cpf,omitempty"`
	MemberName    string `json:"nome_associado,omitempty"`
	MemberCPF     string `json:"cpf_associado,omitempty"`
	MobileDDD     string `json:"ddd_celular"`
	Mobile        string `json:"telefone_celular"`
	Email         string `json:"email"`
	City          string `json:"cidade,omitempty"`
	State         string `json:"estado,omitempty"`
	Cooperative   string `json:"codigo_cooperativa"`
	Regional      string `json:"codigo_regional"`
	Situation     string `json:"codigo_situacao"`
	SituationDs   string `json:"descricao_situacao"`
	Registered    string `json:"data_cadastro"`
	ContractDate  string `json:"data_contrato"`
	VolunteerCode string `json:"codigo_voluntario"`
	VolunteerName string `json:"nome_voluntario"`
}

func (s *Sim) vehicleWire(vi int, detail bool) vehicleWire {
	v := &s.d.vehicles[vi]
	m := &s.d.members[v.member]
	w := vehicleWire{
		Code: strconv.FormatInt(v.code, 10), Plate: v.plate, Chassis: v.chassis, Renavam: v.renavam,
		FipeValue: dotMoney(v.fipeCents), YearMade: strconv.Itoa(v.yearMade), YearModel: strconv.Itoa(v.yearModel),
		TypeCode: strconv.Itoa(typeCode(v.kind)), Type: v.kind, Category: "PASSEIO", Brand: v.brand, Model: v.model,
		MemberCode: strconv.FormatInt(m.code, 10), MobileDDD: m.ddd, Mobile: m.mobile, Email: m.email,
		Cooperative: strconv.Itoa(1 + int(m.code%3)), Regional: strconv.Itoa(1 + int(m.code%5)),
		Situation: strconv.Itoa(v.situation), SituationDs: s.sits[v.situation],
		Registered: v.created.Format("2006-01-02"), ContractDate: v.contract.Format("2006-01-02"),
		VolunteerCode: strconv.Itoa(7 + int(m.code%4)), VolunteerName: volunteers[m.code%int64(len(volunteers))],
	}
	if detail {
		w.FipeCode, w.FixedValue, w.Color, w.Fuel = v.fipeCode, dotMoney(fixedFee(v)), v.color, v.fuel
		w.OwnerName, w.OwnerCPF, w.City, w.State = m.name, m.cpf, m.city, m.uf
	} else {
		w.MemberName, w.MemberCPF = m.name, m.cpf
	}
	return w
}

var volunteers = []string{"CONSULTOR CARLOS", "CONSULTORA PATRÍCIA", "CONSULTOR MARCOS", "CONSULTORA JULIANA"}

type productVehicleWire struct {
	Code         string       `json:"codigo_veiculo"`
	Plate        string       `json:"placa"`
	Chassis      string       `json:"chassi"`
	Renavam      string       `json:"renavam"`
	MemberCode   string       `json:"codigo_associado"`
	Type         string       `json:"descricao_tipo"`
	Category     string       `json:"descricao_categoria"`
	FipeValue    float64      `json:"valor_fipe"`
	FixedValue   float64      `json:"valor_fixo"`
	YearMade     int          `json:"ano_fabricacao"`
	YearModel    int          `json:"ano_modelo"`
	Fuel         string       `json:"descricao_combustivel"`
	Color        string       `json:"descricao_cor"`
	Brand        string       `json:"descricao_marca"`
	Model        string       `json:"descricao_modelo"`
	Name         string       `json:"nome"`
	CPF          string       `json:"cpf"`
	MobileDDD    string       `json:"ddd_celular"`
	Mobile       string       `json:"telefone_celular"`
	Email        string       `json:"email"`
	Situation    string       `json:"codigo_situacao"`
	SituationDs  string       `json:"descricao_situacao"`
	Registered   string       `json:"data_cadastro_veiculo"`
	ContractDate string       `json:"data_contrato_veiculo"`
	RegisteredAt string       `json:"hora_cadastro_veiculo"`
	Products     []linkedWire `json:"produtos_vinculados"`
}

type linkedWire struct {
	Code        string `json:"codigo_produto"`
	VehicleCode string `json:"codigo_veiculo"`
	Value       string `json:"valor_produto"`
	Desc        string `json:"descricao_produto"`
	BillDesc    string `json:"descricao_boleto"`
}

func (s *Sim) productVehicleWire(vi int) productVehicleWire {
	v := &s.d.vehicles[vi]
	m := &s.d.members[v.member]
	w := productVehicleWire{
		Code: strconv.FormatInt(v.code, 10), Plate: v.plate, Chassis: v.chassis, Renavam: v.renavam,
		MemberCode: strconv.FormatInt(m.code, 10), Type: v.kind, Category: "PASSEIO",
		FipeValue: float64(v.fipeCents) / 100, FixedValue: float64(fixedFee(v)) / 100,
		YearMade: v.yearMade, YearModel: v.yearModel, Fuel: v.fuel, Color: v.color, Brand: v.brand, Model: v.model,
		Name: m.name, CPF: m.cpf, MobileDDD: m.ddd, Mobile: m.mobile, Email: m.email,
		Situation: strconv.Itoa(v.situation), SituationDs: s.sits[v.situation],
		Registered: v.created.Format("2006-01-02"), ContractDate: v.contract.Format("2006-01-02"),
		RegisteredAt: fmt.Sprintf("%02d:%02d:00", 8+v.code%10, v.code%60),
		Products:     []linkedWire{},
	}
	for _, code := range v.products {
		p, _ := s.d.product(code)
		w.Products = append(w.Products, linkedWire{p.Code, w.Code, dotMoney(p.Cents), p.Name, p.Name})
	}
	return w
}

type syncWire struct {
	Code        string            `json:"codigo_veiculo"`
	Plate       string            `json:"placa"`
	Chassis     string            `json:"chassi"`
	Renavam     string            `json:"renavam"`
	YearMade    string            `json:"ano_fabricacao"`
	YearModel   string            `json:"ano_modelo"`
	FipeValue   string            `json:"valor_fipe"`
	FipeCode    string            `json:"codigo_fipe"`
	Type        string            `json:"descricao_tipo_veiculo"`
	Brand       string            `json:"descricao_marca"`
	ModelCode   string            `json:"codigo_modelo"`
	Model       string            `json:"descricao_modelo"`
	Color       string            `json:"descricao_cor"`
	MemberCode  string            `json:"codigo_associado"`
	MemberName  string            `json:"nome_associado"`
	CPF         string            `json:"cpf"`
	RG          string            `json:"rg"`
	BirthDate   string            `json:"data_nascimento"`
	MobileDDD   string            `json:"ddd_celular"`
	Mobile      string            `json:"telefone_celular"`
	Phone       string            `json:"telefone"`
	Email       string            `json:"email"`
	City        string            `json:"cidade"`
	State       string            `json:"estado"`
	Cooperative string            `json:"nome_cooperativa"`
	Regional    string            `json:"nome_regional"`
	Volunteer   string            `json:"nome_voluntario"`
	Situation   string            `json:"codigo_situacao,omitempty"`
	SituationDs string            `json:"descricao_situacao"`
	Products    map[string]string `json:"produtos"`
}

func (s *Sim) syncWire(vi int) syncWire {
	v := &s.d.vehicles[vi]
	m := &s.d.members[v.member]
	w := syncWire{
		Code: strconv.FormatInt(v.code, 10), Plate: v.plate, Chassis: v.chassis, Renavam: v.renavam,
		YearMade: strconv.Itoa(v.yearMade), YearModel: strconv.Itoa(v.yearModel),
		FipeValue: dotMoney(v.fipeCents), FipeCode: v.fipeCode, Type: v.kind, Brand: v.brand,
		ModelCode: strconv.Itoa(nameCode(v.model)), Model: v.model, Color: v.color,
		MemberCode: strconv.FormatInt(m.code, 10), MemberName: m.name, CPF: m.cpf, RG: m.rg,
		BirthDate: m.birth.Format("2006-01-02"), MobileDDD: m.ddd, Mobile: strings.ReplaceAll(m.mobile, "-", ""),
		Phone: m.ddd + strings.ReplaceAll(m.phone, "-", ""), Email: m.email, City: m.city, State: m.uf,
		Cooperative: fmt.Sprintf("COOPERATIVA %s", m.uf), Regional: "REGIONAL " + m.city,
		Volunteer: volunteers[m.code%int64(len(volunteers))],
		Situation: strconv.Itoa(v.situation), SituationDs: s.sits[v.situation],
		Products: map[string]string{},
	}
	for _, p := range s.d.supplierProducts(v) {
		w.Products[p.Code] = p.Name
	}
	if s.opts.ListingWithoutSituationCode {
		w.Situation = ""
	}
	return w
}

type memberWire struct {
	Code        string           `json:"codigo_associado"`
	Name        string           `json:"nome"`
	Sex         string           `json:"sexo"`
	BirthDate   string           `json:"data_nascimento"`
	CPF         string           `json:"cpf"`
	RG          string           `json:"rg"`
	Phone       string           `json:"telefone_fixo"`
	Mobile      string           `json:"telefone_celular"`
	Email       string           `json:"email"`
	ZIP         string           `json:"cep"`
	Street      string           `json:"logradouro"`
	Number      string           `json:"numero"`
	Complement  string           `json:"complemento"`
	District    string           `json:"bairro"`
	City        string           `json:"cidade"`
	State       string           `json:"estado"`
	Regional    string           `json:"codigo_regional"`
	Cooperative string           `json:"codigo_cooperativa"`
	Volunteer   string           `json:"codigo_voluntario"`
	Situation   string           `json:"codigo_situacao"`
	SituationDs string           `json:"descricao_situacao"`
	Vehicles    []memberVehicles `json:"veiculos"`
}

type memberVehicles struct {
	Code       string  `json:"codigo_veiculo"`
	Plate      string  `json:"placa"`
	Chassis    string  `json:"chassi"`
	FixedValue float64 `json:"valor_fixo"`
}

func (s *Sim) memberWire(mi int) memberWire {
	m := &s.d.members[mi]
	w := memberWire{
		Code: strconv.FormatInt(m.code, 10), Name: m.name, Sex: m.sex, BirthDate: m.birth.Format("2006-01-02"),
		CPF: norm.FormatCPF(m.cpf), RG: m.rg, Phone: "(" + m.ddd + ")" + m.phone, Mobile: "(" + m.ddd + ")" + m.mobile,
		Email: m.email, ZIP: m.zip, Street: m.street, Number: m.number, District: m.district,
		City: m.city, State: m.uf, Regional: strconv.Itoa(1 + int(m.code%5)), Cooperative: strconv.Itoa(1 + int(m.code%3)),
		Volunteer: strconv.Itoa(7 + int(m.code%4)), Situation: strconv.Itoa(m.situation), SituationDs: s.sits[m.situation],
		Vehicles: []memberVehicles{},
	}
	for _, vi := range m.vehicles {
		v := &s.d.vehicles[vi]
		w.Vehicles = append(w.Vehicles, memberVehicles{strconv.FormatInt(v.code, 10), v.plate, v.chassis, float64(fixedFee(v)) / 100})
	}
	return w
}

// rebuildSyncList lists, in code order, the vehicles that carry any of the supplier's products.
// Callers hold s.mu for writing (or are New).
func (s *Sim) rebuildSyncList() {
	s.sync = s.sync[:0]
	for i := range s.d.vehicles {
		if len(s.d.supplierProducts(&s.d.vehicles[i])) > 0 {
			s.sync = append(s.sync, i)
		}
	}
	sort.Slice(s.sync, func(a, b int) bool { return s.d.vehicles[s.sync[a]].code < s.d.vehicles[s.sync[b]].code })
}

func fixedFee(v *vehicle) int64 { return 4990 + v.fipeCents/100000*100 }

func typeCode(kind string) int {
	switch kind {
	case "MOTOCICLETA":
		return 2
	case "UTILITÁRIO":
		return 3
	case "CAMINHÃO":
		return 4
	}
	return 1
}

func dotMoney(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func brMoney(cents int64) string { return fmt.Sprintf("%d,%02d", cents/100, cents%100) }

// looseInt reads a JSON number or numeric string.
func looseInt(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}
