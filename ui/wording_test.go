package ui

import (
	"testing"

	"ponte/sga/syncer"
)

// Importar's question agrees with its count: one contract is "Será gerado", two "Serão gerados".
func TestImportQuestionAgreesInNumber(t *testing.T) {
	c := open(t)
	openVehicles(c)
	c.press("space") // ABC1D23
	c.waitFor("1 selecionado")
	c.press("i")
	c.waitFor("Será gerado 1 contrato e 1 ordem de serviço. Confirmar? (s/n)")
	c.press("n")
	c.waitGone("Confirmar? (s/n)")
}

// A run's pages read agree with their total: "0 de 1 página", "33 de 524 páginas".
func TestPagesReadAgreeInNumber(t *testing.T) {
	for _, c := range []struct {
		done, total int
		want        string
	}{
		{0, 1, "0 de 1 página"},
		{1, 1, "1 de 1 página"},
		{33, 524, "33 de 524 páginas"},
	} {
		if got := pagesRead(syncer.Progress{PagesDone: c.done, PagesTotal: c.total}); got != c.want {
			t.Errorf("pagesRead(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}
