package ui

import (
	"io"
	"os"
)

// The Esc key sends one byte, ESC, which also starts every escape sequence (an arrow is
// ESC [ A). Bubble Tea's input reader, given a lone ESC, waits 50 ms for the rest of a
// sequence before it takes it for the key, so esc took 50 to 100 ms longer to answer than any
// other key. A terminal writes a key's whole sequence at once, and a read returns what was
// written: a read that is ESC alone is the Esc key. Input hands it on as the key's unambiguous
// form (the kitty keyboard protocol's), which the reader decodes at once. Alt+key (ESC then
// the key, written together) and every sequence read whole pass unchanged.
const escKey = "\x1b[27u"

// Input is r for the console's program: a lone ESC read from it is the Esc key at once. A
// terminal file stays a file (its descriptor is what the program puts in raw mode and waits
// on), any other reader (an SSH session) a reader.
func Input(r io.Reader) io.Reader {
	if f, ok := r.(*os.File); ok {
		return escFile{f}
	}
	return escReader{r}
}

type escFile struct{ *os.File }

func (f escFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	return loneEsc(p, n), err
}

type escReader struct{ r io.Reader }

func (e escReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	return loneEsc(p, n), err
}

// loneEsc rewrites the n bytes read into p when they are ESC alone; it returns their new count.
func loneEsc(p []byte, n int) int {
	if n != 1 || p[0] != 0x1b || len(p) < len(escKey) {
		return n
	}
	return copy(p, escKey)
}
