package ssh

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
)

// sessionRefusal is why admin may not open one more session now, or "", with what gives its
// place back when it ends. The server's sessions are MaxSessions in all, and the last
// SupervisorSessions of them are for supervisors only, so operators holding every other one
// cannot leave a supervisor out; an administrator holds at most MaxConsolesPerAdmin consoles,
// on connections of theirs within MaxConnsPerAdmin. Under s.mu.
func (s *Server) sessionRefusal(sess ssh.Session, admin store.Admin) (say, why string, release func()) {
	if st, _ := sess.Context().Value(ctxConnState).(*connState); st != nil && st.over.Load() {
		return fmt.Sprintf(ui.SayTooManyConnections, s.opt.MaxConnsPerAdmin), "too many connections for one administrator", nil
	}
	live, most := int(s.live.Load()), s.opt.MaxSessions
	if !admin.Supervisor() {
		most -= s.opt.SupervisorSessions
	}
	if live >= most {
		return fmt.Sprintf(ui.SayServerFull, live), "server full", nil
	}
	if len(sess.Command()) > 0 {
		return "", "", func() {}
	}
	if s.consoles[admin.Login] >= s.opt.MaxConsolesPerAdmin {
		return fmt.Sprintf(ui.SayTooManyConsoles, s.opt.MaxConsolesPerAdmin), "too many consoles for one administrator", nil
	}
	s.consoles[admin.Login]++
	return "", "", func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.consoles[admin.Login]--; s.consoles[admin.Login] <= 0 {
			delete(s.consoles, admin.Login)
		}
	}
}

// overLimitGrace is how long a connection past its administrator's limit stays open to be
// told so on its first session.
const overLimitGrace = 5 * time.Second

// connAuthenticated counts an authenticated connection against its administrator; one past
// MaxConnsPerAdmin is not counted, is told why on its first session, and closed.
func (s *Server) connAuthenticated(ctx ssh.Context) {
	st, _ := ctx.Value(ctxConnState).(*connState)
	admin, ok := ctx.Value(ctxAdmin).(store.Admin)
	if st == nil || !ok {
		return
	}
	s.mu.Lock()
	over := s.conns[admin.Login] >= s.opt.MaxConnsPerAdmin
	if !over {
		s.conns[admin.Login]++
		st.login = admin.Login
	}
	s.mu.Unlock()
	if over {
		st.over.Store(true)
		s.warn.warn("ssh connection refused: too many for one administrator", "login", admin.Login,
			"addr", ctx.RemoteAddr().String(), "max_connections_per_admin", s.opt.MaxConnsPerAdmin)
		time.AfterFunc(overLimitGrace, func() { _ = st.conn.Close() })
	}
}

// connState is what the limits keep of one connection, in its context from the start.
type connState struct {
	channels atomic.Int32
	over     atomic.Bool // past its administrator's connections
	conn     net.Conn
	login    string // whose count it is in, once authenticated; under s.mu
	once     sync.Once
}

// closed gives the connection's place in its administrator's count back, once.
func (s *Server) closed(st *connState) {
	st.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if st.login == "" {
			return
		}
		if s.conns[st.login]--; s.conns[st.login] <= 0 {
			delete(s.conns, st.login)
		}
	})
}

// trackedConn is a connection that tells the limits when it closes.
type trackedConn struct {
	net.Conn
	s  *Server
	st *connState
}

func (c trackedConn) Close() error {
	c.s.closed(c.st)
	return c.Conn.Close()
}

const ctxConnState ctxKey = "ponte-conn"

// admit lets a connection through the gate and gives it its state.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	c = s.gate.admit(ctx, c)
	if c == nil {
		return nil
	}
	st := &connState{conn: c}
	ctx.SetValue(ctxConnState, st)
	return trackedConn{Conn: c, s: s, st: st}
}

// sessionChannel opens a session channel unless the connection has MaxChannelsPerConn open
// already: each holds a session's state (and a console, memory) for as long as it lasts.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	st, _ := ctx.Value(ctxConnState).(*connState)
	if st == nil {
		_ = newChan.Reject(gossh.ResourceShortage, "no session here")
		return
	}
	if st.channels.Add(1) > int32(s.opt.MaxChannelsPerConn) {
		st.channels.Add(-1)
		s.warn.warn("ssh session refused: too many on one connection", "addr", conn.RemoteAddr().String(),
			"max_channels_per_connection", s.opt.MaxChannelsPerConn)
		_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("at most %d sessions on one connection", s.opt.MaxChannelsPerConn))
		return
	}
	defer st.channels.Add(-1)
	addr := conn.RemoteAddr().String()
	refused := func(what string) {
		s.warn.warn("ssh request refused: too many or too large", "request", what, "addr", addr,
			"max_env_per_channel", s.opt.MaxEnvPerChannel, "max_env_bytes", MaxEnvBytes)
	}
	ssh.DefaultSessionHandler(srv, conn, clampedChannel{NewChannel: newChan, maxEnv: s.opt.MaxEnvPerChannel, refused: refused}, ctx)
}
