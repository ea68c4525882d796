package sga

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"ponte/store/norm"
)

// Sentinels for the kinds of failure callers branch on. Every error a Client returns for an SGA
// reply is an *Error that matches exactly one of them with errors.Is.
var (
	// ErrUnauthorized: SGA refused the credentials or the token (401), even after one new login.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrBlocked: SGA blocked the token for excessive data extraction (403). It lifts by itself
	// after about an hour; Error.RetryAfter carries that hint.
	ErrBlocked = errors.New("token blocked for excessive data extraction")
	// ErrRouteNotAllowed: the route is not enabled for this token in SGA's "Gerenciar APIs"
	// (SGA answers 404, sometimes 401 or 403, for such routes).
	ErrRouteNotAllowed = errors.New("route not enabled for this token")
	// ErrNotFound: no such record, or a query with no results (404 or 406).
	ErrNotFound = errors.New("not found")
	// ErrAccessHours: the SGA user may not work at this hour ("restrição de horário").
	ErrAccessHours = errors.New("outside the user's access hours")
	// ErrRateLimited: too many requests (429); Error.RetryAfter honours Retry-After.
	ErrRateLimited = errors.New("rate limited")
	// ErrTransient: a server error (5xx), a timeout or a dropped connection.
	ErrTransient = errors.New("transient failure")
	// ErrInvalidResponse: a reply that could not be read.
	ErrInvalidResponse = errors.New("invalid response")
)

// Outcome names how a request ended, for metrics: "ok" for nil, the ID of an *Error's kind
// (Kinds: "unauthorized", "blocked", "route_not_allowed", "not_found", "access_hours",
// "rate_limited", "transient", "invalid_response"), "cancelled" when the caller gave up, and
// "error" for anything else.
func Outcome(err error) string {
	var e *Error
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &e):
		if k, ok := kindOf(e.Kind); ok {
			return k.ID
		}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "error"
}

// BlockRetryHint is how long SGA's extraction block is said to last.
const BlockRetryHint = time.Hour

// Error is a failed SGA call: its kind (one of the sentinels), the route, the HTTP status and
// SGA's own message. It never holds a credential.
type Error struct {
	Kind       error         // one of the Err* sentinels
	Route      string        // the route template, e.g. "veiculo/buscar/{valor}/{tipo}"
	Status     int           // HTTP status, 0 when no reply came
	Message    string        // SGA's mensagem and error texts, joined
	RetryAfter time.Duration // when SGA or the kind says how long to wait
	Err        error         // the underlying cause (network error, decode error), if any
}

func (e *Error) Error() string {
	var sb strings.Builder
	sb.WriteString("sga ")
	sb.WriteString(e.Route)
	sb.WriteString(": ")
	sb.WriteString(e.Kind.Error())
	if e.Status != 0 {
		fmt.Fprintf(&sb, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		sb.WriteString(": ")
		sb.WriteString(e.Message)
	}
	if e.Err != nil {
		sb.WriteString(": ")
		sb.WriteString(e.Err.Error())
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&sb, " (retry in %s)", humanDuration(e.RetryAfter))
	}
	return sb.String()
}

// Is matches the error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether the same request may succeed if sent again soon.
func (e *Error) Retryable() bool {
	k, _ := kindOf(e.Kind)
	return k.Retry
}

// Unreachable reports whether err is a call that got no reply at all: the host's name did not
// resolve, the connection was refused or broke, or no answer came in time. A wrong URL or a
// network problem, then, not anything SGA said.
func Unreachable(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 || e.Err == nil {
		return false
	}
	var op *net.OpError
	var dns *net.DNSError
	var ne net.Error
	return errors.As(e.Err, &op) || errors.As(e.Err, &dns) || (errors.As(e.Err, &ne) && ne.Timeout()) ||
		errors.Is(e.Err, io.EOF) || errors.Is(e.Err, io.ErrUnexpectedEOF)
}

// ErrorMessage returns SGA's own message carried by err, if it is an *Error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// envelope is SGA's error body: a mensagem and an error that is a string, a list of strings, or
// an object with its own mensagem.
type envelope struct {
	Mensagem Text            `json:"mensagem"`
	Error    json.RawMessage `json:"error"`
	Message  Text            `json:"message"`
}

// sgaMessage extracts SGA's human text from a body, whatever shape its envelope has.
func sgaMessage(body []byte) string {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return ""
	}
	var env envelope
	if json.Unmarshal(b, &env) != nil {
		return ""
	}
	var parts []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !strings.EqualFold(s, "OK") {
			for _, p := range parts {
				if p == s {
					return
				}
			}
			parts = append(parts, s)
		}
	}
	add(string(env.Mensagem))
	add(string(env.Message))
	e := bytes.TrimSpace(env.Error)
	if len(e) > 0 {
		switch e[0] {
		case '"':
			var s string
			_ = json.Unmarshal(e, &s)
			add(s)
		case '[':
			var list []Text
			_ = json.Unmarshal(e, &list)
			for _, s := range list {
				add(string(s))
			}
		case '{':
			var inner envelope
			_ = json.Unmarshal(e, &inner)
			add(string(inner.Mensagem))
			add(string(inner.Message))
		}
	}
	return truncate(strings.Join(parts, "; "), 300)
}

// classify turns a non-2xx reply into an *Error of the right kind.
func classify(route string, status int, header http.Header, body []byte) *Error {
	msg := sgaMessage(body)
	low := strings.ToLower(norm.Fold(msg))
	e := &Error{Route: route, Status: status, Message: msg}
	switch {
	case status == http.StatusForbidden && strings.Contains(low, "bloquead") && strings.Contains(low, "extra"):
		e.Kind, e.RetryAfter = ErrBlocked, BlockRetryHint
		if d := retryAfter(header); d > 0 {
			e.RetryAfter = d
		}
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) &&
		strings.Contains(low, "restri") && strings.Contains(low, "horario"):
		e.Kind = ErrAccessHours
	case isPermissionText(low) && (status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound):
		e.Kind = ErrRouteNotAllowed
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = ErrUnauthorized
	case status == http.StatusNotFound && msg == "":
		// A bare 404 (no SGA envelope) is the web server's: the route is not there for us.
		e.Kind = ErrRouteNotAllowed
	case status == http.StatusNotFound || status == http.StatusNotAcceptable:
		e.Kind = ErrNotFound
	case status == http.StatusTooManyRequests:
		e.Kind, e.RetryAfter = ErrRateLimited, retryAfter(header)
	case status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = ErrTransient
	default:
		e.Kind = ErrInvalidResponse
	}
	return e
}

func isPermissionText(low string) bool {
	return strings.Contains(low, "permiss") || strings.Contains(low, "nao liberad") ||
		strings.Contains(low, "nao habilitad") || strings.Contains(low, "acesso negado")
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// transportError wraps a failure to get a reply at all.
func transportError(route string, err error) *Error {
	if errors.Is(err, ErrLinkLocal) {
		return &Error{Kind: ErrLinkLocal, Route: route, Err: scrubURL(err)} // no retry changes that
	}
	return &Error{Kind: ErrTransient, Route: route, Err: scrubURL(err)}
}

// scrubURL drops the URL from *url.Error texts: a path may carry a member's CPF, which has no
// place in logs, and the base URL is known to whoever reads them.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
		return errTimeout
	}
	return err
}

var errTimeout = errors.New("timed out waiting for SGA")

func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute:
		return d.Round(time.Second).String()
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}
