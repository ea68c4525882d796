package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"ponte/sga/syncer"
	"ponte/store"
)

// progress shows one sync's progress on stderr. On a terminal it is one line redrawn in place,
// as wide as the terminal; piped, or with TERM=dumb, it is plain lines: the first, one on each
// change of phase, one every few seconds, and the last. It follows only the run that starts
// after it: the engine's first news is the previous run's end, which is not shown.
type progress struct {
	w     io.Writer
	width func() int // the terminal's columns; nil when w is not a terminal

	mu        sync.Mutex
	first     bool   // the first news, the engine's state before this run, has been seen
	run       uint64 // the followed run's ID, once the engine has given it one
	drawn     bool   // the terminal's line holds a bar
	lastPhase string
	lastLine  time.Time
}

// plainEvery is how often a plain line repeats while the phase stays the same.
const plainEvery = 2 * time.Second

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if isTerminal(w) {
		f := w.(term.File)
		p.width = func() int {
			if cols, _, err := term.GetSize(f.Fd()); err == nil && cols > 0 {
				return cols
			}
			return 80
		}
	}
	return p
}

// show draws one piece of news, if it is the followed run's.
func (p *progress) show(u syncer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.first:
		// The engine tells every new subscriber its state first: the previous run's end. The
		// news after it are this run's (with its start, when the engine sent it before the end).
		p.first = true
		if !u.Running {
			return
		}
		p.run = u.RunID
	case p.run == 0:
		p.run = u.RunID // the news before the run's record was made has no ID
	case u.RunID != 0 && u.RunID != p.run:
		return
	}
	if p.width != nil {
		fmt.Fprint(p.w, "\r\033[K"+progressLine(u, p.width()-1, true))
		p.drawn = true
		if !u.Running {
			fmt.Fprintln(p.w)
			p.drawn = false
		}
		return
	}
	if u.Phase != p.lastPhase || time.Since(p.lastLine) >= plainEvery || !u.Running {
		line := progressLine(u, 0, false)
		if u.RunID != 0 {
			line = fmt.Sprintf("run %d: %s", u.RunID, line)
		}
		printf(p.w, "%s\n", line)
		p.lastLine = time.Now()
	}
	p.lastPhase = u.Phase
}

// note prints a line of its own (a retry) above the bar.
func (p *progress) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width != nil {
		fmt.Fprint(p.w, "\r\033[K")
		line = ansi.Truncate(line, p.width()-1, "…")
	}
	printf(p.w, "%s\n", line)
	p.drawn = false
}

// shares reports whether out and the progress write to the same file (one terminal, or a log
// both are sent to, 2>&1), where a line out prints need not be noted again.
func (p *progress) shares(out io.Writer) bool {
	return sameFile(p.w, out)
}

// end leaves the terminal's line after a bar that no final news closed.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// progressLine tells a run's progress in at most width columns (0: no limit), dropping the
// least useful parts first: the rate, the ETA, the error count, the clients, the pages.
func progressLine(u syncer.Progress, width int, bar bool) string {
	parts := []struct {
		text string
		keep int // lower is kept longer
	}{
		{percentText(u) + u.Phase, 0},
		{pausedText(u), 0},
		{pagesText(u), 4},
		{plural(u.Clients, "client", "clients"), 5},
		{plural(u.Vehicles, "vehicle", "vehicles"), 1},
		{plural(u.Errors, "error", "errors"), 2},
		{rateText(u), 7},
		{etaText(u), 3},
	}
	render := func(drop int, barWidth int) string {
		var kept []string
		for _, pt := range parts {
			if pt.text != "" && pt.keep < drop {
				kept = append(kept, pt.text)
			}
		}
		line := kept[0]
		if len(kept) > 1 {
			line += " " + strings.Join(kept[1:], ", ")
		}
		if st := statusText(u); st != "" {
			line += " " + st
		}
		if barWidth > 0 {
			filled := int(u.Fraction() * float64(barWidth))
			line = "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "] " + line
		}
		return line
	}
	if width <= 0 {
		return render(8, 0)
	}
	// The most news that fits with a bar (a shorter bar before fewer news), then without one.
	for drop := 8; drop >= 1; drop-- {
		for _, barWidth := range []int{24, 12} {
			if line := render(drop, barWidth); bar && ansi.StringWidth(line) <= width {
				return line
			}
		}
	}
	for drop := 8; drop >= 1; drop-- {
		if line := render(drop, 0); ansi.StringWidth(line) <= width {
			return line
		}
	}
	return ansi.Truncate(render(1, 0), width, "…")
}

func pausedText(u syncer.Progress) string {
	if u.Phase != syncer.PhasePaused {
		return ""
	}
	return "SGA blocked us until " + u.PausedUntil.Local().Format(time.TimeOnly)
}

// percentText is how far the run is, "  4% ", when that is known (syncer.Progress.Measured):
// not for a listing that gives no page count.
func percentText(u syncer.Progress) string {
	if !u.Measured() {
		return ""
	}
	return fmt.Sprintf("%3.0f%% ", u.Fraction()*100)
}

// pagesText is "pages 3/8", or "pages 3" from a listing that gives no page count (the manual
// one), or nothing before the first page.
func pagesText(u syncer.Progress) string {
	switch {
	case u.PagesTotal > 0:
		return fmt.Sprintf("pages %d/%d", u.PagesDone, u.PagesTotal)
	case u.PagesDone > 0:
		return fmt.Sprintf("pages %d", u.PagesDone)
	}
	return ""
}

// rateText is the run's rate, "12.5 vehicles/s": a unit, not a count, so it is plural and has
// its decimal whatever the number ("1.0 vehicles/s"); plural is not for it.
func rateText(u syncer.Progress) string {
	if u.Rate <= 0 {
		return ""
	}
	return fmt.Sprintf("%.1f vehicles/s", u.Rate)
}

func etaText(u syncer.Progress) string {
	if u.ETA <= 0 || !u.Running {
		return ""
	}
	return u.ETA.Round(time.Second).String() + " left"
}

// statusText is a run's end: "(succeeded)", or "(cancelled by maria)", saying who.
func statusText(u syncer.Progress) string {
	switch {
	case u.Running || u.Status == "":
		return ""
	case u.Status == store.StatusCancelled && u.Reason != "":
		return "(" + u.Reason + ")"
	}
	return "(" + u.Status + ")"
}
