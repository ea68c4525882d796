package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	charmlog "charm.land/log/v2"
	"github.com/spf13/cobra"

	"ponte/sga/syncer"
	"ponte/ui"
	uissh "ponte/ui/ssh"
)

// serveOptions are serve's flags.
type serveOptions struct {
	listen, hostKey, logFile, metricsAt, logFormat string
	ssh                                            uissh.Options
}

// serveCmd serves the console over SSH until a signal stops it, then shuts down cleanly: the
// sessions are told, the sync stops at a checkpoint, the database closes. SIGHUP reopens the
// log file, for logrotate.
func (a *app) serveCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH to the administrators' keys",
		Long: "Serve the console over SSH to the administrators' keys (ponte admin add --ssh-key).\n\n" +
			"A session that names a command (ssh -p PORT host COMMAND ARGS) runs it inside the server, as\n" +
			"the key's administrator, in their associations and role: export, backup (to stdout), sync,\n" +
			"import, runs, pending, order, association, admin and config. Each is in the audit.\n\n" +
			"--metrics-listen serves Prometheus metrics on /metrics and a health check on /healthz; a bare\n" +
			"port (:9464) listens on 127.0.0.1 only.\n" + metricsLimits.describe() + "\n\n" +
			fmt.Sprintf("Before authentication, places are kept for clients that speak SSH: a connection silent before\n"+
				"its version line gives way to a newcomer when the places are taken; an address whose\n"+
				"connections keep failing (%d failures within %v: silent past a deadline or a refused key) is\n"+
				"refused for %v, twice as long each time again up to %v, unless an administrator logged in\n"+
				"from it in the last %v.\n\n", uissh.PenaltyAfter, uissh.PenaltyForget, uissh.PenaltyFirst, uissh.PenaltyMax,
				uissh.TrustAfterLogin) +
			"SIGINT and SIGTERM stop it cleanly: every session is told, a running sync stops at its\n" +
			"checkpoint (recorded as interrupted by the shutdown), and the next one continues it; a\n" +
			"command over SSH stops at once and exits 143 (130 for SIGINT). SIGHUP reopens the --log file.",
		Example: "  ponte serve --listen 0.0.0.0:2222 --log /var/log/ponte.log --metrics-listen :9464\n" +
			"  ssh -p 2222 -t operador@host\n" +
			"  ssh -p 2222 host export vehicles --format csv > vehicles.csv\n" +
			"  ssh -p 2222 host backup > ponte-$(date +%F).db",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", defaultListen, "address to listen on")
	f.StringVar(&o.hostKey, "host-key", "", "the server's SSH key, made on first start (default: ponte_host_ed25519 beside the database)")
	f.IntVar(&o.ssh.MaxSessions, "max-sessions", 50, "sessions at once")
	f.IntVar(&o.ssh.SupervisorSessions, "supervisor-sessions", 5, "of --max-sessions, how many only supervisors may take: operators cannot leave them out (-1: none)")
	f.IntVar(&o.ssh.MaxConnsPerAdmin, "max-connections-per-admin", 20, "authenticated connections one administrator may hold at once (consoles and commands)")
	f.IntVar(&o.ssh.MaxConsolesPerAdmin, "max-consoles-per-admin", 5, "consoles one administrator may have open at once")
	f.IntVar(&o.ssh.MaxChannelsPerConn, "max-channels-per-connection", 10, "sessions one connection may open at once; more are refused")
	f.IntVar(&o.ssh.MaxEnvPerChannel, "max-env-per-channel", 32, fmt.Sprintf("variables a session may send (SendEnv), each at most %d bytes; more are refused", uissh.MaxEnvBytes))
	f.DurationVar(&o.ssh.IdleTimeout, "idle-timeout", 30*time.Minute, "close a session idle this long")
	f.DurationVar(&o.ssh.MaxTime, "max-time", 12*time.Hour, "the longest a session may last")
	o.ssh.MaxStartups = uissh.DefaultStartups
	f.Var(&o.ssh.MaxStartups, "max-startups", "connections past their version line waiting to authenticate: dropped at random past START (RATE% of them), growing to all at FULL")
	f.IntVar(&o.ssh.MaxPendingPerAddr, "max-pending-per-addr", 8, "connections from one address waiting to authenticate at once")
	f.DurationVar(&o.ssh.VersionTimeout, "version-timeout", 5*time.Second, "close a connection that has not sent its SSH version line within this")
	f.DurationVar(&o.ssh.HandshakeTimeout, "handshake-timeout", 20*time.Second, "close a connection that has not authenticated within this")
	f.StringVar(&o.logFile, "log", "", "append the log to this file instead of stderr; SIGHUP reopens it")
	f.StringVar(&o.logFormat, "log-format", "logfmt", "the log's lines: logfmt or json")
	f.StringVar(&o.metricsAt, "metrics-listen", "", "serve Prometheus metrics (/metrics) and a health check (/healthz) on this address; :PORT is 127.0.0.1:PORT")
	return cmd
}

// runServe is serve's work, on its flags.
func (a *app) runServe(cmd *cobra.Command, o serveOptions) (err error) {
	out := &reopener{path: o.logFile, w: cmd.ErrOrStderr()}
	if err := out.open(); err != nil {
		return err
	}
	defer out.Close()
	var handler slog.Handler
	switch o.logFormat {
	case "logfmt":
		handler = slog.NewTextHandler(out, nil)
	case "json":
		handler = slog.NewJSONHandler(out, nil)
	default:
		return usagef("--log-format must be logfmt or json, not %q", o.logFormat)
	}
	metricsAddr, err := metricsAddress(o.metricsAt)
	if err != nil {
		return err
	}
	logger := slog.New(handler)
	a.handleHangups(func() {
		if err := out.open(); err != nil {
			logger.Error("SIGHUP: the log could not be reopened; still writing to the old file", "err", err)
			return
		}
		logger.Info("SIGHUP: log reopened", "file", o.logFile)
	})
	o.ssh.Logger = logger
	// wish logs every session that a client closes as an error, in its own format;
	// ponte's structured log already records each disconnect.
	charmlog.SetLevel(charmlog.FatalLevel)
	tuneGC(syncer.DefaultMaxConcurrent)
	s, file, done, err := a.openFile(writing)
	if err != nil {
		return err
	}
	defer done(&err)
	if o.hostKey == "" {
		o.hostKey = HostKeyPath(file.Path())
	}
	o.ssh.HostKeyPath = o.hostKey
	metrics := uissh.NewMetrics()
	eng := syncer.New(s, syncer.Options{Logger: logger, OnRequest: metrics.SGARequest, OnPause: metrics.Paused})
	defer eng.Close() // after the sessions: a running sync stops at its checkpoint
	eng.StartSchedule()
	o.ssh.Commands, o.ssh.CommandName = Commands(s, eng, logger), CommandName
	o.ssh.Metrics = metrics
	srv, err := uissh.New(ui.Services{Store: s, Engine: eng, Logger: logger, SGAURL: a.baseURL()}, o.ssh)
	if err != nil {
		return err
	}
	metrics.Watch(s, eng, srv)
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	if metricsAddr != "" {
		stop, err := serveMetrics(metricsAddr, metrics.Handler(s, eng), logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	if err := writeServing(file.Path(), ln.Addr().String()); err != nil {
		logger.Warn("could not note the address beside the database; commands that find it held will not name the port", "err", err)
	}
	defer removeServing(file.Path())
	logger.Info("serving the console over ssh", "addr", ln.Addr().String(), "host_key", o.hostKey, "db", file.Path(), "version", Version())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-cmd.Context().Done():
	}
	logger.Info("shutting down", "sessions", srv.Sessions(), "cause", fmt.Sprint(context.Cause(cmd.Context())))
	srv.ShutdownCause(5*time.Second, context.Cause(cmd.Context()))
	<-served
	logger.Info("stopped")
	return nil
}

// HostKeyPath is where ponte serve keeps its SSH host key unless --host-key says otherwise.
func HostKeyPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "ponte_host_ed25519")
}

// reopener is the log's destination: stderr, or a file that open (re)opens, so that logrotate
// can move it and send SIGHUP. Writes and reopens are serialised.
type reopener struct {
	path string
	w    io.Writer // stderr when path is ""

	mu sync.Mutex
	f  *os.File
}

func (r *reopener) open() error {
	if r.path == "" {
		return nil
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open the log: %w", err)
	}
	r.mu.Lock()
	old := r.f
	r.f = f
	r.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

func (r *reopener) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil {
		return r.f.Write(p)
	}
	return r.w.Write(p)
}

func (r *reopener) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// defaultListen is where ponte serve listens unless --listen says otherwise.
const defaultListen = "127.0.0.1:2222"

// servingPath is the note beside the database that says where the ponte serve holding it
// listens, so that a command that finds the database held can name the ssh line to use.
func servingPath(db string) string { return db + ".serving" }

type serving struct {
	PID  int    `json:"pid"`
	Addr string `json:"addr"`
}

func writeServing(db, addr string) error {
	b, err := json.Marshal(serving{PID: os.Getpid(), Addr: addr})
	if err != nil {
		return err
	}
	return os.WriteFile(servingPath(db), append(b, '\n'), 0o600)
}

func removeServing(db string) { _ = os.Remove(servingPath(db)) }

// readServing reads the note of the server holding db: its address and PID.
func readServing(db string) (addr string, pid int, ok bool) {
	b, err := os.ReadFile(servingPath(db))
	if err != nil {
		return "", 0, false
	}
	var s serving
	if json.Unmarshal(b, &s) != nil || s.Addr == "" {
		return "", 0, false
	}
	return s.Addr, s.PID, true
}

// metricsAddress is where --metrics-listen asks to listen: "" for nowhere, a bare port on
// 127.0.0.1; metrics are for the monitoring host, not the world, unless a host is named.
func metricsAddress(flag string) (string, error) {
	if flag == "" {
		return "", nil
	}
	if !strings.Contains(flag, ":") {
		flag = ":" + flag
	}
	host, port, err := net.SplitHostPort(flag)
	if err != nil || port == "" {
		return "", usagef("--metrics-listen must be HOST:PORT or :PORT, not %q", flag)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// serveMetrics serves h on addr, within metricsLimits, until the returned stop is called.
func serveMetrics(addr string, h http.Handler, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	srv, capped := newHTTPServer(ln, h, metricsLimits, logger)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(capped); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "err", err)
		}
	}()
	logger.Info("serving metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
