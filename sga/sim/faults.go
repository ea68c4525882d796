package sim

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The faults the simulator injects when asked (Faults): errors, hangs, damaged replies,
// SGA's extraction block and the SGA user's access hours.

func (f Faults) validate() error {
	for name, v := range map[string]float64{"fail-5xx": f.Fail5xx, "fail-429": f.Fail429,
		"fail-hang": f.FailHang, "fail-malformed": f.FailMalformed} {
		if v < 0 || v > 1 {
			return fmt.Errorf("%s must be from 0 to 1, not %g", name, v)
		}
	}
	if f.Fail5xx+f.Fail429+f.FailHang > 1 {
		return fmt.Errorf("fail-5xx, fail-429 and fail-hang add up to more than 1")
	}
	if f.Latency < 0 || f.Jitter < 0 || f.HangFor < 0 || f.BlockWindow < 0 || f.BlockFor < 0 || f.BlockAfter < 0 {
		return fmt.Errorf("fault durations and counts cannot be negative")
	}
	if f.BlockAfter > 0 && f.BlockWindow == 0 {
		return fmt.Errorf("block-after needs block-window")
	}
	return nil
}

func (s *Sim) hoursReply() reply {
	return fail(http.StatusUnauthorized, "Usuário com restrição de horário de acesso",
		"Acesso não permitido neste horário (restrição de horário)")
}

func (s *Sim) outsideHours() bool {
	return s.hours != nil && !s.hours.contains(s.opts.Now())
}

type corrupted struct{ body any }

// corrupt damages an encoded reply: half the time one record's ano_modelo becomes an object
// (the record cannot be read, its page can), otherwise the body is cut short.
func (s *Sim) corrupt(b []byte) []byte {
	s.faultsMu.Lock()
	roll, cut := s.frng.IntN(2), s.frng.IntN(max(len(b)-1, 1))
	s.faultsMu.Unlock()
	key := []byte(`"ano_modelo":`)
	if n := bytes.Count(b, key); roll == 0 && n > 0 {
		which := cut % n
		at := 0
		for range which + 1 {
			at += bytes.Index(b[at:], key) + len(key)
		}
		end := at
		if end < len(b) && b[end] == '"' {
			end += 1 + bytes.IndexByte(b[end+1:], '"') + 1
		} else {
			for end < len(b) && b[end] != ',' && b[end] != '}' {
				end++
			}
		}
		out := make([]byte, 0, len(b)+16)
		out = append(out, b[:at]...)
		out = append(out, `{"corrompido":true}`...)
		return append(out, b[end:]...)
	}
	return b[:cut/2+1]
}

func (s *Sim) currentFaults() Faults {
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return s.faults
}

// Held is the longest the simulator may hold a reply with its faults now: latency, jitter
// and a hang. A server in front of it must let a reply take that long.
func (s *Sim) Held() time.Duration {
	f := s.currentFaults()
	return f.Latency + f.Jitter + f.hang()
}

// hang is how long a hung request is held at most.
func (f Faults) hang() time.Duration {
	if f.HangFor == 0 {
		return 5 * time.Minute
	}
	return f.HangFor
}

func (s *Sim) jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	s.faultsMu.Lock()
	defer s.faultsMu.Unlock()
	return time.Duration(s.frng.Int64N(int64(max)))
}

// drawFault draws this response's fault, if any: 5xx, 429 or a hang.
func (s *Sim) drawFault(r *http.Request, f Faults) (reply, bool) {
	if f.Fail5xx+f.Fail429+f.FailHang == 0 {
		return reply{}, false
	}
	s.faultsMu.Lock()
	x, which := s.frng.Float64(), s.frng.IntN(3)
	s.faultsMu.Unlock()
	switch {
	case x < f.Fail5xx:
		s.stats.faults.Add(1)
		status := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[which]
		return fail(status, "Erro interno do servidor", "Tente novamente mais tarde"), true
	case x < f.Fail5xx+f.Fail429:
		s.stats.faults.Add(1)
		rep := fail(http.StatusTooManyRequests, "Muitas requisições", "Aguarde antes de tentar novamente")
		rep.header = http.Header{"Retry-After": {"1"}}
		return rep, true
	case x < f.Fail5xx+f.Fail429+f.FailHang:
		s.stats.faults.Add(1)
		t := time.NewTimer(f.hang())
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-s.closing:
		case <-t.C:
		}
		return fail(http.StatusGatewayTimeout, "Tempo esgotado"), true
	}
	return reply{}, false
}

func (s *Sim) drawMalformed(f Faults) bool {
	if f.FailMalformed == 0 {
		return false
	}
	s.faultsMu.Lock()
	x := s.frng.Float64()
	s.faultsMu.Unlock()
	if x < f.FailMalformed {
		s.stats.faults.Add(1)
		return true
	}
	return false
}

// blockState tracks one token's recent requests for the extraction block.
type blockState struct {
	hits  []time.Time
	until time.Time
}

// checkBlock counts a request by principal and answers 403 while the principal is blocked.
func (s *Sim) checkBlock(principal string, f Faults) (reply, bool) {
	if f.BlockAfter <= 0 {
		return reply{}, false
	}
	now := s.opts.Now()
	s.authMu.Lock()
	defer s.authMu.Unlock()
	b := s.blocks[principal]
	if b == nil {
		b = &blockState{}
		s.blocks[principal] = b
	}
	blocked := fail(http.StatusForbidden, "Forbidden",
		"Token BLOQUEADO temporariamente por excesso de extracao de DADOS. Aguarde e tente novamente mais tarde")
	if now.Before(b.until) {
		return blocked, true
	}
	cutoff := now.Add(-f.BlockWindow)
	kept := b.hits[:0]
	for _, t := range b.hits {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	b.hits = append(kept, now)
	if len(b.hits) > f.BlockAfter {
		dur := f.BlockFor
		if dur == 0 {
			dur = time.Hour
		}
		b.until, b.hits = now.Add(dur), b.hits[:0]
		s.stats.blocks.Add(1)
		return blocked, true
	}
	return reply{}, false
}

// window is a daily access window in local time.
type window struct{ from, to time.Duration }

func parseWindow(s string) (window, error) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return window{}, fmt.Errorf("access hours %q: want HH:MM-HH:MM", s)
	}
	from, err1 := parseClock(a)
	to, err2 := parseClock(b)
	if err1 != nil || err2 != nil || from == to {
		return window{}, fmt.Errorf("access hours %q: want HH:MM-HH:MM", s)
	}
	return window{from, to}, nil
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func (w window) contains(t time.Time) bool {
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	if w.from < w.to {
		return d >= w.from && d < w.to
	}
	return d >= w.from || d < w.to // a window across midnight
}
