package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/sga/syncer"
	"ponte/store"
	"ponte/store/norm"
)

// simServices is the fixture's store, its integration pointed at a simulator: manual
// credentials, and the sync token when token is set. Each option changes the integration
// before the console opens.
func simServices(t *testing.T, o sim.Options, token bool, patch func(*store.IntegrationPatch)) (Services, *sim.Sim) {
	t.Helper()
	srv := simtest.Serve(t, o)
	svc := fixture(t)
	opts := []simtest.Option{simtest.Patch(patch)}
	if !token {
		opts = append(opts, simtest.ManualOnly())
	}
	simtest.Configure(t, svc.Store, srv, opts...)
	svc.Engine = syncer.New(svc.Store, syncer.Options{Rate: -1})
	t.Cleanup(svc.Engine.Close)
	return svc, srv.Sim
}

// A Sincronizar Ativos SGA whose run fails says so in red with the reason in Portuguese,
// leaves the daily sync off, and its run's detail gives the reason, not "Nenhum erro.".
func TestFailedSyncSaysWhyAndLeavesTheDailyOff(t *testing.T) {
	wrong := "senha-errada"
	svc, sm := simServices(t, sim.Options{Seed: 3, Members: 30}, false, func(p *store.IntegrationPatch) { p.Password = &wrong })
	if err := svc.Engine.SetDaily("", false, "03:00", maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("Sincronismo diário: desligado", "27/11/2026 09:30")
	c.press("s")
	out := c.waitFor("✗ Sincronismo falhou: Usuário ou Senha incorretos")
	if strings.Contains(out, "✓ Sincronismo iniciado") {
		t.Fatalf("a failed run was announced as started:\n%s", out)
	}
	c.waitFor("› 2 (2ª)    falhou")
	c.waitFor("Sincronismo diário: desligado")
	if sc, _ := svc.Store.Schedule(); sc.Enabled {
		t.Fatal("the daily sync was switched on by a failed run")
	}
	c.press("enter")
	out = c.waitFor("Erros da execução 2 (2ª de Principal)", "Motivo: Usuário ou Senha incorretos")
	if strings.Contains(out, "Nenhum erro.") {
		t.Fatalf("a failed run's detail says there was no error:\n%s", out)
	}
	// A new s after the failure is a new run.
	c.press("esc", "s")
	c.waitFor("› 3 (3ª)    falhou")
	// With the right password, the run works and the line says the daily sync is on at once.
	right := sm.Credentials().Password
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{Password: &right}, maria); err != nil {
		t.Fatal(err)
	}
	c.press("s")
	c.waitFor("✓ Sincronismo concluído", "› 4 (4ª)    concluído", "Sincronismo diário: ligado")
}

// A refused Sincronismo SGA token, with working manual credentials: the run reads with them
// and the console says so where it cannot be missed: the run's end in the status bar says it
// ended with a warning, whole at 120 columns and shorter at 80, never cut; the status bar
// keeps saying it (a session opened after the run shows it too); the profile's Andamento
// gives the whole warning and shows the finished run at 100%.
func TestRefusedTokenFallsBackAndSaysSo(t *testing.T) {
	for _, size := range [][2]int{{120, 35}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			bad := "token-revogado"
			svc, _ := simServices(t, sim.Options{Seed: 3, Members: 30}, true, func(p *store.IntegrationPatch) { p.SyncToken = &bad })
			c := newConsole(t, svc, size[0], size[1])
			openProfile(c)
			c.waitFor("27/11/2026 09:30")
			c.press("s")
			said := "✓ Sincronismo concluído, com aviso: token do Sincronismo SGA recusado"
			if size[0] >= 120 {
				said += "; lido com o cadastro para uso manual."
			}
			out := c.waitFor(said, "O SGA recusou o token do Sincronismo SGA; lido com o cadastro para uso",
				"Configurar Sincronismo.", "100%")
			fits(t, c, "the end of a run that fell back", size[0], size[1])
			if bar := statusLine(out); strings.Contains(bar, "…") {
				t.Fatalf("the status bar is cut: %q", bar)
			}
			last := "Último: concluído, com aviso: token do Sincronismo SGA recusado"
			if size[0] >= 120 {
				last += "; lido com o cadastro para uso manual"
			}
			other := newConsole(t, svc, size[0], size[1])
			other.waitFor(last)
			fits(t, other, "a session opened after it", size[0], size[1])
		})
	}
}

// statusLine is the screen's status bar: the line above the footer.
func statusLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	return lines[max(0, len(lines)-2)]
}

// Salvar with a Senha SGA refuses saves nothing: the stored credentials stay, the edit stays
// in the form marked unsaved, and the headline says it was not saved, in Portuguese only.
// Atualizar Token with a token SGA refuses does the same, and keeps an unsaved Usuário.
func TestRefusedCredentialsAreNotSaved(t *testing.T) {
	svc, s := simServices(t, sim.Options{Seed: 3, Members: 30}, true, nil)
	c := newConsole(t, svc, 120, 40)
	c.waitFor(s.Credentials().User)
	c.press("tab", "tab")
	c.typeText("senha-errada")
	c.press("ctrl+s")
	out := c.waitFor("Não salvo: o SGA recusou o login com esse Usuário, Senha e Chave API; o cadastro salvo antes continua valendo.",
		"Senha *", "* alterado, não salvo")
	if strings.Contains(out, "login failed") || strings.Contains(out, "Gerenciar APIs") || strings.Contains(out, "Ação realizada") {
		t.Fatalf("English, the wrong hint or a success on screen:\n%s", out)
	}
	if in, _ := svc.Store.Integration(); in.Password != s.Credentials().Password {
		t.Fatal("the refused password was saved over the good one")
	}
	c.press("esc", "tab", "ctrl+u")
	c.typeText("outro.usuario")
	c.press("tab", "tab", "tab", "tab", "tab")
	c.typeText("token-errado")
	c.press("tab", "enter")
	out = c.waitFor("Não salvo: o SGA recusou esse token do Sincronismo SGA; o salvo antes continua valendo.")
	if !strings.Contains(out, "outro.usuario") {
		t.Fatalf("Atualizar Token reverted the unsaved Usuário:\n%s", out)
	}
	if in, _ := svc.Store.Integration(); in.SyncToken != s.Credentials().SyncToken || in.User != s.Credentials().User {
		t.Fatal("the refused token, or the unsaved Usuário, was saved")
	}
	// The right password, typed over the wrong one, saves and tests.
	c.press("esc", "tab", "ctrl+u")
	c.typeText(s.Credentials().User)
	c.press("tab", "ctrl+u")
	c.typeText(s.Credentials().Password)
	c.press("ctrl+s")
	c.waitFor("Ação realizada com sucesso!")
	c.waitGone("Senha *")
}

// x cancels the running sync from any page, after a confirmation; q during a sync asks first.
func TestCancelAndQuitDuringASyncAsk(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 5, Members: 6000, PageSize: 50, Faults: sim.Faults{Latency: 300 * time.Millisecond}}, true, nil)
	c := newConsole(t, svc, 80, 24)
	openProfile(c)
	c.waitFor("27/11/2026 09:30")
	c.press("s")
	c.waitFor("Sincronizando", "x cancelar sincronismo · ? ajuda · q sair")
	fits(t, c, "a profile during a sync", 80, 24)
	c.waitFor("faltam ") // the ETA fits at 80 columns
	c.press("s")
	c.waitFor("Já há um sincronismo em andamento.") // s during a sync says why nothing starts
	c.press("3", "q")
	c.waitFor("Um sincronismo está em andamento: sair o interrompe")
	c.press("n")
	c.waitGone("Sair? (s/n)")
	if c.quit {
		t.Fatal("q quit during a sync without asking")
	}
	c.press("x")
	c.waitFor("Cancelar o sincronismo em andamento? (s/n)")
	c.press("n")
	c.waitFor("Sincronizando")
	c.press("x")
	c.waitFor("Cancelar o sincronismo em andamento? (s/n)")
	c.press("s")
	c.waitFor("✗ Sincronismo cancelado por maria após", "páginas.")
	// The run's detail says who cancelled it too.
	c.press("2")
	c.waitFor("Andamento de importação SGA", "cancelado")
	c.press("enter")
	c.waitFor("Cancelado por maria.", "Leu ")
	c.press("esc")
	c.press("x")
	c.waitFor("Nenhum sincronismo em andamento.")
	c.press("q")
	c.waitUntil("quit", func(string) bool { return c.quit })
}

// A run's detail opened from a list read before the run ended follows the list's next
// reading: the end that reading brings is not lost behind the open detail.
func TestOpenRunFollowsTheListsNextReading(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 5, Members: 6000, PageSize: 50, Faults: sim.Faults{Latency: 300 * time.Millisecond}}, true, nil)
	c := newConsole(t, svc, 120, 35)
	openProfile(c)
	c.press("s")
	c.waitFor("Sincronizando", "faltam ")
	c.waitFor("em andamento") // the list holds the run as going
	c.hold = func(msg tea.Msg) bool { _, ok := msg.(runsLoadedMsg); return ok }
	c.press("x")
	c.waitFor("Cancelar o sincronismo em andamento? (s/n)")
	c.press("s")
	c.waitFor("✗ Sincronismo cancelado por maria após")
	c.press("enter")
	c.waitFor("Erros da execução")
	c.release()
	c.waitFor("Cancelado por maria.", "Leu ")
}

// An incremental run's detail says what it could not know: products moved between vehicles,
// which only the full read sees.
func TestIncrementalRunSaysWhatItCannotSee(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 3, Members: 200}, true, nil)
	for _, run := range []struct{ mode, kind string }{{syncer.ModeFull, store.RunFull}, {syncer.ModeIncremental, store.RunIncremental}} {
		if r, err := svc.Engine.Run(t.Context(), syncer.Request{By: maria, Mode: run.mode}); err != nil || r.Kind != run.kind {
			t.Fatalf("%s run: %+v %v", run.mode, r, err)
		}
	}
	c := newConsole(t, svc, 80, 24)
	openProfile(c)
	c.press("enter")
	c.waitFor("Leu 0 alterações do SGA", "A listagem tinha 261 registros e tem 261: produtos trocados de veículo só a", "leitura completa vê.")
}

// Runs another started come into the profile's list as they end: a cursor on the newest run
// stays on the newest, so a list of two rows at 80 columns is not left showing old ones.
func TestNewRunsComeIntoTheProfilesList(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 3, Members: 100}, true, nil)
	c := newConsole(t, svc, 80, 24)
	openProfile(c)
	for n := 2; n <= 5; n++ {
		if _, err := svc.Engine.Run(t.Context(), syncer.Request{By: maria}); err != nil {
			t.Fatal(err)
		}
		c.waitUntil(fmt.Sprintf("run %d under the cursor", n), func(s string) bool {
			return strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cursorLine(s)), "›")), fmt.Sprintf("%d (%dª)", n, n))
		})
	}
}

// The client's own s lists every vehicle the client has in SGA, those without our product
// marked and not tickable, and ends saying what it found.
func TestClientSyncListsEveryVehicle(t *testing.T) {
	svc, s := simServices(t, sim.Options{Seed: 8, Members: 300}, true, nil)
	if _, err := svc.Engine.Run(t.Context(), syncer.Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	ours := s.Credentials().ProductCode
	byMember := map[int64][]sim.VehicleInfo{}
	for _, v := range s.Vehicles() {
		byMember[v.MemberCode] = append(byMember[v.MemberCode], v)
	}
	var other sim.VehicleInfo
	for _, vs := range byMember {
		mine := slices.IndexFunc(vs, func(v sim.VehicleInfo) bool { return slices.Contains(v.Products, ours) })
		notMine := slices.IndexFunc(vs, func(v sim.VehicleInfo) bool { return !slices.Contains(v.Products, ours) })
		if mine >= 0 && notMine >= 0 && vs[notMine].Plate != "" && (other.Code == 0 || vs[notMine].Code < other.Code) {
			other = vs[notMine]
		}
	}
	if other.Code == 0 {
		t.Fatal("the simulator has no member with vehicles of ours and others")
	}
	c := newConsole(t, svc, 120, 35)
	openByCPF(c, other.MemberCPF)
	s1 := c.waitFor("Importação de Veículos SGA]", "Produto", "s busca no SGA todos os deste cliente")
	if strings.Contains(s1, other.Plate) {
		t.Fatalf("a vehicle without our product before the client's sync:\n%s", s1)
	}
	c.press("s")
	c.waitFor("encontrados no SGA", other.Plate)
	// The cursor on it says why it cannot be ticked; the sync left the cursor on its vehicle.
	c.press("home")
	for range 10 {
		if strings.Contains(cursorLine(c.screen()), other.Plate) {
			break
		}
		c.press("j")
	}
	c.press("space")
	c.waitFor(other.Plate + ": sem o produto " + ours + " no SGA")
}

// Closing the session ends the connection test it started.
func TestSessionEndEndsItsCommands(t *testing.T) {
	svc, _ := simServices(t, sim.Options{Seed: 3, Members: 30, Faults: sim.Faults{Latency: 20 * time.Second}}, false, nil)
	c := newConsole(t, svc, 100, 30)
	c.waitFor("integracao")
	c.press("ctrl+s")
	c.waitFor("Testando com o SGA")
	start := time.Now()
	c.m.Close()
	c.waitGone("Testando com o SGA")
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("the test went on %s after the session ended", took)
	}
}

// openByCPF finds a client on Clientes by CPF and opens its page.
func openByCPF(c *console, cpf string) {
	c.t.Helper()
	c.press("3", "/")
	c.typeText(cpf)
	c.press("enter")
	// The results of a prefix of the CPF may still be on screen: wait for the client itself.
	c.waitUntil("one client", func(sc string) bool {
		return strings.Contains(sc, "Buscar: "+cpf) && strings.Count(sc, "› ") == 1 &&
			strings.Contains(cursorLine(sc), norm.FormatCPF(cpf))
	})
	c.press("enter")
}

// openSimClient opens the page of a client of s with a vehicle of ours, which a full sync
// brought in, and returns that vehicle.
func openSimClient(t *testing.T, c *console, s *sim.Sim) sim.VehicleInfo {
	t.Helper()
	ours := s.Credentials().ProductCode
	var v sim.VehicleInfo
	for _, x := range s.Vehicles() {
		if slices.Contains(x.Products, ours) && (v.Code == 0 || x.Code < v.Code) {
			v = x
		}
	}
	openByCPF(c, v.MemberCPF)
	c.waitFor("Importação de Veículos SGA]", "Sincronizar Ativos SGA (s)", v.Plate)
	return v
}

// clientSyncWithAWrongSenha runs a good full sync, saves a wrong Senha, and presses s on a
// client's page: with the sync token set too when token is.
func clientSyncWithAWrongSenha(t *testing.T, token bool) *console {
	t.Helper()
	svc, s := simServices(t, sim.Options{Seed: 8, Members: 40}, token, nil)
	if _, err := svc.Engine.Run(t.Context(), syncer.Request{By: maria}); err != nil {
		t.Fatal(err)
	}
	wrong := "senha-errada"
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{Password: &wrong}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 120, 35)
	openSimClient(t, c, s)
	c.press("s")
	return c
}

// A client's own sync that fails (a wrong Senha, no token to fall back to) is not the
// association's last sync: Associações and the profile's Andamento still show the good full
// run; the failure is said on the client's page.
func TestFailedClientSyncIsNotTheAssociationsLastSync(t *testing.T) {
	c := clientSyncWithAWrongSenha(t, false)
	out := c.waitFor("✗ Sincronismo falhou: Usuário ou Senha incorretos")
	if bar := statusLine(out); !strings.Contains(bar, "Último (cliente): falhou") {
		t.Fatalf("the status bar does not say the failed run was a client's: %q", bar)
	}
	c.press("5")
	out = c.waitFor("1 associação", "Principal")
	if row := cursorLine(out); strings.Contains(row, "falhou") || !strings.Contains(row, "concluído 27/11") {
		t.Fatalf("Associações shows the client's sync as the association's:\n%s", out)
	}
	openProfile(c)
	out = c.waitFor("› 3 (3ª)    falhou", "Andamento de importação SGA")
	_, field, _ := strings.Cut(out, "Andamento de importação SGA")
	field, _, _ = strings.Cut(field, "Último (cliente):") // the status bar tells the client's sync
	if !strings.Contains(field, "100%") || !strings.Contains(field, "concluído ·") || strings.Contains(field, "falhou") {
		t.Fatalf("the Andamento shows the client's sync over the full run:\n%s", out)
	}
}

// A client's own s whose manual login SGA refuses reads with the Sincronismo SGA token, as
// the full sync falls back the other way, and says so on the client's page.
func TestClientSyncFallsBackToTheToken(t *testing.T) {
	c := clientSyncWithAWrongSenha(t, true)
	c.waitFor("encontrado", "no SGA", "com aviso: login manual recusado; lido com o token do Sincronismo SGA.")
	openProfile(c)
	c.press("enter")
	c.waitFor("Erros da execução 3 (3ª de Principal)", "O SGA recusou o login do cadastro para uso manual (Usuário, Senha); lido com o token")
}

// A running sync's lines fit at 120 and 80 columns, beside the message that it started: the
// profile's Andamento and the status bar give way detail by detail, never cut.
func TestProgressLinesFitWhileASyncRuns(t *testing.T) {
	for _, size := range [][2]int{{120, 35}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			svc, _ := simServices(t, sim.Options{Seed: 5, Members: 6000, PageSize: 50, Faults: sim.Faults{Latency: 300 * time.Millisecond}}, true, nil)
			c := newConsole(t, svc, size[0], size[1])
			openProfile(c)
			c.waitFor("27/11/2026 09:30")
			c.press("s")
			out := c.waitFor("Sincronismo iniciado", "Sincronizando ·", "faltam ")
			fits(t, c, "a profile during a sync", size[0], size[1])
			_, field, _ := strings.Cut(out, "Andamento de importação SGA")
			lines := strings.Split(strings.TrimRight(field, "\n"), "\n")
			for _, line := range lines[:len(lines)-1] { // the footer's "…" says keys gave way
				if strings.Contains(line, "…") {
					t.Fatalf("a line is cut: %q\n%s", line, out)
				}
			}
			if bar := statusLine(out); !strings.Contains(bar, "Sincronizando") {
				t.Fatalf("the status bar lost the sync: %q", bar)
			}
			svc.Engine.Cancel("", maria)
		})
	}
}
