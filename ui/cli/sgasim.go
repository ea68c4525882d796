package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga/sim"
)

// simOptions are sga-sim's flags.
type simOptions struct {
	listen, deny, paging string
	churn                time.Duration
	verbose              bool
	simulator            sim.Options
}

// simCmd runs the SGA simulator alone until a signal stops it.
func (a *app) simCmd() *cobra.Command {
	var o simOptions
	cmd := &cobra.Command{
		Use:   "sga-sim",
		Short: "Run the SGA simulator alone: its URL and credentials as one JSON line, then serve",
		Example: "  ponte sga-sim --listen 127.0.0.1:0 --members 5000 --fail-5xx 0.05 --churn 1m\n" +
			"  ponte sga-sim | jq -r .url",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runSim(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8765", "address to listen on (port 0 picks a free one)")
	f.Uint64Var(&o.simulator.Seed, "seed", 1, "seed of the generated data")
	f.IntVar(&o.simulator.Members, "members", 300, "associados to generate (10 to 100000)")
	f.IntVar(&o.simulator.PageSize, "page-size", 500, "records per supplier-sync page")
	f.DurationVar(&o.simulator.Faults.Latency, "latency", 0, "latency added to every response")
	f.DurationVar(&o.simulator.Faults.Jitter, "jitter", 0, "random extra latency, up to this")
	f.Float64Var(&o.simulator.Faults.Fail5xx, "fail-5xx", 0, "rate (0 to 1) of responses that are 500, 502 or 503")
	f.Float64Var(&o.simulator.Faults.Fail429, "fail-429", 0, "rate of responses that are 429 with Retry-After: 1")
	f.Float64Var(&o.simulator.Faults.FailHang, "fail-hang", 0, "rate of requests held until the client gives up")
	f.Float64Var(&o.simulator.Faults.FailMalformed, "fail-malformed", 0, "rate of responses with one record, or the body, corrupted")
	f.DurationVar(&o.simulator.Faults.HangFor, "hang-for", 5*time.Minute, "longest a hung request is held")
	f.IntVar(&o.simulator.Faults.BlockAfter, "block-after", 0, "block a token after more than N requests within --block-window (0: never)")
	f.DurationVar(&o.simulator.Faults.BlockWindow, "block-window", time.Minute, "the extraction block's counting window")
	f.DurationVar(&o.simulator.Faults.BlockFor, "block-for", time.Hour, "how long the extraction block lasts")
	f.StringVar(&o.simulator.AccessHours, "access-hours", "", "the SGA user may work only within HH:MM-HH:MM (local time)")
	f.StringVar(&o.deny, "deny-routes", "", "comma-separated routes not enabled for the tokens (e.g. listar/veiculo)")
	f.IntVar(&o.simulator.NotAllowedStatus, "not-allowed-status", 404, "the HTTP status for a route not enabled (404, 401 or 403)")
	f.BoolVar(&o.simulator.AllowAPIKeyOnData, "allow-api-key-on-data", false, "accept the chave API as Bearer on data routes, as older SGAs did")
	f.StringVar(&o.paging, "paging", "offset0", "what listar/veiculo's inicio_paginacao means: offset0, offset1 or page")
	f.DurationVar(&o.churn, "churn", 0, "apply a round of changes (situações, vehicles, associados) this often (0: never)")
	f.BoolVar(&o.verbose, "verbose", false, "log every request to stderr")
	return cmd
}

// runSim is sga-sim's work, on its flags.
func (a *app) runSim(cmd *cobra.Command, o simOptions) error {
	switch o.paging {
	case "offset0":
		o.simulator.Paging = sim.PagingOffset0
	case "offset1":
		o.simulator.Paging = sim.PagingOffset1
	case "page":
		o.simulator.Paging = sim.PagingPageIndex
	default:
		return usagef("--paging must be offset0, offset1 or page, not %q", o.paging)
	}
	if o.deny != "" {
		for _, r := range strings.Split(o.deny, ",") {
			o.simulator.DeniedRoutes = append(o.simulator.DeniedRoutes, strings.TrimSpace(r))
		}
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	o.simulator.Logger = logger
	s, err := sim.New(o.simulator)
	if err != nil {
		return usageError{err}
	}
	defer s.Close()
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	creds := s.Credentials()
	creds.URL = "http://" + ln.Addr().String() + sim.BasePath
	members, vehicles := s.Counts()
	line, _ := json.Marshal(struct {
		sim.Credentials
		Seed     uint64 `json:"seed"`
		Members  int    `json:"members"`
		Vehicles int    `json:"vehicles"`
	}{creds, o.simulator.Seed, members, vehicles})
	fmt.Fprintln(cmd.OutOrStdout(), string(line))

	srv, capped := newHTTPServer(ln, s, simLimits(s.Held()), logger)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(capped) }()
	var churning sync.WaitGroup
	churnCtx, stopChurn := context.WithCancel(cmd.Context())
	defer func() { stopChurn(); churning.Wait() }()
	if o.churn > 0 {
		churning.Go(func() {
			s.RunChurn(churnCtx, o.churn, func(r sim.ChurnReport) { logger.Info("churn", "report", r.String()) })
		})
	}
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-cmd.Context().Done():
	}
	s.Close() // release hung requests first, so that Shutdown need not wait for them
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-done
	return nil
}
