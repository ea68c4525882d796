package store

import (
	"errors"
	"testing"
)

// TestOneJudgeOfSituations runs the same situações through every caller that asks what one
// means, under the default rules and under an association's own, and holds that each agrees
// with Rules.Classify: the import (CheckImport and Import), the console's view of a vehicle
// (VehicleView.Active, which the client page ticks by), the sync's write of a client (a
// client is active when one of its vehicles is) and the proposals (a removal is withdrawn when
// the vehicle is back to active). A second definition of "active" in any of them fails here.
func TestOneJudgeOfSituations(t *testing.T) {
	own := Rules{Situations: map[string]string{"SUSPENSO": ClassActive, "ATIVO PROVISÓRIO": ClassOther}}
	situations := []string{"ATIVO", "ativo ", "ATIVO COM RESTRIÇÃO", "INADIMPLENTE", "CANCELADO",
		"INATIVO", "PENDENTE", "", "SUSPENSO", "ATIVO PROVISÓRIO"}
	for _, rules := range []struct {
		name  string
		rules *Rules
	}{{"default rules", nil}, {"an association's own rules", &own}} {
		for _, sit := range situations {
			t.Run(rules.name+"/"+sit, func(t *testing.T) {
				var r Rules
				if rules.rules != nil {
					r = *rules.rules
				}
				want := r.Classify(sit) == ClassActive
				judged := judgements(t, rules.rules, sit)
				for caller, active := range judged {
					if active != want {
						t.Errorf("%s takes %q as active = %v; Rules.Classify says %q", caller, sit, active, r.Classify(sit))
					}
				}
			})
		}
	}
}

// judgements asks each caller, through its public surface, whether sit is active.
func judgements(t *testing.T, rules *Rules, sit string) map[string]bool {
	t.Helper()
	s := openTest(t, "", Options{})
	if rules != nil {
		if err := s.SetRules(*rules, cli); err != nil {
			t.Fatal(err)
		}
	}
	// Client 1 has a vehicle in sit and a cancelled one; client 2 an active one to import.
	c1 := client(1, "MARIA", "12345678909")
	c1.Situation = "" // from its vehicles, as an incremental sync writes it
	if _, err := s.Apply(Batch{Clients: []Client{c1, client(2, "JOSE", "98765432100")},
		Vehicles: []Vehicle{vehicle(10, 1, "AAA1A11", sit), vehicle(11, 1, "AAA1A12", "CANCELADO"),
			vehicle(20, 2, "BBB2B22", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}

	err := s.CheckImport(1, []int64{10})
	if err != nil && !errors.Is(err, ErrNotActive) {
		t.Fatalf("CheckImport: %v", err)
	}
	out["the import's check"] = err == nil

	owned, err := s.VehiclesOfClient(1)
	if err != nil || len(owned) != 2 {
		t.Fatalf("VehiclesOfClient = %+v, %v", owned, err)
	}
	out["the console's client page"] = owned[0].SGACode == 10 && owned[0].Active()
	one, err := s.VehicleByCode(10)
	if err != nil {
		t.Fatal(err)
	}
	out["the vehicle by code"] = one.Active()

	c, err := s.ClientByCode(1)
	if err != nil {
		t.Fatal(err)
	}
	// Active: the client takes its active vehicle's situação; else the newest vehicle's.
	if c.Situation != sit && c.Situation != "CANCELADO" {
		t.Fatalf("client's situação %q, from vehicles %q and CANCELADO", c.Situation, sit)
	}
	out["the sync's client"] = c.Situation == sit && sit != "CANCELADO"

	imp, err := s.Import(2, []int64{20}, cli)
	if err != nil {
		t.Fatal(err)
	}
	install(t, s, imp[0].Order.Number)
	situation(t, s, vehicle(20, 2, "BBB2B22", "ATIVO"), "CANCELADO", nil)
	if ps := pending(t, s); len(ps) != 1 || ps[0].Kind != OrderKindRemoval {
		t.Fatalf("after CANCELADO: %+v", ps)
	}
	situation(t, s, vehicle(20, 2, "BBB2B22", "ATIVO"), sit, nil)
	out["the proposals"] = len(pending(t, s)) == 0

	_, err = s.Import(1, []int64{10}, cli)
	if err != nil && !errors.Is(err, ErrNotActive) {
		t.Fatalf("Import: %v", err)
	}
	out["the import"] = err == nil
	return out
}
