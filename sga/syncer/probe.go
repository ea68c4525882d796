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
	Denied  bool   // not enabled for the token
	Skipped bool   // not tried
	Message string // SGA's own text, or the cause
}

// Probe tests the integration's credentials against SGA, route by route: the manual API's
// when manual is set, the supplier-sync API's when sync is set. baseURL overrides the stored URL.
func (e *Engine) Probe(ctx context.Context, in store.Integration, manual, sync bool, baseURL string) []RouteCheck {
	if baseURL != "" {
		in.SGAURL = baseURL
	}
	if !manual {
		in.User, in.Password, in.APIKey = "", "", ""
	}
	if !sync {
		in.SyncToken = ""
	}
	c := e.newClient(in)
	defer c.Close()
	var out []RouteCheck
	for _, r := range c.Test(ctx).Results {
		if (r.API == "manual" && !manual) || (r.API == "sync" && !sync) {
			continue
		}
		rc := RouteCheck{API: r.API, Route: r.Route, OK: r.Status == sga.ProbeOK,
			Denied: r.Status == sga.ProbeNotAllowed, Skipped: r.Status == sga.ProbeSkipped, Message: r.Skipped}
		if r.Err != nil {
			rc.Message = sga.ErrorMessage(r.Err)
			if rc.Message == "" {
				var e *sga.Error
				if errors.As(r.Err, &e) && e.Err != nil {
					rc.Message = e.Err.Error()
				} else {
					rc.Message = r.Err.Error()
				}
			}
		}
		out = append(out, rc)
	}
	return out
}
