package ssh

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"ponte/store"
	"ponte/ui"
)

// RevokeGrace is how long a session whose access was taken away has to end by itself (a
// console quits, restoring the client's terminal) before its connection is closed.
const RevokeGrace = time.Second

// revoker keeps every open session with the profile and key it opened with, and ends those
// the store no longer allows as soon as administrators change (store.WatchAdmins): a removed
// or disabled profile, a removed key, a role or an association taken away.
type revoker struct {
	s *Server

	mu      sync.Mutex
	live    map[*held]struct{}
	pending bool // a check is about to run, and will see every change up to it
}

// held is one open session: who it is for, with which key.
type held struct {
	admin   store.Admin // as the session opened
	fp      string
	sess    ssh.Session
	revoked atomic.Bool
}

func newRevoker(s *Server) *revoker {
	r := &revoker{s: s, live: map[*held]struct{}{}}
	s.svc.Store.WatchAdmins(r.changed)
	return r
}

// changed is the store's news of a change: a check runs soon on a goroutine of its own. News
// that comes while one waits to start is covered by it.
func (r *revoker) changed() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending {
		return
	}
	r.pending = true
	go func() {
		r.mu.Lock()
		r.pending = false
		held := make([]*held, 0, len(r.live))
		for h := range r.live {
			held = append(held, h)
		}
		r.mu.Unlock()
		for _, h := range held {
			if !r.allowed(h) {
				r.end(h)
			}
		}
	}()
}

// allowed reports whether the session may go on: its key still opens the profile it opened,
// and that profile still holds what the session was given (store.Admin.Holds). A store that
// cannot be read now keeps the session: that is no news of a change.
func (r *revoker) allowed(h *held) bool {
	now, err := r.s.svc.Store.AdminByKey(h.fp)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false
	case err != nil:
		r.s.log.Error("ssh: check an open session's access", "login", h.admin.Login, "err", err)
		return true
	}
	return now.Holds(h.admin)
}

// end closes a session whose access was taken away: a console is asked to quit (it restores
// the client's terminal, then revocable says why), a command is told on its stderr; after
// RevokeGrace the connection is closed, whatever is still running on it.
func (r *revoker) end(h *held) {
	if !h.revoked.CompareAndSwap(false, true) {
		return
	}
	r.s.log.Warn("ssh session closed: its access was taken away", "login", h.admin.Login,
		"addr", h.sess.RemoteAddr().String(), "fingerprint", h.fp)
	if ss := r.s.consoleOf(h.sess); ss != nil && len(h.sess.Command()) == 0 {
		go ss.program.Quit()
	} else {
		fmt.Fprintln(h.sess.Stderr(), ui.SayAccessRevoked)
	}
	time.AfterFunc(RevokeGrace, func() { closeConn(h.sess) })
}

func closeConn(sess ssh.Session) {
	if c, ok := sess.Context().Value(ssh.ContextKeyConn).(*gossh.ServerConn); ok {
		_ = c.Close()
		return
	}
	_ = sess.Close()
}

// revocable is the middleware that holds every session with its profile and key while it
// runs, so that a change of administrators can end it; a session opened after its access was
// taken (a new channel on a connection that authenticated before) is refused.
func (s *Server) revocable(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		admin, _ := sess.Context().Value(ctxAdmin).(store.Admin)
		h := &held{admin: admin, fp: sess.Permissions().Extensions[permFingerprint], sess: sess}
		r := s.revoke
		r.mu.Lock()
		r.live[h] = struct{}{}
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.live, h)
			r.mu.Unlock()
		}()
		if !r.allowed(h) {
			h.revoked.Store(true)
			wish.Fatalln(sess, ui.SayAccessRevoked)
			closeConn(sess)
			return
		}
		next(sess)
		if h.revoked.Load() {
			wish.Println(sess, ui.SayAccessRevoked)
			closeConn(sess)
		}
	}
}
