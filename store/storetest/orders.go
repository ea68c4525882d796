package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ponte/store"
)

func contractsAndOrders(t *testing.T, open Open) {
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"import numbers a contract and its order": func(t *testing.T, s store.Backend) {
			p, got := imported(t, s, 11, 10, 10)
			year := time.Now().Year()
			if len(got) != 2 {
				t.Fatalf("imported %d, want 2 (a vehicle named twice is one)", len(got))
			}
			for i, im := range got {
				c, o := im.Contract, im.Order
				if c.Number != fmt.Sprintf("CT-%d-%06d", year, i+1) || o.Number != fmt.Sprintf("OS-%d-%06d", year, i+1) ||
					o.ContractNumber != c.Number || c.OrderNumber != o.Number || o.Kind != store.OrderKindInstallation ||
					o.Status != store.OrderStatusOpen || c.CreatedBy != "maria" || c.ClientSGACode != 1 {
					t.Errorf("import %d = %+v / %+v", i, c, o)
				}
			}
			if v, _ := p.VehicleByCode(10); v.ContractNumber == "" {
				t.Error("vehicle 10 does not know its contract")
			}
			if n, _ := p.Counts(); n.Contracts != 2 || n.Orders != 2 {
				t.Errorf("counts = %+v", n)
			}
			if got := actions(t, p); len(got) == 0 || got[0] != store.ActionImport {
				t.Errorf("audit = %v", got)
			}
		},
		"a refused import writes nothing": func(t *testing.T, s store.Backend) {
			p, _ := imported(t, s, 10)
			for _, c := range []struct {
				name     string
				client   int64
				vehicles []int64
				want     error
			}{
				{"already imported, with a good one", 1, []int64{11, 10}, store.ErrAlreadyImported},
				{"another client's vehicle", 1, []int64{11, 20}, store.ErrWrongClient},
				{"not ATIVO", 1, []int64{12}, store.ErrNotActive},
				{"unknown vehicle", 1, []int64{99}, store.ErrNotFound},
				{"unknown client", 7, []int64{10}, store.ErrNotFound},
				{"nothing", 1, nil, store.ErrInvalid},
			} {
				t.Run(c.name, func(t *testing.T) {
					if len(c.vehicles) > 0 { // CheckImport of none has nothing to refuse
						wantErr(t, "CheckImport", p.CheckImport(c.client, c.vehicles), c.want)
					}
					same(t, p, "Import", func() error {
						_, err := p.Import(c.client, c.vehicles, who)
						wantErr(t, "Import", err, c.want)
						return err
					})
				})
			}
			_, err := p.Import(2, []int64{10, 20}, who)
			var ie *store.ImportError
			if !errors.As(err, &ie) || ie.Contract == "" || !strings.Contains(err.Error(), ie.Contract) {
				t.Errorf("a refusal names the contract: %v", err)
			}
			if err := p.CheckImport(1, []int64{11}); err != nil {
				t.Errorf("CheckImport of an importable vehicle: %v", err)
			}
		},
		"lists newest first, filtered": func(t *testing.T, s store.Backend) {
			p, imp := imported(t, s, 10, 11)
			cs, err := p.Contracts("", 0)
			if err != nil || len(cs) != 2 || cs[0].Number != imp[1].Contract.Number {
				t.Fatalf("contracts newest first: %+v, %v", cs, err)
			}
			if cs, _ := p.Contracts("aaa1a12", 0); len(cs) != 1 || cs[0].VehicleSGACode != 11 {
				t.Errorf("by plate: %+v", cs)
			}
			if cs, _ := p.Contracts("", 1); len(cs) != 1 {
				t.Errorf("the limit: %d", len(cs))
			}
			if os, _ := p.Orders(strings.ToLower(imp[0].Order.Number), 0); len(os) != 1 || os[0].Number != imp[0].Order.Number {
				t.Errorf("orders by number: %+v", os)
			}
			views, err := p.OrderViews(store.OrderFilter{Query: "maria"}, 0)
			if err != nil || len(views) != 2 || views[0].Number != imp[1].Order.Number || views[0].ClientName != "MARIA DA SILVA" ||
				views[0].ContractState != store.ContractActive {
				t.Errorf("order views: %+v, %v", views, err)
			}
			if views, _ := p.OrderViews(store.OrderFilter{Kind: store.OrderKindRemoval}, 0); len(views) != 0 {
				t.Errorf("removals: %+v", views)
			}
			c, o, err := p.Contract(strings.ToLower(imp[0].Contract.Number))
			if err != nil || o.ContractNumber != c.Number || c.Number != imp[0].Contract.Number {
				t.Errorf("contract: %+v %+v %v", c, o, err)
			}
			o2, c2, err := p.Order(imp[0].Order.Number)
			if err != nil || c2.Number != c.Number || o2.Number != o.Number {
				t.Errorf("order: %+v %+v %v", o2, c2, err)
			}
			_, _, err = p.Contract("CT-1999-000001")
			wantErr(t, "an unknown contract", err, store.ErrNotFound)
			_, _, err = p.Order("OS-1999-000001")
			wantErr(t, "an unknown order", err, store.ErrNotFound)
			if cl, err := p.OrderClient(o); err != nil || cl.SGACode != 1 {
				t.Errorf("OrderClient = %+v, %v", cl, err)
			}
		},
		"an order's steps": func(t *testing.T, s store.Backend) {
			p, imp := imported(t, s, 10)
			n := imp[0].Order.Number
			for _, to := range []string{store.OrderStatusRunning, store.OrderStatusDone} {
				_, err := p.AdvanceOrder(n, store.OrderStep{To: to}, who)
				wantErr(t, "to "+to+" before scheduling", err, store.ErrBadStep)
				var se *store.StepError
				if o, _, _ := p.Order(n); !errors.As(err, &se) || store.CheckStep(o, to) == nil {
					t.Errorf("to %s: %v is not the StepError CheckStep gives", to, err)
				}
			}
			past := time.Now().Add(-48 * time.Hour)
			wantErr(t, "CheckVisit in the past", p.CheckVisit(past), store.ErrPastVisit)
			if err := p.CheckVisit(time.Now().Add(time.Hour)); err != nil {
				t.Errorf("CheckVisit in an hour: %v", err)
			}
			same(t, p, "a visit in the past", func() error {
				_, err := p.AdvanceOrder(n, store.OrderStep{To: store.OrderStatusScheduled, Visit: &store.Visit{At: past, Technician: "Carlos"}}, who)
				return err
			})
			same(t, p, "a note too long", func() error {
				_, err := p.AdvanceOrder(n, store.OrderStep{Attempt: &store.ContactAttempt{Outcome: "Sem resposta",
					Note: strings.Repeat("a", store.MaxNote+1)}}, who)
				var fe *store.FieldError
				if !errors.As(err, &fe) || fe.Field != store.FieldNote || store.CheckText(store.FieldNote, strings.Repeat("a", store.MaxNote+1)) == nil {
					t.Errorf("a note too long: %v, want the FieldError CheckText gives", err)
				}
				return err
			})
			if o, _, _ := p.Order(n); o.Status != store.OrderStatusOpen || o.Visit != nil || len(o.Attempts) != 0 {
				t.Fatalf("refused steps were written: %+v", o)
			}
			if _, err := p.AdvanceOrder(n, store.OrderStep{Attempt: &store.ContactAttempt{Outcome: "Sem resposta"}}, who); err != nil {
				t.Fatal(err)
			}
			finish(t, p, n)
			o, _, _ := p.Order(n)
			life := o.Life()
			if o.Status != store.OrderStatusDone || len(life) != 4 || life[1].Status != store.OrderStatusScheduled ||
				life[3].Status != store.OrderStatusDone || life[3].By != "maria" || len(o.Attempts) != 1 {
				t.Fatalf("life = %+v, attempts %+v", life, o.Attempts)
			}
			_, err := p.AdvanceOrder(n, store.OrderStep{To: store.OrderStatusCancelled, Note: "x"}, who)
			wantErr(t, "cancel a finished order", err, store.ErrBadStep)
			_, err = p.AdvanceOrder("OS-1999-000001", store.OrderStep{To: store.OrderStatusScheduled}, who)
			wantErr(t, "an unknown order", err, store.ErrNotFound)
			changed := 0
			for _, a := range actions(t, p) {
				if a == store.ActionOrderChanged {
					changed++
				}
			}
			if changed != 4 {
				t.Errorf("%d order.changed audit entries, want 4 (an attempt and three steps, none refused)", changed)
			}
		},
	})
}

func proposals(t *testing.T, open Open) {
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"a removal and a reinstallation": func(t *testing.T, s store.Backend) {
			p, imp := imported(t, s, 10)
			finish(t, p, imp[0].Order.Number)
			pending := func() []store.Proposal {
				t.Helper()
				ps, err := p.Proposals(store.ProposalFilter{Status: store.ProposalPending}, 0)
				if err != nil {
					t.Fatal(err)
				}
				return ps
			}
			apply := func(sit string, ch *store.SGAChange) store.BatchResult {
				t.Helper()
				b := store.Batch{Vehicles: []store.Vehicle{vehicle(10, 1, "AAA1A11", sit)}}
				if ch != nil {
					b.Changes = map[int64]store.SGAChange{10: *ch}
				}
				res, err := p.Apply(b)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			if err := p.Proposable(imp[0].Contract.Number, store.OrderKindRemoval); err != nil {
				t.Fatalf("an installed contract may have a removal: %v", err)
			}
			wantErr(t, "a reinstallation of an installed contract",
				p.Proposable(imp[0].Contract.Number, store.OrderKindReinstallation), store.ErrNotProposable)
			when := time.Date(2026, 11, 1, 17, 30, 0, 0, time.UTC)
			ch := &store.SGAChange{Field: "codigo_situacao", Before: "ATIVO", After: "CANCELADO", At: when, By: "JOANA SGA"}
			if res := apply("CANCELADO", ch); res.Proposals != 1 {
				t.Fatalf("proposals made = %d, want 1", res.Proposals)
			}
			apply("CANCELADO", ch) // the same state again proposes nothing more
			ps := pending()
			if len(ps) != 1 || ps[0].Kind != store.OrderKindRemoval || ps[0].Cause.Motive != store.MotiveCancellation ||
				ps[0].Cause.ChangedBy != "JOANA SGA" || !ps[0].Cause.ChangedAt.Equal(when) || ps[0].Contract != imp[0].Contract.Number {
				t.Fatalf("proposals = %+v", ps)
			}
			if views, err := p.ProposalViews(store.ProposalFilter{Status: store.ProposalPending}, 0); err != nil || len(views) != 1 ||
				views[0].ID != ps[0].ID {
				t.Fatalf("views = %+v, %v", views, err)
			}
			orders, err := p.AcceptProposals([]uint64{ps[0].ID}, who)
			if err != nil || len(orders) != 1 || orders[0].Kind != store.OrderKindRemoval || orders[0].Status != store.OrderStatusOpen {
				t.Fatalf("accept: %+v, %v", orders, err)
			}
			_, err = p.AcceptProposals([]uint64{ps[0].ID}, who)
			wantErr(t, "a second accept", err, store.ErrNotPending)
			finish(t, p, orders[0].Number)
			if c, _, _ := p.Contract(imp[0].Contract.Number); c.State() != store.ContractClosed {
				t.Fatalf("the contract after its removal: %s", c.State())
			}
			apply("ATIVO", nil)
			ps = pending()
			if len(ps) != 1 || ps[0].Kind != store.OrderKindReinstallation || ps[0].Cause.Motive != store.MotiveReactivation {
				t.Fatalf("after reactivation: %+v", ps)
			}
			wantErr(t, "dismiss without a reason", p.DismissProposals([]uint64{ps[0].ID}, " ", who), store.ErrInvalid)
			wantErr(t, "dismiss with a reason too long",
				p.DismissProposals([]uint64{ps[0].ID}, strings.Repeat("a", store.MaxReason+1), who), store.ErrInvalid)
			if err := p.DismissProposals([]uint64{ps[0].ID}, "cliente não quer", who); err != nil {
				t.Fatal(err)
			}
			if len(pending()) != 0 {
				t.Fatal("a dismissed proposal is still pending")
			}
			got := strings.Join(actions(t, p), " ")
			if !strings.Contains(got, store.ActionProposalDismissed) || !strings.Contains(got, store.ActionProposalAccepted) {
				t.Fatalf("audit = %s", got)
			}
		},
		"a vehicle without a contract proposes nothing": func(t *testing.T, s store.Backend) {
			p, _ := imported(t, s, 10)
			if _, err := p.Apply(store.Batch{Vehicles: []store.Vehicle{vehicle(20, 2, "BBB2B22", "CANCELADO")}}); err != nil {
				t.Fatal(err)
			}
			if ps, _ := p.Proposals(store.ProposalFilter{}, 0); len(ps) != 0 {
				t.Fatalf("proposals = %+v", ps)
			}
		},
		"an installation is due by its association's rules": func(t *testing.T, s store.Backend) {
			p, imp := imported(t, s, 10, 11)
			due := func(want time.Duration) {
				t.Helper()
				os, err := p.OrderViews(store.OrderFilter{}, 0)
				if err != nil || len(os) != 2 {
					t.Fatalf("orders = %v, %v", os, err)
				}
				for _, o := range os {
					if !o.Deadline.Due.Equal(o.CreatedAt.Add(want)) || o.Deadline.Late {
						t.Errorf("%s is due %s, want %s after %s", o.Number, o.Deadline.Due, want, o.CreatedAt)
					}
				}
			}
			due(store.DefaultInstallWithin)
			if err := p.SetRules(store.Rules{InstallWithin: 48 * time.Hour}, who); err != nil {
				t.Fatal(err)
			}
			if r, _ := p.Rules(); r.InstallWindow() != 48*time.Hour {
				t.Fatalf("rules read back %s", r.InstallWindow())
			}
			due(48 * time.Hour)
			if err := p.SetRules(store.Rules{InstallWithin: time.Minute}, who); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("a deadline of a minute: %v", err)
			}
			finish(t, p, imp[0].Order.Number)
			if os, _ := p.OrderViews(store.OrderFilter{}, 0); len(os) != 2 || os[1].Deadline.Set() == os[0].Deadline.Set() {
				t.Errorf("a Concluída still has a deadline: %+v", os)
			}
			cs, err := s.DeadlineCounts()
			if err != nil || len(cs) != 1 || cs[0].Slug != "principal" || cs[0].Late != 0 || cs[0].Today != 0 {
				t.Errorf("DeadlineCounts = %+v, %v", cs, err)
			}
		},
	})
}
