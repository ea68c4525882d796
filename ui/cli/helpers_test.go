package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"ponte/ui/cli"
	"ponte/ui/uitest"
)

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		// The test binary run as ponte itself, on the streams and terminal a test gave it.
		os.Exit(cli.Execute(context.Background(), strings.Fields(args), cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	// Help is as wide as a terminal would make it; tests have none.
	os.Setenv("__FANG_TEST_WIDTH", "100")
	os.Exit(m.Run())
}

// childArgs, set in the environment of this test binary, makes it run that command line as
// ponte does, in a process of its own (fang reads os.Stdout's size once per process).
const childArgs = "PONTE_TEST_CHILD_ARGS"

// run runs one command line with empty stdin and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Execute(ctx, args, cli.Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr})
}

// run2 runs a command line on the database db and returns its status, stdout and stderr.
func run2(db string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"--db", db}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// ponteIn runs a command line with stdin and returns its status, stdout and stderr.
func ponteIn(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

// within fails the test if ch does not deliver within d; it returns what it delivered.
func within[T any](t *testing.T, d time.Duration, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("%s: nothing after %s", what, d)
	}
	panic("unreachable")
}

// fixtureDB is uitest's database (three clients, five vehicles, a contract, a run), closed so
// that commands can open it.
func fixtureDB(t *testing.T) string {
	t.Helper()
	f := uitest.New(t)
	f.Engine.Close()
	if err := f.Store.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Store.Path()
}

// waitFile waits until the file holds text; it fails the test after 20 s with what it holds.
func waitFile(t *testing.T, path, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q; it holds:\n%s", path, text, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// install takes order through a visit tomorrow, its start and its finish on the command line
// ponte runs, as a technician's work would: an Instalação done puts the tracker in.
func install(t *testing.T, ponte func(args ...string) (int, string, string), order string) {
	t.Helper()
	visit := time.Now().AddDate(0, 0, 1).Format("02/01/2006") + " 14:00"
	for _, args := range [][]string{
		{"order", "schedule", order, "--at", visit, "--technician", "Carlos"},
		{"order", "start", order},
		{"order", "finish", order},
	} {
		if code, _, errOut := ponte(args...); code != cli.ExitOK {
			t.Fatalf("ponte %s: %d %q", strings.Join(args, " "), code, errOut)
		}
	}
}
