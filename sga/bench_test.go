package sga_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ponte/sga"
	"ponte/sga/sim"
)

// pageBodies renders a 5,000-record page of listar/veiculo and of the supplier-sync listing
// from a simulator, as bytes the decoders can be run on again and again.
func pageBodies(tb testing.TB) (listar, sync []byte) {
	tb.Helper()
	s, err := sim.New(sim.Options{Seed: 3, Members: 6000, PageSize: 5000})
	if err != nil {
		tb.Fatal(err)
	}
	cr := s.Credentials()
	get := func(method, path, token, body string) []byte {
		req := httptest.NewRequest(method, sim.BasePath+"/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			tb.Fatalf("%s: HTTP %d: %s", path, rec.Code, rec.Body.String())
		}
		b, _ := io.ReadAll(rec.Body)
		return b
	}
	login := get("POST", "usuario/autenticar", cr.APIKey, `{"usuario":"`+cr.User+`","senha":"`+cr.Password+`"}`)
	token := strings.Split(strings.Split(string(login), `"token_usuario":"`)[1], `"`)[0]
	listar = get("POST", "listar/veiculo", token, `{"codigo_situacao":"1","inicio_paginacao":0,"quantidade_por_pagina":5000}`)
	sync = get("GET", "sincronismo-produto-fornecedor-paginado/listar/pagina/1", cr.SyncToken, "")
	return listar, sync
}

func BenchmarkDecodeListarVeiculoPage(b *testing.B) {
	body, _ := pageBodies(b)
	b.SetBytes(int64(len(body)))
	var n int
	for b.Loop() {
		p, err := sga.DecodeVehiclePage(body)
		if err != nil || len(p.Bad) > 0 {
			b.Fatal(err, p.Bad)
		}
		n = len(p.Vehicles)
	}
	if n != 5000 {
		b.Fatalf("page of %d records, want 5000", n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkValidateListarVeiculoPage is the check every live reply gets before decoding;
// add it to the decode figure for the whole cost of a page.
func BenchmarkValidateListarVeiculoPage(b *testing.B) {
	body, _ := pageBodies(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !sga.ValidJSON(body) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkDecodeSyncPage(b *testing.B) {
	_, body := pageBodies(b)
	b.SetBytes(int64(len(body)))
	var n int
	for b.Loop() {
		p, err := sga.DecodeSyncPage(body)
		if err != nil || len(p.Bad) > 0 {
			b.Fatal(err, p.Bad)
		}
		n = len(p.Records)
	}
	if n != 5000 {
		b.Fatalf("page of %d records, want 5000", n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkValidateSyncPage checks a supplier-sync page as every reply is checked
// (sub-benchmark ponte) and as encoding/json.Valid did before (encoding-json).
func BenchmarkValidateSyncPage(b *testing.B) {
	_, body := pageBodies(b)
	for name, valid := range map[string]func([]byte) bool{"ponte": sga.ValidJSON, "encoding-json": json.Valid} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if !valid(body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
