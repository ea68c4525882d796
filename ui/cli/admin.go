package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ponte/store"
	uissh "ponte/ui/ssh"
)

func (a *app) adminCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "admin",
		Short: "Administrator profiles, with the SSH keys that open the console",
	})
	cmd.AddCommand(a.adminAddCmd(), a.adminListCmd(), a.adminSetCmd(), a.adminRemoveCmd(),
		a.adminEnableCmd(false), a.adminEnableCmd(true), a.adminKeyCmd())
	return cmd
}

// adminAddOptions are admin add's flags.
type adminAddOptions struct {
	login, name, email string
	authorized         string // --authorized-keys: a file whose key comments name logins
	role               string
	keyFiles, assocs   []string
}

func (a *app) adminAddCmd() *cobra.Command {
	var o adminAddOptions
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add an administrator, or give existing ones their keys from an authorized_keys file",
		Example: "  ponte admin add --login maria --name \"Maria Souza\" --ssh-key maria.pub\n" +
			"  ponte admin add --login ana --name \"Ana Lima\" --role operator --associations protecao-sul,norte\n" +
			"  ponte admin add --authorized-keys team_keys   # each key's comment names its login",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runAdminAdd(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.login, "login", "", "unique login (2 to 32 of a-z, 0-9, '.', '_', '-')")
	f.StringVar(&o.name, "name", "", "full name ("+atMost(store.MaxAdminName)+")")
	f.StringVar(&o.email, "email", "", "e-mail")
	f.StringArrayVar(&o.keyFiles, "ssh-key", nil, "a public key file (.pub), - for stdin; repeat for several")
	f.StringVar(&o.role, "role", store.RoleSupervisor, "supervisor (every association; adds associations and administrators, changes integrations) or operator")
	f.StringSliceVar(&o.assocs, "associations", nil, "an operator's associations, by short name, comma-separated")
	f.StringVar(&o.authorized, "authorized-keys", "", "an authorized_keys file whose key comments name existing logins, - for stdin: adds each key to its administrator")
	localFile(f, "ssh-key")
	localFile(f, "authorized-keys")
	return cmd
}

// runAdminAdd is admin add's work, on its flags.
func (a *app) runAdminAdd(cmd *cobra.Command, o adminAddOptions) (err error) {
	if o.authorized != "" {
		return a.addAuthorizedKeys(cmd, o.authorized)
	}
	if o.login == "" || o.name == "" {
		return usagef("admin add needs --login and --name (or --authorized-keys FILE)")
	}
	if err := checkRole(o.role, o.assocs, false); err != nil {
		return err
	}
	var keys []store.SSHKey
	for _, f := range o.keyFiles {
		data, err := a.readInput(cmd, f)
		if err != nil {
			return fmt.Errorf("read SSH key: %w", err)
		}
		k, err := uissh.ParseKey(data)
		if err != nil {
			if f == "-" {
				f = "stdin"
			}
			return fmt.Errorf("%s is not an SSH public key: %w", f, err)
		}
		keys = append(keys, k)
	}
	s, done, err := a.openStore(writing, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	ids, err := a.associationIDs(s, o.assocs)
	if err != nil {
		return err
	}
	ad, err := s.AddAdmin(store.Admin{Login: o.login, Name: o.name, Email: o.email, Keys: keys, Role: o.role, Associations: ids}, a.actor())
	if err != nil {
		return err
	}
	scope := "every association"
	if o.role == store.RoleOperator {
		scope = strings.Join(o.assocs, ", ")
	}
	printf(cmd.OutOrStdout(), "administrator %s (%s) added as %s of %s, with %s\n", ad.Login, ad.Name, ad.Role, scope, plural(len(ad.Keys), "key", "keys"))
	return nil
}

// checkRole is the command line's rule for --role and --associations. given says that
// --associations was on the line: admin set takes an empty one (--associations "") to leave
// an operator none.
func checkRole(role string, assocs []string, given bool) error {
	switch {
	case role != store.RoleSupervisor && role != store.RoleOperator:
		return usagef("--role must be %s or %s, not %q", store.RoleSupervisor, store.RoleOperator, role)
	case role == store.RoleOperator && len(assocs) == 0 && !given:
		return usagef("an operator needs --associations NAME[,NAME...]: the associations they work in")
	case role == store.RoleSupervisor && len(assocs) > 0:
		return usagef("a supervisor sees every association: --associations is for operators")
	}
	return nil
}

// associationIDs resolves short names to IDs; an unknown one is a usage error naming those
// that exist.
func (a *app) associationIDs(s store.Backend, names []string) ([]uint64, error) {
	var ids []uint64
	for _, name := range names {
		in, err := a.inNamed(s, name)
		if err != nil {
			return nil, err
		}
		here, _ := in.Current()
		ids = append(ids, here.ID)
	}
	return ids, nil
}

func (a *app) adminSetCmd() *cobra.Command {
	var (
		role   string
		assocs []string
	)
	cmd := &cobra.Command{
		Use:   "set LOGIN",
		Short: "Change an administrator's role and, for an operator, their associations",
		Long: "Change an administrator's role and, for an operator, their associations, recorded in the\n" +
			"audit. Open SSH sessions that would now see less are closed at once; those given more\n" +
			"see it when they connect again. --associations \"\" leaves an operator none: the profile\n" +
			"and its keys stay, and it is refused at login until it is given an association again\n" +
			"(an operator's access is their associations; with none a session would have nothing to\n" +
			"show). The last enabled supervisor stays a supervisor.",
		Example: "  ponte admin set ana --role operator --associations norte-seguro,vale-minas\n" +
			"  ponte admin set ana --role operator --associations \"\"   # no association: refused at login\n" +
			"  ponte admin set ana --role supervisor",
		Args: exactArgs(1, "the administrator's login"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			assocs = slices.DeleteFunc(assocs, func(s string) bool { return strings.TrimSpace(s) == "" })
			if err := checkRole(role, assocs, changed(cmd.Flags(), "associations")); err != nil {
				return err
			}
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			ids, err := a.associationIDs(s, assocs)
			if err != nil {
				return err
			}
			ad, err := s.SetAdminAccess(args[0], role, ids, a.actor())
			if err != nil {
				return err
			}
			switch {
			case ad.Role == store.RoleSupervisor:
				printf(cmd.OutOrStdout(), "administrator %s is now supervisor of every association\n", ad.Login)
			case len(assocs) == 0:
				printf(cmd.OutOrStdout(), "administrator %s is now operator of no association: refused at login until given one; %s\n", ad.Login, sessionsNote)
			default:
				printf(cmd.OutOrStdout(), "administrator %s is now operator of %s (open sessions that would see less are closed)\n", ad.Login, strings.Join(assocs, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "supervisor or operator")
	cmd.Flags().StringSliceVar(&assocs, "associations", nil, "an operator's associations, by short name, comma-separated")
	return cmd
}

// addAuthorizedKeys gives each key of an authorized_keys file to the administrator its comment
// names. Every line is checked first: one that cannot be read, or names no administrator,
// stops the whole file.
func (a *app) addAuthorizedKeys(cmd *cobra.Command, path string) (err error) {
	data, err := a.readInput(cmd, path)
	if err != nil {
		return err
	}
	type entry struct {
		login string
		key   store.SSHKey
	}
	var entries []entry
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := uissh.ParseKey([]byte(line))
		if err != nil {
			return fmt.Errorf("%s line %d: not an SSH public key: %w", path, n+1, err)
		}
		login, _, _ := strings.Cut(strings.TrimSpace(k.Comment), "@") // "maria@laptop" names maria
		if login == "" {
			return fmt.Errorf("%s line %d: the key's comment must name a login", path, n+1)
		}
		entries = append(entries, entry{login, k})
	}
	if len(entries) == 0 {
		name := path
		if path == "-" {
			name = "stdin"
		}
		return fmt.Errorf("%s holds no key (only blank lines and # comments): nothing was added", name)
	}
	s, done, err := a.openStore(writing, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	for _, en := range entries {
		if _, err := s.AdminByLogin(en.login); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no administrator %q (add it first with ponte admin add --login %s --name NAME); nothing was added", en.login, en.login)
		} else if err != nil {
			return err
		}
	}
	for _, en := range entries {
		if err := s.AddAdminKey(en.login, en.key, a.actor()); err != nil {
			return err
		}
		printf(cmd.OutOrStdout(), "%s: %s\n", en.login, en.key.Fingerprint)
	}
	return nil
}

// adminJSON is one administrator as admin list --json prints it.
type adminJSON struct {
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled,omitempty"` // ponte admin disable: no session opens
	// Associations are an operator's, by short name.
	Associations []string  `json:"associations,omitempty"`
	Keys         []keyJSON `json:"keys"`
}

type keyJSON struct {
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment,omitempty"`
}

// adminListOptions are admin list's flags.
type adminListOptions struct {
	asJSON bool
}

func (a *app) adminListCmd() *cobra.Command {
	var o adminListOptions
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the administrators and their keys' fingerprints",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.runAdminList(cmd, o) },
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the administrators as a JSON array")
	return cmd
}

// runAdminList is admin list's work, on its flags.
func (a *app) runAdminList(cmd *cobra.Command, o adminListOptions) (err error) {
	s, done, err := a.openStore(reading, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	admins, err := s.Admins()
	if err != nil {
		return err
	}
	slugs := map[uint64]string{}
	all, err := s.Associations()
	if err != nil {
		return err
	}
	for _, x := range all {
		slugs[x.ID] = x.Slug
	}
	scope := func(ad store.Admin) []string {
		var out []string
		for _, id := range ad.Associations {
			out = append(out, slugs[id])
		}
		return out
	}
	if o.asJSON {
		out := []adminJSON{}
		for _, ad := range admins {
			j := adminJSON{Login: ad.Login, Name: ad.Name, Email: ad.Email, CreatedAt: ad.CreatedAt, Role: ad.Role, Disabled: ad.Disabled,
				Associations: scope(ad), Keys: []keyJSON{}}
			for _, k := range ad.Keys {
				j.Keys = append(j.Keys, keyJSON{k.Fingerprint, k.Comment})
			}
			out = append(out, j)
		}
		return writeJSON(cmd.OutOrStdout(), out)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tE-MAIL\tROLE\tKEYS")
	for _, ad := range admins {
		var fps []string
		for _, k := range ad.Keys {
			fps = append(fps, k.Fingerprint)
		}
		role := ad.Role
		if ad.Role == store.RoleOperator {
			role += " of " + orNone(strings.Join(scope(ad), ","))
		}
		if ad.Disabled {
			role += " (disabled)"
		}
		if len(fps) == 0 {
			fps = []string{"(none)"}
		}
		printf(tw, "%s\t%s\t%s\t%s\t%s\n", ad.Login, orNone(ad.Name), orNone(ad.Email), role, strings.Join(fps, " "))
	}
	return tw.Flush()
}
