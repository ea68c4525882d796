package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(path string, o Options, content string) error {
	return Write(path, o, func(w io.Writer) error { _, err := io.WriteString(w, content); return err })
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := write(path, Options{}, "one"); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", fi.Mode().Perm())
	}
	if err := write(path, Options{}, "two"); !errors.Is(err, ErrExists) {
		t.Fatalf("over an existing file: %v", err)
	}
	if err := write(path, Options{Replace: true}, "three"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "three" {
		t.Fatalf("content %q", data)
	}
	// A failed fill leaves the target as it was and no temporary file.
	if err := Write(path, Options{Replace: true}, func(io.Writer) error { return errors.New("disk full") }); err == nil {
		t.Fatal("a failed fill succeeded")
	}
	if data, _ := os.ReadFile(path); string(data) != "three" {
		t.Fatalf("a failed write changed the file: %q", data)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(victim, link)
	if err := write(link, Options{Replace: true}, "x"); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("over a link: %v", err)
	}
	if err := write(dir, Options{Replace: true}, "x"); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("over a directory: %v", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Fatal("written through the link")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestCheckPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	os.WriteFile(path, []byte("k"), 0o600)
	if err := CheckPrivate(path); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o640)
	if err := CheckPrivate(path); !errors.Is(err, ErrNotPrivate) || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Fatalf("0640: %v", err)
	}
	if err := CheckPrivate(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}
