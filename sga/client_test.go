package sga_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
)

// harness is a simulator behind a real HTTP server and a client configured for it, with
// retries fast enough for tests.
type harness struct {
	sim    *sim.Sim
	url    string
	creds  sim.Credentials
	client *sga.Client
	logs   *bytes.Buffer
}

func newHarness(t *testing.T, o sim.Options, tweak func(*sga.Config)) *harness {
	t.Helper()
	if o.Members == 0 {
		o.Members = 200
	}
	if o.PageSize == 0 {
		o.PageSize = 50
	}
	srv := simtest.Serve(t, o)
	h := &harness{sim: srv.Sim, url: srv.URL, creds: srv.Creds, logs: &bytes.Buffer{}}
	h.client = h.newClient(tweak)
	return h
}

func (h *harness) newClient(tweak func(*sga.Config)) *sga.Client {
	cfg := sga.Config{
		BaseURL: h.url,
		Credentials: sga.Credentials{User: h.creds.User, Password: h.creds.Password,
			APIKey: h.creds.APIKey, SyncToken: h.creds.SyncToken},
		Timeout:           2 * time.Second,
		RequestsPerSecond: -1,
		RetryBase:         time.Millisecond,
		RetryMax:          10 * time.Millisecond,
		MaxRetries:        6,
		LoginBackoff:      time.Hour,
		Logger:            slog.New(slog.NewTextHandler(&lockedWriter{w: h.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c := sga.New(cfg)
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// supplierVehicles is the ground truth: the codes of the vehicles that carry any supplier product.
func supplierVehicles(s *sim.Sim, supplier []string) []int64 {
	var out []int64
	for _, v := range s.Vehicles() {
		for _, p := range v.Products {
			if slices.Contains(supplier, p) {
				out = append(out, v.Code)
				break
			}
		}
	}
	return out
}

// readAllPages reads the whole supplier-sync listing and returns the codes read and reported bad.
func readAllPages(t *testing.T, c *sga.Client) (read, bad []int64) {
	t.Helper()
	ctx := context.Background()
	pc, err := c.SyncPageCount(ctx)
	if err != nil {
		t.Fatalf("page count: %v", err)
	}
	for n := 1; n <= pc.Pages; n++ {
		p, err := c.SyncPage(ctx, n)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		for _, r := range p.Records {
			read = append(read, int64(r.VehicleCode))
		}
		for _, b := range p.Bad {
			code, ok := strings.CutPrefix(strings.Fields(b.Key + " x")[0], "codigo_veiculo=")
			if !ok {
				t.Fatalf("bad record without its key: %+v", b)
			}
			n, _ := strconv.ParseInt(code, 10, 64)
			bad = append(bad, n)
		}
	}
	return read, bad
}

func TestClientRoutes(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 11}, nil)
	c, ctx := h.client, context.Background()

	sits, err := c.Situations(ctx)
	if err != nil || len(sits) != 5 || sits[0].Description != "ATIVO" || sits[3].Description != "INATIVO" {
		t.Fatalf("situations = %+v, %v", sits, err)
	}

	all := h.sim.Vehicles()
	var active []sga.Int
	for _, v := range all {
		if v.Situation == 1 {
			active = append(active, sga.Int(v.Code))
		}
	}
	var listed []sga.Int
	for start := 0; ; start += 40 {
		p, err := c.ListVehicles(ctx, sga.ListVehiclesQuery{Situation: 1, Start: start, PageSize: 40})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Vehicles) == 0 {
			break
		}
		if p.Total != len(active) || p.Showing != len(p.Vehicles) {
			t.Fatalf("envelope total %d showing %d, want %d and %d", p.Total, p.Showing, len(active), len(p.Vehicles))
		}
		for _, v := range p.Vehicles {
			listed = append(listed, v.Code)
		}
	}
	if !slices.Equal(listed, active) {
		t.Fatalf("listar/veiculo paged %d active vehicles, want %d", len(listed), len(active))
	}

	pv, err := c.ProductVehicles(ctx, 1, 0, 10)
	if err != nil || len(pv.Vehicles) != 10 || len(pv.Vehicles[0].Products) == 0 {
		t.Fatalf("product vehicles: %d, %v", len(pv.Vehicles), err)
	}

	v0 := all[0]
	m, err := c.MemberByCPF(ctx, v0.MemberCPF)
	if err != nil || int64(m.Code) != v0.MemberCode || len(m.Vehicles) == 0 {
		t.Fatalf("member by CPF = %+v, %v", m, err)
	}
	if m2, err := c.MemberByCode(ctx, v0.MemberCode); err != nil || m2.CPF != m.CPF {
		t.Fatalf("member by code = %+v, %v", m2, err)
	}
	var withPlate sim.VehicleInfo
	for _, v := range all {
		if v.Plate != "" {
			withPlate = v
			break
		}
	}
	for _, lookup := range []struct {
		by    sga.VehicleKey
		value string
	}{
		{sga.ByPlate, strings.ToLower(withPlate.Plate[:3]) + "-" + withPlate.Plate[3:]},
		{sga.ByChassis, withPlate.Chassis},
		{sga.ByCode, strconv.FormatInt(withPlate.Code, 10)},
	} {
		t.Run(string(lookup.by), func(t *testing.T) {
			v, err := c.Vehicle(ctx, lookup.by, lookup.value)
			if err != nil || int64(v.Code) != withPlate.Code || v.Renavam == "" {
				t.Fatalf("vehicle by %s %q = %+v, %v", lookup.by, lookup.value, v, err)
			}
		})
	}
	if _, err := c.Vehicle(ctx, sga.ByPlate, "ZZZ0000"); !errors.Is(err, sga.ErrNotFound) {
		t.Fatalf("unknown plate: %v, want ErrNotFound", err)
	}
	lp, err := c.LinkedProducts(ctx, strconv.FormatInt(withPlate.Code, 10))
	if err != nil || len(lp.Products) != len(withPlate.Products) {
		t.Fatalf("linked products = %+v, %v; want %v", lp, err, withPlate.Products)
	}

	prods, err := c.SyncProducts(ctx)
	if err != nil || len(prods) != 2 || !prods.Has(h.creds.ProductCode) {
		t.Fatalf("supplier products = %+v, %v", prods, err)
	}
	var supplier []string
	for _, p := range prods {
		supplier = append(supplier, p.Code)
	}
	read, bad := readAllPages(t, c)
	if len(bad) != 0 || !slices.Equal(read, supplierVehicles(h.sim, supplier)) {
		t.Fatalf("supplier listing: %d read, %d bad; want %d", len(read), len(bad), len(supplierVehicles(h.sim, supplier)))
	}
	recs, _, err := c.SyncLookup(ctx, "cpf", v0.MemberCPF)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if int64(r.MemberCode) != v0.MemberCode || len(r.Products) == 0 {
			t.Fatalf("lookup by CPF returned %+v", r)
		}
	}
	if recs, _, err := c.SyncLookup(ctx, "placa", "ZZZ0000"); err != nil || len(recs) != 0 {
		t.Fatalf("lookup of an unknown plate: %v, %v", recs, err)
	}
	if c.Logins() != 1 {
		t.Errorf("%d logins for a session of calls, want 1", c.Logins())
	}
}

// TestFaults reads the whole supplier listing and some manual routes with each fault on, alone
// and together: whatever SGA does, every record is read or reported with its key.
func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults sim.Faults
	}{
		{"latency", sim.Faults{Latency: 5 * time.Millisecond, Jitter: 5 * time.Millisecond}},
		{"5xx", sim.Faults{Fail5xx: 0.3}},
		{"429", sim.Faults{Fail429: 0.15}},
		{"hang", sim.Faults{FailHang: 0.2, HangFor: 10 * time.Second}},
		{"malformed", sim.Faults{FailMalformed: 0.3}},
		{"all", sim.Faults{Latency: 2 * time.Millisecond, Jitter: 3 * time.Millisecond, Fail5xx: 0.1,
			Fail429: 0.05, FailHang: 0.05, FailMalformed: 0.1, HangFor: 10 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, sim.Options{Seed: 5, Faults: tt.faults}, func(c *sga.Config) {
				c.Timeout = 300 * time.Millisecond
				c.MaxRetries = 10
			})
			want := supplierVehicles(h.sim, supplierCodes(t, h))
			read, bad := readAllPages(t, h.client)
			got := append(slices.Clone(read), bad...)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("read %d + bad %d = %d records, want %d", len(read), len(bad), len(got), len(want))
			}
			if tt.faults.FailMalformed == 0 && len(bad) > 0 {
				t.Fatalf("%d bad records without malformed replies", len(bad))
			}
			if _, err := h.client.Situations(context.Background()); err != nil {
				t.Fatalf("situations: %v", err)
			}
			if st := h.sim.Stats(); tt.name != "latency" && st.Faults == 0 {
				t.Fatalf("no fault was injected: the test tested nothing")
			}
		})
	}
}

func supplierCodes(t *testing.T, h *harness) []string {
	t.Helper()
	var out []string
	for _, p := range h.sim.Products() {
		if p.Supplier {
			out = append(out, p.Code)
		}
	}
	if len(out) != 2 {
		t.Fatalf("the simulator's supplier products: %v", out)
	}
	return out
}

func TestTransientGivesUpAfterRetries(t *testing.T) {
	var told []sga.Retry
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{Fail5xx: 1}}, func(c *sga.Config) {
		c.MaxRetries = 3
		c.OnRetry = func(r sga.Retry) { told = append(told, r) }
	})
	_, err := h.client.SyncPageCount(context.Background())
	var e *sga.Error
	if !errors.Is(err, sga.ErrTransient) || !errors.As(err, &e) || e.Status < 500 {
		t.Fatalf("err = %v, want a transient 5xx", err)
	}
	if got := h.sim.Stats().Requests; got != 4 {
		t.Fatalf("%d requests, want 4 (one and three retries)", got)
	}
	// Each retry is told before its wait, with its number, the limit and the failure.
	if len(told) != 3 {
		t.Fatalf("OnRetry told %d retries, want 3", len(told))
	}
	for i, r := range told {
		if r.Attempt != i+1 || r.Of != 3 || !errors.Is(r.Err, sga.ErrTransient) || r.Route == "" || r.Wait <= 0 {
			t.Fatalf("retry %d: %+v", i+1, r)
		}
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{Fail429: 1}}, func(c *sga.Config) {
		c.MaxRetries = 1
	})
	start := time.Now()
	_, err := h.client.SyncProducts(context.Background())
	if !errors.Is(err, sga.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if time.Since(start) < time.Second {
		t.Fatalf("retried after %v, before Retry-After's 1s", time.Since(start))
	}
}

func TestExtractionBlock(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{BlockAfter: 3, BlockWindow: time.Minute, BlockFor: time.Hour}}, nil)
	ctx := context.Background()
	for i := range 3 {
		if _, err := h.client.SyncPage(ctx, 1); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	_, err := h.client.SyncPage(ctx, 1)
	var e *sga.Error
	if !errors.Is(err, sga.ErrBlocked) || !errors.As(err, &e) || e.RetryAfter != time.Hour || !strings.Contains(e.Message, "BLOQUEADO") {
		t.Fatalf("err = %v, want ErrBlocked with SGA's message and a 1h hint", err)
	}
	if got := h.sim.Stats().Requests; got != 4 {
		t.Fatalf("%d requests: a block must not be retried", got)
	}
}

func TestAccessHours(t *testing.T) {
	night := func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.Local) }
	h := newHarness(t, sim.Options{Seed: 1, AccessHours: "08:00-18:00", Now: night}, nil)
	err := h.client.Login(context.Background())
	if !errors.Is(err, sga.ErrAccessHours) || !strings.Contains(err.Error(), "restrição de horário") {
		t.Fatalf("err = %v, want ErrAccessHours with SGA's message", err)
	}
}

func TestRouteNotAllowedAndProbe(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			h := newHarness(t, sim.Options{Seed: 1, NotAllowedStatus: status,
				DeniedRoutes: []string{sim.RouteListVehicles, sim.RouteSyncPages}}, nil)
			ctx := context.Background()
			if _, err := h.client.ListVehicles(ctx, sga.ListVehiclesQuery{Situation: 1}); !errors.Is(err, sga.ErrRouteNotAllowed) {
				t.Fatalf("listar/veiculo: %v, want ErrRouteNotAllowed", err)
			}
			rep := h.client.Test(ctx, nil)
			status := map[string]sga.ProbeStatus{}
			for _, r := range rep.Results {
				status[r.Route] = r.Status
			}
			if status["listar/veiculo"] != sga.ProbeNotAllowed {
				t.Errorf("listar/veiculo probed %v, want not allowed", status["listar/veiculo"])
			}
			for _, r := range []string{"usuario/autenticar", "listar/situacao/todos", "associado/buscar/{valor}/{buscar_por}",
				"veiculo/buscar/{valor}/{tipo}", "buscar/produtos-fornecedor-sincronismo",
				"sincronismo-produto/listar/pagina/{numero_pagina}"} {
				if status[r] != sga.ProbeOK {
					t.Errorf("%s probed %v, want ok (report %+v)", r, status[r], rep.Results)
				}
			}
			if rep.OK() || rep.SyncOK() != true || rep.ManualOK() {
				t.Errorf("OK=%v SyncOK=%v ManualOK=%v", rep.OK(), rep.SyncOK(), rep.ManualOK())
			}
		})
	}
}

func TestProbeWithoutCredentials(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, func(c *sga.Config) { c.Credentials = sga.Credentials{} })
	rep := h.client.Test(context.Background(), nil)
	for _, r := range rep.Results {
		if r.Status != sga.ProbeSkipped || r.Skipped == "" {
			t.Fatalf("%s: %v, want skipped with a reason", r.Route, r.Status)
		}
	}
	if rep.OK() || h.sim.Stats().Requests != 0 {
		t.Fatalf("a test with no credentials reported OK or sent requests")
	}
}

func TestConcurrentCallsLogInOnce(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{Latency: 20 * time.Millisecond}}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := h.client.Situations(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := h.sim.Stats().Logins; got != 1 {
		t.Fatalf("%d logins for 16 concurrent calls, want 1", got)
	}
}

func TestRecoversOnceFromTokenInvalidatedByAnotherLogin(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, nil)
	ctx := context.Background()
	if _, err := h.client.Situations(ctx); err != nil {
		t.Fatal(err)
	}
	// Someone else logs in with the same SGA user: our token is now void.
	other := h.newClient(nil)
	if err := other.Login(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := h.client.Situations(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := h.client.Logins(); got != 2 {
		t.Fatalf("client logged in %d times, want 2 (the first, and one recovery for 8 callers)", got)
	}
	if got := h.sim.Stats().Logins; got != 3 {
		t.Fatalf("simulator saw %d logins, want 3", got)
	}
}

func TestPersistent401IsNotALoginStorm(t *testing.T) {
	var logins, data int
	var mu sync.Mutex
	srv := simtest.Serve(t, sim.Options{Seed: 1, Members: 10}, simtest.Wrap(func(s http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if strings.HasSuffix(r.URL.Path, "usuario/autenticar") {
				logins++
				s.ServeHTTP(w, r)
				return
			}
			data++
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"mensagem":"Token inválido","error":["Token inválido ou expirado"]}`))
		})
	}))
	cr := srv.Creds
	c := sga.New(sga.Config{BaseURL: srv.URL, RequestsPerSecond: -1, LoginBackoff: time.Hour,
		Credentials: sga.Credentials{User: cr.User, Password: cr.Password, APIKey: cr.APIKey}})
	for range 5 {
		if _, err := c.Situations(context.Background()); !errors.Is(err, sga.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
	}
	// Each call: its request, one new login, one retry. Never more.
	if logins > 6 || data != 10 {
		t.Fatalf("%d logins and %d data requests for 5 calls; want at most 6 and exactly 10", logins, data)
	}
}

func TestFailedLoginBacksOff(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, func(c *sga.Config) { c.Credentials.Password = "wrong" })
	ctx := context.Background()
	_, err := h.client.Situations(ctx)
	if !errors.Is(err, sga.ErrUnauthorized) || !strings.Contains(err.Error(), "Login ou senha inválido") {
		t.Fatalf("err = %v, want ErrUnauthorized with SGA's message", err)
	}
	for range 5 {
		var e *sga.Error
		if _, err := h.client.Situations(ctx); !errors.As(err, &e) || e.Kind != sga.ErrUnauthorized || e.RetryAfter <= 0 {
			t.Fatalf("during the backoff: %v", err)
		}
	}
	if got := h.sim.Stats().ByRoute[sim.RouteLogin]; got != 1 {
		t.Fatalf("%d login attempts, want 1: the backoff must hold the others", got)
	}
}

func TestCallerCancelStopsAHang(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{FailHang: 1, HangFor: time.Minute}},
		func(c *sga.Config) { c.Timeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.client.SyncProducts(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %v, want the caller's deadline promptly", err, time.Since(start))
	}
}

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1, Faults: sim.Faults{Fail5xx: 0.3, FailMalformed: 0.2}}, nil)
	ctx := context.Background()
	var msgs []string
	collect := func(err error) {
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	_, err := h.client.Situations(ctx)
	collect(err)
	_, err = h.client.SyncPageCount(ctx)
	collect(err)
	bad := h.newClient(func(c *sga.Config) { c.Credentials.Password += "x"; c.Credentials.SyncToken += "x" })
	_, err = bad.Situations(ctx)
	collect(err)
	_, err = bad.SyncPage(ctx, 1)
	collect(err)
	rep := bad.Test(ctx, nil)
	for _, r := range rep.Results {
		collect(r.Err)
	}
	if len(msgs) == 0 {
		t.Fatal("no error to check")
	}
	everything := strings.Join(msgs, "\n") + h.logs.String()
	for _, secret := range []string{h.creds.Password, h.creds.APIKey, h.creds.SyncToken, h.creds.SyncToken + "x"} {
		if strings.Contains(everything, secret) {
			t.Fatalf("a secret leaked into an error or a log line:\n%s", everything)
		}
	}
}

// TestPacing checks the limiter holds the request rate down. It asserts only a lower bound on
// the elapsed time, which a slow machine cannot break.
func TestPacing(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, func(c *sga.Config) { c.RequestsPerSecond = 20 })
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				if _, err := h.client.SyncProducts(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// 12 requests at 20 per second with a burst of 1: at least 11 intervals of 50ms.
	if elapsed := time.Since(start); elapsed < 540*time.Millisecond {
		t.Fatalf("12 requests took %v; the limiter let them through faster than 20/s", elapsed)
	}
	h.client.SetRate(-1)
	if _, err := h.client.SyncProducts(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestClosedClientRefusesCalls(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, nil)
	h.client.Close()
	if _, err := h.client.SyncProducts(context.Background()); !errors.Is(err, sga.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if _, err := h.client.Situations(context.Background()); err == nil {
		t.Fatal("a manual call succeeded after Close")
	}
	if h.sim.Stats().Requests != 0 {
		t.Fatal("a closed client sent requests")
	}
}

// An SGA that redirects to a link-local address (where cloud metadata lives) gets no request
// there: the client refuses to connect, whatever led it.
//
// The address checked is the one dialled, whatever form led to it: an IPv6 address with its
// zone (fe80::1%lo) or an IPv4 one mapped into IPv6 as well as a plain one.
func TestNeverDialsLinkLocal(t *testing.T) {
	for _, to := range []string{"http://169.254.169.254/latest/meta-data", "http://[fe80::a9fe:a9fe%25lo]/latest/meta-data",
		"http://[::ffff:169.254.169.254]/latest/meta-data", "http://[fe80::1]:8080/"} {
		t.Run(to, func(t *testing.T) {
			redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, to, http.StatusFound)
			}))
			t.Cleanup(redirect.Close)
			c := sga.New(sga.Config{BaseURL: redirect.URL, Credentials: sga.Credentials{SyncToken: "t"}, RequestsPerSecond: -1,
				RetryBase: time.Hour, RetryMax: time.Hour, Timeout: 2 * time.Second})
			defer c.Close()
			done := make(chan error, 1)
			go func() { _, err := c.SyncProducts(context.Background()); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, sga.ErrLinkLocal) {
					t.Errorf("redirected to %s: %v", to, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("redirected to %s: the refusal was retried as a transient failure", to)
			}
		})
	}
}

// The product check reads the supplier's catalogue with the sync token, or produto/buscar
// with the manual credentials; a code SGA lacks is named with the codes SGA has.
func TestCheckProduct(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 1}, nil)
	ctx := context.Background()
	if err := h.client.CheckProduct(ctx, h.creds.ProductCode); err != nil {
		t.Fatalf("our product: %v", err)
	}
	var unknown *sga.UnknownProductError
	if err := h.client.CheckProduct(ctx, "99"); !errors.As(err, &unknown) || !unknown.Known.Has(h.creds.ProductCode) {
		t.Fatalf("an unknown product: %v", err)
	}
	manual := h.newClient(func(c *sga.Config) { c.Credentials.SyncToken = "" })
	defer manual.Close()
	if err := manual.CheckProduct(ctx, h.creds.ProductCode); err != nil {
		t.Fatalf("our product, manual: %v", err)
	}
	if err := manual.CheckProduct(ctx, "99"); !errors.Is(err, sga.ErrUnknownProduct) {
		t.Fatalf("an unknown product, manual: %v", err)
	}
}

// A connection test against an address that does not answer stops at the first route that got
// no reply: the others are at the same address.
func TestConnectionTestStopsWhereNothingAnswers(t *testing.T) {
	c := sga.New(sga.Config{BaseURL: "http://127.0.0.1:1/api/sga/v2", RequestsPerSecond: -1, MaxRetries: 1,
		RetryBase: time.Millisecond, Credentials: sga.Credentials{SyncToken: "token"}})
	defer c.Close()
	rep := c.Test(context.Background(), nil)
	var failed, skipped int
	for _, r := range rep.Results {
		switch {
		case r.API == "sync" && r.Status == sga.ProbeFailed && sga.Unreachable(r.Err):
			failed++
		case r.API == "sync" && r.Status == sga.ProbeSkipped && r.Skipped == "no reply from SGA":
			skipped++
		}
	}
	if failed != 1 || skipped != 3 {
		t.Fatalf("%d failed and %d skipped, want 1 and 3: %+v", failed, skipped, rep.Results)
	}
}

// Pages read one after another reuse the reply buffer: what an earlier page decoded is not
// touched by the later reads (its records hold copies), and equals a fresh client's reading.
// Both listings that give their buffers back: the supplier-sync pages and listar/veiculo.
func TestReusedBuffersLeaveDecodedPagesAlone(t *testing.T) {
	h := newHarness(t, sim.Options{Seed: 9, Members: 2000, PageSize: 300}, nil) // pages above smallBody, so their buffers are kept
	ctx := t.Context()
	for name, page := range map[string]func(c *sga.Client, n int) (any, error){
		"supplier-sync": func(c *sga.Client, n int) (any, error) {
			p, err := c.SyncPage(ctx, n)
			return p.Records, err
		},
		"listar/veiculo": func(c *sga.Client, n int) (any, error) {
			p, err := c.ListVehicles(ctx, sga.ListVehiclesQuery{Situation: 1, Start: n - 1, PageSize: 300})
			return p.Vehicles, err
		},
	} {
		first, err := page(h.client, 1)
		if err != nil {
			t.Fatal(name, err)
		}
		kept := fmt.Sprintf("%+v", first)
		if len(kept) < 1000 {
			t.Fatalf("%s: page 1 is almost empty: %s", name, kept)
		}
		for n := 2; n <= 6; n++ {
			if _, err := page(h.client, n); err != nil {
				t.Fatal(name, err)
			}
		}
		if got := fmt.Sprintf("%+v", first); got != kept {
			t.Fatalf("%s: page 1's records changed while later pages were read", name)
		}
		fresh, err := page(h.newClient(nil), 1)
		if err != nil {
			t.Fatal(name, err)
		}
		if got := fmt.Sprintf("%+v", fresh); got != kept {
			t.Fatalf("%s: page 1 read by a fresh client differs", name)
		}
	}
}
