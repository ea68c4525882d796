package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"ponte/store/safefile"
)

// ErrNoDatabase: a command that only reads found no ponte database to read.
var ErrNoDatabase = errors.New("no ponte database")

// ErrNotPonte: the file is something else (another application's bbolt file, a text file...).
var ErrNotPonte = errors.New("not a ponte database")

// ErrDamaged: the file is ponte's kind of file but cannot be read safely (truncated, corrupt).
var ErrDamaged = errors.New("database damaged")

// fileState is what inspect found at a database path before bbolt touches it.
type fileState int

const (
	fileMissing fileState = iota // nothing there
	fileEmpty                    // a zero-length regular file
	fileBolt                     // a bbolt file whose header is sound and whose size covers it
)

// inspect looks at the file at path without opening it as a database: bbolt maps the file and
// trusts its header, so a truncated file crashes the process on the first read past its end,
// and anything that is not a bbolt file would be initialised over. Refused here, before any
// lock is taken or byte written: files that are not regular, files others can read, files that
// are not bbolt's, and files shorter than their own header says.
func inspect(path string) (fileState, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		// A link that points nowhere is a path someone set up and got wrong (a moved disk, a
		// typo): creating the database at its target would put it where nobody looks.
		if target, lerr := os.Readlink(path); lerr == nil {
			return 0, fmt.Errorf("database %s is a symbolic link to %s, which does not exist: "+
				"fix the link, or name the database's real path: %w", path, target, ErrInvalid)
		}
		return fileMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	if err := safefile.CheckPrivate(path); err != nil {
		return 0, fmt.Errorf("database %w", err)
	}
	if fi.Size() == 0 {
		return fileEmpty, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	defer f.Close()
	m, err := readMeta(f)
	if err != nil {
		head := make([]byte, 512)
		n, _ := f.ReadAt(head, 0)
		return 0, fmt.Errorf("%s is %s: %w", path, sniff(head[:n]), ErrNotPonte)
	}
	if need := int64(m.pgid) * int64(m.pageSize); fi.Size() < need {
		return 0, fmt.Errorf("%s is %d bytes but its header says it holds %d: the file was cut short "+
			"(a copy that did not finish, a full disk); restore it from a backup: %w", path, fi.Size(), need, ErrDamaged)
	}
	return fileBolt, nil
}

// boltMeta is the part of a bbolt meta page inspect needs; the layout is bbolt's file format,
// version 2, in the machine's byte order.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // the high-water mark: pages the file must hold
	txid     uint64
}

const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 56 + 8 // the fields, then the checksum of those 56 bytes
	noFreelist     = ^uint64(0)
)

// readMeta reads both meta pages and returns the one bbolt would use: the valid one with the
// higher transaction id. A page size is taken from the first meta page, or tried from the
// sizes bbolt uses when the first page is damaged.
func readMeta(r io.ReaderAt) (boltMeta, error) {
	first, err0 := metaAt(r, 0)
	sizes := []uint32{uint32(os.Getpagesize()), 4096, 8192, 16384, 32768, 65536}
	if err0 == nil {
		sizes = []uint32{first.pageSize}
	}
	best, found := first, err0 == nil
	for _, size := range slices.Compact(sizes) {
		second, err := metaAt(r, int64(size))
		if err != nil || second.pageSize != size {
			continue
		}
		if !found || second.txid > best.txid {
			best, found = second, true
		}
		break
	}
	if !found {
		return boltMeta{}, errors.New("no valid bbolt header")
	}
	return best, nil
}

func metaAt(r io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		return boltMeta{}, err
	}
	b := buf[pageHeaderSize:]
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[:56])
	m := boltMeta{pageSize: ne.Uint32(b[8:]), root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]),
		pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	switch {
	case ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion:
		return boltMeta{}, errors.New("not a bbolt meta page")
	case ne.Uint64(b[56:]) != h.Sum64():
		return boltMeta{}, errors.New("meta page checksum mismatch")
	case m.pageSize < 512 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0:
		return boltMeta{}, errors.New("implausible page size")
	case m.pgid < 2 || m.root >= m.pgid || (m.freelist != noFreelist && m.freelist >= m.pgid):
		return boltMeta{}, errors.New("meta page points past its own end")
	}
	return m, nil
}

// sniff names what a file that is not a bbolt database looks like, for the message that
// refuses it.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return "an SQLite database"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "a gzip file"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a zip file"
	case bytes.HasPrefix(head, []byte("-----BEGIN")):
		return "a PEM key or certificate"
	case len(head) == keySize*2+1 && isHex(bytes.TrimSpace(head)):
		return "a key file"
	case isText(head):
		return "a text file"
	}
	return "neither a bbolt file nor one whose header can be read"
}

func isHex(b []byte) bool {
	return len(b) > 0 && len(bytes.Trim(b, "0123456789abcdefABCDEF")) == 0
}

func isText(b []byte) bool {
	return len(b) > 0 && !bytes.ContainsFunc(b, func(r rune) bool {
		return r == unicode.ReplacementChar || (r < ' ' && r != '\n' && r != '\r' && r != '\t')
	})
}

// schemaOf reads what the database holds: its schema version, or that it holds no bucket at
// all (a new database), or that its buckets are another application's. A damaged file that
// makes bbolt fault or panic is reported, not allowed to crash the process.
func schemaOf(db *bolt.DB, path string) (version int, empty bool, err error) {
	err = guarded(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			var names []string
			if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, printable(name))
				return nil
			}); err != nil {
				return err
			}
			if len(names) == 0 {
				empty = true
				return nil
			}
			meta := tx.Bucket(bMeta)
			var v []byte
			if meta != nil {
				v = meta.Get(keySchema)
			}
			if len(v) != 8 {
				if len(names) > 6 {
					names = append(names[:6], "...")
				}
				return fmt.Errorf("%s is another application's bbolt database (its buckets: %s): %w",
					path, strings.Join(names, ", "), ErrNotPonte)
			}
			version = int(binary.BigEndian.Uint64(v))
			return nil
		})
	})
	return version, empty, err
}

// guarded runs fn, turning a fault or panic inside bbolt (a page that points nowhere in a
// damaged file) into an error instead of the end of the process.
func guarded(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damagedError(path, r)
		}
	}()
	return fn()
}

// printable shows a bucket name safely in a message.
func printable(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) && r != unicode.ReplacementChar {
			return r
		}
		return '?'
	}, string(b))
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "..."
	}
	return s
}

// createDir makes the database's directory, 0700, when it does not exist; an existing one is
// left as it is.
func createDir(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the database directory: %w", err)
	}
	return nil
}
