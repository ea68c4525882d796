package cli

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// httpLimits bound what one HTTP client may hold of a listener ponte opens: how long it may
// take to send a request, how long a reply may take, how long an idle keep-alive stays open,
// how big the header may be, and how many connections are open at once. Past MaxConns a new
// connection is closed as soon as it is accepted, so that a flood of connections cannot take
// the process's file descriptors (which SSH logins and the database need too).
type httpLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // the whole request, body included
	WriteTimeout      time.Duration // from the end of the request's header to the end of the reply
	IdleTimeout       time.Duration // a keep-alive connection with no request this long is closed
	MaxHeaderBytes    int
	MaxConns          int
}

// metricsLimits are the metrics listener's (ponte serve --metrics-listen): a scrape or a
// health check is one small GET answered in seconds (/healthz waits 5s for the store at most).
var metricsLimits = httpLimits{
	ReadHeaderTimeout: 5 * time.Second,
	ReadTimeout:       10 * time.Second,
	WriteTimeout:      30 * time.Second,
	IdleTimeout:       30 * time.Second,
	MaxHeaderBytes:    16 << 10,
	MaxConns:          64,
}

// describe says the limits in a sentence, for --help.
func (l httpLimits) describe() string {
	return fmt.Sprintf("It keeps at most %d connections open (one more is closed at once), closes a\n"+
		"keep-alive idle for %s, gives a request %s to arrive (its header %s, %d KB at most)\n"+
		"and its reply %s.", l.MaxConns, l.IdleTimeout, l.ReadTimeout, l.ReadHeaderTimeout,
		l.MaxHeaderBytes>>10, l.WriteTimeout)
}

// simLimits are a simulator's (ponte sga-sim, the demo's): its replies may be held as long as
// its faults say (latency, jitter, a hung request), so WriteTimeout is that plus a minute.
func simLimits(held time.Duration) httpLimits {
	return httpLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      held + time.Minute,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxConns:          256,
	}
}

// newHTTPServer is the one way ponte builds an HTTP server: every listener it opens gets the
// limits l, and logs through logger (nil: nowhere). Serve the returned server on the returned
// listener, which enforces l.MaxConns.
func newHTTPServer(ln net.Listener, h http.Handler, l httpLimits, logger *slog.Logger) (*http.Server, net.Listener) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return srv, &cappedListener{Listener: ln, slots: make(chan struct{}, l.MaxConns), log: logger,
		warn: rate.Sometimes{Interval: time.Minute}}
}

// cappedListener accepts at most cap(slots) connections open at once; one past it is closed
// at once and counted, and the count is logged at most once a minute.
type cappedListener struct {
	net.Listener
	slots   chan struct{}
	log     *slog.Logger
	warn    rate.Sometimes
	refused atomic.Int64
}

func (l *cappedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
			// Counted and logged before the close, so that whoever sees the connection end
			// can already read why.
			n := l.refused.Add(1)
			l.warn.Do(func() {
				l.log.Warn("http connection refused: too many open", "addr", l.Addr().String(), "max", cap(l.slots), "refused_so_far", n)
			})
			_ = c.Close()
		}
	}
}

// slotConn gives its listener's slot back when it is closed, once.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
