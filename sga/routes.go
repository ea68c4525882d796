package sga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"ponte/store/norm"
)

// The manual API: a user token from usuario/autenticar as Bearer.

// Situations lists the association's situação codes (listar/situacao/todos).
func (c *Client) Situations(ctx context.Context) ([]Situation, error) {
	const route = "listar/situacao/todos"
	body, err := c.do(ctx, request{method: http.MethodGet, route: route, path: route, auth: authUser})
	if err != nil {
		return nil, err
	}
	items, err := splitList(body, "situacoes")
	if err != nil {
		return nil, invalid(route, err)
	}
	out, bad := decodeList[Situation](items, "codigo_situacao")
	if len(bad) > 0 && len(out) == 0 {
		return nil, invalid(route, bad[0])
	}
	return out, nil
}

// MemberByCPF looks an associado up by CPF (associado/buscar/{cpf}/cpf). SGA is inconsistent
// about masks, so a CPF not found as digits is tried once more as 000.000.000-00.
func (c *Client) MemberByCPF(ctx context.Context, cpf string) (Member, error) {
	digits := norm.Digits(cpf)
	if len(digits) != 11 {
		return Member{}, fmt.Errorf("sga: CPF %q must have 11 digits", cpf)
	}
	m, err := c.member(ctx, digits, "cpf")
	if errors.Is(err, ErrNotFound) {
		masked := norm.FormatCPF(digits)
		if m2, err2 := c.member(ctx, masked, "cpf"); err2 == nil {
			return m2, nil
		}
	}
	return m, err
}

// MemberByCode looks an associado up by its SGA code.
func (c *Client) MemberByCode(ctx context.Context, code int64) (Member, error) {
	return c.member(ctx, strconv.FormatInt(code, 10), "codigo")
}

func (c *Client) member(ctx context.Context, value, by string) (Member, error) {
	const route = "associado/buscar/{valor}/{buscar_por}"
	body, err := c.do(ctx, request{method: http.MethodGet, route: route,
		path: "associado/buscar/" + url.PathEscape(value) + "/" + by, auth: authUser})
	if err != nil {
		return Member{}, err
	}
	m, err := decodeOne[Member](body, memberKeys...)
	if errors.Is(err, errEmptyList) {
		return Member{}, &Error{Kind: ErrNotFound, Route: route, Status: http.StatusOK, Message: "empty reply"}
	}
	if err != nil {
		return Member{}, invalid(route, err)
	}
	return m, nil
}

// VehicleKey names what a vehicle lookup searches by.
type VehicleKey string

// The keys veiculo/buscar accepts.
const (
	ByPlate   VehicleKey = "placa"
	ByChassis VehicleKey = "chassi"
	ByCode    VehicleKey = "codigo"
)

// Vehicle looks a vehicle up (veiculo/buscar/{valor}/{tipo}). SGA answers with an object or
// with a list of one; both read.
func (c *Client) Vehicle(ctx context.Context, by VehicleKey, value string) (Vehicle, error) {
	const route = "veiculo/buscar/{valor}/{tipo}"
	switch by {
	case ByPlate:
		value = norm.Plate(value)
	case ByChassis:
		value = strings.ToUpper(strings.TrimSpace(value))
	case ByCode:
		value = strings.TrimSpace(value)
	default:
		return Vehicle{}, fmt.Errorf("sga: unknown vehicle key %q", by)
	}
	if value == "" {
		return Vehicle{}, fmt.Errorf("sga: empty %s", by)
	}
	body, err := c.do(ctx, request{method: http.MethodGet, route: route,
		path: "veiculo/buscar/" + url.PathEscape(value) + "/" + string(by), auth: authUser})
	if err != nil {
		return Vehicle{}, err
	}
	v, err := decodeOne[Vehicle](body, vehicleKeys...)
	if errors.Is(err, errEmptyList) {
		return Vehicle{}, &Error{Kind: ErrNotFound, Route: route, Status: http.StatusOK, Message: "empty reply"}
	}
	if err != nil {
		return Vehicle{}, invalid(route, err)
	}
	return v, nil
}

// LinkedProducts lists a vehicle's products (produto-vinculado-veiculo/listar/{codigoOuPlaca}).
func (c *Client) LinkedProducts(ctx context.Context, codeOrPlate string) (LinkedProducts, error) {
	const route = "produto-vinculado-veiculo/listar/{codigoOuPlaca}"
	v := strings.TrimSpace(codeOrPlate)
	if !norm.AllDigits(v) {
		v = norm.Plate(v)
	}
	body, err := c.do(ctx, request{method: http.MethodGet, route: route,
		path: "produto-vinculado-veiculo/listar/" + url.PathEscape(v), auth: authUser})
	if err != nil {
		return LinkedProducts{}, err
	}
	lp, err := decodeOne[LinkedProducts](body, "codigo_veiculo")
	if err != nil && !errors.Is(err, errEmptyList) {
		return LinkedProducts{}, invalid(route, err)
	}
	return lp, nil
}

// CatalogueProduct reads one product of SGA's catalogue (produto/buscar/{codigo_produto}); a
// code SGA does not have is ErrNotFound.
func (c *Client) CatalogueProduct(ctx context.Context, code string) (Product, error) {
	const route = "produto/buscar/{codigo_produto}"
	body, err := c.do(ctx, request{method: http.MethodGet, route: route,
		path: "produto/buscar/" + url.PathEscape(strings.TrimSpace(code)), auth: authUser})
	if err != nil {
		return Product{}, err
	}
	o, err := decodeOne[productObject](body, "codigo_produto")
	switch {
	case errors.Is(err, errEmptyList):
		return Product{}, &Error{Kind: ErrNotFound, Route: route, Message: "no product " + code}
	case err != nil:
		return Product{}, invalid(route, err)
	}
	return o.product(), nil
}

// ListVehiclesQuery pages listar/veiculo. Start is a row offset (SGA's inicio_paginacao);
// PageSize of 0 lets SGA choose (5,000).
type ListVehiclesQuery struct {
	Situation int
	Start     int
	PageSize  int
}

// ListVehicles reads one page of listar/veiculo. SGA answers "no results" with 406; that is an
// empty page here, not an error.
func (c *Client) ListVehicles(ctx context.Context, q ListVehiclesQuery) (VehiclePage, error) {
	const route = "listar/veiculo"
	req := map[string]any{
		"codigo_situacao":  strconv.Itoa(q.Situation),
		"inicio_paginacao": q.Start,
	}
	if q.PageSize > 0 {
		req["quantidade_por_pagina"] = q.PageSize
	}
	body, err := c.do(ctx, request{method: http.MethodPost, route: route, path: route, body: req, auth: authUser})
	if errors.Is(err, ErrNotFound) {
		return VehiclePage{}, nil
	}
	if err != nil {
		return VehiclePage{}, err
	}
	p, err := decodeVehiclePage(body)
	if err == nil {
		c.bodies.give(body) // the vehicles hold copies of what they read
	}
	return p, err
}

func decodeVehiclePage(body []byte) (VehiclePage, error) {
	const route = "listar/veiculo"
	b := unwrap(body)
	if len(b) == 0 || b[0] != '{' {
		// Some deployments drop the envelope and answer with the bare list.
		items, err := splitList(b, "")
		if err != nil {
			return VehiclePage{}, invalid(route, err)
		}
		var p VehiclePage
		p.Vehicles, p.Bad = decodeList[Vehicle](items, vehicleKeys...)
		return p, nil
	}
	var (
		p    VehiclePage
		list []byte
	)
	count := func(raw []byte) int { // the counts are informative: a bad one must not cost the page
		var n Int
		_ = n.UnmarshalJSON(raw)
		return int(n)
	}
	err := eachMember(b, func(key, raw []byte) error {
		switch keyName(key) {
		case "veiculos":
			list = raw
		case "total_veiculos":
			p.Total = count(raw)
		case "mostrando ", "mostrando":
			p.Showing = count(raw)
		case "numero_paginas":
			p.Pages = count(raw)
		}
		return nil
	})
	if err != nil {
		return VehiclePage{}, invalid(route, err)
	}
	if list == nil || string(list) == "null" {
		return p, nil
	}
	items, err := splitList(list, "")
	if err != nil {
		return VehiclePage{}, invalid(route, err)
	}
	p.Vehicles, p.Bad = decodeList[Vehicle](items, vehicleKeys...)
	return p, nil
}

// ProductVehicles reads veiculo/listar-veiculo-produto/{situacao}, the vehicles of a situação
// with their linked products. With count > 0 it pages by path segments (/{start}/{count}).
func (c *Client) ProductVehicles(ctx context.Context, situation, start, count int) (ProductVehiclePage, error) {
	const route = "veiculo/listar-veiculo-produto/{situacao}"
	path := "veiculo/listar-veiculo-produto/" + strconv.Itoa(situation)
	if count > 0 {
		path += "/" + strconv.Itoa(start) + "/" + strconv.Itoa(count)
	}
	body, err := c.do(ctx, request{method: http.MethodGet, route: route, path: path, auth: authUser})
	if errors.Is(err, ErrNotFound) {
		return ProductVehiclePage{}, nil
	}
	if err != nil {
		return ProductVehiclePage{}, err
	}
	return decodeProductVehiclePage(body)
}

func decodeProductVehiclePage(body []byte) (ProductVehiclePage, error) {
	items, err := splitList(body, "veiculos")
	if err != nil {
		return ProductVehiclePage{}, invalid("veiculo/listar-veiculo-produto/{situacao}", err)
	}
	var p ProductVehiclePage
	p.Vehicles, p.Bad = decodeList[ProductVehicle](items, vehicleKeys...)
	return p, nil
}

// The supplier-sync API: the sync token as Bearer, no login. SGA serves the same listing under
// two prefixes; the client uses the paginated one and falls back to the older alias when the
// token does not have it.

const (
	syncPrefix      = "sincronismo-produto-fornecedor-paginado/listar/pagina"
	syncPrefixAlias = "sincronismo-produto/listar/pagina"
)

type syncRoutes struct {
	useAlias atomic.Bool
}

func (c *Client) syncPrefix() string {
	if c.routes.useAlias.Load() {
		return syncPrefixAlias
	}
	return syncPrefix
}

// syncGet calls a paginated supplier-sync route, switching once to the alias prefix if the
// primary one is not enabled for the token.
func (c *Client) syncGet(ctx context.Context, suffix string) ([]byte, error) {
	prefix := c.syncPrefix()
	body, err := c.do(ctx, request{method: http.MethodGet, route: prefix + "/" + routeSuffix(suffix),
		path: prefix + "/" + suffix, auth: authSync})
	if errors.Is(err, ErrRouteNotAllowed) && prefix == syncPrefix {
		alt, altErr := c.do(ctx, request{method: http.MethodGet, route: syncPrefixAlias + "/" + routeSuffix(suffix),
			path: syncPrefixAlias + "/" + suffix, auth: authSync})
		if altErr == nil {
			c.routes.useAlias.Store(true)
			return alt, nil
		}
	}
	return body, err
}

func routeSuffix(s string) string {
	if norm.AllDigits(s) {
		return "{numero_pagina}"
	}
	return s
}

func (c *Client) checkSync(route string) error {
	if !c.cfg.Credentials.HasSync() {
		return &Error{Kind: ErrUnauthorized, Route: route, Message: "no Sincronismo SGA token configured"}
	}
	return nil
}

// SyncProducts lists the supplier's products (buscar/produtos-fornecedor-sincronismo).
func (c *Client) SyncProducts(ctx context.Context) (Products, error) {
	const route = "buscar/produtos-fornecedor-sincronismo"
	if err := c.checkSync(route); err != nil {
		return nil, err
	}
	body, err := c.do(ctx, request{method: http.MethodGet, route: route, path: route, auth: authSync})
	if err != nil {
		return nil, err
	}
	var p Products
	if err := json.Unmarshal(unwrap(body), &p); err != nil {
		return nil, invalid(route, err)
	}
	return p, nil
}

// SyncPageCount reads how many pages the supplier-sync listing has.
func (c *Client) SyncPageCount(ctx context.Context) (PageCount, error) {
	if err := c.checkSync(syncPrefix + "/quantidade-paginas"); err != nil {
		return PageCount{}, err
	}
	body, err := c.syncGet(ctx, "quantidade-paginas")
	if err != nil {
		return PageCount{}, err
	}
	var r struct {
		Pages    Int `json:"quantidade_paginas"`
		Pages2   Int `json:"total_paginas"`
		Records  Int `json:"total_registros"`
		Records2 Int `json:"quantidade_registros"`
	}
	if err := json.Unmarshal(unwrap(body), &r); err != nil {
		return PageCount{}, invalid(c.syncPrefix()+"/quantidade-paginas", err)
	}
	pc := PageCount{Pages: int(r.Pages), Records: int(r.Records)}
	if pc.Pages == 0 {
		pc.Pages = int(r.Pages2)
	}
	if pc.Records == 0 {
		pc.Records = int(r.Records2)
	}
	if pc.Pages < 0 || pc.Records < 0 {
		return PageCount{}, invalid(c.syncPrefix()+"/quantidade-paginas", fmt.Errorf("negative count %+v", pc))
	}
	return pc, nil
}

// SyncPage reads page n (1-based) of the supplier-sync listing. A page past the end is empty.
func (c *Client) SyncPage(ctx context.Context, n int) (SyncPage, error) {
	reply, err := c.FetchSyncPage(ctx, n)
	if err != nil {
		return SyncPage{}, err
	}
	return reply.Decode()
}

// SyncReply is a supplier-sync page as SGA sent it, checked as JSON but not decoded yet: the
// request is over, so a pool's worker can send its next one while the page is decoded.
type SyncReply struct {
	c    *Client
	n    int
	body []byte // nil: a page past the end
}

// FetchSyncPage reads page n (1-based) of the supplier-sync listing; its Decode gives the
// records. SyncPage is both.
func (c *Client) FetchSyncPage(ctx context.Context, n int) (SyncReply, error) {
	if n < 1 {
		return SyncReply{}, fmt.Errorf("sga: supplier-sync pages start at 1, not %d", n)
	}
	if err := c.checkSync(syncPrefix + "/{numero_pagina}"); err != nil {
		return SyncReply{}, err
	}
	body, err := c.syncGet(ctx, strconv.Itoa(n))
	if errors.Is(err, ErrNotFound) {
		return SyncReply{c: c, n: n}, nil
	}
	if err != nil {
		return SyncReply{}, err
	}
	return SyncReply{c: c, n: n, body: body}, nil
}

// Decode reads the page's records, and gives the reply's buffer back to the client for its
// next read: call it once.
func (r SyncReply) Decode() (SyncPage, error) {
	if r.body == nil {
		return SyncPage{Number: r.n}, nil
	}
	p, err := decodeSyncPage(r.body)
	if err != nil {
		return SyncPage{}, invalid(r.c.syncPrefix()+"/{numero_pagina}", err)
	}
	r.c.bodies.give(r.body) // the records hold copies of what they read
	p.Number = r.n
	return p, nil
}

func decodeSyncPage(body []byte) (SyncPage, error) {
	items, err := splitList(body, "registros")
	if err != nil {
		return SyncPage{}, err
	}
	var p SyncPage
	p.Records, p.Bad = decodeList[SyncRecord](items, syncKeys...)
	return p, nil
}

// SyncLookup finds supplier-sync records by cpf, placa or chassi
// (sincronismo-produto-fornecedor/buscar/{tipo}/{valor}). Nothing found is an empty result.
func (c *Client) SyncLookup(ctx context.Context, by string, value string) ([]SyncRecord, []RecordError, error) {
	route := "sincronismo-produto-fornecedor/buscar/" + by + "/{valor}"
	switch by {
	case "cpf":
		value = norm.Digits(value)
	case "placa":
		value = norm.Plate(value)
	case "chassi":
		value = strings.ToUpper(strings.TrimSpace(value))
	default:
		return nil, nil, fmt.Errorf("sga: unknown supplier-sync lookup %q", by)
	}
	if err := c.checkSync(route); err != nil {
		return nil, nil, err
	}
	if value == "" {
		return nil, nil, fmt.Errorf("sga: empty %s", by)
	}
	body, err := c.do(ctx, request{method: http.MethodGet, route: route,
		path: "sincronismo-produto-fornecedor/buscar/" + by + "/" + url.PathEscape(value), auth: authSync})
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	items, err := splitList(body, "registros")
	if err != nil {
		return nil, nil, invalid(route, err)
	}
	recs, bad := decodeList[SyncRecord](items, syncKeys...)
	return recs, bad, nil
}
