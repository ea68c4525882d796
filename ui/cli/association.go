package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"ponte/store"
)

// association is the association this command works in: --association, else
// PONTE_ASSOCIATION, else "" (the only one there is).
func (a *app) association() string {
	if a.assoc != "" {
		return a.assoc
	}
	return a.getenv("PONTE_ASSOCIATION")
}

// in resolves the command's association in s: the one named, or the only one. Naming none
// when there are several, or one that does not exist, is a usage mistake that lists them.
func (a *app) in(s store.Backend) (store.Backend, error) {
	name := a.association()
	all, err := s.Associations()
	if err != nil {
		return nil, err
	}
	list := func() string {
		names := make([]string, len(all))
		for i, x := range all {
			names[i] = x.Slug
		}
		return strings.Join(names, ", ")
	}
	switch {
	case name == "" && len(all) == 1:
		return s.ForAssociation(all[0].Slug)
	case name == "" && len(all) == 0:
		return nil, errors.New("the database has no association: add one with ponte association add NAME")
	case name == "":
		return nil, usagef("this database has %d associations: name one with --association NAME (or PONTE_ASSOCIATION): %s", len(all), list())
	}
	in, err := s.ForAssociation(name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, usagef("no association %q; there are: %s", name, list())
	}
	return in, err
}

// inNamedOrAll is s seen from the association --association names, or, named none, s as it
// is: every association's records, for the commands that list them (export, runs).
func (a *app) inNamedOrAll(s store.Backend) (store.Backend, error) {
	if a.association() == "" {
		return s, nil
	}
	return a.in(s)
}

func (a *app) associationCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "association",
		Aliases: []string{"associations"},
		Short:   "Add, list, show, disable and enable associations",
		Long: "Each association is one customer and one SGA: its own integration, schedule, runs, clients and\n" +
			"vehicles. Commands that work in one take --association NAME (or PONTE_ASSOCIATION) when the\n" +
			"database has more than one.",
	})
	cmd.AddCommand(a.associationAddCmd(), a.associationListCmd(), a.associationShowCmd(), a.associationSetCmd(), a.associationRulesCmd(),
		a.associationEnableCmd("disable", false), a.associationEnableCmd("enable", true))
	return cmd
}

func (a *app) associationAddCmd() *cobra.Command {
	var name, cnpj string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an association: NAME is its short name (lower-case letters, digits, '-')",
		Long: "Add an association. NAME is the short name the command line uses (--association NAME): 1 to 32\n" +
			"lower-case letters, digits or '-'. Then set its integration with\n" +
			"ponte --association NAME config set ...",
		Example: "  ponte association add protecao-sul --name \"Proteção Sul\" --cnpj 11.222.333/0001-81",
		Args:    exactArgs(1, "the short name"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			added, err := s.AddAssociation(store.Association{Slug: args[0], Name: name, CNPJ: cnpj}, a.actor())
			if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrDuplicate) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "added association %s (%s); set its integration with: ponte --association %s config set ...\n",
				added.Slug, added.Name, added.Slug)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "its display name (default: the short name)")
	cmd.Flags().StringVar(&cnpj, "cnpj", "", "its CNPJ, with or without punctuation")
	return cmd
}

// associationView is an association as list and show print it.
type associationView struct {
	Slug      string     `json:"slug"`
	Name      string     `json:"name"`
	CNPJ      string     `json:"cnpj,omitempty"`
	Disabled  bool       `json:"disabled"`
	Clients   int        `json:"clients"`
	Vehicles  int        `json:"vehicles"`
	Contracts int        `json:"contracts"`
	Daily     string     `json:"daily"` // "03:00", or "off"
	NextRun   *time.Time `json:"next_run,omitempty"`
	LastRun   *store.Run `json:"last_run,omitempty"`
	// LastFullRead and NewestChange are its freshness (store.Freshness); nil: never.
	LastFullRead *time.Time `json:"last_full_read,omitempty"`
	NewestChange *time.Time `json:"newest_change_applied,omitempty"`

	// Schedule is the schedule in one line; Skipped the scheduled runs skipped because one of
	// the association's runs was going.
	Schedule    string `json:"schedule"`
	Skipped     int    `json:"skipped_runs"`
	SkippedLine string `json:"-"`
}

func viewOf(s store.AssociationSummary) associationView {
	v := associationView{Slug: s.Slug, Name: s.Name, CNPJ: s.CNPJ, Disabled: s.Disabled, Clients: s.Clients,
		Vehicles: s.Vehicles, Contracts: s.Contracts, Daily: "off", LastRun: s.LastRun,
		Schedule: scheduleLine(s.Schedule), Skipped: s.Schedule.Skipped, SkippedLine: skippedLine(s.Schedule)}
	if s.Schedule.Enabled {
		v.Daily = s.Schedule.TimeOfDay
		if !s.Schedule.NextRun.IsZero() {
			next := s.Schedule.NextRun
			v.NextRun = &next
		}
	}
	if v.LastRun != nil {
		v.LastRun.Errors = nil // the run's own command shows them
	}
	if t := s.Freshness.LastFullRead; !t.IsZero() {
		v.LastFullRead = &t
	}
	if t := s.Freshness.NewestChange; !t.IsZero() {
		v.NewestChange = &t
	}
	return v
}

// freshnessRows are an association's freshness as show prints it.
func freshnessRows(v associationView) [][2]string {
	at := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return t.Local().Format(timeLayout)
	}
	return [][2]string{{"last full read", at(v.LastFullRead, "never")}, {"newest change applied", at(v.NewestChange, "none")}}
}

func (a *app) associationListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the associations with their figures and last sync",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			s, done, err := a.openStore(reading, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			all, err := s.Overview()
			if err != nil {
				return err
			}
			views := make([]associationView, len(all))
			for i, x := range all {
				views[i] = viewOf(x)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), views)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ASSOCIATION\tNAME\tCNPJ\tCLIENTS\tVEHICLES\tCONTRACTS\tLAST SYNC\tDAILY")
			for _, v := range views {
				name := v.Name
				if v.Disabled {
					name += " (disabled)"
				}
				printf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", v.Slug, name, orNone(store.FormatCNPJ(v.CNPJ)), v.Clients, v.Vehicles, v.Contracts, lastSync(v.LastRun), v.Daily)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// lastSync is a run in a few words: "succeeded 2026-11-27 03:04, 2 errors".
func lastSync(r *store.Run) string {
	if r == nil {
		return "never"
	}
	s := r.Status + " " + r.StartedAt.Local().Format(timeLayout)
	if r.ErrorCount > 0 {
		s += ", " + plural(r.ErrorCount, "error", "errors")
	}
	return s
}

func (a *app) associationShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one association: its figures, integration state, schedule and last sync",
		Args:  exactArgs(1, "the association's short name"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(reading, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			all, err := s.Overview()
			if err != nil {
				return err
			}
			for _, x := range all {
				if x.Slug != strings.ToLower(strings.TrimSpace(args[0])) {
					continue
				}
				v := viewOf(x)
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), v)
				}
				in, _ := s.ForAssociation(x.Slug)
				state, err := in.IntegrationState()
				if err != nil {
					return err
				}
				showAssociation(cmd.OutOrStdout(), v, state)
				return nil
			}
			_, err = a.inNamed(s, args[0])
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// inNamed is the usage error for an association that does not exist, listing those that do.
func (a *app) inNamed(s store.Backend, name string) (store.Backend, error) {
	saved := a.assoc
	a.assoc = name
	defer func() { a.assoc = saved }()
	return a.in(s)
}

func showAssociation(w io.Writer, v associationView, in store.IntegrationState) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	state := "enabled"
	if v.Disabled {
		state = "disabled: it does not sync"
	}
	yes := map[bool]string{true: "set", false: "not set"}
	rows := [][2]string{{"association", v.Slug}, {"name", orNone(v.Name)}, {"cnpj", orNone(store.FormatCNPJ(v.CNPJ))}, {"state", state},
		{"clients", fmt.Sprint(v.Clients)}, {"vehicles", fmt.Sprint(v.Vehicles)}, {"contracts", fmt.Sprint(v.Contracts)},
		{"product code", orNone(in.ProductCode)}, {"manual credentials", yes[in.Manual]}, {"sync token", yes[in.Sync]},
		{"daily sync", v.Daily}, {"schedule", v.Schedule}, {"skipped runs", v.SkippedLine}, {"last sync", lastSync(v.LastRun)}}
	if v.NextRun != nil {
		rows = append(rows, [2]string{"next sync", v.NextRun.Local().Format("2006-01-02 15:04:05")})
	}
	rows = append(rows, freshnessRows(v)...)
	for _, r := range rows {
		printf(tw, "%s:\t%s\n", r[0], r[1])
	}
	tw.Flush()
}

func (a *app) associationSetCmd() *cobra.Command {
	var slug, name, cnpj string
	cmd := &cobra.Command{
		Use:   "set NAME",
		Short: "Rename an association (--slug, --name) or set its CNPJ",
		Example: "  ponte association set principal --slug protecao-sul --name \"Proteção Sul\"\n" +
			"  ponte association set protecao-sul --cnpj 11.222.333/0001-81",
		Args: exactArgs(1, "the association's short name"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			f := cmd.Flags()
			var p store.AssociationPatch
			for flag, dst := range map[string]**string{"slug": &p.Slug, "name": &p.Name, "cnpj": &p.CNPJ} {
				if changed(f, flag) {
					v, _ := f.GetString(flag)
					*dst = &v
				}
			}
			if p == (store.AssociationPatch{}) {
				return usagef("association set needs --slug, --name or --cnpj")
			}
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			if _, err := a.inNamed(s, args[0]); err != nil {
				return err
			}
			got, err := s.UpdateAssociation(args[0], p, a.actor())
			if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrDuplicate) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "association %s (%s) saved\n", got.Slug, got.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&slug, "slug", "", "a new short name")
	cmd.Flags().StringVar(&name, "name", "", "a new display name")
	cmd.Flags().StringVar(&cnpj, "cnpj", "", "its CNPJ (empty: none)")
	return cmd
}

// weekdays are the days --full-day takes, in Portuguese or English.
var weekdays = map[string]time.Weekday{
	"domingo": time.Sunday, "segunda": time.Monday, "terca": time.Tuesday, "terça": time.Tuesday, "quarta": time.Wednesday,
	"quinta": time.Thursday, "sexta": time.Friday, "sabado": time.Saturday, "sábado": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// rulesOptions are association rules' flags.
type rulesOptions struct {
	sched      scheduleFlags
	situations []string // DESCRIPTION=CLASS
	onDefault  bool     // --remove-on-default
	asJSON     bool
}

func (a *app) associationRulesCmd() *cobra.Command {
	var o rulesOptions
	cmd := &cobra.Command{
		Use:   "rules NAME",
		Short: "Show or set how an association's situações are read, and its sync schedule",
		Long: "Show or set an association's rules. ponte reads a situação from its description: ATIVO...\n" +
			"is active; CANCELADO, INATIVO, EXCLUÍDO and the like mean the tracker must come back (saida);\n" +
			"INADIMPLENTE marks the contract (inadimplente); anything else asks for nothing (outra).\n" +
			"--situation DESCRIPTION=CLASS overrides that for one description (CLASS: ativo, saida,\n" +
			"inadimplente, outra); --remove-on-default proposes a removal for INADIMPLENTE too.\n" +
			"The schedule: the daily sync reads SGA's whole listing at its time (ponte's console sets it),\n" +
			"which sees what no change feed shows (a product linked or unlinked): --full-day daily (the\n" +
			"default) or a weekday for once a week, for an SGA that blocks heavy extraction (the other\n" +
			"days it reads the change feed). Between, an incremental run reads the change feed --every\n" +
			"interval (default 60m; off for none) within --hours (default 07:00-20:00), so that what the\n" +
			"feed shows (a cancellation) reaches ponte within the interval. Setting any of them is for\n" +
			"supervisors.",
		Example: "  ponte association rules protecao-sul\n" +
			"  ponte association rules protecao-sul --situation \"SUSPENSO=saida\" --full-day sabado\n" +
			"  ponte association rules protecao-sul --every 30m --hours 07:00-20:00 --full-day daily",
		Args: exactArgs(1, "the association's short name"),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runAssociationRules(cmd, args, o) },
	}
	cmd.Flags().StringVar(&o.sched.fullDay, "full-day", "", "daily: a full read every day (the default); a weekday: once a week, that day")
	cmd.Flags().StringVar(&o.sched.every, "every", "", fmt.Sprintf("the interval of incremental runs within --hours, %dm to %dh, or off (default 60m)", store.MinEveryMinutes, store.MaxEveryMinutes/60))
	cmd.Flags().StringVar(&o.sched.hours, "hours", "", "HH:MM-HH:MM: when incremental runs start (default 07:00-20:00)")
	cmd.Flags().StringArrayVar(&o.situations, "situation", nil, "DESCRIPTION=CLASS, repeatable")
	cmd.Flags().BoolVar(&o.onDefault, "remove-on-default", false, "propose a removal when a vehicle becomes INADIMPLENTE")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the rules as JSON")
	return cmd
}

// rulesChange is what association rules' flags ask to change: nothing, when they only show.
type rulesChange struct {
	schedule    func(*store.Schedule)
	setSchedule bool              // --full-day, --every or --hours given
	situations  map[string]string // --situation, DESCRIPTION to CLASS
	onDefault   *bool             // --remove-on-default, when given
	setRules    bool              // --situation or --remove-on-default given
}

// change reads what the flags change; a --situation that is not DESCRIPTION=CLASS is a usage
// mistake.
func (o rulesOptions) change(f *pflag.FlagSet) (rulesChange, error) {
	schedule, err := o.sched.patch(func(name string) bool { return changed(f, name) })
	if err != nil {
		return rulesChange{}, err
	}
	c := rulesChange{schedule: schedule, setSchedule: changed(f, "full-day") || changed(f, "every") || changed(f, "hours"),
		situations: map[string]string{}, setRules: changed(f, "situation") || changed(f, "remove-on-default")}
	for _, s := range o.situations {
		desc, class, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(desc) == "" {
			return rulesChange{}, usagef("--situation %q: want DESCRIPTION=CLASS", s)
		}
		c.situations[desc] = strings.TrimSpace(class)
	}
	if changed(f, "remove-on-default") {
		c.onDefault = &o.onDefault
	}
	return c, nil
}

// runAssociationRules is association rules' work, on its flags: it shows the rules, after
// setting what the flags change.
func (a *app) runAssociationRules(cmd *cobra.Command, args []string, o rulesOptions) (err error) {
	c, err := o.change(cmd.Flags())
	if err != nil {
		return err
	}
	set := c.setSchedule || c.setRules
	acc := reading
	if set {
		acc = writing
	}
	s, done, err := a.openStore(acc, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	in, err := a.inNamed(s, args[0])
	if err != nil {
		return err
	}
	rules, err := in.Rules()
	if err != nil {
		return err
	}
	if set {
		if rules.Situations == nil {
			rules.Situations = map[string]string{}
		}
		maps.Copy(rules.Situations, c.situations)
		if c.onDefault != nil {
			rules.RemoveOnDefault = *c.onDefault
		}
		if c.setRules {
			if err := in.SetRules(rules, a.actor()); errors.Is(err, store.ErrInvalid) {
				return usageError{err}
			} else if err != nil {
				return err
			}
			if rules, err = in.Rules(); err != nil {
				return err
			}
		}
		if c.setSchedule {
			if err := a.setSchedule(in, c.schedule); err != nil {
				return err
			}
		}
	}
	sc, err := in.Schedule()
	if err != nil {
		return err
	}
	counts, err := in.SituationCounts()
	if err != nil {
		return err
	}
	classes := map[string]string{}
	for d := range maps.Keys(counts) {
		classes[d] = rules.Classify(d)
	}
	for d := range maps.Keys(rules.Situations) {
		classes[d] = rules.Classify(d)
	}
	if o.asJSON {
		return writeJSON(cmd.OutOrStdout(), map[string]any{"situations": rules.Situations, "classes": classes,
			"remove_on_default": rules.RemoveOnDefault, "full_day": fullDayName(sc), "schedule": scheduleJSON(sc)})
	}
	showRules(cmd.OutOrStdout(), rules, sc, counts, classes)
	return nil
}

// showRules prints an association's rules: its full day, and how each situação its vehicles
// hold (or its rules name) is classed, with how many vehicles hold it and which rule says so.
func showRules(w io.Writer, rules store.Rules, sc store.Schedule, counts map[string]int, classes map[string]string) {
	printf(w, "schedule: %s\nremoval on INADIMPLENTE: %s\n\n", scheduleLine(sc), map[bool]string{true: "yes", false: "no"}[rules.RemoveOnDefault])
	if len(classes) == 0 {
		fmt.Fprintln(w, "no vehicles yet; a situation will be classed by its description:")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SITUATION\tCLASS\tVEHICLES\tBY")
		for _, d := range slices.Sorted(maps.Keys(classes)) {
			by := "its description"
			if _, ok := rules.Situations[d]; ok {
				by = "this association's rule"
			}
			printf(tw, "%s\t%s\t%s\t%s\n", store.Printable(d), classes[d], plural(counts[d], "vehicle", "vehicles"), by)
		}
		tw.Flush()
		fmt.Fprintln(w, "\nclasses, and how a description is classed when no rule names it:")
	}
	for _, c := range [][2]string{
		{store.ClassActive, "active (ATIVO…)"},
		{store.ClassGone, "the tracker comes back: a removal is proposed (CANCELADO…, INATIVO…, DESATIVADO…, EXCLUÍDO…)"},
		{store.ClassDefault, "marks the contract; a removal only with --remove-on-default (INADIMPLENTE…)"},
		{store.ClassOther, "nothing to do (anything else)"},
	} {
		printf(w, "  %-13s %s\n", c[0], c[1])
	}
}

func (a *app) associationEnableCmd(verb string, enable bool) *cobra.Command {
	short := "Disable an association: it keeps its data but no longer syncs"
	if enable {
		short = "Enable a disabled association again"
	}
	return &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Args:  exactArgs(1, "the association's short name"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			if _, err := a.inNamed(s, args[0]); err != nil {
				return err
			}
			got, err := s.SetAssociationEnabled(args[0], enable, a.actor())
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "association %s %sd\n", got.Slug, verb)
			return nil
		},
	}
}
