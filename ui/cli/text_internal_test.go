package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every text the commands print goes through printf or sprintf, which escape what a terminal
// would obey (store.Printable): a command that wrote with fmt.Fprintf would print an
// administrator's or SGA's text raw. reference.go writes the command reference from the
// command tree's own help, and text.go is printf itself.
func TestCommandsPrintThroughPrintf(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "text.go" || f == "reference.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "fmt.Fprintf(") {
				t.Errorf("%s:%d: fmt.Fprintf prints its arguments raw; use printf", f, i+1)
			}
		}
	}
}
