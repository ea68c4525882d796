package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
)

// oursIn lists n vehicles of ours, each of a different member.
func (e *env) oursIn(t *testing.T, n int) []sim.VehicleInfo {
	t.Helper()
	var out []sim.VehicleInfo
	members := map[int64]bool{}
	for _, v := range e.sim.Vehicles() {
		if len(out) < n && !members[v.MemberCode] && slices.Contains(v.Products, e.creds.ProductCode) {
			out = append(out, v)
			members[v.MemberCode] = true
		}
	}
	if len(out) < n {
		t.Fatalf("the simulator has %d vehicles of ours on different members, want %d", len(out), n)
	}
	return out
}

// errorFor is the run's error whose key names the vehicle, or "".
func errorFor(run store.Run, vehicle int64) string {
	for _, e := range run.Errors {
		if e.Key == fmt.Sprintf("codigo_veiculo=%d", vehicle) {
			return e.Kind + ": " + e.Reason
		}
	}
	return ""
}

// One field too long in one record costs that record: the run reads and writes every other
// vehicle, and names the one it refused.
func TestAnOversizedFieldCostsItsRecord(t *testing.T) {
	for _, manual := range []bool{false, true} {
		e := newEnv(t, sim.Options{Seed: 8}, Options{}, manual, nil)
		poisoned := map[int64]string{}
		members := map[int64]bool{} // a member's field costs each of its vehicles
		for i, v := range e.oursIn(t, 4) {
			field := []string{"placa", "chassi", "nome", "cpf"}[i]
			must(t, e.sim.Edit(v.Code, field, strings.Repeat("9", 40_000)))
			poisoned[v.Code] = field
			members[v.MemberCode] = i >= 2
		}
		run, err := e.eng.Run(context.Background(), Request{By: maria})
		if err != nil || run.Status != store.StatusSucceeded {
			t.Fatalf("manual %v: the run ended %s (%s), %v", manual, run.Status, run.Reason, err)
		}
		var want []int64
		for _, v := range e.sim.Vehicles() {
			if slices.Contains(v.Products, e.creds.ProductCode) && poisoned[v.Code] == "" && !members[v.MemberCode] {
				want = append(want, v.Code)
			}
		}
		slices.Sort(want)
		if got := e.stored(t); !slices.Equal(got, want) {
			t.Fatalf("manual %v: stored %d vehicles, want the %d unpoisoned", manual, len(got), len(want))
		}
		for code, field := range poisoned {
			if why := errorFor(run, code); !strings.HasPrefix(why, KindRecord) || !strings.Contains(why, field) {
				t.Errorf("manual %v: vehicle %d (%s too long): error %q; every error: %+v", manual, code, field, why, run.Errors)
			}
		}
	}
}

// An oversized plate that arrives through the change feed costs that change: the run goes on,
// names the vehicle, and the vehicle keeps what it had.
func TestAnOversizedChangeCostsItsRecord(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	if run, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	vs := e.oursIn(t, 2)
	must(t, e.sim.Edit(vs[0].Code, "placa", strings.Repeat("A", 2<<20)))
	must(t, e.sim.Edit(vs[1].Code, "nome", strings.Repeat("B", 40_000)))
	must(t, e.sim.SetSituation(vs[1].Code, 3)) // the member's other change still applies
	run, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || run.Status != store.StatusSucceeded || run.Kind != store.RunIncremental {
		t.Fatalf("incremental run: %s %s (%s), %v", run.Kind, run.Status, run.Reason, err)
	}
	if why := errorFor(run, vs[0].Code); !strings.Contains(why, "placa") {
		t.Errorf("the oversized plate: error %q; every error: %+v", why, run.Errors)
	}
	v, err := e.store.VehicleByCode(vs[0].Code)
	if err != nil || v.Plate != vs[0].Plate {
		t.Errorf("the poisoned vehicle holds plate of %d bytes, want its old %q (%v)", len(v.Plate), vs[0].Plate, err)
	}
	c, err := e.store.ClientByCode(vs[1].MemberCode)
	if err != nil || len(c.Name) > 1000 {
		t.Errorf("the poisoned member's name is %d bytes (%v)", len(c.Name), err)
	}
	if v, err := e.store.VehicleByCode(vs[1].Code); err != nil || v.SituationCode != 3 {
		t.Errorf("the other change was not applied: situação %d (%v)", v.SituationCode, err)
	}
}

// A stored vehicle whose record turns bad is kept as it was, not taken for one that left the
// list (which would propose removing its tracker).
func TestARefusedRecordIsNotTakenForGone(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	if run, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	v := e.oursIn(t, 1)[0]
	must(t, e.sim.Edit(v.Code, "chassi", strings.Repeat("X", 50_000)))
	run, err := e.eng.Run(context.Background(), Request{By: maria})
	if err != nil || run.Status != store.StatusSucceeded || run.Counts.VehiclesGone != 0 {
		t.Fatalf("second run: %s (%s), %d gone, %v", run.Status, run.Reason, run.Counts.VehiclesGone, err)
	}
	if why := errorFor(run, v.Code); !strings.Contains(why, "chassi: longer than") {
		t.Errorf("error %q; every error: %+v", why, run.Errors)
	}
	sv, err := e.store.VehicleByCode(v.Code)
	if err != nil || sv.Gone || sv.Chassis != v.Chassis {
		t.Fatalf("the refused vehicle: gone %v, chassis of %d bytes (%v)", sv.Gone, len(sv.Chassis), err)
	}
}

// A change that names a member SGA cannot find (associado/buscar answers 406) costs that
// change: the run succeeds with a record error, the cursor moves on, and the next runs too.
func TestAChangeToAnUnknownMemberCostsTheChange(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	if run, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	vs := e.oursIn(t, 2)
	must(t, e.sim.MoveToUnknownMember(vs[0].Code, 987654))
	must(t, e.sim.SetSituation(vs[1].Code, 3))
	for i := range 3 {
		before, err := e.store.Feed()
		must(t, err)
		run, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
		if err != nil || run.Status != store.StatusSucceeded || run.Kind != store.RunIncremental {
			t.Fatalf("incremental run %d: %s %s (%s), %v", i+1, run.Kind, run.Status, run.Reason, err)
		}
		if why := errorFor(run, vs[0].Code); !strings.HasPrefix(why, KindRecord) || !strings.Contains(why, "987654") {
			t.Errorf("run %d: error %q; every error: %+v", i+1, why, run.Errors)
		}
		after, err := e.store.Feed()
		if err != nil || !after.Cursor.After(before.Cursor) {
			t.Errorf("run %d: the cursor went from %v to %v (%v)", i+1, before.Cursor, after.Cursor, err)
		}
	}
	if v, err := e.store.VehicleByCode(vs[0].Code); err != nil || v.ClientSGACode != vs[0].MemberCode {
		t.Errorf("the vehicle moved to member %d (%v), want it kept on %d", v.ClientSGACode, err, vs[0].MemberCode)
	}
	if v, err := e.store.VehicleByCode(vs[1].Code); err != nil || v.SituationCode != 3 {
		t.Errorf("the other change: situação %d (%v)", v.SituationCode, err)
	}
}

// Two changes of one field are applied in the order SGA made them, whatever their codes: a
// change saved late (an import) carries a lower time than a change with a lower code.
func TestChangesApplyInTimeOrder(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	if run, err := e.eng.Run(context.Background(), Request{By: maria}); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("first run: %+v, %v", run, err)
	}
	v := e.oursIn(t, 1)[0]
	now := time.Now()
	must(t, e.sim.LogChangeAt(v.Code, "codigo_situacao", "3", now.Add(-time.Minute)))
	must(t, e.sim.LogChangeAt(v.Code, "codigo_situacao", "2", now.Add(-time.Hour))) // a later code, made earlier
	run, err := e.eng.Run(context.Background(), Request{Mode: ModeIncremental, By: maria})
	if err != nil || run.Status != store.StatusSucceeded || run.Kind != store.RunIncremental {
		t.Fatalf("incremental run: %s %s (%s), %v", run.Kind, run.Status, run.Reason, err)
	}
	sv, err := e.store.VehicleByCode(v.Code)
	if err != nil || sv.SituationCode != 3 {
		t.Fatalf("situação %d after the feed (%v); SGA's is 3, its latest change by time", sv.SituationCode, err)
	}
}

// A CPF typed wrong (a digit off, so its check digits fail; too few digits) is refused before
// a run is created: nothing is recorded, nothing asked of SGA.
func TestAMistypedCPFMakesNoRun(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: 8}, Options{}, false, nil)
	good := e.oursIn(t, 1)[0].MemberCPF
	typo := good[:10] + string('0'+(good[10]-'0'+1)%10)
	for _, cpf := range []string{typo, good[:10], "000.000.000-00"} {
		t.Run(cpf, func(t *testing.T) {
			run, err := e.eng.Run(context.Background(), Request{CPF: cpf, By: maria})
			if !errors.Is(err, ErrBadCPF) || run.ID != 0 {
				t.Errorf("CPF %q: run %d, %v; want ErrBadCPF and no run", cpf, run.ID, err)
			}
		})
	}
	if runs, err := e.store.Runs(10); err != nil || len(runs) != 0 {
		t.Fatalf("%d runs recorded (%v)", len(runs), err)
	}
	if run, err := e.eng.Run(context.Background(), Request{CPF: good, By: maria}); err != nil || run.Status != store.StatusSucceeded {
		t.Fatalf("the right CPF: %+v, %v", run, err)
	}
}

// Under many failing pages, each run that follows a partial one reads the pages that failed
// and keeps those already done, so that the runs converge and one ends succeeded.
func TestPartialRunsConverge(t *testing.T) {
	log := &pageLog{fail: map[string]bool{"2": true, "4": true, "5": true}}
	e := newEnv(t, sim.Options{Seed: 6}, Options{MaxRetries: 1}, false, log.wrap)
	ctx := context.Background()
	run, err := e.eng.Run(ctx, Request{By: maria})
	if err != nil || run.Status != store.StatusPartial {
		t.Fatalf("first run: %s (%s), %v", run.Status, run.Reason, err)
	}
	pages := len(slices.Compact(slices.Sorted(slices.Values(log.take())))) - 1 // less quantidade-paginas
	set := func(fail ...string) {
		log.mu.Lock()
		log.fail = map[string]bool{}
		for _, p := range fail {
			log.fail[p] = true
		}
		log.mu.Unlock()
	}
	for i, step := range []struct {
		fail []string
		want string // the pages read, in order, after the page count
	}{
		{[]string{"4"}, "2 4 5"},
		{nil, "4"},
	} {
		set(step.fail...)
		run, err := e.eng.Run(ctx, Request{By: maria})
		read := log.take()
		if len(read) > 0 && read[0] == "quantidade-paginas" {
			read = read[1:]
		}
		read = slices.Compact(slices.Sorted(slices.Values(read))) // a page retried counts once
		if got := strings.Join(read, " "); got != step.want {
			t.Fatalf("run %d read pages %q of %d, want %q", i+2, got, pages, step.want)
		}
		want := store.StatusPartial
		if step.fail == nil {
			want = store.StatusSucceeded
		}
		if err != nil || run.Status != want {
			t.Fatalf("run %d: %s (%s), %v; want %s", i+2, run.Status, run.Reason, err, want)
		}
	}
	if got, want := e.stored(t), e.ours(); !slices.Equal(got, want) {
		t.Fatalf("stored %d, want %d", len(got), len(want))
	}
	if run, err := e.eng.Run(ctx, Request{By: maria}); err != nil || run.Status != store.StatusSucceeded || len(log.take()) != pages+1 {
		t.Fatalf("a run after a succeeded one reads every page: %s, %v", run.Status, err)
	}
}
