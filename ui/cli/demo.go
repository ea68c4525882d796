package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ponte/sga/sim"
	"ponte/store"
)

// demoAssociations are the demo's three associations, each on a simulator of its own: one
// as --latency says, one whose SGA fails about 5% of its answers with 5xx, one slow (200 ms a
// request), so that the picker, the search across associations and failures that stay in
// their association all show at once.
var demoAssociations = []struct {
	slug, name string
	seed       uint64 // added to --seed
	faults     func(latency time.Duration) sim.Faults
}{
	{"protecao-sul", "Proteção Sul", 0, func(l time.Duration) sim.Faults { return sim.Faults{Latency: l} }},
	{"norte-seguro", "Norte Seguro", 1, func(l time.Duration) sim.Faults { return sim.Faults{Latency: l, Fail5xx: 0.05} }},
	{"vale-minas", "Vale de Minas", 2, func(time.Duration) sim.Faults { return sim.Faults{Latency: 200 * time.Millisecond} }},
}

// demoCmd starts three simulators in-process, a database with a demo administrator and three
// associations whose integrations are filled in with their simulators' credentials, and opens
// the console on it.
func (a *app) demoCmd() *cobra.Command {
	var (
		members int
		seed    uint64
		latency time.Duration
		force   bool
		mouse   bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the console on built-in SGA simulators: three associations with sample data",
		Long: "Open the console on three built-in SGA simulators, one per association, with sample data:\n" +
			"protecao-sul (--latency per request), norte-seguro (about 5% of answers fail with 5xx) and\n" +
			"vale-minas (200 ms per request).\n\n" +
			"Without --db the demo uses a temporary database, removed when it ends. With --db PATH it uses\n" +
			"PATH, and refuses one whose SGA integrations are real (not a demo's) unless --force.",
		Example: "  ponte demo\n  ponte demo --members 5000 --latency 200ms",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := a.db
			if path == "" {
				path = os.Getenv("PONTE_DB")
			}
			if path == "" {
				dir, err := os.MkdirTemp("", "ponte-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				path = filepath.Join(dir, "ponte.db")
			}
			s, err := store.Open(path, store.Options{})
			if err != nil {
				return a.inUseHint(err)
			}
			defer s.Close()
			who := store.Actor{Who: "demo", From: "demo"}
			if err := renameFresh(s, demoAssociations[0].slug, demoAssociations[0].name, who); err != nil {
				return err
			}
			for _, d := range demoAssociations {
				sm, err := sim.New(sim.Options{Seed: seed + d.seed, Members: members, PageSize: 50, Faults: d.faults(latency)})
				if err != nil {
					return usageError{err}
				}
				url, stop, err := serveSim(sm)
				if err != nil {
					return err
				}
				defer stop()
				if err := demoAssociation(s, d.slug, d.name, url, sm.Credentials(), force, who); err != nil {
					return err
				}
			}
			if _, err := s.AdminByLogin("demo"); errors.Is(err, store.ErrNotFound) {
				if _, err := s.AddAdmin(store.Admin{Login: "demo", Name: "Operador Demo", Email: "demo@example.com"}, who); err != nil {
					return err
				}
			}
			first := demoAssociations[0].slug
			if name := a.association(); name != "" {
				first = name
			}
			return console(cmd.Context(), cmd, s, who, first, "", mouse)
		},
	}
	f := cmd.Flags()
	f.IntVar(&members, "members", 300, "associados in each simulator (10 to 100000)")
	f.Uint64Var(&seed, "seed", 1, "seed of the first simulator's data (the others take the next ones)")
	f.DurationVar(&latency, "latency", 40*time.Millisecond, "latency of each request to the first two simulators")
	f.BoolVar(&force, "force", false, "with --db: replace the database's SGA integrations with the simulators' even if they are real")
	f.BoolVar(&mouse, "mouse", false, "let the console use the mouse (the wheel scrolls lists)")
	return cmd
}

// serveSim serves a simulator on a loopback port: its base URL, and how to stop it.
func serveSim(sm *sim.Sim) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		sm.Close()
		return "", nil, err
	}
	srv := &http.Server{Handler: sm, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	stop := func() { sm.Close(); _ = srv.Close(); <-served }
	return "http://" + ln.Addr().String() + sim.BasePath, stop, nil
}

// renameFresh gives a new database's one association, "principal" with nothing in it yet,
// the demo's first name: the demo then has its three associations and no empty fourth.
func renameFresh(s *store.Store, slug, name string, who store.Actor) error {
	all, err := s.Overview()
	if err != nil || len(all) != 1 || all[0].Slug != "principal" || all[0].Clients > 0 || all[0].LastRun != nil {
		return err
	}
	in, err := s.In("principal")
	if err != nil {
		return err
	}
	if st, err := in.IntegrationState(); err != nil || st != (store.IntegrationState{}) {
		return err
	}
	_, err = s.UpdateAssociation("principal", store.AssociationPatch{Slug: &slug, Name: &name}, who)
	return err
}

// demoAssociation makes (or finds) one of the demo's associations and points its integration
// at its simulator. A fresh database's "principal" becomes the first; an integration that is
// not a demo's is refused unless force.
func demoAssociation(s *store.Store, slug, name, url string, cr sim.Credentials, force bool, who store.Actor) error {
	in, err := s.In(slug)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.AddAssociation(store.Association{Slug: slug, Name: name}, who); err != nil {
			return err
		}
		in, err = s.In(slug)
	}
	if err != nil {
		return err
	}
	if !force {
		cur, err := in.Integration()
		if err != nil {
			return err
		}
		if !isDemoIntegration(cur, cr) {
			return fmt.Errorf("%s holds a real SGA integration for %s (%s, user %q): the demo would replace it with the "+
				"simulator's and lose its password; run the demo without --db, or add --force", s.Path(), slug, cur.SGAURL, cur.User)
		}
	}
	_, err = in.SetIntegration(store.IntegrationPatch{SGAURL: &url, User: &cr.User, Password: &cr.Password,
		APIKey: &cr.APIKey, ProductCode: &cr.ProductCode, SyncToken: &cr.SyncToken}, who)
	return err
}

// isDemoIntegration reports whether an integration is empty or one a demo wrote: the
// simulator's user at the simulator's path on a loopback address (the port and, with another
// seed, the secrets differ from demo to demo).
func isDemoIntegration(in store.Integration, cr sim.Credentials) bool {
	if in.SGAURL == "" && in.User == "" && in.Password == "" && in.APIKey == "" && in.SyncToken == "" && in.ProductCode == "" {
		return true
	}
	u, err := neturl.Parse(in.SGAURL)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback() && strings.HasSuffix(u.Path, sim.BasePath) && in.User == cr.User
}
