package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// damagedError is what a fault or panic while reading the file at path says: the file is
// damaged, and what to do.
func damagedError(path string, r any) error {
	return fmt.Errorf("%s cannot be read (%v): the file is damaged; restore it from a backup: %w", path, r, ErrDamaged)
}

// recoverScope ends a transaction's function: a scoped bucket asked for without an
// association is that error; a fault in the mapped file (see view) or a panic of bbolt's is the
// damaged database it tripped on: the error says so, and the store takes no more writes, which
// would build on what it misread. Any other panic is an error of that call only.
func (s *Store) recoverScope(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if name, ok := r.(noScope); ok {
		*err = fmt.Errorf("%s needs an association: %w", string(name), ErrNoAssociation)
		return
	}
	if !damageFault(r) {
		*err = fmt.Errorf("database %s: the operation failed unexpectedly (%v); nothing of it was kept", s.path, r)
		return
	}
	found := damagedError(s.path, r)
	s.damaged.CompareAndSwap(nil, &found)
	*err = found
}

// damageFault tells, in a deferred function that recovered r, whether the panic is what a
// damaged file causes: a fault reading the mapped file, or a panic raised inside bbolt (its
// assertions, or a slice it cut to a length it read from a page).
func damageFault(r any) bool {
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		return true
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// recordDamage says, of an error a transaction ended with, that a record it read could not be
// decoded: that is a damaged file too (this build writes every record it reads, and a newer
// schema is refused at open), and what to do is the same.
func recordDamage(path string, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var clock *time.ParseError
	if err == nil || errors.Is(err, ErrDamaged) ||
		!(errors.Is(err, errRecord) || errors.As(err, &syntax) || errors.As(err, &typ) || errors.As(err, &clock)) {
		return err
	}
	return fmt.Errorf("%w: a record of %s is damaged; restore the database from a backup: %w", err, path, ErrDamaged)
}
