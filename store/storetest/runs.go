package storetest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ponte/store"
)

func runs(t *testing.T, open Open) {
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"start, checkpoint, finish": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			if last, err := p.LastRun(); err != nil || last != nil {
				t.Fatalf("LastRun of a new association = %+v, %v", last, err)
			}
			run, err := p.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, who)
			if err != nil || run.ID == 0 || run.Status != store.StatusRunning || run.StartedBy != "maria" {
				t.Fatalf("start: %+v, %v", run, err)
			}
			errs := make([]store.RunError, 700)
			for i := range errs {
				errs[i] = store.RunError{Page: 3, Key: fmt.Sprint("codigo_veiculo=", i), Reason: "field ano_modelo: bad"}
			}
			cp := &store.Checkpoint{RunID: run.ID, Source: store.SourceSync, Total: 10, Done: []int{1, 2, 3}, Failed: map[int]string{4: "timeout"}}
			if _, err := p.Apply(store.Batch{RunID: run.ID, Clients: []store.Client{client(1, "A B", "1")}, Errors: errs, Checkpoint: cp}); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Apply(store.Batch{RunID: run.ID, Errors: errs}); err != nil {
				t.Fatal(err)
			}
			got, found, err := p.Checkpoint()
			if err != nil || !found || got.RunID != run.ID || len(got.Done) != 3 || got.Failed[4] != "timeout" {
				t.Fatalf("checkpoint = %+v, %v, %v", got, found, err)
			}
			if err := p.UpdateRun(run.ID, func(r *store.Run) { r.Note = "seven pages" }); err != nil {
				t.Fatal(err)
			}
			if r, _ := p.Run(run.ID); r.Note != "seven pages" || r.UpdatedAt.IsZero() {
				t.Fatalf("UpdateRun did not stay: %+v", r)
			}
			wantErr(t, "UpdateRun of an unknown run", p.UpdateRun(99, func(*store.Run) {}), store.ErrNotFound)
			r, err := p.FinishRun(run.ID, store.StatusCancelled, "", "cancelled by maria", who)
			if err != nil || r.ErrorCount != 1400 || len(r.Errors) == 0 || len(r.Errors) >= 1400 || r.Counts.ClientsCreated != 1 || r.FinishedAt.IsZero() {
				t.Fatalf("run = count %d, kept %d (bounded), %+v, %v", r.ErrorCount, len(r.Errors), r.Counts, err)
			}
			if _, found, _ := p.Checkpoint(); !found {
				t.Fatal("a cancelled run's checkpoint was cleared: nothing to resume from")
			}
			run2, _ := p.StartRun(store.Run{Kind: store.RunFull}, who)
			if _, err := p.Apply(store.Batch{RunID: run2.ID, Checkpoint: &store.Checkpoint{RunID: run2.ID}}); err != nil {
				t.Fatal(err)
			}
			if _, err := p.FinishRun(run2.ID, store.StatusSucceeded, "", "", who); err != nil {
				t.Fatal(err)
			}
			if _, found, _ := p.Checkpoint(); found {
				t.Fatal("a succeeded run's checkpoint stayed")
			}
			list, _ := p.Runs(0)
			if len(list) != 2 || list[0].ID != run2.ID || list[0].Association != "principal" {
				t.Fatalf("runs newest first: %+v", list)
			}
			if last, err := p.LastRun(); err != nil || last == nil || last.ID != run2.ID {
				t.Fatalf("LastRun = %+v, %v", last, err)
			}
			if got := strings.Join(actions(t, p), " "); got != "sync.finished sync.started sync.cancelled sync.started" {
				t.Errorf("audit actions = %v", got)
			}
			_, err = p.Run(99)
			wantErr(t, "an unknown run", err, store.ErrNotFound)
			states, err := s.SyncStates()
			if err != nil || len(states) != 1 || states[0].Association.Slug != "principal" || states[0].Last == nil || states[0].Last.ID != run2.ID {
				t.Fatalf("SyncStates = %+v, %v", states, err)
			}
			if f, err := p.Freshness(); err != nil || f.LastFullRead.IsZero() {
				t.Fatalf("Freshness after a full read = %+v, %v", f, err)
			}
		},
		"feed state starts at zero": func(t *testing.T, s store.Backend) {
			if f, err := in(t, s, "principal").Feed(); err != nil || !f.Cursor.IsZero() || !f.LastFull.IsZero() || f.MaxCode != 0 || f.Newer(0) {
				t.Fatalf("Feed = %+v, %v", f, err)
			}
		},
	})
}

func schedule(t *testing.T, open Open) {
	s := in(t, open(t), "principal")
	sc, err := s.Schedule()
	if err != nil || sc.Enabled || sc.TimeOfDay != "03:00" {
		t.Fatalf("default = %+v, %v", sc, err)
	}
	sc.Enabled = true
	sc.NextRun = time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := s.SetSchedule(sc, who); err != nil {
		t.Fatal(err)
	}
	sc.LastRun = time.Now().UTC().Truncate(time.Second)
	if err := s.SetSchedule(sc, who); err != nil { // bookkeeping only: no audit entry
		t.Fatal(err)
	}
	wantErr(t, "a time that does not exist", s.SetSchedule(store.Schedule{TimeOfDay: "25:00"}, who), store.ErrInvalid)
	got, _ := s.Schedule()
	if !got.Enabled || got.ChangedBy != "maria" || !got.NextRun.Equal(sc.NextRun) || !got.LastRun.Equal(sc.LastRun) {
		t.Fatalf("schedule = %+v", got)
	}
	if runs, sc, err := s.SyncState(5); err != nil || len(runs) != 0 || sc.Enabled != got.Enabled || sc.TimeOfDay != got.TimeOfDay {
		t.Fatalf("SyncState = %v, %+v, %v", runs, sc, err)
	}
	if log, _ := s.AuditLog(0, 0); len(log) != 1 || log[0].Action != store.ActionScheduleChanged {
		t.Fatalf("audit = %+v", log)
	}
	up, err := s.UpdateSchedule(who, func(sc *store.Schedule) error { sc.Enabled = false; return nil })
	if err != nil || up.Enabled {
		t.Fatalf("UpdateSchedule = %+v, %v", up, err)
	}
	if got, _ := s.Schedule(); got.Enabled {
		t.Fatal("UpdateSchedule did not stay")
	}
}

func integration(t *testing.T, open Open) {
	s := in(t, open(t), "principal")
	if st, err := s.IntegrationState(); err != nil || st != (store.IntegrationState{}) {
		t.Fatalf("nothing set: %+v, %v", st, err)
	}
	user, pw, code, tok := "integracao", "s3nha-secreta-123", "19", "token-velho-123456"
	if _, err := s.SetIntegration(store.IntegrationPatch{User: &user, Password: &pw, ProductCode: &code, SyncToken: &tok}, who); err != nil {
		t.Fatal(err)
	}
	in, err := s.Integration()
	if err != nil || in.User != user || in.Password != pw || in.SyncToken != tok || in.ProductCode != code {
		t.Fatalf("integration = %+v, %v", in, err)
	}
	if st, _ := s.IntegrationState(); !st.Configured || !st.Sync || st.ProductCode != "19" {
		t.Fatalf("state = %+v", st)
	}
	_, err = s.UnsetIntegration([]string{store.FieldSyncToken, "senha_errada"}, who)
	wantErr(t, "an unknown field", err, store.ErrInvalid)
	if in, _ := s.Integration(); in.SyncToken != tok {
		t.Fatal("an unknown field cleared the others")
	}
	cleared, err := s.UnsetIntegration([]string{store.FieldSyncToken}, who)
	if err != nil || !slices.Equal(cleared, []string{store.FieldSyncToken}) {
		t.Fatalf("cleared %v, %v", cleared, err)
	}
	if st, _ := s.IntegrationState(); st.Sync {
		t.Fatal("the sync token stayed")
	}
	log, _ := s.AuditLog(0, 0)
	for _, e := range log {
		if strings.Contains(e.Details, pw) || strings.Contains(e.Details, tok) {
			t.Fatalf("a secret reached the audit: %+v", e)
		}
	}
	if len(log) != 2 || log[0].Action != store.ActionSettingsCleared || log[1].Action != store.ActionSettingsChanged {
		t.Fatalf("audit = %+v", log)
	}
}

func audit(t *testing.T, open Open) {
	s := open(t)
	p := in(t, s, "principal")
	for i := range 5 {
		if err := p.Audit(who, store.ActionBackup, fmt.Sprint("entry ", i)); err != nil {
			t.Fatal(err)
		}
	}
	log, err := p.AuditLog(0, 0)
	if err != nil || len(log) != 5 || log[0].Details != "entry 4" || log[0].Who != "maria" || log[0].From != "cli" ||
		log[0].Association != "principal" || log[0].At.IsZero() {
		t.Fatalf("audit = %+v, %v", log, err)
	}
	older, _ := p.AuditLog(2, log[1].ID)
	if len(older) != 2 || older[0].ID != log[2].ID || older[1].ID != log[3].ID {
		t.Fatalf("paging: %+v", older)
	}
	if _, err := s.AddAssociation(store.Association{Slug: "norte"}, who); err != nil {
		t.Fatal(err)
	}
	if got, _ := in(t, s, "norte").AuditLog(0, 0); len(got) != 1 || got[0].Action != store.ActionAssociationAdded {
		t.Fatalf("norte's audit holds another association's: %+v", got)
	}
	if all, _ := s.AuditLog(0, 0); len(all) != 6 {
		t.Fatalf("the company's view of the audit: %d entries, want 6", len(all))
	}
}

func export(t *testing.T, open Open) {
	s := open(t)
	p, _ := imported(t, s, 10)
	run, _ := p.StartRun(store.Run{Kind: store.RunFull}, who)
	if _, err := p.FinishRun(run.ID, store.StatusSucceeded, "", "", who); err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{
		"clients":   {"sga_code", "cpf", "name", "situation"},
		"vehicles":  {"sga_code", "client_sga_code", "plate", "chassis", "model", "situation", "contract_number"},
		"contracts": {"number", "client_sga_code", "vehicle_sga_code", "created_at", "created_by"},
		"orders":    {"number", "contract_number", "vehicle_sga_code", "kind", "status"},
		"runs":      {"id", "kind", "status", "started_at", "finished_at", "clients", "vehicles", "errors"},
		"audit":     {"at", "who", "from", "action", "details"},
	}
	for _, kind := range store.ExportKinds {
		t.Run(kind, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := p.Export(kind, "json", &buf)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if n == 0 && fields[kind] == nil {
				return
			}
			if n == 0 || len(lines) != n {
				t.Fatalf("%d lines for %d records", len(lines), n)
			}
			var row map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
				t.Fatal(err)
			}
			for _, f := range fields[kind] {
				if _, ok := row[f]; !ok {
					t.Errorf("no %q: %v", f, row)
				}
			}
			buf.Reset()
			if _, err := p.Export(kind, "csv", &buf); err != nil {
				t.Fatal(err)
			}
			if recs, err := csv.NewReader(&buf).ReadAll(); err != nil || len(recs) != n+1 {
				t.Errorf("csv: %d rows for %d records, %v", len(recs), n, err)
			}
		})
	}
	var buf bytes.Buffer
	if n, _ := p.Export("clients", "json", &buf); n != 2 {
		t.Errorf("clients exported: %d, want 2", n)
	}
	_, err := p.Export("boletos", "json", &buf)
	wantErr(t, "an unknown kind", err, store.ErrInvalid)
	_, err = p.Export("clients", "xml", &buf)
	wantErr(t, "an unknown format", err, store.ErrInvalid)
}
