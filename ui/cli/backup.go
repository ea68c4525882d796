package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"ponte/store"
	"ponte/store/safefile"
)

func (a *app) backupCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE|-",
		Short: "Write a consistent copy of the database to FILE, or to stdout (-)",
		Long: "Write a consistent copy of the database to FILE, or with - to stdout, taken in one read\n" +
			"transaction while syncs and imports go on. FILE must not exist, unless --force; it is never the\n" +
			"database, its key or the SSH host key. Over SSH (supervisors only) the copy always goes to\n" +
			"stdout: ssh -p PORT host backup > ponte.db. The copy's secrets open only with the database's\n" +
			"key file (or PONTE_SECRET_KEY): keep a copy of that key apart.",
		Example: "  ponte backup /var/backups/ponte-$(date +%F).db\n" +
			"  ponte backup - | gzip > ponte.db.gz\n" +
			"  ssh -p 2222 host backup > ponte-$(date +%F).db",
		Args: func(cmd *cobra.Command, args []string) error {
			if a.host != nil {
				if len(args) > 1 || len(args) == 1 && args[0] != "-" {
					return usagef("over SSH the backup goes to stdout: ssh -p PORT host backup > FILE")
				}
				return nil
			}
			return exactArgs(1, "one FILE, or - for stdout")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if a.host != nil || args[0] == "-" {
				return a.backupTo(cmd)
			}
			file := args[0]
			_, f, done, err := a.openFile(reading)
			if err != nil {
				return err
			}
			defer done(&err)
			n, err := f.BackupFile(file, force, HostKeyPath(f.Path()))
			if errors.Is(err, safefile.ErrExists) {
				return fmt.Errorf("%w; choose a new name, or add --force to replace it", err)
			}
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "%d bytes written to %s\n", n, file)
			printf(cmd.ErrOrStderr(), "the secrets in it open only with %s (or PONTE_SECRET_KEY): keep a copy of that key apart\n", store.KeyPath(f.Path()))
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it is an existing regular file")
	return cmd
}

// backupTo streams the copy to stdout, never to a terminal; the audit records it.
func (a *app) backupTo(cmd *cobra.Command) (err error) {
	out := cmd.OutOrStdout()
	if isTerminal(out) {
		return usagef("backup - writes the database to stdout, which is a terminal here: redirect it to a file")
	}
	s, f, done, err := a.openFile(reading)
	if err != nil {
		return err
	}
	defer done(&err)
	n, err := f.Backup(out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if a.host == nil {
		printf(cmd.ErrOrStderr(), "%d bytes written; the secrets in it open only with %s (or PONTE_SECRET_KEY): keep a copy of that key apart\n",
			n, store.KeyPath(f.Path()))
		return nil
	}
	printf(cmd.ErrOrStderr(), "%d bytes written; the secrets in it open only with the server's database key (or PONTE_SECRET_KEY): keep a copy of it apart\n", n)
	return s.Audit(a.actor(), store.ActionBackup, fmt.Sprintf("%d bytes to the client", n))
}
