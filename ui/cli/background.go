package cli

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
)

// backgroundWait is the longest a command waits for the terminal to say its background colour
// before it prints help or an error: a terminal that answers does so within a few
// milliseconds, and one that never answers (script(1) with nothing behind it, a CI runner's
// pseudo-terminal) must not hold the command.
const backgroundWait = 100 * time.Millisecond

// background is what the command line knows of the terminal's background, asked at most once.
type background struct {
	once sync.Once
	dark bool
}

// colorScheme is fang's colour scheme for the terminal's background, asked with the fence of
// backgroundWait on the first help or error that needs it.
func (a *app) colorScheme(lipgloss.LightDarkFunc) fang.ColorScheme {
	a.bg.once.Do(func() { a.bg.dark = askDark(a.env, backgroundWait) })
	return fang.DefaultColorScheme(lipgloss.LightDark(a.bg.dark))
}

// askDark asks the terminal on the command's streams whether its background is dark: the
// colour, then the device attributes, which every terminal answers, and it stops at whichever
// answer ends it or at wait. Where the answer cannot matter (no terminal, NO_COLOR, TERM=dumb) it
// asks nothing; a terminal that does not answer is taken as dark, as lipgloss does.
func askDark(env Env, wait time.Duration) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return true
	}
	var f *os.File
	for _, s := range []any{env.Stdin, env.Stdout} {
		if x, ok := s.(*os.File); ok && term.IsTerminal(x.Fd()) {
			f = x
			break
		}
	}
	if f == nil || !isTerminal(env.Stdout) && !isTerminal(env.Stderr) {
		return true
	}
	state, err := term.MakeRaw(f.Fd())
	if err != nil {
		return true
	}
	defer term.Restore(f.Fd(), state) //nolint:errcheck
	rd, err := uv.NewCancelReader(f)
	if err != nil {
		return true
	}
	defer rd.Close()
	fence := time.AfterFunc(wait, func() { rd.Cancel() })
	defer fence.Stop()
	if _, err := f.WriteString(ansi.RequestBackgroundColor + ansi.RequestPrimaryDeviceAttributes); err != nil {
		return true
	}
	dark := true
	pa := ansi.GetParser()
	defer ansi.PutParser(pa)
	var acc []byte
	var buf [256]byte
	var st byte
	for {
		n, err := rd.Read(buf[:])
		if err != nil {
			return dark // the fence, or the terminal went away
		}
		for p := buf[:n]; len(p) > 0; {
			seq, _, read, next := ansi.DecodeSequence(p, st, pa)
			acc = append(acc, seq...)
			if next == ansi.NormalState {
				switch {
				case ansi.HasOscPrefix(string(acc)) && pa.Command() == 11:
					if _, c, ok := strings.Cut(string(pa.Data()), ";"); ok {
						if col := ansi.XParseColor(c); col != nil {
							dark = uv.BackgroundColorEvent{Color: col}.IsDark()
						}
					}
				case ansi.HasCsiPrefix(string(acc)) && pa.Command() == ansi.Command('?', 0, 'c'):
					return dark // the device attributes: the terminal has said all it will
				}
				acc = acc[:0]
			}
			st, p = next, p[read:]
		}
	}
}

// keepFangFromAsking keeps fang from asking the terminal itself: before every help and error it
// asks os.Stdin's and os.Stdout's terminal for its background colour and waits for each up to
// lipgloss's fixed two seconds, four in all on a terminal that does not answer. It does not ask
// when os.Stdin is not a terminal, so os.Stdin is /dev/null until the returned func restores it;
// the command reads the stdin Execute was given, and colorScheme asks, fenced.
func keepFangFromAsking() (restore func()) {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return func() {}
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return func() {}
	}
	saved := os.Stdin
	os.Stdin = null
	return func() {
		os.Stdin = saved
		null.Close()
	}
}

// helpWidth is the width help takes on a terminal that reports none.
const helpWidth = 80

// sizeFangHelp gives fang a width when os.Stdout's terminal reports 0 columns (a
// pseudo-terminal nobody sized, as script(1) opens with no terminal behind it): fang takes the
// width as it is, once per process, and draws the usage and examples in boxes 0 wide, empty.
// Its one setting for the width is its __FANG_TEST_WIDTH, which this sets to helpWidth.
func sizeFangHelp() {
	if os.Getenv("__FANG_TEST_WIDTH") != "" {
		return
	}
	if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil && w <= 0 {
		os.Setenv("__FANG_TEST_WIDTH", strconv.Itoa(helpWidth))
	}
}
