package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// legacyDB makes the database a ponte of an older schema version wrote: its migrations up to
// that version (everything at the top level), then fill, seen from that layout.
func legacyDB(t *testing.T, path string, version int, fill func(tx txn) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for v := range version {
			if err := migrations[v](tx); err != nil {
				return err
			}
		}
		if err := fill(txn{Tx: tx, legacy: true}); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, u64(uint64(version)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// legacyData is the data bucket of a legacy database's one association.
func legacyData(tx txn) (*bolt.Bucket, error) {
	var data *bolt.Bucket
	err := eachDataBucket(tx.Tx, func(_ []byte, b *bolt.Bucket) error {
		data = b
		return nil
	})
	if err == nil && data == nil {
		err = errors.New("no association")
	}
	return data, err
}

// legacyClient and legacyVehicle write a client and a vehicle as schemas before 7 did: JSON,
// with their index entries.
func legacyClient(tx txn, c Client, now time.Time) error {
	c.FirstSeen, c.UpdatedAt = now, now
	if err := putJSON(tx.Bucket(bClients), i64(c.SGACode), c); err != nil {
		return err
	}
	return indexClient(tx, c)
}

func legacyVehicle(tx txn, v Vehicle, run uint64, now time.Time) error {
	v.FirstSeen, v.UpdatedAt = now, now
	if err := putJSON(tx.Bucket(bVehicles), i64(v.SGACode), v); err != nil {
		return err
	}
	return indexVehicle(tx, v, run)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A database of schema 4 (one SGA, everything at the top level) as the code before
// associations wrote it: settings, clients, vehicles, an import, runs with a checkpoint and a
// schedule, an administrator, the audit. It migrates into one association named from its
// Usuário, with nothing lost and Verify clean.
func TestMigrationFromSchema4IntoOneAssociation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	legacyDB(t, path, 4, func(tx txn) error {
		rec := integrationRecord{SGAURL: "https://sga.example/api", User: "Proteção Sul", ProductCode: "7"}
		if err := putJSON(tx.Bucket(bSettings), keyIntegration, rec); err != nil {
			return err
		}
		for _, c := range []Client{client(1, "MARIA DA SILVA", "12345678909"), client(2, "JOSE", "98765432100")} {
			if err := legacyClient(tx, c, now); err != nil {
				return err
			}
		}
		for _, v := range []Vehicle{vehicle(10, 1, "ABC1D23", "ATIVO"), vehicle(11, 2, "XYZ9876", "ATIVO")} {
			if err := legacyVehicle(tx, v, 3, now); err != nil {
				return err
			}
		}
		// Schema 4's import: contract and order without an association, index by vehicle alone.
		ct := map[string]any{"number": "CT-2026-000001", "client_sga_code": 1, "vehicle_sga_code": 10,
			"plate": "ABC1D23", "order_number": "OS-2026-000001", "created_at": now, "created_by": "maria"}
		os := map[string]any{"number": "OS-2026-000001", "contract_number": "CT-2026-000001", "client_sga_code": 1,
			"vehicle_sga_code": 10, "kind": OrderKindInstallation, "status": OrderStatusOpen, "created_at": now, "created_by": "maria"}
		for _, put := range []struct {
			b    []byte
			k, v []byte
		}{
			{bContracts, []byte("CT-2026-000001"), mustJSON(t, ct)},
			{bOrders, []byte("OS-2026-000001"), mustJSON(t, os)},
			{bContractVeh, i64(10), []byte("CT-2026-000001")},
			{bSequences, []byte("CT-2026"), u64(1)},
			{bSequences, []byte("OS-2026"), u64(1)},
			{bAdmins, u64(1), mustJSON(t, map[string]any{"id": 1, "login": "maria", "name": "Maria"})},
			{bAdminLogin, []byte("maria"), u64(1)},
		} {
			if err := tx.Bucket(put.b).Put(put.k, put.v); err != nil {
				return err
			}
		}
		runs := tx.Bucket(bRuns)
		for id := uint64(1); id <= 3; id++ {
			if _, err := runs.NextSequence(); err != nil {
				return err
			}
			if err := putJSON(runs, u64(id), Run{ID: id, Kind: RunFull, Status: StatusSucceeded, StartedAt: now}); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bSync), keySchedule, Schedule{Enabled: true, TimeOfDay: "04:30"}); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bSync), keyCheckpoint, Checkpoint{RunID: 3, Total: 9, Done: []int{1, 2}}); err != nil {
			return err
		}
		return appendAudit(tx, now, cli, ActionImport, "client 1: CT-2026-000001")
	})

	s := openTest(t, path, Options{Now: (&clock{now}).now})
	if err := s.Verify(); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
	assocs, err := s.Associations()
	if err != nil || len(assocs) != 1 || assocs[0].Slug != "protecao-sul" || assocs[0].Name != "Proteção Sul" {
		t.Fatalf("associations = %+v, %v", assocs, err)
	}
	in, err := s.In("protecao-sul")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := in.Counts(); err != nil || c != (Counts{Clients: 2, Vehicles: 2, Contracts: 1, Orders: 1}) {
		t.Fatalf("counts = %+v, %v", c, err)
	}
	if v, _ := in.VehicleByCode(10); v.ContractNumber != "CT-2026-000001" {
		t.Errorf("vehicle 10's contract = %q", v.ContractNumber)
	}
	if err := in.CheckImport(1, []int64{10}); !errors.Is(err, ErrAlreadyImported) {
		t.Errorf("importing vehicle 10 again: %v", err)
	}
	if c, o, err := in.Contract("CT-2026-000001"); err != nil || c.Association != assocs[0].ID || o.Association != assocs[0].ID {
		t.Errorf("contract = %+v, %+v, %v", c, o, err)
	}
	if sc, _ := in.Schedule(); !sc.Enabled || sc.TimeOfDay != "04:30" {
		t.Errorf("schedule = %+v", sc)
	}
	if cp, found, _ := in.Checkpoint(); !found || cp.RunID != 3 {
		t.Errorf("checkpoint = %+v, %v", cp, found)
	}
	if st, _ := in.IntegrationState(); st.ProductCode != "7" {
		t.Errorf("integration = %+v", st)
	}
	if p, _ := in.SearchClients("mar sil", 10); len(p.Clients) != 1 {
		t.Errorf("search after migrating: %+v", p.Clients)
	}
	if a, _ := s.AdminByLogin("maria"); a.Role != RoleSupervisor {
		t.Errorf("administrator's role = %q", a.Role)
	}
	r, err := in.StartRun(Run{Kind: RunFull}, cli)
	if err != nil || r.ID != 4 {
		t.Errorf("the next run is %d (%v), want 4: run numbers go on", r.ID, err)
	}
	ct, err := in.Import(2, []int64{11}, cli)
	if err != nil || ct[0].Contract.Number != "CT-2026-000002" {
		t.Errorf("import after migrating: %+v, %v", ct, err)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("after writing: %v", err)
	}
}

// A fresh database has one association, "principal", and works without naming it.
func TestNewDatabaseHasOneAssociation(t *testing.T) {
	s := openTest(t, "", Options{})
	assocs, err := s.Associations()
	if err != nil || len(assocs) != 1 || assocs[0].Slug != "principal" {
		t.Fatalf("associations = %+v, %v", assocs, err)
	}
	if _, err := s.Apply(Batch{Clients: []Client{client(1, "A", "1")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAssociation(Association{Slug: "outra"}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClientByCode(1); !errors.Is(err, ErrNoAssociation) {
		t.Fatalf("with two associations and none named: %v", err)
	}
}

func TestAddAssociationRefusesBadInput(t *testing.T) {
	s := openTest(t, "", Options{})
	for _, a := range []Association{
		{Slug: "Sul Minas"}, {Slug: "-x"}, {Slug: "123"}, {Slug: strings.Repeat("a", 33)},
		{Slug: "ok", CNPJ: "11.222.333/0001-00"}, {Slug: "ok", Name: "a\x1b[2Jb"}, {Slug: "principal"},
	} {
		if _, err := s.AddAssociation(a, cli); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrDuplicate) {
			t.Errorf("%+v: %v", a, err)
		}
	}
	a, err := s.AddAssociation(Association{Slug: "Sul-Minas", Name: " Proteção Sul de Minas ", CNPJ: "11.222.333/0001-81"}, cli)
	if err != nil || a.Slug != "sul-minas" || a.Name != "Proteção Sul de Minas" || a.CNPJ != "11222333000181" {
		t.Fatalf("%+v, %v", a, err)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A CNPJ is one company: a second association with it is refused, added or changed, however
// it is punctuated; the association that holds it may keep it.
func TestAssociationCNPJIsOneCompanys(t *testing.T) {
	s := openTest(t, "", Options{})
	if _, err := s.AddAssociation(Association{Slug: "sul", CNPJ: "11.222.333/0001-81"}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAssociation(Association{Slug: "outra", CNPJ: "11222333000181"}, cli); !errors.Is(err, ErrCNPJTaken) {
		t.Fatalf("a second association with the same CNPJ: %v", err)
	}
	if _, err := s.AddAssociation(Association{Slug: "outra"}, cli); err != nil {
		t.Fatal(err)
	}
	cnpj := "11.222.333/0001-81"
	if _, err := s.UpdateAssociation("outra", AssociationPatch{CNPJ: &cnpj}, cli); !errors.Is(err, ErrCNPJTaken) {
		t.Fatalf("a CNPJ set on another association: %v", err)
	}
	name := "Proteção Sul"
	if _, err := s.UpdateAssociation("sul", AssociationPatch{Name: &name, CNPJ: &cnpj}, cli); err != nil {
		t.Fatalf("the association that holds the CNPJ: %v", err)
	}
	if got := FormatCNPJ("11222333000181"); got != "11.222.333/0001-81" {
		t.Fatalf("FormatCNPJ: %q", got)
	}
}

// Two SGAs reuse codes: the same client and vehicle codes in two associations are two clients
// and two vehicles, each imported on its own, numbered in one company sequence.
func TestCodesCollideAcrossAssociations(t *testing.T) {
	s := openTest(t, "", Options{})
	if _, err := s.AddAssociation(Association{Slug: "norte"}, cli); err != nil {
		t.Fatal(err)
	}
	a, _ := s.In("principal")
	b, _ := s.In("norte")
	if _, err := a.Apply(Batch{Clients: []Client{client(1, "MARIA DA SILVA", "12345678909")},
		Vehicles: []Vehicle{vehicle(10, 1, "AAA1111", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(Batch{Clients: []Client{client(1, "JOAO PEREIRA", "98765432100")},
		Vehicles: []Vehicle{vehicle(10, 1, "BBB2222", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	ca, _ := a.ClientByCode(1)
	cb, _ := b.ClientByCode(1)
	if ca.Name != "MARIA DA SILVA" || cb.Name != "JOAO PEREIRA" {
		t.Fatalf("client 1: %q in principal, %q in norte", ca.Name, cb.Name)
	}
	ia, err := a.Import(1, []int64{10}, cli)
	if err != nil {
		t.Fatal(err)
	}
	ib, err := b.Import(1, []int64{10}, cli)
	if err != nil {
		t.Fatalf("vehicle 10 of norte refused after principal's vehicle 10 was imported: %v", err)
	}
	if ia[0].Contract.Number == ib[0].Contract.Number || !strings.HasSuffix(ib[0].Contract.Number, "000002") {
		t.Errorf("contract numbers %s and %s: want one sequence", ia[0].Contract.Number, ib[0].Contract.Number)
	}
	if v, _ := b.VehicleByCode(10); v.Plate != "BBB2222" || v.ContractNumber != ib[0].Contract.Number {
		t.Errorf("norte's vehicle 10 = %+v", v)
	}
	if list, _ := a.Contracts("", 0); len(list) != 1 || list[0].Number != ia[0].Contract.Number {
		t.Errorf("principal's contracts = %+v", list)
	}
	if list, _ := s.Contracts("", 0); len(list) != 2 {
		t.Errorf("every contract = %+v", list)
	}
	if p, _ := s.SearchAll("", 10); len(p.Clients) != 2 || p.Clients[0].Association != "norte" || p.Clients[1].Association != "principal" {
		t.Errorf("search of all = %+v", p.Clients)
	}
	var out bytes.Buffer
	if n, err := s.Export("vehicles", "csv", &out); err != nil || n != 2 ||
		!strings.Contains(out.String(), "principal,10,1,AAA1111") || !strings.Contains(out.String(), "norte,10,1,BBB2222") {
		t.Errorf("export of all: %d, %v\n%s", n, err, out.String())
	}
	log, _ := s.AuditLog(0, 0)
	if len(log) == 0 || log[0].Association != "norte" || log[0].Action != ActionImport {
		t.Errorf("the newest audit entry = %+v, want norte's import", log[0])
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// An operator's store shows their associations only: lists, lookups, search, runs,
// contracts, exports and the audit. Another association is "not found", as if absent.
func TestOperatorSeesOnlyTheirAssociations(t *testing.T) {
	s := openTest(t, "", Options{})
	norte, _ := s.AddAssociation(Association{Slug: "norte"}, cli)
	if _, err := s.AddAssociation(Association{Slug: "sul"}, cli); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"principal", "norte", "sul"} {
		in, _ := s.In(slug)
		if _, err := in.Apply(Batch{Clients: []Client{client(1, "MARIA "+strings.ToUpper(slug), "12345678909")},
			Vehicles: []Vehicle{vehicle(10, 1, "AAA1111", "ATIVO")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Import(1, []int64{10}, cli); err != nil {
			t.Fatal(err)
		}
		r, _ := in.StartRun(Run{Kind: RunFull}, cli)
		if _, err := in.FinishRun(r.ID, StatusSucceeded, "", "", cli); err != nil {
			t.Fatal(err)
		}
	}
	op, err := s.AddAdmin(Admin{Login: "ana", Name: "Ana", Role: RoleOperator, Associations: []uint64{norte.ID}}, cli)
	if err != nil {
		t.Fatal(err)
	}
	v := s.As(op)
	if assocs, _ := v.Associations(); len(assocs) != 1 || assocs[0].Slug != "norte" {
		t.Errorf("associations = %+v", assocs)
	}
	if _, err := v.In("sul"); !errors.Is(err, ErrNotFound) {
		t.Errorf("In(sul) = %v, want not found", err)
	}
	if _, err := v.In(strings.TrimSpace("1")); !errors.Is(err, ErrNotFound) {
		t.Errorf("In(1) (principal by number) = %v", err)
	}
	if p, _ := v.SearchAll("maria", 10); len(p.Clients) != 1 || p.Clients[0].Name != "MARIA NORTE" {
		t.Errorf("search = %+v", p.Clients)
	}
	if c, _ := v.ClientByCode(1); c.Name != "MARIA NORTE" { // the only one they see needs no name
		t.Errorf("client 1 = %+v", c)
	}
	if list, _ := v.Contracts("", 0); len(list) != 1 || list[0].Association != norte.ID {
		t.Errorf("contracts = %+v", list)
	}
	if runs, _ := v.Runs(0); len(runs) != 1 || runs[0].Association != "norte" {
		t.Errorf("runs = %+v", runs)
	}
	if _, err := v.Run(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("principal's run 1: %v", err)
	}
	var out bytes.Buffer
	if n, _ := v.Export("clients", "json", &out); n != 1 || strings.Contains(out.String(), "SUL") {
		t.Errorf("export: %d\n%s", n, out.String())
	}
	out.Reset()
	if _, err := v.Export("audit", "json", &out); err != nil || strings.Contains(out.String(), `"principal"`) ||
		strings.Contains(out.String(), `"sul"`) || strings.Contains(out.String(), "admin.added") {
		t.Errorf("audit export: %v\n%s", err, out.String())
	}
	if admins, _ := v.Admins(); len(admins) != 1 || admins[0].Login != "ana" {
		t.Errorf("admins = %+v", admins)
	}
	if _, err := v.AddAssociation(Association{Slug: "x"}, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator adding an association: %v", err)
	}
	if _, err := v.AddAdmin(Admin{Login: "bob", Name: "Bob"}, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator adding an administrator: %v", err)
	}
	if _, err := v.SetAdminAccess("ana", RoleSupervisor, nil, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator made themselves supervisor: %v", err)
	}
	if _, err := v.SetAssociationEnabled("norte", false, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator disabling: %v", err)
	}
	out.Reset()
	if n, err := v.Backup(&out); !errors.Is(err, ErrForbidden) || n != 0 || out.Len() != 0 {
		t.Errorf("an operator's backup of every association: %d bytes, %v", out.Len(), err)
	}
	if a, err := s.SetAdminAccess("ana", RoleOperator, []uint64{norte.ID, 1}, cli); err != nil || len(a.Associations) != 2 {
		t.Errorf("a supervisor gave ana principal too: %+v, %v", a, err)
	} else if assocs, _ := s.As(a).Associations(); len(assocs) != 2 {
		t.Errorf("ana now sees %+v", assocs)
	}
	if _, err := s.AddAdmin(Admin{Login: "bob", Name: "Bob", Role: RoleOperator}, cli); !errors.Is(err, ErrInvalid) {
		t.Errorf("an operator without associations: %v", err)
	}
	if _, err := s.AddAdmin(Admin{Login: "bob", Name: "Bob", Role: RoleOperator, Associations: []uint64{99}}, cli); !errors.Is(err, ErrNotFound) {
		t.Errorf("an operator of an association that does not exist: %v", err)
	}
}

func TestDisableAssociation(t *testing.T) {
	s := openTest(t, "", Options{})
	a, err := s.SetAssociationEnabled("principal", false, cli)
	if err != nil || !a.Disabled {
		t.Fatalf("%+v, %v", a, err)
	}
	a, _ = s.Association("principal")
	if !a.Disabled {
		t.Fatal("not kept")
	}
	if a, _ = s.SetAssociationEnabled("principal", true, cli); a.Disabled {
		t.Fatal("not enabled again")
	}
	log, _ := s.AuditLog(2, 0)
	if len(log) != 2 || log[0].Action != ActionAssociationEnabled || log[1].Action != ActionAssociationDisabled || log[0].Association != "principal" {
		t.Errorf("audit = %+v", log)
	}
}

// A batch's index entries are written in key order at its end; the last write of a key wins,
// as if each had been written at once: a client renamed twice in one batch is found by its
// last name only, and a vehicle whose plate changed twice by its last plate only.
func TestBatchIndexesKeepTheLastWrite(t *testing.T) {
	s := openTest(t, "", Options{})
	if _, err := s.Apply(Batch{Clients: []Client{client(1, "ANA PRIMEIRA", "12345678909")},
		Vehicles: []Vehicle{vehicle(10, 1, "AAA1111", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	second, third := client(1, "BEATRIZ SEGUNDA", "12345678909"), client(1, "CARLA TERCEIRA", "12345678909")
	if _, err := s.Apply(Batch{Clients: []Client{second, third},
		Vehicles: []Vehicle{vehicle(10, 1, "BBB2222", "ATIVO"), vehicle(10, 1, "CCC3333", "ATIVO")}}); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]int{"ana": 0, "beatriz": 0, "carla": 1, "CCC3": 1, "BBB2": 0, "AAA1": 0} {
		if p, _ := s.SearchClients(query, 10); len(p.Clients) != want {
			t.Errorf("search %q: %d clients, want %d", query, len(p.Clients), want)
		}
	}
	if vs, _ := s.VehiclesByPlate("BBB", 10); len(vs) != 0 {
		t.Errorf("the middle plate is still indexed: %+v", vs)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// A changed client moves only the index entries its change touches, and every search finds
// it by what it is now and never by what it was: a situação and an e-mail, then the CPF, then
// the name, then the city, each alone.
func TestAChangedClientMovesOnlyItsChangedEntries(t *testing.T) {
	s := openTest(t, "", Options{})
	c := client(1, "ANA PRIMEIRA", "12345678909")
	c.City = "RECIFE"
	apply := func(c Client) {
		t.Helper()
		if _, err := s.Apply(Batch{Clients: []Client{c}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(); err != nil {
			t.Fatal(err)
		}
	}
	finds := func(want map[string]bool) {
		t.Helper()
		for q, found := range want {
			p, err := s.SearchClients(q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(p.Clients) == 1; got != found {
				t.Errorf("search %q found the client: %v, want %v", q, got, found)
			}
		}
	}
	apply(c)
	c.Situation, c.Email = "INADIMPLENTE", "ana@example.com"
	apply(c)
	finds(map[string]bool{"ana": true, "primeira": true, "recife": true, "123.456.789-09": true})
	c.CPF = "98765432100"
	apply(c)
	finds(map[string]bool{"987.654": true, "123.456": false, "ana": true})
	c.Name = "ANA SEGUNDA"
	apply(c)
	finds(map[string]bool{"segunda": true, "primeira": false, "ana seg": true, "recife": true})
	if p, _ := s.ListClients("", 10); len(p.Clients) != 1 || p.Clients[0].Name != "ANA SEGUNDA" {
		t.Errorf("the name list: %+v", p.Clients)
	}
	c.City = "OLINDA"
	apply(c)
	finds(map[string]bool{"olinda": true, "recife": false, "segunda olinda": true, "987": true})
}
