package store

import (
	"encoding/json"
	"testing"
)

// Printable leaves ordinary text alone and quotes, escaped, what a terminal would obey.
func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"JOSÉ D'ÁVILA", "JOSÉ D'ÁVILA"},
		{"日本 🚗", "日本 🚗"},
		{"\x1b]0;pwned\a\x1b[2J", `"\x1b]0;pwned\a\x1b[2J"`},
		{"a\u009b31m", `"a\u009b31m"`},
		{"adm\u202enimda", `"adm\u202enimda"`},
		{"linha\nforjada", `"linha\nforjada"`},
		{"sep\u2028", `"sep\u2028"`},
		{"bad\xffbyte", `"bad\xffbyte"`},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := Printable(c.in); got != c.want {
				t.Errorf("Printable(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

// JSONText escapes what encoding/json leaves raw, and the JSON decodes to the same value.
func TestJSONText(t *testing.T) {
	v := map[string]string{"note": "a\u009b31m\u202e\x7f\x1b"}
	b, _ := json.MarshalIndent(v, "", "  ")
	got := JSONText(b)
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["note"] != v["note"] {
		t.Fatalf("JSONText(%s) = %s: %v %q", b, got, err, back)
	}
	for _, r := range string(got) {
		if r != '\n' && Unprintable(r) {
			t.Fatalf("JSONText left %U raw: %s", r, got)
		}
	}
}
