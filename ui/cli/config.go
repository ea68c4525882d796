package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga"
	"ponte/sga/syncer"
	"ponte/store"
)

// integrationField is one field of the integration as the command line names it.
type integrationField struct {
	name   string // on the command line: a flag of config set, an argument of config unset
	key    string // in --json output
	label  string // in config show's table
	field  string // store.Field*
	secret bool
	env    string // where config set reads the secret from
}

var integrationFields = []integrationField{
	{"sga-url", "sga_url", "sga url", store.FieldSGAURL, false, ""},
	{"user", "user", "user", store.FieldUser, false, ""},
	{"password", "password", "password", store.FieldPassword, true, "PONTE_SGA_PASSWORD"},
	{"api-key", "api_key", "api key", store.FieldAPIKey, true, "PONTE_SGA_API_KEY"},
	{"product-code", "product_code", "product code", store.FieldProductCode, false, ""},
	{"sync-token", "sync_token", "sync token", store.FieldSyncToken, true, "PONTE_SGA_SYNC_TOKEN"},
}

func fieldNames() []string {
	var names []string
	for _, f := range integrationFields {
		names = append(names, f.name)
	}
	return names
}

func (a *app) configCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "config",
		Short: "The SGA integration: set, show, test or unset it",
	})
	cmd.AddCommand(a.configSetCmd(), a.configShowCmd(), a.configTestCmd(), a.configUnsetCmd())
	return cmd
}

// configSetCmd saves the integration. Secrets never come from argv: from PONTE_SGA_PASSWORD,
// PONTE_SGA_API_KEY and PONTE_SGA_SYNC_TOKEN, or from stdin, one line per --*-stdin flag in
// the order password, API key, sync token.
func (a *app) configSetCmd() *cobra.Command {
	var stdinFlags = map[string]*bool{}
	cmd := &cobra.Command{
		Use:   "set",
		Short: "Set the SGA integration's fields",
		Long: "Set the SGA integration's fields. Secrets come from PONTE_SGA_PASSWORD, PONTE_SGA_API_KEY and\n" +
			"PONTE_SGA_SYNC_TOKEN, or from stdin (one line each, in the order password, API key, sync\n" +
			"token), never from the command line. SGA is asked first: a login or token it refuses, or a\n" +
			"product code it does not have, is not saved.",
		Example: "  ponte config set --sga-url https://api.hinova.com.br/api/sga/v2 --user integracao --product-code 19\n" +
			"  printf '%s\\n' \"$SENHA\" \"$CHAVE\" | ponte config set --password-stdin --api-key-stdin\n" +
			"  PONTE_SGA_SYNC_TOKEN=… ponte config set",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.integrationPatch(cmd, stdinFlags)
			if err != nil {
				return err
			}
			return a.runConfigSet(cmd, p)
		},
	}
	f := cmd.Flags()
	f.String("sga-url", "", "the SGA base URL, e.g. "+sga.DefaultBaseURL)
	f.String("user", "", "the SGA user (Usuário)")
	f.String("product-code", "", "our product's code in SGA (Código do Produto)")
	for _, name := range []string{"password", "api-key", "sync-token"} {
		what := map[string]string{"password": "password (Senha)", "api-key": "API key (Chave API)", "sync-token": "sync token (Sincronismo SGA)"}[name]
		stdinFlags[name] = f.Bool(name+"-stdin", false, "read the "+what+" from stdin")
	}
	return cmd
}

// integrationPatch is config set's flags, with the secrets from the environment or stdin
// (stdin's flags), as the patch to save: a field given empty, or one the store would refuse,
// is a usage error.
func (a *app) integrationPatch(cmd *cobra.Command, stdinFlags map[string]*bool) (store.IntegrationPatch, error) {
	var p store.IntegrationPatch
	dst := map[string]**string{store.FieldSGAURL: &p.SGAURL, store.FieldUser: &p.User, store.FieldPassword: &p.Password,
		store.FieldAPIKey: &p.APIKey, store.FieldProductCode: &p.ProductCode, store.FieldSyncToken: &p.SyncToken}
	stdin := bufio.NewReader(cmd.InOrStdin())
	for _, f := range integrationFields {
		var v string
		switch {
		case f.secret && *stdinFlags[f.name]:
			line, err := stdin.ReadString('\n')
			if err != nil && (err != io.EOF || line == "") {
				return p, usagef("read the %s from stdin: no line left", f.name)
			}
			v = line
		case f.secret && a.getenv(f.env) != "":
			v = a.getenv(f.env)
		case !f.secret && changed(cmd.Flags(), f.name):
			v, _ = cmd.Flags().GetString(f.name)
		default:
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return p, usagef("%s: empty; to clear a field use ponte config unset %s", f.name, f.name)
		}
		if err := store.CheckSetting(f.field, v); err != nil {
			return p, usageError{fieldError(f.name, err)}
		}
		*dst[f.field] = &v
	}
	return p, nil
}

// runConfigSet is config set's work: p, once SGA accepts it, saved.
func (a *app) runConfigSet(cmd *cobra.Command, p store.IntegrationPatch) (err error) {
	s, done, err := a.openStore(writing, inAssociation)
	if err != nil {
		return err
	}
	defer done(&err)
	if err := a.vet(cmd, s, p); err != nil {
		return err
	}
	changed, err := s.SetIntegration(p, a.actor())
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "nothing changed")
		return nil
	}
	printf(cmd.OutOrStdout(), "saved: %s\n", strings.Join(cliNames(changed), ", "))
	return nil
}

// fieldError names a refused setting as the command line does (user, not usuario).
func fieldError(name string, err error) error {
	var fe *store.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	_, problem, _ := strings.Cut(fe.Error(), ": ")
	return fmt.Errorf("--%s: %s", name, problem)
}

// cliNames turns store field names into the command line's.
func cliNames(fields []string) []string {
	var out []string
	for _, f := range integrationFields {
		if slices.Contains(fields, f.field) {
			out = append(out, f.name)
		}
	}
	return out
}

// vet asks SGA, before p is saved, whether it accepts what p changes (syncer.Vet), as the
// console's Salvar does: a login or a token it refuses is not saved (exit 5), nor a product
// code it does not have (a wrong one would make every vehicle look gone at the next sync).
// When SGA cannot be asked, p is saved with a warning.
func (a *app) vet(cmd *cobra.Command, s store.Backend, p store.IntegrationPatch) error {
	in, err := s.Integration()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
	defer cancel()
	_, err = syncer.Vet(ctx, in, p, a.baseURL())
	switch {
	case errors.Is(err, syncer.ErrUnknownProduct):
		return fmt.Errorf("product-code: %w; nothing was saved", err)
	case errors.Is(err, syncer.ErrLoginRefused):
		return statusError{status: ExitRefused, err: fmt.Errorf("%w; nothing was saved\n%s", err, a.naming(s, nextStepText(sga.CodeCredentials, "")))}
	case errors.Is(err, syncer.ErrTokenRefused):
		return statusError{status: ExitRefused, err: fmt.Errorf("%w; nothing was saved\n%s", err, a.naming(s, nextStepText(sga.CodeSyncToken, "")))}
	case errors.Is(err, sga.ErrLinkLocal):
		// A name that leads to a link-local address: the literal ones were refused already.
		return usageError{fmt.Errorf("%w (the URL leads there); nothing was saved",
			fieldError("sga-url", &store.FieldError{Field: store.FieldSGAURL, Problem: store.ProblemLinkLocal}))}
	case err != nil:
		printf(cmd.ErrOrStderr(), "warning: SGA could not be asked whether it accepts these settings (%v); saved untested; ponte config test tests them\n", err)
	}
	return nil
}

func (a *app) configUnsetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unset FIELD...",
		Short: "Clear stored fields of the integration (a stale sync token, say)",
		Long: "Clear stored fields of the integration. FIELD is one of: " + strings.Join(fieldNames(), ", ") + ".\n" +
			"A cleared sync token makes syncs read with the manual credentials; a cleared sga-url goes back\n" +
			"to " + sga.DefaultBaseURL + ". The audit records who cleared what.",
		Example:   "  ponte config unset sync-token",
		ValidArgs: fieldNames(),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("name the fields to clear: %s", strings.Join(fieldNames(), ", "))
			}
			for _, arg := range args {
				if !slices.Contains(fieldNames(), arg) {
					return usagef("unknown field %q: one of %s", arg, strings.Join(fieldNames(), ", "))
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			var fields []string
			for _, f := range integrationFields {
				if slices.Contains(args, f.name) {
					fields = append(fields, f.field)
				}
			}
			s, done, err := a.openStore(writing, inAssociation)
			if err != nil {
				return err
			}
			defer done(&err)
			cleared, err := s.UnsetIntegration(fields, a.actor())
			if err != nil {
				return err
			}
			if len(cleared) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "nothing to clear: not set")
				return nil
			}
			printf(cmd.OutOrStdout(), "cleared: %s\n", strings.Join(cliNames(cleared), ", "))
			return nil
		},
	}
}

// shownField is one field as config show prints it: secrets masked.
type shownField struct {
	Value     string     `json:"value"`
	Set       bool       `json:"set"`
	ChangedBy string     `json:"changed_by,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// configShowOptions are config show's flags.
type configShowOptions struct {
	asJSON bool
}

func (a *app) configShowCmd() *cobra.Command {
	var o configShowOptions
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the integration, secrets masked",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.runConfigShow(cmd, o) },
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the fields as one JSON object")
	return cmd
}

// runConfigShow is config show's work, on its flags.
func (a *app) runConfigShow(cmd *cobra.Command, o configShowOptions) (err error) {
	s, done, err := a.openStore(reading, inAssociation)
	if err != nil {
		return err
	}
	defer done(&err)
	in, err := s.Integration()
	if err != nil {
		return err
	}
	fields := map[string]shownField{}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	if here, ok := s.Current(); ok {
		printf(tw, "association\t%s (%s)\t\n", here.Slug, store.Printable(here.Name))
	}
	for _, f := range integrationFields {
		v := *in.Field(f.field)
		sf := shownField{Value: v, Set: v != ""}
		switch {
		case f.secret:
			sf.Value = store.Mask(f.field, v)
		case f.field == store.FieldSGAURL && v == "":
			sf.Value = sga.DefaultBaseURL
		case f.field == store.FieldSGAURL:
			if u, err := neturl.Parse(v); err == nil && u.User != nil {
				sf.Value = u.Redacted() // saved before user info was refused
			}
		}
		if c, ok := in.Changes[f.field]; ok {
			at := c.At
			sf.ChangedBy, sf.ChangedAt = c.By, &at
		}
		fields[f.key] = sf
		shown := store.Printable(sf.Value)
		switch {
		case !sf.Set && f.field == store.FieldSGAURL:
			shown += " (default)"
		case !sf.Set:
			shown = "(not set)"
		}
		changed := ""
		if sf.ChangedAt != nil {
			changed = sprintf("changed by %s at %s", sf.ChangedBy, sf.ChangedAt.Local().Format(timeLayout))
		}
		printf(tw, "%s\t%s\t%s\n", f.label, shown, changed)
	}
	if o.asJSON {
		return writeJSON(cmd.OutOrStdout(), fields)
	}
	return tw.Flush()
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(store.JSONText(b.Bytes()))
	return err
}
