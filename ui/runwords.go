package ui

import (
	"fmt"

	"ponte/sga/syncer"
	"ponte/store"
)

// The words the status bar and the pages say about a sync run: its last status, its end, a
// cancel, a fallback to other credentials.

// lastRunForms is the status bar's word on the last run, longest first: "Último: concluído",
// "Último (cliente): falhou" for a client's own run (not the association's state), and a run
// that fell back to the other credentials says so, in fewer words as room asks.
func lastRunForms(p syncer.Progress) []string {
	last, status := tLastRun, statusText(p.Status)
	if !p.OfAssociation() {
		last = tLastClientRun
	}
	if !warned(p) {
		return []string{fmt.Sprintf(tRunStatus, last, status)}
	}
	return []string{fmt.Sprintf(tRunStatusWarn, last, status, fellBackWarning(p.Source, false)),
		fmt.Sprintf(tRunStatusWarn, last, status, fellBackWarning(p.Source, true)),
		fmt.Sprintf(tRunStatus, last, withWarning(status, p.Status, p.FellBack))}
}

// warned reports whether a run that ended well ended with a warning to tell: it read with
// other credentials than SGA refused.
func warned(p syncer.Progress) bool { return endedWarned(p.Status, p.FellBack) }

// endedWarned is warned for a run's status and whether it fell back, as a stored run has them.
func endedWarned(status string, fellBack bool) bool {
	return fellBack && (status == store.StatusSucceeded || status == store.StatusPartial)
}

// withWarning is a run's status word (word, for status) with ", com aviso" when it ended
// with a warning: "concluído, com aviso".
func withWarning(word, status string, fellBack bool) string {
	if !endedWarned(status, fellBack) {
		return word
	}
	return fmt.Sprintf(tStatusWarned, word)
}

// cancelledText tells that a run was cancelled, by whom, and how far it got.
func cancelledText(p syncer.Progress) string {
	if p.CancelledBy == "" {
		return fmt.Sprintf(tSyncCancelled, pagesRead(p))
	}
	return fmt.Sprintf(tSyncCancelledBy, p.CancelledBy, pagesRead(p))
}

// doneText tells that a run ended well in at most room columns: its counts, and its warning
// (shortened, then the counts dropped, as room asks).
func doneText(p syncer.Progress, room int) string {
	counts := statusCounts(p.Clients, p.Vehicles)
	if !warned(p) {
		// Which run it was and why it read so, then only which, as room asks.
		for _, kind := range runKindForms(p) {
			if f := fmt.Sprintf(tSyncDoneKind, kind, counts); textWidth(f) <= room {
				return f
			}
		}
		return fmt.Sprintf(tSyncDone, counts)
	}
	forms := []string{fmt.Sprintf(tSyncDoneWarn, counts, fellBackWarning(p.Source, false)),
		fmt.Sprintf(tSyncDoneWarnOf, fellBackWarning(p.Source, false)),
		fmt.Sprintf(tSyncDoneWarnOf, fellBackWarning(p.Source, true))}
	for _, f := range forms {
		if textWidth(f) <= room {
			return f
		}
	}
	return tSyncDoneWarned
}

// runKindForms say which kind of run ended and why it read so, longest first: "leitura
// completa diária", "leitura completa"; "leitura das alterações". None when the kind is not
// known.
func runKindForms(p syncer.Progress) []string {
	switch p.Kind {
	case store.RunIncremental:
		return []string{tIncrementalKind}
	case store.RunFull:
		kind := tFullRead
		if why := fullWhyText(p.NoteCode); why != "" {
			return []string{fmt.Sprintf(tFullReadWhy, why), kind}
		}
		return []string{kind}
	}
	return nil
}
