package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"

	gossh "golang.org/x/crypto/ssh"

	"ponte/store/safefile"
)

// What an SSH client may ask of the server before and around its session, bounded: a client
// of any SSH library, not only OpenSSH, can send whatever the protocol allows.
const (
	// MaxColumns and MaxRows bound a terminal's size as a client reports it: the console
	// allocates by the screen's size, and a client may claim 4294967295 rows. A console at
	// 400×150 holds about 10 MB (50 of them 0.5 GB; at 1000×500 each held 111 MB); a wider
	// terminal shows the console at this size.
	MaxColumns = 400
	MaxRows    = 150
)

// MaxEnvBytes bounds one env request (its name and value): a client's LANG or NO_COLOR is a
// few bytes, and each one kept is kept for the whole session.
const MaxEnvBytes = 4096

// clampRequests passes a session channel's requests on, after bounding the terminal sizes in
// pty-req and window-change, refusing agent forwarding (nothing here would use an agent, and
// a forwarded agent is a key a compromised server could sign with), and refusing env requests
// past maxEnv or MaxEnvBytes. It ends when in does.
func clampRequests(in <-chan *gossh.Request, maxEnv int, refused func(what string)) <-chan *gossh.Request {
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		env := 0
		for r := range in {
			switch r.Type {
			case "auth-agent-req@openssh.com":
				_ = r.Reply(false, nil)
				continue
			case "env":
				if env >= maxEnv || len(r.Payload) > MaxEnvBytes {
					_ = r.Reply(false, nil)
					refused("env")
					continue
				}
				env++
			case "pty-req":
				var p struct {
					Term                    string
					Columns, Rows, Wpx, Hpx uint32
					Modes                   string
				}
				if gossh.Unmarshal(r.Payload, &p) == nil {
					p.Columns, p.Rows, p.Wpx, p.Hpx = clampSize(p.Columns, p.Rows, p.Wpx, p.Hpx)
					r.Payload = gossh.Marshal(p)
				}
			case "window-change":
				var w struct{ Columns, Rows, Wpx, Hpx uint32 }
				if gossh.Unmarshal(r.Payload, &w) == nil {
					w.Columns, w.Rows, w.Wpx, w.Hpx = clampSize(w.Columns, w.Rows, w.Wpx, w.Hpx)
					r.Payload = gossh.Marshal(w)
				}
			}
			out <- r
		}
	}()
	return out
}

func clampSize(cols, rows, wpx, hpx uint32) (uint32, uint32, uint32, uint32) {
	return min(cols, MaxColumns), min(rows, MaxRows), min(wpx, 1<<16), min(hpx, 1<<16)
}

// clampedChannel is a session channel whose requests go through clampRequests.
type clampedChannel struct {
	gossh.NewChannel
	maxEnv  int
	refused func(what string)
}

func (c clampedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	return ch, clampRequests(reqs, c.maxEnv, c.refused), nil
}

// loadHostKey reads the server's host key, or makes one (ed25519, 0600) on first start. It
// creates no directory and changes no mode: a key others can read is refused with the chmod
// that fixes it.
func loadHostKey(path string) ([]byte, error) {
	data, err := safefile.ReadPrivate(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("host key %w", err)
	}
	if _, err := gossh.ParsePrivateKey(data); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return data, nil
}

func createHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "ponte host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	err = safefile.Create(path, data)
	if errors.Is(err, safefile.ErrExists) {
		return loadHostKey(path) // another server made it first
	}
	if err != nil {
		return nil, fmt.Errorf("create the host key: %w", err)
	}
	return data, nil
}
