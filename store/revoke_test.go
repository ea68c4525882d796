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
