package ssh

import (
	"context"
	"errors"

	"ponte/sga/syncer"
)

// runningCommand is a command a session runs: how to stop it when the server shuts down.
type runningCommand struct{ stop context.CancelCauseFunc }

// commandContext is the context a session's command runs in: the session's, ended too when
// the server shuts down, with a cause that says so (shutdownCause). The returned done must
// be called when the command has ended.
func (s *Server) commandContext(parent context.Context) (ctx context.Context, done func()) {
	ctx, stop := context.WithCancelCause(parent)
	rc := &runningCommand{stop: stop}
	s.mu.Lock()
	if s.closing {
		stop(s.stopCause)
	} else {
		s.commands[rc] = struct{}{}
	}
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		delete(s.commands, rc)
		s.mu.Unlock()
		stop(nil)
	}
}

// stopCommandsLocked ends every running command's context with cause; s.mu is held.
func (s *Server) stopCommandsLocked(cause error) {
	s.stopCause = shutdownCause(cause)
	for rc := range s.commands {
		rc.stop(s.stopCause)
	}
}

// shutdownCause is the cause a command's context ends with when the server shuts down:
// syncer.ErrShutdown, so that a sync the command runs stops as interrupted by the shutdown,
// joined to why the server shuts down (the signal), when known, so that the command's exit
// status can say it.
func shutdownCause(why error) error {
	if why == nil {
		return syncer.ErrShutdown
	}
	return errors.Join(syncer.ErrShutdown, why)
}
