package storetest

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"ponte/store"
)

func associations(t *testing.T, open Open) {
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"a new store has one association": func(t *testing.T, s store.Backend) {
			all, err := s.Associations()
			if err != nil || len(all) != 1 || all[0].Slug != "principal" {
				t.Fatalf("associations = %+v, %v", all, err)
			}
			_, err = s.ClientByCode(1)
			wantErr(t, "a client of an empty store", err, store.ErrNotFound)
		},
		"add normalises and refuses bad input": func(t *testing.T, s store.Backend) {
			for _, a := range []store.Association{
				{Slug: "Sul Minas"}, {Slug: "-x"}, {Slug: "123"}, {Slug: strings.Repeat("a", 33)},
				{Slug: "ok", CNPJ: "11.222.333/0001-00"}, {Slug: "ok", Name: "a\x1b[2Jb"},
			} {
				_, err := s.AddAssociation(a, who)
				wantErr(t, "add "+a.Slug, err, store.ErrInvalid)
			}
			_, err := s.AddAssociation(store.Association{Slug: "principal"}, who)
			wantErr(t, "a second principal", err, store.ErrDuplicate)
			a, err := s.AddAssociation(store.Association{Slug: "Sul-Minas", Name: " Proteção Sul de Minas ", CNPJ: "11.222.333/0001-81"}, who)
			if err != nil || a.ID == 0 || a.Slug != "sul-minas" || a.Name != "Proteção Sul de Minas" || a.CNPJ != "11222333000181" {
				t.Fatalf("add: %+v, %v", a, err)
			}
			if all, _ := s.Associations(); len(all) != 2 {
				t.Fatalf("associations = %+v", all)
			}
			if got := actions(t, s); len(got) == 0 || got[0] != store.ActionAssociationAdded {
				t.Fatalf("audit = %v", got)
			}
		},
		"a CNPJ is one company's": func(t *testing.T, s store.Backend) {
			if _, err := s.AddAssociation(store.Association{Slug: "sul", CNPJ: "11.222.333/0001-81"}, who); err != nil {
				t.Fatal(err)
			}
			_, err := s.AddAssociation(store.Association{Slug: "outra", CNPJ: "11222333000181"}, who)
			wantErr(t, "the same CNPJ twice", err, store.ErrCNPJTaken, store.ErrDuplicate)
			if _, err := s.AddAssociation(store.Association{Slug: "outra"}, who); err != nil {
				t.Fatal(err)
			}
			cnpj := "11.222.333/0001-81"
			_, err = s.UpdateAssociation("outra", store.AssociationPatch{CNPJ: &cnpj}, who)
			wantErr(t, "a CNPJ set on another association", err, store.ErrCNPJTaken)
			name := "Proteção Sul"
			if a, err := s.UpdateAssociation("sul", store.AssociationPatch{Name: &name, CNPJ: &cnpj}, who); err != nil || a.Name != name {
				t.Fatalf("the association that holds the CNPJ: %+v, %v", a, err)
			}
		},
		"found by slug or number": func(t *testing.T, s store.Backend) {
			a, err := s.AddAssociation(store.Association{Slug: "norte", Name: "Norte"}, who)
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{"norte", " NORTE ", strconv.FormatUint(a.ID, 10)} {
				if got, err := s.Association(ref); err != nil || got.ID != a.ID {
					t.Errorf("Association(%q) = %+v, %v", ref, got, err)
				}
			}
			_, err = s.Association("nenhuma")
			wantErr(t, "an unknown association", err, store.ErrNotFound)
			_, err = s.ForAssociation("nenhuma")
			wantErr(t, "the view of an unknown association", err, store.ErrNotFound)
			if got, ok := in(t, s, "norte").Current(); !ok || got.ID != a.ID {
				t.Errorf("Current = %+v, %v", got, ok)
			}
			if _, ok := s.Current(); ok {
				t.Error("the company's view has a current association")
			}
		},
		"disable and enable": func(t *testing.T, s store.Backend) {
			a, err := s.SetAssociationEnabled("principal", false, who)
			if err != nil || !a.Disabled {
				t.Fatalf("disable: %+v, %v", a, err)
			}
			if got, _ := s.Association("principal"); !got.Disabled {
				t.Fatal("disabled did not stay")
			}
			if a, err := s.SetAssociationEnabled("principal", true, who); err != nil || a.Disabled {
				t.Fatalf("enable: %+v, %v", a, err)
			}
		},
		"two associations: a view must name one": func(t *testing.T, s store.Backend) {
			seed(t, in(t, s, "principal"))
			if _, err := s.AddAssociation(store.Association{Slug: "outra"}, who); err != nil {
				t.Fatal(err)
			}
			_, err := s.ClientByCode(1)
			wantErr(t, "a client with two associations and none named", err, store.ErrNoAssociation)
		},
		"rules": func(t *testing.T, s store.Backend) {
			p := in(t, s, "principal")
			if err := p.SetRules(store.Rules{Situations: map[string]string{"suspenso": store.ClassGone}, RemoveOnDefault: true}, who); err != nil {
				t.Fatal(err)
			}
			r, err := p.Rules()
			if err != nil || r.Classify("SUSPENSO") != store.ClassGone || !r.RemoveOnDefault || r.ChangedBy != "maria" {
				t.Fatalf("rules = %+v, %v", r, err)
			}
			wantErr(t, "a class that does not exist", p.SetRules(store.Rules{Situations: map[string]string{"X": "nope"}}, who), store.ErrInvalid)
			if got := actions(t, p); !slices.Contains(got, store.ActionRulesChanged) {
				t.Fatalf("audit = %v", got)
			}
		},
	})
}

func admins(t *testing.T, open Open) {
	add := func(t *testing.T, s store.Backend) {
		t.Helper()
		if _, err := s.AddAdmin(store.Admin{Login: "Maria", Name: "Maria Souza", Email: "maria@example.com",
			Keys: []store.SSHKey{{Fingerprint: "SHA256:aaa", Line: "ssh-ed25519 AAAA maria", Comment: "maria@laptop"}}}, who); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAdmin(store.Admin{Login: "joao", Name: "João", Keys: []store.SSHKey{{Fingerprint: "SHA256:bbb"}}}, who); err != nil {
			t.Fatal(err)
		}
	}
	each(t, open, map[string]func(t *testing.T, s store.Backend){
		"add, find by login and key, list by login": func(t *testing.T, s store.Backend) {
			add(t, s)
			if got, err := s.AdminByKey("SHA256:bbb"); err != nil || got.Login != "joao" {
				t.Fatalf("by key: %+v, %v", got, err)
			}
			_, err := s.AdminByKey("SHA256:zzz")
			wantErr(t, "an unknown key", err, store.ErrNotFound)
			if got, err := s.AdminByLogin(" MARIA "); err != nil || got.Name != "Maria Souza" || got.ID == 0 || !got.Supervisor() {
				t.Fatalf("by login: %+v, %v", got, err)
			}
			all, err := s.Admins()
			if err != nil || len(all) != 2 || all[0].Login != "joao" || all[1].Login != "maria" {
				t.Fatalf("admins = %+v, %v", all, err)
			}
			if got := actions(t, s); len(got) != 2 || got[0] != store.ActionAdminAdded {
				t.Fatalf("audit = %v", got)
			}
		},
		"refuses bad input": func(t *testing.T, s store.Backend) {
			add(t, s)
			for name, bad := range map[string]store.Admin{
				"a login taken":       {Login: "maria", Name: "Outra"},
				"a key taken":         {Login: "ana", Name: "Ana", Keys: []store.SSHKey{{Fingerprint: "SHA256:aaa"}}},
				"a short login":       {Login: "x", Name: "X"},
				"a login with spaces": {Login: "com espaço", Name: "X"},
				"no name":             {Login: "ana", Name: ""},
				"a name too long":     {Login: "ana", Name: strings.Repeat("a", store.MaxAdminName+1)},
				"a bad e-mail":        {Login: "ana", Name: "Ana", Email: "sem-arroba"},
				"an empty key":        {Login: "ana", Name: "Ana", Keys: []store.SSHKey{{}}},
				"an operator of none": {Login: "ana", Name: "Ana", Role: store.RoleOperator},
			} {
				if _, err := s.AddAdmin(bad, who); err == nil {
					t.Errorf("%s: accepted", name)
				}
			}
			if all, _ := s.Admins(); len(all) != 2 {
				t.Fatalf("refused admins were written: %+v", all)
			}
		},
		"the last supervisor stays": func(t *testing.T, s store.Backend) {
			add(t, s)
			if _, err := s.SetAdminEnabled("joao", false, who); err != nil {
				t.Fatal(err)
			}
			_, err := s.SetAdminAccess("maria", store.RoleOperator, []uint64{1}, who)
			wantErr(t, "demoting the last enabled supervisor", err, store.ErrLastSupervisor)
			_, err = s.RemoveAdmin("maria", who)
			wantErr(t, "removing the last enabled supervisor", err, store.ErrLastSupervisor)
			if a, _ := s.AdminByLogin("maria"); !a.Supervisor() {
				t.Fatalf("maria is %s now", a.Role)
			}
		},
		"keys, removal and watchers": func(t *testing.T, s store.Backend) {
			add(t, s)
			changes := 0
			stop := s.WatchAdmins(func() { changes++ })
			if err := s.AddAdminKey("joao", store.SSHKey{Fingerprint: "SHA256:ccc", Comment: "joao@work"}, who); err != nil {
				t.Fatal(err)
			}
			err := s.AddAdminKey("joao", store.SSHKey{Fingerprint: "SHA256:aaa"}, who)
			wantErr(t, "another's key", err, store.ErrDuplicate)
			if k, err := s.RemoveAdminKey("joao", "joao@work", who); err != nil || k.Fingerprint != "SHA256:ccc" {
				t.Fatalf("remove key: %+v, %v", k, err)
			}
			if _, err := s.AdminByKey("SHA256:ccc"); err == nil {
				t.Fatal("a removed key still finds its admin")
			}
			if _, err := s.RemoveAdmin("joao", who); err != nil {
				t.Fatal(err)
			}
			_, err = s.AdminByLogin("joao")
			wantErr(t, "a removed admin", err, store.ErrNotFound)
			if changes < 3 {
				t.Fatalf("the watcher heard %d changes, want 3", changes)
			}
			stop()
			heard := changes
			if _, err := s.SetAdminEnabled("maria", true, who); err != nil {
				t.Fatal(err)
			}
			if changes != heard {
				t.Fatal("a stopped watcher still hears")
			}
		},
	})
}

// scopes: an operator sees only their associations, and the store refuses them what is a
// supervisor's.
func scopes(t *testing.T, open Open) {
	s := open(t)
	norte, err := s.AddAssociation(store.Association{Slug: "norte"}, who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAssociation(store.Association{Slug: "sul"}, who); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"principal", "norte", "sul"} {
		a := in(t, s, slug)
		if _, err := a.Apply(store.Batch{Clients: []store.Client{client(1, "MARIA "+strings.ToUpper(slug), "12345678909")},
			Vehicles: []store.Vehicle{vehicle(10, 1, "AAA1111", "ATIVO")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Import(1, []int64{10}, who); err != nil {
			t.Fatal(err)
		}
	}
	op, err := s.AddAdmin(store.Admin{Login: "ana", Name: "Ana", Role: store.RoleOperator, Associations: []uint64{norte.ID}}, who)
	if err != nil {
		t.Fatal(err)
	}
	v := s.ForAdmin(op)
	if v.Supervises() || !s.Supervises() {
		t.Fatalf("Supervises: operator %v, company %v", v.Supervises(), s.Supervises())
	}
	if all, _ := v.Associations(); len(all) != 1 || all[0].Slug != "norte" {
		t.Errorf("associations = %+v", all)
	}
	if _, err := v.ForAssociation("sul"); err == nil {
		t.Error("an operator opened another's association")
	}
	if p, _ := v.SearchAll("maria", 10); len(p.Clients) != 1 || p.Clients[0].Name != "MARIA NORTE" {
		t.Errorf("search = %+v", p.Clients)
	}
	if list, _ := v.Contracts("", 0); len(list) != 1 || list[0].Association != norte.ID {
		t.Errorf("contracts = %+v", list)
	}
	_, err = v.AddAssociation(store.Association{Slug: "x"}, who)
	wantErr(t, "an operator adding an association", err, store.ErrForbidden)
	_, err = v.AddAdmin(store.Admin{Login: "bob", Name: "Bob"}, who)
	wantErr(t, "an operator adding an administrator", err, store.ErrForbidden)
	_, err = v.SetAdminAccess("ana", store.RoleSupervisor, nil, who)
	wantErr(t, "an operator making themselves supervisor", err, store.ErrForbidden)
	_, err = v.SetAssociationEnabled("norte", false, who)
	wantErr(t, "an operator disabling", err, store.ErrForbidden)
	key := "k"
	_, err = in(t, v, "norte").SetIntegration(store.IntegrationPatch{APIKey: &key}, who)
	wantErr(t, "an operator changing the integration", err, store.ErrForbidden)
}
