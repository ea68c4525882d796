package ui

import (
	"fmt"
	"image/color"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	charmlog "charm.land/log/v2"
	"github.com/charmbracelet/x/exp/golden"

	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui/uitest"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // goldens show times; every machine must print the same
	// wish logs each session a test closes as an error; ponte serve silences it the same way.
	charmlog.SetLevel(charmlog.FatalLevel)
	os.Exit(m.Run())
}

var fixed = uitest.Now

// fixture is uitest's store with three clients and their vehicles (one imported, one
// CANCELADO), an administrator, a finished run and the daily schedule.
func fixture(t testing.TB) Services {
	t.Helper()
	f := uitest.New(t)
	return Services{Store: f.Store, Engine: f.Engine, Now: f.Now}
}

// open is a console on the fixture at 100×30, its first screen loaded.
func open(t *testing.T) *console {
	c := newConsole(t, fixture(t), 100, 30)
	c.waitFor("integracao", "Último: concluído")
	return c
}

// cursorLine is the screen's line that carries the cursor marker.
func cursorLine(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " "), strings.TrimSpace(markCursor)) {
			return l
		}
	}
	return ""
}

func TestQuitNeverWhileTyping(t *testing.T) {
	c := open(t)
	c.press("3")
	c.waitFor("MARIA DA SILVA")
	c.press("/", "q", "1")
	c.waitFor("Buscar: q1")
	if c.quit {
		t.Fatal("q quit while typing in the search")
	}
	if !strings.Contains(c.screen(), "[3 Clientes]") {
		t.Fatalf("a digit typed into the search switched pages:\n%s", c.screen())
	}
	c.press("esc", "q")
	c.waitUntil("quit", func(string) bool { return c.quit })
}

func TestSearchFindsByNameAndCPF(t *testing.T) {
	c := open(t)
	c.press("3", "/")
	c.typeText("jose")
	c.waitFor("JOSÉ D'ÁVILA")
	c.waitGone("MARIA DA SILVA")
	c.press("esc", "/")
	c.typeText("123.4")
	c.waitFor("MARIA DA SILVA")
	c.waitGone("JOSÉ D'ÁVILA")
	// By a plate (exact or its start) and by city.
	for _, q := range []string{"xyz-9876", "XYZ9", "sao paulo"} {
		c.press("enter", "/")
		c.typeText(q)
		c.waitFor("JOSÉ D'ÁVILA")
		c.waitGone("MARIA DA SILVA")
	}
}

// "/" after a confirmed search starts a new one: it does not append to the old text.
func TestSlashStartsAnEmptySearch(t *testing.T) {
	c := open(t)
	c.press("3", "/")
	c.typeText("jose")
	c.press("enter")
	c.waitFor("Buscar: jose", "JOSÉ D'ÁVILA")
	c.press("/")
	c.typeText("ana")
	c.waitFor("Buscar: ana", "ANA SOUZA")
	if s := c.waitGone("JOSÉ D'ÁVILA"); strings.Contains(s, "joseana") {
		t.Fatalf("the new search kept the old text:\n%s", s)
	}
}

// openProfile opens Maria Souza's profile and waits for its runs.
func openProfile(c *console) {
	c.t.Helper()
	c.press("2")
	c.waitFor("Maria Souza")
	c.press("enter")
	c.waitFor("Andamento de importação SGA", "Início") // the runs loaded
}

// openVehicles opens MARIA DA SILVA's vehicles (the list is by name: ANA, JOSÉ, MARIA).
func openVehicles(c *console) {
	c.press("3")
	c.waitFor("MARIA DA SILVA")
	c.press("down", "down", "enter")
	c.waitFor("ABC1D23", "DEF4G56", "GHI7J89", "JKL0M12")
}

func TestTickRulesAndImport(t *testing.T) {
	c := open(t)
	openVehicles(c)
	// i with nothing ticked says what to do.
	c.press("i")
	c.waitFor("Marque ao menos um veículo")
	// Vehicles by plate: ABC1D23, DEF4G56, GHI7J89 (CANCELADO), JKL0M12 (imported).
	c.press("down", "down", "space")
	c.waitFor("GHI7J89: não está ATIVO no SGA (CANCELADO)")
	c.press("down", "space")
	c.waitFor("JKL0M12: já importado: contrato CT-2026-000001")
	c.press("a")
	c.waitFor("2 selecionados", "[ Importar (i) ]")
	c.press("i")
	c.waitFor("Serão gerados 2 contratos e 2 ordens de serviço. Confirmar? (s/n)")
	c.press("n")
	c.waitGone("Confirmar? (s/n)")
	c.waitFor("2 selecionados")
	c.press("i")
	c.waitFor("Confirmar? (s/n)")
	c.press("s")
	c.waitFor("CT-2026-000002 + OS-2026-000002 (ABC1D23)", "CT-2026-000003 + OS-2026-000003 (DEF4G56)")
	c.waitGone("selecionado") // the status bar no longer counts ticked vehicles
	if cs, _ := c.svc.Store.Contracts("", 0); len(cs) != 3 {
		t.Fatalf("%d contracts after Importar, want 3", len(cs))
	}
	c.press("esc", "4")
	c.waitFor("OS-2026-000003")
}

// a with nothing that can be ticked says why.
func TestTickAllWithNothingTickableSaysWhy(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.Import(1, []int64{10, 11}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	openVehicles(c)
	c.press("a")
	c.waitFor("Nenhum veículo pode ser marcado")
}

func TestPagesShowWhatOtherSessionsChanged(t *testing.T) {
	svc := fixture(t)
	c := newConsole(t, svc, 100, 30)
	c.press("4")
	c.waitFor("OS-2026-000001")
	// Another session imports a vehicle and renames the SGA user.
	other := store.Actor{Who: "joao", From: "ssh 10.0.0.2:5555"}
	if _, err := svc.Store.Import(1, []int64{10}, other); err != nil {
		t.Fatal(err)
	}
	user := "outro.usuario"
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{User: &user}, other); err != nil {
		t.Fatal(err)
	}
	c.press("1", "4")
	c.waitFor("OS-2026-000002")
	c.press("1")
	c.waitFor("outro.usuario")
	// An unsaved edit survives a reload; an unedited field takes the other session's value.
	c.press("tab", "tab", "tab", "tab", "ctrl+u")
	c.typeText("777")
	c.press("esc")
	user2 := "terceiro"
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{User: &user2}, other); err != nil {
		t.Fatal(err)
	}
	c.press("4", "1")
	c.waitFor("terceiro", "777", "* alterado, não salvo")
}

func TestIntegrationValidation(t *testing.T) {
	c := open(t)
	c.press("tab", "ctrl+u")
	c.typeText("   ")
	c.press("tab", "tab", "tab", "ctrl+u")
	c.typeText("12a")
	c.press("ctrl+s")
	s := c.waitFor("✗ não pode ter só espaços", "✗ só dígitos", "✗ obrigatório", "Corrija os campos marcados.")
	// Each mark sits on the line under its field.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, "Código do Produto") && !strings.Contains(lines[i+1], "✗ só dígitos") {
			t.Fatalf("the product's error is not under it:\n%s", s)
		}
	}
	if strings.Count(s, "✗ obrigatório") != 1 {
		t.Fatalf("a stored password left empty was refused; empty keeps it:\n%s", s)
	}
	if in, _ := c.svc.Store.Integration(); in.User != "integracao" {
		t.Fatal("an invalid form was saved")
	}
	// Fixing the fields takes the stale message away.
	c.press("ctrl+u")
	c.typeText("19")
	c.press("shift+tab", "shift+tab", "shift+tab", "ctrl+u")
	c.typeText("integracao")
	c.press("tab", "tab")
	c.typeText("chave")
	c.waitGone("Corrija os campos marcados.")
}

// Senha shows nothing of itself; the other secrets show their last four characters.
func TestPasswordFullyMasked(t *testing.T) {
	c := open(t)
	s := c.waitFor("•••••••• (deixe em branco para manter)")
	if strings.Contains(s, "1234") {
		t.Fatalf("the password's end is on screen:\n%s", s)
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	c := newConsole(t, fixture(t), 100, 30, WithMouse())
	c.press("3")
	c.waitFor("MARIA DA SILVA")
	if v := c.m.View(); v.MouseMode != tea.MouseModeCellMotion {
		t.Fatal("--mouse did not turn the mouse on")
	}
	c.handle(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if l := cursorLine(c.screen()); !strings.Contains(l, "JOSÉ") {
		t.Fatalf("the wheel did not scroll: cursor on %q", l)
	}
	c.handle(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if l := cursorLine(c.screen()); !strings.Contains(l, "ANA") {
		t.Fatalf("the wheel did not scroll back: cursor on %q", l)
	}
}

// fits checks that the screen fits w×h and that its footer still offers ? and q.
func fits(t *testing.T, c *console, where string, w, h int) {
	t.Helper()
	s := c.screen()
	lines := strings.Split(s, "\n")
	for _, line := range lines {
		if lipgloss.Width(line) > w {
			t.Fatalf("%s: a line of %d cells at %d wide: %q", where, lipgloss.Width(line), w, line)
		}
	}
	if len(lines) > h {
		t.Fatalf("%s: %d lines at %d high", where, len(lines), h)
	}
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "? ajuda · q sair") || strings.Contains(footer, "· ·") {
		t.Fatalf("%s: the footer hides ? or q, or lost a key between separators: %q", where, footer)
	}
}

func TestTooSmall(t *testing.T) {
	c := open(t)
	c.handle(tea.WindowSizeMsg{Width: 79, Height: 30})
	c.waitFor("80×24")
	for _, size := range [][2]int{{80, 24}, {120, 35}} {
		w, h := size[0], size[1]
		c.handle(tea.WindowSizeMsg{Width: w, Height: h})
		c.waitGone("80×24")
		for _, page := range []string{"1", "2", "3", "4"} {
			c.press(page)
			fits(t, c, "page "+page, w, h)
		}
		c.press("2")
		c.waitFor("Maria Souza")
		c.press("enter")
		c.waitFor("Andamento de importação SGA")
		fits(t, c, "an admin profile", w, h)
		c.press("esc", "3")
		c.waitFor("MARIA DA SILVA")
		c.press("down", "down", "enter")
		c.waitFor("ABC1D23")
		c.press("a")
		fits(t, c, "a client's vehicles", w, h)
		c.press("esc")
	}
}

// The guide panel scrolls to its last step, at 80×24 too.
func TestGuidePanelScrolls(t *testing.T) {
	c := newConsole(t, fixture(t), 80, 24)
	c.waitFor("integracao")
	c.press("ctrl+g")
	s := c.waitFor("Criando a Chave API", "há mais abaixo")
	if strings.Contains(s, "Cole-o no campo") {
		t.Fatalf("the whole guide fits at 80×24: the test proves nothing:\n%s", s)
	}
	for range 10 {
		c.press("pgdown")
	}
	c.waitFor("Cole-o no campo \"Sincronismo SGA\"", "há mais acima")
	fits(t, c, "the guide", 80, 24)
}

// TestScreens goldens every screen at 100×30 and 80×24, as a terminal without colour shows
// it (go test ./ui -run TestScreens -update).
func TestScreens(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		for _, tc := range []struct {
			name  string
			steps []string // keys, and "=TEXT": wait until the screen shows TEXT
		}{
			{"integration", nil},
			{"integration_focus", []string{"tab", "tab", "tab", "tab", "tab"}},
			{"integration_guide", []string{"ctrl+g", "=Criando a Chave API"}},
			{"admins", []string{"2", "=Maria Souza"}},
			{"admin_integrations", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "=ligado, às 03:00"}},
			{"admin_profile", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "tab", "=maria@example.com"}},
			{"clients", []string{"3", "=MARIA DA SILVA"}},
			{"client_vehicles", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23", "a", "=│  2 selecionados"}},
			{"client_data", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23", "tab", "=Código SGA"}},
			{"contracts", []string{"4", "=OS-2026-000001"}},
			{"contract_detail", []string{"4", "=OS-2026-000001", "enter", "=Histórico"}},
			{"import_confirm", []string{"3", "=MARIA DA SILVA", "down", "down", "enter", "=ABC1D23", "a", "i", "=Confirmar? (s/n)"}},
			{"run_errors", []string{"2", "=Maria Souza", "enter", "=27/11/2026 09:30", "enter", "=Nenhum erro."}},
			{"full_help", []string{"3", "=MARIA DA SILVA", "?", "=pgdn"}},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				c := newConsole(t, fixture(t), size[0], size[1])
				c.waitFor("integracao", "Último: concluído")
				c.steps(tc.steps...)
				golden.RequireEqual(t, c.ascii())
			})
		}
	}
}

// Without colour, the cursor row, the focused button and the active tab are still marked.
func TestMarkersWithoutColour(t *testing.T) {
	c := open(t)
	if s := c.screen(); !strings.Contains(s, "[1 Integração SGA]") || strings.Contains(s, "[2 Administradores]") {
		t.Fatalf("the active tab is not marked:\n%s", s)
	}
	c.press("tab", "tab", "tab", "tab", "tab")
	c.waitFor("[ Salvar ]")
	c.press("3")
	c.waitFor("[3 Clientes]", "MARIA DA SILVA")
	if l := cursorLine(c.screen()); !strings.Contains(l, "ANA SOUZA") {
		t.Fatalf("the cursor is not on the first row: %q", l)
	}
	c.press("j")
	if l := cursorLine(c.screen()); !strings.Contains(l, "JOSÉ") {
		t.Fatalf("j did not move the marker: %q", l)
	}
}

func TestFailureReasonsInPortuguese(t *testing.T) {
	svc := fixture(t)
	run, _ := svc.Store.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, maria)
	if _, err := svc.Store.Apply(store.Batch{RunID: run.ID, Errors: []store.RunError{
		{Page: 3, Kind: "record", Key: "codigo_veiculo=55012", Reason: "field ano_modelo: want value", At: fixed},
		{Page: 4, Kind: "transient", Reason: "Erro interno do servidor", At: fixed},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store.FinishRun(run.ID, store.StatusPartial, syncer.ReasonPagesFailed, "2 pages failed", maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("› 2 (2ª)    concluído com erros")
	c.press("enter")
	s := c.waitFor("registro ilegível (campo ano_modelo)", "o SGA falhou ou não respondeu: Erro interno do servidor",
		"página 3 codigo_veiculo=55012", "Motivo: algumas páginas falharam")
	if strings.Contains(s, "want value") || strings.Contains(s, "pages failed") {
		t.Fatalf("English reached the screen:\n%s", s)
	}
	hub := svc.Engine.Hub("")
	hub.Publish(syncer.Progress{Status: "failed", Phase: "done", ReasonCode: "credentials", Reason: "SGA refused the credentials: x"})
	c.press("esc")
	s = c.waitFor("Usuário ou Senha incorretos")
	if strings.Contains(s, "refused") {
		t.Fatalf("the Andamento field: %q", s)
	}
}

func TestLastRunShownAtStart(t *testing.T) {
	c := open(t)
	openProfile(c)
	c.waitFor("3 clientes, 5 veículos", "0 veículos mudaram de situação", "0 erros")
}

// Portuguese numbers: one is singular; phone numbers read as people write them.
func TestPluralsAndPhone(t *testing.T) {
	c := open(t)
	openVehicles(c)
	c.press("space")
	c.waitFor("1 selecionado ")
	c.press("tab")
	c.waitFor("(31) 98888-0000")
	for in, want := range map[string]string{"27964552158": "(27) 96455-2158", "1146375366": "(11) 4637-5366",
		"+55 27 96455-2158": "(27) 96455-2158", "123": "123"} {
		if got := formatPhone(in); got != want {
			t.Errorf("formatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// Contratos e OS shows the client's name, and finds contracts by it.
func TestContractsShowAndFindTheClientName(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.Import(2, []int64{20}, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	c.press("4")
	c.waitFor("MARIA DA SILVA", "JOSÉ D'ÁVILA")
	c.press("/")
	c.typeText("jose")
	c.waitFor("OS-2026-000002")
	c.waitGone("OS-2026-000001")
}

// d and h change the schedule line at once. Off, it shows the time h keeps; on, it says why
// the next run is a few minutes after it (each association's spread).
func TestScheduleLineUpdatesAtOnce(t *testing.T) {
	c := open(t)
	openProfile(c)
	c.waitFor("Sincronismo diário: ligado, às 03:00")
	c.press("d")
	c.waitFor("Sincronismo diário: desligado (horário: 03:00, ao ligar com d)",
		"✓ Sincronismo diário desligado; o horário 03:00 fica guardado para quando for ligado (d)")
	c.press("h", "ctrl+u")
	c.typeText("04:15")
	c.press("enter")
	c.waitFor("Sincronismo diário: desligado (horário: 04:15, ao ligar com d)",
		"✓ Sincronismo diário desligado; o horário 04:15 fica guardado para quando for ligado (d)")
	c.press("d")
	// At 09:30 the next run is the 10:00 incremental one, spread like the daily run.
	late := syncer.Spread("principal")
	next := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).Add(late)
	c.waitFor("Sincronismo diário: ligado, às 04:15 (próxima: "+next.Format("02/01 15:04")+", alterações)",
		"Agenda: leitura completa todo dia às 04:15; alterações a cada 60 min das 07:00 às 20:00",
		fmt.Sprintf("A próxima começa %d min depois da hora marcada: cada associação tem o seu atraso", int(late.Minutes())))
}

// At 80 columns, h says the time it saved, and the line that explains the spread is whole.
func TestScheduleSavedAndSpreadAt80Columns(t *testing.T) {
	c := newConsole(t, fixture(t), 80, 24)
	c.waitFor("integracao", "Último: concluído")
	openProfile(c)
	c.waitFor("Sincronismo diário: ligado, às 03:00")
	c.press("h", "ctrl+u")
	c.typeText("05:30")
	c.press("enter")
	s := c.waitFor("✓ Sincronismo diário ligado: leitura completa todo dia às 05:30")
	late := syncer.Spread("principal")
	want := fmt.Sprintf("A próxima começa %d min depois da hora marcada: cada associação tem o seu atraso, para que não "+
		"comecem todas ao mesmo tempo.", int(late.Minutes()))
	if !strings.Contains(strings.Join(strings.Fields(s), " "), want) {
		t.Fatalf("the spread's explanation is cut:\n%s", s)
	}
	fits(t, c, "the profile at 80 columns", 80, 24)
}

// A run that continued another says so in the list; a cancelled one says what it read.
func TestRunListSaysResumedAndCancelledSaysPagesRead(t *testing.T) {
	svc := fixture(t)
	r, _ := svc.Store.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, maria)
	_ = svc.Store.UpdateRun(r.ID, func(run *store.Run) { run.Counts.PagesDone, run.Counts.PagesTotal = 33, 524 })
	if _, err := svc.Store.FinishRun(r.ID, store.StatusCancelled, syncer.ReasonCancelled, "cancelled", maria); err != nil {
		t.Fatal(err)
	}
	r2, _ := svc.Store.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync, Resumes: r.ID}, maria)
	if _, err := svc.Store.FinishRun(r2.ID, store.StatusCancelled, syncer.ReasonCancelled, "cancelled", maria); err != nil {
		t.Fatal(err)
	}
	_ = svc.Store.UpdateRun(r2.ID, func(run *store.Run) { run.Counts.PagesDone, run.Counts.PagesTotal = 40, 524 })
	// A new engine, as after a restart, shows the last run as it ended.
	svc.Engine = syncer.New(svc.Store, syncer.Options{})
	t.Cleanup(svc.Engine.Close)
	c := newConsole(t, svc, 100, 30)
	c.press("2")
	c.waitFor("Maria Souza")
	c.press("enter")
	s := c.waitFor("cancelado (retomada de #2)", "páginas 40/524")
	if strings.Contains(s, "524/524") || strings.Contains(s, "100%") {
		t.Fatalf("a cancelled run shows as complete:\n%s", s)
	}
	c.press("enter")
	c.waitFor("Leu 40 de 524 páginas antes de parar.", "Continua a execução 2")
}

// The colours follow the background the terminal reports: a light one gets the light shades.
func TestColoursFollowTheTerminalBackground(t *testing.T) {
	c := open(t)
	dark := c.m.Screen()
	c.handle(tea.BackgroundColorMsg{Color: color.White})
	light := c.m.Screen()
	if dark == light || !strings.Contains(dark, "38;5;39") || !strings.Contains(light, "38;5;25") {
		t.Fatalf("the accent did not change with a light background:\ndark %q\nlight %q", dark[:200], light[:200])
	}
	c.handle(tea.BackgroundColorMsg{Color: color.Black})
	if c.m.Screen() != dark {
		t.Fatal("a dark background again did not bring the dark shades back")
	}
}

// textWidth counts as the full rules do.
func TestTextWidth(t *testing.T) {
	for _, s := range []string{"", "MARIA DA SILVA", "JOSÉ D'ÁVILA", "SÃO LUÍS/MA", "ÇÕÊ", "e\u0301", "日本", "› x", "a\x1b[1mb\x1b[m", "…", "🚗", "tab\there"} {
		t.Run(s, func(t *testing.T) {
			if got, want := textWidth(s), lipgloss.Width(s); got != want {
				t.Errorf("textWidth(%q) = %d, lipgloss.Width = %d", s, got, want)
			}
		})
	}
}

// A running sync's news close together is shown once, and what came last within a second.
func TestProgressIsShownAtAMeasuredPace(t *testing.T) {
	svc := fixture(t)
	svc.Engine = nil // the only news are the test's
	c := newConsole(t, svc, 100, 30)
	c.waitFor("integracao")
	run := syncer.Progress{Running: true, RunID: 9, Phase: syncer.PhaseReading, PagesTotal: 10, StartedAt: fixed}
	first, second := run, run
	first.Clients, second.Clients = 1, 2
	c.handle(progressMsg(first))
	c.handle(progressMsg(second))
	if s := c.screen(); !strings.Contains(s, "1 cliente,") || strings.Contains(s, "2 clientes") {
		t.Fatalf("the second update was drawn at once:\n%s", s)
	}
	c.handle(heartbeatMsg{})
	c.waitFor("2 clientes")
	end := second
	end.Running, end.Phase, end.Status = false, syncer.PhaseDone, store.StatusSucceeded
	c.handle(progressMsg(end))
	c.waitFor("Último: concluído", "✓ Sincronismo concluído: 2 clientes")
}

// A weekly full read, no incremental runs: the profile's schedule line says which, and what
// that means for freshness.
func TestScheduleLineSaysAWeeklyFullRead(t *testing.T) {
	svc := fixture(t)
	sc, _ := svc.Store.Schedule()
	sc.Full, sc.FullDay, sc.EveryMinutes = store.FullWeekly, time.Saturday, 0
	if err := svc.Store.SetSchedule(sc, maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	openProfile(c)
	c.waitFor("Agenda: leitura completa aos sábados às 03:00, alterações nos outros dias; nada entre elas",
		"(alterações em até 1 dia; produtos, em até 1 semana)")
}

// The end of a run says which kind it was and why it read so, in the status bar's one line;
// at a narrow width the why gives way first.
func TestSyncEndSaysWhichKindAndWhy(t *testing.T) {
	for _, tt := range []struct {
		width     int
		kind      string
		note      string
		want, not string
	}{
		{100, store.RunFull, syncer.NoteFullDaily, "✓ Sincronismo concluído, leitura completa diária: 2 clientes, 3 veículos.", ""},
		{100, store.RunFull, syncer.NoteListingMoved, "✓ Sincronismo concluído, leitura completa (a lista do SGA mudou): 2 clientes", ""},
		{100, store.RunIncremental, "", "✓ Sincronismo concluído, leitura das alterações: 2 clientes, 3 veículos.", ""},
		{80, store.RunFull, syncer.NoteListingMoved, "✓ Sincronismo concluído, leitura completa: 2 clientes", "mudou"},
	} {
		t.Run(fmt.Sprintf("%s %s at %d columns", tt.kind, tt.note, tt.width), func(t *testing.T) {
			c := newConsole(t, fixture(t), tt.width, 24)
			c.waitFor("integracao")
			end := syncer.Progress{RunID: 9, Kind: tt.kind, NoteCode: tt.note, Phase: syncer.PhaseDone, Status: store.StatusSucceeded,
				Clients: 2, Vehicles: 3, StartedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
			c.handle(progressMsg(end))
			if s := c.waitFor(tt.want); tt.not != "" && strings.Contains(s, tt.not) {
				t.Errorf("at %d columns the why did not give way:\n%s", tt.width, s)
			}
		})
	}
}
