package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// tree is the command tree as Execute runs it, with cobra's completion and help commands.
func tree() *cobra.Command { return (&app{}).tree() }

func (a *app) tree() *cobra.Command {
	root := a.root()
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	return root
}

// CommandPaths lists every command of the tree, "ponte" first, then "ponte config set" and
// the like, in the order help lists them.
func CommandPaths() []string {
	var out []string
	walk(tree(), func(c *cobra.Command) { out = append(out, c.CommandPath()) })
	return out
}

// Check parses a command line with the tree, here or (overSSH) as ponte serve would run it,
// without running anything: an unknown command or flag, a flag's bad value, or arguments the
// command refuses is its error. The examples of the README and docs/ are held to it.
func Check(args []string, overSSH bool) error {
	cmd, err := parse(args, overSSH)
	if err != nil {
		return err
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// CheckNames is Check for a line that names a command rather than runs it (the prose of the README and docs/:
// "ponte association add"): its commands and flags must exist, whatever its arguments.
func CheckNames(args []string) error {
	var last string // a flag named last, maybe without the value it takes ("sync --max-gone")
	if n := len(args); n > 0 && strings.HasPrefix(args[n-1], "--") && !strings.Contains(args[n-1], "=") {
		last, args = strings.TrimPrefix(args[n-1], "--"), args[:n-1]
	}
	cmd, err := parse(args, false)
	if err != nil {
		return err
	}
	if last != "" && cmd.Flags().Lookup(last) == nil {
		return fmt.Errorf("%s: unknown flag: --%s", cmd.CommandPath(), last)
	}
	if rest := cmd.Flags().Args(); len(rest) > 0 && cmd.HasAvailableSubCommands() {
		return unknownCommand(cmd, rest[0])
	}
	return nil
}

// parse finds the command a line names and parses its flags.
func parse(args []string, overSSH bool) (*cobra.Command, error) {
	a := &app{}
	if overSSH {
		a.host = &host{}
	}
	cmd, rest, err := a.tree().Find(args)
	if err != nil {
		return nil, err
	}
	if !cmd.HasParent() {
		cmd.Version = Version() // as Execute sets it, for --version
		cmd.InitDefaultVersionFlag()
	}
	cmd.InitDefaultHelpFlag()
	if err := cmd.ParseFlags(rest); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	return cmd, nil
}

// Examples lists the example lines of every command's help, as help prints them.
func Examples() []string {
	var out []string
	walk(tree(), func(c *cobra.Command) {
		for _, l := range strings.Split(c.Example, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	})
	return out
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			walk(sub, fn)
		}
	}
}

// Reference writes the command reference docs/commands.md carries, in Markdown, from the tree: a
// test keeps the two the same (go test ./ui/cli -run TestReadmeReference -update rewrites it).
func Reference(w io.Writer) error {
	root := tree()
	var b strings.Builder
	fmt.Fprintf(&b, "Global flags, accepted anywhere on the line:\n\n```text\n%s```\n\n", root.PersistentFlags().FlagUsages())
	b.WriteString("`ponte --version` prints the version, commit and build date. Exit status: " +
		fmt.Sprintf("%d success, %d failure, %d bad usage, %d a sync that finished with some records in error, ", ExitOK, ExitFailure, ExitUsage, ExitPartial) +
		fmt.Sprintf("%d the database is in use by another process (which the error names), %d SGA refused the credentials; ", ExitInUse, ExitRefused) +
		"128+N when signal N stopped the command (130 for SIGINT, 143 for SIGTERM).\n")
	walk(root, func(c *cobra.Command) {
		if c.Name() == "help" || (c.HasParent() && c.Parent().Name() == "completion") {
			return
		}
		fmt.Fprintf(&b, "\n#### `%s`\n\n%s\n\n```text\n%s\n", c.CommandPath(), c.Short, c.UseLine())
		if c.HasAvailableSubCommands() {
			for _, sub := range c.Commands() {
				if sub.IsAvailableCommand() {
					fmt.Fprintf(&b, "  %-10s %s\n", sub.Name(), sub.Short)
				}
			}
		}
		if flags := c.LocalNonPersistentFlags().FlagUsages(); flags != "" {
			b.WriteString("\n" + flags)
		}
		b.WriteString("```\n")
	})
	_, err := io.WriteString(w, b.String())
	return err
}
