package ssh

import (
	"fmt"
	"runtime/debug"

	"charm.land/ssh"
	"charm.land/wish/v2"

	"ponte/store"
	"ponte/ui"
)

// recoverSession keeps a panic in one session's handling to that session: it runs on the
// connection's goroutine, where an unrecovered panic ends the process and every other
// session with it. The panic is logged with its stack, the client is told and the session
// ends with status 1; the sessions and the server go on.
func (s *Server) recoverSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			login := ""
			if a, ok := sess.Context().Value(ctxAdmin).(store.Admin); ok {
				login = a.Login
			}
			s.log.Error("ssh session failed", "login", login, "addr", sess.RemoteAddr().String(),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			wish.Fatalln(sess, ui.SaySessionFailed)
		}()
		next(sess)
	}
}
