package syncer

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/store"
)

// Vet tests what a patch changes, and only that: a login or token SGA refuses is an error
// that says which, a product SGA lacks is ErrUnknownProduct, and an unchanged field costs no
// request.
func TestVetTestsWhatThePatchChanges(t *testing.T) {
	var requests atomic.Int64
	e := newEnv(t, sim.Options{Seed: 4, Members: 20}, Options{}, false, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1); h.ServeHTTP(w, r) })
	})
	stored, err := e.store.Integration()
	if err != nil {
		t.Fatal(err)
	}
	wrong, unknown := "errada", "99"
	for _, tc := range []struct {
		name  string
		patch store.IntegrationPatch
		want  []error // the errors it must match; none: nil
	}{
		{"unchanged", store.IntegrationPatch{User: &stored.User, Password: &stored.Password, ProductCode: &stored.ProductCode}, nil},
		{"a wrong password", store.IntegrationPatch{Password: &wrong}, []error{ErrLoginRefused, sga.ErrUnauthorized}},
		{"a wrong token", store.IntegrationPatch{SyncToken: &wrong}, []error{ErrTokenRefused, sga.ErrUnauthorized}},
		{"both", store.IntegrationPatch{Password: &wrong, SyncToken: &wrong}, []error{ErrLoginRefused, ErrTokenRefused}},
		{"an unknown product", store.IntegrationPatch{ProductCode: &unknown}, []error{ErrUnknownProduct}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := requests.Load()
			_, err := Vet(context.Background(), stored, tc.patch, "")
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Fatalf("Vet: %v, want %v", err, w)
				}
			}
			if tc.want == nil && (err != nil || requests.Load() != before) {
				t.Fatalf("an unchanged patch: %v, %d requests", err, requests.Load()-before)
			}
		})
	}
	dead := "http://127.0.0.1:1/api/sga/v2"
	_, err = Vet(context.Background(), stored, store.IntegrationPatch{Password: &wrong}, dead)
	if err == nil || errors.Is(err, ErrLoginRefused) || !sga.Unreachable(err) {
		t.Fatalf("an SGA that does not answer: %v, want an unreachable error, not a refusal", err)
	}
}
