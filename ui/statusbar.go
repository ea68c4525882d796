package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"ponte/sga/syncer"
	"ponte/store"
)

// statusBar is the line above the footer (or a few, see maxStatusRows): an open question, or
// the current association's sync (a spinner while it runs, else the last run's status and
// the association's freshness), the count of every association's syncs, the rows ticked on
// the page in front, and the last action's result.
//
// It keeps what only it shows. The root hands it the sync's news (take, beat, show: the
// pages see what it shows), the results and the count of syncs (Update), and, before each
// drawing, what the root knows (SetStatus); Rows is the lines it took when last drawn.
type statusBar struct {
	c     *common
	width int

	progress syncer.Progress  // the current association's sync, as shown
	shownAt  time.Time        // when a running sync's progress was last shown
	held     *syncer.Progress // a newer progress not shown yet (see take)
	ended    *syncer.Progress // the last run's end this session has seen (and said)
	fresh    *store.Freshness // the current association's, once read
	frame    int              // the spinner: it turns with each progress, and once a second

	running, queued int // every association's syncs

	toastText string // the last action's result, until its clearing or the next key
	toastOK   bool
	toastID   int

	question string // the root's open question, "" for none
	ticked   int    // the rows ticked on the page in front
	rows     int    // the lines the bar took when last drawn
}

func newStatusBar(c *common) *statusBar {
	s := &statusBar{c: c, rows: 1}
	s.SetSize(c.width - 2)
	return s
}

// SetSize gives the bar its width.
func (s *statusBar) SetSize(width int) { s.width = width }

// SetStatus tells the bar, before it is drawn, what the root knows: the question open in it
// ("" for none) and the rows ticked on the page in front (read when the bar is drawn: a count
// sent by message could arrive after a newer one, a load's after a key's).
func (s *statusBar) SetStatus(question string, ticked int) { s.question, s.ticked = question, ticked }

// View is the bar's lines.
func (s *statusBar) View() string {
	lines := s.lines()
	s.rows = len(lines)
	return strings.Join(lines, "\n")
}

// Rows is the lines the bar took when last drawn: the page gets the rest.
func (s *statusBar) Rows() int { return s.rows }

// Update takes the results the bar shows and their clearing, the count of syncs, and the
// current association's freshness read again.
func (s *statusBar) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case toastMsg:
		id := s.say(msg.ok, msg.text)
		return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return clearToastMsg{id} })
	case clearToastMsg:
		if msg.id == s.toastID {
			s.toastText = ""
		}
	case activityMsg:
		s.countSyncs()
	case freshnessMsg:
		s.takeFreshness(msg)
	}
	return nil
}

// say shows a result until the next key or a newer result; it returns the result's number,
// which its clearing names.
func (s *statusBar) say(ok bool, text string) int {
	s.toastID++
	s.toastText, s.toastOK = text, ok
	return s.toastID
}

// countSyncs reads the count of every association's syncs.
func (s *statusBar) countSyncs() { s.running, s.queued = s.c.svc.Engine.Busy() }

// syncing reports whether the current association's sync runs, as shown.
func (s *statusBar) syncing() bool { return s.progress.Running }

// follow starts from p, the state of the sync of the association the session opens on (or
// switches to): it is not announced, and a run that ended before it is over.
func (s *statusBar) follow(p syncer.Progress) {
	s.progress, s.held, s.ended = p, nil, nil
	if runEnded(p) {
		s.ended = &p
	}
}

// runEnded reports whether p is a run's end.
func runEnded(p syncer.Progress) bool { return !p.Running && p.Phase == syncer.PhaseDone }

// take reports whether a sync's news is to be shown now. A running sync's news is shown at
// most every progressEvery: each showing redraws the session, and a server redraws every
// session. Starts, phases and ends at once; news held back is shown on the next heartbeat
// (beat) unless newer news comes first.
func (s *statusBar) take(p syncer.Progress) bool {
	if cur := s.progress; p.Running && cur.Running && p.Phase == cur.Phase && p.RunID == cur.RunID &&
		s.c.svc.Now().Sub(s.shownAt) < progressEvery {
		s.held = &p
		return false
	}
	s.held = nil
	return true
}

// beat takes a heartbeat: it reports whether the heartbeat goes on (a sync runs), and the
// news held back to show now, if any. With no news for a second the spinner still turns.
func (s *statusBar) beat() (held *syncer.Progress, running bool) {
	if !s.progress.Running {
		return nil, false
	}
	if h := s.held; h != nil {
		s.held = nil
		return h, true
	}
	if s.c.svc.Now().Sub(s.shownAt) >= time.Second {
		s.frame++ // no news for a second: the spinner still says it is alive
	}
	return nil, true
}

// show shows a sync's progress. Its commands start the heartbeat when a sync starts, and when
// a run ends, tell the page in front to reload and say how it ended. The hub hands over the
// newest state only: a short run may reach this session as its end alone. A run's end is told
// once, and the end the session found at its start not.
func (s *statusBar) show(p syncer.Progress) []tea.Cmd {
	was := s.progress.Running
	s.progress, s.shownAt = p, s.c.svc.Now()
	var cmds []tea.Cmd
	if p.Running && !was {
		cmds = append(cmds, heartbeat())
	}
	if p.Running {
		s.frame++
	}
	if runEnded(p) && (s.ended == nil || !sameEnd(*s.ended, p)) {
		s.ended = &p
		cmds = append(cmds, func() tea.Msg { return dataChangedMsg{} }, s.sayEnd(p))
	}
	return cmds
}

// heartbeatMsg turns the spinner while a sync gives no news.
type heartbeatMsg struct{}

func heartbeat() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return heartbeatMsg{} })
}

// spinFrames are the status bar's spinner.
var spinFrames = [...]string{"|", "/", "-", "\\"}

// progressEvery is how often a session shows a running sync's progress.
const progressEvery = 400 * time.Millisecond

// sameEnd reports whether two ends are the same run's.
func sameEnd(a, b syncer.Progress) bool {
	return a.RunID == b.RunID && a.Status == b.Status && a.StartedAt.Equal(b.StartedAt) && a.ReasonCode == b.ReasonCode
}

// sayEnd says how a full run ended, in every session: a failure in red with its reason. A
// client's own run is told by the client's page that started it.
func (s *statusBar) sayEnd(p syncer.Progress) tea.Cmd {
	if p.Kind == store.RunClient {
		return nil
	}
	switch p.Status {
	case store.StatusSucceeded:
		return toast(true, "%s", doneText(p, s.width-2)) // the bar's room, less "✓ "
	case store.StatusCancelled:
		return toast(false, "%s", cancelledText(p))
	case "":
		return nil
	}
	return toast(false, tSyncEnded, statusText(p.Status), reasonText(p.ReasonCode))
}

// maxStatusRows is how many lines the status bar may take from the page for a result or a
// question that does not fit on one: what the operator must read is never cut.
const maxStatusRows = 4

// lines is the status bar, one line or more: an open question; else the sync, the ticked
// vehicles, and the last action's result. A result too long to sit beside the rest takes
// lines of its own, wrapped, below them; the last run's status gives way to it.
func (s *statusBar) lines() []string {
	st := s.c.styles
	room := s.width
	if s.question != "" {
		// A result that comes while a question is open is shown below it, never in its place.
		lines := wrapped(st.Warning, s.question, room)
		if text, style := s.result(); text != "" {
			lines = append(lines, wrapped(style, text, room)...)
		}
		return lines[:min(len(lines), maxStatusRows)]
	}
	p := s.progress
	var rest []string // the status bar's parts after the sync's, before the result
	if others := s.running + s.queued; others > 0 && (others > 1 || !p.Running) {
		count := plural(s.running, tSyncsRunningOne, tSyncsRunningMany)
		if s.queued > 0 {
			count += ", " + fmt.Sprintf(tSyncsQueued, s.queued)
		}
		rest = append(rest, st.StatusKey.Render(count))
	}
	if s.ticked > 0 {
		rest = append(rest, st.StatusKey.Render(plural(s.ticked, tTickedOne, tTickedMany)))
	}
	var result string
	resultText, resultStyle := s.result()
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
	if line := join(s.syncPart(left, result != ""), beside); result == "" || textWidth(line) <= room {
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
		lines = append(lines, join(s.syncPart(left, true), others))
	} else if others != "" {
		lines = append(lines, others)
	}
	lines = append(lines, wrapped(resultStyle, resultText, room)...)
	return lines[:min(len(lines), maxStatusRows)]
}

// result is the last action's result as the status bar writes it, with its mark, and its
// style; "" if there is none.
func (s *statusBar) result() (string, lipgloss.Style) {
	switch {
	case s.toastText == "":
		return "", s.c.styles.Success
	case s.toastOK:
		return "✓ " + s.toastText, s.c.styles.Success
	}
	return "✗ " + s.toastText, s.c.styles.Error
}

// syncPart is the status bar's word on the sync in at most left columns where it can be
// shortened: a running sync's spinner, percent and details (the spinner and word stay), a
// pause, or the last run's status, which gives way to a result beside it that needs the room.
func (s *statusBar) syncPart(left int, result bool) string {
	st, p := s.c.styles, s.progress
	switch {
	case p.Running && p.Phase == syncer.PhasePaused:
		return st.Warning.Render(fmt.Sprintf(tPausedUntil, p.PausedUntil.Local().Format("15:04:05")))
	case p.Running:
		// A message or a narrow bar takes the room of the sync's details first.
		s := st.Title.Render(spinFrames[s.frame%len(spinFrames)]) + " " + tSyncing
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
		forms := withFreshness(lastRunForms(p), s.freshStatus())
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
	for _, f := range withFreshness([]string{tIdle}, s.freshStatus()) {
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

// dropToast takes the last action's result off the status bar when the operator presses a
// key: what they do next is a new action, and its own result, if any, comes after the key. A
// result left on the bar would sit beside the next action's ("✗ Marque ao menos um veículo"
// after a ticked them all).
func (s *statusBar) dropToast() { s.toastText = "" }
