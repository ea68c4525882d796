package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	charmlog "charm.land/log/v2"
	"github.com/spf13/cobra"

	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
	uissh "ponte/ui/ssh"
)

// serveCmd serves the console over SSH until a signal stops it, then shuts down cleanly: the
// sessions are told, the sync stops at a checkpoint, the database closes. SIGHUP reopens the
// log file, for logrotate.
func (a *app) serveCmd() *cobra.Command {
	var (
		listen, hostKey, logFile string
		o                        uissh.Options
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the console over SSH to the administrators' keys",
		Long: "Serve the console over SSH to the administrators' keys (ponte admin add --ssh-key).\n\n" +
			"SIGINT and SIGTERM stop it cleanly: every session is told, a running sync stops at its\n" +
			"checkpoint, and the next one continues it. SIGHUP reopens the --log file.",
		Example: "  ponte serve --listen 0.0.0.0:2222 --log /var/log/ponte.log\n" +
			"  ssh -p 2222 -t operador@host",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := &reopener{path: logFile, w: cmd.ErrOrStderr()}
			if err := out.open(); err != nil {
				return err
			}
			defer out.Close()
			logger := slog.New(slog.NewTextHandler(out, nil))
			a.handleHangups(func() {
				if err := out.open(); err != nil {
					logger.Error("SIGHUP: the log could not be reopened; still writing to the old file", "err", err)
					return
				}
				logger.Info("SIGHUP: log reopened", "file", logFile)
			})
			o.Logger = logger
			// wish logs every session that a client closes as an error, in its own format;
			// ponte's structured log already records each disconnect.
			charmlog.SetLevel(charmlog.FatalLevel)
			limitMemory(syncer.DefaultMaxConcurrent)
			return a.writeStore(func(s *store.Store) error {
				if hostKey == "" {
					hostKey = HostKeyPath(s.Path())
				}
				o.HostKeyPath = hostKey
				eng := syncer.New(s, syncer.Options{Logger: logger})
				defer eng.Close() // after the sessions: a running sync stops at its checkpoint
				eng.StartSchedule()
				srv, err := uissh.New(ui.Services{Store: s, Engine: eng, Logger: logger, SGAURL: a.baseURL()}, o)
				if err != nil {
					return err
				}
				ln, err := net.Listen("tcp", listen)
				if err != nil {
					return fmt.Errorf("listen on %s: %w", listen, err)
				}
				logger.Info("serving the console over ssh", "addr", ln.Addr().String(), "host_key", hostKey, "db", s.Path(), "version", Version())
				served := make(chan error, 1)
				go func() { served <- srv.Serve(ln) }()
				select {
				case err := <-served:
					return err
				case <-cmd.Context().Done():
				}
				logger.Info("shutting down", "sessions", srv.Sessions(), "cause", fmt.Sprint(context.Cause(cmd.Context())))
				srv.Shutdown(5 * time.Second)
				<-served
				logger.Info("stopped")
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:2222", "address to listen on")
	f.StringVar(&hostKey, "host-key", "", "the server's SSH key, made on first start (default: ponte_host_ed25519 beside the database)")
	f.IntVar(&o.MaxSessions, "max-sessions", 50, "sessions at once")
	f.DurationVar(&o.IdleTimeout, "idle-timeout", 30*time.Minute, "close a session idle this long")
	f.DurationVar(&o.MaxTime, "max-time", 12*time.Hour, "the longest a session may last")
	f.IntVar(&o.MaxPending, "max-pending", 64, "connections waiting to authenticate at once; more are refused")
	f.IntVar(&o.MaxPendingPerAddr, "max-pending-per-addr", 8, "connections from one address waiting to authenticate at once")
	f.DurationVar(&o.HandshakeTimeout, "handshake-timeout", 20*time.Second, "close a connection that has not authenticated within this")
	f.StringVar(&logFile, "log", "", "append the log to this file instead of stderr; SIGHUP reopens it")
	return cmd
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
