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
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE",
		Long: "Write a consistent copy of the database to FILE. FILE must not exist, unless --force; it is\n" +
			"never the database, its key or the SSH host key. The copy's secrets open only with the\n" +
			"database's key file (or PONTE_SECRET_KEY): keep a copy of that key apart.",
		Example: "  ponte backup /var/backups/ponte-$(date +%F).db",
		Args:    exactArgs(1, "one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			return a.readStore(func(s *store.Store) error {
				n, err := s.BackupFile(file, force, HostKeyPath(s.Path()))
				if errors.Is(err, safefile.ErrExists) {
					return fmt.Errorf("%w; choose a new name, or add --force to replace it", err)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d bytes written to %s\n", n, file)
				fmt.Fprintf(cmd.ErrOrStderr(), "the secrets in it open only with %s (or PONTE_SECRET_KEY): keep a copy of that key apart\n", store.KeyPath(s.Path()))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it is an existing regular file")
	return cmd
}
