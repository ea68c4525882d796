package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"ponte/sga/syncer"
	"ponte/store"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // goldens show times; every machine must print the same
	os.Exit(m.Run())
}

var fixed = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// fixture is a store with three clients and their vehicles (one imported, one CANCELADO),
// an administrator, a finished run and the daily schedule.
func fixture(t testing.TB) Services {
	t.Helper()
	now := func() time.Time { return fixed }
	st, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), store.Options{NoSync: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := store.Actor{Who: "maria", From: "test"}
	user, code, pw := "integracao", "19", "senha-secreta-1234"
	if _, err := st.SetIntegration(store.IntegrationPatch{User: &user, ProductCode: &code, Password: &pw}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddAdmin(store.Admin{Login: "maria", Name: "Maria Souza", Email: "maria@example.com"}, a); err != nil {
		t.Fatal(err)
	}
	run, _ := st.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, a)
	veh := func(code, client int64, plate, model, sit string, year int) store.Vehicle {
		return store.Vehicle{SGACode: code, ClientSGACode: client, Plate: plate, Chassis: fmt.Sprintf("9BW%014d", code),
			Brand: "VW", Model: model, YearModel: year, Situation: sit, Products: []string{"19"}}
	}
	_, err = st.Apply(store.Batch{RunID: run.ID,
		Clients: []store.Client{
			{SGACode: 1, Name: "MARIA DA SILVA", CPF: "12345678909", City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO", Email: "maria@example.com", Phone: "31988880000"},
			{SGACode: 2, Name: "JOSÉ D'ÁVILA", CPF: "98765432100", City: "SÃO PAULO", State: "SP", Situation: "ATIVO"},
			{SGACode: 3, Name: "ANA SOUZA", CPF: "11122233344", City: "RECIFE", State: "PE", Situation: "INADIMPLENTE"},
		},
		Vehicles: []store.Vehicle{
			veh(10, 1, "ABC1D23", "GOL 1.0 FLEX", "ATIVO", 2020),
			veh(11, 1, "DEF4G56", "POLO 1.0 TSI", "ATIVO", 2022),
			veh(12, 1, "GHI7J89", "SAVEIRO 1.6", "CANCELADO", 2015),
			veh(13, 1, "JKL0M12", "VOYAGE 1.6", "ATIVO", 2018),
			veh(20, 2, "XYZ9876", "T-CROSS 200", "ATIVO", 2023),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishRun(run.ID, store.StatusSucceeded, "", "", a); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Import(1, []int64{13}, a); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSchedule(store.Schedule{Enabled: true, TimeOfDay: "03:00", NextRun: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)}, a); err != nil {
		t.Fatal(err)
	}
	eng := syncer.New(st, syncer.Options{Now: now})
	t.Cleanup(eng.Close)
	return Services{Store: st, Engine: eng, Now: now}
}

func asciiSession() Session {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return Session{Actor: store.Actor{Who: "maria", From: "test"}, Renderer: r}
}

// drive runs the model's commands synchronously, as the program would, except the ones that
// wait on the sync hub or on timers.
func drive(t *testing.T, m *Model, msgs ...tea.Msg) {
	t.Helper()
	queue := append([]tea.Msg{}, msgs...)
	for len(queue) > 0 && len(queue) < 1000 {
		msg := queue[0]
		queue = queue[1:]
		_, cmd := m.Update(msg)
		queue = append(queue, run(cmd)...)
	}
}

// run executes a command tree and returns the messages it produced, skipping the ones that
// block (hub, ticks, blinks).
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return nil // a command that waits (progress, a timer): not part of this step
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	case nil:
		return nil
	case tea.QuitMsg:
		return []tea.Msg{msg}
	default:
		return []tea.Msg{msg}
	}
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func keys(ss ...string) []tea.Msg {
	var out []tea.Msg
	for _, s := range ss {
		out = append(out, keyMsg(s))
	}
	return out
}

func newTestModel(t *testing.T) *Model {
	m := New(fixture(t), asciiSession())
	t.Cleanup(m.Close)
	drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(t, m, run(m.Init())...)
	return m
}

func TestQuitNeverWhileTyping(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("3", "/")...)
	if !m.pages[m.active].Typing() {
		t.Fatal("/ did not focus the search")
	}
	_, cmd := m.Update(keyMsg("q"))
	for _, msg := range run(cmd) {
		if _, quit := msg.(tea.QuitMsg); quit {
			t.Fatal("q quit while typing in the search")
		}
	}
	drive(t, m, keys("1")...)
	if m.active != 2 {
		t.Fatal("a digit typed into the search switched pages")
	}
	if v := m.pages[2].(*clientsPage).search.Value(); v != "q1" {
		t.Fatalf("the search holds %q, want q1", v)
	}
	drive(t, m, keys("esc")...)
	_, cmd = m.Update(keyMsg("q"))
	quit := false
	for _, msg := range run(cmd) {
		_, quit = msg.(tea.QuitMsg)
	}
	if !quit {
		t.Fatal("q did not quit once the search was left")
	}
}

func TestSearchFindsByNameAndCPF(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("3", "/", "j", "o", "s", "e")...)
	p := m.pages[2].(*clientsPage)
	if len(p.page.Clients) != 1 || p.page.Clients[0].SGACode != 2 {
		t.Fatalf("search jose: %+v", p.page.Clients)
	}
	drive(t, m, keys("esc", "/", "1", "2", "3", ".", "4")...)
	if len(p.page.Clients) != 1 || p.page.Clients[0].SGACode != 1 {
		t.Fatalf("search 123.4: %+v", p.page.Clients)
	}
}

// openVehicles opens MARIA DA SILVA's vehicles (the list is by name: ANA, JOSÉ, MARIA).
func openVehicles(t *testing.T, m *Model) *clientView {
	drive(t, m, keys("3", "down", "down", "enter")...)
	v := m.pages[2].(*clientsPage).open
	if v == nil || v.client.SGACode != 1 || len(v.vehicles) != 4 {
		t.Fatalf("did not open client 1 with its 4 vehicles: %+v", v)
	}
	return v
}

func TestTickRulesAndImport(t *testing.T) {
	m := newTestModel(t)
	v := openVehicles(t, m)
	// Vehicles by plate: ABC1D23, DEF4G56, GHI7J89 (CANCELADO), JKL0M12 (imported).
	importBinding := func() bool {
		for _, b := range v.Help() {
			if b.Help().Desc == tImport {
				return b.Enabled()
			}
		}
		return false
	}
	if importBinding() {
		t.Fatal("Importar is offered with nothing ticked")
	}
	drive(t, m, keys("i")...)
	if v.confirming {
		t.Fatal("i asked to confirm with nothing ticked")
	}
	drive(t, m, keys("down", "down", "space", "down", "space")...)
	if len(v.ticked) != 0 {
		t.Fatalf("a CANCELADO or imported vehicle was ticked: %v", v.ticked)
	}
	if !strings.Contains(m.statusView(), "não está ATIVO") && !strings.Contains(m.statusView(), "já importado") {
		t.Fatalf("the refusal was not explained: %q", m.statusView())
	}
	drive(t, m, keys("a")...)
	if len(v.ticked) != 2 || !v.ticked[10] || !v.ticked[11] || m.ticked != 2 {
		t.Fatalf("a ticked %v (status bar %d), want 10 and 11", v.ticked, m.ticked)
	}
	if !importBinding() || !strings.Contains(v.View(), tImport) {
		t.Fatal("Importar is not offered with two ticked")
	}
	drive(t, m, keys("i")...)
	if !v.confirming || !strings.Contains(v.View(), "Serão gerados 2 contratos e 2 ordens de serviço") {
		t.Fatalf("no confirmation: %q", v.View())
	}
	drive(t, m, keys("n")...)
	if v.confirming || len(v.ticked) != 2 {
		t.Fatal("n did not cancel the confirmation, or lost the ticks")
	}
	drive(t, m, keys("i", "s")...)
	cs, _ := m.c.svc.Store.Contracts("", 0)
	if len(cs) != 3 || len(v.ticked) != 0 || !strings.Contains(v.View(), "CT-2026-000003") {
		t.Fatalf("after Importar: %d contracts, ticked %v, view %q", len(cs), v.ticked, v.View())
	}
	drive(t, m, keys("esc", "4")...)
	if !strings.Contains(m.View(), "CT-2026-000003") {
		t.Fatal("Contratos e OS does not list the new contract")
	}
}

func TestPagesShowWhatOtherSessionsChanged(t *testing.T) {
	svc := fixture(t)
	m := New(svc, asciiSession())
	t.Cleanup(m.Close)
	drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(t, m, run(m.Init())...)
	drive(t, m, keys("4")...)
	if strings.Contains(m.View(), "CT-2026-000002") {
		t.Fatal("fixture changed: contract 2 already exists")
	}
	// Another session imports a vehicle and renames the SGA user.
	other := store.Actor{Who: "joao", From: "ssh 10.0.0.2:5555"}
	if _, err := svc.Store.Import(1, []int64{10}, other); err != nil {
		t.Fatal(err)
	}
	user := "outro.usuario"
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{User: &user}, other); err != nil {
		t.Fatal(err)
	}
	drive(t, m, keys("1", "4")...)
	if !strings.Contains(m.View(), "CT-2026-000002") {
		t.Fatalf("Contratos e OS does not show the other session's import:\n%s", m.View())
	}
	drive(t, m, keys("1")...)
	if !strings.Contains(m.View(), "outro.usuario") {
		t.Fatalf("Integração SGA does not show the other session's user:\n%s", m.View())
	}
	// Unsaved edits survive a reload.
	p := m.pages[0].(*integrationPage)
	p.inputs[fProduct].SetValue("777")
	user2 := "terceiro"
	_, _ = svc.Store.SetIntegration(store.IntegrationPatch{User: &user2}, other)
	drive(t, m, keys("4", "1")...)
	if p.inputs[fProduct].Value() != "777" {
		t.Fatal("a reload threw away an unsaved edit")
	}
}

func TestIntegrationValidation(t *testing.T) {
	m := newTestModel(t)
	p := m.pages[0].(*integrationPage)
	drive(t, m, keys("tab")...)
	p.inputs[fUser].SetValue("   ")
	p.inputs[fProduct].SetValue("12a")
	drive(t, m, keys("ctrl+s")...)
	if p.errs[fUser] != tOnlySpaces || p.errs[fProduct] != tDigitsOnly || p.errs[fAPIKey] != tRequired {
		t.Fatalf("errors = %v", p.errs)
	}
	if p.errs[fPassword] != "" {
		t.Fatal("a stored password left empty was refused; empty keeps it")
	}
	in, _ := m.c.svc.Store.Integration()
	if in.User != "integracao" {
		t.Fatal("an invalid form was saved")
	}
	if !strings.Contains(p.View(), "✗ "+tDigitsOnly) {
		t.Fatalf("the error is not shown inline: %q", p.View())
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("3")...)
	p := m.pages[2].(*clientsPage)
	drive(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if p.list.Cursor() != 1 {
		t.Fatalf("the wheel did not scroll: cursor %d", p.list.Cursor())
	}
	drive(t, m, tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if p.list.Cursor() != 0 {
		t.Fatalf("the wheel did not scroll back: cursor %d", p.list.Cursor())
	}
}

func TestTooSmall(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, tea.WindowSizeMsg{Width: 79, Height: 30})
	if !strings.Contains(m.View(), "80×24") {
		t.Fatalf("below 80x24: %q", m.View())
	}
	drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if strings.Contains(m.View(), "80×24") || !strings.Contains(m.View(), tPageIntegration) {
		t.Fatal("80x24 should show the console")
	}
	fits := func(where string) {
		t.Helper()
		for _, line := range strings.Split(m.View(), "\n") {
			if lipgloss.Width(line) > 80 {
				t.Fatalf("%s: a line of %d cells at 80 wide: %q", where, lipgloss.Width(line), line)
			}
		}
		if h := lipgloss.Height(m.View()); h > 24 {
			t.Fatalf("%s: %d lines at 24 high", where, h)
		}
	}
	for _, page := range []string{"1", "2", "3", "4"} {
		drive(t, m, keys(page)...)
		fits("page " + page)
	}
	drive(t, m, keys("2", "enter")...)
	fits("an admin profile")
	drive(t, m, keys("esc", "3", "down", "down", "enter", "a")...)
	fits("a client's vehicles")
}

// TestScreens goldens the final View of every screen at 100x30 (go test ./ui -update).
func TestScreens(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		ready string
	}{
		{"integration", nil, "integracao"},
		{"integration_guide", []string{"ctrl+g"}, "CNPJ: 18.355.184/0001-78"},
		{"admins", []string{"2"}, "Maria Souza"},
		{"admin_integrations", []string{"2", "enter"}, "Andamento de importação SGA"},
		{"admin_profile", []string{"2", "enter", "tab"}, "maria@example.com"},
		{"clients", []string{"3"}, "MARIA DA SILVA"},
		{"client_vehicles", []string{"3", "down", "down", "enter", "a"}, "Importar (i)"},
		{"client_data", []string{"3", "down", "down", "enter", "tab"}, "Código SGA"},
		{"contracts", []string{"4"}, "CT-2026-000001"},
		{"contract_detail", []string{"4", "enter"}, "Instalação"},
		{"import_confirm", []string{"3", "down", "down", "enter", "a", "i"}, "Confirmar? (s/n)"},
		{"run_errors", []string{"2", "enter", "enter"}, "Nenhum erro."},
		{"full_help", []string{"3", "?"}, "pgdn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(fixture(t), asciiSession())
			t.Cleanup(m.Close)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
			time.Sleep(100 * time.Millisecond) // the pages' first loads
			for _, k := range tc.keys {
				tm.Send(keyMsg(k))
				time.Sleep(50 * time.Millisecond)
			}
			// Every screen has loaded its data, and the status bar the last run.
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte(tc.ready)) && bytes.Contains(b, []byte("Último: concluído"))
			}, teatest.WithDuration(15*time.Second))
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(15*time.Second)).(*Model)
			teatest.RequireEqualOutput(t, []byte(fm.View()))
		})
	}
}

func TestFailureReasonsInPortuguese(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("2", "enter")...)
	hub := m.c.svc.Engine.Hub()
	hub.Publish(syncer.Progress{Status: "failed", Phase: "done", ReasonCode: "credentials", Reason: "SGA refused the credentials: x"})
	drive(t, m, progressMsg(hub.Latest()))
	v := m.pages[1].(*adminsPage).open
	if out := v.View(); !strings.Contains(out, "o SGA recusou as credenciais") || strings.Contains(out, "refused") {
		t.Fatalf("the Andamento field: %q", out)
	}
	v.runOpen = &store.Run{ID: 7, Status: "partial", ReasonCode: "pages_failed", ErrorCount: 2, Errors: []store.RunError{
		{Page: 3, Kind: "record", Key: "codigo_veiculo=55012", Reason: "field ano_modelo: want value", At: fixed},
		{Page: 4, Kind: "transient", Reason: "Erro interno do servidor", At: fixed},
	}}
	out := v.View()
	for _, want := range []string{"registro ilegível (campo ano_modelo)", "o SGA falhou ou não respondeu: Erro interno do servidor", "página 3 codigo_veiculo=55012"} {
		if !strings.Contains(out, want) {
			t.Fatalf("run errors lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "want value") {
		t.Fatalf("the decoder's English reached the screen:\n%s", out)
	}
}

func TestLastRunShownAtStart(t *testing.T) {
	m := newTestModel(t)
	if !strings.Contains(m.statusView(), "Último: concluído") {
		t.Fatalf("status bar at start: %q", m.statusView())
	}
	drive(t, m, keys("2", "enter")...)
	if out := m.pages[1].View(); !strings.Contains(out, "3 clientes, 5 veículos") {
		t.Fatalf("Andamento at start: %q", out)
	}
}

func TestClientsListPagesToTheEnd(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "ponte.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var b store.Batch
	for i := int64(1); i <= 1203; i++ {
		b.Clients = append(b.Clients, store.Client{SGACode: i, Name: fmt.Sprintf("CLIENTE %05d", i), CPF: fmt.Sprintf("%011d", i)})
	}
	if _, err := st.Apply(b); err != nil {
		t.Fatal(err)
	}
	m := New(Services{Store: st}, asciiSession())
	drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(t, m, run(m.Init())...)
	drive(t, m, keys("3")...)
	p := m.pages[2].(*clientsPage)
	if len(p.page.Clients) != 500 || !p.page.More {
		t.Fatalf("first page: %d clients, more %v", len(p.page.Clients), p.page.More)
	}
	for range 4 {
		drive(t, m, keys("G")...)
	}
	if n := len(p.page.Clients); n != 1203 || p.page.More {
		t.Fatalf("after paging to the end: %d clients, more %v", n, p.page.More)
	}
	if last := p.page.Clients[1202].Name; last != "CLIENTE 01203" || !strings.Contains(m.View(), "CLIENTE 01203") {
		t.Fatalf("the last client is %q; view:\n%s", last, m.View())
	}
}
