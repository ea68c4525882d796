package syncer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"ponte/sga/sim"
	"ponte/store"
)

// setProduct stores a Código do Produto as a wrong entry would (no test with SGA).
func (e *env) setProduct(t *testing.T, code string) {
	t.Helper()
	if _, err := e.store.SetIntegration(store.IntegrationPatch{ProductCode: &code}, maria); err != nil {
		t.Fatal(err)
	}
}

// ours lists the stored vehicles of ours: neither gone nor foreign.
func (e *env) oursStored(t *testing.T) []int64 {
	var out []int64
	for code, v := range e.allVehicles(t) {
		if !v.Foreign {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// A wrong Código do Produto that SGA has (the supplier's other product, its blocker) stores
// the vehicles that carry it; once the code is put right, the next full read keeps exactly
// ours, and sets the others aside as not ours: not gone (they did not leave SGA, and the
// fleet guard, here at 5%, would refuse marking them for good).
func TestAWrongProductCodeIsPutRight(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8, Members: 600}, Options{MaxGone: 5}, false, nil)
	var blocker string
	for _, p := range e.sim.Products() {
		if p.Supplier && p.Code != e.creds.ProductCode {
			blocker = p.Code
		}
	}
	e.setProduct(t, blocker)
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded || run.Counts.VehiclesCreated == 0 {
		t.Fatalf("the run with the blocker's code: %s (%s), %d vehicles, %v", run.Status, run.Reason, run.Counts.VehiclesCreated, err)
	}
	e.setProduct(t, e.creds.ProductCode)
	run, err = e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("the run after the code was put right: %s (%s), %v", run.Status, run.Reason, err)
	}
	if got, want := e.oursStored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("%d vehicles stored as ours, want the %d that carry our product", len(got), len(want))
	}
	aside := 0
	for _, v := range e.sim.Vehicles() {
		if slices.Contains(v.Products, blocker) && !slices.Contains(v.Products, e.creds.ProductCode) {
			sv, err := e.store.VehicleByCode(v.Code)
			if err != nil || !sv.Foreign || sv.Gone {
				t.Fatalf("vehicle %d, the blocker's only: foreign %v, gone %v (%v)", v.Code, sv.Foreign, sv.Gone, err)
			}
			aside++
		}
	}
	if aside == 0 || run.Counts.VehiclesGone != 0 {
		t.Fatalf("%d vehicles set aside, %d marked gone", aside, run.Counts.VehiclesGone)
	}
}

// A Código do Produto that no vehicle of the listing carries (another supplier's, a typo SGA
// happens to have) fails the run, saying so and naming the products the listing carries.
func TestAProductCodeThatMatchesNothingSaysSo(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	e.setProduct(t, "1") // ASSISTÊNCIA 24H: no supplier's product
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err == nil || run.Status != store.StatusFailed || run.ReasonCode != ReasonNoneOurs ||
		!strings.Contains(run.Reason, e.creds.ProductCode+" (RASTREADOR)") {
		t.Fatalf("run: %s %s (%s), %v", run.Status, run.ReasonCode, run.Reason, err)
	}
	e.setProduct(t, e.creds.ProductCode)
	if run, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || run.Status != store.StatusSucceeded || run.Resumes != 0 {
		t.Fatalf("the run after it: %s (%s), resumes %d, %v", run.Status, run.Reason, run.Resumes, err)
	}
	if got, want := e.oursStored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("%d vehicles stored as ours, want %d", len(got), len(want))
	}
}
