package ui

import (
	"testing"

	"ponte/sga"
)

// TestFailureTexts holds the console's words for SGA failures to the one table of their kinds:
// every code a run may record for one (sga.Kinds) has its Portuguese, and the console keeps no
// text for a code the table does not have.
func TestFailureTexts(t *testing.T) {
	codes := sga.CodeKinds()
	for c, kind := range codes {
		t.Run(kind+"/"+c, func(t *testing.T) {
			if failureTexts[c] == "" {
				t.Errorf("no Portuguese for code %q of kind %s: add it to failureTexts (ui/strings.go)", c, kind)
			}
		})
	}
	for c := range failureTexts {
		if _, ok := codes[c]; !ok {
			t.Errorf("failureTexts has %q, which no kind of sga.Kinds records", c)
		}
	}
}
