package ui

import (
	"fmt"
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
		t.Run(fmt.Sprintf("%d of %d", c.done, c.total), func(t *testing.T) {
			if got := pagesRead(syncer.Progress{PagesDone: c.done, PagesTotal: c.total}); got != c.want {
				t.Errorf("pagesRead(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
			}
		})
	}
}

// The profile's run summary agrees with its counts.
func TestRunSummaryAgreesInNumber(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{incrementalRead(1, 1), "Leu 1 alteração do SGA em 1 consulta."},
		{incrementalRead(0, 2), "Leu 0 alterações do SGA em 2 consultas."},
		{readBefore(syncer.Progress{PagesTotal: 1}), "Leu 0 de 1 página antes de parar."},
		{readBefore(syncer.Progress{PagesDone: 40, PagesTotal: 524}), "Leu 40 de 524 páginas antes de parar."},
		{readBefore(syncer.Progress{PagesDone: 1}), "Leu 1 página antes de parar."},
		{plural(1, tNotKeptOne, tNotKeptMany), "… e mais 1 erro não guardado"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%q, want %q", c.got, c.want)
			}
		})
	}
}
