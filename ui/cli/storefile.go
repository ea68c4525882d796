package cli

import (
	"errors"

	"ponte/store"
)

// openFile is openStore for the commands that need the file the whole database is kept in (a
// backup, and serve's host key and address note beside the database): the store, and the
// same store as its file. Every store ponte opens today (bbolt) is kept in one.
func (a *app) openFile(acc access) (s store.Backend, f store.File, done func(*error), err error) {
	s, done, err = a.openStore(acc, wholeDatabase)
	if err != nil {
		return nil, nil, nil, err
	}
	f, ok := s.(store.File)
	if !ok {
		err = errors.New("the store is not kept in one file")
		done(&err)
		return nil, nil, nil, err
	}
	return s, f, done, nil
}
