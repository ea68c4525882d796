// Package ssh serves ponte's console over SSH to the administrators' keys, one console per
// session on one store and one sync engine, and hands a session that asks for a command
// (ssh host COMMAND ARGS) to the command handler it is given.
package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
)

// Options tune the SSH server.
type Options struct {
	HostKeyPath string // the server's key, made on first start (0600) and reused
	MaxSessions int    // sessions at once; the next is told the server is full; default 50
	// SupervisorSessions of MaxSessions are for supervisors only (default MaxSessions/10;
	// negative: none).
	SupervisorSessions int
	IdleTimeout        time.Duration // a session with no input or output this long is closed; default 30m
	MaxTime            time.Duration // the longest a session may last; default 12h
	// What one connection may ask: MaxChannelsPerConn sessions at once (default 10), each
	// with MaxEnvPerChannel env requests (default 32) of MaxEnvBytes at most.
	MaxChannelsPerConn int
	MaxEnvPerChannel   int
	// One administrator holds at most MaxConnsPerAdmin authenticated connections (default
	// 20) and MaxConsolesPerAdmin consoles (default 5) at once.
	MaxConnsPerAdmin    int
	MaxConsolesPerAdmin int
	// Connections that have not authenticated yet (see Admission): past their version line,
	// dropped early past MaxStartups (default DefaultStartups); at most MaxPendingPerAddr from
	// one address (default 8); closed without a version line within VersionTimeout (default
	// 5s), or unauthenticated after HandshakeTimeout (default 20s).
	MaxStartups       Startups
	MaxPendingPerAddr int
	VersionTimeout    time.Duration
	HandshakeTimeout  time.Duration
	Logger            *slog.Logger
	// Commands runs what a client asks for instead of the console (ssh host COMMAND ARGS).
	// Without it such a session is refused.
	Commands CommandHandler
	// CommandName names the command a command line runs ("export", "order show"; "" for
	// none), for the log line that tells a command started.
	CommandName func(args []string) string
	// Metrics, when set, counts the sessions and the commands.
	Metrics *Metrics
}

// CommandHandler runs one command line for an administrator, with the session's streams. It
// ends when ctx does: the client went away or the server stops.
type CommandHandler func(ctx context.Context, c Command) Result

// Command is one command line a client sent: who, from where, and with what.
type Command struct {
	Admin store.Admin
	Addr  string   // the client's address
	Args  []string // the command line, without the program's name
	Env   []string // the environment the client sent (KEY=VALUE)
	Stdio
}

// Result is how a command ended: its exit status, and the command it was ("export",
// "order show"; "" when the line named none), for the metrics.
type Result struct {
	Status  int
	Command string
}

// Stdio is a command's standard streams.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// Server serves the console over SSH to the administrators' keys. Every session shares the
// services (one store, one sync engine) and has its own renderer, model and actor.
type Server struct {
	svc  ui.Services
	opt  Options
	srv  *ssh.Server
	log  *slog.Logger
	live atomic.Int64
	gate *gate
	warn *rateLog // what clients can make the server say, at a bounded rate

	mu        sync.Mutex
	sessions  map[*sshSession]struct{}
	commands  map[*runningCommand]struct{}
	conns     map[string]int // authenticated connections per administrator
	consoles  map[string]int // consoles per administrator
	closing   bool
	stopCause error // what the commands' contexts end with once closing
	wg        sync.WaitGroup

	revoke *revoker // ends the sessions whose access is taken away
}

type sshSession struct {
	sess    ssh.Session // its channel: a connection may hold several sessions
	program *tea.Program
	model   *ui.Model
}

// consoleOf is the console running on a session's channel, or nil (a command, or not yet).
func (s *Server) consoleOf(sess ssh.Session) *sshSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ss := range s.sessions {
		if ss.sess == sess {
			return ss
		}
	}
	return nil
}

type ctxKey string

// ctxAdmin holds, in the connection's context, the administrator the key belongs to.
const ctxAdmin ctxKey = "ponte-admin"

// permFingerprint is where the approved key's fingerprint goes in the connection's permissions.
const permFingerprint = "ponte-pubkey-fp"

// New builds the server; Serve starts it.
func New(svc ui.Services, o Options) (*Server, error) {
	if o.MaxSessions <= 0 {
		o.MaxSessions = 50
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	switch {
	case o.SupervisorSessions == 0:
		o.SupervisorSessions = o.MaxSessions / 10
	case o.SupervisorSessions < 0:
		o.SupervisorSessions = 0
	case o.SupervisorSessions >= o.MaxSessions:
		return nil, fmt.Errorf("the sessions kept for supervisors (%d) must be fewer than the sessions (%d)", o.SupervisorSessions, o.MaxSessions)
	}
	if o.MaxConnsPerAdmin <= 0 {
		o.MaxConnsPerAdmin = 20
	}
	if o.MaxConsolesPerAdmin <= 0 {
		o.MaxConsolesPerAdmin = 5
	}
	if o.MaxChannelsPerConn <= 0 {
		o.MaxChannelsPerConn = 10
	}
	if o.MaxEnvPerChannel <= 0 {
		o.MaxEnvPerChannel = 32
	}
	if o.MaxTime <= 0 {
		o.MaxTime = 12 * time.Hour
	}
	if o.MaxStartups.Full <= 0 {
		o.MaxStartups = DefaultStartups
	}
	if o.VersionTimeout <= 0 {
		o.VersionTimeout = 5 * time.Second
	}
	if o.MaxPendingPerAddr <= 0 {
		o.MaxPendingPerAddr = 8
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 20 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	hostKey, err := loadHostKey(o.HostKeyPath)
	if err != nil {
		return nil, err
	}
	warn := newRateLog(o.Logger)
	s := &Server{svc: svc, opt: o, log: o.Logger, sessions: map[*sshSession]struct{}{}, warn: warn,
		commands: map[*runningCommand]struct{}{}, conns: map[string]int{}, consoles: map[string]int{},
		gate: newGate(o.MaxStartups, o.MaxPendingPerAddr, o.VersionTimeout, o.HandshakeTimeout, warn)}
	s.revoke = newRevoker(s)
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(hostKey),
		ssh.WrapConn(s.admit),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{AuthLogCallback: func(_ gossh.ConnMetadata, method string, err error) {
					switch {
					case err == nil:
						s.gate.authenticated(ctx)
						s.connAuthenticated(ctx)
					case method == "publickey":
						s.gate.refusedKey(ctx)
					}
				}}
			}
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			return nil
		},
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithIdleTimeout(o.IdleTimeout),
		wish.WithMaxTimeout(o.MaxTime),
		// Listed innermost first: the last runs first.
		wish.WithMiddleware(
			s.console,
			s.command,
			s.recoverSession,
			s.register,
			s.revocable,
			s.verifyKey,
			s.logging,
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// authorize lets in the keys that belong to an administrator, and only them; passwords and
// keyboard-interactive are not offered at all.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	admin, err := s.keyAdmin(key)
	if err != nil {
		s.warn.warn("ssh key refused", "fingerprint", fp, "addr", ctx.RemoteAddr().String(),
			"user", clientString(ctx.User()), "client", clientString(ctx.ClientVersion()))
		return false
	}
	ctx.SetValue(ctxAdmin, admin)
	if ctx.Permissions().Extensions == nil {
		ctx.Permissions().Extensions = map[string]string{}
	}
	ctx.Permissions().Extensions[permFingerprint] = fp
	return true
}

// verifyKey checks that the key the session uses is the one that was approved: the callback
// may see keys the client only offered.
func (s *Server) verifyKey(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		want := sess.Permissions().Extensions[permFingerprint]
		if key == nil || want == "" || gossh.FingerprintSHA256(key) != want {
			s.warn.warn("ssh session without its approved key", "addr", sess.RemoteAddr().String())
			wish.Fatalln(sess, ui.SayAccessDenied)
			return
		}
		next(sess)
	}
}

// logging records who connected, from where, with which key, and for how long.
func (s *Server) logging(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		login := ""
		if a, ok := sess.Context().Value(ctxAdmin).(store.Admin); ok {
			login = a.Login
		}
		fp := sess.Permissions().Extensions[permFingerprint]
		_, _, pty := sess.Pty()
		s.log.Info("ssh connect", "login", login, "addr", sess.RemoteAddr().String(), "fingerprint", fp, "pty", pty)
		next(sess)
		s.log.Info("ssh disconnect", "login", login, "addr", sess.RemoteAddr().String(), "fingerprint", fp,
			"duration", time.Since(start).Round(time.Millisecond))
	}
}

// register enforces the session limit and keeps every running program, for shutdown notices;
// it releases the session's subscription when it ends.
func (s *Server) register(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			wish.Fatalln(sess, ui.SayShuttingDown)
			return
		}
		admin, _ := sess.Context().Value(ctxAdmin).(store.Admin)
		say, why, release := s.sessionRefusal(sess, admin)
		if say != "" {
			s.mu.Unlock()
			s.warn.warn("ssh session refused: "+why, "login", admin.Login, "addr", sess.RemoteAddr().String())
			wish.Fatalln(sess, say)
			return
		}
		s.live.Add(1)
		s.wg.Add(1)
		s.mu.Unlock()
		defer release()
		defer s.wg.Done()
		defer s.live.Add(-1)
		next(sess)
		s.mu.Lock()
		closing := s.closing
		for ss := range s.sessions {
			if ss.sess == sess {
				delete(s.sessions, ss)
				ss.model.Close() // its progress subscription
			}
		}
		s.mu.Unlock()
		if closing {
			wish.Println(sess, ui.SayShuttingDown)
		}
	}
}

// command hands a session that asks for a command to the handler, as the key's administrator;
// the command ends with the session. Any other session goes on to the console.
func (s *Server) command(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 {
			next(sess)
			return
		}
		admin, ok := sess.Context().Value(ctxAdmin).(store.Admin)
		if !ok {
			return
		}
		if s.opt.Commands == nil {
			wish.Fatalln(sess, ui.SayNoCommands)
			return
		}
		start := time.Now()
		addr := sess.RemoteAddr().String()
		ctx, done := s.commandContext(sess.Context())
		defer done()
		name := ""
		if s.opt.CommandName != nil {
			name = s.opt.CommandName(args)
		}
		s.log.Info("ssh command", "login", admin.Login, "addr", addr, "command", name, "args", logArgs(args))
		res := s.opt.Commands(ctx, Command{Admin: admin, Addr: addr, Args: args, Env: sess.Environ(),
			Stdio: Stdio{In: sess, Out: sess, Err: sess.Stderr()}})
		s.log.Info("ssh command ended", "login", admin.Login, "addr", addr, "command", res.Command, "status", res.Status,
			"duration", time.Since(start).Round(time.Millisecond))
		if s.opt.Metrics != nil {
			s.opt.Metrics.command(res.Command, res.Status)
		}
		_ = sess.Exit(res.Status)
	}
}

// program builds the session's console: its renderer, its actor, its model, all ending with
// life.
func (s *Server) program(sess ssh.Session, life *consoleLife) *tea.Program {
	admin, ok := sess.Context().Value(ctxAdmin).(store.Admin)
	if !ok {
		return nil
	}
	if _, _, pty := sess.Pty(); !pty {
		wish.Fatalln(sess, ui.SayNeedsTerminal)
		return nil
	}
	svc := s.svc
	svc.Served = true
	m := ui.New(svc, ui.Session{
		Actor:   store.Actor{Who: admin.Login, From: "ssh " + sess.RemoteAddr().String()},
		Admin:   &admin, // an operator sees their associations only
		Context: life.ctx,
	})
	// The server, not each program, handles SIGINT and SIGTERM: a signal must reach Shutdown,
	// which tells every session before it quits them. The colours are the client's: its TERM
	// and the environment it sent (NO_COLOR included); TERM=dumb gets plain text.
	opts := append(bm.MakeOptions(sess), tea.WithContext(life.ctx), tea.WithoutSignalHandler(),
		tea.WithColorProfile(sessionProfile(sess)))
	if sess.EmulatedPty() {
		opts = append(opts, tea.WithInput(life.input(ui.Input(sess)))) // esc answers at once (see ui.Input)
	}
	p := tea.NewProgram(m, opts...)
	ss := &sshSession{sess: sess, program: p, model: m}
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	return p
}

// sessionProfile is the colour profile of an SSH client's terminal, from the TERM of its
// pty-req and the environment it sent.
func sessionProfile(sess ssh.Session) colorprofile.Profile {
	pty, _, _ := sess.Pty()
	if pty.Term == "" || pty.Term == "dumb" {
		return colorprofile.NoTTY
	}
	return colorprofile.Env(append(sess.Environ(), "TERM="+pty.Term))
}

// Serve accepts sessions on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Sessions counts the sessions open now.
func (s *Server) Sessions() int { return int(s.live.Load()) }

// Shutdown stops accepting, tells every session "servidor encerrando", lets them quit, and
// after grace closes whatever is left.
func (s *Server) Shutdown(grace time.Duration) { s.ShutdownCause(grace, nil) }

// ShutdownCause is Shutdown, saying why (the signal that stops the server): every running
// command is stopped at once with a cause that is syncer.ErrShutdown joined to why, so that a
// sync stops as interrupted by the shutdown and the client gets the command's exit status
// and its message before the connection closes.
func (s *Server) ShutdownCause(grace time.Duration, why error) {
	s.mu.Lock()
	s.closing = true
	s.stopCommandsLocked(why)
	var programs []*tea.Program
	for ss := range s.sessions {
		programs = append(programs, ss.program)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	stopped := make(chan struct{})
	go func() { _ = s.srv.Shutdown(ctx); close(stopped) }() // waits for sessions to end
	for _, p := range programs {
		go p.Send(ui.ShutdownMsg{}) // Send blocks until the program takes it, or has ended
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("sessions still open after the grace period; closing them")
	}
	_ = s.srv.Close()
	<-stopped
	s.wg.Wait()
	s.warn.flush()
}
