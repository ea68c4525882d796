package syncer

import (
	"context"
	"errors"
	"sync"
	"time"

	"ponte/sga"
)

// gate pauses every worker while SGA's extraction block lasts. SGA says the block lifts
// "in about an hour" but not when; the gate probes with one request after 5s, then after
// doubling waits up to BlockProbeMax, so a short block costs little and a long one few requests.
type gate struct {
	mu      sync.Mutex
	until   time.Time
	backoff time.Duration
}

func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	return sga.Sleep(ctx, d)
}

// block extends the pause after a blocked request, unless another worker already did; fresh
// says this call began the pause.
func (g *gate) block(first, ceiling time.Duration) (until time.Time, fresh bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Now().Before(g.until) {
		return g.until, false
	}
	if g.backoff == 0 {
		g.backoff = first
	} else {
		g.backoff = min(g.backoff*2, ceiling)
	}
	g.until = time.Now().Add(g.backoff)
	return g.until, true
}

func (g *gate) clear() {
	g.mu.Lock()
	g.backoff = 0
	g.mu.Unlock()
}

// gated runs one SGA call behind the gate, waiting out extraction blocks, in one of the run's
// request slots: whatever runs it, no more than opt.Workers requests are in flight.
func (r *runner) gated(ctx context.Context, call func() error) error {
	for {
		if err := r.gate.wait(ctx); err != nil {
			return err
		}
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := call()
		<-r.slots
		if !errors.Is(err, sga.ErrBlocked) {
			if err == nil {
				r.gate.clear()
			}
			return err
		}
		until, fresh := r.gate.block(r.e.opt.BlockProbe, r.e.opt.BlockProbeMax)
		if !fresh {
			r.publish(func(p *Progress) { p.Phase, p.PausedUntil = PhasePaused, until })
			continue
		}
		r.log.Warn("SGA blocked the token for data extraction; pausing", "until", until.Format(time.TimeOnly))
		if on := r.e.opt.OnPause; on != nil {
			on(r.l.now().assoc.Slug)
		}
		r.publish(func(p *Progress) { p.Phase, p.PausedUntil = PhasePaused, until })
	}
}
