package cli_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"ponte/store"
	"ponte/ui/cli"
)

// association show prints when the association was last read in full and the newest feed
// change applied, "never" and "none" before there are any; --json carries both.
func TestAssociationShowPrintsFreshness(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ponte.db")
	if code, _, errOut := run2(db, "association", "add", "nova"); code != cli.ExitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := run2(db, "association", "show", "nova")
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^last full read: +never$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^newest change applied: +none$`).MatchString(out) {
		t.Fatalf("association show, never synced: %d %q\n%s", code, errOut, out)
	}

	ended := time.Date(2026, 5, 4, 3, 20, 0, 0, time.Local)
	change := ended.Add(90 * time.Minute)
	st, err := store.Open(db, store.Options{Now: func() time.Time { return ended }})
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.In("nova")
	if err != nil {
		t.Fatal(err)
	}
	by := store.Actor{Who: "maria", From: "test"}
	r, err := in.StartRun(store.Run{Kind: store.RunFull, Source: store.SourceSync}, by)
	if err == nil {
		_, err = in.FinishRun(r.ID, store.StatusSucceeded, "", "", by)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{}
	b.Applied(change)
	if _, err := in.Apply(b); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut = run2(db, "association", "show", "nova")
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^last full read: +2026-05-04 03:20$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^newest change applied: +2026-05-04 04:50$`).MatchString(out) {
		t.Fatalf("association show: %d %q\n%s", code, errOut, out)
	}
	code, out, _ = run2(db, "association", "show", "nova", "--json")
	var v struct {
		LastFullRead time.Time `json:"last_full_read"`
		NewestChange time.Time `json:"newest_change_applied"`
	}
	if err := json.Unmarshal([]byte(out), &v); code != cli.ExitOK || err != nil || !v.LastFullRead.Equal(ended) || !v.NewestChange.Equal(change) {
		t.Fatalf("association show --json: %d %v %q", code, err, out)
	}
}
