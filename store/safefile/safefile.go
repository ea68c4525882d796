// Package safefile writes and checks the files that hold ponte's secrets (the database, its key,
// a backup, the SSH host key) so that no mistake or planted link can make them readable by
// others or land them on top of another file: a new file is filled under a random name made
// with O_EXCL in the target's own directory, synced, and only then put in place; and a private
// file that others can read is refused with the command that fixes it, never silently changed.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists: the target already exists and the caller did not ask to replace it.
var ErrExists = errors.New("already exists")

// ErrNotRegular: the target is a link, a directory, a device or anything but a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrNotPrivate: a private file can be read or written by others than its owner.
var ErrNotPrivate = errors.New("readable by others")

// Options tune Write.
type Options struct {
	// Replace lets Write put the new file over an existing regular file (never over a link,
	// a directory or a device).
	Replace bool
}

// Write creates path, mode 0600, with what fill writes: under a temporary name first (made
// with O_EXCL, so a planted file or link there is never followed), synced, then linked into
// place, or renamed over the old file when o.Replace allows it; the directory is synced last.
// On any failure path is untouched and the temporary file gone.
func Write(path string, o Options, fill func(io.Writer) error) error {
	exists, err := checkTarget(path, o.Replace)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a temporary file beside %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // gone once linked or renamed; removed on failure
	werr := tmp.Chmod(0o600)
	if werr == nil {
		werr = fill(tmp)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write %s: %w", path, werr)
	}
	if exists {
		// Checked again: what stands at path must still be a regular file.
		if _, err := checkTarget(path, true); err != nil {
			return err
		}
		err = os.Rename(name, path)
	} else {
		// A link fails if something appeared at path meanwhile: nothing is ever overwritten.
		err = os.Link(name, path)
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%s: %w", path, ErrExists)
		}
	}
	if err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Create writes data to a new file at path (see Write); an existing one is ErrExists.
func Create(path string, data []byte) error {
	return Write(path, Options{}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// checkTarget says whether path exists, and refuses what must not be written over.
func checkTarget(path string, replace bool) (bool, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !fi.Mode().IsRegular():
		return true, fmt.Errorf("%s is %s: %w", path, describe(fi.Mode()), ErrNotRegular)
	case !replace:
		return true, fmt.Errorf("%s: %w", path, ErrExists)
	}
	return true, nil
}

func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// SyncDir flushes a directory's entries, so that a file just put there survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// CheckPrivate refuses a file that is not a regular file, or that its group or others may
// read or write, with the command that fixes it. A missing file is reported as fs.ErrNotExist.
func CheckPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is %s: %w", path, describe(fi.Mode()), ErrNotRegular)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, %w; run: chmod 600 %s", path, perm, ErrNotPrivate, path)
	}
	return nil
}

// ReadPrivate reads a private file, refused as CheckPrivate refuses it; a missing file is
// reported as fs.ErrNotExist.
func ReadPrivate(path string) ([]byte, error) {
	if err := CheckPrivate(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// Same reports whether a and b name the same existing file (through links too).
func Same(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
