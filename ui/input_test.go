package ui

import (
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// keyRecorder is a program's model that hands each key it gets to keys.
type keyRecorder struct{ keys chan<- string }

func (k keyRecorder) Init() tea.Cmd { return nil }

func (k keyRecorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if key, ok := msg.(tea.KeyPressMsg); ok {
		k.keys <- key.String()
	}
	return k, nil
}

func (k keyRecorder) View() tea.View { return tea.NewView("") }

// typist runs a program reading what it writes through input, and returns the writer and
// the keys the program gets. Each write is one read of the program's, as a terminal's key is.
func typist(tb testing.TB, input func(io.Reader) io.Reader) (io.Writer, <-chan string) {
	tb.Helper()
	r, w := io.Pipe()
	keys := make(chan string, 16)
	p := tea.NewProgram(keyRecorder{keys}, tea.WithInput(input(r)), tea.WithOutput(io.Discard),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}), tea.WithWindowSize(80, 24), tea.WithoutSignalHandler())
	done := make(chan struct{})
	go func() { defer close(done); _, _ = p.Run() }()
	tb.Cleanup(func() { p.Quit(); w.Close(); <-done })
	return w, keys
}

// nextKey is the next key the program got; it fails when none comes.
func nextKey(tb testing.TB, keys <-chan string) string {
	tb.Helper()
	select {
	case k := <-keys:
		return k
	case <-time.After(10 * time.Second):
		tb.Fatal("waited 10 s for a key")
		return ""
	}
}

// Esc, then j a moment later: two keys, not alt+j (what the reader made of an ESC it still
// held when the j came). ESC and j in one read are alt+j, an arrow is an arrow.
func TestEscIsAKeyAtOnce(t *testing.T) {
	w, keys := typist(t, Input)
	for _, step := range []struct {
		reads []string
		want  []string
	}{
		{[]string{"\x1b", "j"}, []string{"esc", "j"}},
		{[]string{"\x1bj"}, []string{"alt+j"}},
		{[]string{"\x1b[B"}, []string{"down"}},
		{[]string{"\x1b"}, []string{"esc"}},
	} {
		for _, in := range step.reads {
			if _, err := w.Write([]byte(in)); err != nil { // returns once the program read it
				t.Fatal(err)
			}
		}
		for _, want := range step.want {
			if got := nextKey(t, keys); got != want {
				t.Fatalf("wrote %q: got the key %q, want %q", step.reads, got, want)
			}
		}
	}
}

// BenchmarkEscKey: from esc written on the terminal to the key in the program's Update, read
// as Bubble Tea reads a terminal and as the console does (Input).
func BenchmarkEscKey(b *testing.B) {
	for _, c := range []struct {
		name  string
		input func(io.Reader) io.Reader
	}{{"bubbletea", func(r io.Reader) io.Reader { return r }}, {"console", Input}} {
		b.Run(c.name, func(b *testing.B) {
			w, keys := typist(b, c.input)
			for b.Loop() {
				if _, err := w.Write([]byte{0x1b}); err != nil {
					b.Fatal(err)
				}
				if k := nextKey(b, keys); k != "esc" {
					b.Fatalf("got %q", k)
				}
			}
		})
	}
}
