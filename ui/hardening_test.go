package ui

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"ponte/sga/sim"
	"ponte/sga/syncer"
	"ponte/store"
)

// A character that reorders text is refused in the form where it stands, in Portuguese, and
// nothing is saved.
func TestIntegrationRefusesBidiControls(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("tab")...)
	drive(t, m, tea.KeyMsg{Type: tea.KeyCtrlU}) // clear Usuário
	drive(t, m, keys("adm\u202enimda", "ctrl+s")...)
	if out := m.View(); !strings.Contains(out, "adm\uFFFDnimda") || strings.Contains(out, "\u202e") || !strings.Contains(out, "caractere 4 proibido") {
		t.Fatalf("the form shows no error:\n%s", out)
	}
	if in, _ := m.c.svc.Store.Integration(); in.User != "integracao" {
		t.Fatalf("saved %q", in.User)
	}
}

// Salvar with a Código do Produto SGA does not have saves nothing and names the codes SGA has;
// one SGA has is saved and its check line shows ok.
func TestIntegrationRefusesAnUnknownProduct(t *testing.T) {
	s, err := sim.New(sim.Options{Seed: 4, Members: 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); srv.Close() })
	svc := fixture(t)
	svc.SGAURL = srv.URL + sim.BasePath
	cr := s.Credentials()
	if _, err := svc.Store.SetIntegration(store.IntegrationPatch{User: &cr.User, Password: &cr.Password, APIKey: &cr.APIKey,
		SyncToken: &cr.SyncToken, ProductCode: &cr.ProductCode}, store.Actor{Who: "test"}); err != nil {
		t.Fatal(err)
	}
	m := New(svc, asciiSession())
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 40))
	shows := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
			teatest.WithDuration(15*time.Second))
	}
	shows("Código do Produto")
	for _, k := range []tea.Msg{keyMsg("tab"), keyMsg("tab"), keyMsg("tab"), keyMsg("tab"), tea.KeyMsg{Type: tea.KeyCtrlU}, keyMsg("99"), keyMsg("ctrl+s")} {
		tm.Send(k)
	}
	shows("Não salvo: o SGA não tem o produto 99 (produtos do fornecedor: " + cr.ProductCode + " (RASTREADOR)")
	if in, _ := svc.Store.Integration(); in.ProductCode != cr.ProductCode {
		t.Fatalf("saved %q", in.ProductCode)
	}
	for _, k := range []tea.Msg{tea.KeyMsg{Type: tea.KeyCtrlU}, keyMsg(cr.ProductCode), keyMsg("ctrl+s")} {
		tm.Send(k)
	}
	shows("✓ Código do Produto " + cr.ProductCode + ": ok")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}

// The reasons the hardening added reach the screen in Portuguese.
func TestNewReasonsInPortuguese(t *testing.T) {
	m := newTestModel(t)
	drive(t, m, keys("2", "enter")...)
	hub := m.c.svc.Engine.Hub()
	for status, want := range map[string]string{
		"partial":     "frota demais sumiu do SGA: nada foi marcado; confira o Código do Produto",
		"interrupted": "o processo do ponte parou antes de terminar",
	} {
		code := map[string]string{"partial": syncer.ReasonTooManyGone, "interrupted": store.ReasonInterrupted}[status]
		hub.Publish(syncer.Progress{Status: status, Phase: "done", ReasonCode: code, Reason: "in English"})
		drive(t, m, progressMsg(hub.Latest()))
		if out := m.View(); !strings.Contains(out, want) || strings.Contains(out, "in English") {
			t.Fatalf("%s:\n%s", status, out)
		}
	}
	if !strings.Contains(m.View(), "Último: interrompido") {
		t.Fatalf("status bar:\n%s", m.View())
	}
}

// A run that continued an interrupted one says which, in its detail.
func TestResumedRunNamesTheRunItContinues(t *testing.T) {
	svc := fixture(t)
	a := store.Actor{Who: "maria", From: "test"}
	r, err := svc.Store.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync, Resumes: 1}, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store.FinishRun(r.ID, store.StatusSucceeded, "", "", a); err != nil {
		t.Fatal(err)
	}
	m := New(svc, asciiSession())
	t.Cleanup(m.Close)
	drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(t, m, run(m.Init())...)
	drive(t, m, keys("2", "enter")...) // the profile loads its runs
	drive(t, m, keys("enter")...)      // the newest run's detail
	if out := m.View(); !strings.Contains(out, "Erros da execução 2") || !strings.Contains(out, "Continua a execução 1, de onde ela parou.") {
		t.Fatalf("the run's detail:\n%s", out)
	}
}
