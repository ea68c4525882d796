package sga_test

import (
	"errors"
	"fmt"
	"testing"

	"ponte/sga"
)

// TestKindsTable holds the table every other part reads the SGA failure kinds from: each kind
// once, named, and with what its role needs (a kind that stops a sync has a reason and a
// code; one a retry may mend, the code its page error records).
func TestKindsTable(t *testing.T) {
	ids, codes := map[string]bool{}, map[string]bool{}
	for _, k := range sga.Kinds {
		t.Run(k.ID, func(t *testing.T) {
			switch {
			case k.ID == "" || (k.Err == nil) != k.NoReply:
				t.Fatalf("%+v: a kind needs its ID and its sentinel (the no-reply row alone has none)", k)
			case ids[k.ID]:
				t.Fatalf("ID %q twice", k.ID)
			case k.Stops && (k.Reason == "" || k.Code == ""):
				t.Errorf("%s stops a sync without a reason and a code", k.ID)
			case k.Retry && k.Code == "":
				t.Errorf("%s fails a page without a code for its run error", k.ID)
			case k.Stops && k.Retry:
				t.Errorf("%s both stops a sync and is retried", k.ID)
			case k.NoReply && (k.Reason == "" || k.Code == "" || k.Stops || k.Retry):
				t.Errorf("%s: the no-reply row has a reason and a code, and is no sentinel's", k.ID)
			}
			ids[k.ID] = true
			for _, c := range k.Codes() {
				if codes[c] {
					t.Errorf("code %q twice", c)
				}
				codes[c] = true
			}
			if k.NoReply {
				if sga.Unreached().ID != k.ID {
					t.Errorf("Unreached = %q", sga.Unreached().ID)
				}
				return
			}
			e := &sga.Error{Kind: k.Err, Route: "r"}
			wrapped := fmt.Errorf("page 3: %w", e)
			if got := sga.Outcome(wrapped); got != k.ID {
				t.Errorf("Outcome = %q, want %q", got, k.ID)
			}
			if e.Retryable() != k.Retry {
				t.Errorf("Retryable = %v, want %v", e.Retryable(), k.Retry)
			}
			if got, ok := sga.KindOf(wrapped); !ok || got.ID != k.ID {
				t.Errorf("KindOf = %q, %v", got.ID, ok)
			}
		})
	}
	if _, ok := sga.KindOf(errors.New("other")); ok {
		t.Error("KindOf found a kind in an error of no kind")
	}
}
