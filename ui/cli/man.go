package cli

import (
	"fmt"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// manCmd writes ponte's manual page, made from the command tree, on stdout:
//
//	ponte man > /usr/local/share/man/man1/ponte.1
func manCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Write ponte's manual page (roff) on stdout",
		Example: "  ponte man > ~/.local/share/man/man1/ponte.1\n" +
			"  ponte man | man -l -",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mcobra.NewManPage(1, cmd.Root())
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}
