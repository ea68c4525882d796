// Package simtest is the tests' SGA: a simulator behind a real HTTP server and, for the tests
// that sync, a store in the test's temporary directory whose integration points at it.
// Everything it starts is closed by the test's Cleanup, so a test asks for what it needs in one
// line and closes nothing. Only tests import it.
package simtest

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
)

// Maria is who configures the integration unless As says otherwise.
var Maria = store.Actor{Who: "maria", From: "test"}

// Server is a simulator served over HTTP.
type Server struct {
	Sim   *sim.Sim
	HTTP  *httptest.Server
	Creds sim.Credentials
	URL   string // the SGA URL: the server's address and sim.BasePath
}

// Harness is a Server and a store whose integration points at it.
type Harness struct {
	*Server
	Store *store.Store
}

// Option changes what Serve, New and Configure do.
type Option func(*config)

// Which credentials Configure writes.
const (
	credsAll = iota
	credsManual
	credsToken
)

type config struct {
	wrap  func(http.Handler) http.Handler
	so    store.Options
	creds int
	patch func(*store.IntegrationPatch)
	actor store.Actor
}

// Wrap puts w between the client and the simulator (to count, hold or break requests).
func Wrap(w func(http.Handler) http.Handler) Option { return func(c *config) { c.wrap = w } }

// StoreOptions opens New's store with o instead of store.Options{NoSync: true}.
func StoreOptions(o store.Options) Option { return func(c *config) { c.so = o } }

// ManualOnly configures the manual credentials (user, password, API key) and no sync token.
func ManualOnly() Option { return func(c *config) { c.creds = credsManual } }

// TokenOnly configures the sync token and no manual credentials.
func TokenOnly() Option { return func(c *config) { c.creds = credsToken } }

// Patch changes the integration patch before it is saved.
func Patch(p func(*store.IntegrationPatch)) Option { return func(c *config) { c.patch = p } }

// As saves the integration as a instead of Maria.
func As(a store.Actor) Option { return func(c *config) { c.actor = a } }

func configure(opts []Option) config {
	c := config{so: store.Options{NoSync: true}, actor: Maria}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Serve starts o's simulator behind an httptest server, Wrap's handler in front when given.
func Serve(t testing.TB, o sim.Options, opts ...Option) *Server {
	t.Helper()
	c := configure(opts)
	s, err := sim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = s
	if c.wrap != nil {
		h = c.wrap(s)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return &Server{Sim: s, HTTP: srv, Creds: s.Credentials(), URL: srv.URL + sim.BasePath}
}

// OpenStore opens a store in the test's temporary directory.
func OpenStore(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// New serves o's simulator and opens a store configured for it: the URL, the product code and,
// unless ManualOnly or TokenOnly says otherwise, every credential.
func New(t testing.TB, o sim.Options, opts ...Option) *Harness {
	t.Helper()
	srv := Serve(t, o, opts...)
	st := OpenStore(t, configure(opts).so)
	Configure(t, st, srv, opts...)
	return &Harness{Server: srv, Store: st}
}

// Configure points st's integration (the default association's, or st.In's) at srv.
func Configure(t testing.TB, st store.IntegrationStore, srv *Server, opts ...Option) {
	t.Helper()
	c := configure(opts)
	cr := srv.Creds
	url := srv.URL
	p := store.IntegrationPatch{SGAURL: &url, ProductCode: &cr.ProductCode}
	if c.creds != credsToken {
		p.User, p.Password, p.APIKey = &cr.User, &cr.Password, &cr.APIKey
	}
	if c.creds != credsManual {
		p.SyncToken = &cr.SyncToken
	}
	if c.patch != nil {
		c.patch(&p)
	}
	if _, err := st.SetIntegration(p, c.actor); err != nil {
		t.Fatal(err)
	}
}
