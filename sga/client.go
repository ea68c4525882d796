// Package sga is a client for Hinova's SGA API v2: the manual API (user login with an
// association API key) and the supplier-sync API (a sync token used directly). It survives what
// SGA does: loose types, shifting response shapes, token invalidation by other logins, the
// extraction block, rate limits and flaky connections. It only reads: ponte never writes to SGA.
package sga

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("sga: client closed")

// DefaultBaseURL is Hinova's production API.
const DefaultBaseURL = "https://api.hinova.com.br/api/sga/v2"

// Credentials are what an association hands a supplier. User, Password and APIKey drive the
// manual API; SyncToken drives the supplier-sync API. Any of them may be empty.
type Credentials struct {
	User      string
	Password  string
	APIKey    string
	SyncToken string
}

// HasManual reports whether the manual API can be used.
func (c Credentials) HasManual() bool { return c.User != "" && c.Password != "" && c.APIKey != "" }

// HasSync reports whether the supplier-sync API can be used.
func (c Credentials) HasSync() bool { return c.SyncToken != "" }

// Config tunes a Client. Zero values take the defaults named on each field.
type Config struct {
	BaseURL     string
	Credentials Credentials

	Timeout           time.Duration // per attempt; default 60s (SGA's big pages are slow)
	RequestsPerSecond float64       // pacing of every request; default 4; negative: no pacing
	Burst             int           // default 1
	MaxRetries        int           // for retryable failures; default 4; negative: none
	RetryBase         time.Duration // first backoff; default 500ms, doubling, with full jitter
	RetryMax          time.Duration // backoff cap; default 30s
	MaxRetryAfter     time.Duration // longest Retry-After honoured before giving up; default 2m
	LoginBackoff      time.Duration // wait after a failed login, doubling; default 15s
	LoginBackoffMax   time.Duration // default 5m

	// OnRetry, when set, is told of each failed attempt that will be tried again, before the
	// wait: a command line shows it instead of staying silent through the backoff.
	OnRetry func(Retry)
	// OnRequest, when set, is told of every request sent (retries and logins included) once
	// it has its answer: its route template and its error, nil for a 2xx reply. See Outcome.
	OnRequest func(route string, err error)

	HTTPClient *http.Client // default: a client with sane connection pooling
	Logger     *slog.Logger // default: discard
	UserAgent  string       // default "ponte"
}

// Retry is a failed attempt that will be tried again.
type Retry struct {
	Route   string        // the route template
	Attempt int           // 1 for the first retry
	Of      int           // the retries allowed (Config.MaxRetries)
	Wait    time.Duration // before the next attempt
	Err     error         // why the attempt failed (an *Error)
}

func (c *Config) defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = 4
	}
	if c.Burst <= 0 {
		c.Burst = 1
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 4
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 500 * time.Millisecond
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 30 * time.Second
	}
	if c.MaxRetryAfter <= 0 {
		c.MaxRetryAfter = 2 * time.Minute
	}
	if c.LoginBackoff <= 0 {
		c.LoginBackoff = 15 * time.Second
	}
	if c.LoginBackoffMax <= 0 {
		c.LoginBackoffMax = 5 * time.Minute
	}
	if c.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second,
			Control: refuseLinkLocal}).DialContext
		c.HTTPClient = &http.Client{Transport: t}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.UserAgent == "" {
		c.UserAgent = "ponte"
	}
}

// ErrLinkLocal: the SGA address is link-local (169.254.0.0/16, fe80::/10), where cloud
// metadata services live; no SGA is there, so ponte never connects to it.
var ErrLinkLocal = errors.New("link-local address refused (cloud metadata lives there, SGA never does)")

// refuseLinkLocal stops a connection to a link-local address whatever name led there: a URL
// typed with a name that resolves to one, or a redirect. It sees the address dialled, as the
// socket is about to connect; one it cannot read is refused too.
func refuseLinkLocal(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip, err := netip.ParseAddr(host); err != nil || LinkLocal(ip) {
		return fmt.Errorf("connect to %s: %w", host, ErrLinkLocal)
	}
	return nil
}

// LinkLocal is the one rule of the addresses ponte never connects to for SGA: link-local
// unicast and multicast (169.254.0.0/16, fe80::/10, ff02::/16 and the like), in any form: an
// IPv6 address with its zone, an IPv4 address mapped into IPv6.
func LinkLocal(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	return ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast()
}

// Client talks to one SGA. It is safe for concurrent use: calls share one cached user token,
// one login at a time, and one pacing limiter.
type Client struct {
	cfg     Config
	limiter *rate.Limiter
	auth    tokenCache
	routes  syncRoutes
	sent    atomic.Int64 // requests sent, retries and logins included
	bodies  bodies       // reply buffers that decoded pages give back

	life   context.Context // ends with Close; bounds logins that outlive their first caller
	cancel context.CancelFunc
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	cfg.defaults()
	lim := rate.NewLimiter(rate.Inf, 0)
	if cfg.RequestsPerSecond > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), cfg.Burst)
	}
	life, cancel := context.WithCancel(context.Background())
	c := &Client{cfg: cfg, limiter: lim, life: life, cancel: cancel, bodies: make(bodies, 4)}
	return c
}

// Requests returns how many requests the client has sent to SGA, retries included.
func (c *Client) Requests() int64 { return c.sent.Load() }

// Close stops any login still running for callers that gave up. Calls made after Close fail.
func (c *Client) Close() { c.cancel() }

// Credentials returns the credentials the client was built with.
func (c *Client) Credentials() Credentials { return c.cfg.Credentials }

// BaseURL returns the SGA base URL the client calls.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// SetRate changes the pacing limit at run time (requests per second; <= 0 removes it).
func (c *Client) SetRate(rps float64) {
	if rps <= 0 {
		c.limiter.SetLimit(rate.Inf)
		return
	}
	c.limiter.SetLimit(rate.Limit(rps))
	c.limiter.SetBurst(c.cfg.Burst)
}

type authMode int

const (
	authNone   authMode = iota
	authAPIKey          // the association's chave API: only for usuario/autenticar
	authUser            // the token_usuario from a login
	authSync            // the supplier-sync token
)

// request is one logical SGA call.
type request struct {
	method string
	route  string // template, for errors and logs
	path   string // concrete, already escaped
	body   any    // JSON-encoded when not nil
	auth   authMode
}

// do runs a request with pacing, retries for retryable failures, and one new login when the
// user token turns out to be invalid. It returns the body of a 2xx reply.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	if c.life.Err() != nil {
		return nil, ErrClosed
	}
	relogged := false
	for attempt := 0; ; attempt++ {
		var token string
		switch r.auth {
		case authUser:
			t, err := c.userToken(ctx)
			if err != nil {
				return nil, err
			}
			token = t
		case authAPIKey:
			token = c.cfg.Credentials.APIKey
		case authSync:
			token = c.cfg.Credentials.SyncToken
		}
		body, err := c.once(ctx, r, token, attempt)
		if c.cfg.OnRequest != nil {
			c.cfg.OnRequest(r.route, err)
		}
		if err == nil {
			return body, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return nil, err // the caller's context ended
		}
		if e.Kind == ErrUnauthorized && r.auth == authUser && !relogged {
			// Another login with the same user invalidates ours: log in once more, retry once.
			relogged = true
			c.auth.invalidate(token)
			c.cfg.Logger.Info("sga token refused; logging in again", "route", r.route)
			attempt--
			continue
		}
		if !e.Retryable() || attempt >= c.cfg.MaxRetries {
			return nil, err
		}
		wait := c.backoff(attempt)
		if e.Kind == ErrRateLimited && e.RetryAfter > 0 {
			if e.RetryAfter > c.cfg.MaxRetryAfter {
				return nil, err
			}
			wait = e.RetryAfter + rand.N(c.cfg.RetryBase)
		}
		c.cfg.Logger.Debug("sga retry", "route", r.route, "attempt", attempt+1, "wait", wait, "reason", e.Kind.Error())
		if c.cfg.OnRetry != nil {
			c.cfg.OnRetry(Retry{Route: r.route, Attempt: attempt + 1, Of: c.cfg.MaxRetries, Wait: wait, Err: e})
		}
		if err := Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// backoff is exponential with full jitter: a random wait in [0, min(max, base·2^attempt)).
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.cfg.RetryBase << min(attempt, 20)
	if ceil <= 0 || ceil > c.cfg.RetryMax {
		ceil = c.cfg.RetryMax
	}
	return c.cfg.RetryBase/4 + rand.N(ceil)
}

// once sends one HTTP request and classifies the reply.
func (c *Client) once(ctx context.Context, r request, token string, attempt int) ([]byte, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("sga %s: pacing: %w", r.route, err)
	}
	c.sent.Add(1)
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("sga %s: encode request: %w", r.route, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(actx, r.method, c.cfg.BaseURL+"/"+r.path, body)
	if err != nil {
		return nil, fmt.Errorf("sga %s: build request: %w", r.route, scrubURL(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	start := time.Now()
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.cfg.Logger.Debug("sga request failed", "route", r.route, "attempt", attempt, "err", scrubURL(err))
		return nil, transportError(r.route, err)
	}
	defer resp.Body.Close()
	data, err := c.bodies.read(io.LimitReader(resp.Body, maxBody+1), resp.ContentLength)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, transportError(r.route, err)
	}
	if len(data) > maxBody {
		return nil, &Error{Kind: ErrInvalidResponse, Route: r.route, Status: resp.StatusCode,
			Err: fmt.Errorf("reply larger than %d MiB", maxBody>>20)}
	}
	c.cfg.Logger.Debug("sga", "route", r.route, "status", resp.StatusCode, "bytes", len(data),
		"took", time.Since(start).Round(time.Millisecond), "attempt", attempt)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, classify(r.route, resp.StatusCode, resp.Header, data)
	}
	if !validJSON(data) {
		return nil, &Error{Kind: ErrInvalidResponse, Route: r.route, Status: resp.StatusCode,
			Err: fmt.Errorf("reply is not JSON (%d bytes)", len(data))}
	}
	return data, nil
}

// maxBody bounds a reply: a 5,000-record page is a few MiB.
const maxBody = 256 << 20

// Sleep waits d, or until ctx ends, whichever comes first: nil after the wait, else ctx's
// error (at once when d is not positive and ctx has ended). It is the one context-aware wait:
// the client's backoff, the sync's extraction-block pause and the demo's churn use it.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// invalid wraps a decoding failure of a 2xx reply.
func invalid(route string, err error) error {
	return &Error{Kind: ErrInvalidResponse, Route: route, Status: http.StatusOK, Err: err}
}
