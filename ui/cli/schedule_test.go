package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"ponte/ui/cli"
)

// association rules sets the schedule (--every, --hours, --full-day daily or a weekday), and
// rules and show say it in one line with what it means for freshness; mistakes exit 2 and
// change nothing.
func TestAssociationRulesSetsTheSchedule(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	ponte := func(args ...string) (int, string, string) { return run2(db, args...) }
	if code, _, errOut := ponte("config", "set", "--product-code", "7"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, _ := ponte("association", "show", "principal")
	if code != cli.ExitOK || !strings.Contains(out, "off (when on: full read daily at 03:00; changes every 60 min 07:00-20:00: feed changes within 60 min in those hours, everything else within a day)") ||
		!strings.Contains(out, "skipped runs:") {
		t.Fatalf("association show, the default schedule: %d\n%s", code, out)
	}
	for _, bad := range [][]string{
		{"--every", "2m"}, {"--every", "90s"}, {"--every", "soon"}, {"--every", "13h"},
		{"--hours", "20:00-07:00"}, {"--hours", "7h"}, {"--hours", "07:00-25:00"}, {"--full-day", "feriado"},
	} {
		if code, _, errOut := ponte(append([]string{"association", "rules", "principal"}, bad...)...); code != cli.ExitUsage || errOut == "" {
			t.Errorf("rules %v: exit %d %q, want 2 and why", bad, code, errOut)
		}
	}
	if code, _, errOut := ponte("association", "rules", "principal", "--every", "30m", "--hours", "08:00-18:30", "--full-day", "sábado"); code != cli.ExitOK {
		t.Fatalf("set the schedule: %d %q", code, errOut)
	}
	code, out, _ = ponte("association", "rules", "principal")
	if code != cli.ExitOK || !strings.Contains(out, "schedule: off (when on: full read on Saturdays at 03:00 (the change feed at 03:00 the other days); changes every 30 min 08:00-18:30: feed changes within 30 min in those hours, everything else within a week)") {
		t.Fatalf("rules after setting a weekly full read: %d\n%s", code, out)
	}
	if code, _, errOut := ponte("association", "rules", "principal", "--full-day", "daily", "--every", "off"); code != cli.ExitOK {
		t.Fatalf("set a daily full read, no interval: %d %q", code, errOut)
	}
	var rules struct {
		FullDay  string `json:"full_day"`
		Schedule struct {
			Full, Hours, Line string
			Every             int `json:"every_minutes"`
		}
	}
	code, out, _ = ponte("association", "rules", "principal", "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &rules) != nil || rules.FullDay != "daily" || rules.Schedule.Full != "daily" ||
		rules.Schedule.Every != 0 || rules.Schedule.Hours != "08:00-18:30" || !strings.HasSuffix(rules.Schedule.Line, "nothing in between: everything within a day)") {
		t.Fatalf("rules --json: %d %s", code, out)
	}
	if code, out, _ := ponte("export", "audit"); code != cli.ExitOK || !strings.Contains(out, "in full on Saturday, incremental every 30 min 08:00-18:30") {
		t.Fatalf("audit: %q", out)
	}
}
