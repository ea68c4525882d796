package cli

import (
	"bytes"
	"errors"
	"testing"
)

// printf escapes every string-like argument, whatever its type, and leaves %q to Go's quoting.
func TestPrintfEscapesEveryText(t *testing.T) {
	type label string
	var b bytes.Buffer
	printf(&b, "%s|%v|%q|%-6s|%s|%d\n", "a\x1b[2J", errors.New("e\u202e"), "q\x07", label("l\u009b"), "ok", 7)
	if got, want := b.String(), `"a\x1b[2J"|"e\u202e"|"q\a"|"l\u009b"|ok|7`+"\n"; got != want {
		t.Fatalf("printf wrote %q, want %q", got, want)
	}
}
