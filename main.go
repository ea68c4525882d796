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
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/crypto/ssh"

	"ponte/sga/sim"
	"ponte/store"
)

// Exit statuses, a contract scripts rely on.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

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
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"export", "write every record of a kind as JSON lines (or CSV): clients, vehicles, contracts, orders, runs, audit", runExport},
		{"backup", "write a consistent copy of the database to FILE", runBackup},
		{"admin", "administrator profiles: admin add --login L --name N [--ssh-key FILE]; admin list", runAdmin},
		{"sga-sim", "run the SGA simulator alone: prints its URL and credentials as one JSON line, then serves", runSim},
		{"help", "show this help, or a command's: ponte help COMMAND", nil},
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
		fmt.Fprintln(stderr, "ponte: the console is not available in this build yet; see ponte help")
		usage(stderr, global)
		return exitUsage
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
	fmt.Fprintln(w, "\nUsage: ponte [--db PATH] [--sga-url URL] COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	global.SetOutput(w)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nExit status: 0 success, 1 failure, 2 bad usage.")
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

// withStore opens the database the global flags name, runs fn, and closes it.
func (e *env) withStore(fn func(*store.Store) error) error {
	path := e.db
	if path == "" {
		path = defaultDBPath()
	}
	s, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
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
	return e.withStore(func(s *store.Store) error {
		w := bufio.NewWriter(e.stdout)
		if _, err := s.Export(kind, *format, w); err != nil {
			return err
		}
		return w.Flush()
	})
}

func runBackup(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "FILE")
	file, rest := firstArg(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if file == "" {
		fs.Usage()
		return errUsage
	}
	return e.withStore(func(s *store.Store) error {
		n, err := s.BackupFile(file)
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
		if err := parseFlags(fs, rest); err != nil {
			return err
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
		return e.withStore(func(s *store.Store) error {
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
