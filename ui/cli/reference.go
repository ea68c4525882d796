package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// tree is the command tree as Execute runs it, with cobra's completion and help commands.
func tree() *cobra.Command {
	root := (&app{}).root()
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

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			walk(sub, fn)
		}
	}
}

// Reference writes the command reference the README carries, in Markdown, from the tree: a
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
