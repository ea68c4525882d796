package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"ponte/store/safefile"
)

// Secrets (senha, chave API, sync token) are sealed with AES-256-GCM before they reach the
// file. The key lives beside the database in PATH.key (0600, made on first use), or comes from
// PONTE_SECRET_KEY; a copy of the database without its key reveals no secret.

const keySize = 32

// KeyPath returns where the key file of the database at dbPath lives.
func KeyPath(dbPath string) string { return dbPath + ".key" }

// errNoKey: there is no key, and the caller asked not to make one.
var errNoKey = errors.New("no key")

// ErrMissingKey: the database holds sealed secrets but its key is not here.
var ErrMissingKey = errors.New("the database holds encrypted secrets but its key is missing")

func loadKey(dbPath string, given []byte, create bool) ([]byte, error) {
	if given != nil {
		if len(given) != keySize {
			return nil, fmt.Errorf("secret key must be %d bytes, not %d", keySize, len(given))
		}
		return given, nil
	}
	if env := strings.TrimSpace(os.Getenv("PONTE_SECRET_KEY")); env != "" {
		key, err := decodeKey(env)
		if err != nil {
			return nil, fmt.Errorf("PONTE_SECRET_KEY: %w", err)
		}
		return key, nil
	}
	path := KeyPath(dbPath)
	data, err := safefile.ReadPrivate(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, errNoKey
		}
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("key file %w", err)
	}
	key, err := decodeKey(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// createKey makes a new key file atomically (see safefile.Write): a crash never leaves a
// half-written key, and two processes racing to create it end up with the same one.
func createKey(path string) ([]byte, error) {
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	err := safefile.Create(path, []byte(hex.EncodeToString(key)+"\n"))
	if errors.Is(err, safefile.ErrExists) {
		return loadKey(strings.TrimSuffix(path, ".key"), nil, false) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	return key, nil
}

// decodeKey reads 32 bytes written as hex or base64.
func decodeKey(s string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == keySize {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == keySize {
		return k, nil
	}
	return nil, fmt.Errorf("want %d bytes as hex or base64", keySize)
}

type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead}, nil
}

// seal encrypts plain; the field name is bound as associated data, so that a ciphertext moved
// to another field does not open.
func (s *sealer) seal(field, plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, []byte(plain), []byte(field))
}

// ErrWrongKey: a secret does not open with this key (the key file is not this database's).
var ErrWrongKey = errors.New("stored secrets do not open with this key; is the key file the one made with this database?")

func (s *sealer) open(field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", ErrWrongKey
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(field))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// Mask shows a stored secret of the integration field (FieldPassword, FieldAPIKey,
// FieldSyncToken) as dots, the one rule the command line and the console both print: a password
// shows nothing of itself; a key or token long enough that they reveal little shows its last
// four characters, so that an operator can tell which one is stored ("••••••••3f9a").
func Mask(field, secret string) string {
	n := utf8.RuneCountInString(secret)
	switch {
	case n == 0:
		return ""
	case n < 12 || field == FieldPassword:
		return "••••••••"
	default:
		r := []rune(secret)
		return "••••••••" + string(r[n-4:])
	}
}
