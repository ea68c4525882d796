// Package cli is ponte's command line: one cobra tree, styled by fang, whose commands open the
// console (ui), serve it over SSH (ui/ssh), sync (sga/syncer) and read or change the store.
// Execute runs one command line and returns its exit status; main only wires signals to it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"charm.land/fang/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"ponte/sga/syncer"
	"ponte/store"
)

// Exit statuses, a contract scripts rely on (docs/commands.md lists them).
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2 // a mistake on the command line
	ExitPartial = 3 // a sync that finished with some records in error
	ExitInUse   = 4 // another process holds the database
	ExitRefused = 5 // SGA refused the credentials (Usuário and Senha, or the Sincronismo SGA token)
	// A command stopped by signal N exits 128+N once it has stopped cleanly: 130 for SIGINT,
	// 143 for SIGTERM, 129 for SIGHUP (but ponte serve, which reopens its log on SIGHUP).
)

// Env is what a command line runs with: its standard streams, and the hangups (SIGHUP) the
// process receives, which ponte serve takes to reopen its log and any other command as a stop.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Hangup         <-chan struct{}
}

// Interrupted is the cause of the context main gives Execute when a signal stops the command.
type Interrupted struct{ Signal os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + i.Signal.String() }

func (i Interrupted) status() int {
	if s, ok := i.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// Execute runs one command line and returns its exit status.
func Execute(ctx context.Context, args []string, env Env) int {
	status, _ := execute(ctx, args, env, nil)
	return status
}

// execute runs one command line, here or (h set) inside ponte serve, and returns its exit
// status and the command it named ("" for none).
func execute(ctx context.Context, args []string, env Env, h *host) (int, string) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &app{env: env, stop: cancel, host: h, args: args}
	root := a.root()
	root.SetArgs(args)
	a.ran = commandOf(root, args) // before cobra runs it: named even when its arguments are refused
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	// cobra's completion command, made now rather than when it runs (it writes to the streams
	// set above), to keep the global flags out of its help.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			hideGlobals(root, c)
		}
	}
	done := make(chan struct{})
	defer close(done)
	go a.watchHangups(done)
	var err error
	if h == nil {
		sizeFangHelp()
		restore := keepFangFromAsking()
		err = fang.Execute(ctx, root, fang.WithVersion(Version()), fang.WithoutManpage(), fang.WithErrorHandler(a.showError),
			fang.WithColorSchemeFunc(a.colorScheme))
		restore()
	} else {
		// Inside ponte serve, fang is left out: for help and errors it asks the process's own
		// terminal (the server's, when it runs in one) for its background colour. The client's
		// streams are never a terminal here, so cobra's plain help and plain errors are what
		// fang would have written to them.
		root.SilenceUsage, root.SilenceErrors = true, true
		root.Version = Version()
		if err = root.ExecuteContext(ctx); err != nil {
			a.showError(env.Stderr, fang.Styles{}, err)
		}
	}
	cause := context.Cause(ctx)
	if errors.Is(cause, syncer.ErrShutdown) { // inside ponte serve, which is stopping
		fmt.Fprintln(env.Stderr, "ponte: stopped: the server is shutting down; run the command again once it is back (a sync continues from its checkpoint)")
	}
	var sig Interrupted
	if errors.As(cause, &sig) {
		return sig.status(), a.ran
	}
	return exitStatus(err), a.ran
}

// commandOf is the command a command line names under root ("export", "order show"), ""
// for none.
func commandOf(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != root {
		return strings.TrimPrefix(c.CommandPath(), "ponte ")
	}
	return ""
}

// CommandName is the command a command line names ("export", "order show"), "" for none:
// what ponte serve logs of a command an SSH client sends, before it runs.
func CommandName(args []string) string {
	a := &app{env: Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}}
	return commandOf(a.root(), args)
}

// app is one command line's state: the global flags and the streams every command shares.
type app struct {
	env    Env
	stop   context.CancelCauseFunc
	db     string // --db
	sgaURL string // --sga-url
	assoc  string // --association
	args   []string
	host   *host  // set when the command runs inside ponte serve
	ran    string // the command the line names ("export", "order show"), "" for none
	bg     background

	mu       sync.Mutex
	onHangup func() // set by ponte serve; otherwise a hangup stops the command
}

// watchHangups turns each SIGHUP into the command's own handling of it, until done.
func (a *app) watchHangups(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-a.env.Hangup:
			a.mu.Lock()
			h := a.onHangup
			a.mu.Unlock()
			if h == nil {
				a.stop(Interrupted{Signal: syscall.SIGHUP})
				continue
			}
			h()
		}
	}
}

// handleHangups makes SIGHUP call h instead of stopping the command.
func (a *app) handleHangups(h func()) {
	a.mu.Lock()
	a.onHangup = h
	a.mu.Unlock()
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "ponte",
		Short: "A console for SGA associations' vehicles, contracts and service orders",
		Long: "ponte brings an association's members and vehicles out of its SGA, syncs them daily, and turns\n" +
			"the vehicles an operator ticks into contracts and installation service orders.\n\n" +
			"With no command, ponte opens the console on this terminal. The database is --db, else PONTE_DB,\n" +
			"else ponte/ponte.db in the user's data directory ($XDG_DATA_HOME, or ~/.local/share).",
		Args:              a.noCommand,
		RunE:              a.runConsole,
		ValidArgsFunction: cobra.NoFileCompletions,
		PersistentPreRunE: a.guard,
	}
	root.Flags().Bool("mouse", false, "let the console use the mouse (the wheel scrolls lists); it stops the terminal's own text selection")
	g := root.PersistentFlags()
	g.StringVar(&a.db, "db", "", "the database file (env PONTE_DB; default: ponte/ponte.db in the data directory)")
	g.StringVar(&a.sgaURL, "sga-url", "", "the SGA base URL for this command only (env PONTE_SGA_URL)")
	g.StringVarP(&a.assoc, "association", "a", "", "the association to work in, by short name (env PONTE_ASSOCIATION); needed when there is more than one")
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	help := &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				word := strings.Join(args, " ")
				if len(rest) > 0 {
					word = rest[0]
				}
				return unknownCommand(cmd, word)
			}
			return cmd.Help()
		},
	}
	root.SetHelpCommand(help)
	root.AddCommand(a.demoCmd(), a.serveCmd(), a.syncCmd(), a.configCmd(), a.importCmd(), a.exportCmd(),
		a.backupCmd(), a.adminCmd(), a.runsCmd(), a.pendingCmd(), a.orderCmd(), a.associationCmd(), a.simCmd(), manCmd())
	// The commands that work on no database, no association and no SGA of ponte's: the
	// simulator, the manual page, help, and the shell completions (execute makes them).
	hideGlobals(root, help)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "sga-sim", "man":
			hideGlobals(root, c)
		}
	}
	return root
}

// hideGlobals keeps the root's persistent flags (--db, --sga-url, --association) out of cmd's
// help and its subcommands', where they mean nothing: cmd gets hidden persistent flags of the
// same names, which stand in for the root's. A line that gives one anyway still parses, as
// flags may come anywhere (ponte --db x sga-sim), and it is ignored.
func hideGlobals(root, cmd *cobra.Command) {
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		cmd.PersistentFlags().StringP(f.Name, f.Shorthand, "", f.Usage)
		_ = cmd.PersistentFlags().MarkHidden(f.Name)
	})
}

// noCommand is the root's argument rule: a word where a command should be is a mistyped one.
func (a *app) noCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, args[0])
}

// unknownCommand names the word, the commands it may have meant, and where the list is.
func unknownCommand(cmd *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q for %q", word, cmd.CommandPath())
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageError{errors.New(msg)}
}

// group is a command that only holds subcommands: it needs one, and names a mistyped one.
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			var names []string
			for _, sub := range c.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return usageError{fmt.Errorf("%s needs a subcommand: %s", strings.TrimPrefix(c.CommandPath(), "ponte "), strings.Join(names, ", "))}
		}
		return unknownCommand(c, args[0])
	}
	cmd.RunE = func(*cobra.Command, []string) error { return nil } // Args has refused already
	cmd.SuggestionsMinimumDistance = 2
	return cmd
}

// usageError is a mistake on the command line: exit 2, with a pointer to --help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// statusError ends a command with a status of its own; said is true when the command has
// already told the user (a sync's summary line), so nothing more is printed.
type statusError struct {
	status int
	err    error
	said   bool
}

func (e statusError) Error() string { return e.err.Error() }
func (e statusError) Unwrap() error { return e.err }

func exitStatus(err error) int {
	var u usageError
	var s statusError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &s):
		return s.status
	case errors.As(err, &u), errors.As(err, new(*store.FieldError)): // a value refused for its text
		return ExitUsage
	case errors.Is(err, store.ErrInUse):
		return ExitInUse
	}
	return ExitFailure
}

// showError prints a failed command's error on stderr: plain "ponte: …" lines for scripts and
// logs, fang's styled block on a terminal.
func (a *app) showError(w io.Writer, styles fang.Styles, err error) {
	var s statusError
	if errors.As(err, &s) && s.said {
		return
	}
	var sig Interrupted
	if errors.As(err, &sig) || errors.Is(err, context.Canceled) {
		return // the user stopped it; its status says so
	}
	var u usageError
	usage := errors.As(err, &u)
	if !isTerminal(a.env.Stderr) {
		for _, line := range strings.Split(err.Error(), "\n") {
			printf(w, "ponte: %s\n", line)
		}
		if usage {
			fmt.Fprintln(w, "ponte: run with --help for usage")
		}
		return
	}
	text := styles.ErrorText.UnsetTransform() // fang's would write "SGA" as "Sga"
	fmt.Fprintln(w, styles.ErrorHeader.String())
	lines := strings.Split(err.Error(), "\n")
	for i, line := range lines {
		lines[i] = store.Printable(line) // an error may quote SGA or another operator
	}
	fmt.Fprintln(w, text.Render(strings.Join(lines, "\n")))
	fmt.Fprintln(w)
	if usage {
		fmt.Fprintln(w, text.Render("Run with --help for usage."))
		fmt.Fprintln(w)
	}
}

// isTerminal reports whether w is a terminal that understands escape sequences.
func isTerminal(w io.Writer) bool {
	f, ok := w.(term.File)
	return ok && term.IsTerminal(f.Fd()) && os.Getenv("TERM") != "dumb"
}

// sameFile reports whether a and b are open on the same file: one terminal, or stdout and
// stderr sent to one log or pipe (> log 2>&1).
func sameFile(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	sa, err1 := fa.Stat()
	sb, err2 := fb.Stat()
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// dbPath is the database the command works on: --db, else PONTE_DB, else the default.
func (a *app) dbPath() string {
	if a.db != "" {
		return a.db
	}
	if p := a.getenv("PONTE_DB"); p != "" {
		return p
	}
	return DefaultDBPath()
}

// baseURL is the SGA URL for this command only: --sga-url, else PONTE_SGA_URL, else "" (the
// stored one).
func (a *app) baseURL() string {
	if a.sgaURL != "" {
		return a.sgaURL
	}
	return a.getenv("PONTE_SGA_URL")
}

// DefaultDBPath is ponte.db in the user's data directory.
func DefaultDBPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
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

// access is how a command opens the database: to read, or to write.
type access int

const (
	// reading opens it read-only: nothing is created, migrated or written, whatever the file
	// holds.
	reading access = iota
	// writing opens it for writing, creating and migrating it as needed.
	writing
)

// view is which of the database a command sees once it is open.
type view int

const (
	// wholeDatabase is every association's records: the commands on associations and
	// administrators.
	wholeDatabase view = iota
	// inAssociation is the command's association: the one --association names, or the only
	// one (association.go's in).
	inAssociation
	// namedOrAll is the association --association names, or every association when it names
	// none: the commands that list records (export, runs, pending).
	namedOrAll
)

// openStore is how every command opens the database: --db (or PONTE_DB, or the default),
// opened as acc says and seen as v says; over SSH, the server's open store. A missing or held
// database comes back with what to do about it. The caller defers done(&err) with its named
// result: done closes the database and reports a failed close when nothing failed before.
func (a *app) openStore(acc access, v view) (s store.Backend, done func(*error), err error) {
	if a.host != nil {
		s, done = a.host.store, func(*error) {} // the server's, open while it serves
	} else {
		opened, err := store.Open(a.dbPath(), store.Options{ReadOnly: acc == reading})
		if errors.Is(err, store.ErrNoDatabase) {
			return nil, nil, fmt.Errorf("%w\nname the database with --db or PONTE_DB, or make it: ponte config set creates it", err)
		}
		if err != nil {
			return nil, nil, a.inUseHint(err)
		}
		s, done = opened, func(err *error) {
			if cerr := opened.Close(); *err == nil {
				*err = cerr
			}
		}
	}
	seen := s
	switch v {
	case inAssociation:
		seen, err = a.in(s)
	case namedOrAll:
		seen, err = a.inNamedOrAll(s)
	}
	if err != nil {
		done(&err)
		return nil, nil, err
	}
	return seen, done, nil
}

// localActor is who runs a command on this machine: the system user, from the command line.
func localActor() store.Actor {
	who := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		who = u.Username
	}
	return store.Actor{Who: who, From: "cli"}
}

// noArgs, exactArgs and rangeArgs are cobra's argument rules as usage errors (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", strings.TrimPrefix(cmd.CommandPath(), "ponte "), args[0])
	}
	return nil
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s, got %s", strings.TrimPrefix(cmd.CommandPath(), "ponte "), what, plural(len(args), "argument", "arguments"))
		}
		return nil
	}
}

// changed reports whether a flag was given on the command line.
func changed(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}
