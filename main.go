// Command ponte is a terminal console for the operators of a vehicle-tracking company whose
// customers are vehicle-protection associations running Hinova's SGA. See README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"golang.org/x/crypto/ssh"

	"ponte/sga"
	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/store/safefile"
	"ponte/ui"
	uissh "ponte/ui/ssh"
)

// Exit statuses, a contract scripts rely on.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitPartial = 3
)

// errPartial makes a command exit 3: a sync that ended with some records in error.
var errPartial = errors.New("finished with errors")

// errUsage marks a command-line mistake: the command prints its usage and exits 2.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: the global flags and the standard streams.
type env struct {
	db     string
	sgaURL string
	mouse  bool
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "serve the console over SSH to the administrators' keys: serve --listen ADDR", runServe},
		{"demo", "open the console on a built-in SGA simulator with sample data (a temporary database unless --db)", runDemo},
		{"config", "the SGA integration: config set [flags], config show, config test", runConfig},
		{"sync", "run one sync now, headless: every client, or --client CPF; --json prints the run", runSync},
		{"import", "the headless Importar: import --client CODE_OR_CPF VEHICLE... (codes or plates)", runImport},
		{"export", "write every record of a kind as JSON lines (or CSV): clients, vehicles, contracts, orders, runs, audit", runExport},
		{"backup", "write a consistent copy of the database to FILE", runBackup},
		{"admin", "administrator profiles: admin add --login L --name N [--ssh-key FILE]; admin list", runAdmin},
		{"sga-sim", "run the SGA simulator alone: prints its URL and credentials as one JSON line, then serves", runSim},
		{"help", "show this help, or a command's: ponte help COMMAND", nil},
	}
}

// memoryLimit is the Go heap's soft limit for the commands that sync, unless GOMEMLIMIT says
// otherwise: the GC then keeps the heap near what is live instead of letting it double, which
// holds a full sync of 75,000 vehicles under 150 MB of resident memory (bbolt's mapped file
// included). The simulator, whose register alone can be larger, is left alone.
const memoryLimit = 96 << 20

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	global := flag.NewFlagSet("ponte", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.db, "db", os.Getenv("PONTE_DB"), "database `path` (env PONTE_DB)")
	global.StringVar(&e.sgaURL, "sga-url", os.Getenv("PONTE_SGA_URL"), "SGA base `URL` for this command (env PONTE_SGA_URL)")
	global.BoolVar(&e.mouse, "mouse", false, "let the console use the mouse (the wheel scrolls lists); it stops the terminal's own text selection")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, global)
			return exitOK
		}
		fmt.Fprintf(stderr, "ponte: %v\n\n", err)
		usage(stderr, global)
		return exitUsage
	}
	rest := global.Args()
	if len(rest) == 0 {
		if err := runConsole(ctx, e); err != nil {
			fmt.Fprintf(stderr, "ponte: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	name, cmdArgs := rest[0], rest[1:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(cmdArgs) > 0 {
			return run(ctx, []string{cmdArgs[0], "-h"}, stdout, stderr)
		}
		usage(stdout, global)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name || c.run == nil {
			continue
		}
		err := c.run(ctx, e, cmdArgs)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			return exitUsage
		case errors.Is(err, errPartial):
			return exitPartial
		default:
			fmt.Fprintf(stderr, "ponte %s: %v\n", name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "ponte: unknown command %q\n\n", name)
	usage(stderr, global)
	return exitUsage
}

func usage(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintln(w, "ponte: a console for SGA associations' vehicles, contracts and service orders")
	fmt.Fprintln(w, "\nUsage: ponte [--db PATH] [--sga-url URL] [COMMAND [flags]]")
	fmt.Fprintln(w, "\nWith no command, ponte opens the console on this terminal.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	global.SetOutput(w)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nExit status: 0 success, 1 failure, 2 bad usage, 3 a sync that finished with some records in error.")
	fmt.Fprintf(w, "Database: --db, else PONTE_DB, else %s\n", defaultDBPath())
}

// defaultDBPath is ponte.db in the user's data directory.
func defaultDBPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
			if d, err := os.UserConfigDir(); err == nil {
				dir = d
			}
		} else if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
	}
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, "ponte", "ponte.db")
}

// withStore opens the database the global flags name for writing, runs fn, and closes it.
func (e *env) withStore(fn func(*store.Store) error) error {
	return e.openStore(store.Options{}, fn)
}

// readStore is withStore for the commands that only read: the database is opened read-only,
// so that nothing is created, migrated or written, whatever the file holds.
func (e *env) readStore(fn func(*store.Store) error) error {
	return e.openStore(store.Options{ReadOnly: true}, fn)
}

func (e *env) openStore(o store.Options, fn func(*store.Store) error) error {
	s, err := store.Open(e.dbPath(), o)
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (e *env) dbPath() string {
	if e.db != "" {
		return e.db
	}
	return defaultDBPath()
}

// hostKeyPath is where ponte serve keeps its SSH host key unless --host-key says otherwise.
func hostKeyPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "ponte_host_ed25519")
}

// actor is who runs a command: the system user, from the command line.
func actor() store.Actor {
	who := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	return store.Actor{Who: who, From: "cli"}
}

func runExport(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "KIND [--format json|csv]\n\nKIND is one of: "+strings.Join(store.ExportKinds, ", "))
	format := fs.String("format", "json", "json (JSON lines) or csv")
	kind, rest := firstArg(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if !slices.Contains(store.ExportKinds, kind) || (*format != "json" && *format != "csv") {
		fs.Usage()
		return errUsage
	}
	return e.readStore(func(s *store.Store) error {
		w := bufio.NewWriter(e.stdout)
		if _, err := s.Export(kind, *format, w); err != nil {
			return err
		}
		return w.Flush()
	})
}

func runBackup(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "FILE [--force]\n\nFILE must not exist, unless --force; it is never the database, its key or the SSH host key.")
	force := fs.Bool("force", false, "replace FILE if it is an existing regular file")
	file, rest := firstArg(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if file == "" {
		fs.Usage()
		return errUsage
	}
	return e.readStore(func(s *store.Store) error {
		n, err := s.BackupFile(file, *force, hostKeyPath(s.Path()))
		if errors.Is(err, safefile.ErrExists) {
			return fmt.Errorf("%w; choose a new name, or add --force to replace it", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d bytes written to %s\n", n, file)
		fmt.Fprintf(e.stderr, "the secrets in it open only with %s (or PONTE_SECRET_KEY): keep a copy of that key apart\n", store.KeyPath(s.Path()))
		return nil
	})
}

func runAdmin(_ context.Context, e *env, args []string) error {
	sub, rest := firstArg(args)
	switch sub {
	case "add":
		fs := newFlags(e, "admin add", "--login LOGIN --name NAME [--email EMAIL] [--ssh-key FILE]...")
		login := fs.String("login", "", "unique login (2 to 32 of a-z, 0-9, '.', '_', '-')")
		name := fs.String("name", "", "full name")
		email := fs.String("email", "", "e-mail")
		var keyFiles []string
		fs.Func("ssh-key", "a public key file (.pub); repeat for several", func(v string) error {
			keyFiles = append(keyFiles, v)
			return nil
		})
		authorized := fs.String("authorized-keys", "", "an authorized_keys file whose key comments name existing logins: adds each key to its administrator")
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if *authorized != "" {
			return addAuthorizedKeys(e, *authorized)
		}
		if *login == "" || *name == "" {
			fs.Usage()
			return errUsage
		}
		var keys []store.SSHKey
		for _, f := range keyFiles {
			k, err := readPublicKey(f)
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return e.withStore(func(s *store.Store) error {
			a, err := s.AddAdmin(store.Admin{Login: *login, Name: *name, Email: *email, Keys: keys}, actor())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "administrator %s (%s) added with %d key(s)\n", a.Login, a.Name, len(a.Keys))
			return nil
		})
	case "list":
		fs := newFlags(e, "admin list", "")
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		return e.readStore(func(s *store.Store) error {
			admins, err := s.Admins()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "LOGIN\tNAME\tE-MAIL\tKEYS")
			for _, a := range admins {
				var fps []string
				for _, k := range a.Keys {
					fps = append(fps, k.Fingerprint)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Login, a.Name, a.Email, strings.Join(fps, " "))
			}
			return tw.Flush()
		})
	default:
		fmt.Fprintln(e.stderr, "Usage: ponte admin add --login LOGIN --name NAME [--email EMAIL] [--ssh-key FILE]...\n       ponte admin list")
		if sub == "-h" || sub == "--help" {
			return nil
		}
		return errUsage
	}
}

// addAuthorizedKeys gives each key of an authorized_keys file to the administrator its comment
// names. Every line is checked first: one that cannot be read, or names no administrator,
// stops the whole file.
func addAuthorizedKeys(e *env, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	type entry struct {
		login string
		key   store.SSHKey
	}
	var entries []entry
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pk, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return fmt.Errorf("%s line %d: not an SSH public key: %w", path, n+1, err)
		}
		login := strings.TrimSpace(comment)
		if i := strings.IndexByte(login, '@'); i > 0 {
			login = login[:i] // "maria@laptop" names maria
		}
		if login == "" {
			return fmt.Errorf("%s line %d: the key's comment must name a login", path, n+1)
		}
		entries = append(entries, entry{login, store.SSHKey{Fingerprint: ssh.FingerprintSHA256(pk),
			Line: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment, Comment: comment}})
	}
	return e.withStore(func(s *store.Store) error {
		for _, en := range entries {
			if _, err := s.AdminByLogin(en.login); err != nil {
				return fmt.Errorf("no administrator %q (add it first with ponte admin add --login %s --name NAME); nothing was added", en.login, en.login)
			}
		}
		for _, en := range entries {
			if err := s.AddAdminKey(en.login, en.key, actor()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s: %s\n", en.login, en.key.Fingerprint)
		}
		return nil
	})
}

// runServe serves the console over SSH until SIGINT or SIGTERM, then shuts down cleanly: the
// sessions are told, the sync stops at a checkpoint, the database closes.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "[--listen ADDR] [--host-key PATH] [--max-sessions N] [--idle-timeout D] [--max-time D] [--max-pending N] [--max-pending-per-addr N] [--handshake-timeout D] [--log FILE]")
	listen := fs.String("listen", "127.0.0.1:2222", "address to listen on")
	hostKey := fs.String("host-key", "", "the server's SSH key, made on first start (default: beside the database)")
	var o uissh.Options
	fs.IntVar(&o.MaxSessions, "max-sessions", 50, "sessions at once")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", 30*time.Minute, "close a session idle this long")
	fs.DurationVar(&o.MaxTime, "max-time", 12*time.Hour, "the longest a session may last")
	fs.IntVar(&o.MaxPending, "max-pending", 64, "connections waiting to authenticate at once; more are refused")
	fs.IntVar(&o.MaxPendingPerAddr, "max-pending-per-addr", 8, "connections from one address waiting to authenticate at once")
	fs.DurationVar(&o.HandshakeTimeout, "handshake-timeout", 20*time.Second, "close a connection that has not authenticated within this")
	logFile := fs.String("log", "", "write the log to FILE instead of stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logOut := e.stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		logOut = f
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	o.Logger = logger
	// wish logs every session that a client closes as an error, in its own format; ponte's
	// structured log already records each disconnect.
	charmlog.SetLevel(charmlog.FatalLevel)
	limitMemory()
	return e.withStore(func(s *store.Store) error {
		o.HostKeyPath = *hostKey
		if o.HostKeyPath == "" {
			o.HostKeyPath = hostKeyPath(s.Path())
		}
		eng := syncer.New(s, syncer.Options{Logger: logger})
		defer eng.Close() // after the sessions: a running sync stops at its checkpoint
		eng.StartSchedule()
		srv, err := uissh.New(ui.Services{Store: s, Engine: eng, Logger: logger, SGAURL: e.sgaURL}, o)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", *listen, err)
		}
		logger.Info("serving the console over ssh", "addr", ln.Addr().String(), "host_key", o.HostKeyPath, "db", s.Path())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
		}
		logger.Info("shutting down", "sessions", srv.Sessions())
		srv.Shutdown(5 * time.Second)
		<-served
		logger.Info("stopped")
		return nil
	})
}

// readPublicKey reads one public key in authorized_keys form (a .pub file).
func readPublicKey(path string) (store.SSHKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return store.SSHKey{}, fmt.Errorf("read SSH key: %w", err)
	}
	pk, comment, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return store.SSHKey{}, fmt.Errorf("%s is not an SSH public key: %w", path, err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		line += " " + comment
	}
	return store.SSHKey{Fingerprint: ssh.FingerprintSHA256(pk), Line: line, Comment: comment}, nil
}

// firstArg splits off a leading positional argument (one that is not a flag).
func firstArg(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// newFlags makes a command's flag set; its usage goes to stderr with the command's synopsis.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("ponte "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ponte %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a command's flags and refuses stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

func runSim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sga-sim", "[--listen ADDR] [flags]")
	listen := fs.String("listen", "127.0.0.1:8765", "address to listen on (port 0 picks a free one)")
	var o sim.Options
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the generated data")
	fs.IntVar(&o.Members, "members", 300, "associados to generate (10 to 100000)")
	fs.IntVar(&o.PageSize, "page-size", 500, "records per supplier-sync page")
	fs.DurationVar(&o.Faults.Latency, "latency", 0, "latency added to every response")
	fs.DurationVar(&o.Faults.Jitter, "jitter", 0, "random extra latency, up to this")
	fs.Float64Var(&o.Faults.Fail5xx, "fail-5xx", 0, "rate (0 to 1) of responses that are 500, 502 or 503")
	fs.Float64Var(&o.Faults.Fail429, "fail-429", 0, "rate of responses that are 429 with Retry-After: 1")
	fs.Float64Var(&o.Faults.FailHang, "fail-hang", 0, "rate of requests held until the client gives up")
	fs.Float64Var(&o.Faults.FailMalformed, "fail-malformed", 0, "rate of responses with one record, or the body, corrupted")
	fs.DurationVar(&o.Faults.HangFor, "hang-for", 5*time.Minute, "longest a hung request is held")
	fs.IntVar(&o.Faults.BlockAfter, "block-after", 0, "block a token after more than N requests within --block-window (0: never)")
	fs.DurationVar(&o.Faults.BlockWindow, "block-window", time.Minute, "the extraction block's counting window")
	fs.DurationVar(&o.Faults.BlockFor, "block-for", time.Hour, "how long the extraction block lasts")
	fs.StringVar(&o.AccessHours, "access-hours", "", "the SGA user may work only within HH:MM-HH:MM (local time)")
	deny := fs.String("deny-routes", "", "comma-separated routes not enabled for the tokens (e.g. listar/veiculo)")
	fs.IntVar(&o.NotAllowedStatus, "not-allowed-status", 404, "HTTP status for a route not enabled (404, 401 or 403)")
	fs.BoolVar(&o.AllowAPIKeyOnData, "allow-api-key-on-data", false, "accept the chave API as Bearer on data routes, as older SGAs did")
	paging := fs.String("paging", "offset0", "what listar/veiculo's inicio_paginacao means: offset0, offset1 or page")
	churn := fs.Duration("churn", 0, "apply a round of changes (situações, vehicles, associados) this often (0: never)")
	verbose := fs.Bool("verbose", false, "log every request to stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *paging {
	case "offset0":
		o.Paging = sim.PagingOffset0
	case "offset1":
		o.Paging = sim.PagingOffset1
	case "page":
		o.Paging = sim.PagingPageIndex
	default:
		fmt.Fprintf(e.stderr, "--paging must be offset0, offset1 or page, not %q\n", *paging)
		return errUsage
	}
	if *deny != "" {
		for _, r := range strings.Split(*deny, ",") {
			o.DeniedRoutes = append(o.DeniedRoutes, strings.TrimSpace(r))
		}
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	o.Logger = logger
	s, err := sim.New(o)
	if err != nil {
		fmt.Fprintf(e.stderr, "ponte sga-sim: %v\n", err)
		return errUsage
	}
	defer s.Close()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	creds := s.Credentials()
	creds.URL = "http://" + ln.Addr().String() + sim.BasePath
	members, vehicles := s.Counts()
	line, _ := json.Marshal(struct {
		sim.Credentials
		Seed     uint64 `json:"seed"`
		Members  int    `json:"members"`
		Vehicles int    `json:"vehicles"`
	}{creds, o.Seed, members, vehicles})
	fmt.Fprintln(e.stdout, string(line))

	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	var churning sync.WaitGroup
	churnCtx, stopChurn := context.WithCancel(ctx)
	defer func() { stopChurn(); churning.Wait() }()
	if *churn > 0 {
		churning.Go(func() {
			s.RunChurn(churnCtx, *churn, func(r sim.ChurnReport) { logger.Info("churn", "report", r.String()) })
		})
	}
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.Close() // release hung requests first, so that Shutdown need not wait for them
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-done
	return nil
}

func runConfig(ctx context.Context, e *env, args []string) error {
	sub, rest := firstArg(args)
	switch sub {
	case "set":
		return configSet(ctx, e, rest)
	case "show":
		fs := newFlags(e, "config show", "")
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		return e.readStore(func(s *store.Store) error { return configShow(e, s) })
	case "test":
		fs := newFlags(e, "config test", "[--timeout D]")
		timeout := fs.Duration("timeout", time.Minute, "the longest the whole test may take")
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if *timeout <= 0 {
			fmt.Fprintln(e.stderr, "--timeout must be positive")
			return errUsage
		}
		return e.readStore(func(s *store.Store) error { return configTest(ctx, e, s, *timeout) })
	default:
		fmt.Fprintln(e.stderr, "Usage: ponte config set [--sga-url URL] [--user USER] [--product-code CODE] [--password-stdin] [--api-key-stdin] [--sync-token-stdin]\n       ponte config show\n       ponte config test [--timeout D]")
		if sub == "-h" || sub == "--help" {
			return nil
		}
		return errUsage
	}
}

// configSet saves the integration. Secrets never come from argv: from PONTE_SGA_PASSWORD,
// PONTE_SGA_API_KEY and PONTE_SGA_SYNC_TOKEN, or from stdin, one line per --*-stdin flag in
// the order password, API key, sync token.
func configSet(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "config set", "[--sga-url URL] [--user USER] [--product-code CODE] [--password-stdin] [--api-key-stdin] [--sync-token-stdin]\n\n"+
		"Secrets come from PONTE_SGA_PASSWORD, PONTE_SGA_API_KEY and PONTE_SGA_SYNC_TOKEN, or from stdin\n"+
		"(one line each, in the order password, API key, sync token), never from the command line.")
	url := fs.String("sga-url", "", "SGA base URL, e.g. "+sga.DefaultBaseURL)
	user := fs.String("user", "", "SGA user (Usuário)")
	code := fs.String("product-code", "", "our product's code in SGA (Código do Produto)")
	pwIn := fs.Bool("password-stdin", false, "read the password (Senha) from stdin")
	keyIn := fs.Bool("api-key-stdin", false, "read the API key (Chave API) from stdin")
	tokIn := fs.Bool("sync-token-stdin", false, "read the sync token (Sincronismo SGA) from stdin")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var p store.IntegrationPatch
	set := func(dst **string, field, v string) error {
		v = strings.TrimSpace(v)
		if err := store.CheckSetting(field, v); err != nil {
			return err
		}
		*dst = &v
		return nil
	}
	stdin := bufio.NewReader(os.Stdin)
	for _, f := range []struct {
		name, flag string
		given      *string
		dst        **string
		env        string
		fromStdin  bool
	}{
		{store.FieldSGAURL, "sga-url", url, &p.SGAURL, "", false},
		{store.FieldUser, "user", user, &p.User, "", false},
		{store.FieldProductCode, "product-code", code, &p.ProductCode, "", false},
		{store.FieldPassword, "", nil, &p.Password, "PONTE_SGA_PASSWORD", *pwIn},
		{store.FieldAPIKey, "", nil, &p.APIKey, "PONTE_SGA_API_KEY", *keyIn},
		{store.FieldSyncToken, "", nil, &p.SyncToken, "PONTE_SGA_SYNC_TOKEN", *tokIn},
	} {
		var v string
		switch {
		case f.fromStdin:
			line, err := stdin.ReadString('\n')
			if err != nil && (err != io.EOF || line == "") {
				return fmt.Errorf("read the %s from stdin: no line left", f.name)
			}
			v = line
		case f.env != "" && os.Getenv(f.env) != "":
			v = os.Getenv(f.env)
		case f.given != nil && flagSet(fs, f.flag):
			v = *f.given
		default:
			continue
		}
		if err := set(f.dst, f.name, v); err != nil {
			return err
		}
	}
	return e.withStore(func(s *store.Store) error {
		if p.ProductCode != nil {
			if err := e.checkProductCode(ctx, s, p); err != nil {
				return err
			}
		}
		changed, err := s.SetIntegration(p, actor())
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			fmt.Fprintln(e.stdout, "nothing changed")
			return nil
		}
		fmt.Fprintf(e.stdout, "saved: %s\n", strings.Join(changed, ", "))
		return nil
	})
}

func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// checkProductCode asks SGA, with the integration as it will be once p is saved, whether p's
// product code is one of its products. A code SGA does not have is refused, naming the codes
// it has: a wrong one would make every vehicle look gone at the next sync. When SGA cannot be
// asked, the code is saved with a warning.
func (e *env) checkProductCode(ctx context.Context, s *store.Store, p store.IntegrationPatch) error {
	in, err := s.Integration()
	if err != nil {
		return err
	}
	in = in.Patched(p)
	if e.sgaURL != "" {
		in.SGAURL = e.sgaURL
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = syncer.CheckProduct(ctx, in)
	switch {
	case errors.Is(err, syncer.ErrUnknownProduct):
		return fmt.Errorf("product-code: %w; nothing was saved", err)
	case err != nil:
		fmt.Fprintf(e.stderr, "warning: the product code could not be checked against SGA (%v); ponte config test checks it\n", err)
	}
	return nil
}

// newSGAClient is an SGA client for the integration as stored.
func newSGAClient(in store.Integration, timeout time.Duration) *sga.Client {
	return sga.New(sga.Config{BaseURL: in.SGAURL, Timeout: timeout, Credentials: sga.Credentials{
		User: in.User, Password: in.Password, APIKey: in.APIKey, SyncToken: in.SyncToken}})
}

// shown makes a stored value safe to print on a terminal: one saved before settings were
// checked may hold control characters the terminal would obey; it is printed quoted instead.
func shown(v string) string {
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return strconv.QuoteToGraphic(v)
	}
	return v
}

func configShow(e *env, s *store.Store) error {
	in, err := s.Integration()
	if err != nil {
		return err
	}
	url := in.SGAURL
	if u, err := neturl.Parse(url); err == nil && u.User != nil {
		url = u.Redacted() // saved before user info was refused
	}
	if url == "" {
		url = sga.DefaultBaseURL + " (default)"
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, row := range []struct{ label, field, value string }{
		{"sga url", store.FieldSGAURL, url},
		{"user", store.FieldUser, in.User},
		{"password", store.FieldPassword, store.Mask(in.Password)},
		{"api key", store.FieldAPIKey, store.Mask(in.APIKey)},
		{"product code", store.FieldProductCode, in.ProductCode},
		{"sync token", store.FieldSyncToken, store.Mask(in.SyncToken)},
	} {
		v := shown(row.value)
		if v == "" {
			v = "(not set)"
		}
		changed := ""
		if c, ok := in.Changes[row.field]; ok {
			changed = fmt.Sprintf("changed by %s at %s", c.By, c.At.Local().Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row.label, v, changed)
	}
	return tw.Flush()
}

// configTest probes every route ponte needs, then the product code, all within timeout; a
// route the time ran out on is reported "not finished".
func configTest(ctx context.Context, e *env, s *store.Store, timeout time.Duration) error {
	in, err := s.Integration()
	if err != nil {
		return err
	}
	if e.sgaURL != "" {
		in.SGAURL = e.sgaURL
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := newSGAClient(in, min(30*time.Second, timeout))
	defer c.Close()
	rep := c.Test(ctx)
	productErr := errors.New("not set")
	if in.ProductCode != "" {
		productErr = c.CheckProduct(ctx, in.ProductCode)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tROUTE\tRESULT\tDETAIL")
	for _, r := range rep.Results {
		detail := r.Skipped
		if r.Status == sga.ProbeUnfinished {
			detail = fmt.Sprintf("the test's %s ran out first", timeout)
		} else if r.Err != nil {
			detail = r.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.API, r.Route, r.Status, detail)
	}
	productStatus, detail := "ok", ""
	switch {
	case productErr == nil:
	case ctx.Err() != nil:
		productStatus, detail = "not finished", fmt.Sprintf("the test's %s ran out first", timeout)
	default:
		productStatus, detail = "failed", productErr.Error()
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", "product", "codigo_produto "+in.ProductCode, productStatus, detail)
	if err := tw.Flush(); err != nil {
		return err
	}
	if !rep.OK() || productErr != nil {
		if slices.ContainsFunc(rep.Results, func(r sga.ProbeResult) bool { return r.Status == sga.ProbeNotAllowed }) {
			fmt.Fprintln(e.stdout, "\nRoutes marked \"not allowed\" must be enabled for the token in SGA: Área Cliente > APIs > Gerenciar APIs.")
		}
		return errors.New("the connection test found problems")
	}
	return nil
}

func runSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync", "[--client CPF] [--json] [--workers N] [--rate R] [--max-gone PERCENT]")
	cpf := fs.String("client", "", "sync only this client, by CPF")
	asJSON := fs.Bool("json", false, "print the run's summary as JSON on stdout")
	var o syncer.Options
	fs.IntVar(&o.Workers, "workers", 4, "pages fetched at once")
	fs.Float64Var(&o.Rate, "rate", 4, "SGA requests per second at most (0: no limit)")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "timeout of one SGA request")
	fs.IntVar(&o.BatchVehicles, "batch", 5000, "vehicles written per transaction")
	fs.Float64Var(&o.MaxGone, "max-gone", 20, "the largest part of the stored fleet, in percent, one sync may mark as gone from SGA's list; a run that would mark more marks nothing and exits 3 (100: no limit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.Workers < 1 || o.Workers > 64 || o.Rate < 0 || o.BatchVehicles < 1 || o.MaxGone <= 0 || o.MaxGone > 100 {
		fmt.Fprintln(e.stderr, "--workers must be from 1 to 64, --rate at least 0, --batch at least 1 and --max-gone above 0 and at most 100")
		return errUsage
	}
	if o.Rate == 0 {
		o.Rate = -1
	}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	limitMemory()
	return e.withStore(func(s *store.Store) error {
		eng := syncer.New(s, o)
		defer eng.Close()
		updates, unsubscribe := eng.Hub().Subscribe()
		shown := make(chan struct{})
		go func() { defer close(shown); showProgress(e.stderr, updates) }()
		run, err := eng.Run(ctx, syncer.Request{CPF: *cpf, By: actor(), BaseURL: e.sgaURL})
		unsubscribe()
		<-shown
		if run.ID == 0 {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(run); jerr != nil {
				return jerr
			}
		} else {
			fmt.Fprintln(e.stdout, runSummary(run))
		}
		switch {
		case err != nil:
			return fmt.Errorf("run %d %s: %s", run.ID, run.Status, run.Reason)
		case run.Status == store.StatusPartial:
			return errPartial
		}
		return nil
	})
}

func runSummary(r store.Run) string {
	c := r.Counts
	took := r.FinishedAt.Sub(r.StartedAt).Round(100 * time.Millisecond)
	s := fmt.Sprintf("run %d %s in %s: %d clients, %d vehicles (%d new, %d updated), %d changed situação, %d left the list, %d errors",
		r.ID, r.Status, took, c.Clients(), c.Vehicles(), c.VehiclesCreated, c.VehiclesUpdated, c.SituationsChanged, c.VehiclesGone, r.ErrorCount)
	if r.Resumes != 0 {
		s += fmt.Sprintf(" (continued run %d from its checkpoint)", r.Resumes)
	}
	if r.Reason != "" {
		s += "; " + r.Reason
	}
	return s
}

// showProgress draws the sync's progress on w: a bar redrawn in place on a terminal, a plain
// line every few seconds (and on each change of phase) otherwise.
func showProgress(w io.Writer, updates <-chan syncer.Progress) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	var lastLine time.Time
	lastPhase := ""
	drawn := false
	for p := range updates {
		if !p.Running && p.Phase != syncer.PhaseDone {
			continue
		}
		line := progressLine(p)
		switch {
		case tty:
			fmt.Fprintf(w, "\r\033[K%s", line)
			drawn = true
		case p.Phase != lastPhase || time.Since(lastLine) >= 2*time.Second || !p.Running:
			fmt.Fprintln(w, line)
			lastLine = time.Now()
		}
		lastPhase = p.Phase
	}
	if tty && drawn {
		fmt.Fprintln(w)
	}
}

func progressLine(p syncer.Progress) string {
	const width = 24
	filled := int(p.Fraction() * width)
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	s := fmt.Sprintf("[%s] %3.0f%% %s pages %d/%d, %d clients, %d vehicles, %d errors",
		bar, p.Fraction()*100, p.Phase, p.PagesDone, p.PagesTotal, p.Clients, p.Vehicles, p.Errors)
	if p.Rate > 0 {
		s += fmt.Sprintf(", %.0f vehicles/s", p.Rate)
	}
	if p.ETA > 0 {
		s += ", " + p.ETA.Round(time.Second).String() + " left"
	}
	if p.Phase == syncer.PhasePaused {
		s += ", SGA blocked us until " + p.PausedUntil.Local().Format(time.TimeOnly)
	}
	if !p.Running && p.Status != "" {
		s += ": " + p.Status
	}
	return s
}

func runImport(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "import", "--client CODE_OR_CPF VEHICLE...\n\nVEHICLE is an SGA vehicle code or a plate. All or nothing: if any vehicle is refused, nothing is written.")
	clientArg := fs.String("client", "", "the client, by SGA code or CPF")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	vehicles := fs.Args()
	if *clientArg == "" || len(vehicles) == 0 {
		fs.Usage()
		return errUsage
	}
	return e.withStore(func(s *store.Store) error {
		c, err := findClient(s, *clientArg)
		if err != nil {
			return err
		}
		owned, err := s.VehiclesOfClient(c.SGACode)
		if err != nil {
			return err
		}
		// Every vehicle refused is named with its reason, not only the first.
		var codes []int64
		var refused []error
		for _, arg := range vehicles {
			code, err := findVehicle(owned, arg)
			if err != nil {
				refused = append(refused, err)
				continue
			}
			codes = append(codes, code)
		}
		var imported []store.Imported
		switch {
		case len(refused) > 0 && len(codes) > 0:
			err = s.CheckImport(c.SGACode, codes)
		case len(refused) == 0:
			imported, err = s.Import(c.SGACode, codes, actor())
		}
		if err != nil {
			refused = append(refused, joined(err)...)
		}
		if len(refused) > 0 {
			lines := []string{fmt.Sprintf("client %d (%s): nothing was imported; %d of %d vehicles refused:",
				c.SGACode, c.Name, len(refused), len(vehicles))}
			for _, one := range refused {
				lines = append(lines, "  "+one.Error())
			}
			return errors.New(strings.Join(lines, "\n"))
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CONTRACT\tSERVICE ORDER\tVEHICLE\tPLATE")
		for _, im := range imported {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", im.Contract.Number, im.Order.Number, im.Contract.VehicleSGACode, im.Contract.Plate)
		}
		return tw.Flush()
	})
}

// joined lists the errors an errors.Join holds, or the error itself.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// findClient finds a client by CPF (11 digits, masked or not) or SGA code.
func findClient(s *store.Store, arg string) (store.Client, error) {
	digits := sga.OnlyDigits(arg)
	if len(digits) == 11 {
		if c, err := s.ClientByCPF(digits); err == nil {
			return c, nil
		}
	}
	code, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	if err != nil {
		return store.Client{}, fmt.Errorf("no client with CPF %q", arg)
	}
	c, err := s.ClientByCode(code)
	if err != nil {
		return store.Client{}, fmt.Errorf("no client with SGA code or CPF %q", arg)
	}
	return c, nil
}

// findVehicle finds one of the client's vehicles by SGA code or plate.
func findVehicle(owned []store.VehicleView, arg string) (int64, error) {
	plate := store.NormalizePlate(arg)
	for _, v := range owned {
		if strconv.FormatInt(v.SGACode, 10) == strings.TrimSpace(arg) || (plate != "" && v.Plate == plate) {
			return v.SGACode, nil
		}
	}
	return 0, fmt.Errorf("%s: no such vehicle among the client's %d", arg, len(owned))
}

// runConsole opens the console on this terminal, with the daily sync schedule running.
func runConsole(ctx context.Context, e *env) error {
	limitMemory()
	return e.withStore(func(s *store.Store) error {
		return console(ctx, e, s, actor(), e.sgaURL)
	})
}

func console(ctx context.Context, e *env, s *store.Store, who store.Actor, sgaURL string) error {
	eng := syncer.New(s, syncer.Options{})
	defer eng.Close()
	eng.StartSchedule()
	var uopts []ui.Option
	if e.mouse {
		uopts = append(uopts, ui.WithMouse())
	}
	m := ui.New(ui.Services{Store: s, Engine: eng, SGAURL: sgaURL}, ui.Session{Actor: who, Context: ctx}, uopts...)
	defer m.Close()
	_, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // interrupted by a signal: a clean exit
	}
	return err
}

// runDemo starts a simulator in-process, a database with a demo administrator and the
// integration filled in with the simulator's credentials, and opens the console on it.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "[--members N] [--seed N] [--latency D] [--force]\n\n"+
		"Without the global --db the demo uses a temporary database. With ponte --db PATH demo it uses\n"+
		"PATH, and refuses one whose SGA integration is real (not a demo's) unless --force.")
	members := fs.Int("members", 300, "associados in the simulator")
	seed := fs.Uint64("seed", 1, "seed of the simulator's data")
	latency := fs.Duration("latency", 40*time.Millisecond, "latency of each simulated SGA request")
	force := fs.Bool("force", false, "with the global --db: replace the database's SGA integration with the simulator's even if it is a real one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sm, err := sim.New(sim.Options{Seed: *seed, Members: *members, PageSize: 50, Faults: sim.Faults{Latency: *latency}})
	if err != nil {
		fmt.Fprintf(e.stderr, "ponte demo: %v\n", err)
		return errUsage
	}
	defer sm.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sm, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	defer func() { sm.Close(); _ = srv.Close(); <-served }()

	path := e.db
	if path == "" {
		dir, err := os.MkdirTemp("", "ponte-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "ponte.db")
	}
	s, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	cr := sm.Credentials()
	if !*force {
		in, err := s.Integration()
		if err != nil {
			return err
		}
		if !isDemoIntegration(in, cr) {
			return fmt.Errorf("%s holds a real SGA integration (%s, user %q): the demo would replace it with the "+
				"simulator's and lose its password; run the demo without --db, or add --force", path, in.SGAURL, in.User)
		}
	}
	who := store.Actor{Who: "demo", From: "demo"}
	if _, err := s.AdminByLogin("demo"); errors.Is(err, store.ErrNotFound) {
		if _, err := s.AddAdmin(store.Admin{Login: "demo", Name: "Operador Demo", Email: "demo@example.com"}, who); err != nil {
			return err
		}
	}
	url := "http://" + ln.Addr().String() + sim.BasePath
	if _, err := s.SetIntegration(store.IntegrationPatch{SGAURL: &url, User: &cr.User, Password: &cr.Password,
		APIKey: &cr.APIKey, ProductCode: &cr.ProductCode, SyncToken: &cr.SyncToken}, who); err != nil {
		return err
	}
	return console(ctx, e, s, who, url)
}

// isDemoIntegration reports whether an integration is empty or one a demo wrote: the
// simulator's user at the simulator's path on a loopback address (the port and, with another
// seed, the secrets differ from demo to demo).
func isDemoIntegration(in store.Integration, cr sim.Credentials) bool {
	if in.SGAURL == "" && in.User == "" && in.Password == "" && in.APIKey == "" && in.SyncToken == "" && in.ProductCode == "" {
		return true
	}
	u, err := neturl.Parse(in.SGAURL)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback() && strings.HasSuffix(u.Path, sim.BasePath) && in.User == cr.User
}
