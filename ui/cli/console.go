package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"ponte/sga/syncer"
	"ponte/store"
	"ponte/ui"
)

// memoryLimit is the Go heap's soft limit per association syncing at once, for the commands
// that sync, unless GOMEMLIMIT says otherwise: the GC then keeps the heap near what is live
// instead of letting it grow without bound, which holds a full sync of 75,000 vehicles near
// 150 MB of resident memory (bbolt's mapped file included). The simulator, whose register
// alone can be larger, is left alone.
const memoryLimit = 96 << 20

// gcPercent is GOGC for the commands that sync, unless GOGC says otherwise. Under the soft
// limit the heap cannot run away, so the collector may wait for the heap to triple rather than
// double while it is small: a full sync of 62,000 associados cost 17% less CPU (22.9 against
// 27.5 µs a vehicle, p = 0.028, eight alternating rounds) for 5 MiB more peak memory; 150 and
// 300 measured the same within the noise.
const gcPercent = 200

// tuneGC sets the collector for syncs running at once: the heap's soft limit, and GOGC. A
// limit below what they hold live makes the collector run without pause: ten associations of
// 75,000 vehicles each, syncing at once under one association's limit, took 283 s of CPU
// instead of 30.
func tuneGC(syncs int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(max(1, syncs)) * memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// runConsole opens the console on this terminal, with the daily sync schedule running.
func (a *app) runConsole(cmd *cobra.Command, _ []string) (err error) {
	mouse, _ := cmd.Flags().GetBool("mouse")
	tuneGC(syncer.DefaultMaxConcurrent)
	s, done, err := a.openStore(writing, wholeDatabase)
	if err != nil {
		return err
	}
	defer done(&err)
	if name := a.association(); name != "" {
		if _, err := a.in(s); err != nil {
			return err
		}
	}
	return console(cmd.Context(), cmd, s, a.actor(), a.association(), a.baseURL(), mouse, consoleExtra{})
}

// consoleExtra is what a command adds to the console: options, and work that runs beside it
// with its engine until the console ends (the demo's changing SGAs).
type consoleExtra struct {
	options []ui.Option
	beside  func(ctx context.Context, eng *syncer.Engine)
}

// console runs the console on the command's terminal until the operator quits or ctx ends.
func console(ctx context.Context, cmd *cobra.Command, s store.Backend, who store.Actor, assoc, sgaURL string, mouse bool, extra consoleExtra) error {
	eng := syncer.New(s, syncer.Options{})
	defer eng.Close()
	eng.StartSchedule()
	if extra.beside != nil {
		besideCtx, stop := context.WithCancel(ctx)
		var beside sync.WaitGroup
		beside.Go(func() { extra.beside(besideCtx, eng) })
		defer func() { stop(); beside.Wait() }()
	}
	opts := extra.options
	if mouse {
		opts = append(opts, ui.WithMouse())
	}
	m := ui.New(ui.Services{Store: s, Engine: eng, SGAURL: sgaURL}, ui.Session{Actor: who, Association: assoc, Context: ctx}, opts...)
	defer m.Close()
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	// esc answers at once (see ui.Input). A stdin that is not a terminal is left to Bubble
	// Tea, which then reads the process's terminal itself.
	if in := cmd.InOrStdin(); in != os.Stdin || term.IsTerminal(os.Stdin.Fd()) {
		popts = append(popts, tea.WithInput(ui.Input(in)))
	}
	if out := cmd.OutOrStdout(); out != os.Stdout {
		popts = append(popts, tea.WithOutput(out))
	}
	_, err := tea.NewProgram(m, popts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // stopped by a signal: the exit status says which
	}
	return err
}

// needTerminal refuses to start the console where it has no terminal to read keys from: it
// reads them from stdin, or from the process's terminal when stdin is not one (a caller that
// gives its own input, a test, needs none). Commands call it before they write anything.
func needTerminal(cmd *cobra.Command) error {
	if cmd.InOrStdin() != os.Stdin || runtime.GOOS == "windows" || term.IsTerminal(os.Stdin.Fd()) {
		return nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return fmt.Errorf("the console needs a terminal, and this process has none (%w): run it from one, or over ssh with ponte serve", err)
	}
	return tty.Close()
}
