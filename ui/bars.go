package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ponte/sga/syncer"
	"ponte/store"
)

// The root's two bars at the bottom: the status bar (the sync, the count of syncs, the
// ticked vehicles, the last action's result, an open question) and the footer (the keys).

// maxStatusRows is how many lines the status bar may take from the page for a result or a
// question that does not fit on one: what the operator must read is never cut.
const maxStatusRows = 4

// statusView is the status bar, one line or more: an open question; else the sync, the ticked
// vehicles, and the last action's result. A result too long to sit beside the rest takes
// lines of its own, wrapped, below them; the last run's status gives way to it.
func (m *Model) statusView() []string {
	st := m.c.styles
	room := m.c.width - 2
	if m.asking != nil {
		// A result that comes while a question is open is shown below it, never in its place.
		lines := wrapped(st.Warning, m.asking.question, room)
		if text, style := m.result(); text != "" {
			lines = append(lines, wrapped(style, text, room)...)
		}
		return lines[:min(len(lines), maxStatusRows)]
	}
	p := m.progress
	var rest []string // the status bar's parts after the sync's, before the result
	if others := m.running + m.queued; others > 0 && (others > 1 || !p.Running) {
		count := plural(m.running, tSyncsRunningOne, tSyncsRunningMany)
		if m.queued > 0 {
			count += ", " + fmt.Sprintf(tSyncsQueued, m.queued)
		}
		rest = append(rest, st.StatusKey.Render(count))
	}
	ticked := 0
	if t, ok := m.pages[m.active].(ticker); ok {
		ticked = t.Ticked()
	}
	if ticked > 0 {
		rest = append(rest, st.StatusKey.Render(plural(ticked, tTickedOne, tTickedMany)))
	}
	var result string
	resultText, resultStyle := m.result()
	if resultText != "" {
		result = resultStyle.Render(resultText)
	}
	sep := st.Status.Render("  │  ")
	join := func(parts ...string) string {
		var kept []string
		for _, p := range parts {
			if p != "" {
				kept = append(kept, p)
			}
		}
		return strings.Join(kept, sep)
	}
	others := strings.Join(rest, sep)
	// One line, if the result fits on it beside the rest and the sync's words.
	beside := join(others, result)
	left := room // what the sync's part may take beside the rest
	if beside != "" {
		left -= textWidth(beside) + textWidth(sep)
	}
	if line := join(m.syncPart(left, result != ""), beside); result == "" || textWidth(line) <= room {
		return []string{line}
	}
	// Else the result takes lines of its own below the running sync and the counts; the last
	// run's status gives way to it.
	left = room
	if others != "" {
		left -= textWidth(others) + textWidth(sep)
	}
	var lines []string
	if p.Running {
		lines = append(lines, join(m.syncPart(left, true), others))
	} else if others != "" {
		lines = append(lines, others)
	}
	lines = append(lines, wrapped(resultStyle, resultText, room)...)
	return lines[:min(len(lines), maxStatusRows)]
}

// result is the last action's result as the status bar writes it, with its mark, and its
// style; "" if there is none.
func (m *Model) result() (string, lipgloss.Style) {
	switch {
	case m.toastText == "":
		return "", m.c.styles.Success
	case m.toastOK:
		return "✓ " + m.toastText, m.c.styles.Success
	}
	return "✗ " + m.toastText, m.c.styles.Error
}

// syncPart is the status bar's word on the sync in at most left columns where it can be
// shortened: a running sync's spinner, percent and details (the spinner and word stay), a
// pause, or the last run's status, which gives way to a result beside it that needs the room.
func (m *Model) syncPart(left int, result bool) string {
	st, p := m.c.styles, m.progress
	switch {
	case p.Running && p.Phase == syncer.PhasePaused:
		return st.Warning.Render(fmt.Sprintf(tPausedUntil, p.PausedUntil.Local().Format("15:04:05")))
	case p.Running:
		// A message or a narrow bar takes the room of the sync's details first.
		s := st.Title.Render(spinFrames[m.frame%len(spinFrames)]) + " " + tSyncing
		if p.Measured() {
			s += fmt.Sprintf(" %3.0f%%", p.Fraction()*100)
		}
		facts := []fact{{long: s}}
		if !p.Measured() && p.PagesDone > 0 { // a listing with no page count: the pages read
			facts = append(facts, fact{long: pagesSoFar(p), rank: 1})
		}
		facts = append(facts, fact{long: statusCounts(p.Clients, p.Vehicles), rank: 2})
		if p.StartedBy != "" {
			facts = append(facts, fact{long: fmt.Sprintf(tStartedBy, p.StartedBy), rank: 3})
		}
		return st.StatusKey.Render(fitFacts(facts, " · ", max(textWidth(s), left)))
	case p.Status != "":
		forms := withFreshness(lastRunForms(p), m.freshStatus())
		for _, f := range forms {
			if textWidth(f) <= left {
				return f
			}
		}
		if result {
			return "" // the message says more than the last run's status
		}
		return forms[len(forms)-1]
	case result && textWidth(tIdle) > left:
		return ""
	}
	for _, f := range withFreshness([]string{tIdle}, m.freshStatus()) {
		if textWidth(f) <= left {
			return f
		}
	}
	return tIdle
}

// withFreshness is forms, longest first, each first with the association's freshness after
// it and then without: the freshness gives way before the last run's words shorten.
func withFreshness(forms []string, fresh string) []string {
	if fresh == "" {
		return forms
	}
	out := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		out = append(out, f+" · "+fresh, f)
	}
	return out
}

// wrapped is text in style, wrapped at words to width, each line styled on its own, in at most
// maxStatusRows lines (the last cut with an ellipsis beyond that).
func wrapped(style lipgloss.Style, text string, width int) []string {
	lines := strings.Split(ansi.Wrap(text, max(1, width), ""), "\n")
	if len(lines) > maxStatusRows {
		lines = lines[:maxStatusRows]
		lines[maxStatusRows-1] = strings.TrimRight(cell(lines[maxStatusRows-1]+" …", width), " ")
	}
	for i, l := range lines {
		lines[i] = style.Render(strings.TrimRight(l, " "))
	}
	return lines
}

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

// dropToast takes the last action's result off the status bar when the operator presses a
// key: what they do next is a new action, and its own result, if any, comes after the key. A
// result left on the bar would sit beside the next action's ("✗ Marque ao menos um veículo"
// after a ticked them all).
func (m *Model) dropToast() { m.toastText = "" }

// helpView is the footer: the keys that work now, or all of them with ?. The short line
// always ends with "? ajuda · q sair" (and "x" while a sync runs); when it is too narrow,
// the page's keys give way first.
func (m *Model) helpView() string {
	k := m.keys
	width := m.c.width - 2
	if m.asking != nil {
		m.help.SetWidth(width)
		return m.help.ShortHelpView(m.answerKeys())
	}
	if m.picker.IsOpen() {
		m.help.SetWidth(width)
		return m.help.ShortHelpView(m.picker.Help())
	}
	groups := m.helpGroups()
	pageKeys := groups[0]
	if m.fullHelp {
		// The root's keys (esc closes this help) are never cut: where the three columns do
		// not fit, they take a line of their own below the page's.
		m.help.SetWidth(0)
		if full := m.help.FullHelpView(groups); lipgloss.Width(full) <= width {
			return full
		}
		m.help.SetWidth(width)
		return m.help.FullHelpView(groups[:2]) + "\n" + m.help.ShortHelpView(groups[2])
	}
	m.help.SetWidth(0)
	cancel := k.Cancel // x works on every page; the footer offers it while a sync runs
	cancel.SetEnabled(cancel.Enabled() && m.progress.Running)
	fixed := m.help.ShortHelpView([]key.Binding{cancel, k.Help, k.Quit})
	sep := m.help.Styles.ShortSeparator.Render(m.help.ShortSeparator)
	room := width - lipgloss.Width(fixed) - lipgloss.Width(sep)
	if fixed == "" {
		room = width
	}
	// The page's keys, as many as fit, in order; "…" says some gave way.
	var keys []key.Binding
	for _, b := range pageKeys {
		if b.Enabled() {
			keys = append(keys, b)
		}
	}
	left := ""
	for n := len(keys); n > 0; n-- {
		l := m.help.ShortHelpView(keys[:n])
		if n < len(keys) {
			l += sep + m.help.Styles.Ellipsis.Render(m.help.Ellipsis)
		}
		if lipgloss.Width(l) <= room {
			left = l
			break
		}
	}
	switch {
	case left == "":
		return fixed
	case fixed == "":
		return left
	}
	return left + sep + fixed
}
