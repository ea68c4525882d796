package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/store/norm"
)

// syncOptions are sync's flags.
type syncOptions struct {
	client             string // --client: a CPF, or a stored client's SGA code
	mode               string
	asJSON, quiet, all bool
	engine             syncer.Options
}

// syncCmd runs one sync now, headless, with its progress on stderr and its summary on stdout.
func (a *app) syncCmd() *cobra.Command {
	var o syncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Run one sync now, headless: every client, or --client CODE_OR_CPF; --all for every association",
		Long: "Run one sync now, headless: every client of ours in SGA, or one client with --client, in the\n" +
			"association named by --association (needed when there are several), or in every enabled\n" +
			"association with --all, --parallel of them at once. --client takes a CPF, or the SGA code of a\n" +
			"client already stored (as import does).\n\n" +
			"Progress goes to stderr (a line redrawn in place on a terminal, plain lines otherwise), each\n" +
			"retry of a failed SGA request as it happens; the run's summary goes to stdout. A run that\n" +
			"ends with some records in error exits 3; refused credentials exit 5. With --all, each\n" +
			"association's end is a line of its own; the status is 1 if any failed, else 3 if any was partial.\n\n" +
			recordLimitsHelp(),
		Example: "  ponte sync\n  ponte sync --client 123.456.789-09 --json\n  ponte sync --client 10001\n  ponte sync -q || echo \"sync failed: $?\"\n" +
			"  ponte --association protecao-sul sync\n  ponte sync --all --parallel 8",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runSync(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.client, "client", "", "sync only this client, by CPF or by the SGA code of a stored client")
	f.BoolVar(&o.asJSON, "json", false, "print the run as JSON on stdout instead of its summary line")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors: no progress, no summary (the exit status tells)")
	f.BoolVar(&o.all, "all", false, "sync every enabled association")
	f.StringVar(&o.mode, "mode", "full", "full: read SGA's whole listing; incremental: read SGA's change feed since the last run "+
		"(in full when it cannot, saying why); auto: as the daily sync, in full when its schedule reads in full that day (every day unless weekly)")
	f.IntVar(&o.engine.MaxConcurrent, "parallel", 4, "with --all, how many associations sync at once (the rest wait their turn)")
	f.IntVar(&o.engine.Workers, "workers", 4, "pages fetched at once in one association")
	f.Float64Var(&o.engine.Rate, "rate", 4, "the most SGA requests per second (0: no limit)")
	f.DurationVar(&o.engine.Timeout, "timeout", 30*time.Second, "timeout of one SGA request")
	f.IntVar(&o.engine.BatchVehicles, "batch", 5000, "vehicles written per transaction")
	f.Float64Var(&o.engine.MaxGone, "max-gone", 20, "the largest part of the stored fleet, in percent, one sync may mark as gone from SGA's list; "+
		"a run that would mark more marks nothing and exits 3 (100: no limit)")
	return cmd
}

// check refuses flags out of their range, and reads --mode full as the engine names it.
func (o *syncOptions) check() error {
	if o.engine.Workers < 1 || o.engine.Workers > 64 || o.engine.Rate < 0 || o.engine.BatchVehicles < 1 || o.engine.MaxGone <= 0 || o.engine.MaxGone > 100 || o.engine.Timeout <= 0 {
		return usagef("--workers must be from 1 to 64, --rate at least 0, --batch at least 1, --timeout positive and --max-gone above 0 and at most 100")
	}
	if o.engine.MaxConcurrent < 1 || o.engine.MaxConcurrent > 64 {
		return usagef("--parallel must be from 1 to 64")
	}
	switch o.mode {
	case "full":
		o.mode = syncer.ModeFull
	case syncer.ModeIncremental, syncer.ModeAuto:
	default:
		return usagef("--mode must be full, incremental or auto, not %q", o.mode)
	}
	if o.client != "" && o.mode != syncer.ModeFull {
		return usagef("--client syncs one client in full: not with --mode %s", o.mode)
	}
	return nil
}

// runSync is sync's work, on its flags.
func (a *app) runSync(cmd *cobra.Command, o syncOptions) (err error) {
	if err := o.check(); err != nil {
		return err
	}
	if o.all && (o.client != "" || a.association() != "") {
		return usagef("--all syncs every association's clients: not with --client or --association")
	}
	if o.engine.Rate == 0 {
		o.engine.Rate = -1
	}
	o.engine.Logger = slog.New(slog.DiscardHandler)
	progress := newProgress(cmd.ErrOrStderr())
	if o.quiet {
		progress = nil
	}
	o.engine.OnRetry = func(r sga.Retry) {
		if progress != nil {
			progress.note(sprintf("retry %d of %d in %s: %v", r.Attempt, r.Of, r.Wait.Round(100*time.Millisecond), r.Err))
		}
	}
	if a.host != nil {
		for _, name := range engineFlags {
			if changed(cmd.Flags(), name) {
				return usagef("--%s is the server's setting: over SSH a sync runs with the server's engine", name)
			}
		}
	} else {
		syncs := 1
		if o.all {
			syncs = o.engine.MaxConcurrent
		}
		tuneGC(syncs)
	}
	s, done, err := a.openStore(writing, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	eng, stop := a.engine(s, o.engine)
	defer stop()
	if o.all {
		return a.syncAll(cmd, s, eng, o.mode, progress, o.asJSON, o.quiet)
	}
	return a.syncOne(cmd, s, eng, o, progress)
}

// syncOne runs the sync of the command's association, with its progress on progress (nil:
// none), and says how it ended.
func (a *app) syncOne(cmd *cobra.Command, s store.Backend, eng *syncer.Engine, o syncOptions, progress *progress) error {
	in, err := a.in(s)
	if err != nil {
		return err
	}
	here, _ := in.Current()
	if o.client != "" {
		if o.client, err = clientCPF(in, o.client); err != nil {
			return err
		}
	}
	updates, unsubscribe := eng.Hub(here.Slug).Subscribe()
	shown := make(chan struct{})
	go func() {
		defer close(shown)
		for p := range updates {
			if progress != nil {
				progress.show(p)
			}
		}
	}()
	run, err := eng.Run(cmd.Context(), syncer.Request{Association: here.Slug, CPF: o.client, Mode: o.mode, By: a.actor(), BaseURL: a.baseURL()})
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
	case o.asJSON:
		if err := writeJSON(out, run); err != nil {
			return err
		}
	case !o.quiet:
		printf(out, "%s\n", runSummary(run))
	}
	switch {
	case err != nil && cmd.Context().Err() != nil:
		return err // stopped by a signal: its status says so
	case err != nil:
		return runError(run, a.urlOf(in), func(t string) string { return a.naming(in, t) })
	case run.Status == store.StatusPartial:
		return statusError{status: ExitPartial, said: !o.quiet, err: fmt.Errorf("run %d partial: %s", run.ID, run.Reason)}
	}
	return nil
}

// syncAll runs every enabled association's full sync, MaxConcurrent at once: each one's end is
// a line on stderr as it comes and its summary on stdout (JSON: an array of the runs).
func (a *app) syncAll(cmd *cobra.Command, s store.Backend, eng *syncer.Engine, mode string, progress *progress, asJSON, quiet bool) error {
	assocs, err := s.Associations()
	if err != nil {
		return err
	}
	var slugs, skipped []string
	for _, x := range assocs {
		if x.Disabled {
			continue
		}
		in, err := s.ForAssociation(x.Slug)
		if err != nil {
			return err
		}
		st, err := in.IntegrationState()
		if err != nil {
			return err
		}
		if !st.Configured {
			skipped = append(skipped, x.Slug)
			continue
		}
		slugs = append(slugs, x.Slug)
	}
	if len(slugs) == 0 && len(skipped) > 0 {
		return fmt.Errorf("no association to sync: none of %s is configured; set one with ponte --association %s config set ...", strings.Join(skipped, ", "), skipped[0])
	}
	if len(slugs) == 0 {
		return errors.New("no enabled association to sync: add one with ponte association add, or enable one")
	}
	type result struct {
		slug string
		run  store.Run
		err  error
	}
	results := make(chan result)
	for _, slug := range slugs {
		go func() {
			run, err := eng.Run(cmd.Context(), syncer.Request{Association: slug, Mode: mode, By: a.actor(), BaseURL: a.baseURL()})
			results <- result{slug, run, err}
		}()
	}
	if progress != nil {
		progress.note(sprintf("syncing %s, %d at once", plural(len(slugs), "association", "associations"), eng.MaxConcurrent()))
	}
	var runs []store.Run
	failed, partial := 0, 0
	out := cmd.OutOrStdout()
	// say tells one association's end: on stdout as a summary, and on stderr as progress
	// unless stdout already writes it to the same file (a terminal, a log).
	say := func(line string) {
		printed := !asJSON && !quiet
		if progress != nil && !(printed && progress.shares(out)) {
			progress.note(line)
		}
		if printed {
			printf(out, "%s\n", line)
		}
	}
	for _, slug := range skipped {
		say(sprintf("%s: skipped: not configured (set it with ponte --association %s config set ...)", slug, slug))
	}
	for range slugs {
		r := <-results
		line := r.slug + ": "
		switch {
		case r.run.ID != 0:
			r.run.Association = r.slug
			runs = append(runs, r.run)
			line += runSummaryIn(r.run, summaryWidth-len(line))
		case r.err != nil:
			line += sprintf("did not start: %v", r.err)
		}
		if r.err != nil && cmd.Context().Err() == nil {
			failed++
		} else if r.run.Status == store.StatusPartial {
			partial++
		}
		say(line)
	}
	if progress != nil {
		progress.end()
	}
	if asJSON {
		slices.SortFunc(runs, func(x, y store.Run) int { return strings.Compare(x.Association, y.Association) })
		if err := writeJSON(out, runs); err != nil {
			return err
		}
	}
	switch {
	case cmd.Context().Err() != nil:
		return context.Cause(cmd.Context())
	case failed > 0:
		return statusError{status: ExitFailure, said: !quiet, err: fmt.Errorf("%d of %s failed", failed, plural(len(slugs), "association", "associations"))}
	case partial > 0:
		return statusError{status: ExitPartial, said: !quiet, err: fmt.Errorf("%d of %s partial", partial, plural(len(slugs), "association", "associations"))}
	}
	return nil
}

// engineFlags are sync's flags that tune its own engine: over SSH the server's engine runs
// the sync, with the server's settings.
var engineFlags = []string{"parallel", "workers", "rate", "timeout", "batch", "max-gone"}

// engine is what runs the command's syncs: over SSH the server's, which its consoles watch;
// here one of its own on s, closed by done.
func (a *app) engine(s syncer.Store, o syncer.Options) (eng *syncer.Engine, done func()) {
	if a.host != nil {
		return a.host.engine, func() {}
	}
	eng = syncer.New(s, o)
	return eng, eng.Close
}

// urlOf is the SGA URL this command uses: --sga-url, else the stored one.
func (a *app) urlOf(s store.IntegrationStore) string {
	if u := a.baseURL(); u != "" {
		return u
	}
	if in, err := s.Integration(); err == nil {
		return in.SGAURL
	}
	return ""
}

// clientCPF is the CPF of the client --client names: a CPF as given, or a stored client's SGA
// code. Anything else is a mistake on the command line, said before any run is recorded.
func clientCPF(s store.ClientStore, ref string) (string, error) {
	cpf, err := norm.CheckCPF(ref)
	switch {
	case err == nil:
		return cpf, nil
	case errors.Is(err, norm.ErrCPFCheckDigits):
		return "", usagef("--client %s: %v", ref, err)
	}
	if code, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64); err != nil || code <= 0 {
		return "", usagef("--client takes a CPF (11 digits, 000.000.000-00) or a client's SGA code, not %q", ref)
	}
	c, err := s.FindClient(ref)
	if errors.Is(err, store.ErrNotFound) {
		return "", usagef("--client %s: no stored client has this SGA code; a client not yet stored is synced by its CPF", ref)
	}
	return c.CPF, err
}

// recordLimitsHelp says what a sync does with a record whose field is over its limit, with the
// store's limits (store.RecordLimit, the one definition).
func recordLimitsHelp() string {
	var parts []string
	for _, f := range []string{store.FieldPlate, store.FieldChassis, store.FieldName, store.FieldCPF, store.FieldEmail} {
		parts = append(parts, fmt.Sprintf("%s %d", f, store.RecordLimit(f)))
	}
	return "A record SGA sends with a field longer than the store keeps is a record error naming the\n" +
		"vehicle: the run goes on without it, and a stored vehicle keeps what it had; so is a change of\n" +
		"the feed that cannot be applied (its member not found in SGA). The limits, in characters:\n" +
		strings.Join(parts, ", ") + " (and the other fields').\n" +
		"A client run's CPF must have valid check digits: one typed wrong is refused before any run is recorded."
}
