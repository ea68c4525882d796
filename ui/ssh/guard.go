package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store/safefile"
)

// What an SSH client may ask of the server before and around its session, bounded: a client
// of any SSH library, not only OpenSSH, can send whatever the protocol allows.
const (
	// MaxColumns and MaxRows bound a terminal's size as a client reports it: the console
	// allocates by the screen's size, and a client may claim 4294967295 rows.
	MaxColumns = 1000
	MaxRows    = 500
)

// clampRequests passes a session channel's requests on, after bounding the terminal sizes in
// pty-req and window-change and refusing agent forwarding (nothing here would use an agent,
// and a forwarded agent is a key a compromised server could sign with). It ends when in does.
func clampRequests(in <-chan *gossh.Request) <-chan *gossh.Request {
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for r := range in {
			switch r.Type {
			case "auth-agent-req@openssh.com":
				_ = r.Reply(false, nil)
				continue
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
type clampedChannel struct{ gossh.NewChannel }

func (c clampedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	return ch, clampRequests(reqs), nil
}

// sessionHandler is the SSH library's session handler, given clamped requests.
func sessionHandler(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, clampedChannel{newChan}, ctx)
}

// gate bounds the connections that have not yet authenticated, in total and per address,
// and gives each a deadline for its handshake: connections that never speak SSH would
// otherwise hold file descriptors until the process could accept no administrator.
type gate struct {
	maxTotal, maxPerAddr int
	deadline             time.Duration
	log                  *rateLog

	mu      sync.Mutex
	total   int
	perAddr map[string]int
}

func newGate(maxTotal, maxPerAddr int, deadline time.Duration, log *rateLog) *gate {
	return &gate{maxTotal: maxTotal, maxPerAddr: maxPerAddr, deadline: deadline, log: log, perAddr: map[string]int{}}
}

// ctxPending holds, in the connection's context, its place at the gate until it authenticates.
const ctxPending ctxKey = "ponte-pending"

// admit lets a new connection wait for its handshake, or refuses it (nil closes it).
func (g *gate) admit(ctx ssh.Context, c net.Conn) net.Conn {
	addr := hostOf(c.RemoteAddr())
	g.mu.Lock()
	full, busy := g.total >= g.maxTotal, g.perAddr[addr] >= g.maxPerAddr
	if !full && !busy {
		g.total++
		g.perAddr[addr]++
	}
	g.mu.Unlock()
	switch {
	case full:
		g.log.warn("ssh connection refused: too many connections waiting to authenticate",
			"addr", addr, "max", g.maxTotal)
		return nil
	case busy:
		g.log.warn("ssh connection refused: too many connections from one address waiting to authenticate",
			"addr", addr, "max_per_addr", g.maxPerAddr)
		return nil
	}
	p := &pending{Conn: c, g: g, addr: addr}
	p.timer = time.AfterFunc(g.deadline, func() {
		if p.release() {
			g.log.warn("ssh connection closed: no authentication within the handshake deadline",
				"addr", addr, "deadline", g.deadline)
			_ = c.Close()
		}
	})
	ctx.SetValue(ctxPending, p)
	return p
}

// authenticated frees the connection's place: it is an administrator's session now, bound by
// the session limits instead.
func (g *gate) authenticated(ctx ssh.Context) {
	if p, ok := ctx.Value(ctxPending).(*pending); ok {
		p.timer.Stop()
		p.release()
	}
}

// waiting counts the connections waiting to authenticate.
func (g *gate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// pending is a connection holding a place at the gate.
type pending struct {
	net.Conn
	g     *gate
	addr  string
	timer *time.Timer
	once  sync.Once
}

// release gives the place back, once; it reports whether this call did.
func (p *pending) release() bool {
	did := false
	p.once.Do(func() {
		did = true
		p.g.mu.Lock()
		p.g.total--
		if p.g.perAddr[p.addr]--; p.g.perAddr[p.addr] <= 0 {
			delete(p.g.perAddr, p.addr)
		}
		p.g.mu.Unlock()
	})
	return did
}

func (p *pending) Close() error {
	p.timer.Stop()
	p.release()
	return p.Conn.Close()
}

func hostOf(a net.Addr) string {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
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
