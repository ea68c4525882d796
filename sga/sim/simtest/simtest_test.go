package simtest_test

import (
	"net/http"
	"testing"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
)

// New's store is configured with the credentials each option asks for, pointing at a server
// that answers; when the test ends the server is closed.
func TestNewConfiguresTheCredentialsAsked(t *testing.T) {
	var url string
	for _, tt := range []struct {
		name          string
		opts          []simtest.Option
		manual, token bool
	}{
		{"every credential", nil, true, true},
		{"manual only", []simtest.Option{simtest.ManualOnly()}, true, false},
		{"token only", []simtest.Option{simtest.TokenOnly()}, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := simtest.New(t, sim.Options{Seed: 1, Members: 10}, tt.opts...)
			in, err := h.Store.Integration()
			if err != nil {
				t.Fatal(err)
			}
			cr := h.Creds
			if in.SGAURL != h.URL || in.ProductCode != cr.ProductCode {
				t.Fatalf("url %q product %q; want %q %q", in.SGAURL, in.ProductCode, h.URL, cr.ProductCode)
			}
			if got := in.User == cr.User && in.Password == cr.Password && in.APIKey == cr.APIKey; got != tt.manual {
				t.Fatalf("manual credentials saved: %v, want %v (%+v)", got, tt.manual, in)
			}
			if got := in.SyncToken == cr.SyncToken; got != tt.token {
				t.Fatalf("sync token saved: %v, want %v", got, tt.token)
			}
			resp, err := http.Get(h.HTTP.URL)
			if err != nil {
				t.Fatalf("the simulator does not answer: %v", err)
			}
			resp.Body.Close()
			url = h.HTTP.URL
		})
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			t.Fatalf("%s: the server still answers after its test ended", tt.name)
		}
	}
}

// Wrap sits between the client and the simulator; Patch and As change what is saved and by whom.
func TestWrapPatchAndAs(t *testing.T) {
	var seen int
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen++; h.ServeHTTP(w, r) })
	}
	other := store.Actor{Who: "ana", From: "test"}
	h := simtest.New(t, sim.Options{Seed: 1, Members: 10}, simtest.Wrap(wrap), simtest.As(other),
		simtest.Patch(func(p *store.IntegrationPatch) { p.SGAURL = nil }))
	in, err := h.Store.Integration()
	if err != nil {
		t.Fatal(err)
	}
	if in.SGAURL != "" {
		t.Fatalf("the patch that dropped the URL was not applied: %q", in.SGAURL)
	}
	if c, ok := in.Changes[store.FieldUser]; !ok || c.By != other.Who {
		t.Fatalf("the user was not saved by %s: %+v", other.Who, in.Changes[store.FieldUser])
	}
	resp, err := http.Get(h.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if seen != 1 {
		t.Fatalf("the wrapper saw %d requests, want 1", seen)
	}
}
