package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/ui/cli"
)

var update = flag.Bool("update", false, "rewrite the README's command reference from the command tree")

// Every command and subcommand answers -h and --help on stdout with exit 0, and says nothing on
// stderr; so do help COMMAND and the group commands.
func TestEveryCommandHasHelp(t *testing.T) {
	paths := cli.CommandPaths()
	if len(paths) < 15 {
		t.Fatalf("only %d commands: %v", len(paths), paths)
	}
	for _, path := range paths {
		words := strings.Fields(path)[1:]
		for _, args := range [][]string{append(words, "-h"), append(words, "--help"), append([]string{"help"}, words...)} {
			code, out, errOut := ponteIn("", args...)
			if code != cli.ExitOK || errOut != "" || !strings.Contains(out, "USAGE") {
				t.Errorf("ponte %s: exit %d, stderr %q, stdout %.80q", strings.Join(args, " "), code, errOut, out)
			}
		}
	}
}

// Global flags stand anywhere on the line, and flags after positional arguments.
func TestFlagsAnywhere(t *testing.T) {
	db := fixtureDB(t)
	for _, args := range [][]string{
		{"--db", db, "config", "show"},
		{"config", "--db", db, "show"},
		{"config", "show", "--db", db},
		{"config", "show", "--db=" + db, "--json"},
		{"export", "clients", "--db", db, "--format", "csv"},
		{"export", "--format", "csv", "clients", "--db", db},
		{"runs", "--db", db, "--limit", "1"},
		{"admin", "list", "--json", "--db", db},
	} {
		if code, out, errOut := ponteIn("", args...); code != cli.ExitOK || out == "" {
			t.Errorf("ponte %s: exit %d %q", strings.Join(args, " "), code, errOut)
		}
	}
	// A database that is not there is named, with how to name or make one.
	missing := filepath.Join(t.TempDir(), "nenhum.db")
	if code, _, errOut := ponteIn("", "export", "clients", "--db", missing); code != cli.ExitFailure ||
		!strings.Contains(errOut, missing+" does not exist") || !strings.Contains(errOut, "--db or PONTE_DB") {
		t.Errorf("a missing database: %d %q", code, errOut)
	}
	t.Setenv("PONTE_DB", db)
	if code, out, _ := ponteIn("", "export", "clients"); code != cli.ExitOK || !strings.Contains(out, "MARIA") {
		t.Errorf("PONTE_DB: exit %d %q", code, out)
	}
}

// The global flags are offered only where they mean something: not by sga-sim, man, the
// shell completions or help, which work on no database, association or SGA of ponte's; there
// they are still accepted anywhere on the line. Before, sga-sim --help listed --association,
// --db and --sga-url among the simulator's own flags.
func TestGlobalFlagsOnlyWhereTheyMeanSomething(t *testing.T) {
	globals := regexp.MustCompile(`--db|--sga-url|--association`)
	for _, args := range [][]string{{"sga-sim", "--help"}, {"man", "--help"}, {"completion", "--help"}, {"completion", "bash", "--help"},
		{"help", "--help"}} {
		if code, out, errOut := ponteIn("", args...); code != cli.ExitOK || globals.MatchString(out) {
			t.Errorf("ponte %s: exit %d %q, help with the global flags:\n%s", strings.Join(args, " "), code, errOut, out)
		}
	}
	if _, out, _ := ponteIn("", "sync", "--help"); len(globals.FindAllString(out, -1)) < 3 {
		t.Errorf("sync --help without its global flags:\n%s", out)
	}
	db := fixtureDB(t)
	for _, args := range [][]string{{"--db", db, "man"}, {"man", "-a", "principal"}, {"completion", "bash", "--sga-url", "http://x"}} {
		if code, out, errOut := ponteIn("", args...); code != cli.ExitOK || out == "" {
			t.Errorf("ponte %s: exit %d %q", strings.Join(args, " "), code, errOut)
		}
	}
}

// A mistyped command exits 2 and names what it may have meant; so does a bad flag.
func TestUsageMistakes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"confg"}, `unknown command "confg" for "ponte"; did you mean config?`},
		{[]string{"config", "shwo"}, `did you mean show?`},
		{[]string{"admin", "lst"}, `did you mean list or set?`},
		{[]string{"config"}, "config needs a subcommand: set, show, test, unset"},
		{[]string{"help", "nosuch"}, `unknown command "nosuch" for "ponte"`},
		{[]string{"help", "config", "unst"}, `did you mean test or unset?`},
		{[]string{"sync", "--wrokers", "2"}, "unknown flag: --wrokers"},
		{[]string{"sync", "--workers", "many"}, `invalid argument "many"`},
		{[]string{"sync", "extra"}, `sync takes no arguments, got "extra"`},
		{[]string{"export"}, "export needs one KIND"},
		{[]string{"backup"}, "backup needs one FILE"},
		{[]string{"import", "ABC1D23"}, "import needs --client"},
		{[]string{"config", "unset", "senha"}, `unknown field "senha"`},
		{[]string{"runs", "x"}, `"x" is not a run ID`},
		{[]string{"sga-sim", "--members", "5"}, "members"},
		{[]string{"sga-sim", "--paging", "sideways"}, "--paging must be"},
		{[]string{"demo", "--members", "3"}, "members"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, out, errOut := ponteIn("", c.args...)
			if code != cli.ExitUsage || !strings.Contains(errOut, c.want) || out != "" {
				t.Errorf("ponte %s: exit %d, stdout %q, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, out, errOut, c.want)
			}
		})
	}
}

func TestVersionCompletionAndMan(t *testing.T) {
	code, out, _ := ponteIn("", "--version")
	if code != cli.ExitOK || !strings.HasPrefix(out, "ponte version ") || out != "ponte version "+cli.Version()+"\n" {
		t.Fatalf("--version: %d %q", code, out)
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if code, out, _ := ponteIn("", "completion", shell); code != cli.ExitOK || !strings.Contains(out, "ponte") || len(out) < 1000 {
			t.Errorf("completion %s: %d, %d bytes", shell, code, len(out))
		}
	}
	code, out, _ = ponteIn("", "man")
	if code != cli.ExitOK || !strings.Contains(out, ".TH PONTE 1") || !strings.Contains(out, "config") {
		t.Fatalf("man: %d %.200q", code, out)
	}
}

// Every command that prints records prints JSON with --json.
func TestJSONOutputs(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	cr := sm.Credentials()
	decode := func(args []string, v any) {
		t.Helper()
		code, out, errOut := ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
		if code != cli.ExitOK {
			t.Fatalf("ponte %s: exit %d %q", strings.Join(args, " "), code, errOut)
		}
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("ponte %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	var show map[string]struct {
		Value     string     `json:"value"`
		Set       bool       `json:"set"`
		ChangedBy string     `json:"changed_by"`
		ChangedAt *time.Time `json:"changed_at"`
	}
	decode([]string{"config", "show", "--json"}, &show)
	if show["sync_token"].Value == cr.SyncToken || !show["sync_token"].Set || show["product_code"].Value != cr.ProductCode ||
		show["sga_url"].Value != url || show["password"].Set || show["product_code"].ChangedAt == nil {
		t.Fatalf("config show --json: %+v", show)
	}
	var test struct {
		OK     bool
		SGAURL string `json:"sga_url"`
		Routes []struct{ API, Route, Status string }
		Next   []string
	}
	decode([]string{"config", "test", "--json"}, &test)
	if !test.OK || test.SGAURL != url || len(test.Routes) < 4 || test.Next != nil {
		t.Fatalf("config test --json: %+v", test)
	}
	var admins []struct {
		Login string
		Keys  []struct{ Fingerprint string }
	}
	decode([]string{"admin", "list", "--json"}, &admins)
	if admins == nil || len(admins) != 0 {
		t.Fatalf("admin list --json on a database without administrators: %+v", admins)
	}
	var run store.Run
	decode([]string{"sync", "--rate", "0", "--json"}, &run)
	if run.ID != 2 || run.Status != store.StatusSucceeded {
		t.Fatalf("sync --json: %+v", run)
	}
	var runs []store.Run
	decode([]string{"runs", "--json", "--limit", "5"}, &runs)
	if len(runs) != 2 || runs[0].ID != 2 || runs[1].ID != 1 {
		t.Fatalf("runs --json: %+v", runs)
	}
	decode([]string{"runs", "1", "--json"}, &run)
	if run.ID != 1 {
		t.Fatalf("runs 1 --json: %+v", run)
	}
	if code, out, _ := ponteIn("", "--db", db, "runs", "1"); code != cli.ExitOK || !strings.HasPrefix(out, "run 1 (principal's 1st) succeeded in ") {
		t.Fatalf("runs 1: %d %q", code, out)
	}
	if code, _, errOut := ponteIn("", "--db", db, "runs", "9"); code != cli.ExitFailure || !strings.Contains(errOut, "run 9") {
		t.Fatalf("runs 9: %d %q", code, errOut)
	}
	v := ourVehicle(t, sm)
	var imported []struct {
		Contract, Order, Plate        string
		VehicleSGACode, ClientSGACode int64 `json:"-"`
	}
	decode([]string{"import", v.Plate, "--client", v.MemberCPF, "--json"}, &imported)
	if len(imported) != 1 || !strings.HasPrefix(imported[0].Contract, "CT-") || !strings.HasPrefix(imported[0].Order, "OS-") || imported[0].Plate != v.Plate {
		t.Fatalf("import --json: %+v", imported)
	}
}

// ourVehicle is an ATIVO vehicle with a plate and our product.
func ourVehicle(t *testing.T, sm *sim.Sim) sim.VehicleInfo {
	t.Helper()
	for _, x := range sm.Vehicles() {
		if x.Plate != "" && x.Situation == 1 && len(x.Products) > 0 && x.Products[0] == sm.Credentials().ProductCode {
			return x
		}
	}
	t.Fatal("the simulator has no vehicle of ours")
	return sim.VehicleInfo{}
}

// sync -q prints nothing on a success, and only the error on a failure; its status tells.
func TestSyncQuiet(t *testing.T) {
	db, _, url := syncedDB(t, 20)
	if code, out, errOut := ponteIn("", "--db", db, "--sga-url", url, "sync", "-q", "--rate", "0"); code != cli.ExitOK || out != "" || errOut != "" {
		t.Fatalf("sync -q: %d %q %q", code, out, errOut)
	}
	code, out, errOut := ponteIn("", "--db", db, "--sga-url", "http://127.0.0.1:1/api/sga/v2", "sync", "-q", "--rate", "0", "--timeout", "2s")
	if code != cli.ExitFailure || out != "" || !strings.Contains(errOut, "no reply from SGA at http://127.0.0.1:1/api/sga/v2: check the URL") ||
		strings.Contains(errOut, "retry") {
		t.Fatalf("sync -q on an unreachable URL: %d %q %q", code, out, errOut)
	}
}

// An unreachable SGA: each retry is told on stderr as it happens, and the error names the URL
// tried and what to check.
func TestUnreachableSaysWhereAndRetriesAloud(t *testing.T) {
	db := fixtureDB(t) // Usuário, Senha and the product code
	if code, _, errOut := ponteIn("chave-api\n", "--db", db, "config", "set", "--api-key-stdin"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	bad := "http://127.0.0.1:1/api/sga/v2"
	code, out, errOut := ponteIn("", "--db", db, "--sga-url", bad, "config", "test")
	if code != cli.ExitFailure || !strings.Contains(errOut, "retry 1 of 2 in ") || !strings.Contains(errOut, "connection refused") ||
		!strings.Contains(errOut, "no reply from SGA at "+bad+": check the URL (--sga-url, or ponte config set --sga-url) and the network") {
		t.Fatalf("config test: %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, "Gerenciar APIs") {
		t.Fatalf("an unreachable SGA got the hint about routes: %s", errOut)
	}
	code, _, errOut = ponteIn("", "--db", db, "--sga-url", bad, "sync", "--rate", "0", "--timeout", "2s")
	if code != cli.ExitFailure || !strings.Contains(errOut, "retry 1 of 4 in ") || !strings.Contains(errOut, "no reply from SGA at "+bad) {
		t.Fatalf("sync: %d %s", code, errOut)
	}
}

// A wrong password exits 5 and says how to set it again, not that routes need enabling:
// config set saves nothing of it; one SGA refuses later (changed there) fails the test and
// the sync the same way.
func TestWrongPasswordSaysHowToSetIt(t *testing.T) {
	sm, url := simServer(t, sim.Options{Seed: 4, Members: 20}, nil)
	cr := sm.Credentials()
	db := filepath.Join(t.TempDir(), "ponte.db")
	code, _, errOut := ponteIn("senha-errada\n"+cr.APIKey+"\n", "--db", db, "config", "set", "--sga-url", url, "--user", cr.User,
		"--product-code", cr.ProductCode, "--password-stdin", "--api-key-stdin")
	if code != cli.ExitRefused || !strings.Contains(errOut, "SGA refused the login") || !strings.Contains(errOut, "nothing was saved") ||
		!strings.Contains(errOut, "ponte config set --user USER --password-stdin") {
		t.Fatalf("config set with a wrong password: %d %s", code, errOut)
	}
	if _, show, _ := ponteIn("", "--db", db, "config", "show"); !strings.Contains(show, "password      (not set)") {
		t.Fatalf("the refused password was saved:\n%s", show)
	}
	code, _, errOut = ponteIn(cr.Password+"\n"+cr.APIKey+"\n", "--db", db, "config", "set", "--sga-url", url, "--user", cr.User,
		"--product-code", cr.ProductCode, "--password-stdin", "--api-key-stdin")
	if code != cli.ExitOK {
		t.Fatalf("config set: %d %s", code, errOut)
	}
	wrong := "senha-errada"
	setStale(t, db, "", store.IntegrationPatch{Password: &wrong})
	code, out, errOut := ponteIn("", "--db", db, "config", "test")
	if code != cli.ExitRefused || !strings.Contains(errOut, "SGA refused the Usuário or Senha: set them again with ponte config set --user USER --password-stdin") ||
		strings.Contains(errOut, "Gerenciar APIs") {
		t.Fatalf("config test with a wrong password: %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := ponteIn("", "--db", db, "sync", "--rate", "0"); code != cli.ExitRefused || !strings.Contains(errOut, "--password-stdin") {
		t.Fatalf("sync with a wrong password: %d %s", code, errOut)
	}
}

// config unset clears a stale sync token, audited; the next sync reads with the manual
// credentials instead of failing on the token.
func TestConfigUnset(t *testing.T) {
	db, sm, url := syncedDB(t, 20)
	cr := sm.Credentials()
	if code, _, errOut := ponteIn(cr.Password+"\n"+cr.APIKey+"\n", "--db", db, "config", "set", "--user", cr.User, "--password-stdin", "--api-key-stdin"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	if code, out, errOut := ponteIn("", "--db", db, "config", "unset", "sync-token", "password", "--sga-url", url); code != cli.ExitOK || out != "cleared: password, sync-token\n" {
		t.Fatalf("unset: %d %q %q", code, out, errOut)
	}
	_, show, _ := ponteIn("", "--db", db, "config", "show")
	if !strings.Contains(show, "sync token    (not set)") || !strings.Contains(show, "password      (not set)") {
		t.Fatalf("config show after unset:\n%s", show)
	}
	_, audit, _ := ponteIn("", "--db", db, "export", "audit")
	if !strings.Contains(audit, `"action":"settings.cleared"`) || !strings.Contains(audit, `"details":"fields: senha, sync_token"`) {
		t.Fatalf("audit: %s", audit)
	}
	if code, out, _ := ponteIn("", "--db", db, "config", "unset", "sync-token"); code != cli.ExitOK || out != "nothing to clear: not set\n" {
		t.Fatalf("unset twice: %d %q", code, out)
	}
	if code, out, _ := ponteIn("", "--db", db, "config", "set", "--user", ""); code != cli.ExitUsage || out != "" {
		t.Fatalf("an empty value: %d %q", code, out)
	}
}

// Piped, progress is plain lines (no carriage return, no escape) and the first is this run's,
// not the previous run's end.
func TestProgressPiped(t *testing.T) {
	db, _, url := syncedDB(t, 40)
	t.Setenv("TERM", "xterm-256color")
	_, _, errOut := ponteIn("", "--db", db, "--sga-url", url, "sync", "--rate", "0")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if strings.ContainsAny(errOut, "\r\x1b") || errOut == "" {
		t.Fatalf("piped progress:\n%q", errOut)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "run ") && !strings.HasPrefix(l, "run 2: ") {
			t.Fatalf("a line of another run than 2:\n%s", errOut)
		}
	}
	if !strings.HasPrefix(lines[len(lines)-1], "run 2: 100% done") || !strings.HasSuffix(lines[len(lines)-1], "(succeeded)") {
		t.Fatalf("the last line is not run 2's end:\n%s", errOut)
	}
}

// An interrupted command exits 128+N once it has stopped; a hangup stops any command but
// serve, which reopens its log and keeps serving.
func TestSignals(t *testing.T) {
	start := func(args []string) (context.CancelCauseFunc, chan struct{}, <-chan int) {
		ctx, cancel := context.WithCancelCause(context.Background())
		hup := make(chan struct{}, 1)
		exited := make(chan int, 1)
		go func() {
			exited <- cli.Execute(ctx, args, cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Hangup: hup})
		}()
		return cancel, hup, exited
	}
	cancel, _, exited := start([]string{"sga-sim", "--listen", "127.0.0.1:0", "--members", "10"})
	time.Sleep(50 * time.Millisecond) // the context may be cancelled at any point: before serving too
	cancel(cli.Interrupted{Signal: os.Interrupt})
	if code := within(t, 10*time.Second, "sga-sim after SIGINT", exited); code != 130 {
		t.Fatalf("SIGINT: exit %d, want 130", code)
	}

	_, hup, exited := start([]string{"sga-sim", "--listen", "127.0.0.1:0", "--members", "10"})
	hup <- struct{}{}
	if code := within(t, 10*time.Second, "sga-sim after SIGHUP", exited); code != 129 {
		t.Fatalf("SIGHUP: exit %d, want 129", code)
	}

	dir := t.TempDir()
	db, logFile := fixtureDB(t), filepath.Join(dir, "ponte.log")
	cancel, hup, exited = start([]string{"--db", db, "serve", "--listen", "127.0.0.1:0", "--log", logFile, "--host-key", filepath.Join(dir, "hk")})
	waitFile(t, logFile, "serving the console over ssh")
	if err := os.Rename(logFile, logFile+".1"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	hup <- struct{}{}
	waitFile(t, logFile, "SIGHUP: log reopened")
	select {
	case code := <-exited:
		t.Fatalf("serve exited %d on SIGHUP", code)
	default:
	}
	cancel(cli.Interrupted{Signal: syscall.SIGTERM})
	if code := within(t, 15*time.Second, "serve after SIGTERM", exited); code != 143 {
		t.Fatalf("serve after SIGTERM: exit %d, want 143", code)
	}
	waitFile(t, logFile, "stopped")
}

// The README's command reference is the command tree's.
func TestReadmeReference(t *testing.T) {
	const begin, end = "<!-- commands: generated by go test ./ui/cli -run TestReadmeReference -update -->\n", "<!-- commands: end -->\n"
	path := filepath.Join("..", "..", "docs", "commands.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("docs/commands.md has no command reference between %q and %q", begin, end)
	}
	var ref bytes.Buffer
	if err := cli.Reference(&ref); err != nil {
		t.Fatal(err)
	}
	got := readme[i+len(begin) : j]
	if bytes.Equal(got, ref.Bytes()) {
		return
	}
	if !*update {
		t.Fatalf("docs/commands.md's command reference differs from the command tree; run go test ./ui/cli -run TestReadmeReference -update")
	}
	out := append(append(append([]byte{}, readme[:i+len(begin)]...), ref.Bytes()...), readme[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
