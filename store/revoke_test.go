package store

import (
	"errors"
	"testing"
)

// twoAdmins is a store with maria (supervisor, one key) and ana (operator of one
// association, two keys).
func twoAdmins(t *testing.T) (*Store, Association) {
	t.Helper()
	s := openTest(t, "", Options{})
	norte, err := s.AddAssociation(Association{Slug: "norte", Name: "Norte"}, cli)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAdmin(Admin{Login: "maria", Name: "Maria", Keys: []SSHKey{{Fingerprint: "SHA256:m1", Comment: "maria@laptop"}}}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAdmin(Admin{Login: "ana", Name: "Ana", Role: RoleOperator, Associations: []uint64{norte.ID},
		Keys: []SSHKey{{Fingerprint: "SHA256:a1", Comment: "ana@casa"}, {Fingerprint: "SHA256:a2", Comment: "ana@work"}}}, cli); err != nil {
		t.Fatal(err)
	}
	return s, norte
}

func TestTheLastSupervisorCannotBeDemoted(t *testing.T) {
	s, norte := twoAdmins(t)
	if _, err := s.SetAdminAccess("maria", RoleOperator, []uint64{norte.ID}, cli); !errors.Is(err, ErrLastSupervisor) {
		t.Fatalf("demoting the last supervisor: %v", err)
	}
	if a, _ := s.AdminByLogin("maria"); !a.Supervisor() {
		t.Fatalf("maria is %s now", a.Role)
	}
	if _, err := s.SetAdminAccess("ana", RoleSupervisor, nil, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAdminAccess("maria", RoleOperator, []uint64{norte.ID}, cli); err != nil {
		t.Fatalf("with ana a supervisor too, maria may step down: %v", err)
	}
}

func TestAccessCanBeTakenAway(t *testing.T) {
	s, norte := twoAdmins(t)
	changes := 0
	stop := s.WatchAdmins(func() { changes++ })
	defer stop()

	was, _ := s.AdminByLogin("ana")
	if err := was.MayLogIn(); err != nil {
		t.Fatalf("ana may not log in: %v", err)
	}
	// A key goes by its comment or its fingerprint; only its owner's.
	if _, err := s.RemoveAdminKey("maria", "ana@casa", cli); !errors.Is(err, ErrNotFound) {
		t.Errorf("maria's key by ana's comment: %v", err)
	}
	k, err := s.RemoveAdminKey("ana", "ana@casa", cli)
	if err != nil || k.Fingerprint != "SHA256:a1" {
		t.Fatalf("remove by comment: %+v, %v", k, err)
	}
	if _, err := s.AdminByKey("SHA256:a1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the removed key still opens: %v", err)
	}
	if _, err := s.RemoveAdminKey("ana", "SHA256:a2", cli); err != nil {
		t.Fatalf("remove by fingerprint: %v", err)
	}
	if a, _ := s.AdminByLogin("ana"); len(a.Keys) != 0 {
		t.Errorf("ana keeps %+v", a.Keys)
	}
	// The fingerprint is free for another profile now.
	if err := s.AddAdminKey("maria", SSHKey{Fingerprint: "SHA256:a2"}, cli); err != nil {
		t.Errorf("a freed key: %v", err)
	}

	// Disabled, a profile keeps its keys and may not log in; enabled again, it may.
	if err := s.AddAdminKey("ana", SSHKey{Fingerprint: "SHA256:a3"}, cli); err != nil {
		t.Fatal(err)
	}
	a, err := s.SetAdminEnabled("ana", false, cli)
	if err != nil || !a.Disabled || !errors.Is(a.MayLogIn(), ErrForbidden) {
		t.Fatalf("disable: %+v, %v, %v", a, err, a.MayLogIn())
	}
	if got, _ := s.AdminByKey("SHA256:a3"); got.MayLogIn() == nil || got.Holds(was) {
		t.Errorf("a disabled profile's key still opens")
	}
	if a, err = s.SetAdminEnabled("ana", true, cli); err != nil || a.MayLogIn() != nil || !a.Holds(was) {
		t.Fatalf("enable: %+v, %v", a, err)
	}

	// An operator may lose their last association: the profile stays, and may not log in.
	if a, err = s.SetAdminAccess("ana", RoleOperator, nil, cli); err != nil || len(a.Associations) != 0 {
		t.Fatalf("the last association taken: %+v, %v", a, err)
	}
	if !errors.Is(a.MayLogIn(), ErrForbidden) || a.Holds(was) {
		t.Errorf("an operator of nothing may log in: %v", a.MayLogIn())
	}
	if a, _ = s.SetAdminAccess("ana", RoleOperator, []uint64{norte.ID}, cli); !a.Holds(was) {
		t.Errorf("given back their association, ana is refused")
	}

	// The last supervisor is neither disabled nor removed; others are.
	if _, err := s.SetAdminEnabled("maria", false, cli); !errors.Is(err, ErrLastSupervisor) {
		t.Errorf("disable the last supervisor: %v", err)
	}
	if _, err := s.RemoveAdmin("maria", cli); !errors.Is(err, ErrLastSupervisor) {
		t.Errorf("remove the last supervisor: %v", err)
	}
	if _, err := s.RemoveAdmin("ana", cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdminByLogin("ana"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ana after removal: %v", err)
	}
	if _, err := s.AdminByKey("SHA256:a3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a removed profile's key: %v", err)
	}
	if _, err := s.RemoveAdmin("ana", cli); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
	// The login may be used again, with nothing of the old profile.
	if a, err := s.AddAdmin(Admin{Login: "ana", Name: "Ana Nova", Role: RoleOperator, Associations: []uint64{norte.ID}}, cli); err != nil || a.Holds(was) {
		t.Errorf("a new ana: %+v, %v, holds the old one's sessions: %v", a, err, a.Holds(was))
	}

	// An operator changes none of it.
	op, _ := s.AdminByLogin("ana")
	v := s.As(op)
	if _, err := v.RemoveAdmin("maria", cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator removing: %v", err)
	}
	if _, err := v.SetAdminEnabled("maria", false, cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator disabling: %v", err)
	}
	if _, err := v.RemoveAdminKey("maria", "SHA256:m1", cli); !errors.Is(err, ErrForbidden) {
		t.Errorf("an operator removing a key: %v", err)
	}

	// Every change is in the audit, and told to the watchers.
	log, _ := s.AuditLog(0, 0)
	seen := map[string]int{}
	for _, e := range log {
		seen[e.Action]++
	}
	if seen[ActionAdminKeyRemoved] != 2 || seen[ActionAdminDisabled] != 1 || seen[ActionAdminEnabled] != 1 || seen[ActionAdminRemoved] != 1 {
		t.Errorf("audit: %v", seen)
	}
	if changes < 8 {
		t.Errorf("watchers told of %d changes", changes)
	}
}

func TestRemovingAKeyByAnAmbiguousComment(t *testing.T) {
	s, _ := twoAdmins(t)
	if err := s.AddAdminKey("ana", SSHKey{Fingerprint: "SHA256:a3", Comment: "ana@casa"}, cli); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveAdminKey("ana", "ana@casa", cli); !errors.Is(err, ErrInvalid) {
		t.Fatalf("two keys named ana@casa: %v", err)
	}
	if a, _ := s.AdminByLogin("ana"); len(a.Keys) != 3 {
		t.Errorf("keys left: %+v", a.Keys)
	}
}
