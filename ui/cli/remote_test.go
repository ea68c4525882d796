package cli_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	charmlog "charm.land/log/v2"
	dto "github.com/prometheus/client_model/go"
	bolt "go.etcd.io/bbolt"
	gossh "golang.org/x/crypto/ssh"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
	"ponte/ui/cli"
	uissh "ponte/ui/ssh"
	"ponte/ui/uitest"
)

// served is a ponte serve in the test: a synced database with a second association
// (norte-seguro, one client), maria a supervisor and ana an operator of norte-seguro only,
// each with a key; commands run through cli.Commands.
type served struct {
	t       *testing.T
	st      *store.Store
	eng     *syncer.Engine
	srv     *uissh.Server
	metrics *uissh.Metrics
	sim     *sim.Sim
	addr    string
	keys    map[string]gossh.Signer
}

func serveSynced(t *testing.T, members int) *served {
	t.Helper()
	charmlog.SetLevel(charmlog.FatalLevel)
	db, sm, _ := syncedDB(t, members)
	st, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	by := store.Actor{Who: "test", From: "test"}
	if _, err := st.AddAssociation(store.Association{Slug: "norte-seguro", Name: "Norte Seguro"}, by); err != nil {
		t.Fatal(err)
	}
	norte, _ := st.In("norte-seguro")
	run, _ := norte.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, by)
	if _, err := norte.Apply(store.Batch{RunID: run.ID,
		Clients:  []store.Client{{SGACode: 1, Name: "MARIA NORTE DE SOUZA", CPF: "52998224725", Situation: "ATIVO"}},
		Vehicles: []store.Vehicle{{SGACode: 10, ClientSGACode: 1, Plate: "NOR1A23", Model: "ONIX", Situation: "ATIVO", Products: []string{"19"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := norte.FinishRun(run.ID, store.StatusSucceeded, "", "", by); err != nil {
		t.Fatal(err)
	}
	nid, _ := st.Association("norte-seguro")
	s := &served{t: t, st: st, sim: sm, keys: map[string]gossh.Signer{}, metrics: uissh.NewMetrics()}
	for _, ad := range []store.Admin{{Login: "maria", Name: "Maria Souza"},
		{Login: "ana", Name: "Ana Lima", Role: store.RoleOperator, Associations: []uint64{nid.ID}}} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signer, _ := gossh.NewSignerFromKey(priv)
		ad.Keys = []store.SSHKey{{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), Line: "test"}}
		if _, err := st.AddAdmin(ad, by); err != nil {
			t.Fatal(err)
		}
		s.keys[ad.Login] = signer
	}
	s.eng = syncer.New(st, syncer.Options{Rate: -1, OnRequest: s.metrics.SGARequest, OnPause: s.metrics.Paused})
	t.Cleanup(s.eng.Close)
	s.srv, err = uissh.New(ui.Services{Store: st, Engine: s.eng}, uissh.Options{HostKeyPath: filepath.Join(t.TempDir(), "hk"),
		Commands: cli.Commands(st, s.eng, discard()), Metrics: s.metrics})
	if err != nil {
		t.Fatal(err)
	}
	s.metrics.Watch(st, s.eng, s.srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { _ = s.srv.Serve(ln); close(done) }()
	t.Cleanup(func() { s.srv.Shutdown(2 * time.Second); <-done })
	return s
}

// session opens an SSH session as who.
func (s *served) session(who string) (*gossh.Client, *gossh.Session) {
	s.t.Helper()
	c, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: who, Auth: []gossh.AuthMethod{gossh.PublicKeys(s.keys[who])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		s.t.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	return c, sess
}

// ssh runs a command line as who, with stdin, and returns its exit status, stdout and stderr.
func (s *served) ssh(who, stdin, line string) (int, string, string) {
	s.t.Helper()
	c, sess := s.session(who)
	defer c.Close()
	var out, errOut bytes.Buffer
	sess.Stdin, sess.Stdout, sess.Stderr = strings.NewReader(stdin), &out, &errOut
	done := make(chan error, 1)
	go func() { done <- sess.Run(line) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		s.t.Fatalf("ssh %s %q: no end after 60 s; stderr so far: %s", who, line, errOut.String())
	}
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit):
		return exit.ExitStatus(), out.String(), errOut.String()
	}
	s.t.Fatalf("ssh %s %q: %v", who, line, err)
	return 0, "", ""
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Every command the issue names, as a supervisor and as an operator: what each may do, what
// each is refused, and that an operator never sees another association's records.
func TestCommandsOverSSH(t *testing.T) {
	s := serveSynced(t, 30)
	in, _ := s.st.In("principal")
	var free store.VehicleView
	for _, v := range s.sim.Vehicles() {
		if ve, err := in.VehicleByCode(v.Code); err == nil && ve.Active() && !ve.Foreign && ve.ContractNumber == "" {
			free = ve
			break
		}
	}
	if free.SGACode == 0 {
		t.Fatal("no vehicle to import")
	}
	_, joaoKey, _ := ed25519.GenerateKey(rand.Reader)
	joaoSigner, _ := gossh.NewSignerFromKey(joaoKey)
	joaoPub := string(gossh.MarshalAuthorizedKey(joaoSigner.PublicKey()))
	importLine := fmt.Sprintf("--association principal import --client %d %d", free.ClientSGACode, free.SGACode)
	type want struct {
		status      int
		out, errOut string // each must be in stdout and stderr
		notOut      string // must not be in stdout
	}
	for _, tc := range []struct {
		who, stdin, line string
		want
	}{
		{"maria", "", "association list", want{status: 0, out: "norte-seguro"}},
		{"ana", "", "association list", want{status: 0, out: "norte-seguro", notOut: "principal"}},
		{"ana", "", "export vehicles", want{status: 0, out: "NOR1A23", notOut: `"association":"principal"`}},
		{"maria", "", "export vehicles --format csv", want{status: 0, out: "principal,"}},
		{"ana", "", "runs --json", want{status: 0, out: "norte-seguro", notOut: "principal"}},
		{"ana", "", "--association principal runs", want{status: 2, errOut: "no association \"principal\""}},
		{"ana", "", "pending list", want{status: 0}},
		{"ana", "", "order show OS-2026-000001", want{status: 1, errOut: "not found"}},
		{"ana", "", importLine, want{status: 2, errOut: "no association \"principal\""}},
		{"maria", "", importLine + " --json", want{status: 0, out: `"contract": "CT-`}},
		{"maria", "", importLine, want{status: 1, errOut: "contract"}},
		{"maria", "", "--association principal config test", want{status: 0, out: "ok"}},
		{"ana", "", "sync --all", want{status: 1, errOut: "none of norte-seguro is configured", notOut: "principal"}},
		{"maria", "", "admin list", want{status: 0, out: "ana"}},
		{"ana", "", "admin list", want{status: 1, errOut: "admin list is for supervisors"}},
		{"ana", joaoPub, "admin add --login joao --name Joao --ssh-key -", want{status: 1, errOut: "adding administrators is for supervisors"}},
		{"maria", "not a key\n", "admin add --login joao --name Joao --ssh-key -", want{status: 1, errOut: "stdin is not an SSH public key"}},
		{"maria", joaoPub, "admin add --login joao --name Joao --ssh-key -", want{status: 0, out: "with 1 key"}},
		{"maria", "", "admin add --login joao --name Joao --ssh-key /etc/passwd", want{status: 2, errOut: "over SSH give it on stdin"}},
		{"maria", "", "--association principal config show", want{status: 0, out: "password", notOut: "senha-nova-99"}},
		{"ana", "x\n", "--association norte-seguro config set --password-stdin", want{status: 1, errOut: "changing an integration is for supervisors"}},
		{"maria", "senha-nova-99\n", "--association principal config set --user nova --password-stdin", want{status: 0}},
		{"maria", "", "--association principal config show", want{status: 0, out: "nova", notOut: "senha-nova-99"}},
		{"maria", "", "serve", want{status: 2, errOut: "serve is not available over SSH"}},
		{"maria", "", "demo", want{status: 2, errOut: "demo is not available over SSH"}},
		{"maria", "", "sga-sim", want{status: 2, errOut: "sga-sim is not available over SSH"}},
		{"maria", "", "--mouse", want{status: 2, errOut: "connect without a command"}},
		{"maria", "", "--db /tmp/other.db export clients", want{status: 2, errOut: "--db is for commands on the server's machine"}},
		{"maria", "", "backup /tmp/copy.db", want{status: 2, errOut: "over SSH the backup goes to stdout"}},
		{"ana", "", "backup", want{status: 1, errOut: "a backup holds every association: it is for supervisors"}},
		{"ana", "", "--sga-url http://127.0.0.1:1/ sync", want{status: 1, errOut: "--sga-url is for supervisors"}},
		{"maria", "", "sync --association principal --workers 9", want{status: 2, errOut: "--workers is the server's setting"}},
		{"maria", "", "nonsense", want{status: 2, errOut: "unknown command"}},
	} {
		code, out, errOut := s.ssh(tc.who, tc.stdin, tc.line)
		if code != tc.status || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.errOut) ||
			(tc.notOut != "" && strings.Contains(out, tc.notOut)) {
			t.Errorf("%s: ssh host %s: exit %d (want %d)\nstdout: %s\nstderr: %s", tc.who, tc.line, code, tc.status, out, errOut)
		}
	}
	// config set took its secret from stdin: the store has it, no output shows it.
	if got, _ := in.Integration(); got.Password != "senha-nova-99" || got.User != "nova" {
		t.Errorf("config set over SSH stored user %q", got.User)
	}
	// Every command is in the audit, with the administrator and the address.
	code, out, _ := s.ssh("maria", "", "export audit")
	if code != 0 {
		t.Fatal("export audit failed")
	}
	for _, want := range [][]string{
		{`"action":"ssh.command"`, `"details":"admin list"`, `"who":"ana"`, `"from":"ssh 127.0.0.1:`},
		{`"action":"ssh.command"`, `"details":"--association principal config set --user nova --password-stdin"`, `"who":"maria"`},
		{`"action":"settings.changed"`, `"who":"maria"`, `"from":"ssh 127.0.0.1:`},
	} {
		if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool {
			return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(l, w) })
		}) {
			t.Errorf("the audit has no line with %q:\n%s", want, tail(out, 3000))
		}
	}
}

// A sync over SSH shows its progress on stderr and its summary on stdout, exits as locally,
// and is the server's: its consoles see it. A client that goes away cancels it.
func TestSyncOverSSH(t *testing.T) {
	s := serveSynced(t, 400)
	code, out, errOut := s.ssh("maria", "", "sync --association principal")
	if code != 0 || !strings.Contains(out, "succeeded") || !strings.Contains(errOut, "pages") {
		t.Fatalf("sync over ssh: exit %d\n%s\n%s", code, out, errOut)
	}
	principal, _ := s.st.In("principal")
	runs, _ := principal.Runs(1)
	if len(runs) == 0 || runs[0].StartedBy != "maria" {
		t.Fatalf("the run is not maria's: %+v", runs)
	}

	s.sim.SetFaults(sim.Faults{Latency: 2 * time.Second}) // it cannot end before the client leaves
	c, sess := s.session("maria")
	if err := sess.Start("sync --association principal"); err != nil {
		t.Fatal(err)
	}
	first := runs[0].ID
	waitUntil(t, "the run recorded", func() bool {
		runs, _ := principal.Runs(1)
		return len(runs) == 1 && runs[0].ID != first && runs[0].Status == store.StatusRunning
	})
	c.Close() // the client goes away
	waitUntil(t, "the sync stopped", func() bool { return !s.eng.Running("principal") })
	runs, _ = principal.Runs(1)
	if runs[0].Status != store.StatusCancelled {
		t.Fatalf("after the client left, the run is %s, want cancelled", runs[0].Status)
	}
}

// ssh host backup, taken again and again while a sync writes, is each time a database
// bbolt's check accepts and ponte reads.
func TestBackupOverSSHDuringASync(t *testing.T) {
	s := serveSynced(t, 2000)
	s.sim.SetFaults(sim.Faults{Latency: 20 * time.Millisecond})
	if err := s.eng.Start(syncer.Request{Association: "principal", By: store.Actor{Who: "test"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the sync running", func() bool { return s.eng.Running("principal") })
	during := 0
	for i := 0; i < 5 && (i == 0 || s.eng.Running("principal")); i++ {
		code, out, errOut := s.ssh("maria", "", "backup")
		if code != 0 || !strings.Contains(errOut, "bytes written") {
			t.Fatalf("backup: exit %d: %s", code, errOut)
		}
		if s.eng.Running("principal") {
			during++
		}
		file := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		})
		db.Close()
		if err != nil {
			t.Fatalf("backup %d: bbolt check: %v", i+1, err)
		}
		code, vehicles, errOut := run2(file, "export", "vehicles")
		if code != 0 || strings.Count(vehicles, "\n") < 100 {
			t.Fatalf("export from backup %d: exit %d %s", i+1, code, errOut)
		}
	}
	t.Logf("%d backups ended while the sync still ran", during)
	waitUntil(t, "the sync to end", func() bool { return !s.eng.Running("principal") })
}

// /metrics during and after a sync, parsed as Prometheus parses it; /healthz.
func TestMetricsDuringAndAfterASync(t *testing.T) {
	s := serveSynced(t, 300)
	web := httptest.NewServer(s.metrics.Handler(s.st, s.eng))
	defer web.Close()
	scrape := func() map[string]*family {
		t.Helper()
		out := map[string]*family{}
		for name, f := range uitest.Scrape(t, web.URL+"/metrics") {
			out[name] = &family{f}
		}
		return out
	}
	if code, _, _ := s.ssh("maria", "", "runs"); code != 0 {
		t.Fatal("runs over ssh failed")
	}
	if code, _, _ := s.ssh("maria", "", "export nothing"); code != cli.ExitUsage {
		t.Fatal("export nothing over ssh did not exit 2")
	}
	// Every request takes a second while the sync is scraped, so it runs at least that long.
	s.sim.SetFaults(sim.Faults{Latency: time.Second})
	if err := s.eng.Start(syncer.Request{Association: "principal", By: store.Actor{Who: "test"}}); err != nil {
		t.Fatal(err)
	}
	principal, _ := s.st.In("principal")
	waitUntil(t, "the run recorded", func() bool {
		runs, _ := principal.Runs(1)
		return len(runs) == 1 && runs[0].Status == store.StatusRunning
	})
	m := scrape()
	s.sim.SetFaults(sim.Faults{})
	if v := m["ponte_sync_running"].value("association", "principal"); v != 1 {
		t.Errorf("ponte_sync_running during the sync: %v", v)
	}
	if v := m["ponte_sync_last_run_status"].value("association", "principal", "status", "running"); v != 1 {
		t.Errorf("the last run's status during the sync is not running: %v", v)
	}
	waitUntil(t, "the sync to end", func() bool { return !s.eng.Running("principal") })
	m = scrape()
	for _, c := range []struct {
		name   string
		labels []string
		ok     func(float64) bool
	}{
		{"ponte_sync_running", []string{"association", "principal"}, func(v float64) bool { return v == 0 }},
		{"ponte_sync_last_run_status", []string{"association", "principal", "status", "succeeded"}, func(v float64) bool { return v == 1 }},
		{"ponte_sync_last_run_vehicles", []string{"association", "principal"}, func(v float64) bool { return v > 100 }},
		{"ponte_sync_last_run_errors", []string{"association", "principal"}, func(v float64) bool { return v == 0 }},
		{"ponte_sync_last_run_duration_seconds", []string{"association", "principal"}, func(v float64) bool { return v > 0 }},
		{"ponte_sync_last_success_timestamp_seconds", []string{"association", "principal"},
			func(v float64) bool { return time.Since(time.Unix(int64(v), 0)) < time.Hour }},
		{"ponte_sync_last_success_timestamp_seconds", []string{"association", "norte-seguro"}, func(v float64) bool { return v > 0 }},
		{"ponte_association_enabled", []string{"association", "norte-seguro"}, func(v float64) bool { return v == 1 }},
		{"ponte_sga_requests_total", []string{"route", "sincronismo-produto-fornecedor-paginado/listar/pagina/{numero_pagina}", "outcome", "ok"},
			func(v float64) bool { return v > 1 }},
		{"ponte_ssh_commands_total", []string{"command", "runs", "status", "0"}, func(v float64) bool { return v == 1 }},
		{"ponte_ssh_commands_total", []string{"command", "export", "status", "2"}, func(v float64) bool { return v == 1 }},
		{"ponte_ssh_sessions_open", nil, func(v float64) bool { return v == 0 }},
	} {
		t.Run(fmt.Sprint(c.name, c.labels), func(t *testing.T) {
			if v := m[c.name].value(c.labels...); !c.ok(v) {
				t.Errorf("%s%v = %v", c.name, c.labels, v)
			}
		})
	}
	resp, err := http.Get(web.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if resp.StatusCode != 200 || health["status"] != "ok" {
		t.Fatalf("/healthz: %d %v", resp.StatusCode, health)
	}
	s.eng.Close()
	resp, err = http.Get(web.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/healthz with the engine closed: %d", resp.StatusCode)
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// family is one metric family as parsed.
type family struct{ f *dto.MetricFamily }

// value is the sample whose labels hold every name=value pair given; -1 when none.
func (d *family) value(pairs ...string) float64 {
	if d == nil {
		return -1
	}
next:
	for _, m := range d.f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			if have[pairs[i]] != pairs[i+1] {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

// ponte serve --log-format json --metrics-listen: every log line is a JSON object, the
// metrics and /healthz answer on the address it logs, a bare port binds to localhost, and a
// bad format is a usage mistake.
func TestServeLogsJSONAndServesMetrics(t *testing.T) {
	if code, _, errOut := run2(fixtureDB(t), "serve", "--log-format", "yaml"); code != cli.ExitUsage || !strings.Contains(errOut, "--log-format must be logfmt or json") {
		t.Fatalf("--log-format yaml: exit %d %s", code, errOut)
	}
	if code, _, errOut := run2(fixtureDB(t), "serve", "--metrics-listen", "a:b:c"); code != cli.ExitUsage {
		t.Fatalf("--metrics-listen a:b:c: exit %d %s", code, errOut)
	}
	dir := t.TempDir()
	db, logFile := fixtureDB(t), filepath.Join(dir, "ponte.log")
	ctx, cancel := context.WithCancelCause(context.Background())
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Execute(ctx, []string{"--db", db, "serve", "--listen", "127.0.0.1:0", "--log", logFile, "--log-format", "json",
			"--metrics-listen", ":0", "--host-key", filepath.Join(dir, "hk")}, cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	}()
	waitFile(t, logFile, "serving the console over ssh")
	b, _ := os.ReadFile(logFile)
	var addr string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if entry["msg"] == "serving metrics" {
			addr, _ = entry["addr"].(string)
		}
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("metrics on %q, want 127.0.0.1:PORT:\n%s", addr, b)
	}
	for path, want := range map[string]string{"/healthz": `{"status":"ok"}`, "/metrics": "ponte_association_enabled{association=\"principal\"} 1"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d\n%s", path, resp.StatusCode, tail(string(body), 1500))
		}
	}
	cancel(cli.Interrupted{Signal: syscall.SIGTERM})
	if code := within(t, 15*time.Second, "serve after SIGTERM", exited); code != 143 {
		t.Fatalf("serve after SIGTERM: exit %d", code)
	}
	if _, err := os.Stat(db + ".serving"); !os.IsNotExist(err) {
		t.Errorf("the note of where serve listened outlived it: %v", err)
	}
}
