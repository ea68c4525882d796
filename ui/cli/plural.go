package cli

import (
	"cmp"
	"fmt"

	"ponte/store"
)

// plural says n things in English, in their number: plural(1, "client", "clients") is
// "1 client", plural(2, ...) "2 clients". Every count the command line prints goes through it;
// a unit does not (a rate is "1.0 vehicles/s").
func plural(n int, one, many string) string { return store.Count(n, one, many) }

// orNone is s, or "-" for an empty value: every empty field the command line prints for a
// person, in a table's cell or after a label, is the same mark. s is shown by store.Printable,
// as printf shows it.
func orNone(s string) string { return cmp.Or(store.Printable(s), "-") }

// ordinal is n as an English ordinal: "1st", "2nd", "3rd", "4th", "11th", "21st".
func ordinal(n uint64) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// runName names a run as an operator counts them: its ID, which names it in the whole
// database (ponte runs ID), and which of its association's runs it is: "run 5 (vale-minas's
// 1st)".
func runName(r store.Run) string {
	if r.Seq == 0 || r.Association == "" {
		return fmt.Sprintf("run %d", r.ID)
	}
	return sprintf("run %d (%s's %s)", r.ID, r.Association, ordinal(r.Seq))
}
