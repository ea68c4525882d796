// Package sim is an SGA simulator: Hinova's SGA API v2 as reference/sga-api.md records it,
// over data generated from a seed, with SGA's quirks on and its faults switchable. It is an
// http.Handler; ponte sga-sim serves it alone and ponte demo runs it in-process.
package sim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// BasePath is where the simulator serves the API, as the real SGA does.
const BasePath = "/api/sga/v2"

// StatsPath serves the simulator's Stats as JSON, without auth: benchmarks and the demo read
// how many requests a sync made. It is not part of SGA.
const StatsPath = "/_sim/stats"

// Route identifiers, for the allow-list and the statistics.
const (
	RouteLogin           = "usuario/autenticar"
	RouteSituations      = "listar/situacao"
	RouteMember          = "associado/buscar"
	RouteVehicle         = "veiculo/buscar"
	RouteLinkedProducts  = "produto-vinculado-veiculo/listar"
	RouteListVehicles    = "listar/veiculo"
	RouteProductVehicles = "veiculo/listar-veiculo-produto"
	RouteSyncProducts    = "buscar/produtos-fornecedor-sincronismo"
	RouteProduct         = "produto/buscar"
	RouteSyncPages       = "sincronismo-produto-fornecedor-paginado/listar/pagina"
	RouteSyncPagesAlias  = "sincronismo-produto/listar/pagina"
	RouteSyncLookup      = "sincronismo-produto-fornecedor/buscar"
)

// Paging says what listar/veiculo's inicio_paginacao means; SGA deployments disagree.
type Paging int

// The paging modes.
const (
	PagingOffset0   Paging = iota // a 0-based row offset (default)
	PagingOffset1                 // a 1-based row offset
	PagingPageIndex               // a 0-based page index
)

// Faults are the misbehaviours the simulator can show, all off by default. Rates are
// probabilities from 0 to 1, drawn per response, so the same request retried may succeed.
type Faults struct {
	Latency       time.Duration // added to every response
	Jitter        time.Duration // plus a random part up to this
	Fail5xx       float64       // answer 500, 502 or 503
	Fail429       float64       // answer 429 with Retry-After: 1
	FailHang      float64       // hold the request until the client gives up (or HangFor)
	FailMalformed float64       // corrupt one record of a list, or the whole body
	HangFor       time.Duration // longest hang; default 5m

	BlockAfter  int           // more than this many requests by one token within BlockWindow...
	BlockWindow time.Duration // ...block it (403, "extração de dados")...
	BlockFor    time.Duration // ...for this long; default 1h
}

// Options configure a simulator. The same Seed, Members and PageSize give the same data,
// whatever the faults.
type Options struct {
	Seed     uint64
	Members  int // associados, 10 to 100,000; default 300
	PageSize int // supplier-sync page size; default 500

	// Credentials; derived from Seed when empty.
	User, Password, APIKey, SyncToken string

	Situations []Situation // default DefaultSituations
	// DeniedRoutes are the route IDs (Route* constants) left unticked in "Gerenciar APIs". Each
	// route belongs to one token (manual routes to the API key and its user tokens, supplier
	// routes to the sync token), so this is each token's allow-list, seen from its complement.
	DeniedRoutes      []string
	NotAllowedStatus  int    // the status for a route not enabled; default 404
	AllowAPIKeyOnData bool   // accept the API key as Bearer on data routes (older SGA)
	AccessHours       string // "08:00-18:00": the user may log in and call only then
	// ListingWithoutSituationCode leaves codigo_situacao out of the supplier-sync listing, as
	// associations whose "Dados enviados ao fornecedor" send only its description do.
	ListingWithoutSituationCode bool
	Paging                      Paging
	Faults                      Faults

	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default: discard
}

// Credentials are what the association would hand us, and what ponte sga-sim prints.
type Credentials struct {
	URL         string `json:"url,omitempty"`
	User        string `json:"usuario"`
	Password    string `json:"senha"`
	APIKey      string `json:"chave_api"`
	ProductCode string `json:"codigo_produto"`
	SyncToken   string `json:"sync_token"`
}

// Sim is a running simulator. It is safe for concurrent use.
type Sim struct {
	opts     Options
	pageSize int
	sits     map[int]string
	denied   map[string]bool
	hours    *window

	mu   sync.RWMutex // guards d
	d    *data
	sync []int // indexes of the vehicles in the supplier-sync listing
	gen  int   // churn rounds so far

	changes   []change // the change log, oldest first (changes.go)
	changeSeq int64

	authMu   sync.Mutex
	tokens   map[string]string // user token -> user
	current  map[string]string // user -> its one valid token
	blocks   map[string]*blockState
	faultsMu sync.Mutex
	faults   Faults
	frng     *mrand.Rand

	closing   chan struct{}
	closeOnce sync.Once
	stats     stats
}

// New builds a simulator and generates its data.
func New(o Options) (*Sim, error) {
	if o.Members == 0 {
		o.Members = 300
	}
	if o.Members < 10 || o.Members > 100_000 {
		return nil, fmt.Errorf("members must be from 10 to 100000, not %d", o.Members)
	}
	if o.PageSize == 0 {
		o.PageSize = 500
	}
	if o.PageSize < 1 || o.PageSize > 10_000 {
		return nil, fmt.Errorf("page size must be from 1 to 10000, not %d", o.PageSize)
	}
	if err := o.Faults.validate(); err != nil {
		return nil, err
	}
	if len(o.Situations) == 0 {
		o.Situations = DefaultSituations
	}
	if o.NotAllowedStatus == 0 {
		o.NotAllowedStatus = http.StatusNotFound
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Sim{
		opts:     o,
		pageSize: o.PageSize,
		sits:     map[int]string{},
		denied:   map[string]bool{},
		tokens:   map[string]string{},
		current:  map[string]string{},
		blocks:   map[string]*blockState{},
		faults:   o.Faults,
		frng:     mrand.New(mrand.NewPCG(o.Seed, 0xfa17)),
		closing:  make(chan struct{}),
	}
	for _, st := range o.Situations {
		s.sits[st.Code] = st.Description
	}
	for _, r := range o.DeniedRoutes {
		s.denied[strings.Trim(r, "/")] = true
	}
	if o.AccessHours != "" {
		w, err := parseWindow(o.AccessHours)
		if err != nil {
			return nil, err
		}
		s.hours = &w
	}
	s.fillCredentials()
	s.d = newData(o.Seed, o.Members)
	s.rebuildSyncList()
	return s, nil
}

// fillCredentials derives the credentials not given from the seed, so that a simulator started
// again with the same seed accepts the same configuration.
func (s *Sim) fillCredentials() {
	r := mrand.New(mrand.NewPCG(s.opts.Seed, 0xc4ed))
	hexOf := func(n int) string {
		b := make([]byte, n/2)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return hex.EncodeToString(b)
	}
	pw := hexOf(12)
	key, sync := hexOf(192), hexOf(64)
	if s.opts.User == "" {
		s.opts.User = "integracao.ponte"
	}
	if s.opts.Password == "" {
		s.opts.Password = pw
	}
	if s.opts.APIKey == "" {
		s.opts.APIKey = key
	}
	if s.opts.SyncToken == "" {
		s.opts.SyncToken = sync
	}
}

// Credentials returns the credentials the simulator accepts (without URL).
func (s *Sim) Credentials() Credentials {
	return Credentials{User: s.opts.User, Password: s.opts.Password, APIKey: s.opts.APIKey,
		ProductCode: s.d.ours, SyncToken: s.opts.SyncToken}
}

// SetFaults switches the faults at run time.
func (s *Sim) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.faultsMu.Lock()
	s.faults = f
	s.faultsMu.Unlock()
	return nil
}

// Close releases every hanging request. The handler answers 503 afterwards.
func (s *Sim) Close() { s.closeOnce.Do(func() { close(s.closing) }) }

// apiKind is who may call a route.
type apiKind int

const (
	apiLogin  apiKind = iota // the API key
	apiManual                // a user token
	apiSync                  // the sync token
)

type handler func(s *Sim, r *http.Request, args []string) reply

type reply struct {
	status int
	body   any
	header http.Header
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func fail(status int, msg string, errs ...string) reply {
	if errs == nil {
		errs = []string{}
	}
	return reply{status: status, body: map[string]any{"mensagem": msg, "error": errs}}
}

// ServeHTTP answers one request: latency, faults, auth, the extraction block, the route.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatsPath {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Stats())
		return
	}
	start := time.Now()
	// The body is read first: the HTTP server watches for a client that hangs up only once
	// the body is consumed, and a client giving up during the latency must end the request.
	if body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20)); err == nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, BasePath), "/")
	route, kind, h, args := match(r.Method, path)
	s.stats.count(route)
	rep := s.serve(r, route, kind, h, args)
	s.write(w, rep)
	s.opts.Logger.Debug("sim", "method", r.Method, "route", route, "status", rep.status, "took", time.Since(start))
}

func (s *Sim) serve(r *http.Request, route string, kind apiKind, h handler, args []string) reply {
	f := s.currentFaults()
	if d := f.Latency + s.jitter(f.Jitter); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return fail(http.StatusServiceUnavailable, "cancelado")
		case <-s.closing:
			t.Stop()
			return fail(http.StatusServiceUnavailable, "servidor encerrando")
		}
	}
	if h == nil {
		return reply{status: http.StatusNotFound, body: nil} // no envelope: the web server's 404
	}
	if rep, faulted := s.drawFault(r, f); faulted {
		return rep
	}
	token := bearer(r)
	if token == "" {
		return fail(http.StatusUnauthorized, "Token não informado", "Envie o token no cabeçalho Authorization: Bearer")
	}
	principal, rep, allowed := s.authorize(kind, token)
	if !allowed {
		return rep
	}
	if rep, blocked := s.checkBlock(principal, f); blocked {
		return rep
	}
	if s.denied[route] {
		return fail(s.opts.NotAllowedStatus, "Sem permissão",
			"O token não tem permissão para acessar esta rota. Libere-a em Área Cliente > APIs > Gerenciar APIs")
	}
	rep = h(s, r, args)
	if rep.status == http.StatusOK && s.drawMalformed(f) {
		rep.body = corrupted{rep.body}
	}
	return rep
}

// authorize checks the Bearer token against the route's kind, and the access hours.
// It returns the principal whose requests count towards the extraction block.
func (s *Sim) authorize(kind apiKind, token string) (string, reply, bool) {
	invalid := fail(http.StatusUnauthorized, "Token inválido", "Token inválido ou expirado. Autentique-se novamente")
	switch kind {
	case apiLogin:
		if token != s.opts.APIKey {
			return "", invalid, false
		}
		if s.outsideHours() {
			return "", s.hoursReply(), false
		}
		return "key:" + token, reply{}, true
	case apiSync:
		if token != s.opts.SyncToken {
			return "", invalid, false
		}
		return "sync", reply{}, true
	default:
		if s.opts.AllowAPIKeyOnData && token == s.opts.APIKey {
			return "key:" + token, reply{}, true
		}
		s.authMu.Lock()
		_, valid := s.tokens[token]
		s.authMu.Unlock()
		if !valid {
			return "", invalid, false
		}
		if s.outsideHours() {
			return "", s.hoursReply(), false
		}
		// The user token inherits the API key's quota: SGA blocks the association token.
		return "key:" + s.opts.APIKey, reply{}, true
	}
}

func bearer(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// login is POST usuario/autenticar: {usuario, senha} with the API key as Bearer. A new login
// invalidates the user's previous token.
func login(s *Sim, r *http.Request, _ []string) reply {
	var body struct {
		Usuario string `json:"usuario"`
		Senha   string `json:"senha"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&body); err != nil {
		return fail(http.StatusNotAcceptable, "Requisição inválida", "Envie usuario e senha em JSON")
	}
	if body.Usuario != s.opts.User || body.Senha != s.opts.Password {
		return fail(http.StatusUnauthorized, "Login ou senha inválido", "Usuário ou senha incorretos")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	s.authMu.Lock()
	if old, ok := s.current[body.Usuario]; ok {
		delete(s.tokens, old)
	}
	s.current[body.Usuario] = token
	s.tokens[token] = body.Usuario
	s.authMu.Unlock()
	s.stats.logins.Add(1)
	return ok(map[string]string{"mensagem": "OK", "token_usuario": token})
}

// InvalidateUserTokens logs every user out, as a login from elsewhere would.
func (s *Sim) InvalidateUserTokens() {
	s.authMu.Lock()
	clear(s.tokens)
	clear(s.current)
	s.authMu.Unlock()
}

// write encodes a reply. A corrupted body has one record, or the body itself, damaged.
func (s *Sim) write(w http.ResponseWriter, rep reply) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.body == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1></body></html>"))
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	body := rep.body
	c, corrupt := body.(corrupted)
	if corrupt {
		body = c.body
	}
	if err := enc.Encode(body); err != nil {
		http.Error(w, `{"mensagem":"Erro interno"}`, http.StatusInternalServerError)
		return
	}
	out := buf.Bytes()
	if corrupt {
		out = s.corrupt(out)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(out)
}

// stats counts what the simulator saw; tests and the demo read it.
type stats struct {
	mu       sync.Mutex
	byRoute  map[string]int
	requests atomic.Int64
	logins   atomic.Int64
	faults   atomic.Int64
	blocks   atomic.Int64
}

func (st *stats) count(route string) {
	st.requests.Add(1)
	st.mu.Lock()
	if st.byRoute == nil {
		st.byRoute = map[string]int{}
	}
	st.byRoute[route]++
	st.mu.Unlock()
}

// Stats is a snapshot of what the simulator has served.
type Stats struct {
	Requests int64          `json:"requests"`
	Logins   int64          `json:"logins"` // successful logins
	Faults   int64          `json:"faults"` // faults injected
	Blocks   int64          `json:"blocks"` // times a token was blocked
	ByRoute  map[string]int `json:"by_route"`
}

// Stats returns what the simulator has served so far.
func (s *Sim) Stats() Stats {
	s.stats.mu.Lock()
	by := make(map[string]int, len(s.stats.byRoute))
	for k, v := range s.stats.byRoute {
		by[k] = v
	}
	s.stats.mu.Unlock()
	return Stats{Requests: s.stats.requests.Load(), Logins: s.stats.logins.Load(),
		Faults: s.stats.faults.Load(), Blocks: s.stats.blocks.Load(), ByRoute: by}
}
