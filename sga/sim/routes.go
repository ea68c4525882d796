package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"ponte/sga"
)

// match finds the route for a request path (without BasePath). It returns the route's ID, who
// may call it, its handler and the path arguments; an unknown path has a nil handler.
func match(method, path string) (string, apiKind, handler, []string) {
	seg := strings.Split(path, "/")
	n := len(seg)
	is := func(m string, parts ...string) bool {
		if method != m || n < len(parts) {
			return false
		}
		for i, p := range parts {
			if seg[i] != p {
				return false
			}
		}
		return true
	}
	get, post := http.MethodGet, http.MethodPost
	switch {
	case is(post, "usuario", "autenticar") && n == 2:
		return RouteLogin, apiLogin, login, nil
	case is(get, "listar", "situacao") && n == 3:
		return RouteSituations, apiManual, situations, seg[2:]
	case is(get, "associado", "buscar") && (n == 3 || n == 4):
		return RouteMember, apiManual, memberLookup, seg[2:]
	case is(get, "veiculo", "buscar") && (n == 3 || n == 4):
		return RouteVehicle, apiManual, vehicleLookup, seg[2:]
	case is(get, "produto-vinculado-veiculo", "listar") && n == 3:
		return RouteLinkedProducts, apiManual, linkedProducts, seg[2:]
	case is(get, "produto", "buscar") && n == 3:
		return RouteProduct, apiManual, product, seg[2:]
	case is(post, "listar", "veiculo") && n == 2:
		return RouteListVehicles, apiManual, listVehicles, nil
	case is(get, "veiculo", "listar-veiculo-produto") && (n == 3 || n == 5):
		return RouteProductVehicles, apiManual, productVehicles, seg[2:]
	case is(get, "buscar", "produtos-fornecedor-sincronismo") && n == 2:
		return RouteSyncProducts, apiSync, syncProducts, nil
	case is(get, "sincronismo-produto-fornecedor-paginado", "listar", "pagina") && n == 4:
		return RouteSyncPages, apiSync, syncPage, seg[3:]
	case is(get, "sincronismo-produto", "listar", "pagina") && n == 4:
		return RouteSyncPagesAlias, apiSync, syncPage, seg[3:]
	case is(get, "sincronismo-produto-fornecedor", "buscar") && n == 4:
		return RouteSyncLookup, apiSync, syncLookup, seg[2:]
	}
	return path, apiManual, nil, nil
}

func situations(s *Sim, _ *http.Request, args []string) reply {
	which := strings.ToLower(args[0])
	if which != "todos" && which != "ativo" && which != "inativo" {
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "Use ativo, inativo ou todos")
	}
	out := []map[string]string{}
	for _, st := range s.opts.Situations {
		out = append(out, map[string]string{
			"codigo_situacao":    strconv.Itoa(st.Code),
			"descricao_situacao": st.Description,
			"situacao":           "ATIVO",
		})
	}
	if which == "inativo" {
		out = out[:0]
	}
	return ok(out)
}

// memberLookup is associado/buscar/{cpfOuCodigo}[/{cpf|codigo}]: one object, with veiculos.
func memberLookup(s *Sim, _ *http.Request, args []string) reply {
	value, by := args[0], "cpf"
	if len(args) == 2 {
		by = strings.ToLower(args[1])
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, found := -1, false
	switch by {
	case "cpf":
		idx, found = s.d.memberByCPF[sga.OnlyDigits(value)]
	case "codigo":
		code, err := strconv.ParseInt(value, 10, 64)
		if err == nil {
			idx, found = s.d.memberByCode[code]
		}
	default:
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "buscar_por deve ser cpf ou codigo")
	}
	if !found {
		return fail(http.StatusNotAcceptable, "Associado não encontrado", "Não foi encontrado associado com os parâmetros enviados")
	}
	return ok(s.memberWire(idx))
}

// vehicleLookup is veiculo/buscar/{valor}[/{placa|chassi|codigo}]: a list of one, as the real
// SGA answers in spite of its documentation.
func vehicleLookup(s *Sim, _ *http.Request, args []string) reply {
	value := strings.ToUpper(strings.TrimSpace(args[0]))
	by := ""
	if len(args) == 2 {
		by = strings.ToLower(args[1])
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, found := -1, false
	try := func(kind string) {
		if found {
			return
		}
		switch kind {
		case "placa":
			idx, found = s.d.vehicleByPlt[sga.NormalizePlate(value)]
		case "chassi":
			idx, found = s.d.vehicleByChs[value]
		case "codigo":
			if code, err := strconv.ParseInt(value, 10, 64); err == nil {
				idx, found = s.d.vehicleByCode[code]
			}
		}
	}
	switch by {
	case "placa", "chassi", "codigo":
		try(by)
	case "":
		try("placa")
		try("chassi")
		try("codigo")
	default:
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "tipo deve ser placa, chassi ou codigo")
	}
	if !found {
		return fail(http.StatusNotAcceptable, "Veículo não encontrado", "Não existe veículo com os parâmetros enviados")
	}
	return ok([]vehicleWire{s.vehicleWire(idx, true)})
}

func linkedProducts(s *Sim, _ *http.Request, args []string) reply {
	value := strings.ToUpper(strings.TrimSpace(args[0]))
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx, found := s.d.vehicleByPlt[sga.NormalizePlate(value)]
	if !found {
		if code, err := strconv.ParseInt(value, 10, 64); err == nil {
			idx, found = s.d.vehicleByCode[code]
		}
	}
	if !found {
		return fail(http.StatusNotAcceptable, "Veículo não encontrado", "Não existe veículo com os parâmetros enviados")
	}
	v := &s.d.vehicles[idx]
	type prod struct {
		Code   string `json:"codigo_produto"`
		Desc   string `json:"descricao"`
		Format string `json:"formato_cobranca"`
		Value  string `json:"valor"`
		Status string `json:"situacao"`
	}
	prods := []prod{}
	var total int64
	for _, code := range v.products {
		p, _ := s.d.product(code)
		prods = append(prods, prod{p.Code, p.Name, "R$", brMoney(p.Cents), "ATIVO"})
		total += p.Cents
	}
	return ok(map[string]any{
		"codigo_veiculo":          strconv.FormatInt(v.code, 10),
		"valor_fixo":              brMoney(fixedFee(v)),
		"valor_total_produtos_RS": brMoney(total),
		"valor_total_produtos_%":  "0,00",
		"produtos":                prods,
		"produtos_adicionais":     []any{},
	})
}

// listVehicles is POST listar/veiculo: {codigo_situacao, inicio_paginacao,
// quantidade_por_pagina}, answered in SGA's envelope with its "mostrando " key.
func listVehicles(s *Sim, r *http.Request, _ []string) reply {
	var q struct {
		Situation json.RawMessage `json:"codigo_situacao"`
		Start     json.RawMessage `json:"inicio_paginacao"`
		Size      json.RawMessage `json:"quantidade_por_pagina"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&q); err != nil {
		return fail(http.StatusNotAcceptable, "Requisição inválida", "Envie os parâmetros em JSON")
	}
	sit, okSit := looseInt(q.Situation)
	if !okSit {
		return fail(http.StatusNotAcceptable, "Parâmetro obrigatório", "É necessário enviar o codigo_situacao")
	}
	start, _ := looseInt(q.Start)
	size, okSize := looseInt(q.Size)
	if !okSize || size <= 0 {
		size = 5000
	}
	size = min(size, 10_000)
	offset := start
	switch s.opts.Paging {
	case PagingOffset1:
		offset = max(start-1, 0)
	case PagingPageIndex:
		offset = start * size
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matching []int
	for i := range s.d.vehicles {
		if s.d.vehicles[i].situation == sit {
			matching = append(matching, i)
		}
	}
	if offset < 0 || offset >= len(matching) {
		return fail(http.StatusNotAcceptable, "Nenhum veículo encontrado", "Não foram encontrados veículos dentro dos parâmetros enviados")
	}
	page := matching[offset:min(offset+size, len(matching))]
	rows := make([]vehicleWire, len(page))
	for i, idx := range page {
		rows[i] = s.vehicleWire(idx, false)
	}
	return ok(listEnvelope{
		Mensagem: "OK",
		Total:    strconv.Itoa(len(matching)),
		Showing:  strconv.Itoa(len(rows)),
		Pages:    (len(matching) + size - 1) / size,
		Vehicles: rows,
	})
}

type listEnvelope struct {
	Mensagem string        `json:"mensagem"`
	Total    string        `json:"total_veiculos"`
	Showing  string        `json:"mostrando "`
	Pages    int           `json:"numero_paginas"`
	Vehicles []vehicleWire `json:"veiculos"`
}

// productVehicles is veiculo/listar-veiculo-produto/{situacao}[/{inicio}/{quantidade}]: a
// plain list, numbers as numbers, each row with its produtos_vinculados.
func productVehicles(s *Sim, _ *http.Request, args []string) reply {
	sit, err := strconv.Atoi(args[0])
	if err != nil {
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "codigo_situacao deve ser numérico")
	}
	start, count := 0, 0
	if len(args) == 3 {
		start, err = strconv.Atoi(args[1])
		if err == nil {
			count, err = strconv.Atoi(args[2])
		}
		if err != nil || start < 0 || count <= 0 {
			return fail(http.StatusNotAcceptable, "Parâmetro inválido", "inicio e quantidade devem ser numéricos")
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := []productVehicleWire{}
	seen := 0
	for i := range s.d.vehicles {
		v := &s.d.vehicles[i]
		if v.situation != sit {
			continue
		}
		seen++
		if seen <= start {
			continue
		}
		if count > 0 && len(rows) >= count {
			break
		}
		rows = append(rows, s.productVehicleWire(i))
	}
	if len(rows) == 0 {
		return fail(http.StatusNotAcceptable, "Nenhum veículo encontrado", "Não foram encontrados veículos dentro dos parâmetros enviados")
	}
	return ok(rows)
}

// product is produto/buscar/{codigo_produto}: one product of the catalogue.
func product(s *Sim, _ *http.Request, args []string) reply {
	for _, p := range s.d.products {
		if p.Code == strings.TrimSpace(args[0]) {
			supplier, supplierName := "", ""
			if p.Supplier {
				supplier, supplierName = "7", "TRACKNME"
			}
			return ok(map[string]string{"codigo_produto": p.Code, "descricao": p.Name, "descricao_boleto": p.Name,
				"codigo_fornecedor": supplier, "nome_fornecedor": supplierName, "situacao": "ATIVO"})
		}
	}
	return fail(http.StatusNotAcceptable, "Nenhum registro encontrado", "Produto não encontrado")
}

func syncProducts(s *Sim, _ *http.Request, _ []string) reply {
	out := map[string]string{}
	for _, p := range s.d.products {
		if p.Supplier {
			out[p.Code] = p.Name
		}
	}
	return ok(out)
}

// syncPage serves .../listar/pagina/quantidade-paginas and .../listar/pagina/{n}, 1-based.
func syncPage(s *Sim, _ *http.Request, args []string) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	total := len(s.sync)
	pages := (total + s.pageSize - 1) / s.pageSize
	if args[0] == "quantidade-paginas" {
		return ok(map[string]any{"quantidade_paginas": pages, "total_registros": strconv.Itoa(total)})
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "numero_pagina deve ser um número a partir de 1")
	}
	rows := []syncWire{}
	from := (n - 1) * s.pageSize
	for i := from; i < min(from+s.pageSize, total); i++ {
		rows = append(rows, s.syncWire(s.sync[i]))
	}
	return ok(rows)
}

// syncLookup is sincronismo-produto-fornecedor/buscar/{cpf|placa|chassi}/{valor}.
func syncLookup(s *Sim, _ *http.Request, args []string) reply {
	by, value := strings.ToLower(args[0]), strings.ToUpper(strings.TrimSpace(args[1]))
	s.mu.RLock()
	defer s.mu.RUnlock()
	var idxs []int
	switch by {
	case "cpf":
		if mi, found := s.d.memberByCPF[sga.OnlyDigits(value)]; found {
			idxs = s.d.members[mi].vehicles
		}
	case "placa":
		if vi, found := s.d.vehicleByPlt[sga.NormalizePlate(value)]; found {
			idxs = []int{vi}
		}
	case "chassi":
		if vi, found := s.d.vehicleByChs[value]; found {
			idxs = []int{vi}
		}
	default:
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "Use cpf, placa ou chassi")
	}
	rows := []syncWire{}
	for _, vi := range idxs {
		if len(s.d.supplierProducts(&s.d.vehicles[vi])) > 0 {
			rows = append(rows, s.syncWire(vi))
		}
	}
	if len(rows) == 0 {
		return fail(http.StatusNotAcceptable, "Nenhum registro encontrado", "Não foram encontrados veículos com produtos do fornecedor")
	}
	return ok(rows)
}

// Wire shapes: codes and amounts as strings, as SGA sends them (§6 of the reference).

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
	Situation   string            `json:"codigo_situacao"`
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
		ModelCode: strconv.Itoa(8000 + int(v.code%997)), Model: v.model, Color: v.color,
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
		CPF: maskCPF(m.cpf), RG: m.rg, Phone: "(" + m.ddd + ")" + m.phone, Mobile: "(" + m.ddd + ")" + m.mobile,
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

func maskCPF(d string) string { return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:] }

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
