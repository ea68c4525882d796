package ui

import (
	"fmt"

	"ponte/sga/syncer"
	"ponte/store"
)

// The phrases the console builds from the strings table: counts in their number, a run's
// number and progress, a phone as people read it. The words themselves stay in strings.go.

// fellBackText is what the profile says of a run that fell back from the credentials SGA
// refused to the others, by the source it read with.
func fellBackText(source string) string {
	if source == store.SourceSync {
		return tFellBackManual
	}
	return tFellBack
}

// fellBackWarning is the same as a warning in a line: long, or short where room is tight.
func fellBackWarning(source string, short bool) string {
	switch {
	case source == store.SourceSync && short:
		return tWarnManualShort
	case source == store.SourceSync:
		return tWarnManual
	case short:
		return tWarnTokenShort
	}
	return tWarnToken
}

// runNumber names a run as an operator counts them: its number in the database and which of
// its association's runs it is, "5 (1ª)", or "5 (1ª de Vale de Minas)" given the association.
func runNumber(r store.Run, assoc string) string {
	switch {
	case r.Seq == 0:
		return fmt.Sprint(r.ID)
	case assoc == "":
		return fmt.Sprintf(tRunSeq, r.ID, r.Seq)
	}
	return fmt.Sprintf(tRunSeqOf, r.ID, r.Seq, assoc)
}

// plural picks the singular or plural form for n ("1 cliente", "2 clientes"), each a format
// of n alone (%[1]d says n twice: "1 contrato e 1 ordem de serviço").
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(one, n)
	}
	return fmt.Sprintf(many, n)
}

// kindCount is "1 Retirada", "2 Retiradas", "2 Reinstalações": an order kind, counted.
func kindCount(n int, kind string) string {
	switch kind {
	case store.OrderKindRemoval:
		return plural(n, tRemovalOne, tRemovalMany)
	case store.OrderKindReinstallation:
		return plural(n, tReinstallOne, tReinstallMany)
	case store.OrderKindInstallation:
		return plural(n, tInstallOne, tInstallMany)
	}
	return fmt.Sprintf("%d %s", n, kind)
}

// statusCounts is "N clientes, M veículos", each in its number.
func statusCounts(clients, vehicles int) string {
	return plural(clients, tClientOne, tClientMany) + ", " + plural(vehicles, tVehicleOne, tVehicleMany)
}

// pagesRead is how far a run got: "33 de 524 páginas".
func pagesRead(p syncer.Progress) string {
	if p.PagesTotal > 0 {
		return fmt.Sprintf(tOfTotal, p.PagesDone, plural(p.PagesTotal, tPageOne, tPageMany))
	}
	return statusCounts(p.Clients, p.Vehicles)
}

// pagesSoFar is how far a run whose listing gives no page count has got: "8 páginas lidas".
func pagesSoFar(p syncer.Progress) string { return plural(p.PagesDone, tPageReadOne, tPageReadMany) }

// incrementalRead is what a run read from the change feed: "Leu 1 alteração do SGA em 2
// consultas."
func incrementalRead(changes, requests int) string {
	return fmt.Sprintf(tIncrementalRead, plural(changes, tChangeOne, tChangeMany), plural(requests, tQueryOne, tQueryMany))
}

// readBefore is how far a stopped run got: "Leu 0 de 1 página antes de parar.", or "Leu 30
// páginas antes de parar." from a listing that gives no page count.
func readBefore(p syncer.Progress) string {
	read := plural(p.PagesDone, tPageOne, tPageMany)
	if p.Measured() {
		read = fmt.Sprintf(tOfTotal, p.PagesDone, plural(p.PagesTotal, tPageOne, tPageMany))
	}
	return fmt.Sprintf(tReadBefore, read)
}

// formatPhone writes a Brazilian phone number as people read it: "(27) 96455-2158",
// "(11) 4637-5366"; anything else as it came.
func formatPhone(d string) string {
	digits := store.Phone(d)
	switch len(digits) {
	case 11:
		return "(" + digits[:2] + ") " + digits[2:7] + "-" + digits[7:]
	case 10:
		return "(" + digits[:2] + ") " + digits[2:6] + "-" + digits[6:]
	}
	return d
}

// fullWhyText says in a few words why a run read in full: "diária", "semanal", "(a lista do
// SGA mudou)"; "" when it was asked to, or for a reason told only in full (noteText).
func fullWhyText(code string) string {
	switch code {
	case syncer.NoteFullDaily:
		return "diária"
	case syncer.NoteFullDay:
		return "semanal"
	case syncer.NoteNoFull:
		return "(sem leitura completa recente)"
	case syncer.NoteNeedsBoth:
		return "(faltam credenciais para as alterações)"
	case syncer.NoteFeedDenied:
		return "(rotas de alterações não liberadas)"
	case syncer.NoteListingMoved:
		return "(a lista do SGA mudou)"
	}
	return ""
}
