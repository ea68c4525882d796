package sga

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ProbeStatus is the outcome of probing one route.
type ProbeStatus int

// The outcomes of a route probe.
const (
	ProbeOK         ProbeStatus = iota // the route answered (data, or "not found" for a probe value)
	ProbeNotAllowed                    // the route is not enabled for the token in Gerenciar APIs
	ProbeFailed                        // the route failed for another reason (see Detail)
	ProbeSkipped                       // not tried: no credentials for it, or the login failed
	ProbeUnfinished                    // the test's time ran out before the route answered
)

func (s ProbeStatus) String() string {
	switch s {
	case ProbeOK:
		return "ok"
	case ProbeNotAllowed:
		return "not allowed"
	case ProbeFailed:
		return "failed"
	case ProbeUnfinished:
		return "not finished"
	default:
		return "skipped"
	}
}

// ProbeResult is one line of a connection test.
type ProbeResult struct {
	Route   string        // the route template, as SGA's Gerenciar APIs lists it
	API     string        // "manual" or "sync"
	Status  ProbeStatus   //
	Err     error         // why it failed, when Status is ProbeFailed or ProbeNotAllowed
	Took    time.Duration //
	Skipped string        // why it was skipped
	// Optional: ponte works without the route (the change feeds: without them the daily sync
	// reads everything); its failure does not fail the test.
	Optional bool
}

// Report is the result of a connection test: one line per route ponte needs.
type Report struct {
	Results []ProbeResult
}

// OK reports whether every route that was tried answered, and at least one was tried.
func (r Report) OK() bool {
	tried := false
	for _, res := range r.Results {
		if res.Optional && res.Status != ProbeOK {
			continue
		}
		switch res.Status {
		case ProbeOK:
			tried = true
		case ProbeNotAllowed, ProbeFailed, ProbeUnfinished:
			return false
		}
	}
	return tried
}

// ManualOK reports whether the login and every manual route answered.
func (r Report) ManualOK() bool { return r.apiOK("manual") }

// SyncOK reports whether every supplier-sync route answered.
func (r Report) SyncOK() bool { return r.apiOK("sync") }

func (r Report) apiOK(api string) bool {
	seen := false
	for _, res := range r.Results {
		if res.API != api || (res.Optional && res.Status != ProbeOK) {
			continue
		}
		if res.Status != ProbeOK {
			return false
		}
		seen = true
	}
	return seen
}

// ErrUnknownProduct: SGA has no product with the code ponte was given (the error is an
// *UnknownProductError).
var ErrUnknownProduct = errors.New("SGA has no product with that code")

// UnknownProductError names the code SGA does not have and, when SGA listed them, the codes
// it does have.
type UnknownProductError struct {
	Code  string
	Known Products // the supplier's products, when read from the supplier-sync catalogue
}

func (e *UnknownProductError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("SGA has no product %q", e.Code)
	}
	var known []string
	for _, p := range e.Known {
		known = append(known, fmt.Sprintf("%s (%s)", p.Code, p.Name))
	}
	return fmt.Sprintf("SGA has no product %q among the supplier's products; it has %s", e.Code, strings.Join(known, ", "))
}

func (e *UnknownProductError) Is(err error) bool { return err == ErrUnknownProduct }

// CheckProduct asks SGA whether code is one of its products: in the supplier's catalogue when
// there is a sync token (the codes the supplier-sync records carry), else through
// produto/buscar with the manual credentials. A code SGA lacks is an *UnknownProductError; a
// check that could not be made is any other error.
func (c *Client) CheckProduct(ctx context.Context, code string) error {
	code = strings.TrimSpace(code)
	cr := c.cfg.Credentials
	switch {
	case cr.HasSync():
		known, err := c.SyncProducts(ctx)
		if err != nil {
			return err
		}
		if !known.Has(code) {
			return &UnknownProductError{Code: code, Known: known}
		}
		return nil
	case cr.HasManual():
		_, err := c.CatalogueProduct(ctx, code)
		if errors.Is(err, ErrNotFound) {
			return &UnknownProductError{Code: code}
		}
		return err
	}
	return errors.New("neither a Sincronismo SGA token nor the manual credentials are set: the product code cannot be checked")
}

// Test logs in (or checks the sync token) and probes each route ponte needs, so that an operator
// knows exactly which routes to enable in SGA's "Gerenciar APIs". Lookups are probed with a
// record found by the listings when there is one, else with a value that exists nowhere: a
// "not found" reply proves the route is enabled just as well. The manual listing is probed
// with the first situação active says is active (the association's rules: store.Rules.Active;
// SGA's client does not judge situações); with none, or a nil active, with situação 1.
func (c *Client) Test(ctx context.Context, active func(situation string) bool) Report {
	var rep Report
	add := func(route, api string, start time.Time, err error) {
		res := ProbeResult{Route: route, API: api, Took: time.Since(start), Optional: optionalRoutes[route]}
		switch {
		case err == nil, errors.Is(err, ErrNotFound):
			res.Status = ProbeOK
		case ctx.Err() != nil:
			res.Status, res.Err = ProbeUnfinished, ctx.Err()
		case errors.Is(err, ErrRouteNotAllowed):
			res.Status, res.Err = ProbeNotAllowed, err
		default:
			res.Status, res.Err = ProbeFailed, err
		}
		rep.Results = append(rep.Results, res)
	}
	skip := func(route, api, why string) {
		rep.Results = append(rep.Results, ProbeResult{Route: route, API: api, Status: ProbeSkipped, Skipped: why, Optional: optionalRoutes[route]})
	}

	manual := []string{
		"listar/situacao/todos",
		"listar/veiculo",
		"veiculo/listar-veiculo-produto/{situacao}",
		"associado/buscar/{valor}/{buscar_por}",
		"veiculo/buscar/{valor}/{tipo}",
		"produto-vinculado-veiculo/listar/{codigoOuPlaca}",
		"listar/alteracao-veiculos",
		"listar/alteracao-associados",
	}
	cr := c.cfg.Credentials
	switch {
	case !cr.HasManual():
		skip(routeLogin, "manual", "usuário, senha or chave API not set")
		for _, r := range manual {
			skip(r, "manual", "usuário, senha or chave API not set")
		}
	default:
		start := time.Now()
		err := c.Login(ctx)
		add(routeLogin, "manual", start, err)
		if err != nil {
			for _, r := range manual {
				if ctx.Err() != nil {
					rep.Results = append(rep.Results, ProbeResult{Route: r, API: "manual", Status: ProbeUnfinished, Err: ctx.Err()})
					continue
				}
				skip(r, "manual", "login failed")
			}
			break
		}
		c.probeManual(ctx, add, active)
	}

	sync := []string{
		"buscar/produtos-fornecedor-sincronismo",
		syncPrefix + "/quantidade-paginas",
		syncPrefix + "/{numero_pagina}",
		"sincronismo-produto-fornecedor/buscar/cpf/{valor}",
	}
	if !cr.HasSync() {
		for _, r := range sync {
			skip(r, "sync", "Sincronismo SGA token not set")
		}
		return rep
	}
	start := time.Now()
	_, err := c.SyncProducts(ctx)
	add(sync[0], "sync", start, err)
	if Unreachable(err) {
		// No reply at all: the other routes are at the same address.
		for _, r := range []string{c.syncPrefix() + "/quantidade-paginas", c.syncPrefix() + "/{numero_pagina}", sync[3]} {
			skip(r, "sync", "no reply from SGA")
		}
		return rep
	}
	start = time.Now()
	_, err = c.SyncPageCount(ctx)
	add(c.syncPrefix()+"/quantidade-paginas", "sync", start, err)
	start = time.Now()
	page, err := c.SyncPage(ctx, 1)
	add(c.syncPrefix()+"/{numero_pagina}", "sync", start, err)
	cpf := "00000000000"
	if len(page.Records) > 0 && page.Records[0].CPF != "" {
		cpf = string(page.Records[0].CPF)
	}
	start = time.Now()
	_, _, err = c.SyncLookup(ctx, "cpf", cpf)
	add(sync[3], "sync", start, err)
	return rep
}

func (c *Client) probeManual(ctx context.Context, add func(string, string, time.Time, error), isActive func(string) bool) {
	start := time.Now()
	sits, err := c.Situations(ctx)
	add("listar/situacao/todos", "manual", start, err)
	active := 1
	for _, s := range sits {
		if isActive != nil && isActive(string(s.Description)) {
			active = int(s.Code)
			break
		}
	}
	start = time.Now()
	page, err := c.ListVehicles(ctx, ListVehiclesQuery{Situation: active, PageSize: 1})
	add("listar/veiculo", "manual", start, err)
	start = time.Now()
	_, err = c.ProductVehicles(ctx, active, 0, 1)
	add("veiculo/listar-veiculo-produto/{situacao}", "manual", start, err)

	// Lookups: a real record when the listing gave one, else a code that exists nowhere.
	memberCode, vehicleCode := int64(0), "0"
	if len(page.Vehicles) > 0 {
		memberCode = int64(page.Vehicles[0].MemberCode)
		vehicleCode = strconv.FormatInt(int64(page.Vehicles[0].Code), 10)
	}
	start = time.Now()
	_, err = c.MemberByCode(ctx, memberCode)
	add("associado/buscar/{valor}/{buscar_por}", "manual", start, err)
	start = time.Now()
	_, err = c.Vehicle(ctx, ByCode, vehicleCode)
	add("veiculo/buscar/{valor}/{tipo}", "manual", start, err)
	start = time.Now()
	_, err = c.LinkedProducts(ctx, vehicleCode)
	add("produto-vinculado-veiculo/listar/{codigoOuPlaca}", "manual", start, err)

	// The change feeds, for today: optional, the daily sync reads everything without them.
	today := ChangeQuery{From: time.Now(), To: time.Now()}
	start = time.Now()
	_, err = c.VehicleChanges(ctx, today)
	add("listar/alteracao-veiculos", "manual", start, err)
	start = time.Now()
	_, err = c.MemberChanges(ctx, today)
	add("listar/alteracao-associados", "manual", start, err)
}

// optionalRoutes are the routes ponte works without.
var optionalRoutes = map[string]bool{"listar/alteracao-veiculos": true, "listar/alteracao-associados": true}
