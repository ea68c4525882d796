package ssh

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"os"
	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
	"ponte/ui/uitest"

	charmlog "charm.land/log/v2"
)

func TestMain(m *testing.M) {
	// wish logs each session a test closes as an error; ponte serve silences it the same way.
	charmlog.SetLevel(charmlog.FatalLevel)
	os.Exit(m.Run())
}

// fixture is uitest's filled store as the console's services.
func fixture(t testing.TB) ui.Services {
	t.Helper()
	f := uitest.New(t)
	return ui.Services{Store: f.Store, Engine: f.Engine, Now: f.Now}
}

type sshEnv struct {
	t       testing.TB
	svc     ui.Services
	srv     *Server
	addr    string
	signer  gossh.Signer
	hostKey gossh.PublicKey
	served  chan error
	stopped sync.Once
	plain   bool // the next session's output is kept as bytes only (openPlain)
}

// stop shuts the server down once, however often it is called.
func (e *sshEnv) stop() {
	e.stopped.Do(func() { e.srv.Shutdown(2 * time.Second); <-e.served })
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startServer serves svc on a free port, with maria's key allowed.
func startServer(t testing.TB, svc ui.Services, hostKey string, o Options) *sshEnv {
	t.Helper()
	e := &sshEnv{t: t, svc: svc, signer: newSigner(t)}
	if _, err := svc.Store.AdminByLogin("maria"); err != nil {
		t.Fatal(err)
	}
	key := store.SSHKey{Fingerprint: gossh.FingerprintSHA256(e.signer.PublicKey()), Line: "test"}
	if err := svc.Store.AddAdminKey("maria", key, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	o.HostKeyPath = hostKey
	srv, err := New(svc, o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.addr, e.served = srv, ln.Addr().String(), make(chan error, 1)
	go func() { e.served <- srv.Serve(ln) }()
	t.Cleanup(e.stop)
	return e
}

func (e *sshEnv) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	if auth == nil {
		auth = []gossh.AuthMethod{gossh.PublicKeys(e.signer)}
	}
	return gossh.Dial("tcp", e.addr, &gossh.ClientConfig{User: "operador", Auth: auth, Timeout: 5 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error { e.hostKey = key; return nil }})
}

// screen is a session's output (or a log, with no terminal) as a terminal of 100×30 shows it:
// Bubble Tea v2 writes only the cells that changed, so the text on screen is not in the byte
// stream in one piece. The bytes are kept too.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
	vt  *vt.Emulator
}

// newScreen is a terminal for a session. The emulator answers the console's queries (modes,
// background colour) on a pipe, which a goroutine drains for as long as the test binary runs:
// the emulator cannot be closed while it is read without a data race inside it.
func newScreen() *screen {
	s := &screen{vt: vt.NewEmulator(100, 30)}
	go func() { _, _ = io.Copy(io.Discard, s.vt) }()
	return s
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vt != nil {
		_, _ = s.vt.Write(p)
	}
	return s.buf.Write(p)
}

// has reports whether the terminal shows text now, or showed it in a line that scrolled or
// was cleared since: the bytes, stripped of styles, are searched too.
func (s *screen) has(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vt != nil && strings.Contains(s.vt.String(), text) || strings.Contains(ansi.Strip(s.buf.String()), text)
}

type term struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	out    *screen
	done   chan error
}

// open starts a console session with a PTY of 100x30.
func (e *sshEnv) open() *term {
	e.t.Helper()
	return e.openWith("xterm-256color", nil)
}

// openPlain is open with the bytes only, no terminal emulator (and no goroutine of its own):
// for the test that counts goroutines.
func (e *sshEnv) openPlain() *term {
	e.t.Helper()
	e.plain = true
	defer func() { e.plain = false }()
	return e.openWith("xterm-256color", nil)
}

// openWith starts a console session with a PTY of 100x30, the terminal named termName, and
// env sent before the shell.
func (e *sshEnv) openWith(termName string, env map[string]string) *term {
	e.t.Helper()
	c, err := e.dial()
	if err != nil {
		e.t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		e.t.Fatal(err)
	}
	out := &screen{}
	if !e.plain {
		out = newScreen()
	}
	for k, v := range env {
		if err := sess.Setenv(k, v); err != nil {
			e.t.Fatal(err)
		}
	}
	return startShell(e.t, c, sess, out, termName, 30, 100)
}

// startShell asks sess for a PTY named termName of cols×rows and for its shell, its output
// on out: a console on c, watched until its session ends.
func startShell(t testing.TB, c *gossh.Client, sess *gossh.Session, out *screen, termName string, rows, cols int) *term {
	t.Helper()
	sess.Stdout, sess.Stderr = out, out
	in, _ := sess.StdinPipe()
	if err := sess.RequestPty(termName, rows, cols, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	tm := &term{client: c, sess: sess, in: in, out: out, done: make(chan error, 1)}
	go func() { tm.done <- sess.Wait() }()
	return tm
}

// closesSilent dials the server and reads its version line, then nothing until the server
// closes the connection; still open after 10s, it fails the test with what.
func (e *sshEnv) closesSilent(t *testing.T, what string) {
	t.Helper()
	c, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1024)
	for {
		_, err := c.Read(buf) // the server's version line, then nothing until it closes
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal(what + " was still open after 10s")
		}
		return
	}
}

// outlives checks that a console opened within a deadline of a few hundred milliseconds is
// not cut off by it: past it, it still answers a key.
func (e *sshEnv) outlives(t *testing.T) {
	t.Helper()
	tm := e.open()
	defer tm.close()
	tm.waitFor(t, "Integração SGA")
	time.Sleep(400 * time.Millisecond) // past the deadline: the session goes on
	tm.keys("2")
	tm.waitFor(t, "Maria Souza")
}

func (tm *term) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if tm.out.has(text) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.out.mu.Lock()
	defer tm.out.mu.Unlock()
	shown := ansi.Strip(tm.out.buf.String())
	t.Fatalf("%q never appeared; the session wrote %d bytes, ending: %q", text, tm.out.buf.Len(), shown[max(0, len(shown)-1200):])
}

func (tm *term) keys(s ...string) {
	for _, k := range s {
		_, _ = tm.in.Write([]byte(k))
		time.Sleep(60 * time.Millisecond)
	}
}

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
}

func TestServeLetsOnlyAdministratorsIn(t *testing.T) {
	hostKey := filepath.Join(t.TempDir(), "host_ed25519")
	e := startServer(t, fixture(t), hostKey, Options{})
	tm := e.open()
	tm.waitFor(t, "Integração SGA")
	tm.keys("q")
	select {
	case <-tm.done:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the session")
	}
	tm.close()

	stranger := newSigner(t)
	if _, err := e.dial(gossh.PublicKeys(stranger)); err == nil {
		t.Fatal("an unknown key got in")
	}
	if _, err := e.dial(gossh.Password("senha"), gossh.KeyboardInteractive(
		func(string, string, []string, []bool) ([]string, error) { return []string{"senha"}, nil })); err == nil {
		t.Fatal("password authentication got in")
	}

	// A restart reuses the host key.
	first := e.hostKey
	e.stop()
	e2 := startServer(t, fixture(t), hostKey, Options{})
	if _, err := e2.dial(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Marshal(), e2.hostKey.Marshal()) {
		t.Fatal("the host key changed after a restart")
	}
}

func TestServeIsFullAtItsLimit(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{MaxSessions: 1})
	first := e.open()
	first.waitFor(t, "Integração SGA")
	second := e.open()
	second.waitFor(t, "servidor cheio")
	second.close()
	first.close()
}

func TestServeSharesTheSyncAndRecordsWhoDidIt(t *testing.T) {
	svc := fixture(t)
	// A simulator slow enough that the sync is still running when the other session looks.
	srv := simtest.Serve(t, sim.Options{Seed: 1, Members: 200, PageSize: 20, Faults: sim.Faults{Latency: 150 * time.Millisecond}})
	simtest.Configure(t, svc.Store, srv, simtest.TokenOnly(), simtest.As(store.Actor{Who: "test"}))
	eng := syncer.New(svc.Store, syncer.Options{Rate: -1})
	t.Cleanup(eng.Close)
	svc.Engine = eng
	e := startServer(t, svc, filepath.Join(t.TempDir(), "hk"), Options{})

	a, b := e.open(), e.open()
	defer a.close()
	defer b.close()
	a.waitFor(t, "Integração SGA")
	b.waitFor(t, "Integração SGA")
	a.keys("2", "\r", "s")
	b.waitFor(t, "Sincronizando")
	b.waitFor(t, "por maria")
	deadline := time.Now().Add(30 * time.Second)
	for eng.Running("") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	b.waitFor(t, "Último: concluído")
	log, _ := svc.Store.AuditLog(0, 0)
	found := false
	for _, entry := range log {
		if entry.Action == store.ActionSyncStarted && entry.Who == "maria" && strings.HasPrefix(entry.From, "ssh 127.0.0.1:") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the audit does not name maria over ssh: %+v", log)
	}
}

func TestServeShutdownTellsEverySession(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	a, b := e.open(), e.open()
	a.waitFor(t, "Integração SGA")
	b.waitFor(t, "Integração SGA")
	go e.stop()
	for _, tm := range []*term{a, b} {
		tm.waitFor(t, "servidor encerrando")
		select {
		case <-tm.done:
		case <-time.After(10 * time.Second):
			t.Fatal("a session outlived the shutdown")
		}
	}
}

// TestServeLeavesNoGoroutineBehind connects and disconnects 100 times.
func TestServeLeavesNoGoroutineBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("100 sessions")
	}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	cycle := func() {
		tm := e.openPlain()
		tm.waitFor(t, "Integração SGA")
		tm.keys("q")
		<-tm.done
		tm.close()
	}
	cycle() // warm up: the server's own goroutines and the engine's hub
	time.Sleep(200 * time.Millisecond)
	before := runtime.NumGoroutine()
	for range 100 {
		cycle()
	}
	var after int
	for range 100 { // sessions wind down asynchronously
		after = runtime.NumGoroutine()
		if after <= before+2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after > before+2 || e.srv.Sessions() != 0 || e.svc.Engine.Hub("").Subscribers() != 0 {
		t.Fatalf("goroutines %d before, %d after 100 sessions; %d sessions, %d subscribers left",
			before, after, e.srv.Sessions(), e.svc.Engine.Hub("").Subscribers())
	}
}

func TestServeImportInOneSessionShowsInAnother(t *testing.T) {
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{})
	a, b := e.open(), e.open()
	defer a.close()
	defer b.close()
	a.waitFor(t, "Integração SGA")
	b.waitFor(t, "Integração SGA")
	b.keys("4")
	b.waitFor(t, "OS-2026-000001")
	// Maria's two vehicles that can be imported, from session a.
	a.keys("3", "/")
	a.keys(strings.Split("maria da", "")...)
	a.keys("\r", "\r")
	a.waitFor(t, "Importação de Veículos SGA")
	a.keys("a", "i")
	a.waitFor(t, "Serão gerados 2 contratos e 2 ordens de serviço")
	a.keys("s")
	a.waitFor(t, "CT-2026-000003")
	// Session b sees them when it comes back to Contratos e OS.
	b.keys("1", "4")
	b.waitFor(t, "OS-2026-000003")
	cs, _ := e.svc.Store.Contracts("", 0)
	if len(cs) != 3 || cs[0].CreatedBy != "maria" {
		t.Fatalf("contracts: %+v", cs)
	}
}

// Each SSH session gets its own client's colours: 256 colours for xterm-256color, none for
// NO_COLOR or TERM=dumb, with the text markers in their place.
func TestServeColoursPerSession(t *testing.T) {
	svc := fixture(t)
	e := startServer(t, svc, filepath.Join(t.TempDir(), "hk"), Options{})
	colour := regexp.MustCompile(`\x1b\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]`) // 39 and 49: defaults
	for _, tc := range []struct {
		name, term string
		env        map[string]string
		coloured   bool
	}{
		{"xterm-256color", "xterm-256color", nil, true},
		{"NO_COLOR", "xterm-256color", map[string]string{"NO_COLOR": "1"}, false},
		{"TERM=dumb", "dumb", nil, false},
	} {
		tm := e.openWith(tc.term, tc.env)
		deadline := time.Now().Add(10 * time.Second)
		for !tm.out.has("[1 Integração SGA]") || !tm.out.has("Último: concluído") {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the console did not show", tc.name)
			}
			time.Sleep(20 * time.Millisecond)
		}
		tm.out.mu.Lock()
		got := colour.MatchString(tm.out.buf.String())
		tm.out.mu.Unlock()
		if got != tc.coloured {
			t.Errorf("%s: colour sequences %v, want %v", tc.name, got, tc.coloured)
		}
		tm.client.Close()
	}
}

// A session that asks for a command gets the handler, as its key's administrator, with the
// session's streams and exit status; without a handler it is refused and no console opens.
func TestServeHandsCommandsToItsHandler(t *testing.T) {
	var got struct {
		login string
		args  []string
	}
	handler := func(_ context.Context, c Command) Result {
		got.login, got.args = c.Admin.Login, c.Args
		fmt.Fprintln(c.Out, "saída")
		fmt.Fprintln(c.Err, "aviso")
		return Result{Status: 3, Command: "export"}
	}
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{Commands: handler})
	_, sess := e.session()
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err := sess.Run("export clients --format csv")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 3 {
		t.Fatalf("exit: %v, want status 3", err)
	}
	if got.login != "maria" || strings.Join(got.args, " ") != "export clients --format csv" {
		t.Fatalf("handler got %q %q", got.login, got.args)
	}
	if out.String() != "saída\n" || errOut.String() != "aviso\n" {
		t.Fatalf("stdout %q, stderr %q", out.String(), errOut.String())
	}

	_, sess2 := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{}).session()
	b, err := sess2.CombinedOutput("export clients")
	if err == nil || !strings.Contains(string(b), ui.SayNoCommands) {
		t.Fatalf("without a handler: %v %q", err, b)
	}
}
