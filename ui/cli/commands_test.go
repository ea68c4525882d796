package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/store"
	"ponte/ui/cli"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"nonsense"},
		{"--no-such-flag", "help"},
		{"sga-sim", "--members", "5"},
		{"sga-sim", "--paging", "sideways"},
		{"sga-sim", "--fail-5xx", "2"},
		{"sga-sim", "extra"},
		{"demo", "--members", "3"},
	} {
		var errOut bytes.Buffer
		if code := run(context.Background(), args, io.Discard, &errOut); code != cli.ExitUsage {
			t.Errorf("ponte %v exited %d, want 2", args, code)
		}
		if errOut.Len() == 0 {
			t.Errorf("ponte %v said nothing on stderr", args)
		}
	}
	if code := run(context.Background(), []string{"help", "sga-sim"}, io.Discard, io.Discard); code != cli.ExitOK {
		t.Errorf("help sga-sim exited %d", code)
	}
}

func TestSimCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"sga-sim", "--listen", "127.0.0.1:0", "--members", "40", "--page-size", "10", "--churn", "1h"}, pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no credentials line: %v (stderr: %s)", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	var creds struct {
		URL, Usuario, Senha, Chave_API, Codigo_Produto, Sync_Token string
		Members                                                    int
	}
	if err := json.Unmarshal([]byte(line), &creds); err != nil || creds.URL == "" || creds.Sync_Token == "" || creds.Members != 40 {
		t.Fatalf("credentials line %q: %v", line, err)
	}
	c := sga.New(sga.Config{BaseURL: creds.URL, RequestsPerSecond: -1, Credentials: sga.Credentials{
		User: creds.Usuario, Password: creds.Senha, APIKey: creds.Chave_API, SyncToken: creds.Sync_Token}})
	rep := c.Test(ctx, store.Rules{}.Active)
	if !rep.OK() {
		t.Fatalf("connection test against ponte sga-sim failed: %+v", rep.Results)
	}
	pc, err := c.SyncPageCount(ctx)
	if err != nil || pc.Pages < 2 {
		t.Fatalf("page count %+v, %v", pc, err)
	}
	cancel()
	select {
	case code := <-exited:
		if code != cli.ExitOK {
			t.Fatalf("sga-sim exited %d after SIGINT: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sga-sim did not stop")
	}
}

func TestStoreCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ponte.db")
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	keyFile := filepath.Join(dir, "maria.pub")
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " maria@laptop"
	if err := os.WriteFile(keyFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ponte := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"--db", db}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := ponte("admin", "add", "--login", "maria", "--name", "Maria Souza", "--ssh-key", keyFile); code != cli.ExitOK || !strings.HasSuffix(out, "with 1 key\n") {
		t.Fatalf("admin add: %d %q %s", code, out, errOut)
	}
	// One with no key yet: the listing says so rather than leaving the column empty.
	if code, out, errOut := ponte("admin", "add", "--login", "rita", "--name", "Rita"); code != cli.ExitOK || !strings.HasSuffix(out, "with 0 keys\n") {
		t.Fatalf("admin add without a key: %d %q %s", code, out, errOut)
	}
	if _, out, _ := ponte("admin", "list"); !regexp.MustCompile(`(?m)^rita +Rita +- +supervisor +\(none\)$`).MatchString(out) {
		t.Fatalf("an administrator without keys: %q", out)
	}
	// An authorized_keys file gives each key to the administrator its comment names; a line
	// naming nobody stops the whole file.
	newKey := func(comment string) (string, string) {
		pub, _, _ := ed25519.GenerateKey(nil)
		k, _ := ssh.NewPublicKey(pub)
		return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " " + comment, ssh.FingerprintSHA256(k)
	}
	second, secondFP := newKey("maria@desktop")
	stranger, _ := newKey("ana@laptop")
	team := filepath.Join(dir, "team_keys")
	if err := os.WriteFile(team, []byte("# the team\n"+second+"\n"+stranger+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := ponte("admin", "add", "--authorized-keys", team); code != cli.ExitFailure || !strings.Contains(errOut, `no administrator "ana"`) {
		t.Fatalf("authorized_keys naming nobody: %d %q", code, errOut)
	}
	if err := os.WriteFile(team, []byte(second+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := ponte("admin", "add", "--authorized-keys", team); code != cli.ExitOK || out != "maria: "+secondFP+"\n" {
		t.Fatalf("authorized_keys: %d %q %q", code, out, errOut)
	}
	if _, out, _ := ponte("admin", "list"); !strings.Contains(out, secondFP) || !strings.Contains(out, ssh.FingerprintSHA256(sshPub)) {
		t.Fatalf("maria's two keys: %q", out)
	}
	if code, _, errOut := ponte("admin", "add", "--login", "maria", "--name", "Outra"); code != cli.ExitFailure || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate admin: %d %s", code, errOut)
	}
	if code, _, _ := ponte("admin", "add", "--login", "ana", "--name", "Ana", "--ssh-key", db); code != cli.ExitFailure {
		t.Fatalf("a file that is not a key was accepted")
	}
	code, out, _ := ponte("admin", "list")
	if code != cli.ExitOK || !strings.Contains(out, "maria") || !strings.Contains(out, ssh.FingerprintSHA256(sshPub)) {
		t.Fatalf("admin list: %d %q", code, out)
	}
	code, out, _ = ponte("export", "audit")
	if code != cli.ExitOK || !strings.Contains(out, `"action":"admin.added"`) {
		t.Fatalf("export audit: %d %q", code, out)
	}
	code, out, _ = ponte("export", "audit", "--format", "csv")
	if code != cli.ExitOK || !strings.HasPrefix(out, "association,id,at,who,from,action,details\n,1,") {
		t.Fatalf("export csv: %d %q", code, out)
	}
	for _, bad := range [][]string{{"export"}, {"export", "boletos"}, {"export", "audit", "--format", "xml"}, {"backup"}, {"admin"}, {"admin", "add", "--name", "x"}} {
		if code, _, _ := ponte(bad...); code != cli.ExitUsage {
			t.Errorf("ponte %v exited %d, want 2", bad, code)
		}
	}
	copyPath := filepath.Join(dir, "copy.db")
	if code, out, _ := ponte("backup", copyPath); code != cli.ExitOK || !strings.Contains(out, "bytes written") {
		t.Fatalf("backup: %d %q", code, out)
	}
	if code, out, _ := run2(copyPath, "admin", "list"); code != cli.ExitOK || !strings.Contains(out, "maria") {
		t.Fatalf("the backup does not open: %d %q", code, out)
	}
	// While another process holds the database, a command says so instead of hanging.
	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	// It exits 4, names the process holding it (here, this test) and says what to do.
	code, _, errOut := ponte("export", "clients")
	if code != cli.ExitInUse || !strings.Contains(errOut, fmt.Sprintf("is in use by process %d (", os.Getpid())) ||
		!strings.Contains(errOut, fmt.Sprintf("kill -INT %d", os.Getpid())) {
		t.Fatalf("database in use: %d %q", code, errOut)
	}
}

// simServer serves a simulator for the command tests.
func simServer(t *testing.T, o sim.Options, wrap func(http.Handler) http.Handler) (*sim.Sim, string) {
	t.Helper()
	srv := simtest.Serve(t, o, simtest.Wrap(wrap))
	return srv.Sim, srv.URL
}

// Which credentials configSet gives config set.
const (
	tokenOnly = iota
	manualOnly
	manualAndToken
)

// configSet runs config set on db for the SGA at url (global flags such as -a first), with the
// credentials creds says, the secrets from the environment as an operator gives them and
// cleared afterwards.
func configSet(t *testing.T, db, url string, cr sim.Credentials, creds int, global ...string) {
	t.Helper()
	args := append(global, "config", "set", "--sga-url", url)
	if creds != tokenOnly {
		t.Setenv("PONTE_SGA_PASSWORD", cr.Password)
		t.Setenv("PONTE_SGA_API_KEY", cr.APIKey)
		args = append(args, "--user", cr.User)
	}
	if creds != manualOnly {
		t.Setenv("PONTE_SGA_SYNC_TOKEN", cr.SyncToken)
	}
	if code, _, errOut := run2(db, append(args, "--product-code", cr.ProductCode)...); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	for _, env := range []string{"PONTE_SGA_PASSWORD", "PONTE_SGA_API_KEY", "PONTE_SGA_SYNC_TOKEN"} {
		t.Setenv(env, "")
	}
}

func TestConfigSyncImport(t *testing.T) {
	s, url := simServer(t, sim.Options{Seed: 2, Members: 60, PageSize: 20}, nil)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }

	// Secrets come from the environment or stdin; there is no flag for them.
	if code, _, _ := ponte("config", "set", "--password", cr.Password); code != cli.ExitUsage {
		t.Fatalf("a --password flag was accepted")
	}
	t.Setenv("PONTE_SGA_PASSWORD", cr.Password)
	t.Setenv("PONTE_SGA_API_KEY", cr.APIKey)
	t.Setenv("PONTE_SGA_SYNC_TOKEN", cr.SyncToken)
	code, out, errOut := ponte("config", "set", "--sga-url", url, "--user", cr.User, "--product-code", cr.ProductCode)
	if code != cli.ExitOK || !strings.Contains(out, "saved: sga-url, user, password, api-key, product-code, sync-token") {
		t.Fatalf("config set: %d %q %q", code, out, errOut)
	}
	// An SGA URL whose server sends every request on to a link-local address.
	leads := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://[fe80::a9fe:a9fe%25lo]/latest/meta-data", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(leads.Close)
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--product-code", "12a"}, "--product-code: digits only"},
		{[]string{"--sga-url", leads.URL}, "--sga-url: a link-local address (where cloud metadata lives) cannot be an SGA (the URL leads there); nothing was saved"},
		{[]string{"--sga-url", "ftp://x"}, "want an http or https URL"},
		{[]string{"--user", "   "}, "user: empty; to clear a field use ponte config unset user"},
		{[]string{"--user", "ab\u009b31mc"}, "--user: character 3 is a control character (U+009B)"},
		{[]string{"--user", "adm\u202enimda"}, "--user: character 4 is a bidirectional text control (U+202E)"},
		{[]string{"--user", "ad\xffmin"}, "--user: byte 3 is not valid UTF-8"},
		{[]string{"--sga-url", "https://jose:segredo-do-jose@sga.example.com/api"}, "carries a user name or password"},
		{[]string{"--sga-url", "http://169.254.169.254/latest"}, "link-local"},
		{[]string{"--sga-url", "http://[fe80::1%25eth0]/api"}, "link-local"},
		// A code SGA does not have is refused, naming those it has.
		{[]string{"--product-code", "99"}, fmt.Sprintf("SGA has no product \"99\" among the supplier's products; it has %s (RASTREADOR)", cr.ProductCode)},
	} {
		t.Run(strings.Join(bad.args, " "), func(t *testing.T) {
			// A refused value is bad usage (2); a code SGA does not have is a failure (1).
			want := cli.ExitUsage
			if bad.args[1] == "99" {
				want = cli.ExitFailure
			}
			code, _, errOut := ponte(append([]string{"config", "set"}, bad.args...)...)
			if code != want || !strings.Contains(errOut, bad.want) {
				t.Errorf("config set %q: %d %q; want %q", bad.args, code, errOut, bad.want)
			}
			if strings.Contains(errOut, "segredo-do-jose") {
				t.Errorf("an error printed the URL's password: %q", errOut)
			}
		})
	}
	t.Setenv("PONTE_SGA_PASSWORD", "")
	t.Setenv("PONTE_SGA_API_KEY", "")
	t.Setenv("PONTE_SGA_SYNC_TOKEN", "")
	code, out, _ = ponte("config", "show")
	if code != cli.ExitOK || !strings.Contains(out, cr.User) || !strings.Contains(out, "changed by") {
		t.Fatalf("config show: %d %q", code, out)
	}
	for _, secret := range []string{cr.Password, cr.APIKey, cr.SyncToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("config show printed a secret: %q", out)
		}
	}
	// A password shows nothing of itself, as in the console; a key shows its last four.
	for _, line := range strings.Split(out, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 1 && fields[0] == "password" && fields[1] != "••••••••" {
			t.Errorf("config show printed part of the password: %q", line)
		}
	}
	if !strings.Contains(out, "••••••••"+cr.APIKey[len(cr.APIKey)-4:]) {
		t.Errorf("config show does not end the API key with its last four: %q", out)
	}
	code, out, _ = ponte("config", "test")
	if code != cli.ExitOK || strings.Count(out, " ok ") < 10 {
		t.Fatalf("config test: %d\n%s", code, out)
	}

	code, out, errOut = ponte("sync", "--rate", "0", "--json")
	var summary store.Run
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &summary) != nil || summary.Status != store.StatusSucceeded {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "succeeded") {
		t.Errorf("sync printed no progress on stderr: %q", errOut)
	}

	// Import: by CPF and plate or code; a second import of the same vehicle is refused whole.
	var v sim.VehicleInfo
	for _, x := range s.Vehicles() {
		if x.Plate != "" && x.Situation == 1 && slices.Contains(x.Products, cr.ProductCode) {
			v = x
			break
		}
	}
	code, out, errOut = ponte("import", "--client", v.MemberCPF, strings.ToLower(v.Plate))
	if code != cli.ExitOK || !strings.Contains(out, "CT-") || !strings.Contains(out, "OS-") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	contract := strings.Fields(strings.Split(out, "\n")[1])[0]
	code, _, errOut = ponte("import", "--client", strconv.FormatInt(v.MemberCode, 10), strconv.FormatInt(v.Code, 10))
	if code != cli.ExitFailure || !strings.Contains(errOut, "contract "+contract) || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("second import: %d %q", code, errOut)
	}
	_, contracts, _ := ponte("export", "contracts")
	if n := strings.Count(contracts, "\n"); n != 1 {
		t.Fatalf("%d contracts after a refused import", n)
	}
	// One vehicle is counted as one: "1 of 1 vehicle refused".
	if code, _, errOut := ponte("import", "--client", v.MemberCPF, "ZZZ9Z99"); code != cli.ExitFailure || !strings.Contains(errOut, "ZZZ9Z99: no such vehicle") ||
		!strings.Contains(errOut, "nothing was imported; 1 of 1 vehicle refused:") {
		t.Fatalf("unknown plate: %d %q", code, errOut)
	}
	// Every vehicle refused is named with its reason, not only the first.
	code, _, errOut = ponte("import", "--client", v.MemberCPF, "ZZZ9Z99", v.Plate, "YYY8Y88")
	if code != cli.ExitFailure || !strings.Contains(errOut, "3 of 3 vehicles refused") || !strings.Contains(errOut, "ZZZ9Z99: no such vehicle") ||
		!strings.Contains(errOut, "YYY8Y88: no such vehicle") || !strings.Contains(errOut, "already imported: contract "+contract) {
		t.Fatalf("import of three refused vehicles: %d %q", code, errOut)
	}
	if code, _, _ := ponte("import", "--client", v.MemberCPF); code != cli.ExitUsage {
		t.Fatal("import without vehicles was accepted")
	}
}

func TestSyncExitStatus(t *testing.T) {
	failPage := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/listar/pagina/2") {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	s, url := simServer(t, sim.Options{Seed: 2, Members: 60, PageSize: 20}, failPage)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	configSet(t, db, url, cr, tokenOnly)
	if code, out, _ := run2(db, "sync", "--rate", "0"); code != cli.ExitPartial || !strings.Contains(out, "partial") {
		t.Fatalf("a sync with a failing page exited %d: %q", code, out)
	}
	wrong := "wrong-token" // revoked in SGA since
	setStale(t, db, "", store.IntegrationPatch{SyncToken: &wrong})
	// Refused credentials exit 5 and say how to set them again.
	if code, _, errOut := run2(db, "sync", "--rate", "0"); code != cli.ExitRefused || !strings.Contains(errOut, "SGA refused the credentials") ||
		!strings.Contains(errOut, "ponte config set --sync-token-stdin") {
		t.Fatalf("a sync with a bad token exited %d: %q", code, errOut)
	}
	if code, _, _ := run2(db, "sync", "--workers", "0"); code != cli.ExitUsage {
		t.Fatal("--workers 0 was accepted")
	}
}
