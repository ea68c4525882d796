package cli

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga"
	"ponte/sga/syncer"
	"ponte/store"
)

// syncCmd runs one sync now, headless, with its progress on stderr and its summary on stdout.
func (a *app) syncCmd() *cobra.Command {
	var (
		cpf           string
		asJSON, quiet bool
		o             syncer.Options
	)
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Run one sync now, headless: every client, or --client CPF",
		Long: "Run one sync now, headless: every client of ours in SGA, or one client with --client.\n\n" +
			"Progress goes to stderr (a line redrawn in place on a terminal, plain lines otherwise), each\n" +
			"retry of a failed SGA request as it happens; the run's summary goes to stdout. A run that\n" +
			"ends with some records in error exits 3; refused credentials exit 5.",
		Example: "  ponte sync\n  ponte sync --client 123.456.789-09 --json\n  ponte sync -q || echo \"sync failed: $?\"",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Workers < 1 || o.Workers > 64 || o.Rate < 0 || o.BatchVehicles < 1 || o.MaxGone <= 0 || o.MaxGone > 100 || o.Timeout <= 0 {
				return usagef("--workers must be from 1 to 64, --rate at least 0, --batch at least 1, --timeout positive and --max-gone above 0 and at most 100")
			}
			if o.Rate == 0 {
				o.Rate = -1
			}
			o.Logger = slog.New(slog.DiscardHandler)
			progress := newProgress(cmd.ErrOrStderr())
			if quiet {
				progress = nil
			}
			o.OnRetry = func(r sga.Retry) {
				if progress != nil {
					progress.note(fmt.Sprintf("retry %d of %d in %s: %v", r.Attempt, r.Of, r.Wait.Round(100*time.Millisecond), r.Err))
				}
			}
			limitMemory()
			return a.writeStore(func(s *store.Store) error {
				eng := syncer.New(s, o)
				defer eng.Close()
				updates, unsubscribe := eng.Hub().Subscribe()
				shown := make(chan struct{})
				go func() {
					defer close(shown)
					for p := range updates {
						if progress != nil {
							progress.show(p)
						}
					}
				}()
				run, err := eng.Run(cmd.Context(), syncer.Request{CPF: cpf, By: actor(), BaseURL: a.baseURL()})
				unsubscribe()
				<-shown
				if progress != nil {
					progress.end()
				}
				if run.ID == 0 {
					return err
				}
				out := cmd.OutOrStdout()
				switch {
				case asJSON:
					enc := json.NewEncoder(out)
					enc.SetIndent("", "  ")
					if err := enc.Encode(run); err != nil {
						return err
					}
				case !quiet:
					fmt.Fprintln(out, runSummary(run))
				}
				switch {
				case err != nil && cmd.Context().Err() != nil:
					return err // stopped by a signal: its status says so
				case err != nil:
					return runError(run, a.urlOf(s))
				case run.Status == store.StatusPartial:
					return statusError{status: ExitPartial, said: !quiet, err: fmt.Errorf("run %d partial: %s", run.ID, run.Reason)}
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&cpf, "client", "", "sync only this client, by CPF")
	f.BoolVar(&asJSON, "json", false, "print the run as JSON on stdout instead of its summary line")
	f.BoolVarP(&quiet, "quiet", "q", false, "print nothing but errors: no progress, no summary (the exit status tells)")
	f.IntVar(&o.Workers, "workers", 4, "pages fetched at once")
	f.Float64Var(&o.Rate, "rate", 4, "the most SGA requests per second (0: no limit)")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Second, "timeout of one SGA request")
	f.IntVar(&o.BatchVehicles, "batch", 5000, "vehicles written per transaction")
	f.Float64Var(&o.MaxGone, "max-gone", 20, "the largest part of the stored fleet, in percent, one sync may mark as gone from SGA's list; "+
		"a run that would mark more marks nothing and exits 3 (100: no limit)")
	return cmd
}

// urlOf is the SGA URL this command uses: --sga-url, else the stored one.
func (a *app) urlOf(s *store.Store) string {
	if u := a.baseURL(); u != "" {
		return u
	}
	if in, err := s.Integration(); err == nil {
		return in.SGAURL
	}
	return ""
}

func runSummary(r store.Run) string {
	c := r.Counts
	took := r.FinishedAt.Sub(r.StartedAt).Round(100 * time.Millisecond)
	s := fmt.Sprintf("run %d %s in %s: %d clients, %d vehicles (%d new, %d updated), %d changed situação, %d left the list, %d errors",
		r.ID, r.Status, took, c.Clients(), c.Vehicles(), c.VehiclesCreated, c.VehiclesUpdated, c.SituationsChanged, c.VehiclesGone, r.ErrorCount)
	if r.Resumes != 0 {
		s += fmt.Sprintf(" (continued run %d from its checkpoint)", r.Resumes)
	}
	if r.Reason != "" {
		s += "; " + r.Reason
	}
	return s
}
