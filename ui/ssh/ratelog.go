package ssh

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// What anyone who can reach the port may make the server log: each kind of warning (its
// message) at most LogBurst lines at once and LogEvery apart after that; what is held back is
// counted, and said in one line ("N more suppressed") LogSummary after the first one held. A
// flood of connections must not fill the disk the database is on.
const (
	LogBurst   = 10
	LogEvery   = time.Second
	LogSummary = 10 * time.Second
	// MaxClientString is how much of a string the client chose (a user name, its version)
	// reaches the log; the rest is counted, not written.
	MaxClientString = 64
)

// rateLog writes warnings at a bounded rate: a token bucket per message.
type rateLog struct {
	log *slog.Logger

	mu     sync.Mutex
	kinds  map[string]*bucket
	closed bool
}

type bucket struct {
	tokens     float64
	last       time.Time
	suppressed int
	report     *time.Timer // pending "N more suppressed" line
}

func newRateLog(log *slog.Logger) *rateLog {
	return &rateLog{log: log, kinds: map[string]*bucket{}}
}

// warn logs msg with args unless this kind has used up its lines; then it only counts it.
func (r *rateLog) warn(msg string, args ...any) {
	now := time.Now()
	r.mu.Lock()
	b := r.kinds[msg]
	if b == nil {
		b = &bucket{tokens: LogBurst, last: now}
		r.kinds[msg] = b
	}
	b.tokens = min(LogBurst, b.tokens+now.Sub(b.last).Seconds()/LogEvery.Seconds())
	b.last = now
	if b.tokens < 1 {
		b.suppressed++
		if b.report == nil && !r.closed {
			b.report = time.AfterFunc(LogSummary, func() { r.summarise(msg) })
		}
		r.mu.Unlock()
		return
	}
	b.tokens--
	r.mu.Unlock()
	r.log.Warn(msg, args...)
}

// summarise writes how many lines of one kind were held back since its last summary.
func (r *rateLog) summarise(msg string) {
	r.mu.Lock()
	b := r.kinds[msg]
	n := b.suppressed
	b.suppressed, b.report = 0, nil
	if b.tokens >= LogBurst-1 { // quiet again: forget the kind
		delete(r.kinds, msg)
	}
	r.mu.Unlock()
	if n > 0 {
		r.log.Warn(fmt.Sprintf("%d more suppressed: %s", n, msg), "suppressed", n, "message", msg)
	}
}

// flush writes every pending summary now and stops scheduling more: the server is stopping.
func (r *rateLog) flush() {
	r.mu.Lock()
	r.closed = true
	var pending []string
	for msg, b := range r.kinds {
		if b.report != nil && b.report.Stop() {
			b.report = nil
			pending = append(pending, msg)
		}
	}
	r.mu.Unlock()
	for _, msg := range pending {
		r.summarise(msg)
	}
}

// clientString is a string a client chose, fit for a log line: at most MaxClientString bytes
// of it (whole characters), with every control, format (bidi) and invalid byte escaped, and
// how long it was when it was cut.
func clientString(s string) string {
	cut, was := cutBytes(s, MaxClientString)
	q := strconv.QuoteToGraphic(cut)
	q = q[1 : len(q)-1]
	if was {
		q += fmt.Sprintf("…(%d bytes)", len(s))
	}
	return q
}

// cutBytes is s cut to at most n bytes, never inside a character, and whether it was cut:
// what the log keeps of anything a client chose.
func cutBytes(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
