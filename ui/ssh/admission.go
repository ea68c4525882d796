package ssh

import (
	"bytes"
	"container/list"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
)

// Admission keeps the places before authentication for clients that speak SSH, as OpenSSH's
// MaxStartups, PerSourceMaxStartups and PerSourcePenalties do: a connection that holds a
// place without saying anything must not lock the administrators out.
//
//   - A client sends its version line first, at once; a connection that has not within
//     VersionTimeout is closed. Until it has, it is idle: when the places are taken (in all,
//     or from its address), the oldest idle one is closed to admit the newcomer, so idle
//     connections cannot keep out a client that speaks, even one behind the same address.
//   - Connections past their version line and not yet authenticated are dropped at random past
//     Startups.Start, with a chance from Startups.Rate% growing to 100% at Startups.Full.
//   - An address whose connections keep failing (PenaltyAfter failures: silent past the
//     version deadline, past the handshake deadline, or closed after a refused key) is refused
//     for PenaltyFirst, twice as long each time again, up to PenaltyMax. An address that an
//     administrator logged in from within TrustAfterLogin is never refused for it: an office's
//     shared address keeps its administrators. At most PenaltySources addresses are kept
//     (IPv6 by /64).
const (
	PenaltyAfter    = 5
	PenaltyForget   = time.Minute // failures further apart than this do not add up
	PenaltyFirst    = 15 * time.Second
	PenaltyMax      = 10 * time.Minute
	PenaltySources  = 4096
	TrustAfterLogin = 24 * time.Hour
)

// Startups is OpenSSH's MaxStartups start:rate:full, for connections that have sent their
// version line but not authenticated yet.
type Startups struct{ Start, Rate, Full int }

// DefaultStartups is OpenSSH's default, 10:30:100.
var DefaultStartups = Startups{Start: 10, Rate: 30, Full: 100}

func (s Startups) String() string { return fmt.Sprintf("%d:%d:%d", s.Start, s.Rate, s.Full) }

// ParseStartups reads START:RATE:FULL, or FULL alone (no early drop).
func ParseStartups(v string) (Startups, error) {
	parts := strings.Split(v, ":")
	var n []int
	for _, p := range parts {
		i, err := strconv.Atoi(p)
		if err != nil || i < 0 {
			return Startups{}, fmt.Errorf("%q: want START:RATE:FULL or FULL, whole numbers (10:30:100)", v)
		}
		n = append(n, i)
	}
	var s Startups
	switch len(n) {
	case 1:
		s = Startups{Start: n[0], Rate: 100, Full: n[0]}
	case 3:
		s = Startups{Start: n[0], Rate: n[1], Full: n[2]}
	default:
		return Startups{}, fmt.Errorf("%q: want START:RATE:FULL or FULL (10:30:100)", v)
	}
	if s.Full < 1 || s.Start < 1 || s.Start > s.Full || s.Rate > 100 {
		return Startups{}, fmt.Errorf("%q: want 1 <= START <= FULL and RATE at most 100", v)
	}
	return s, nil
}

// Set and Type make Startups a command-line flag.
func (s *Startups) Set(v string) error {
	p, err := ParseStartups(v)
	if err == nil {
		*s = p
	}
	return err
}

func (s *Startups) Type() string { return "start:rate:full" }

// gate admits the connections that have not authenticated yet.
type gate struct {
	startups       Startups
	maxPerAddr     int
	version, shake time.Duration
	log            *rateLog
	dropped        func(chance int) bool // whether to drop at this chance in 100
	mu             sync.Mutex
	total          int
	perAddr        map[string]int
	idle           *list.List // of *pending before their version line, oldest first
	sources        penalties
}

func newGate(st Startups, maxPerAddr int, version, shake time.Duration, log *rateLog) *gate {
	return &gate{startups: st, maxPerAddr: maxPerAddr, version: version, shake: shake, log: log,
		dropped: func(chance int) bool { return rand.IntN(100) < chance },
		perAddr: map[string]int{}, idle: list.New(), sources: penalties{m: map[string]*source{}}}
}

// ctxPending holds, in the connection's context, its place at the gate until it authenticates.
const ctxPending ctxKey = "ponte-pending"

// admit gives a new connection its place, or refuses it (nil closes it).
func (g *gate) admit(ctx ssh.Context, c net.Conn) net.Conn {
	src := sourceOf(c.RemoteAddr())
	now := time.Now()
	g.mu.Lock()
	speaking := g.total - g.idle.Len()
	var refuse string
	var evict *pending
	switch {
	case g.sources.refused(src, now):
		refuse = "ssh connection refused: the address keeps failing"
	case speaking >= g.startups.Full:
		refuse = "ssh connection refused: too many connections waiting to authenticate"
	case speaking >= g.startups.Start && g.dropped(g.dropChance(speaking)):
		refuse = "ssh connection dropped early: many connections waiting to authenticate"
	case g.perAddr[src] >= g.maxPerAddr:
		if evict = g.oldestIdle(src); evict == nil {
			refuse = "ssh connection refused: too many connections from one address waiting to authenticate"
		}
	case g.total >= g.startups.Full:
		evict = g.oldestIdle("")
	}
	if refuse != "" {
		g.mu.Unlock()
		g.log.warn(refuse, "addr", src, "waiting", speaking, "max_startups", g.startups.String(), "max_per_addr", g.maxPerAddr)
		return nil
	}
	if evict != nil {
		evict.evicted.Store(true)
		g.releaseLocked(evict)
	}
	p := &pending{Conn: c, g: g, addr: src}
	g.total++
	g.perAddr[src]++
	p.idle = g.idle.PushBack(p)
	g.mu.Unlock()
	if evict != nil {
		g.log.warn("ssh connection closed: silent before its version line, to admit another", "addr", evict.addr)
		_ = evict.Conn.Close()
	}
	p.versionTimer = time.AfterFunc(g.version, func() {
		if p.spoke.Load() || !p.release() {
			return
		}
		g.log.warn("ssh connection closed: no version line within the deadline", "addr", src, "deadline", g.version)
		g.fail(src)
		_ = c.Close()
	})
	p.timer = time.AfterFunc(g.shake, func() {
		if p.release() {
			g.log.warn("ssh connection closed: no authentication within the handshake deadline", "addr", src, "deadline", g.shake)
			g.fail(src)
			_ = c.Close()
		}
	})
	ctx.SetValue(ctxPending, p)
	return p
}

// dropChance is the chance in 100 of dropping a newcomer with this many already speaking.
func (g *gate) dropChance(speaking int) int {
	st := g.startups
	if st.Full == st.Start {
		return 100
	}
	return st.Rate + (100-st.Rate)*(speaking-st.Start)/(st.Full-st.Start)
}

// oldestIdle is the oldest connection still silent before its version line, from src or
// ("") from anywhere.
func (g *gate) oldestIdle(src string) *pending {
	for e := g.idle.Front(); e != nil; e = e.Next() {
		if p := e.Value.(*pending); src == "" || p.addr == src {
			return p
		}
	}
	return nil
}

// spoke moves a connection past its version line.
func (g *gate) spoke(p *pending) {
	if p.spoke.Swap(true) {
		return
	}
	p.versionTimer.Stop()
	g.mu.Lock()
	if p.idle != nil {
		g.idle.Remove(p.idle)
		p.idle = nil
	}
	g.mu.Unlock()
}

// fail counts a failure against an address, and says when it is refused for it.
func (g *gate) fail(src string) {
	g.mu.Lock()
	d := g.sources.fail(src, time.Now())
	g.mu.Unlock()
	if d > 0 {
		g.log.warn("ssh address refused for a while: its connections keep failing", "addr", src, "for", d)
	}
}

// authenticated frees the connection's place: it is an administrator's session now, bound by
// the session limits instead; its address is trusted.
func (g *gate) authenticated(ctx ssh.Context) {
	if p, ok := ctx.Value(ctxPending).(*pending); ok {
		p.authed.Store(true)
		p.timer.Stop()
		p.versionTimer.Stop()
		p.release()
		g.mu.Lock()
		g.sources.trust(p.addr, time.Now())
		g.mu.Unlock()
	}
}

// refusedKey notes that the connection offered a key that is no one's: if it ends without
// authenticating, that is a failure of its address.
func (g *gate) refusedKey(ctx ssh.Context) {
	if p, ok := ctx.Value(ctxPending).(*pending); ok {
		p.refused.Store(true)
	}
}

// speaking counts the connections past their version line waiting to authenticate.
func (g *gate) speaking() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total - g.idle.Len()
}

// waiting counts the connections waiting to authenticate.
func (g *gate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

func (g *gate) releaseLocked(p *pending) bool {
	did := false
	p.once.Do(func() {
		did = true
		g.total--
		if g.perAddr[p.addr]--; g.perAddr[p.addr] <= 0 {
			delete(g.perAddr, p.addr)
		}
		if p.idle != nil {
			g.idle.Remove(p.idle)
			p.idle = nil
		}
	})
	return did
}

// pending is a connection holding a place at the gate.
type pending struct {
	net.Conn
	g                   *gate
	addr                string
	timer, versionTimer *time.Timer
	once                sync.Once
	idle                *list.Element // in g.idle while silent; under g.mu
	spoke               atomic.Bool
	authed              atomic.Bool
	refused             atomic.Bool
	evicted             atomic.Bool
}

func (p *pending) Read(b []byte) (int, error) {
	n, err := p.Conn.Read(b)
	if n > 0 && !p.spoke.Load() && bytes.IndexByte(b[:n], '\n') >= 0 {
		p.g.spoke(p)
	}
	return n, err
}

// release gives the place back, once; it reports whether this call did.
func (p *pending) release() bool {
	p.g.mu.Lock()
	defer p.g.mu.Unlock()
	return p.g.releaseLocked(p)
}

func (p *pending) Close() error {
	p.timer.Stop()
	p.versionTimer.Stop()
	if p.release() && p.refused.Load() && !p.authed.Load() && !p.evicted.Load() {
		p.g.fail(p.addr)
	}
	return p.Conn.Close()
}

// sourceOf is the address a connection is counted and penalised by: its IP, an IPv6 one by
// its /64 (one machine may have all of it).
func sourceOf(a net.Addr) string {
	var ip net.IP
	if tcp, ok := a.(*net.TCPAddr); ok {
		ip = tcp.IP
	} else if host, _, err := net.SplitHostPort(a.String()); err == nil {
		ip = net.ParseIP(host)
		if ip == nil {
			return host
		}
	} else {
		return a.String()
	}
	if ip.To4() != nil {
		return ip.To4().String()
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// penalties are the addresses whose connections failed, or that an administrator logged in
// from, bounded to PenaltySources. Under the gate's lock.
type penalties struct {
	m      map[string]*source
	noRoom time.Time // every record refuses until then: none can make way
}

type source struct {
	fails    int
	lastFail time.Time
	strikes  int       // how often it was refused: the next refusal is twice as long
	until    time.Time // refused until
	trusted  time.Time // an administrator logged in from it; trusted until
}

func (ps *penalties) refused(src string, now time.Time) bool {
	s := ps.m[src]
	return s != nil && now.Before(s.until) && !now.Before(s.trusted)
}

// fail counts one failure; past PenaltyAfter it starts a refusal, which it returns.
func (ps *penalties) fail(src string, now time.Time) time.Duration {
	s := ps.get(src, now)
	if s == nil {
		return 0
	}
	if now.Sub(s.lastFail) > PenaltyForget {
		s.fails = 0
	}
	if now.Sub(s.until) > PenaltyMax {
		s.strikes = 0
	}
	s.fails++
	s.lastFail = now
	if s.fails < PenaltyAfter || now.Before(s.trusted) || now.Before(s.until) {
		return 0
	}
	d := min(PenaltyMax, PenaltyFirst<<min(s.strikes, 20))
	s.fails, s.until = 0, now.Add(d)
	s.strikes++
	return d
}

func (ps *penalties) trust(src string, now time.Time) {
	if s := ps.get(src, now); s != nil {
		s.trusted, s.fails = now.Add(TrustAfterLogin), 0
	}
}

// get is src's record, made if there is room. When the table is full, the records that
// neither refuse nor trust now go, all at once; failing that, one that trusts but does not
// refuse; if every one refuses, nil (the newcomer goes unrecorded) until the first of them
// ends.
func (ps *penalties) get(src string, now time.Time) *source {
	if s := ps.m[src]; s != nil {
		return s
	}
	if len(ps.m) >= PenaltySources {
		if now.Before(ps.noRoom) {
			return nil
		}
		for k, s := range ps.m {
			if !now.Before(s.until) && !now.Before(s.trusted) {
				delete(ps.m, k)
			}
		}
		if len(ps.m) >= PenaltySources {
			first := time.Time{}
			for k, s := range ps.m {
				if !now.Before(s.until) {
					delete(ps.m, k)
					first = time.Time{}
					break
				}
				if first.IsZero() || s.until.Before(first) {
					first = s.until
				}
			}
			if !first.IsZero() {
				ps.noRoom = first
				return nil
			}
		}
	}
	s := &source{}
	ps.m[src] = s
	return s
}
