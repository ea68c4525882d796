package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// demoNote is what the first screen says in ponte demo: where the simulators' credentials
// are (the form shows them masked, and they are written nowhere else), and what the demo does
// by itself after an association's first sync. It concerns the demo's own associations only:
// one added in the console has no simulator's credentials, and nothing changes its SGA.
type demoNote struct {
	credentials string        // the file that holds them
	slugs       []string      // the demo's associations, by short name
	churn       time.Duration // how often the simulated SGAs change; 0: never
	contracts   int           // with churn, how many contracts the demo imports vehicles for, up to
	added       *DemoAdded    // what --force added to a database that was not a demo's; nil: none
}

// DemoAdded is what ponte demo --force added to a database that held more than a demo's data,
// for the first screen to say: the database's file, the associations added, those whose real
// SGA integration the simulators' replaced, and the administrator added ("": none).
type DemoAdded struct {
	Path         string
	Associations []string
	Replaced     []string
	Admin        string
}

// WithDemoAdded tells the demo's note (WithDemo, given before it) what --force added to the
// database, which the command line also prints before the console covers it.
func WithDemoAdded(a DemoAdded) Option {
	return func(m *Model) {
		if m.c.demo != nil {
			m.c.demo.added = &a
		}
	}
}

// WithDemo tells the console it runs ponte demo: credentials is the file that holds the
// simulators' credentials, slugs the demo's associations (the note is theirs), churn how often
// the simulated SGAs change (0: never), and then contracts how many contracts the demo makes
// sure each association holds after its first sync, importing vehicles itself.
func WithDemo(credentials string, slugs []string, churn time.Duration, contracts int) Option {
	return func(m *Model) {
		m.c.demo = &demoNote{credentials: credentials, slugs: slugs, churn: churn, contracts: contracts}
	}
}

// demoView is the demo's note at the bottom of the integration page, wrapped to width, the
// file's path on a line of its own (wrapping would cut it at a hyphen); empty outside the demo
// and on an association that is not one of the demo's.
func (c *common) demoView(width int) string {
	if c.demo == nil || !slices.Contains(c.demo.slugs, c.assoc.Slug) {
		return ""
	}
	st := c.styles.Hint.Width(max(20, width))
	out := "\n"
	if a := c.demo.added; a != nil {
		out += st.Render(tDemoAdded) + "\n" + c.styles.Hint.Render("  "+a.Path) + "\n" + st.Render(a.text()) + "\n\n"
	}
	out += st.Render(tDemoCredentials) + "\n" + c.styles.Hint.Render("  "+c.demo.credentials) + "\n"
	if d := c.demo; d.churn > 0 {
		out += st.Render(fmt.Sprintf(tDemoChurn, plural(d.contracts, tVehicleOne, tVehicleMany), secondsText(d.churn))) + "\n"
	}
	return out
}

// text says what was added, in a sentence: "as associações protecao-sul, vale-minas; o
// supervisor "demo".".
func (a DemoAdded) text() string {
	var parts []string
	switch len(a.Associations) {
	case 0:
	case 1:
		parts = append(parts, fmt.Sprintf(tDemoAddedAssocOne, a.Associations[0]))
	default:
		parts = append(parts, fmt.Sprintf(tDemoAddedAssocMany, strings.Join(a.Associations, ", ")))
	}
	if len(a.Replaced) > 0 {
		parts = append(parts, fmt.Sprintf(tDemoReplaced, strings.Join(a.Replaced, ", ")))
	}
	if a.Admin != "" {
		parts = append(parts, fmt.Sprintf(tDemoAddedAdmin, a.Admin))
	}
	if len(parts) == 0 {
		return tDemoAddedNothing
	}
	text := strings.Join(parts, "; ") + "."
	return strings.ToUpper(text[:1]) + text[1:]
}

// secondsText says a duration in whole seconds, as "20 s" or "1 min 30 s".
func secondsText(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", max(1, s))
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}
