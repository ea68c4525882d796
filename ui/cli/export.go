package cli

import (
	"bufio"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"ponte/store"
)

func (a *app) exportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export KIND",
		Short: "Write every record of a kind as JSON lines (or CSV) on stdout",
		Long: "Write every record of a kind on stdout, as JSON lines or, with --format csv, as CSV.\n" +
			"KIND is one of: " + strings.Join(store.ExportKinds, ", ") + ".\n" +
			"A CSV cell a spreadsheet would take as a formula (one starting with =, +, -, @, a tab or a\n" +
			"carriage return) starts with a single quote; a value holding control or bidirectional\n" +
			"characters is written quoted, each escaped (in JSON, as \\u escapes).",
		Example:   "  ponte export vehicles > vehicles.jsonl\n  ponte export contracts --format csv > contracts.csv",
		ValidArgs: store.ExportKinds,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(store.ExportKinds, args[0]) {
				return usagef("export needs one KIND: %s", strings.Join(store.ExportKinds, ", "))
			}
			if format != "json" && format != "csv" {
				return usagef("--format must be json or csv, not %q", format)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(reading, namedOrAll)
			if err != nil {
				return err
			}
			defer done(&err)
			w := bufio.NewWriter(cmd.OutOrStdout())
			if _, err := s.Export(args[0], format, w); err != nil {
				return err
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "json (JSON lines) or csv")
	return cmd
}
