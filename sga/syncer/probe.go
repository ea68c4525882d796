package syncer

import (
	"context"
	"errors"

	"ponte/sga"
	"ponte/store"
)

// RouteCheck is one line of a connection test, in terms the console can show.
type RouteCheck struct {
	API     string // "manual" or "sync"
	Route   string // as SGA's Gerenciar APIs lists it
	OK      bool
	Denied  bool // not enabled for the token
	Skipped bool // not tried
	// Refused: SGA refused the credentials (the manual login) or the Sincronismo SGA token.
	Refused bool
	// Optional: ponte works without the route (the change feeds); its failure is a note.
	Optional bool
	Message  string // SGA's own text, or the cause

	// ProductCode is set on the line that checks the Código do Produto against SGA's
	// catalogue; KnownProducts then lists the codes SGA has ("12 (RASTREADOR)") when it does
	// not have this one.
	ProductCode    string
	UnknownProduct bool
	KnownProducts  []string
}

// Probe tests the integration's credentials against SGA, route by route: the manual API's
// when manual is set, the supplier-sync API's when sync is set. baseURL overrides the stored URL.
// rules are the association's: the manual listing is probed with a situação they take as active.
func (e *Engine) Probe(ctx context.Context, in store.Integration, rules store.Rules, manual, sync bool, baseURL string) []RouteCheck {
	if baseURL != "" {
		in.SGAURL = baseURL
	}
	if !manual {
		in.User, in.Password, in.APIKey = "", "", ""
	}
	if !sync {
		in.SyncToken = ""
	}
	c := e.newClient(in, e.opt.Logger, "")
	defer c.Close()
	var out []RouteCheck
	for _, r := range c.Test(ctx, rules.Active).Results {
		if (r.API == "manual" && !manual) || (r.API == "sync" && !sync) {
			continue
		}
		rc := RouteCheck{API: r.API, Route: r.Route, OK: r.Status == sga.ProbeOK,
			Denied: r.Status == sga.ProbeNotAllowed, Skipped: r.Status == sga.ProbeSkipped, Message: r.Skipped, Optional: r.Optional}
		if r.Err != nil {
			rc.Message = message(r.Err)
			rc.Refused = errors.Is(r.Err, sga.ErrUnauthorized)
		}
		out = append(out, rc)
	}
	if code := in.ProductCode; code != "" && (in.SyncToken != "" || in.Password != "") {
		api := "sync"
		if in.SyncToken == "" {
			api = "manual"
		}
		rc := RouteCheck{API: api, ProductCode: code}
		known, err := checkProduct(ctx, c, code)
		switch {
		case err == nil:
			rc.OK = true
		case errors.Is(err, ErrUnknownProduct):
			rc.UnknownProduct, rc.KnownProducts = true, known
		default:
			rc.Message = message(err)
		}
		out = append(out, rc)
	}
	return out
}

// ErrUnknownProduct: SGA has no product with the integration's Código do Produto.
var ErrUnknownProduct = sga.ErrUnknownProduct

func checkProduct(ctx context.Context, c *sga.Client, code string) (known []string, err error) {
	err = c.CheckProduct(ctx, code)
	var unknown *sga.UnknownProductError
	if errors.As(err, &unknown) {
		for _, p := range unknown.Known {
			known = append(known, p.Code+" ("+p.Name+")")
		}
	}
	return known, err
}

// message is SGA's own text for an error, or the cause.
func message(err error) string {
	if m := sga.ErrorMessage(err); m != "" {
		return m
	}
	var e *sga.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
