package store

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ponte/store/norm"
)

var cli = Actor{Who: "maria", From: "cli"}

// clock is a settable clock for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func openTest(t testing.TB, path string, o Options) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "ponte.db")
	}
	s, err := Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenMakesPrivateFilesAndRefusesASecondProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "ponte")
	path := filepath.Join(dir, "ponte.db")
	s := openTest(t, path, Options{})
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, KeyPath(path): 0o600} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	_, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	var inUse *InUseError
	if !errors.Is(err, ErrInUse) || !errors.As(err, &inUse) || !strings.HasPrefix(err.Error(), "database "+path+" is in use by ") {
		t.Fatalf("second open: %v", err)
	}
	// Where the system tells (Linux's /proc/locks), the error names the process holding it:
	// here, this test's own.
	if runtime.GOOS == "linux" && (inUse.PID != os.Getpid() || !strings.Contains(inUse.Command, ".test")) {
		t.Fatalf("holder: pid %d %q, want %d and the test binary", inUse.PID, inUse.Command, os.Getpid())
	}
	s.Close()
	s2 := openTest(t, path, Options{})
	if err := s2.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	s := openTest(t, path, Options{})
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(keySchema, u64(schemaVersion+1)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "upgrade ponte") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrationFromSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	// What schema 1 wrote: last_run inside the vehicle record, an empty client index value.
	legacyDB(t, path, 1, func(tx txn) error {
		now := time.Now().UTC()
		if err := legacyClient(tx, client(1, "A B", "1"), now); err != nil {
			return err
		}
		if err := legacyVehicle(tx, vehicle(10, 1, "AAA1111", "ATIVO"), 0, now); err != nil {
			return err
		}
		if err := tx.Bucket(bVehicleClient).Put(clientVehicleKey(1, 10), nil); err != nil {
			return err
		}
		rec := tx.Bucket(bVehicles).Get(i64(10))
		patched := append(bytes.TrimSuffix(slices.Clone(rec), []byte("}")), []byte(`,"last_run":7}`)...)
		return tx.Bucket(bVehicles).Put(i64(10), patched)
	})
	s := openTest(t, path, Options{})
	if err := s.Verify(); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
	if gone, _ := s.MarkGone([]uint64{7}, 0, nil); gone != 0 {
		t.Fatal("the migrated last run was lost: a vehicle seen by run 7 was marked gone")
	}
	if gone, _ := s.MarkGone([]uint64{8}, 0, nil); gone != 1 {
		t.Fatal("MarkGone after migration")
	}
}

// Schema 3's word index knew names only; schema 4's knows cities too, so the migration
// rebuilds it and "/" finds clients by city in an old database.
func TestMigrationFromSchema3IndexesCities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	c := client(1, "MARIA DA SILVA", "12345678909")
	c.City = "BELO HORIZONTE"
	legacyDB(t, path, 3, func(tx txn) error { // what schema 3 wrote: the name's words only
		if err := tx.Bucket(bClients).Put(i64(1), mustJSON(t, c)); err != nil {
			return err
		}
		if err := indexClient(tx, c); err != nil {
			return err
		}
		for _, w := range words(norm.Key(c.Name)) {
			if err := tx.Bucket(bClientWord).Put(clientWordKey(w, 1), []byte(norm.Key(c.Name))); err != nil {
				return err
			}
		}
		return nil
	})
	s := openTest(t, path, Options{})
	if err := s.Verify(); err != nil {
		t.Fatalf("after migrating: %v", err)
	}
	if p, _ := s.SearchClients("belo horiz", 10); len(p.Clients) != 1 {
		t.Fatalf("search by city after migrating: %+v", p.Clients)
	}
}

func TestSecretsAreSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	s := openTest(t, path, Options{})
	pw, key, tok := "s3nha-secreta-123", strings.Repeat("ab", 96), "sync-token-0123456789abcdef"
	url, user, code := "http://sga.example/api/sga/v2", "integracao", "19"
	changed, err := s.SetIntegration(IntegrationPatch{SGAURL: &url, User: &user, Password: &pw, APIKey: &key,
		ProductCode: &code, SyncToken: &tok}, cli)
	if err != nil || len(changed) != 6 {
		t.Fatalf("changed %v, %v", changed, err)
	}
	in, err := s.Integration()
	if err != nil || in.Password != pw || in.APIKey != key || in.SyncToken != tok || in.User != user || in.ProductCode != code {
		t.Fatalf("integration = %+v, %v", in, err)
	}
	if c := in.Changes[FieldPassword]; c.By != "maria" || c.At.IsZero() {
		t.Errorf("change record = %+v", c)
	}
	// Saving the same values changes nothing and writes no audit entry.
	if changed, _ := s.SetIntegration(IntegrationPatch{Password: &pw}, cli); len(changed) != 0 {
		t.Errorf("unchanged value reported as changed: %v", changed)
	}
	log, _ := s.AuditLog(0, 0)
	if len(log) != 1 || log[0].Action != ActionSettingsChanged || strings.Contains(log[0].Details, pw) {
		t.Fatalf("audit = %+v", log)
	}
	s.Close()
	raw, _ := os.ReadFile(path)
	for _, secret := range []string{pw, key, tok} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("secret %q is in the database file in clear", secret)
		}
	}
	// Without its key, the copy reveals nothing and refuses to overwrite what it cannot read.
	other := make([]byte, 32)
	s2 := openTest(t, path, Options{SecretKey: other})
	if _, err := s2.Integration(); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("with another key: %v", err)
	}
	if _, err := s2.SetIntegration(IntegrationPatch{User: &user}, cli); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("saving with another key: %v", err)
	}
	s2.Close()
	keyHex, _ := os.ReadFile(KeyPath(path))
	t.Setenv("PONTE_SECRET_KEY", strings.TrimSpace(string(keyHex)))
	moved := filepath.Join(t.TempDir(), "copy.db")
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(moved, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s3 := openTest(t, moved, Options{})
	if in, err := s3.Integration(); err != nil || in.Password != pw {
		t.Fatalf("with PONTE_SECRET_KEY: %+v, %v", in, err)
	}
	if _, err := os.Stat(KeyPath(moved)); !os.IsNotExist(err) {
		t.Error("a key file was made although PONTE_SECRET_KEY was set")
	}
	s3.Close()
	// Without the environment and without a key file, the copy opens but gets no new key.
	t.Setenv("PONTE_SECRET_KEY", "")
	s4 := openTest(t, moved, Options{})
	if _, err := s4.Integration(); !errors.Is(err, ErrMissingKey) || !strings.Contains(err.Error(), KeyPath(moved)) {
		t.Fatalf("copy without its key: %v", err)
	}
	if _, err := s4.SetIntegration(IntegrationPatch{User: &user}, cli); !errors.Is(err, ErrMissingKey) {
		t.Fatalf("saving into a copy without its key: %v", err)
	}
	if _, err := os.Stat(KeyPath(moved)); !os.IsNotExist(err) {
		t.Error("a new key was made for a database that holds secrets")
	}
}

func TestSealedFieldsDoNotSwap(t *testing.T) {
	sl, _ := newSealer(make([]byte, 32))
	sealed := sl.seal(FieldPassword, "x")
	if _, err := sl.open(FieldAPIKey, sealed); !errors.Is(err, ErrWrongKey) {
		t.Fatal("a password's ciphertext opened as the API key")
	}
	if _, err := decodeKey(hex.EncodeToString(make([]byte, 16))); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "••••••••", "12345678901": "••••••••",
		"abcdefghijkl3f9a": "••••••••3f9a", "çãõéíóúâêôàüÇ": "••••••••ôàüÇ"} {
		if got := Mask(FieldAPIKey, in); got != want {
			t.Errorf("Mask(api key %q) = %q, want %q", in, got, want)
		}
	}
	// A password shows nothing of itself, however long.
	if got := Mask(FieldPassword, "abcdefghijkl3f9a"); got != "••••••••" {
		t.Errorf("Mask(password) = %q, want dots only", got)
	}
}

func TestAdmins(t *testing.T) {
	s := openTest(t, "", Options{})
	a, err := s.AddAdmin(Admin{Login: "Maria", Name: "Maria Souza", Email: "maria@example.com",
		Keys: []SSHKey{{Fingerprint: "SHA256:aaa", Line: "ssh-ed25519 AAAA maria"}}}, cli)
	if err != nil || a.ID == 0 || a.Login != "maria" {
		t.Fatalf("add: %+v, %v", a, err)
	}
	if _, err := s.AddAdmin(Admin{Login: "joao", Name: "João", Keys: []SSHKey{{Fingerprint: "SHA256:bbb"}}}, cli); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Admin{
		{Login: "maria", Name: "Outra"},
		{Login: "ana", Name: "Ana", Keys: []SSHKey{{Fingerprint: "SHA256:aaa"}}},
		{Login: "x", Name: "X"},
		{Login: "com espaço", Name: "X"},
		{Login: "ana", Name: ""},
		{Login: "ana", Name: "Ana", Email: "sem-arroba"},
		{Login: "ana", Name: "Ana", Keys: []SSHKey{{}}},
	} {
		if _, err := s.AddAdmin(bad, cli); err == nil {
			t.Errorf("AddAdmin(%+v) accepted", bad)
		}
	}
	if got, err := s.AdminByKey("SHA256:bbb"); err != nil || got.Login != "joao" {
		t.Fatalf("by key: %+v, %v", got, err)
	}
	if _, err := s.AdminByKey("SHA256:zzz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if got, err := s.AdminByLogin(" MARIA "); err != nil || got.Name != "Maria Souza" {
		t.Fatalf("by login: %+v, %v", got, err)
	}
	all, _ := s.Admins()
	if len(all) != 2 || all[0].Login != "joao" {
		t.Fatalf("admins = %+v", all)
	}
}

func client(code int64, name, cpf string) Client {
	return Client{SGACode: code, Name: name, CPF: cpf, Situation: "ATIVO"}
}

func vehicle(code, client int64, plate, situation string) Vehicle {
	return Vehicle{SGACode: code, ClientSGACode: client, Plate: plate, Chassis: fmt.Sprintf("9BWZZZ%011d", code),
		Model: "GOL 1.0", Situation: situation, Products: []string{"19"}}
}

func TestApplyIsIdempotentAndMarksInsteadOfDeleting(t *testing.T) {
	ck := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s := openTest(t, "", Options{Now: ck.now})
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	batch := Batch{RunID: run.ID,
		Clients:  []Client{client(1, "MARIA DA SILVA", "123.456.789-09"), client(2, "JOSÉ D'ÁVILA", "98765432100")},
		Vehicles: []Vehicle{vehicle(10, 1, "abc-1d23", "ATIVO"), vehicle(11, 1, "", "ATIVO"), vehicle(20, 2, "XYZ9876", "ATIVO")},
	}
	res, err := s.Apply(batch)
	if err != nil || res.ClientsCreated != 2 || res.VehiclesCreated != 3 {
		t.Fatalf("first apply: %+v, %v", res, err)
	}
	res, _ = s.Apply(batch)
	if res.ClientsUnchanged != 2 || res.VehiclesUnchanged != 3 || res.VehiclesCreated+res.VehiclesUpdated != 0 {
		t.Fatalf("second apply: %+v", res)
	}
	v, _ := s.VehicleByCode(10)
	if v.Plate != "ABC1D23" {
		t.Errorf("plate stored as %q", v.Plate)
	}

	// The next day's run: one vehicle leaves ATIVO, one changes plate, one is gone.
	ck.t = ck.t.Add(24 * time.Hour)
	run2, _ := s.StartRun(Run{Kind: RunFull}, cli)
	b2 := Batch{RunID: run2.ID, Clients: batch.Clients,
		Vehicles: []Vehicle{vehicle(10, 1, "ABC1D23", "INADIMPLENTE"), vehicle(20, 2, "XYZ9A76", "ATIVO")}}
	res, err = s.Apply(b2)
	if err != nil || res.VehiclesUpdated != 2 || res.SituationsChanged != 1 || res.ClientsUnchanged != 2 {
		t.Fatalf("changes: %+v, %v", res, err)
	}
	gone, err := s.MarkGone([]uint64{run2.ID}, 0, nil)
	if err != nil || gone != 1 {
		t.Fatalf("MarkGone = %d, %v", gone, err)
	}
	v10, _ := s.VehicleByCode(10)
	if v10.Situation != "INADIMPLENTE" || v10.PrevSituation != "ATIVO" || !v10.SituationChangedAt.Equal(ck.t) || v10.Active() {
		t.Errorf("vehicle 10 = %+v", v10.Vehicle)
	}
	v11, err := s.VehicleByCode(11)
	if err != nil || !v11.Gone || v11.GoneSituation != "ATIVO" || !v11.GoneAt.Equal(ck.t) {
		t.Errorf("vehicle 11 = %+v, %v", v11.Vehicle, err)
	}
	if old, _ := s.VehiclesByPlate("XYZ9876", 5); len(old) != 0 {
		t.Errorf("the old plate still finds %d vehicles", len(old))
	}
	if found, _ := s.VehiclesByPlate("xyz-9a7", 5); len(found) != 1 || found[0].SGACode != 20 {
		t.Errorf("plate prefix search: %+v", found)
	}
	r2, _ := s.Run(run2.ID)
	if r2.Counts.VehiclesGone != 1 || r2.Counts.SituationsChanged != 1 || r2.Counts.Vehicles() != 2 {
		t.Errorf("run counts = %+v", r2.Counts)
	}
	// It comes back: no longer gone, and counted as a change.
	run3, _ := s.StartRun(Run{Kind: RunFull}, cli)
	res, _ = s.Apply(Batch{RunID: run3.ID, Vehicles: []Vehicle{vehicle(11, 1, "", "ATIVO")}})
	v11, _ = s.VehicleByCode(11)
	if v11.Gone || res.SituationsChanged != 1 || v11.PrevSituation != "FORA DA LISTA" {
		t.Errorf("returned vehicle = %+v, %+v", v11.Vehicle, res)
	}
	if vs, _ := s.VehiclesOfClient(1); len(vs) != 2 {
		t.Errorf("client 1 has %d vehicles", len(vs))
	}
	if _, err := s.Apply(Batch{Vehicles: []Vehicle{{SGACode: 5}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a vehicle without its client: %v", err)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestSearchClients(t *testing.T) {
	s := openTest(t, "", Options{})
	withCity := func(c Client, city string) Client { c.City = city; return c }
	_, err := s.Apply(Batch{Clients: []Client{
		withCity(client(1, "MARIA DA SILVA", "12345678909"), "BELO HORIZONTE"),
		withCity(client(2, "José D'Ávila Júnior", "98765432100"), "SÃO PAULO"),
		withCity(client(3, "JOAO SILVEIRA", "11122233344"), "BELO HORIZONTE"),
		client(4, "ANA MARIA SOUZA", "12399988877"),
	}, Vehicles: []Vehicle{vehicle(10, 1, "ABC1D23", "ATIVO"), vehicle(11, 3, "ABC1E45", "ATIVO"), vehicle(12, 2, "XYZ9876", "ATIVO")}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(t *testing.T, q string, limit int) string {
		t.Helper()
		p, err := s.SearchClients(q, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range p.Clients {
			out = append(out, fmt.Sprint(c.SGACode))
		}
		if p.More {
			out = append(out, "+")
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct{ q, want string }{
		{"maria", "4,1"},
		{"MARÍA", "4,1"},
		{"mar sil", "1"},
		{"sil", "3,1"},
		{"jose davila", ""},
		{"josé d ávila", "2"},
		{"JUNIOR", "2"},
		{"123.456", "1"},
		{"123", "4,1"},
		{"123.456.789-09", "1"},
		{"", "4,3,2,1"},
		{"zzz", ""},
		{"belo horizonte", "3,1"},
		{"sao paulo", "2"},
		{"silva belo", "1"},
		{"ABC1D23", "1"},
		{"abc-1d23", "1"},
		{"abc1", "3,1"},
		{"xyz9", "2"},
		{"abc", "3,1"}, // a plate starts with three letters: they find it without a digit
		{"XYZ", "2"},
		{"xyz-", "2"},
		{"xy", ""},
		{"abcd", ""},
	} {
		t.Run(tt.q, func(t *testing.T) {
			if got := names(t, tt.q, 10); got != tt.want {
				t.Errorf("search %q = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
	if got := names(t, "", 2); got != "4,3,+" {
		t.Errorf("an empty query lists the first names in order: %q", got)
	}
	// The unfiltered list, page by page, covers every client once, in name order.
	var all []string
	for token, more := "", true; more; {
		p, err := s.ListClients(token, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Clients {
			all = append(all, fmt.Sprint(c.SGACode))
		}
		token, more = p.Next, p.More
	}
	if got := strings.Join(all, ","); got != "4,3,2,1" {
		t.Errorf("paged list = %q", got)
	}
	if _, err := s.ListClients("zz", 3); !errors.Is(err, ErrInvalid) {
		t.Errorf("a bad token: %v", err)
	}
	if c, err := s.ClientByCPF("987.654.321-00"); err != nil || c.SGACode != 2 {
		t.Errorf("by CPF: %+v, %v", c, err)
	}
	// A renamed client is found by the new name only.
	if _, err := s.Apply(Batch{Clients: []Client{client(3, "JOÃO PEREIRA", "11122233344")}}); err != nil {
		t.Fatal(err)
	}
	if got := names(t, "silveira", 10); got != "" {
		t.Errorf("old name still found: %q", got)
	}
	if got := names(t, "pereira", 10); got != "3" {
		t.Errorf("new name: %q", got)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func seedImportable(t testing.TB, s *Store) {
	t.Helper()
	_, err := s.Apply(Batch{
		Clients: []Client{client(1, "MARIA", "12345678909"), client(2, "JOSE", "98765432100")},
		Vehicles: []Vehicle{vehicle(10, 1, "AAA1A11", "ATIVO"), vehicle(11, 1, "AAA1A12", "ATIVO"),
			vehicle(12, 1, "AAA1A13", "CANCELADO"), vehicle(20, 2, "BBB2B22", "ATIVO")},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImport(t *testing.T) {
	ck := &clock{time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)}
	s := openTest(t, "", Options{Now: ck.now})
	seedImportable(t, s)
	got, err := s.Import(1, []int64{11, 10, 10}, cli)
	if err != nil || len(got) != 2 {
		t.Fatalf("import: %+v, %v", got, err)
	}
	want := [][2]string{{"CT-2026-000001", "OS-2026-000001"}, {"CT-2026-000002", "OS-2026-000002"}}
	for i, im := range got {
		c, o := im.Contract, im.Order
		if c.Number != want[i][0] || o.Number != want[i][1] || o.ContractNumber != c.Number || c.OrderNumber != o.Number ||
			o.Kind != "Instalação" || o.Status != "Aberta" || c.CreatedBy != "maria" || c.ClientSGACode != 1 {
			t.Errorf("import %d = %+v / %+v", i, c, o)
		}
	}
	if v, _ := s.VehicleByCode(10); v.ContractNumber != "CT-2026-000001" {
		t.Errorf("vehicle 10 contract = %q", v.ContractNumber)
	}
	before, _ := s.Counts()
	log, _ := s.AuditLog(1, 0)
	for _, tt := range []struct {
		name     string
		client   int64
		vehicles []int64
		want     error
	}{
		{"already imported, with a good one", 1, []int64{10, 20}, ErrAlreadyImported},
		{"another client's vehicle", 1, []int64{20}, ErrWrongClient},
		{"not ATIVO", 1, []int64{12}, ErrNotActive},
		{"unknown vehicle", 1, []int64{99}, ErrNotFound},
		{"unknown client", 7, []int64{10}, ErrNotFound},
		{"nothing", 1, nil, ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Import(tt.client, tt.vehicles, cli)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			}
		})
	}
	_, err = s.Import(2, []int64{10, 20}, cli)
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Contract != "CT-2026-000001" || !strings.Contains(err.Error(), "contract CT-2026-000001") {
		t.Errorf("refusal should name the contract: %v", err)
	}
	after, _ := s.Counts()
	log2, _ := s.AuditLog(1, 0)
	if after != before || log2[0].ID != log[0].ID {
		t.Fatalf("a refused import wrote something: %+v -> %+v", before, after)
	}
	// The next year starts again at 1; the numbers stay gapless.
	ck.t = ck.t.Add(2 * time.Hour)
	got, err = s.Import(2, []int64{20}, cli)
	if err != nil || got[0].Contract.Number != "CT-2027-000001" || got[0].Order.Number != "OS-2027-000001" {
		t.Fatalf("new year: %+v, %v", got, err)
	}
	cs, _ := s.Contracts("", 0)
	if len(cs) != 3 || cs[0].Number != "CT-2027-000001" || cs[2].Number != "CT-2026-000001" {
		t.Errorf("contracts newest first: %+v", cs)
	}
	if cs, _ := s.Contracts("aaa1a12", 0); len(cs) != 1 || cs[0].VehicleSGACode != 11 {
		t.Errorf("filter by plate: %+v", cs)
	}
	if os, _ := s.Orders("os-2027", 0); len(os) != 1 {
		t.Errorf("filter orders: %+v", os)
	}
	views, err := s.OrderViews(OrderFilter{Query: "maria"}, 0)
	if err != nil || len(views) != 2 || views[0].Status != OrderStatusOpen || views[0].Number != "OS-2026-000002" ||
		views[0].ClientName != "MARIA" || views[0].ContractState != ContractActive {
		t.Errorf("order views: %+v, %v", views, err)
	}
	if views, _ := s.OrderViews(OrderFilter{Kind: OrderKindRemoval}, 0); len(views) != 0 {
		t.Errorf("removals: %+v", views)
	}
	if c, o, err := s.Contract("ct-2026-000002"); err != nil || o.ContractNumber != c.Number {
		t.Errorf("contract: %+v %+v %v", c, o, err)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestRunsAndCheckpoint(t *testing.T) {
	s := openTest(t, "", Options{})
	run, err := s.StartRun(Run{Kind: RunFull, Source: SourceSync}, cli)
	if err != nil || run.Status != StatusRunning || run.StartedBy != "maria" {
		t.Fatalf("start: %+v, %v", run, err)
	}
	errs := make([]RunError, 700)
	for i := range errs {
		errs[i] = RunError{Page: 3, Key: fmt.Sprint("codigo_veiculo=", i), Reason: "field ano_modelo: bad"}
	}
	cp := &Checkpoint{RunID: run.ID, Source: SourceSync, Total: 10, Done: []int{1, 2, 3}, Failed: map[int]string{4: "timeout"}}
	if _, err := s.Apply(Batch{RunID: run.ID, Clients: []Client{client(1, "A B", "1")}, Errors: errs, Checkpoint: cp}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(Batch{RunID: run.ID, Errors: errs}); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.Checkpoint()
	if err != nil || !found || got.RunID != run.ID || len(got.Done) != 3 || got.Failed[4] != "timeout" {
		t.Fatalf("checkpoint = %+v, %v, %v", got, found, err)
	}
	r, _ := s.FinishRun(run.ID, StatusCancelled, "", "cancelled by maria", cli)
	if r.ErrorCount != 1400 || len(r.Errors) != maxRunErrors || r.Counts.ClientsCreated != 1 || r.FinishedAt.IsZero() {
		t.Fatalf("run = count %d, kept %d, %+v", r.ErrorCount, len(r.Errors), r.Counts)
	}
	if _, found, _ := s.Checkpoint(); !found {
		t.Fatal("a cancelled run's checkpoint was cleared: nothing to resume from")
	}
	run2, _ := s.StartRun(Run{Kind: RunFull}, cli)
	_, _ = s.Apply(Batch{RunID: run2.ID, Checkpoint: &Checkpoint{RunID: run2.ID}})
	if _, err := s.FinishRun(run2.ID, StatusSucceeded, "", "", cli); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Checkpoint(); found {
		t.Fatal("a succeeded run's checkpoint stayed")
	}
	runs, _ := s.Runs(0)
	if len(runs) != 2 || runs[0].ID != run2.ID {
		t.Fatalf("runs newest first: %+v", runs)
	}
	log, _ := s.AuditLog(0, 0)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, " ") != "sync.finished sync.started sync.cancelled sync.started" {
		t.Errorf("audit actions = %v", actions)
	}
	older, _ := s.AuditLog(2, log[1].ID)
	if len(older) != 2 || older[0].ID != log[2].ID {
		t.Errorf("audit paging: %+v", older)
	}
	if _, err := s.Run(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	s := openTest(t, "", Options{})
	sc, _ := s.Schedule()
	if sc.Enabled || sc.TimeOfDay != "03:00" {
		t.Fatalf("default = %+v", sc)
	}
	sc.Enabled = true
	sc.NextRun = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	if err := s.SetSchedule(sc, cli); err != nil {
		t.Fatal(err)
	}
	sc.LastRun = time.Now()
	if err := s.SetSchedule(sc, cli); err != nil { // bookkeeping only: no audit entry
		t.Fatal(err)
	}
	if err := s.SetSchedule(Schedule{TimeOfDay: "25:00"}, cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad time: %v", err)
	}
	got, _ := s.Schedule()
	if !got.Enabled || got.ChangedBy != "maria" || got.NextRun.IsZero() {
		t.Fatalf("schedule = %+v", got)
	}
	if runs, sc, err := s.SyncState(5); err != nil || len(runs) != 0 || sc != got {
		t.Fatalf("SyncState = %v, %+v, %v", runs, sc, err)
	}
	if log, _ := s.AuditLog(0, 0); len(log) != 1 || log[0].Details != "daily sync on at 03:00" {
		t.Fatalf("audit = %+v", log)
	}
}

func TestBackupAndExport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ponte.db")
	s := openTest(t, path, Options{})
	seedImportable(t, s)
	if _, err := s.Import(1, []int64{10}, cli); err != nil {
		t.Fatal(err)
	}
	run, _ := s.StartRun(Run{Kind: RunFull}, cli)
	_, _ = s.FinishRun(run.ID, StatusSucceeded, "", "", cli)

	backup := filepath.Join(dir, "copy.db")
	if n, err := s.BackupFile(backup, false); err != nil || n == 0 {
		t.Fatalf("backup: %d, %v", n, err)
	}
	if fi, _ := os.Stat(backup); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode().Perm())
	}
	keyHex, _ := os.ReadFile(KeyPath(path))
	key, _ := decodeKey(strings.TrimSpace(string(keyHex)))
	b := openTest(t, backup, Options{SecretKey: key})
	c1, _ := s.Counts()
	c2, _ := b.Counts()
	if c1 != c2 || c2.Contracts != 1 {
		t.Fatalf("backup counts %+v, original %+v", c2, c1)
	}
	if err := b.Verify(); err != nil {
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
	for kind, want := range fields {
		var buf bytes.Buffer
		n, err := s.Export(kind, "json", &buf)
		if err != nil || n == 0 {
			t.Fatalf("export %s: %d, %v", kind, n, err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != n {
			t.Errorf("%s: %d lines for %d records", kind, len(lines), n)
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
			t.Fatal(err)
		}
		for _, f := range want {
			if _, ok := row[f]; !ok {
				t.Errorf("%s export lacks %q: %v", kind, f, row)
			}
		}
		buf.Reset()
		if _, err := s.Export(kind, "csv", &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != n+1 || !strings.Contains(strings.Join(recs[0], ","), want[0]) {
			t.Errorf("%s csv: %d rows, %v", kind, len(recs), err)
		}
	}
	var buf bytes.Buffer
	_, _ = s.Export("vehicles", "json", &buf)
	if !strings.Contains(buf.String(), `"contract_number":"CT-`) {
		t.Errorf("vehicles export lacks the contract: %s", buf.String())
	}
	if _, err := s.Export("boletos", "json", &buf); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}

// IntegrationState tells the product code and which credentials are set, without the key.
func TestIntegrationStateNeedsNoKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ponte.db")
	s := openTest(t, path, Options{})
	user, pw, code := "integracao", "s3nha-secreta-123", "19"
	if st, err := s.IntegrationState(); err != nil || st != (IntegrationState{}) {
		t.Fatalf("nothing set: %+v, %v", st, err)
	}
	if _, err := s.SetIntegration(IntegrationPatch{User: &user, Password: &pw, ProductCode: &code}, cli); err != nil {
		t.Fatal(err)
	}
	if st, err := s.IntegrationState(); err != nil || st != (IntegrationState{ProductCode: "19", Configured: true}) {
		t.Fatalf("without the Chave API: %+v, %v", st, err)
	}
	key, tok := "chave", "token"
	if _, err := s.SetIntegration(IntegrationPatch{APIKey: &key, SyncToken: &tok}, cli); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(KeyPath(path)); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path, Options{})
	if _, err := s.Integration(); err == nil {
		t.Fatal("the secrets opened without their key")
	}
	if st, err := s.IntegrationState(); err != nil || st != (IntegrationState{ProductCode: "19", Manual: true, Sync: true, Configured: true}) {
		t.Fatalf("without the key file: %+v, %v", st, err)
	}
}

// A stored field can be cleared: who cleared it and when is kept, the audit names the fields
// and never their values, and an unknown field clears nothing.
func TestUnsetIntegration(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "ponte.db"), Options{})
	user, tok := "integracao", "token-velho-123456"
	if _, err := s.SetIntegration(IntegrationPatch{User: &user, SyncToken: &tok}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UnsetIntegration([]string{FieldSyncToken, "senha_errada"}, cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown field: %v", err)
	}
	if in, _ := s.Integration(); in.SyncToken != tok {
		t.Fatal("an unknown field cleared the others")
	}
	who := Actor{Who: "joao", From: "cli"}
	cleared, err := s.UnsetIntegration([]string{FieldSyncToken, FieldPassword}, who)
	if err != nil || !slices.Equal(cleared, []string{FieldSyncToken}) {
		t.Fatalf("cleared %v, %v; want only the sync token (the password was never set)", cleared, err)
	}
	in, err := s.Integration()
	if err != nil || in.SyncToken != "" || in.User != user || in.Changes[FieldSyncToken].By != "joao" {
		t.Fatalf("after unset: %+v, %v", in, err)
	}
	if st, _ := s.IntegrationState(); st.Sync {
		t.Fatal("IntegrationState still sees a sync token")
	}
	log, _ := s.AuditLog(1, 0)
	if len(log) != 1 || log[0].Action != ActionSettingsCleared || log[0].Details != "fields: sync_token" || strings.Contains(log[0].Details, tok) {
		t.Fatalf("audit: %+v", log)
	}
	if again, err := s.UnsetIntegration([]string{FieldSyncToken}, who); err != nil || len(again) != 0 {
		t.Fatalf("clearing an empty field: %v, %v", again, err)
	}
}

// SyncStates, Overview and LastRun report each association's newest run of the whole
// association, and SyncStates the end of its newest finished one: a client's run counts as neither, a failed run is the last but not
// a success, a partial one is a success.
func TestSyncStates(t *testing.T) {
	s := openTest(t, "", Options{})
	by := Actor{Who: "test"}
	run := func(kind, status string) Run {
		t.Helper()
		r, err := s.StartRun(Run{Kind: kind, Source: SourceSync}, by)
		if err != nil {
			t.Fatal(err)
		}
		if status == StatusRunning {
			return r
		}
		r, err = s.FinishRun(r.ID, status, "", "", by)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	states, err := s.SyncStates()
	if err != nil || len(states) != 1 || states[0].Last != nil || !states[0].LastSuccess.IsZero() {
		t.Fatalf("never synced: %+v %v", states, err)
	}
	partial := run(RunFull, StatusPartial)
	run(RunIncremental, StatusFailed)
	run(RunClient, StatusSucceeded)
	states, _ = s.SyncStates()
	if st := states[0]; st.Last == nil || st.Last.Status != StatusFailed || !st.LastSuccess.Equal(partial.FinishedAt) {
		t.Fatalf("after a partial, a failed and a client run: %+v", st)
	}
	// Every reader of the association's last sync agrees: the client's run is none.
	sums, err := s.Overview()
	if err != nil || len(sums) != 1 || sums[0].LastRun == nil || sums[0].LastRun.ID != states[0].Last.ID {
		t.Fatalf("Overview's last run: %+v %v, want run %d", sums, err, states[0].Last.ID)
	}
	if last, err := s.LastRun(); err != nil || last == nil || last.ID != states[0].Last.ID {
		t.Fatalf("LastRun: %+v %v, want run %d", last, err, states[0].Last.ID)
	}
	running := run(RunFull, StatusRunning)
	states, _ = s.SyncStates()
	if st := states[0]; st.Last.ID != running.ID || st.Last.Association != "principal" || !st.LastSuccess.Equal(partial.FinishedAt) {
		t.Fatalf("with a run going: %+v", st)
	}
}

// A schedule saved before the interval and the daily full read existed reads with their
// defaults; one that had moved its weekly full read keeps reading in full weekly, that day.
func TestScheduleOfAnOlderDatabaseTakesTheDefaults(t *testing.T) {
	s := openTest(t, "", Options{})
	if sc, _ := s.Schedule(); sc != DefaultSchedule() {
		t.Fatalf("never set: %+v", sc)
	}
	for _, tt := range []struct {
		saved    string
		full     string
		day      time.Weekday
		fullOnWe bool
	}{
		{`{"enabled":true,"time_of_day":"04:30"}`, FullDaily, time.Sunday, true},
		{`{"enabled":true,"time_of_day":"04:30","full_day":6}`, FullWeekly, time.Saturday, false},
	} {
		t.Run(tt.saved, func(t *testing.T) {
			if err := s.update(func(tx txn) error { return tx.Bucket(bSync).Put(keySchedule, []byte(tt.saved)) }); err != nil {
				t.Fatal(err)
			}
			sc, err := s.Schedule()
			if err != nil || !sc.Enabled || sc.TimeOfDay != "04:30" || sc.Full != tt.full || sc.FullDay != tt.day ||
				sc.EveryMinutes != 60 || sc.HoursFrom != "07:00" || sc.HoursTo != "20:00" || sc.FullOn(time.Wednesday) != tt.fullOnWe {
				t.Errorf("%s read as %+v, %v", tt.saved, sc, err)
			}
		})
	}
	sc := DefaultSchedule()
	for _, bad := range []func(*Schedule){
		func(sc *Schedule) { sc.EveryMinutes = 2 },
		func(sc *Schedule) { sc.EveryMinutes = 13 * 60 },
		func(sc *Schedule) { sc.HoursFrom, sc.HoursTo = "20:00", "07:00" },
		func(sc *Schedule) { sc.HoursTo = "7h" },
		func(sc *Schedule) { sc.Full = "monthly" },
	} {
		c := sc
		bad(&c)
		if err := s.SetSchedule(c, cli); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v saved: %v", c, err)
		}
	}
	sc.EveryMinutes, sc.Full, sc.FullDay = 30, FullWeekly, time.Saturday
	if err := s.SetSchedule(sc, cli); err != nil {
		t.Fatal(err)
	}
	if log, _ := s.AuditLog(0, 0); len(log) == 0 || log[0].Details != "daily sync off at 03:00, in full on Saturday, incremental every 30 min 07:00-20:00" {
		t.Fatalf("audit = %+v", log)
	}
}
