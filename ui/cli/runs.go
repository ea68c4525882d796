package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ponte/store"
)

// runsOptions are runs' flags.
type runsOptions struct {
	limit  int // how many runs, newest first
	asJSON bool
}

// runsCmd lists the last syncs, or shows one with its errors.
func (a *app) runsCmd() *cobra.Command {
	var o runsOptions
	cmd := &cobra.Command{
		Use:   "runs [ID]",
		Short: "List the last syncs, or show one with its errors",
		Example: "  ponte runs --limit 5\n" +
			"  ponte runs --limit 1 --json | jq -r '.[0].status'",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("runs takes at most one run ID")
			}
			if len(args) == 1 {
				if id, err := strconv.ParseUint(args[0], 10, 64); err != nil || id == 0 {
					return usagef("%q is not a run ID", args[0])
				}
			}
			if o.limit < 1 {
				return usagef("--limit must be at least 1")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.runRuns(cmd, args, o) },
	}
	cmd.Flags().IntVar(&o.limit, "limit", 20, "how many runs, newest first")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the runs as a JSON array (one run: an object, with its errors)")
	return cmd
}

// runRuns is runs' work, on its flags: the last runs, or the one args names.
func (a *app) runRuns(cmd *cobra.Command, args []string, o runsOptions) (err error) {
	s, done, err := a.openStore(reading, namedOrAll)
	if err != nil {
		return err
	}
	defer done(&err)
	if len(args) == 1 {
		id, _ := strconv.ParseUint(args[0], 10, 64)
		r, err := s.Run(id)
		if err != nil {
			return err
		}
		if o.asJSON {
			return writeJSON(cmd.OutOrStdout(), r)
		}
		return showRun(cmd, r)
	}
	runs, err := s.Runs(o.limit)
	if err != nil {
		return err
	}
	if o.asJSON {
		for i := range runs {
			runs[i].Errors = nil // ponte runs ID shows them
		}
		if runs == nil {
			runs = []store.Run{}
		}
		return writeJSON(cmd.OutOrStdout(), runs)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRUN\tSTATUS\tKIND\tSTARTED\tTOOK\tBY\tCLIENTS\tVEHICLES\tERRORS\tREASON")
	for _, r := range runs {
		printf(tw, "%d\t%s of %s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.ID, ordinal(r.Seq), r.Association, r.Status, r.Kind,
			r.StartedAt.Local().Format(timeLayout), took(r), r.StartedBy, r.Counts.Clients(), r.Counts.Vehicles(), r.ErrorCount, runNotes(r))
	}
	return tw.Flush()
}

func took(r store.Run) string {
	if r.FinishedAt.IsZero() {
		return orNone("")
	}
	return r.FinishedAt.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
}

// runNotes is what a run says of itself beyond its counts, for its summary and the REASON
// column: why it ended as it did, that it read with other credentials than SGA refused, why
// it read in full, which run it continued.
func runNotes(r store.Run) string {
	var notes []string
	if r.Reason != "" {
		notes = append(notes, store.Printable(r.Reason))
	}
	if r.FellBack {
		refused, used := "the Sincronismo SGA token", "the manual credentials"
		if r.Source == store.SourceSync {
			refused, used = "the manual login", "the Sincronismo SGA token"
		}
		notes = append(notes, "fell back: SGA refused "+refused+"; read with "+used)
	}
	if r.Note != "" {
		notes = append(notes, "read in full: "+store.Printable(r.Note))
	}
	if r.Kind == store.RunIncremental && r.Counts.ListingNow > 0 {
		notes = append(notes, fmt.Sprintf("listing %d → %d records: products moved between vehicles wait for the full read",
			r.Counts.ListingWas, r.Counts.ListingNow))
	}
	if r.Resumes != 0 {
		notes = append(notes, sprintf("continued run %d from its checkpoint", r.Resumes))
	}
	return strings.Join(notes, "; ")
}

// showRun prints one run: its summary, then each error it kept.
func showRun(cmd *cobra.Command, r store.Run) error {
	out := cmd.OutOrStdout()
	printf(out, "%s\n", runSummary(r))
	if notes := runNotes(r); notes != "" {
		printf(out, "notes: %s\n", notes) // the summary's why, in full
	}
	if len(r.Errors) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPAGE\tKIND\tKEY\tREASON")
	for _, e := range r.Errors {
		printf(tw, "%d\t%s\t%s\t%s\n", e.Page, e.Kind, e.Key, e.Reason)
	}
	if r.ErrorCount > len(r.Errors) {
		printf(tw, "\t\t\t(%d more not kept)\n", r.ErrorCount-len(r.Errors))
	}
	return tw.Flush()
}
