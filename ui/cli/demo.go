package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
)

// demoAssociations are the demo's three associations, each on a simulator of its own: one
// as --latency says, one whose SGA fails about 5% of its answers with 5xx, one slow (200 ms a
// request), so that the picker, the search across associations and failures that stay in
// their association all show at once.
var demoAssociations = []demoAssociation{
	{"protecao-sul", "Proteção Sul", 0, func(l time.Duration) sim.Faults { return sim.Faults{Latency: l} }},
	{"norte-seguro", "Norte Seguro", 1, func(l time.Duration) sim.Faults { return sim.Faults{Latency: l, Fail5xx: 0.05} }},
	{"vale-minas", "Vale de Minas", 2, func(time.Duration) sim.Faults { return sim.Faults{Latency: 200 * time.Millisecond} }},
}

// demoSlugs are the short names of the demo's associations.
func demoSlugs() []string {
	slugs := make([]string, len(demoAssociations))
	for i, d := range demoAssociations {
		slugs[i] = d.slug
	}
	return slugs
}

// demoAssociation is one of the demo's associations and how its simulator behaves.
type demoAssociation struct {
	slug, name string
	seed       uint64 // added to --seed
	faults     func(latency time.Duration) sim.Faults
}

// demoOptions are demo's flags.
type demoOptions struct {
	members int    // associados in each simulator
	seed    uint64 // the first simulator's; the others take the next ones
	latency time.Duration
	churn   time.Duration // how often an association's SGA changes; 0: never
	force   bool
	mouse   bool
}

// demoCmd starts three simulators in-process, a database with a demo administrator and three
// associations whose integrations are filled in with their simulators' credentials, and opens
// the console on it.
func (a *app) demoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the console on built-in SGA simulators: three associations with sample data",
		Long: "Open the console on three built-in SGA simulators, one per association, with sample data:\n" +
			"protecao-sul (--latency per request), norte-seguro (about 5% of answers fail with 5xx) and\n" +
			"vale-minas (200 ms per request).\n\n" +
			"Without --db the demo uses a temporary database, removed when it ends. With --db PATH it uses\n" +
			"PATH if PATH is new or a demo's; one that holds anything else (another association, an\n" +
			"administrator, a real SGA integration) is refused before anything is written, naming what it\n" +
			"holds, unless --force, which first says what the demo adds to it.\n\n" +
			fmt.Sprintf("After an association's first sync, the demo imports by itself one vehicle each of %d\n"+
				"clients (fewer, if the association already holds contracts) and marks their Instalações\n"+
				"done, as the administrator demo; within %s its simulated SGA starts changing, then\n"+
				"every --churn (%s): one vehicle the association holds a contract for is cancelled (or,\n"+
				"once its removal is done, comes back to ATIVO), and every third time the simulator\n"+
				"changes the rest of its register instead. The demo starts an incremental sync after each\n"+
				"change, which reads it from SGA's change feed: the first Retirada shows on Pendências\n"+
				"seconds after the first sync. (The daily sync alone would read the feed once a day.)\n"+
				"--churn 0 holds the SGAs still and imports nothing. The first screen names the file that\n"+
				"holds the simulators' credentials, to type into the form.",
				demoContracts, demoFirstChange, defaultDemoChurn),
		Example: "  ponte demo\n  ponte demo --members 5000 --latency 200ms\n  ponte demo --churn 5s",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return a.runDemo(cmd, o) },
	}
	f := cmd.Flags()
	f.IntVar(&o.members, "members", 300, "associados in each simulator (10 to 100000)")
	f.Uint64Var(&o.seed, "seed", 1, "seed of the first simulator's data (the others take the next ones)")
	f.DurationVar(&o.latency, "latency", 40*time.Millisecond, "latency of each request to the first two simulators")
	f.DurationVar(&o.churn, "churn", defaultDemoChurn, fmt.Sprintf("after an association's first sync, import %d vehicles, then change its SGA this often and sync incrementally (0: never)", demoContracts))
	f.BoolVar(&o.force, "force", false, "with --db: add the demo to a database that holds more than a demo's data")
	f.BoolVar(&o.mouse, "mouse", false, "let the console use the mouse (the wheel scrolls lists)")
	return cmd
}

// runDemo is demo's work, on its flags.
func (a *app) runDemo(cmd *cobra.Command, o demoOptions) (err error) {
	if o.churn != 0 && o.churn < time.Second {
		return usagef("--churn must be 0 (never) or at least 1s, not %s", o.churn)
	}
	sims, stopSims, err := startDemoSims(o)
	if err != nil {
		return err
	}
	defer stopSims()
	// Nothing is written before the console is sure to open and the database is known
	// to be a demo's (or new).
	if err := needTerminal(cmd); err != nil {
		return err
	}
	// The temporary directory holds the simulators' credentials, and the database
	// unless --db or PONTE_DB names one: it becomes the command's --db, which openStore
	// opens.
	dir, err := os.MkdirTemp("", "ponte-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if a.db == "" && a.getenv("PONTE_DB") == "" {
		a.db = filepath.Join(dir, "ponte.db")
	}
	path := a.dbPath()
	// The decision is made on the database opened read-only: a writable open alone
	// changes its file. It is made again once writable, on what is there then.
	user := sims[0].cr.User
	if ro, roDone, err := a.openStore(reading, wholeDatabase); err == nil {
		plan, err := planDemo(ro, user)
		roDone(&err)
		if err == nil {
			err = plan.refusal(path, o.force)
		}
		if err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrNoDatabase) {
		return err
	}
	s, done, err := a.openStore(writing, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	plan, err := planDemo(s, user)
	if err == nil {
		err = plan.refusal(path, o.force)
	}
	if err != nil {
		return err
	}
	if len(plan.foreign) > 0 {
		printf(cmd.ErrOrStderr(), "ponte demo: --force: %s holds data that is not a demo's; adding to it %s\n", path, plan.adds())
	}
	who := store.Actor{Who: "demo", From: "demo"}
	if err := plan.apply(s, sims, who); err != nil {
		return err
	}
	first := demoAssociations[0].slug
	if name := a.association(); name != "" {
		first = name
	}
	creds, err := demoCredentials(dir, sims)
	if err != nil {
		return err
	}
	extra := consoleExtra{options: []ui.Option{ui.WithDemo(creds, demoSlugs(), o.churn, demoContracts)}}
	if len(plan.foreign) > 0 {
		// Said on stderr above, which the console covers at once: its first screen says it too.
		added := ui.DemoAdded{Path: path, Associations: plan.add, Replaced: plan.replace}
		if plan.admin {
			added.Admin = demoAdmin.Login
		}
		extra.options = append(extra.options, ui.WithDemoAdded(added))
	}
	if o.churn > 0 {
		extra.beside = func(ctx context.Context, eng *syncer.Engine) { demoChurn(ctx, eng, s, sims, o.churn, who) }
	}
	return console(cmd.Context(), cmd, s, who, first, "", o.mouse, extra)
}

// startDemoSims starts and serves a simulator for each of the demo's associations, and
// returns how to stop them all; failing, it stops those it started.
func startDemoSims(o demoOptions) ([]demoSim, func(), error) {
	sims := make([]demoSim, 0, len(demoAssociations))
	stopAll := func() {
		for _, d := range sims {
			d.stop()
		}
	}
	for _, d := range demoAssociations {
		sm, err := sim.New(sim.Options{Seed: o.seed + d.seed, Members: o.members, PageSize: 50, Faults: d.faults(o.latency)})
		if err != nil {
			stopAll()
			return nil, nil, usageError{err}
		}
		url, stop, err := serveSim(sm)
		if err != nil {
			stopAll()
			return nil, nil, err
		}
		cr := sm.Credentials()
		cr.URL = url
		sims = append(sims, demoSim{sm, cr, stop})
	}
	return sims, stopAll, nil
}

// serveSim serves a simulator on a loopback port: its base URL, and how to stop it.
func serveSim(sm *sim.Sim) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sm.Close()
		return "", nil, err
	}
	srv, capped := newHTTPServer(ln, sm, simLimits(sm.Held()), nil)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(capped) }()
	stop := func() { sm.Close(); _ = srv.Close(); <-served }
	return "http://" + ln.Addr().String() + sim.BasePath, stop, nil
}

// demoSim is one of the demo's simulators, served: its credentials (URL included), and how
// to stop it.
type demoSim struct {
	sm   *sim.Sim
	cr   sim.Credentials
	stop func()
}

// demoPlan is what the demo writes into a database, decided from what the database holds
// before anything is written.
type demoPlan struct {
	rename  bool     // the new database's empty "principal" becomes the first association
	add     []string // demo associations to add, by short name
	replace []string // demo associations whose integration is not a demo's (written only with --force)
	admin   bool     // the administrator "demo" is added
	foreign []string // what the database holds that no demo wrote, one line each
}

// planDemo reads what the database holds against what the demo writes: its three
// associations, each integration pointed at its simulator (user is the simulators' user), and
// the administrator "demo". A new database's empty "principal" is renamed, not kept beside
// them. Any other association, a demo association whose integration is real, and any other
// administrator are foreign: the database is not a demo's.
func planDemo(s store.Backend, user string) (demoPlan, error) {
	var p demoPlan
	all, err := s.Overview()
	if err != nil {
		return p, err
	}
	have := map[string]bool{}
	for _, a := range all {
		in, err := s.ForAssociation(a.Slug)
		if err != nil {
			return p, err
		}
		cur, err := in.Integration()
		if err != nil {
			return p, fmt.Errorf("%s: %w", a.Slug, err)
		}
		demo := slices.Contains(demoSlugs(), a.Slug)
		switch {
		case demo:
			have[a.Slug] = true
			if !isDemoIntegration(cur, user) {
				p.replace = append(p.replace, a.Slug)
				p.foreign = append(p.foreign, describeAssociation(a, cur))
			}
		case len(all) == 1 && a.Slug == "principal" && a.Clients == 0 && a.LastRun == nil && emptyIntegration(cur):
			p.rename, have[demoAssociations[0].slug] = true, true
		default:
			p.foreign = append(p.foreign, describeAssociation(a, cur))
		}
	}
	for _, d := range demoAssociations {
		if !have[d.slug] {
			p.add = append(p.add, d.slug)
		}
	}
	admins, err := s.Admins()
	if err != nil {
		return p, err
	}
	p.admin = true
	for _, ad := range admins {
		if ad.Login == demoAdmin.Login {
			p.admin = false
			continue
		}
		p.foreign = append(p.foreign, sprintf("administrator %q (%s, %s)", ad.Login, ad.Name, ad.Role))
	}
	return p, nil
}

// describeAssociation is one line on an association that is not a demo's.
func describeAssociation(a store.AssociationSummary, in store.Integration) string {
	sga := "no SGA integration"
	if !emptyIntegration(in) {
		sga = sprintf("SGA integration %s, user %q", in.SGAURL, in.User)
	}
	return sprintf("association %s (%s): clients %d, contracts %d, %s", a.Slug, a.Name, a.Clients, a.Contracts, sga)
}

// refusal is the error that refuses a database holding what no demo wrote, unless force.
func (p demoPlan) refusal(path string, force bool) error {
	if len(p.foreign) == 0 || force {
		return nil
	}
	return fmt.Errorf("%s is not a demo's database; it holds:\n  %s\nwith --force the demo adds to it %s.\n"+
		"Run the demo without --db (it then uses a temporary database), or add --force",
		path, strings.Join(p.foreign, "\n  "), p.adds())
}

// adds says what the demo writes, for the refusal and for --force.
func (p demoPlan) adds() string {
	var parts []string
	if p.rename {
		parts = append(parts, "its empty principal renamed "+demoAssociations[0].slug)
	}
	if len(p.add) > 0 {
		parts = append(parts, "the associations "+strings.Join(p.add, ", ")+" (each with its simulator's SGA integration)")
	}
	if len(p.replace) > 0 {
		parts = append(parts, "the simulators' SGA integrations in place of the real ones of "+strings.Join(p.replace, ", ")+
			" (their passwords are lost)")
	}
	if p.admin {
		parts = append(parts, fmt.Sprintf("the supervisor %q", demoAdmin.Login))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

// demoAdmin is the administrator the demo adds.
var demoAdmin = store.Admin{Login: "demo", Name: "Supervisor Demo", Email: "demo@example.com"}

// apply writes the plan: the associations, each integration pointed at its simulator, and the
// demo's administrator.
func (p demoPlan) apply(s store.Backend, sims []demoSim, who store.Actor) error {
	first := demoAssociations[0]
	if p.rename {
		if _, err := s.UpdateAssociation("principal", store.AssociationPatch{Slug: &first.slug, Name: &first.name}, who); err != nil {
			return err
		}
	}
	for i, d := range demoAssociations {
		if slices.Contains(p.add, d.slug) {
			if _, err := s.AddAssociation(store.Association{Slug: d.slug, Name: d.name}, who); err != nil {
				return err
			}
		}
		in, err := s.ForAssociation(d.slug)
		if err != nil {
			return err
		}
		cr := sims[i].cr
		if _, err := in.SetIntegration(store.IntegrationPatch{SGAURL: &cr.URL, User: &cr.User, Password: &cr.Password,
			APIKey: &cr.APIKey, ProductCode: &cr.ProductCode, SyncToken: &cr.SyncToken}, who); err != nil {
			return err
		}
	}
	if p.admin {
		if _, err := s.AddAdmin(demoAdmin, who); err != nil {
			return err
		}
	}
	return nil
}

// emptyIntegration reports whether no field of an integration is set.
func emptyIntegration(in store.Integration) bool {
	return in.SGAURL == "" && in.User == "" && in.Password == "" && in.APIKey == "" && in.SyncToken == "" && in.ProductCode == ""
}

// isDemoIntegration reports whether an integration is empty or one a demo wrote: the
// simulators' user at the simulator's path on a loopback address (the port and, with another
// seed, the secrets differ from demo to demo).
func isDemoIntegration(in store.Integration, user string) bool {
	if emptyIntegration(in) {
		return true
	}
	u, err := neturl.Parse(in.SGAURL)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback() && strings.HasSuffix(u.Path, sim.BasePath) && in.User == user
}
