package cli

import "fmt"

// plural says n things in English, in their number: plural(1, "client", "clients") is
// "1 client", plural(2, ...) "2 clients". Every count the command line prints goes through it.
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
