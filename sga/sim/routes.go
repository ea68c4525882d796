package sim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"ponte/store/norm"
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
	case is(post, "listar", "alteracao-veiculos") && (n == 2 || n == 3 && seg[2] == ""):
		return RouteVehicleChanges, apiManual, vehicleChanges, nil
	case is(post, "listar", "alteracao-associados") && (n == 2 || n == 3 && seg[2] == ""):
		return RouteMemberChanges, apiManual, memberChanges, nil
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
		idx, found = s.d.memberByCPF[norm.Digits(value)]
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
			idx, found = s.d.vehicleByPlt[norm.Plate(value)]
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
	idx, found := s.d.vehicleByPlt[norm.Plate(value)]
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
		if mi, found := s.d.memberByCPF[norm.Digits(value)]; found {
			idxs = s.d.members[mi].vehicles
		}
	case "placa":
		if vi, found := s.d.vehicleByPlt[norm.Plate(value)]; found {
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
