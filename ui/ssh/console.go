package ssh

import (
	"context"
	"errors"
	"io"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
)

// consoleLife is how long one console lives: until its program quits, its connection ends,
// or its session channel does (a client may close one session and keep the connection for
// others). The session's context is the connection's, so it cannot say the last.
type consoleLife struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// console runs the console of a session that asks for none of the commands: the program
// program builds, sized by the window changes, until the console's life ends. Whatever the
// way it ends, the program and its input reader are gone when console returns.
func (s *Server) console(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		life := &consoleLife{ctx: ctx, cancel: cancel}
		p := s.program(sess, life)
		if p == nil {
			next(sess)
			return
		}
		_, windows, _ := sess.Pty()
		resized := make(chan struct{})
		go func() {
			defer close(resized)
			for {
				select {
				case <-ctx.Done():
					return
				case w, ok := <-windows:
					if !ok { // the session's requests ended: its channel is closed
						cancel()
						return
					}
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}()
		if _, err := p.Run(); err != nil && (errors.Is(err, tea.ErrProgramPanic) || !errors.Is(err, tea.ErrProgramKilled)) {
			s.log.Warn("console ended with an error", "addr", sess.RemoteAddr().String(), "err", err)
		}
		p.Kill() // restores the client's terminal if the program did not
		cancel()
		<-resized
		next(sess)
	}
}

// input is what the console reads of the session: sess's bytes, through a pipe that is
// closed when the console ends, so that the program's input reader ends with it instead of
// waiting, with the whole program in hand, for a byte or for the client to close the
// channel. The reading of sess goes on in a goroutine that holds a buffer only, and ends at
// the next byte or the channel's end. Input that ends (the client sent EOF or closed its
// channel) ends the console: nothing can drive it any more.
func (l *consoleLife) input(sess io.Reader) io.Reader {
	pr, pw := io.Pipe()
	var once sync.Once
	closeAll := func(err error) { once.Do(func() { _ = pw.CloseWithError(err); _ = pr.CloseWithError(err) }) }
	go func() {
		<-l.ctx.Done()
		closeAll(io.EOF)
	}()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := sess.Read(buf)
			if n > 0 {
				if _, werr := pw.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				l.cancel()
				closeAll(io.EOF)
				return
			}
		}
	}()
	return pr
}
