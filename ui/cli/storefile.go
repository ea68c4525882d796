package cli

import (
	"errors"

	"ponte/store"
)

// fileOf is the file s is kept in, for what needs one: a backup, and serve's host key and
// address note beside the database. Every store ponte opens today (bbolt) is one.
func fileOf(s store.Backend) (store.File, error) {
	f, ok := s.(store.File)
	if !ok {
		return nil, errors.New("the store is not kept in one file")
	}
	return f, nil
}
