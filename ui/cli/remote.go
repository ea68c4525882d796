package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"ponte/sga/syncer"
	"ponte/store"
	uissh "ponte/ui/ssh"
)

// host is the running ponte serve a command runs inside (ssh host COMMAND): its open store,
// seen as the key's administrator sees it, and its sync engine. Such a command acts as that
// administrator and touches nothing of the server's machine but the store: no file is read or
// written there, and its environment is the one the client sent, not the server's.
type host struct {
	store  store.Backend
	engine *syncer.Engine
	admin  store.Admin
	actor  store.Actor
	env    map[string]string
}

// Commands is ponte serve's command handler: each command line a client sends runs through
// the same command tree as on the command line, inside the server, as the key's
// administrator. Every one is in the audit before it runs.
func Commands(st store.Backend, eng *syncer.Engine, log *slog.Logger) uissh.CommandHandler {
	return func(ctx context.Context, c uissh.Command) uissh.Result {
		h := &host{store: st.ForAdmin(c.Admin), engine: eng, admin: c.Admin,
			actor: store.Actor{Who: c.Admin.Login, From: "ssh " + c.Addr}, env: map[string]string{}}
		for _, kv := range c.Env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				h.env[k] = v
			}
		}
		if err := st.Audit(h.actor, store.ActionRemoteCommand, strings.Join(c.Args, " ")); err != nil {
			log.Error("audit an ssh command", "login", c.Admin.Login, "err", err)
			printf(c.Err, "ponte: the command could not be recorded in the audit, so it did not run: %v\n", err)
			return uissh.Result{Status: ExitFailure}
		}
		status, path := execute(ctx, c.Args, Env{Stdin: c.In, Stdout: c.Out, Stderr: c.Err}, h)
		return uissh.Result{Status: status, Command: path}
	}
}

// localOnly are the commands that run only on the server's own machine, each with why.
var localOnly = map[string]string{
	"serve":   "serve starts a server; this one is already serving you",
	"demo":    "demo opens a console on its own database; connect without a command for the console",
	"sga-sim": "sga-sim runs a simulator on the server's machine",
	"man":     "man writes a manual page; run ponte man on your own machine",
}

// supervisorsOnly are the commands that only a supervisor may run over SSH beyond what the
// store refuses an operator itself (backups, administrators' and integrations' changes): the
// list of administrators, which locally shows an operator their own profile.
var supervisorsOnly = map[string]bool{"admin list": true}

// guard is the root's check, over SSH, before any command runs: the local-only commands and
// flags are refused, and those for supervisors refused to operators.
func (a *app) guard(cmd *cobra.Command, _ []string) error {
	if a.host == nil {
		return nil
	}
	if !cmd.HasParent() {
		return usagef("the console opens when you connect without a command: ssh -t -p PORT host")
	}
	path := strings.TrimPrefix(cmd.CommandPath(), "ponte ")
	if why, ok := localOnly[strings.Fields(path)[0]]; ok {
		return usagef("%s is not available over SSH: %s", path, why)
	}
	if supervisorsOnly[path] && !a.host.admin.Supervisor() {
		return statusError{status: ExitFailure, err: fmt.Errorf("%s is for supervisors: %w", path, store.ErrForbidden)}
	}
	if changed(cmd.Flags(), "db") {
		return usagef("--db is for commands on the server's machine: over SSH the command works on the server's database")
	}
	if a.baseURL() != "" && !a.host.admin.Supervisor() {
		return statusError{status: ExitFailure, err: fmt.Errorf("--sga-url is for supervisors: %w", store.ErrForbidden)}
	}
	var local []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Annotations[annotationLocalFile] == nil {
			return
		}
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			values = sv.GetSlice()
		}
		for _, v := range values {
			if v != "-" {
				local = append(local, "--"+f.Name)
				return
			}
		}
	})
	if len(local) > 0 {
		return usagef("%s names a file on the server's machine: over SSH give it on stdin (%s -)", strings.Join(local, ", "), local[0])
	}
	return nil
}

// annotationLocalFile marks a flag that names a file to read: over SSH only "-" (stdin) is
// taken.
const annotationLocalFile = "ponte-local-file"

func localFile(fs *pflag.FlagSet, name string) {
	_ = fs.SetAnnotation(name, annotationLocalFile, []string{"true"})
}

// getenv reads the command's environment: the process's on this machine, the one the client
// sent over SSH.
func (a *app) getenv(name string) string {
	if a.host != nil {
		return a.host.env[name]
	}
	return os.Getenv(name)
}

// actor is who runs the command: over SSH the key's administrator, from the client's address;
// here the system user.
func (a *app) actor() store.Actor {
	if a.host != nil {
		return a.host.actor
	}
	return localActor()
}

// readInput reads a file a flag names, or stdin for "-" (the only way over SSH, where the
// guard refuses any other name).
func (a *app) readInput(cmd *cobra.Command, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxInput))
	}
	return os.ReadFile(path)
}

// maxInput bounds what a flag's "-" reads from stdin: keys and key lists are small.
const maxInput = 1 << 20
