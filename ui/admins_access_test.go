package ui

import (
	"strings"
	"testing"

	"ponte/store"
	"ponte/ui/uitest"
)

// A supervisor removes a key, disables and enables a profile and removes it from the
// Administradores page, each after a question; the last supervisor stays.
func TestAdminsPageTakesAccessAway(t *testing.T) {
	svc := fixture(t)
	st := svc.Store
	if _, err := st.AddAdmin(store.Admin{Login: "bia", Name: "Bia Reis", Keys: []store.SSHKey{
		{Fingerprint: "SHA256:bia-laptop", Comment: "bia@laptop"}, {Fingerprint: "SHA256:bia-desk", Comment: "bia@desk"}}}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.steps("2", "=Bia Reis", "enter", "=Andamento de importação SGA", "tab", "=bia@laptop")
	c.press("down", "r")
	c.waitFor("Remover a chave SHA256:bia-desk (bia@desk) de Bia Reis?")
	c.press("n")
	if a, _ := st.AdminByLogin("bia"); len(a.Keys) != 2 {
		t.Fatalf("n removed a key: %+v", a.Keys)
	}
	c.steps("r", "=Remover a chave SHA256:bia-desk", "s")
	c.waitFor("Chave SHA256:bia-desk (bia@desk) removida de Bia Reis.")
	if a, _ := st.AdminByLogin("bia"); len(a.Keys) != 1 || a.Keys[0].Comment != "bia@laptop" {
		t.Fatalf("keys left: %+v", a.Keys)
	}
	if s := c.screen(); strings.Contains(s, "bia@desk") && !strings.Contains(s, "removida") {
		t.Errorf("the removed key still shows:\n%s", s)
	}

	c.press("d")
	c.waitFor("Desativar o perfil de Bia Reis?")
	c.press("s")
	c.waitFor("Perfil de Bia Reis desativado.", "desativado: não entra no console")
	if a, _ := st.AdminByLogin("bia"); !a.Disabled {
		t.Fatal("bia is not disabled")
	}
	c.steps("d", "=Reativar o perfil de Bia Reis?", "s")
	c.waitFor("Perfil de Bia Reis reativado.")

	c.press("e")
	c.waitFor("Excluir o perfil de Bia Reis (1 chave)?")
	c.press("s")
	c.waitFor("Perfil de Bia Reis excluído.")
	if _, err := st.AdminByLogin("bia"); err == nil {
		t.Fatal("bia is still there")
	}
	c.waitGone("Bia Reis (")

	// Maria is the last supervisor: the page says so, and she stays.
	c.steps("=Maria Souza", "enter", "=Andamento de importação SGA", "tab", "=maria@example.com", "e", "=Excluir o perfil de Maria Souza", "s")
	c.waitFor("Maria Souza é o último supervisor ativo")
	if _, err := st.AdminByLogin("maria"); err != nil {
		t.Fatal(err)
	}
	// Disabling her says the same, with her name.
	c.steps("d", "=Desativar o perfil de Maria Souza?", "s")
	c.waitFor("✗ Maria Souza é o último supervisor ativo")
}

// Removing a profile's last key says what that costs before it is done.
func TestAdminsPageWarnsOfTheLastKey(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.AddAdmin(store.Admin{Login: "bia", Name: "Bia Reis", Keys: []store.SSHKey{
		{Fingerprint: "SHA256:bia-laptop", Comment: "bia@laptop"}}}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.steps("2", "=Bia Reis", "enter", "=Andamento de importação SGA", "tab", "=bia@laptop", "r")
	c.waitFor("É a última chave de Bia Reis: sem ela, não entra mais pelo SSH.")
}

// An operator sees their own profile, and is offered none of these keys.
func TestAdminsPageOffersOperatorsNoRevocation(t *testing.T) {
	f := uitest.New(t)
	ana := f.Many(t)
	c := newConsoleAs(t, Services{Store: f.Store, Engine: f.Engine, Now: f.Now}, Session{Actor: store.Actor{Who: "ana"}, Admin: &ana}, 120, 35)
	c.steps("2", "=Ana Lima", "enter", "=Andamento de importação SGA", "tab", "=Papel", "?")
	s := c.waitFor("ajuda")
	for _, k := range []string{tProfileRemove, tProfileRemoveKey, tProfileDisableEnable} {
		if strings.Contains(s, k) {
			t.Errorf("an operator is offered %q:\n%s", k, s)
		}
	}
}
