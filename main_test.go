package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/ui/uitest"
)

// stampedVersion is what the test binary's -ldflags stamp, as a release build does.
const stampedVersion = "v9.8.7-test"

var built struct {
	once      sync.Once
	dir, path string
	err       error
}

// ponteBinary builds ponte once for the package's tests, stamped as a release would be.
func ponteBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "ponte-bin-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "ponte")
		out, err := exec.Command("go", "build", "-o", built.path, "-ldflags",
			"-X ponte/ui/cli.version="+stampedVersion+" -X ponte/ui/cli.commit=0123456789abcdef -X ponte/ui/cli.date=2026-11-27T12:00:00Z", ".").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// The binary's wiring: the version a release stamps, and each signal's exit status after a
// clean stop; serve keeps serving through SIGHUP and reopens its log.
func TestBinarySignalsAndVersion(t *testing.T) {
	bin := ponteBinary(t)
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || string(out) != "ponte version "+stampedVersion+" (commit 0123456789ab, 2026-11-27T12:00:00Z)\n" {
		t.Fatalf("--version: %q %v", out, err)
	}
	// start runs the binary until its stdout, or the log file, says ready.
	start := func(ready func(out string) bool, args ...string) (*exec.Cmd, *uitest.Buffer) {
		t.Helper()
		buf := &uitest.Buffer{}
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = buf, buf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		waitFor(t, "ponte "+strings.Join(args, " ")+" to be ready", func() bool { return ready(buf.String()) })
		return cmd, buf
	}
	exitOf := func(cmd *exec.Cmd) int {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("ponte did not stop within 20 s")
		}
		return cmd.ProcessState.ExitCode()
	}
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129} {
		cmd, out := start(func(out string) bool { return strings.Contains(out, `"url"`) },
			"sga-sim", "--listen", "127.0.0.1:0", "--members", "10")
		_ = cmd.Process.Signal(sig)
		if code := exitOf(cmd); code != want {
			t.Errorf("sga-sim after %v: exit %d, want %d\n%s", sig, code, want, out)
		}
	}

	dir := t.TempDir()
	logFile := filepath.Join(dir, "ponte.log")
	hasLog := func(text string) func() bool {
		return func() bool { b, _ := os.ReadFile(logFile); return strings.Contains(string(b), text) }
	}
	cmd, _ := start(func(string) bool { return hasLog("serving the console over ssh")() }, "serve", "--db", filepath.Join(dir, "ponte.db"), "--listen", "127.0.0.1:0", "--log", logFile)
	// While serve holds the database, another command exits 4 and names the ssh command line
	// that runs it through the server, on the port it listens on.
	held := exec.Command(bin, "export", "clients", "--db", filepath.Join(dir, "ponte.db"))
	out, _ = held.CombinedOutput()
	b, _ := os.ReadFile(logFile)
	port := regexp.MustCompile(`addr=127\.0\.0\.1:(\d+)`).FindStringSubmatch(string(b))
	if held.ProcessState.ExitCode() != 4 || !strings.Contains(string(out), fmt.Sprintf("in use by process %d (", cmd.Process.Pid)) ||
		port == nil || !strings.Contains(string(out), "ponte serve holds it while it runs: run the command through it") ||
		!strings.Contains(string(out), "ssh -p "+port[1]+" localhost export clients\n") {
		t.Fatalf("export beside serve: exit %d\n%s", held.ProcessState.ExitCode(), out)
	}
	if err := os.Rename(logFile, logFile+".1"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	_ = cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the log reopened", hasLog("SIGHUP: log reopened"))
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(cmd); code != 143 {
		t.Fatalf("serve after SIGHUP and SIGTERM: exit %d, want 143", code)
	}
	if !hasLog("stopped")() {
		t.Fatal("serve did not log its clean stop")
	}
}

// waitFor polls cond until it holds; it fails the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without a terminal the demo writes nothing: it says so before it opens the database (with no
// controlling terminal and stdin not one, the console would have nothing to read keys from).
func TestDemoWithoutATerminalWritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	cmd := exec.Command(ponteBinary(t), "--db", db, "demo", "--members", "10", "--latency", "0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "the console needs a terminal") {
		t.Fatalf("demo without a terminal: %v\n%s", err, out)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("demo without a terminal made %s: %v", db, err)
	}
}

// TestDemoEndToEnd runs ponte demo in tmux at 120x35 and walks the guide as an operator would:
// in colour, and with NO_COLOR=1, where the cursor row's "›" must show which row is current.
func TestDemoEndToEnd(t *testing.T) {
	t.Run("colour", func(t *testing.T) { demoWalk(t, "") })
	t.Run("NO_COLOR", func(t *testing.T) { demoWalk(t, "NO_COLOR=1") })
}

func demoWalk(t *testing.T, env string) {
	tmux := needTmux(t)
	dir := t.TempDir()
	bin, db := ponteBinary(t), filepath.Join(dir, "demo.db")
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

	// The guide's walk, on SGAs that hold still (TestDemoChurn has them change).
	cmd := fmt.Sprintf("%s %s --db %s demo --latency 5ms --churn 0; echo PONTE-EXITED=$?; sleep 30", env, bin, db)
	c := startTmux(t, tmux, fmt.Sprintf("ponte-e2e-%d-%d", os.Getpid(), len(env)), 120, 35, cmd)
	screen, send, waitFor, session := c.screen, c.send, c.waitFor, c.name

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
		styled, _ := exec.Command(tmux, "-L", session, "capture-pane", "-p", "-e", "-t", session).Output()
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
	waitFor("Contratos e OS", fmt.Sprintf("OS-%d-000002", year))
	if !strings.Contains(screen(), fmt.Sprintf("OS-%d-000001", year)) {
		t.Fatalf("Contratos e OS lacks the first order:\n%s", screen())
	}
	send("q")
	waitFor("the console quits", "PONTE-EXITED=0")
	out, err := exec.Command(bin, "--db", db, "export", "contracts").Output()
	if err != nil || strings.Count(string(out), "\n") != 2 || !strings.Contains(string(out), fmt.Sprintf("CT-%d-000002", year)) {
		t.Fatalf("export contracts: %v %q", err, out)
	}
}

// TestDemoChurn has the demo's SGA change by itself: the first screen names the file with the
// simulators' credentials and says what the demo does; after a first sync, with nothing
// imported by hand, the demo imports three vehicles of three clients, cancels each in its SGA
// and incremental syncs propose their Retiradas; once one removal is done, that vehicle comes
// back to ATIVO and a Reinstalação is proposed.
func TestDemoChurn(t *testing.T) {
	tmux := needTmux(t)
	s, _ := sim.New(sim.Options{Seed: 1, Members: 300, PageSize: 50}) // the demo's first simulator's data
	cr := s.Credentials()
	bin, db := ponteBinary(t), filepath.Join(t.TempDir(), "demo.db")
	cmd := fmt.Sprintf("%s --db %s demo --latency 5ms --churn 1s; echo PONTE-EXITED=$?; sleep 30", bin, db)
	c := startTmux(t, tmux, fmt.Sprintf("ponte-churn-%d", os.Getpid()), 120, 35, cmd)
	c.waitFor("the console opens", "Cadastro para uso manual", "credenciais-sga.jsonl", "importa sozinha 3 veículos", "a cada 1 s")
	file := regexp.MustCompile(`\S*credenciais-sga\.jsonl`).FindString(c.screen())
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), `"senha":"`+cr.Password+`"`) {
		t.Fatalf("the credentials named on the first screen (%q): %v\n%s", file, err, b)
	}

	// The first sync, and nothing else: the demo imports and cancels by itself.
	c.send("2", "Enter", "s")
	c.waitFor("the sync ends", "Último: concluído")
	c.send("6")
	// Once all three are cancelled, the list holds still until a removal is done.
	c.waitFor("the removals proposed", "3 pendências", "Retirada")
	row := strings.Fields(markedRow(c.screen())) // › [ ] Retirada PLATE CONTRACT ...
	if len(row) < 5 || row[3] != "Retirada" {
		t.Fatalf("no Retirada under the cursor:\n%s", c.screen())
	}
	plate := row[4]
	c.doRemoval(plate)
	c.send("Escape", "6")
	c.waitFor("the reinstallation proposed", "Reinstalação", plate, "Reativação")
	c.send("q")
	c.waitFor("the console quits", "PONTE-EXITED=0")

	// The demo's contracts are of three clients, and the audit says the demo made them.
	out, err := exec.Command(bin, "--db", db, "--association", "protecao-sul", "export", "contracts").Output()
	if err != nil {
		t.Fatalf("export contracts: %v", err)
	}
	clients := map[int64]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var ct struct {
			Client int64  `json:"client_sga_code"`
			By     string `json:"created_by"`
		}
		if err := json.Unmarshal([]byte(line), &ct); err != nil || ct.By != "demo" {
			t.Fatalf("a contract not the demo's (%v): %s", err, line)
		}
		clients[ct.Client] = true
	}
	if len(clients) != 3 {
		t.Fatalf("the demo's contracts are of %d clients, not 3:\n%s", len(clients), out)
	}
	out, err = exec.Command(bin, "--db", db, "--association", "protecao-sul", "export", "audit").Output()
	imports := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e struct{ Who, From, Action string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Action == "import" && e.Who == "demo" && e.From == "demo" {
			imports++
		}
	}
	if err != nil || imports != 3 {
		t.Fatalf("the audit holds %d imports by the demo, not 3: %v\n%s", imports, err, out)
	}
}

// needTmux is the tmux a test that drives the console runs it in; it skips the test in short
// mode and where tmux is missing.
func needTmux(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives the console in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	return tmux
}

// doRemoval takes the Retirada under Pendências' cursor, for plate, through generation,
// scheduling, start and finish; the console stays on the finished order. why is what the order
// says of its cause, when the test knows it.
func (c *tmuxConsole) doRemoval(plate string, why ...string) {
	c.t.Helper()
	c.send("Space", "g")
	c.waitFor("the confirmation", "Gerar 1 ordem de serviço: 1 Retirada? (s/n)")
	c.send("s")
	c.waitFor("generated", "Ordens geradas: OS-")
	c.send("4", "f", "f")
	c.waitFor("the removals", "Tipo: Retirada", plate)
	c.send("Enter")
	c.waitFor("the order", append([]string{"Histórico"}, why...)...)
	c.send("a", "05/12/2030", "Tab", "14:00", "Tab", "Carlos Souza", "Enter")
	// Each step by what the order's history says: the status bar's result may give way to a
	// sync's end at once while the demo's SGA churns.
	c.waitFor("scheduled", "Agendada, por ", "05/12/2030 14:00, Carlos Souza")
	c.send("e")
	c.waitFor("start?", "Iniciar a execução")
	c.send("s")
	c.waitFor("started", "Em execução, por ")
	c.send("f")
	c.waitFor("finish?", "será encerrado. (s/n)")
	c.send("s")
	c.waitFor("finished", "Concluída, por ", "· Encerrado")
}

// tmuxConsole is a command running in a tmux session of its own, driven as a person would.
type tmuxConsole struct {
	t          *testing.T
	tmux, name string
}

// startTmux runs cmd in a new detached tmux session w×h, killed when the test ends.
func startTmux(t *testing.T, tmux, name string, w, h int, cmd string) *tmuxConsole {
	t.Helper()
	if out, err := exec.Command(tmux, "-L", name, "new-session", "-d", "-s", name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmd).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", name, "kill-session", "-t", name).Run() })
	return &tmuxConsole{t: t, tmux: tmux, name: name}
}

func (c *tmuxConsole) screen() string {
	out, _ := exec.Command(c.tmux, "-L", c.name, "capture-pane", "-p", "-t", c.name).Output()
	return string(out)
}

// send types keys one after the other: tmux's names for the named ones, the rest as text.
func (c *tmuxConsole) send(keys ...string) {
	named := map[string]bool{"Enter": true, "Tab": true, "Escape": true, "C-s": true, "Space": true}
	for _, k := range keys {
		args := []string{"send-keys", "-t", c.name, "-l", k}
		if named[k] {
			args = []string{"send-keys", "-t", c.name, k}
		}
		_ = exec.Command(c.tmux, append([]string{"-L", c.name}, args...)...).Run()
		time.Sleep(150 * time.Millisecond)
	}
}

// waitFor waits up to 30 s for the screen to show every one of texts, and fails the test
// with the screen when it does not.
func (c *tmuxConsole) waitFor(step string, texts ...string) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc, all := c.screen(), true
		for _, text := range texts {
			all = all && strings.Contains(sc, text)
		}
		if all {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("%s: %q never appeared; the screen:\n%s", step, texts, c.screen())
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
	if errT != nil {
		t.Skip("tmux and the OpenSSH client are needed (.ci/run installs them)")
	}
	srv := newSSHServer(t)
	bin, dir, sshBin, sshArgs := srv.bin, srv.dir, srv.ssh, srv.args
	serve, stop := srv.serve, srv.stop

	server := serve()
	defer func() { stop(server) }() // the server running at the end, after the restart too
	if out, err := exec.Command(sshBin, sshArgs("stranger", "no", "127.0.0.1", "true")...).CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("an unknown key: %v %s", err, out)
	}
	args := sshArgs("maria", "no", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "127.0.0.1", "true")
	if out, err := exec.Command(sshBin, args...).CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("password authentication: %v %s", err, out)
	}

	// Each console in a tmux server of its own: a server that its last session's end is
	// stopping would refuse the next session ("server exited unexpectedly").
	session, sock, opened := fmt.Sprintf("ponte-ssh-%d", os.Getpid()), "", 0
	open := func(strict string) {
		opened++
		sock = fmt.Sprintf("%s-%d", session, opened)
		cmdline := sshBin + " -tt " + strings.Join(sshArgs("maria", strict, "127.0.0.1"), " ") + "; echo SSH-EXITED=$?; sleep 30"
		if out, err := exec.Command(tmux, "-L", sock, "new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmdline).CombinedOutput(); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
	}
	screen := func() string {
		out, _ := exec.Command(tmux, "-L", sock, "capture-pane", "-p", "-t", session).Output()
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
	defer func() { _ = exec.Command(tmux, "-L", sock, "kill-session", "-t", session).Run() }()
	waitFor("Cadastro para uso manual")
	_ = exec.Command(tmux, "-L", sock, "send-keys", "-t", session, "2").Run()
	waitFor("Maria")
	_ = exec.Command(tmux, "-L", sock, "send-keys", "-t", session, "q").Run()
	waitFor("SSH-EXITED=0")
	_ = exec.Command(tmux, "-L", sock, "kill-session", "-t", session).Run()

	// After a restart the host key is the same: strict checking against the saved one passes.
	stop(server)
	server = serve()
	open("yes")
	waitFor("Cadastro para uso manual")
	_ = exec.Command(tmux, "-L", sock, "kill-session", "-t", session).Run()

	// Commands through OpenSSH, typed in a shell: their output, exit statuses and a backup
	// redirected to a file as a cron job would.
	ssh := sshBin + " " + strings.Join(sshArgs("maria", "yes", "127.0.0.1"), " ")
	copyDB := filepath.Join(dir, "copy.db")
	shell := startTmux(t, tmux, session+"-cmds", 120, 30, "sh")
	shell.send(ssh+" admin list; echo LIST=$?", "Enter")
	shell.waitFor("admin list over ssh", "maria", "LIST=0")
	shell.send("umask 077; "+ssh+" backup > "+copyDB+"; echo BACKUP=$?", "Enter")
	shell.waitFor("backup over ssh", "bytes written", "BACKUP=0")
	shell.send(ssh+" serve; echo SERVE=$?", "Enter")
	shell.waitFor("serve over ssh", "serve is not available over SSH", "SERVE=2")
	shell.send(ssh+" export nonsense; echo EXPORT=$?", "Enter")
	shell.waitFor("a usage mistake over ssh", "EXPORT=2")
	// The operator, with her own key: her association only, and no backup.
	asAna := sshBin + " " + strings.Join(sshArgs("ana", "yes", "127.0.0.1"), " ")
	shell.send("clear; "+asAna+" association list; echo ANALIST=$?", "Enter")
	shell.waitFor("association list as an operator", "norte-seguro", "ANALIST=0")
	if sc := shell.screen(); strings.Contains(sc, "principal") {
		t.Fatalf("the operator sees another association:\n%s", sc)
	}
	shell.send(asAna+" backup > /dev/null; echo ANABACKUP=$?", "Enter")
	shell.waitFor("backup as an operator", "it is for supervisors", "ANABACKUP=1")
	out, err := exec.Command(bin, "--db", copyDB, "export", "audit").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"details":"backup"`) || !strings.Contains(string(out), `"who":"maria"`) {
		t.Fatalf("the backup does not read, or lacks the audit of the commands: %v\n%s", err, out)
	}
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

// TestRemovalWalk drives the console in tmux through a removal's whole life: SGA cancels an
// imported vehicle → the sync proposes a Retirada on Pendências → generated → scheduled →
// started → finished → its contract Encerrado.
func TestRemovalWalk(t *testing.T) {
	tmux := needTmux(t)
	srv := simtest.Serve(t, sim.Options{Seed: 5, Members: 120, PageSize: 50})
	s, cr := srv.Sim, srv.Creds
	dir := t.TempDir()
	bin, db := ponteBinary(t), filepath.Join(dir, "ponte.db")
	ponte := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ponte %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	ponte([]string{"PONTE_SGA_PASSWORD=" + cr.Password, "PONTE_SGA_API_KEY=" + cr.APIKey}, "config", "set",
		"--sga-url", srv.URL, "--user", cr.User, "--product-code", cr.ProductCode)
	ponte(nil, "sync", "--rate", "0", "-q")
	ponte(nil, "admin", "add", "--login", "maria", "--name", "Maria")
	var v sim.VehicleInfo
	for _, x := range s.Vehicles() {
		if x.Plate != "" && x.Situation == 1 && slices.Contains(x.Products, cr.ProductCode) {
			v = x
			break
		}
	}
	var imported []struct{ Order string }
	if err := json.Unmarshal([]byte(ponte(nil, "import", v.Plate, "--client", v.MemberCPF, "--json")), &imported); err != nil || len(imported) != 1 {
		t.Fatalf("import --json: %+v, %v", imported, err)
	}
	// The technician installs the tracker: SGA's cancel of the vehicle then asks it back.
	visit := time.Now().AddDate(0, 0, 1).Format("02/01/2006") + " 14:00"
	ponte(nil, "order", "schedule", imported[0].Order, "--at", visit, "--technician", "Carlos")
	ponte(nil, "order", "start", imported[0].Order)
	ponte(nil, "order", "finish", imported[0].Order)
	if err := s.SetSituation(v.Code, 3); err != nil { // SGA cancels it
		t.Fatal(err)
	}

	cmd := fmt.Sprintf("%s --db %s; echo PONTE-EXITED=$?; sleep 30", bin, db)
	c := startTmux(t, tmux, fmt.Sprintf("ponte-removal-%d", os.Getpid()), 120, 35, cmd)
	send, waitFor := c.send, c.waitFor

	waitFor("the console opens", "Cadastro para uso manual")
	send("2", "Enter", "s")
	waitFor("the sync starts", "Sincronismo iniciado")
	waitFor("the sync ends", "Sincronismo concluído")
	send("6")
	waitFor("the proposal", "Retirada", v.Plate, "Cancelamento", "CT-")
	c.doRemoval(v.Plate, "Cancelamento: situação ATIVO → CANCELADO")
	send("Escape", "q")
	waitFor("the console quits", "PONTE-EXITED=0")
	if out := ponte(nil, "export", "contracts"); !strings.Contains(out, `"status":"Encerrado"`) {
		t.Fatalf("export contracts: %s", out)
	}
}
