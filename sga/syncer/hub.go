package syncer

import (
	"sync"
	"time"

	"ponte/store"
)

// Phases of a run, as Progress.Phase names them.
const (
	PhaseIdle     = "idle"
	PhaseQueued   = "queued" // waiting for another association's sync to end
	PhaseStarting = "starting"
	PhaseCounting = "counting"
	PhaseReading  = "reading"
	PhasePaused   = "paused" // the extraction block: PausedUntil says until when
	PhaseMarking  = "marking"
	PhaseDone     = "done"
)

// Progress is the state of the sync engine, as every screen shows it.
type Progress struct {
	Association string // the short name of the association syncing
	Running     bool
	RunID       uint64
	Kind        string // store.RunFull, store.RunIncremental or store.RunClient
	Source      string // store.SourceSync or store.SourceManual
	FellBack    bool   // SGA refused the credentials the run read with first; it reads with Source's
	NoteCode    string // why a run reads in full when the change feed was asked for (Note*)
	Client      string // the CPF, for a client run
	StartedBy   string
	StartedAt   time.Time
	Phase       string
	PausedUntil time.Time

	PagesDone, PagesTotal int
	Clients, Vehicles     int // read so far
	Changed               int // vehicles whose situação changed, or that left the list
	Errors                int
	Rate                  float64       // vehicles per second
	ETA                   time.Duration // 0 when unknown

	Status      string // when done: store.Status*
	CancelledBy string // who cancelled it, when Status is cancelled
	Reason      string // why, in English (logs, the command line)
	ReasonCode  string // why, as a Reason* code (the console)
}

// OfAssociation reports whether the progress is of a run that stands for its association's
// sync state (store.AssociationKind): not a client's own run.
func (p Progress) OfAssociation() bool { return store.AssociationKind(p.Kind) }

// readToEnd reports whether the run is over having read all it set out to read: it succeeded,
// or ended partial (some pages in error, every page asked for).
func (p Progress) readToEnd() bool {
	return !p.Running && p.Phase == PhaseDone && (p.Status == store.StatusSucceeded || p.Status == store.StatusPartial)
}

// endPages is the pages done to show: all of them for a run read to its end.
func (p Progress) endPages() int {
	if p.readToEnd() {
		return max(p.PagesDone, p.PagesTotal)
	}
	return p.PagesDone
}

// Fraction is how far the run is, from 0 to 1: 1 for a run read to its end (even when the
// listing it read gave no page count), else the pages done over the total, when known.
func (p Progress) Fraction() float64 {
	switch {
	case p.readToEnd():
		return 1
	case p.PagesTotal <= 0:
		return 0
	}
	return min(1, float64(p.PagesDone)/float64(p.PagesTotal))
}

// Measured reports whether Fraction says how far the run is: its page count is known, or it
// read to its end (100%), or there is no run. Not for a run of a listing that gives no page
// count (SGA's manual one) that runs or stopped short: what shows it tells the pages read.
func (p Progress) Measured() bool {
	return p.PagesTotal > 0 || p.readToEnd() || p.Phase == PhaseIdle
}

// Hub hands the engine's progress to any number of subscribers. Each gets a channel of
// capacity one that always holds the newest state: a subscriber that reads slowly (a session
// on a bad link) skips states, and never slows the engine. Updates are coalesced to at most
// about ten a second; the final state of a run is sent at once.
type Hub struct {
	mu      sync.Mutex
	subs    map[chan Progress]struct{}
	last    Progress
	sentAt  time.Time
	pending bool
	timer   *time.Timer
	closed  bool
}

// minInterval is the shortest time between two updates sent to subscribers.
const minInterval = 200 * time.Millisecond

// NewHub returns a hub whose state is idle.
func NewHub() *Hub {
	return &Hub{subs: map[chan Progress]struct{}{}, last: Progress{Phase: PhaseIdle}}
}

// Subscribe returns a channel that receives the current state at once and every later one,
// and a function that unsubscribes and releases it.
func (h *Hub) Subscribe() (<-chan Progress, func()) {
	ch := make(chan Progress, 1)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(ch)
		return ch, func() {}
	}
	h.subs[ch] = struct{}{}
	ch <- h.last
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			if _, ok := h.subs[ch]; ok {
				delete(h.subs, ch)
				close(ch)
			}
			h.mu.Unlock()
		})
	}
}

// Latest returns the newest state.
func (h *Hub) Latest() Progress {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Subscribers counts the current subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Publish records a new state and sends it, or schedules it within minInterval.
func (h *Hub) Publish(p Progress) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.last = p
	final := !p.Running
	wait := minInterval - time.Since(h.sentAt)
	if final || wait <= 0 {
		h.flushLocked()
		return
	}
	if !h.pending {
		h.pending = true
		h.timer = time.AfterFunc(wait, func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.pending && !h.closed {
				h.flushLocked()
			}
		})
	}
}

func (h *Hub) flushLocked() {
	h.pending = false
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	h.sentAt = time.Now()
	for ch := range h.subs {
		select { // drop the stale state, if the subscriber has not read it
		case <-ch:
		default:
		}
		ch <- h.last // cannot block: the channel is empty and only we send
	}
}

// Close releases every subscriber; later publishes are dropped.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	if h.timer != nil {
		h.timer.Stop()
	}
	for ch := range h.subs {
		close(ch)
		delete(h.subs, ch)
	}
}
