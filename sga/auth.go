package sga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// tokenCache holds the one user token a client uses. Every login with the same SGA user
// invalidates the previous token, so a storm of logins would have our own callers invalidating
// each other: logins are single-flight, and after a failed one the next waits out a backoff.
type tokenCache struct {
	mu       sync.Mutex
	token    string
	inflight *loginCall

	failErr  *Error    // the last login failure, while its backoff lasts
	failedAt time.Time // when it happened
	backoff  time.Duration
	logins   int // successful logins, for tests and diagnostics
}

type loginCall struct {
	done  chan struct{}
	token string
	err   error
}

// userToken returns the cached user token, logging in if there is none. Concurrent callers
// share one login. A caller whose context ends stops waiting; the login goes on for the others.
func (c *Client) userToken(ctx context.Context) (string, error) {
	tc := &c.auth
	tc.mu.Lock()
	if tc.token != "" {
		t := tc.token
		tc.mu.Unlock()
		return t, nil
	}
	if tc.failErr != nil {
		if left := tc.backoff - time.Since(tc.failedAt); left > 0 {
			e := *tc.failErr
			e.RetryAfter = max(e.RetryAfter, left)
			tc.mu.Unlock()
			return "", &e
		}
	}
	call := tc.inflight
	if call == nil {
		call = &loginCall{done: make(chan struct{})}
		tc.inflight = call
		go c.runLogin(call)
	}
	tc.mu.Unlock()

	select {
	case <-call.done:
		return call.token, call.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// runLogin performs one login for everyone waiting on call. It is bounded by the client's
// lifetime and by the attempts the retry policy allows.
func (c *Client) runLogin(call *loginCall) {
	limit := time.Duration(c.cfg.MaxRetries+1)*(c.cfg.Timeout+c.cfg.RetryMax) + time.Second
	ctx, cancel := context.WithTimeout(c.life, limit)
	defer cancel()
	token, err := c.login(ctx)

	tc := &c.auth
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.inflight = nil
	call.token, call.err = token, err
	if err == nil {
		tc.token, tc.failErr, tc.backoff = token, nil, 0
		tc.logins++
		c.cfg.Logger.Info("sga login ok", "user", c.cfg.Credentials.User)
	} else {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Kind: ErrTransient, Route: routeLogin, Err: err}
		}
		tc.failErr, tc.failedAt = e, time.Now()
		switch {
		case tc.backoff == 0:
			tc.backoff = c.cfg.LoginBackoff
		default:
			tc.backoff = min(tc.backoff*2, c.cfg.LoginBackoffMax)
		}
		if e.Kind == ErrBlocked {
			tc.backoff = max(tc.backoff, min(time.Minute, c.cfg.LoginBackoffMax))
		}
		c.cfg.Logger.Warn("sga login failed", "user", c.cfg.Credentials.User, "err", e, "next_try_in", tc.backoff)
	}
	close(call.done)
}

// invalidate drops token if it is still the cached one. A caller holding an older token that
// another caller already replaced changes nothing, so N failed calls cause one new login.
func (tc *tokenCache) invalidate(token string) {
	tc.mu.Lock()
	if tc.token == token {
		tc.token = ""
	}
	tc.mu.Unlock()
}

// Logins returns how many successful logins the client has made.
func (c *Client) Logins() int {
	c.auth.mu.Lock()
	defer c.auth.mu.Unlock()
	return c.auth.logins
}

const routeLogin = "usuario/autenticar"

// Login checks the manual credentials now, replacing any cached token. It waits out no
// backoff: it is for an operator who just typed new credentials.
func (c *Client) Login(ctx context.Context) error {
	c.auth.mu.Lock()
	c.auth.token, c.auth.failErr, c.auth.backoff = "", nil, 0
	c.auth.mu.Unlock()
	_, err := c.userToken(ctx)
	return err
}

// login is POST usuario/autenticar with the API key as Bearer and {usuario, senha}.
func (c *Client) login(ctx context.Context) (string, error) {
	cr := c.cfg.Credentials
	if !cr.HasManual() {
		return "", &Error{Kind: ErrUnauthorized, Route: routeLogin,
			Message: "manual credentials incomplete: usuário, senha and chave API are all required"}
	}
	body, err := c.do(ctx, request{
		method: http.MethodPost,
		route:  routeLogin,
		path:   routeLogin,
		body:   map[string]string{"usuario": cr.User, "senha": cr.Password},
		auth:   authAPIKey,
	})
	if err != nil {
		return "", err
	}
	var resp struct {
		Mensagem     Text `json:"mensagem"`
		TokenUsuario Text `json:"token_usuario"`
		Token        Text `json:"token"`
	}
	if err := json.Unmarshal(unwrap(body), &resp); err != nil {
		return "", invalid(routeLogin, err)
	}
	token := string(resp.TokenUsuario)
	if token == "" {
		token = string(resp.Token)
	}
	if token == "" {
		msg := string(resp.Mensagem)
		if strings.EqualFold(msg, "OK") || msg == "" {
			return "", invalid(routeLogin, fmt.Errorf("login reply has no token_usuario"))
		}
		return "", &Error{Kind: ErrUnauthorized, Route: routeLogin, Status: http.StatusOK, Message: msg}
	}
	return token, nil
}
