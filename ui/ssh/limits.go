package ssh

import (
	"fmt"
	"net"
	"sync/atomic"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
)

// sessionRefusal is why admin may not open one more session now, or "": the server's
// sessions are MaxSessions in all, and the last SupervisorSessions of them are for
// supervisors only, so operators holding every other one cannot leave a supervisor out.
// Under s.mu.
func (s *Server) sessionRefusal(admin store.Admin) string {
	live, most := int(s.live.Load()), s.opt.MaxSessions
	if !admin.Supervisor() {
		most -= s.opt.SupervisorSessions
	}
	if live >= most {
		return fmt.Sprintf(ui.SayServerFull, live)
	}
	return ""
}

// connState is what the limits keep of one connection, in its context from the start.
type connState struct {
	channels atomic.Int32
}

const ctxConnState ctxKey = "ponte-conn"

// admit lets a connection through the gate and gives it its state.
func (s *Server) admit(ctx ssh.Context, c net.Conn) net.Conn {
	c = s.gate.admit(ctx, c)
	if c != nil {
		ctx.SetValue(ctxConnState, &connState{})
	}
	return c
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
