package ssh

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"ponte/ui/uitest"
	"strings"
	"testing"
)

// The "ssh command" line names the command the line runs, not its first word (a global
// flag, often), and the line's arguments cut and with their control characters escaped: the
// client chose them.
func TestCommandLogNamesTheCommand(t *testing.T) {
	var log uitest.Buffer
	handler := func(_ context.Context, c Command) Result { return Result{Status: 0, Command: "export"} }
	e := startServer(t, fixture(t), filepath.Join(t.TempDir(), "hk"), Options{Commands: handler,
		Logger: slog.New(slog.NewJSONHandler(&log, nil)),
		CommandName: func(args []string) string {
			if len(args) > 2 && args[0] == "-a" {
				return args[2]
			}
			return ""
		}})
	long := strings.Repeat("x", 30<<10)
	_, sess := e.session()
	if err := sess.Run("-a norte export clients '\x1b]0;dono\x07\x1b[2J' " + long); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "ssh command" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no \"ssh command\" line:\n%s", log.String())
	}
	args, _ := line["args"].(string)
	switch {
	case line["command"] != "export":
		t.Errorf("the line names %q, want export: %v", line["command"], line)
	case !strings.HasPrefix(args, "-a norte export clients"):
		t.Errorf("args: %q", args)
	case strings.ContainsAny(args, "\x1b\x07"):
		t.Errorf("control characters reached the log: %q", args)
	case len(args) > maxLoggedArgs+len("…"):
		t.Errorf("args of %d bytes logged, want at most %d", len(args), maxLoggedArgs)
	}
}
