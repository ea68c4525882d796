package ui

import (
	"testing"

	"ponte/sga"
)

// TestFailureTexts holds the console's words for SGA failures to the one table of their kinds:
// every code a run may record for one (sga.Kinds) has its Portuguese, and the console keeps no
// text for a code the table does not have.
func TestFailureTexts(t *testing.T) {
	codes := map[string]bool{}
	for _, k := range sga.Kinds {
		for _, c := range append(k.RunCodes(), k.PageCode()) {
			if c == "" {
				continue
			}
			codes[c] = true
			t.Run(k.ID+"/"+c, func(t *testing.T) {
				if failureTexts[c] == "" {
					t.Errorf("no Portuguese for code %q of kind %s: add it to failureTexts (ui/strings.go)", c, k.ID)
				}
			})
		}
	}
	for c := range failureTexts {
		if !codes[c] {
			t.Errorf("failureTexts has %q, which no kind of sga.Kinds records", c)
		}
	}
}
