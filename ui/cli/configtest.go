package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga"
	"ponte/store"
)

// probeLine is one line of config test's report.
type probeLine struct {
	API    string `json:"api"`
	Route  string `json:"route"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	TookMS int64  `json:"took_ms"`
}

// testReport is config test's report as --json prints it.
type testReport struct {
	OK      bool        `json:"ok"`
	SGAURL  string      `json:"sga_url"`
	Routes  []probeLine `json:"routes"`
	Product probeLine   `json:"product"`
	Next    []string    `json:"next,omitempty"` // what to do about the problems found
}

func (a *app) configTestCmd() *cobra.Command {
	var (
		timeout time.Duration
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Probe every SGA route ponte needs, and the product code",
		Long: "Probe every SGA route ponte needs with the stored credentials, then the product code, and\n" +
			"print a line per route. Each retry of a failed request is shown on stderr as it happens.\n" +
			"Exit 0 when everything answered, 5 when SGA refused the credentials, 1 otherwise.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			if timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			s, done, err := a.openStore(reading, inAssociation)
			if err != nil {
				return err
			}
			defer done(&err)
			in, err := s.Integration()
			if err != nil {
				return err
			}
			if u := a.baseURL(); u != "" {
				in.SGAURL = u
			}
			rules, err := s.Rules()
			if err != nil {
				return err
			}
			rep := a.probe(cmd, in, rules, timeout)
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), rep); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "API\tROUTE\tRESULT\tDETAIL")
				for _, r := range append(rep.Routes, rep.Product) {
					printf(tw, "%s\t%s\t%s\t%s\n", r.API, r.Route, r.Status, r.Detail)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if rep.OK {
				return nil
			}
			err = errors.New("the connection test found problems")
			for _, next := range rep.Next {
				err = fmt.Errorf("%w\n%s", err, a.naming(s, next))
			}
			if slices.Contains(rep.Next, hintPassword) || slices.Contains(rep.Next, hintSyncToken) {
				return statusError{status: ExitRefused, err: err}
			}
			return err
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "the longest the whole test may take")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	return cmd
}

// probe runs the connection test within timeout, telling each retry on stderr.
func (a *app) probe(cmd *cobra.Command, in store.Integration, rules store.Rules, timeout time.Duration) testReport {
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	c := sga.New(sga.Config{BaseURL: in.SGAURL, Timeout: min(30*time.Second, timeout), MaxRetries: 2,
		Credentials: sga.Credentials{User: in.User, Password: in.Password, APIKey: in.APIKey, SyncToken: in.SyncToken},
		OnRetry: func(r sga.Retry) {
			printf(cmd.ErrOrStderr(), "retry %d of %d in %s: %v\n", r.Attempt, r.Of, r.Wait.Round(100*time.Millisecond), r.Err)
		}})
	defer c.Close()
	res := c.Test(ctx, rules.Active)
	productErr := errors.New("not set")
	var unreachable bool
	for _, r := range res.Results {
		unreachable = unreachable || sga.Unreachable(r.Err)
	}
	switch {
	case unreachable:
		productErr = errors.New("not tried: no reply from SGA")
	case in.ProductCode != "":
		productErr = c.CheckProduct(ctx, in.ProductCode)
	}
	url := in.SGAURL
	if url == "" {
		url = sga.DefaultBaseURL
	}
	rep := testReport{OK: res.OK() && productErr == nil, SGAURL: url}
	var refusedManual, refusedSync, notAllowed bool
	for _, r := range res.Results {
		line := probeLine{API: r.API, Route: r.Route, Status: r.Status.String(), Detail: r.Skipped, TookMS: r.Took.Milliseconds()}
		switch {
		case r.Status == sga.ProbeUnfinished:
			line.Detail = fmt.Sprintf("the test's %s ran out first", timeout)
		case r.Err != nil:
			line.Detail = r.Err.Error()
		}
		if r.Optional && r.Status != sga.ProbeOK && r.Status != sga.ProbeSkipped {
			line.Detail = "optional: without it the daily sync reads SGA's whole listing every day; " + line.Detail
		}
		rep.Routes = append(rep.Routes, line)
		refusedManual = refusedManual || (r.API == "manual" && errors.Is(r.Err, sga.ErrUnauthorized))
		refusedSync = refusedSync || (r.API == "sync" && errors.Is(r.Err, sga.ErrUnauthorized))
		notAllowed = notAllowed || (r.Status == sga.ProbeNotAllowed && !r.Optional)
	}
	rep.Product = probeLine{API: "product", Route: "codigo_produto " + in.ProductCode, Status: "ok"}
	switch {
	case productErr == nil:
	case ctx.Err() != nil:
		rep.Product.Status, rep.Product.Detail = "not finished", fmt.Sprintf("the test's %s ran out first", timeout)
	default:
		rep.Product.Status, rep.Product.Detail = "failed", productErr.Error()
		unreachable = unreachable || sga.Unreachable(productErr)
	}
	for _, next := range []struct {
		when bool
		text string
	}{{unreachable, nextStepText(sga.CodeUnreachable, url)}, {refusedManual, nextStepText(sga.CodeCredentials, url)},
		{refusedSync, nextStepText(sga.CodeSyncToken, url)}, {notAllowed, nextStepText(sga.CodeRoute, url)},
		{in.ProductCode == "", "set the product code: ponte config set --product-code CODE"}} {
		if next.when && !rep.OK {
			rep.Next = append(rep.Next, next.text)
		}
	}
	return rep
}
