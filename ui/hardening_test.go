package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"ponte/sga/sim"
	"ponte/sga/sim/simtest"
	"ponte/sga/syncer"
	"ponte/store"
)

// A character that reorders text is refused in the form where it stands, in Portuguese, and
// nothing is saved.
func TestIntegrationRefusesBidiControls(t *testing.T) {
	c := open(t)
	c.press("tab", "ctrl+u") // clear Usuário
	c.typeText("adm\u202enimda")
	c.press("ctrl+s")
	if out := c.waitFor("caractere 4 proibido"); !strings.Contains(out, "adm\uFFFDnimda") || strings.Contains(out, "\u202e") {
		t.Fatalf("the form shows the control:\n%s", out)
	}
	if in, _ := c.svc.Store.Integration(); in.User != "integracao" {
		t.Fatalf("saved %q", in.User)
	}
}

// Salvar with a Código do Produto SGA does not have saves nothing and names the codes SGA has;
// one SGA has is saved and its check line shows ok.
func TestIntegrationRefusesAnUnknownProduct(t *testing.T) {
	srv := simtest.Serve(t, sim.Options{Seed: 4, Members: 20})
	svc := fixture(t)
	svc.SGAURL = srv.URL // the console's URL, not the store's
	cr := srv.Creds
	simtest.Configure(t, svc.Store, srv, simtest.As(store.Actor{Who: "test"}),
		simtest.Patch(func(p *store.IntegrationPatch) { p.SGAURL = nil }))
	m := New(svc, Session{Actor: maria})
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 40))
	shows := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
			teatest.WithDuration(15*time.Second))
	}
	shows("Código do Produto")
	for _, k := range []string{"tab", "tab", "tab", "tab", "ctrl+u", "9", "9", "ctrl+s"} {
		tm.Send(keyPress(k))
	}
	shows("Não salvo: o SGA não tem o produto 99 (produtos do fornecedor: " + cr.ProductCode + " (RASTREADOR)")
	if in, _ := svc.Store.Integration(); in.ProductCode != cr.ProductCode {
		t.Fatalf("saved %q", in.ProductCode)
	}
	tm.Send(keyPress("ctrl+u"))
	tm.Send(tea.PasteMsg{Content: cr.ProductCode})
	tm.Send(keyPress("ctrl+s"))
	shows("✓ Código do Produto " + cr.ProductCode + ": ok")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
}

// The reasons the hardening added reach the screen in Portuguese.
func TestNewReasonsInPortuguese(t *testing.T) {
	c := open(t)
	openProfile(c)
	hub := c.svc.Engine.Hub("")
	for _, status := range []string{"partial", "interrupted"} {
		want := map[string]string{
			"partial":     "frota demais sumiu do SGA: nada foi marcado; confira o Código do Produto",
			"interrupted": "o processo do ponte parou antes de terminar",
		}[status]
		code := map[string]string{"partial": syncer.ReasonTooManyGone, "interrupted": store.ReasonInterrupted}[status]
		hub.Publish(syncer.Progress{Status: status, Phase: "done", ReasonCode: code, Reason: "in English"})
		if out := c.waitFor(want); strings.Contains(out, "in English") {
			t.Fatalf("%s:\n%s", status, out)
		}
	}
	c.waitFor("Último: interrompido")
}

// A run that continued an interrupted one says which, in its detail.
func TestResumedRunNamesTheRunItContinues(t *testing.T) {
	svc := fixture(t)
	r, err := svc.Store.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync, Resumes: 1}, maria)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store.FinishRun(r.ID, store.StatusSucceeded, "", "", maria); err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, svc, 100, 30)
	c.press("2")
	c.waitFor("Maria Souza")
	c.press("enter") // the profile loads its runs
	c.waitFor("concluído (retomada de #1)")
	c.press("enter") // the newest run's detail
	c.waitFor("Erros da execução 2 (2ª de Principal)", "Continua a execução 1, de onde ela parou.")
}

// A dismiss reason holding a character that reorders text is refused in the form, on the
// store's rule, shown defused, and nothing is dismissed.
func TestDismissReasonRefusesBidiControls(t *testing.T) {
	svc := withProposals(t)
	c := newConsole(t, svc, 120, 35)
	c.waitFor("integracao", "Último: concluído")
	c.press("6")
	c.waitFor("2 pendências")
	c.press("x")
	c.waitFor("Descartar 1 pendência")
	c.typeText("retirado\u202eodaritlaer")
	c.press("enter")
	if out := c.waitFor("caractere 9 proibido"); !strings.Contains(out, "retirado\uFFFDodaritlaer") || strings.Contains(out, "\u202e") {
		t.Fatalf("the form shows the control:\n%s", out)
	}
	if ps, err := svc.Store.ProposalViews(store.ProposalFilter{Status: store.ProposalPending}, 0); err != nil || len(ps) != 2 {
		t.Fatalf("pending after a refused dismiss: %d %v", len(ps), err)
	}
}

// A name from SGA holding a bidirectional control, a C1 CSI or an escape sequence reaches the
// terminal without any of them: the renderer drops the escape sequence, the frame the others.
func TestSGATextReachesTheTerminalDefused(t *testing.T) {
	svc := fixture(t)
	if _, err := svc.Store.Apply(store.Batch{Clients: []store.Client{{SGACode: 1, Name: "MARIA\u202eXYZ\x1b]0;pwn\a\u009b2J\u2066QQ",
		CPF: "12345678909", City: "BELO HORIZONTE", State: "MG", Situation: "ATIVO"}}}); err != nil {
		t.Fatal(err)
	}
	m := New(svc, Session{Actor: maria})
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	var out []byte
	read := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { out = append(out, b...); return bytes.Contains(out, []byte(text)) },
			teatest.WithDuration(15*time.Second))
	}
	read("Integração")
	tm.Send(keyPress("3"))
	read("XYZ2JQQ")
	for _, bad := range []string{"\u202e", "\u2066", "\u009b", "\x1b]0;pwn"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("the terminal got %q", bad)
		}
	}
}
