package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ponte/store/norm"
)

// call sends one request to the simulator's handler and returns the status and body.
func call(t *testing.T, s *Sim, method, path, token, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, BasePath+"/"+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, b
}

func userToken(t *testing.T, s *Sim) string {
	t.Helper()
	cr := s.Credentials()
	code, b := call(t, s, "POST", "usuario/autenticar", cr.APIKey, `{"usuario":"`+cr.User+`","senha":"`+cr.Password+`"}`)
	var r struct {
		Token string `json:"token_usuario"`
	}
	if code != 200 || json.Unmarshal(b, &r) != nil || r.Token == "" {
		t.Fatalf("login: %d %s", code, b)
	}
	return r.Token
}

func mustNew(t *testing.T, o Options) *Sim {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestSameSeedSameData(t *testing.T) {
	a := mustNew(t, Options{Seed: 42, Members: 500})
	b := mustNew(t, Options{Seed: 42, Members: 500, Faults: Faults{Fail5xx: 0.5, Latency: time.Millisecond}})
	c := mustNew(t, Options{Seed: 43, Members: 500})
	if !reflect.DeepEqual(a.Vehicles(), b.Vehicles()) || a.Credentials() != b.Credentials() {
		t.Fatal("the same seed gave different data or credentials")
	}
	if reflect.DeepEqual(a.Vehicles(), c.Vehicles()) {
		t.Fatal("different seeds gave the same data")
	}
	_, pa := call(t, a, "GET", RouteSyncPages+"/1", a.Credentials().SyncToken, "")
	_, pc := call(t, mustNew(t, Options{Seed: 42, Members: 500}), "GET", RouteSyncPages+"/1", a.Credentials().SyncToken, "")
	if string(pa) != string(pc) {
		t.Fatal("the same seed served different pages")
	}
	// Member i does not depend on how many members were asked for.
	small := mustNew(t, Options{Seed: 42, Members: 100})
	if !reflect.DeepEqual(small.Vehicles()[:100], a.Vehicles()[:100]) {
		t.Fatal("the first members changed with --members")
	}
}

func TestDataIsPlausible(t *testing.T) {
	s := mustNew(t, Options{Seed: 7, Members: 2000})
	mercosul := regexp.MustCompile(`^[A-Z]{3}[0-9][A-Z][0-9]{2}$`)
	old := regexp.MustCompile(`^[A-Z]{3}[0-9]{4}$`)
	chassis := regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)
	var noPlate, nMercosul, nOld, ours int
	perMember := map[int64]int{}
	sits := map[int]int{}
	plates, chs := map[string]bool{}, map[string]bool{}
	cr := s.Credentials()
	for _, v := range s.Vehicles() {
		perMember[v.MemberCode]++
		sits[v.Situation]++
		switch {
		case v.Plate == "":
			noPlate++
		case mercosul.MatchString(v.Plate):
			nMercosul++
		case old.MatchString(v.Plate):
			nOld++
		default:
			t.Fatalf("plate %q is neither Mercosul nor old-style", v.Plate)
		}
		if v.Plate != "" && plates[v.Plate] || chs[v.Chassis] {
			t.Fatalf("duplicate plate or chassis: %+v", v)
		}
		plates[v.Plate], chs[v.Chassis] = true, true
		if !chassis.MatchString(v.Chassis) {
			t.Fatalf("chassis %q", v.Chassis)
		}
		if !ValidRenavam(v.Renavam) {
			t.Fatalf("RENAVAM %q has a wrong check digit", v.Renavam)
		}
		if _, ok := norm.CPF(v.MemberCPF); !ok {
			t.Fatalf("CPF %q has wrong check digits", v.MemberCPF)
		}
		for _, p := range v.Products {
			if p == cr.ProductCode {
				ours++
			}
		}
	}
	n := len(s.Vehicles())
	if len(perMember) != 2000 || noPlate == 0 || nMercosul == 0 || nOld == 0 {
		t.Fatalf("members %d, 0 km %d, Mercosul %d, old %d", len(perMember), noPlate, nMercosul, nOld)
	}
	for _, count := range perMember {
		if count < 1 || count > 4 {
			t.Fatalf("a member with %d vehicles", count)
		}
	}
	for code := 1; code <= 5; code++ {
		if sits[code] == 0 {
			t.Fatalf("no vehicle in situação %d: %v", code, sits)
		}
	}
	if ours < n*7/10 || ours == n {
		t.Fatalf("%d of %d vehicles carry our product; want most but not all", ours, n)
	}
}

func TestValidators(t *testing.T) {
	if !ValidRenavam("00639884962") || ValidRenavam("00639884963") || ValidRenavam("0063988496") {
		t.Fatal("ValidRenavam")
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, o := range []Options{
		{Members: 5}, {Members: 100_001}, {PageSize: -1},
		{Faults: Faults{Fail5xx: 1.5}}, {Faults: Faults{Fail5xx: 0.6, FailHang: 0.6}},
		{Faults: Faults{BlockAfter: 3}}, {AccessHours: "8h"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestAuth(t *testing.T) {
	s := mustNew(t, Options{Seed: 1, Members: 10})
	cr := s.Credentials()
	t1 := userToken(t, s)
	body := `{"codigo_situacao":1}`
	if code, _ := call(t, s, "POST", "listar/veiculo", t1, body); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	t2 := userToken(t, s)
	if code, _ := call(t, s, "POST", "listar/veiculo", t1, body); code != 401 {
		t.Fatalf("token replaced by a new login: %d, want 401", code)
	}
	for _, tc := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"user token on a sync route", "GET", RouteSyncPages + "/1", t2, 401},
		{"sync token on a manual route", "GET", "listar/situacao/todos", cr.SyncToken, 401},
		{"API key on a data route", "GET", "listar/situacao/todos", cr.APIKey, 401},
		{"sync token to log in", "POST", "usuario/autenticar", cr.SyncToken, 401},
		{"no token", "GET", "listar/situacao/todos", "", 401},
		{"unknown route", "GET", "nada/aqui", t2, 404},
		{"sync page 0", "GET", RouteSyncPages + "/0", cr.SyncToken, 406},
		{"unknown associado", "GET", "associado/buscar/00000000000/cpf", t2, 406},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, b := call(t, s, tc.method, tc.path, tc.token, ""); code != tc.want {
				t.Errorf("%s: %d %s, want %d", tc.name, code, b, tc.want)
			}
		})
	}
	older := mustNew(t, Options{Seed: 1, Members: 10, AllowAPIKeyOnData: true})
	if code, _ := call(t, older, "GET", "listar/situacao/todos", cr.APIKey, ""); code != 200 {
		t.Errorf("API key on data with AllowAPIKeyOnData: %d", code)
	}
}

func TestShapes(t *testing.T) {
	s := mustNew(t, Options{Seed: 3, Members: 50, PageSize: 20})
	tok := userToken(t, s)
	_, b := call(t, s, "POST", "listar/veiculo", tok, `{"codigo_situacao":"1","inicio_paginacao":0,"quantidade_por_pagina":5}`)
	var env map[string]json.RawMessage
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mostrando ", "total_veiculos", "numero_paginas", "veiculos"} {
		if _, ok := env[k]; !ok {
			t.Errorf("listar/veiculo lacks %q", k)
		}
	}
	if string(env["total_veiculos"])[0] != '"' || string(env["mostrando "]) != `"5"` {
		t.Errorf("counts should be strings: %s %s", env["total_veiculos"], env["mostrando "])
	}
	v := s.Vehicles()[0]
	_, b = call(t, s, "GET", "veiculo/buscar/"+v.Chassis+"/chassi", tok, "")
	if b[0] != '[' {
		t.Errorf("veiculo/buscar should answer a list: %s", b[:40])
	}
	_, b = call(t, s, "GET", RouteSyncPages+"/quantidade-paginas", s.Credentials().SyncToken, "")
	var pc struct {
		Pages   int    `json:"quantidade_paginas"`
		Records string `json:"total_registros"`
	}
	if json.Unmarshal(b, &pc) != nil || pc.Pages < 2 {
		t.Fatalf("page count: %s", b)
	}
	_, b = call(t, s, "GET", RouteSyncPages+"/1", s.Credentials().SyncToken, "")
	var recs []map[string]any
	if json.Unmarshal(b, &recs) != nil || len(recs) != 20 {
		t.Fatalf("page 1: %d records", len(recs))
	}
	if _, isMap := recs[0]["produtos"].(map[string]any); !isMap {
		t.Errorf("produtos should be a map: %v", recs[0]["produtos"])
	}
	_, b = call(t, s, "GET", RouteSyncPages+"/999", s.Credentials().SyncToken, "")
	if strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("a page past the end: %s", b)
	}
}

func TestPagingModes(t *testing.T) {
	first := func(p Paging, start int) string {
		s := mustNew(t, Options{Seed: 3, Members: 50, Paging: p})
		_, b := call(t, s, "POST", "listar/veiculo", userToken(t, s),
			`{"codigo_situacao":1,"inicio_paginacao":`+itoa(start)+`,"quantidade_por_pagina":10}`)
		var env struct {
			Vehicles []struct {
				Code string `json:"codigo_veiculo"`
			} `json:"veiculos"`
		}
		_ = json.Unmarshal(b, &env)
		if len(env.Vehicles) == 0 {
			return ""
		}
		return env.Vehicles[0].Code
	}
	if a, b := first(PagingOffset0, 10), first(PagingOffset1, 11); a == "" || a != b {
		t.Errorf("offset0 at 10 = %q, offset1 at 11 = %q", a, b)
	}
	if a, b := first(PagingOffset0, 10), first(PagingPageIndex, 1); a != b {
		t.Errorf("offset0 at 10 = %q, page index 1 = %q", a, b)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestBlockAndHours(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.Local)
	clock := func() time.Time { return now }
	s := mustNew(t, Options{Seed: 1, Members: 10, Now: clock, AccessHours: "22:00-06:00",
		Faults: Faults{BlockAfter: 2, BlockWindow: time.Minute, BlockFor: 10 * time.Minute}})
	cr := s.Credentials()
	if code, b := call(t, s, "POST", "usuario/autenticar", cr.APIKey, `{}`); code != 401 || !strings.Contains(string(b), "restrição de horário") {
		t.Fatalf("login at noon with a night window: %d %s", code, b)
	}
	page := RouteSyncPages + "/1"
	for i := range 2 {
		if code, _ := call(t, s, "GET", page, cr.SyncToken, ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if code, b := call(t, s, "GET", page, cr.SyncToken, ""); code != 403 || !strings.Contains(string(b), "extracao de DADOS") {
		t.Fatalf("third request in the window: %d %s", code, b)
	}
	now = now.Add(11 * time.Minute)
	if code, _ := call(t, s, "GET", page, cr.SyncToken, ""); code != 200 {
		t.Fatalf("after the block: %d", code)
	}
}

func TestMalformedDamagesOneRecordOrTheBody(t *testing.T) {
	s := mustNew(t, Options{Seed: 9, Members: 50, Faults: Faults{FailMalformed: 1}})
	var records, bodies int
	for range 40 {
		_, b := call(t, s, "GET", RouteSyncPages+"/1", s.Credentials().SyncToken, "")
		var recs []json.RawMessage
		if json.Unmarshal(b, &recs) != nil {
			bodies++
			continue
		}
		if !strings.Contains(string(b), `"ano_modelo":{"corrompido":true}`) || strings.Count(string(b), "corrompido") != 1 {
			t.Fatalf("a valid body without exactly one damaged record")
		}
		records++
	}
	if records == 0 || bodies == 0 {
		t.Fatalf("%d damaged records, %d damaged bodies: want both kinds", records, bodies)
	}
}

// ChurnSparing leaves the spared vehicles as they were through rounds that change others.
func TestChurnSparing(t *testing.T) {
	s := mustNew(t, Options{Seed: 5, Members: 200})
	before := s.Vehicles()
	spare := map[int64]bool{}
	for _, v := range before {
		spare[v.Code] = true
	}
	changed := 0
	for range 20 {
		rep := s.ChurnSparing(spare)
		changed += len(rep.VehiclesAdded) + len(rep.MembersAdded)
		for _, code := range slices.Concat(rep.SituationsChanged, rep.PlatesChanged, rep.ProductsRemoved) {
			if spare[code] {
				t.Fatalf("a round changed spared vehicle %d: %v", code, rep)
			}
		}
	}
	after := s.Vehicles()
	if changed == 0 || !reflect.DeepEqual(after[:len(before)], before) {
		t.Fatalf("spared vehicles changed, or nothing else did (%d added)", changed)
	}
}

func TestChurn(t *testing.T) {
	s := mustNew(t, Options{Seed: 5, Members: 1000})
	m0, v0 := s.Counts()
	before := s.Vehicles()
	rep := s.Churn()
	m1, v1 := s.Counts()
	if m1 <= m0 || v1 <= v0 || len(rep.SituationsChanged) == 0 {
		t.Fatalf("churn changed nothing: %v", rep)
	}
	after := s.Vehicles()
	for _, code := range rep.SituationsChanged {
		for i, v := range before {
			if v.Code == code && after[i].Situation == v.Situation {
				t.Fatalf("vehicle %d reported changed but is not", code)
			}
		}
	}
	// Churn is deterministic too.
	twin := mustNew(t, Options{Seed: 5, Members: 1000})
	twin.Churn()
	if !reflect.DeepEqual(twin.Vehicles(), after) {
		t.Fatal("the same churn round differs between twins")
	}
	// The supplier listing sees the new vehicles.
	_, b := call(t, s, "GET", RouteSyncPages+"/quantidade-paginas", s.Credentials().SyncToken, "")
	var pc struct {
		Records string `json:"total_registros"`
	}
	_ = json.Unmarshal(b, &pc)
	supplier := 0
	for _, v := range after {
		for _, p := range s.Products() {
			if p.Supplier && contains(v.Products, p.Code) {
				supplier++
				break
			}
		}
	}
	if pc.Records != itoa(supplier) {
		t.Fatalf("listing has %s records, register %d", pc.Records, supplier)
	}
	if err := s.SetSituation(after[0].Code, 99); err == nil {
		t.Fatal("an unknown situação was accepted")
	}
	code, err := s.AddVehicle(after[0].MemberCode)
	if err != nil || code == 0 {
		t.Fatal(err)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestCloseReleasesHangs(t *testing.T) {
	s := mustNew(t, Options{Seed: 1, Members: 10, Faults: Faults{FailHang: 1, HangFor: time.Hour}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL+BasePath+"/"+RouteSyncProducts, nil)
		req.Header.Set("Authorization", "Bearer "+s.Credentials().SyncToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case code := <-done:
		if code != http.StatusGatewayTimeout {
			t.Fatalf("hung request ended with %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release a hung request")
	}
}

func TestChangeFeedRefusesLongWindowsAndRepeatsOverlaps(t *testing.T) {
	now := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	s := mustNew(t, Options{Seed: 3, Now: func() time.Time { return now }})
	tok := userToken(t, s)
	v := s.Vehicles()[0]
	if err := s.SetSituation(v.Code, 1+v.Situation%5); err != nil {
		t.Fatal(err)
	}
	code, b := call(t, s, "POST", "listar/alteracao-veiculos", tok, `{"data_inicial":"01/11/2026","data_final":"08/11/2026","campos":["codigo_situacao"]}`)
	if code != http.StatusNotAcceptable || !strings.Contains(string(b), "7 dias") || !strings.Contains(string(b), `"mensagem"`) {
		t.Fatalf("eight days: %d %s", code, b)
	}
	code, b = call(t, s, "POST", "listar/alteracao-veiculos", tok, `{"data_inicial":"01/11/2026","data_final":"03/11/2026"}`)
	if code != http.StatusNotAcceptable || !strings.Contains(string(b), "campos") {
		t.Fatalf("without campos: %d %s", code, b)
	}
	var first, second []map[string]any
	for i, body := range []string{
		`{"data_inicial":"28/10/2026","data_final":"03/11/2026","campos":["codigo_situacao"]}`,
		`{"data_inicial":"03/11/2026","data_final":"09/11/2026","campos":["codigo_situacao","placa"]}`,
	} {
		code, b = call(t, s, "POST", "listar/alteracao-veiculos/", tok, body)
		out := &first
		if i == 1 {
			out = &second
		}
		if code != http.StatusOK || json.Unmarshal(b, out) != nil || len(*out) != 1 {
			t.Fatalf("window %d: %d %s", i, code, b)
		}
	}
	if first[0]["codigo_alteracao"] != second[0]["codigo_alteracao"] || first[0]["data_alteracao"] != "2026-11-03T06:00:00-0300" {
		t.Fatalf("overlap: %v / %v", first[0], second[0])
	}
	// Only the fields asked for: none changed its plate, and the empty window says [].
	code, b = call(t, s, "POST", "listar/alteracao-veiculos", tok, `{"data_inicial":"03/11/2026","data_final":"03/11/2026","campos":["placa"]}`)
	if code != http.StatusOK || strings.TrimSpace(string(b)) != "[]" {
		t.Fatalf("plate only: %d %s", code, b)
	}
}
