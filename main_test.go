package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/store"
)

func TestHelpListsOnlyWorkingCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, io.Discard); code != exitOK {
		t.Fatalf("help exited %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out.String(), "  "+c.name+" ") {
			t.Errorf("help does not list %s", c.name)
		}
		if c.run == nil && c.name != "help" {
			t.Errorf("%s is listed but does nothing", c.name)
		}
	}
}

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
		if code := run(context.Background(), args, io.Discard, &errOut); code != exitUsage {
			t.Errorf("ponte %v exited %d, want 2", args, code)
		}
		if errOut.Len() == 0 {
			t.Errorf("ponte %v said nothing on stderr", args)
		}
	}
	if code := run(context.Background(), []string{"help", "sga-sim"}, io.Discard, io.Discard); code != exitOK {
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
	rep := c.Test(ctx)
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
		if code != exitOK {
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
	if code, _, errOut := ponte("admin", "add", "--login", "maria", "--name", "Maria Souza", "--ssh-key", keyFile); code != exitOK {
		t.Fatalf("admin add: %d %s", code, errOut)
	}
	if code, _, errOut := ponte("admin", "add", "--login", "maria", "--name", "Outra"); code != exitFailure || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate admin: %d %s", code, errOut)
	}
	if code, _, _ := ponte("admin", "add", "--login", "ana", "--name", "Ana", "--ssh-key", db); code != exitFailure {
		t.Fatalf("a file that is not a key was accepted")
	}
	code, out, _ := ponte("admin", "list")
	if code != exitOK || !strings.Contains(out, "maria") || !strings.Contains(out, ssh.FingerprintSHA256(sshPub)) {
		t.Fatalf("admin list: %d %q", code, out)
	}
	code, out, _ = ponte("export", "audit")
	if code != exitOK || !strings.Contains(out, `"action":"admin.added"`) {
		t.Fatalf("export audit: %d %q", code, out)
	}
	code, out, _ = ponte("export", "audit", "--format", "csv")
	if code != exitOK || !strings.HasPrefix(out, "id,at,who,from,action,details\n") {
		t.Fatalf("export csv: %d %q", code, out)
	}
	for _, bad := range [][]string{{"export"}, {"export", "boletos"}, {"export", "audit", "--format", "xml"}, {"backup"}, {"admin"}, {"admin", "add", "--name", "x"}} {
		if code, _, _ := ponte(bad...); code != exitUsage {
			t.Errorf("ponte %v exited %d, want 2", bad, code)
		}
	}
	copyPath := filepath.Join(dir, "copy.db")
	if code, out, _ := ponte("backup", copyPath); code != exitOK || !strings.Contains(out, "bytes written") {
		t.Fatalf("backup: %d %q", code, out)
	}
	if code, out, _ := run2(copyPath, "admin", "list"); code != exitOK || !strings.Contains(out, "maria") {
		t.Fatalf("the backup does not open: %d %q", code, out)
	}
	// While another process holds the database, a command says so instead of hanging.
	holder, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if code, _, errOut := ponte("export", "clients"); code != exitFailure || !strings.Contains(errOut, "in use by another ponte process") {
		t.Fatalf("database in use: %d %q", code, errOut)
	}
}

func run2(db string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"--db", db}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// simServer serves a simulator for the command tests.
func simServer(t *testing.T, o sim.Options, wrap func(http.Handler) http.Handler) (*sim.Sim, string) {
	t.Helper()
	s, err := sim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { s.Close(); srv.Close() })
	return s, srv.URL + sim.BasePath
}

func TestConfigSyncImport(t *testing.T) {
	s, url := simServer(t, sim.Options{Seed: 2, Members: 60, PageSize: 20}, nil)
	cr := s.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }

	// Secrets come from the environment or stdin; there is no flag for them.
	if code, _, _ := ponte("config", "set", "--password", cr.Password); code != exitUsage {
		t.Fatalf("a --password flag was accepted")
	}
	t.Setenv("PONTE_SGA_PASSWORD", cr.Password)
	t.Setenv("PONTE_SGA_API_KEY", cr.APIKey)
	t.Setenv("PONTE_SGA_SYNC_TOKEN", cr.SyncToken)
	code, out, errOut := ponte("config", "set", "--sga-url", url, "--user", cr.User, "--product-code", cr.ProductCode)
	if code != exitOK || !strings.Contains(out, "saved: chave_api, codigo_produto, senha, sga_url, sync_token, usuario") {
		t.Fatalf("config set: %d %q %q", code, out, errOut)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--product-code", "12a"}, "digits only"},
		{[]string{"--sga-url", "ftp://x"}, "want an http or https URL"},
		{[]string{"--user", "   "}, "usuario: empty"},
		{[]string{"--user", "ab\u009b31mc"}, "usuario: character 3 is a control character (U+009B)"},
		{[]string{"--user", "adm\u202enimda"}, "usuario: character 4 is a bidirectional text control (U+202E)"},
		{[]string{"--user", "ad\xffmin"}, "usuario: byte 3 is not valid UTF-8"},
		{[]string{"--sga-url", "https://jose:segredo-do-jose@sga.example.com/api"}, "carries a user name or password"},
		{[]string{"--sga-url", "http://169.254.169.254/latest"}, "link-local"},
		{[]string{"--sga-url", "http://[fe80::1%25eth0]/api"}, "link-local"},
		// A code SGA does not have is refused, naming those it has.
		{[]string{"--product-code", "99"}, fmt.Sprintf("SGA has no product \"99\" among the supplier's products; it has %s (RASTREADOR)", cr.ProductCode)},
	} {
		code, _, errOut := ponte(append([]string{"config", "set"}, bad.args...)...)
		if code != exitFailure || !strings.Contains(errOut, bad.want) {
			t.Errorf("config set %q: %d %q; want %q", bad.args, code, errOut, bad.want)
		}
		if strings.Contains(errOut, "segredo-do-jose") {
			t.Errorf("an error printed the URL's password: %q", errOut)
		}
	}
	t.Setenv("PONTE_SGA_PASSWORD", "")
	t.Setenv("PONTE_SGA_API_KEY", "")
	t.Setenv("PONTE_SGA_SYNC_TOKEN", "")
	code, out, _ = ponte("config", "show")
	if code != exitOK || !strings.Contains(out, cr.User) || !strings.Contains(out, "changed by") {
		t.Fatalf("config show: %d %q", code, out)
	}
	for _, secret := range []string{cr.Password, cr.APIKey, cr.SyncToken} {
		if strings.Contains(out, secret) {
			t.Fatalf("config show printed a secret: %q", out)
		}
	}
	code, out, _ = ponte("config", "test")
	if code != exitOK || strings.Count(out, " ok ") < 10 {
		t.Fatalf("config test: %d\n%s", code, out)
	}

	code, out, errOut = ponte("sync", "--rate", "0", "--json")
	var summary store.Run
	if code != exitOK || json.Unmarshal([]byte(out), &summary) != nil || summary.Status != store.StatusSucceeded {
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
	if code != exitOK || !strings.Contains(out, "CT-") || !strings.Contains(out, "OS-") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	contract := strings.Fields(strings.Split(out, "\n")[1])[0]
	code, _, errOut = ponte("import", "--client", strconv.FormatInt(v.MemberCode, 10), strconv.FormatInt(v.Code, 10))
	if code != exitFailure || !strings.Contains(errOut, "contract "+contract) || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("second import: %d %q", code, errOut)
	}
	_, contracts, _ := ponte("export", "contracts")
	if n := strings.Count(contracts, "\n"); n != 1 {
		t.Fatalf("%d contracts after a refused import", n)
	}
	if code, _, errOut := ponte("import", "--client", v.MemberCPF, "ZZZ9Z99"); code != exitFailure || !strings.Contains(errOut, "ZZZ9Z99: no such vehicle") {
		t.Fatalf("unknown plate: %d %q", code, errOut)
	}
	// Every vehicle refused is named with its reason, not only the first.
	code, _, errOut = ponte("import", "--client", v.MemberCPF, "ZZZ9Z99", v.Plate, "YYY8Y88")
	if code != exitFailure || !strings.Contains(errOut, "3 of 3 vehicles refused") || !strings.Contains(errOut, "ZZZ9Z99: no such vehicle") ||
		!strings.Contains(errOut, "YYY8Y88: no such vehicle") || !strings.Contains(errOut, "already imported: contract "+contract) {
		t.Fatalf("import of three refused vehicles: %d %q", code, errOut)
	}
	if code, _, _ := ponte("import", "--client", v.MemberCPF); code != exitUsage {
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
	t.Setenv("PONTE_SGA_SYNC_TOKEN", cr.SyncToken)
	if code, _, errOut := run2(db, "config", "set", "--sga-url", url, "--product-code", cr.ProductCode); code != exitOK {
		t.Fatal(errOut)
	}
	if code, out, _ := run2(db, "sync", "--rate", "0"); code != exitPartial || !strings.Contains(out, "partial") {
		t.Fatalf("a sync with a failing page exited %d: %q", code, out)
	}
	t.Setenv("PONTE_SGA_SYNC_TOKEN", "wrong-token")
	_, _, _ = run2(db, "config", "set")
	if code, _, errOut := run2(db, "sync", "--rate", "0"); code != exitFailure || !strings.Contains(errOut, "SGA refused the credentials") {
		t.Fatalf("a sync with a bad token exited %d: %q", code, errOut)
	}
	if code, _, _ := run2(db, "sync", "--workers", "0"); code != exitUsage {
		t.Fatal("--workers 0 was accepted")
	}
}

// TestDemoEndToEnd runs ponte demo in tmux at 120x35 and walks the guide as an operator would:
// in colour, and with NO_COLOR=1, where the cursor row's "›" must show which row is current.
func TestDemoEndToEnd(t *testing.T) {
	t.Run("colour", func(t *testing.T) { demoWalk(t, "") })
	t.Run("NO_COLOR", func(t *testing.T) { demoWalk(t, "NO_COLOR=1") })
}

func demoWalk(t *testing.T, env string) {
	if testing.Short() {
		t.Skip("drives the console in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	bin, db := filepath.Join(dir, "ponte"), filepath.Join(dir, "demo.db")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// The demo's simulator is seeded: the same data and credentials as this one.
	s, _ := sim.New(sim.Options{Seed: 1, Members: 300, PageSize: 50})
	cr := s.Credentials()
	var cpf string
	perMember := map[int64][]sim.VehicleInfo{}
	for _, v := range s.Vehicles() {
		perMember[v.MemberCode] = append(perMember[v.MemberCode], v)
	}
	for _, vs := range perMember {
		ok := len(vs) == 2
		for _, v := range vs {
			ok = ok && v.Situation == 1 && slices.Contains(v.Products, cr.ProductCode)
		}
		if ok {
			cpf = vs[0].MemberCPF
			break
		}
	}
	if cpf == "" {
		t.Fatal("the demo data has no member with exactly two ATIVO vehicles of ours")
	}

	session := fmt.Sprintf("ponte-e2e-%d-%d", os.Getpid(), len(env))
	cmd := fmt.Sprintf("%s %s --db %s demo --latency 5ms; echo PONTE-EXITED=$?; sleep 30", env, bin, db)
	if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "35", cmd).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	defer exec.Command(tmux, "kill-session", "-t", session).Run()
	screen := func() string {
		out, _ := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
		return string(out)
	}
	named := map[string]bool{"Enter": true, "Tab": true, "Escape": true, "C-s": true}
	send := func(keys ...string) { // key names as keys, anything else as literal text
		for _, k := range keys {
			args := []string{"send-keys", "-t", session, "-l", k}
			if named[k] {
				args = []string{"send-keys", "-t", session, k}
			}
			_ = exec.Command(tmux, args...).Run()
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor := func(step, text string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if strings.Contains(screen(), text) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: %q never appeared; the screen:\n%s", step, text, screen())
	}

	waitFor("the console opens", "Cadastro para uso manual")
	send("Tab", "Tab", cr.Password, "Tab", cr.APIKey, "C-s")
	waitFor("Salvar", "Ação realizada com sucesso!")
	send("Escape", "2", "Enter", "s")
	waitFor("the sync starts", "Sincronismo iniciado")
	waitFor("the sync finishes in the status bar", "Último: concluído")
	if env != "" {
		// Without colour, the marker shows the cursor row, and j moves it.
		send("3")
		waitFor("the clients list", "› ")
		first := markedRow(screen())
		if first == "" {
			t.Fatalf("no row carries the › marker:\n%s", screen())
		}
		send("j")
		deadline := time.Now().Add(30 * time.Second)
		for second := markedRow(screen()); second == "" || second == first; second = markedRow(screen()) {
			if time.Now().After(deadline) {
				t.Fatalf("the › marker did not move with j from %q:\n%s", first, screen())
			}
			time.Sleep(50 * time.Millisecond)
		}
		styled, _ := exec.Command(tmux, "capture-pane", "-p", "-e", "-t", session).Output()
		colour := regexp.MustCompile(`\x1b\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]`) // 39 and 49: defaults
		if colour.Match(styled) {
			t.Fatalf("colour with NO_COLOR: %q", styled)
		}
	}
	send("3", "/", cpf, "Enter", "Enter")
	waitFor("the client opens", "Importação de Veículos SGA")
	send("a")
	waitFor("two vehicles ticked", "2 selecionados")
	send("i")
	waitFor("the confirmation", "Serão gerados 2 contratos e 2 ordens de serviço")
	send("s")
	waitFor("the import", "Ação realizada com sucesso! Gerados")
	year := time.Now().Year()
	send("Escape", "4")
	waitFor("Contratos e OS", fmt.Sprintf("CT-%d-000002", year))
	if !strings.Contains(screen(), fmt.Sprintf("CT-%d-000001", year)) {
		t.Fatalf("Contratos e OS lacks the first contract:\n%s", screen())
	}
	send("q")
	waitFor("the console quits", "PONTE-EXITED=0")
	out, err := exec.Command(bin, "--db", db, "export", "contracts").Output()
	if err != nil || strings.Count(string(out), "\n") != 2 || !strings.Contains(string(out), fmt.Sprintf("CT-%d-000002", year)) {
		t.Fatalf("export contracts: %v %q", err, out)
	}
}

// markedRow is the screen's row that carries the cursor marker.
func markedRow(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "›") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestServeWithOpenSSH serves the console and drives it with the real OpenSSH client in tmux.
func TestServeWithOpenSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ponte serve and ssh")
	}
	tmux, errT := exec.LookPath("tmux")
	sshBin, errS := exec.LookPath("ssh")
	keygen, errK := exec.LookPath("ssh-keygen")
	if errT != nil || errS != nil || errK != nil {
		t.Skip("tmux and the OpenSSH client are needed (.ci/run installs them)")
	}
	dir := t.TempDir()
	bin, db := filepath.Join(dir, "ponte"), filepath.Join(dir, "ponte.db")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, k := range []string{"maria", "stranger"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	if out, err := exec.Command(bin, "--db", db, "admin", "add", "--login", "maria", "--name", "Maria", "--ssh-key", filepath.Join(dir, "maria.pub")).CombinedOutput(); err != nil {
		t.Fatalf("admin add: %v %s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "--db", db, "serve", "--listen", "127.0.0.1:"+port)
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for range 100 { // listening?
			if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
				c.Close()
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		return cmd
	}
	stop := func(cmd *exec.Cmd) {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	known := filepath.Join(dir, "known_hosts")
	sshArgs := func(key string, strict string, extra ...string) []string {
		return append([]string{"-p", port, "-i", filepath.Join(dir, key), "-o", "IdentitiesOnly=yes",
			"-o", "StrictHostKeyChecking=" + strict, "-o", "UserKnownHostsFile=" + known, "-o", "BatchMode=yes"}, extra...)
	}

	server := serve()
	defer func() { stop(server) }() // the server running at the end, after the restart too
	if out, err := exec.Command(sshBin, sshArgs("stranger", "no", "127.0.0.1", "true")...).CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("an unknown key: %v %s", err, out)
	}
	args := sshArgs("maria", "no", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "127.0.0.1", "true")
	if out, err := exec.Command(sshBin, args...).CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("password authentication: %v %s", err, out)
	}

	session := fmt.Sprintf("ponte-ssh-%d", os.Getpid())
	open := func(strict string) {
		cmdline := sshBin + " -tt " + strings.Join(sshArgs("maria", strict, "127.0.0.1"), " ") + "; echo SSH-EXITED=$?; sleep 30"
		if out, err := exec.Command(tmux, "new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmdline).CombinedOutput(); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
	}
	screen := func() string {
		out, _ := exec.Command(tmux, "capture-pane", "-p", "-t", session).Output()
		return string(out)
	}
	waitFor := func(text string) {
		t.Helper()
		for range 150 {
			if strings.Contains(screen(), text) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%q never appeared:\n%s", text, screen())
	}
	open("no")
	defer exec.Command(tmux, "kill-session", "-t", session).Run()
	waitFor("Cadastro para uso manual")
	_ = exec.Command(tmux, "send-keys", "-t", session, "2").Run()
	waitFor("Maria")
	_ = exec.Command(tmux, "send-keys", "-t", session, "q").Run()
	waitFor("SSH-EXITED=0")
	_ = exec.Command(tmux, "kill-session", "-t", session).Run()

	// After a restart the host key is the same: strict checking against the saved one passes.
	stop(server)
	server = serve()
	open("yes")
	waitFor("Cadastro para uso manual")
}

// Nothing of Charm's v1 is built in: Bubble Tea v1's init() asks the terminal its background
// colour and waits up to 5 s for an answer, in every command, --help included.
func TestNoCharmV1InTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, v1 := range []string{"github.com/charmbracelet/bubbletea", "github.com/charmbracelet/lipgloss",
			"github.com/charmbracelet/bubbles", "github.com/charmbracelet/wish", "github.com/muesli/termenv"} {
			if pkg == v1 || strings.HasPrefix(pkg, v1+"/") {
				t.Errorf("ponte builds in %s", pkg)
			}
		}
	}
}
