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

// demoCmd starts a simulator in-process, a database with a demo administrator and the
// integration filled in with the simulator's credentials, and opens the console on it.
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
		Short: "Open the console on a built-in SGA simulator with sample data",
		Long: "Open the console on a built-in SGA simulator with sample data.\n\n" +
			"Without --db the demo uses a temporary database, removed when it ends. With --db PATH it uses\n" +
			"PATH, and refuses one whose SGA integration is real (not a demo's) unless --force.",
		Example: "  ponte demo\n  ponte demo --members 5000 --latency 200ms",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sm, err := sim.New(sim.Options{Seed: seed, Members: members, PageSize: 50, Faults: sim.Faults{Latency: latency}})
			if err != nil {
				return usageError{err}
			}
			defer sm.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: sm, ReadHeaderTimeout: 10 * time.Second}
			served := make(chan struct{})
			go func() { defer close(served); _ = srv.Serve(ln) }()
			defer func() { sm.Close(); _ = srv.Close(); <-served }()

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
				return inUseHint(err)
			}
			defer s.Close()
			cr := sm.Credentials()
			if !force {
				in, err := s.Integration()
				if err != nil {
					return err
				}
				if !isDemoIntegration(in, cr) {
					return fmt.Errorf("%s holds a real SGA integration (%s, user %q): the demo would replace it with the "+
						"simulator's and lose its password; run the demo without --db, or add --force", path, in.SGAURL, in.User)
				}
			}
			who := store.Actor{Who: "demo", From: "demo"}
			if _, err := s.AdminByLogin("demo"); errors.Is(err, store.ErrNotFound) {
				if _, err := s.AddAdmin(store.Admin{Login: "demo", Name: "Operador Demo", Email: "demo@example.com"}, who); err != nil {
					return err
				}
			}
			url := "http://" + ln.Addr().String() + sim.BasePath
			if _, err := s.SetIntegration(store.IntegrationPatch{SGAURL: &url, User: &cr.User, Password: &cr.Password,
				APIKey: &cr.APIKey, ProductCode: &cr.ProductCode, SyncToken: &cr.SyncToken}, who); err != nil {
				return err
			}
			return console(cmd.Context(), cmd, s, who, url, mouse)
		},
	}
	f := cmd.Flags()
	f.IntVar(&members, "members", 300, "associados in the simulator (10 to 100000)")
	f.Uint64Var(&seed, "seed", 1, "seed of the simulator's data")
	f.DurationVar(&latency, "latency", 40*time.Millisecond, "latency of each simulated SGA request")
	f.BoolVar(&force, "force", false, "with --db: replace the database's SGA integration with the simulator's even if it is a real one")
	f.BoolVar(&mouse, "mouse", false, "let the console use the mouse (the wheel scrolls lists)")
	return cmd
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
