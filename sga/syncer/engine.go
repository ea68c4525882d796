// Package syncer brings SGA's clients and vehicles into the store: the daily full sync of every
// client that has our product, and the sync of one client. It resumes from its checkpoint after
// any interruption, records every failure with its reason, goes as fast as SGA allows, and
// publishes its progress to any number of watchers.
package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"ponte/sga"
	"ponte/store"
	"ponte/store/norm"
)

// ErrBusy: a sync is already running; the caller is told instead of starting a second.
var ErrBusy = errors.New("a sync is already running")

// DefaultMaxConcurrent is how many associations sync at once unless Options say otherwise.
const DefaultMaxConcurrent = 4

// Options tune an Engine. Zero values take the defaults named on each field.
type Options struct {
	Workers       int           // pages fetched at once in one association; default 4
	MaxConcurrent int           // associations syncing at once; default 4
	BatchVehicles int           // vehicles per store transaction; default 5000
	FlushEvery    time.Duration // the longest read data waits for its transaction; default 1s
	Rate          float64       // SGA requests per second; default 4; negative: no pacing
	Timeout       time.Duration // per SGA request; default 30s
	MaxRetries    int           // per SGA request; default 4
	BlockProbe    time.Duration // first wait after SGA's extraction block; default 5s, doubling to BlockProbeMax
	BlockProbeMax time.Duration // default 5m
	PageRetries   int           // immediate re-reads of a page with unreadable records; default 2
	// MaxGone is the largest part of the stored fleet, in percent, that one full sync may mark
	// as gone from SGA's list; a run that would mark more marks nothing and ends partial.
	// Default 20; 100 lets any number go. Up to goneFloor vehicles may always go.
	MaxGone float64
	Logger  *slog.Logger // default: discard
	Now     func() time.Time
	// RetryBase and RetryMax tune the SGA client's backoff (tests make them small).
	RetryBase, RetryMax time.Duration
	// OnRetry is told of each SGA request that failed and will be tried again.
	OnRetry func(sga.Retry)
	// OnRequest is told of every SGA request a sync or a probe sent, once answered (see
	// sga.Outcome); OnPause of every pause for SGA's extraction block. Both are for metrics:
	// they must be quick and safe for concurrent use. association is "" for a probe.
	OnRequest func(association, route string, err error)
	OnPause   func(association string)
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.BatchVehicles <= 0 {
		o.BatchVehicles = 5000
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 4
	}
	if o.BlockProbe <= 0 {
		o.BlockProbe = 5 * time.Second
	}
	if o.BlockProbeMax <= 0 {
		o.BlockProbeMax = 5 * time.Minute
	}
	if o.PageRetries == 0 {
		o.PageRetries = 2
	}
	if o.MaxGone <= 0 {
		o.MaxGone = 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Request asks for a run: a full sync, or one client's when CPF is set.
type Request struct {
	// Association names the association to sync, by short name; empty: the only one there is.
	Association string
	CPF         string
	// Mode is how a run reads SGA: ModeFull (the default), ModeIncremental or ModeAuto.
	Mode string
	By   store.Actor
	// BaseURL overrides the stored SGA URL for this run (ponte --sga-url).
	BaseURL string
	daily   bool // set by EnableDaily: a run that works turns the daily sync on
}

// kind is the kind of run the request makes, as far as it is known before the run starts: a
// client's, or "" (full or incremental, which the run decides).
func (r Request) kind() string {
	if r.CPF != "" {
		return store.RunClient
	}
	return ""
}

// Engine runs syncs against the store: one at a time in each association, up to
// Options.MaxConcurrent associations at once, the rest queued in the order they asked. Each
// association has its own SGA client, pacing, extraction-block state and progress hub, so one
// that is blocked or failing touches no other. It is safe for concurrent use.
type Engine struct {
	st  Store
	opt Options

	life     context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	slots    chan struct{} // one per association allowed to sync at once
	activity *Hub          // every association's progress, newest first

	mu     sync.Mutex
	lanes  map[uint64]*lane
	wakeup chan struct{} // a schedule changed

	started   atomic.Bool                // StartSchedule was called
	scheduled atomic.Bool                // the schedule's loop is running
	tickErr   atomic.Pointer[tickFailed] // its last tick's failure; nil once one works
}

// lane is one association's side of the engine: its hub and its run.
type lane struct {
	at  atomic.Pointer[laneAt] // replaced whole when the association changes
	hub *Hub
	cur *active // guarded by the engine's mu
}

// laneAt is the association a lane serves, as last read, and the store seen from it.
type laneAt struct {
	assoc store.Association
	st    assocStore
}

func (l *lane) now() *laneAt { return l.at.Load() }

type active struct {
	cancel   context.CancelFunc
	by       store.Actor
	shutdown bool // stopped by the process's shutdown, not cancelled by anyone
	done     chan struct{}
	run      store.Run
	err      error
}

// goneFloor is how many vehicles a full sync may always mark gone, whatever MaxGone says: in
// a small fleet a few leaving is a large share and no sign of a wrong setting.
const goneFloor = 10

// allowGone is the MaxGone rule: may a full sync mark would of fleet vehicles gone?
func (e *Engine) allowGone(would, fleet int) bool {
	return would <= goneFloor || float64(would) <= e.opt.MaxGone/100*float64(fleet)
}

// ShutdownActor is who stops a run when the engine closes: the server (or the process)
// stopping, not the operator who started the run.
var ShutdownActor = store.Actor{Who: "server", From: "shutdown"}

// ErrShutdown is the cause a run's context ends with when the process shuts down
// (context.WithCancelCause): the run stops at its checkpoint as interrupted by the shutdown,
// which the next run continues, not as cancelled by whoever asked for it. Close stops every
// run so too.
var ErrShutdown = errors.New("the server is shutting down")

// reasonShutdown is the reason of a run the shutdown stopped.
const reasonShutdown = "interrupted by the server's shutdown; the next run continues from its checkpoint"

// ErrDisabled: the association is disabled; it does not sync until it is enabled again.
var ErrDisabled = errors.New("association disabled")

// New returns an engine over st (seen from no association: the engine serves them all).
func New(st Store, o Options) *Engine {
	o.defaults()
	life, stop := context.WithCancel(context.Background())
	return &Engine{st: st, opt: o, life: life, stop: stop, slots: make(chan struct{}, o.MaxConcurrent),
		activity: NewHub(), lanes: map[uint64]*lane{}, wakeup: make(chan struct{}, 1)}
}

// Ended is the progress of a run that is over, as its record tells it: all its pages when it
// read the listing to the end, else the pages it read.
func Ended(r store.Run) Progress {
	p := Progress{Association: r.Association, RunID: r.ID, Kind: r.Kind, Source: r.Source, FellBack: r.FellBack,
		NoteCode: r.NoteCode, Client: r.Client, StartedBy: r.StartedBy, StartedAt: r.StartedAt, Phase: PhaseDone,
		PagesDone: r.Counts.PagesDone, PagesTotal: r.Counts.PagesTotal,
		Clients: r.Counts.Clients(), Vehicles: r.Counts.Vehicles(),
		Changed: r.Counts.SituationsChanged + r.Counts.VehiclesGone, Errors: r.ErrorCount,
		Status: r.Status, CancelledBy: r.CancelledBy, Reason: r.Reason, ReasonCode: r.ReasonCode}
	p.PagesDone = p.endPages()
	return p
}

// lane finds an association's lane, made on first use; ref is a short name, or empty for the
// only association there is.
func (e *Engine) lane(ref string) (*lane, error) {
	var a store.Association
	var err error
	if ref == "" {
		a, err = e.sole()
	} else {
		a, err = e.st.Association(ref)
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if l, ok := e.lanes[a.ID]; ok {
		if l.now().assoc != a { // renamed, disabled or enabled since: the next run sees it so
			st, err := e.st.ForAssociation(a.Slug)
			if err != nil {
				return nil, err
			}
			l.at.Store(&laneAt{assoc: a, st: st})
		}
		return l, nil
	}
	st, err := e.st.ForAssociation(a.Slug)
	if err != nil {
		return nil, err
	}
	l := &lane{hub: NewHub()}
	l.at.Store(&laneAt{assoc: a, st: st})
	l.hub.Publish(Progress{Association: a.Slug, Phase: PhaseIdle})
	// Every screen shows how the association's last sync went before the engine runs another.
	if last, err := st.LastRun(); err == nil && last != nil && last.Status != store.StatusRunning {
		p := Ended(*last)
		p.Association = a.Slug
		l.hub.Publish(p)
	}
	e.lanes[a.ID] = l
	return l, nil
}

// ErrWhichAssociation: more than one association, and a request named none.
var ErrWhichAssociation = errors.New("more than one association: name one")

func (e *Engine) sole() (store.Association, error) {
	all, err := e.st.Associations()
	switch {
	case err != nil:
		return store.Association{}, err
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return store.Association{}, fmt.Errorf("no association: %w", store.ErrNotFound)
	}
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Slug
	}
	return store.Association{}, fmt.Errorf("%w (%s)", ErrWhichAssociation, strings.Join(names, ", "))
}

// Hub returns an association's progress hub (ref as in Request.Association). An association
// that cannot be found gets a hub that stays idle.
func (e *Engine) Hub(ref string) *Hub {
	l, err := e.lane(ref)
	if err != nil {
		return NewHub()
	}
	return l.hub
}

// Activity returns the hub every association's progress goes through as well: its newest
// state is whichever association published last. Screens that count syncs watch it.
func (e *Engine) Activity() *Hub { return e.activity }

func (e *Engine) publish(l *lane, p Progress) {
	p.Association = l.now().assoc.Slug
	l.hub.Publish(p)
	e.activity.Publish(p)
}

// Start begins a run in the background. It returns ErrBusy if the association has one going.
func (e *Engine) Start(req Request) error {
	_, err := e.start(req)
	return err
}

func (e *Engine) start(req Request) (*active, error) {
	if req.CPF != "" {
		// A CPF typed wrong would cost a failed run, and a request to SGA, each time.
		if _, err := norm.CheckCPF(req.CPF); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadCPF, err)
		}
	}
	l, err := e.lane(req.Association)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case l.now().assoc.Disabled:
		return nil, fmt.Errorf("%s: %w", l.now().assoc.Slug, ErrDisabled)
	case l.cur != nil:
		return nil, ErrBusy
	case e.life.Err() != nil:
		return nil, errors.New("sync engine closed")
	}
	ctx, cancel := context.WithCancel(e.life)
	a := &active{cancel: cancel, done: make(chan struct{})}
	l.cur = a
	e.publish(l, Progress{Running: true, Phase: PhaseQueued, Kind: req.kind(), StartedBy: req.By.Who, Client: req.CPF, StartedAt: e.opt.Now()})
	e.wg.Go(func() {
		defer cancel()
		a.run, a.err = e.queued(ctx, l, req)
		e.mu.Lock()
		l.cur = nil
		e.mu.Unlock()
		close(a.done)
	})
	return a, nil
}

// queued waits for a free slot, then runs.
func (e *Engine) queued(ctx context.Context, l *lane, req Request) (store.Run, error) {
	acquired := false
	select {
	case e.slots <- struct{}{}:
		acquired = true
	case <-ctx.Done():
	}
	if ctx.Err() != nil { // cancelled while it waited: it never started, so no run records it
		if acquired {
			<-e.slots
		}
		p := Progress{Phase: PhaseDone, Kind: req.kind(), StartedBy: req.By.Who, Client: req.CPF}
		if by, shutdown := e.cancelledBy(l); shutdown {
			p.Status, p.ReasonCode, p.Reason = store.StatusInterrupted, store.ReasonInterrupted, reasonShutdown+" (it had not started)"
		} else {
			p.Status, p.CancelledBy, p.ReasonCode, p.Reason = store.StatusCancelled, by.Who, ReasonCancelled, "cancelled by "+by.Who+" before it started"
		}
		e.publish(l, p)
		return store.Run{}, context.Canceled
	}
	defer func() { <-e.slots }()
	e.publish(l, Progress{Running: true, Phase: PhaseStarting, Kind: req.kind(), StartedBy: req.By.Who, Client: req.CPF, StartedAt: e.opt.Now()})
	return e.execute(ctx, l, req)
}

// Run runs a sync and waits for it. Cancelling ctx cancels the run, which then ends
// "cancelled" with what it wrote kept; "interrupted" when ctx's cause is ErrShutdown.
func (e *Engine) Run(ctx context.Context, req Request) (store.Run, error) {
	a, err := e.start(req)
	if err != nil {
		return store.Run{}, err
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		e.mu.Lock()
		if errors.Is(context.Cause(ctx), ErrShutdown) {
			stopLocked(a, ShutdownActor, true) // the process stops: nobody gave up on the run
		} else {
			stopLocked(a, req.By, false) // whoever asked for the run gave up on it (Ctrl-C, say)
		}
		e.mu.Unlock()
		<-a.done
	}
	return a.run, a.err
}

// Cancel stops an association's running sync, if any, and reports whether there was one.
func (e *Engine) Cancel(ref string, by store.Actor) bool {
	l, err := e.lane(ref)
	if err != nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if l.cur == nil {
		return false
	}
	stopLocked(l.cur, by, false)
	return true
}

// stopLocked stops a run, cancelled by by or interrupted by the shutdown; the first to stop
// it is what the run records.
func stopLocked(a *active, by store.Actor, shutdown bool) {
	if a.by == (store.Actor{}) {
		a.by, a.shutdown = by, shutdown
	}
	a.cancel()
}

// MaxConcurrent is how many associations sync at once.
func (e *Engine) MaxConcurrent() int { return e.opt.MaxConcurrent }

// Running reports whether an association has a sync going (queued included).
func (e *Engine) Running(ref string) bool {
	l, err := e.lane(ref)
	if err != nil {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return l.cur != nil
}

// Busy counts the associations with a sync going, and how many of them wait for a slot.
func (e *Engine) Busy() (running, queued int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.lanes {
		if l.cur == nil {
			continue
		}
		if l.hub.Latest().Phase == PhaseQueued {
			queued++
		} else {
			running++
		}
	}
	return running, queued
}

// Close interrupts every run and the schedule, and waits for them to stop at a checkpoint.
func (e *Engine) Close() {
	e.mu.Lock()
	for _, l := range e.lanes {
		if l.cur != nil {
			stopLocked(l.cur, ShutdownActor, true)
		}
	}
	e.mu.Unlock()
	e.stop()
	e.wg.Wait()
	e.mu.Lock()
	for _, l := range e.lanes {
		l.hub.Close()
	}
	e.mu.Unlock()
	e.activity.Close()
}

// Health says whether the engine works: nil, or why not (closed; its daily schedule
// stopped, or failing to read the associations).
func (e *Engine) Health() error {
	switch {
	case e.life.Err() != nil:
		return errors.New("the sync engine is closed")
	case e.started.Load() && !e.scheduled.Load():
		return errors.New("the daily schedule has stopped")
	}
	if f := e.tickErr.Load(); f != nil {
		return fmt.Errorf("the daily schedule failed at %s: %w", f.at.Format(time.RFC3339), f.err)
	}
	return nil
}

type tickFailed struct {
	at  time.Time
	err error
}

// cancelledBy says who stopped an association's current run, and whether it was the
// shutdown.
func (e *Engine) cancelledBy(l *lane) (by store.Actor, shutdown bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l.cur != nil && l.cur.by != (store.Actor{}) {
		return l.cur.by, l.cur.shutdown
	}
	return ShutdownActor, true // stopped through the engine's life, by nothing else
}

// execute runs one sync to its end and records how it ended.
func (e *Engine) execute(ctx context.Context, l *lane, req Request) (store.Run, error) {
	at := l.now()
	in, err := at.st.Integration()
	if err != nil {
		e.finishUnstarted(l, req, err)
		return store.Run{}, fmt.Errorf("read the SGA integration: %w", err)
	}
	rules, err := at.st.Rules()
	if err != nil {
		e.finishUnstarted(l, req, err)
		return store.Run{}, fmt.Errorf("read the association's rules: %w", err)
	}
	if req.BaseURL != "" {
		in.SGAURL = req.BaseURL
	}
	log := e.opt.Logger.With("association", at.assoc.Slug)
	log.Info("sync starting", "by", req.By.Who, "mode", cmp.Or(req.Mode, "full"), "client", req.CPF != "")
	client := e.newClient(in, log, at.assoc.Slug)
	defer client.Close()
	r := &runner{e: e, l: l, log: log, st: at.st, client: client, in: in, rules: rules, req: req, start: e.opt.Now(),
		slots: make(chan struct{}, max(1, e.opt.Workers))}
	if req.CPF != "" {
		return r.syncClient(ctx)
	}
	incremental, why := r.plan(req.Mode)
	if incremental {
		return r.syncIncremental(ctx)
	}
	r.note = why
	return r.syncFull(ctx)
}

// finishUnstarted publishes the end of a run that could not even start.
func (e *Engine) finishUnstarted(l *lane, req Request, err error) {
	code := ReasonOther
	if errors.Is(err, store.ErrMissingKey) || errors.Is(err, store.ErrWrongKey) {
		code = ReasonNoKey
	}
	e.opt.Logger.Error("sync could not start", "association", l.now().assoc.Slug, "err", err)
	e.publish(l, Progress{Phase: PhaseDone, Kind: req.kind(), Status: store.StatusFailed, Reason: err.Error(), ReasonCode: code,
		StartedBy: req.By.Who, Client: req.CPF})
}

// newClient is the SGA client of one run (association its short name) or of a probe ("").
func (e *Engine) newClient(in store.Integration, logger *slog.Logger, association string) *sga.Client {
	var observe func(string, error)
	if on := e.opt.OnRequest; on != nil {
		observe = func(route string, err error) { on(association, route, err) }
	}
	return sga.New(sga.Config{
		BaseURL: in.SGAURL,
		Credentials: sga.Credentials{User: in.User, Password: in.Password, APIKey: in.APIKey,
			SyncToken: in.SyncToken},
		Timeout:           e.opt.Timeout,
		RequestsPerSecond: e.opt.Rate,
		MaxRetries:        e.opt.MaxRetries,
		RetryBase:         e.opt.RetryBase,
		RetryMax:          e.opt.RetryMax,
		Logger:            logger,
		OnRetry:           e.opt.OnRetry,
		OnRequest:         observe,
	})
}
