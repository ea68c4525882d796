// Package syncer brings SGA's clients and vehicles into the store: the daily full sync of every
// client that has our product, and the sync of one client. It resumes from its checkpoint after
// any interruption, records every failure with its reason, goes as fast as SGA allows, and
// publishes its progress to any number of watchers.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ponte/sga"
	"ponte/store"
)

// ErrBusy: a sync is already running; the caller is told instead of starting a second.
var ErrBusy = errors.New("a sync is already running")

// Options tune an Engine. Zero values take the defaults named on each field.
type Options struct {
	Workers       int           // pages fetched at once; default 4
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
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 4
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
	CPF string
	By  store.Actor
	// BaseURL overrides the stored SGA URL for this run (ponte --sga-url).
	BaseURL string
	daily   bool // set by EnableDaily: a run that works turns the daily sync on
}

// Engine runs syncs against the store, one at a time. It is safe for concurrent use.
type Engine struct {
	st  *store.Store
	opt Options
	hub *Hub

	life   context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	cur    *active
	wakeup chan struct{} // the schedule changed
}

type active struct {
	cancel context.CancelFunc
	by     store.Actor
	done   chan struct{}
	run    store.Run
	err    error
}

// goneFloor is how many vehicles a full sync may always mark gone, whatever MaxGone says: in
// a small fleet a few leaving is a large share and no sign of a wrong setting.
const goneFloor = 10

// allowGone is the MaxGone rule: may a full sync mark would of fleet vehicles gone?
func (e *Engine) allowGone(would, fleet int) bool {
	return would <= goneFloor || float64(would) <= e.opt.MaxGone/100*float64(fleet)
}

// ShutdownActor is who cancels a run when the engine closes: the server (or the process)
// stopping, not the operator who started the run.
var ShutdownActor = store.Actor{Who: "server", From: "shutdown"}

// New returns an engine over st. Its hub starts with the last finished run, so that every
// screen shows how the last sync went before the engine runs another.
func New(st *store.Store, o Options) *Engine {
	o.defaults()
	life, stop := context.WithCancel(context.Background())
	e := &Engine{st: st, opt: o, hub: NewHub(), life: life, stop: stop, wakeup: make(chan struct{}, 1)}
	if runs, err := st.Runs(1); err == nil && len(runs) == 1 && runs[0].Status != store.StatusRunning {
		e.hub.Publish(finished(runs[0]))
	}
	return e
}

// finished is the progress of a run that is over: all its pages when it read the listing to
// the end, else the pages it read.
func finished(r store.Run) Progress {
	done := r.Counts.PagesDone
	if r.Status == store.StatusSucceeded || r.Status == store.StatusPartial {
		done = r.Counts.PagesTotal
	}
	return Progress{RunID: r.ID, Kind: r.Kind, Source: r.Source, Client: r.Client, StartedBy: r.StartedBy,
		StartedAt: r.StartedAt, Phase: PhaseDone, PagesDone: done, PagesTotal: r.Counts.PagesTotal,
		Clients: r.Counts.Clients(), Vehicles: r.Counts.Vehicles(),
		Changed: r.Counts.SituationsChanged + r.Counts.VehiclesGone, Errors: r.ErrorCount,
		Status: r.Status, Reason: r.Reason, ReasonCode: r.ReasonCode}
}

// Hub returns the engine's progress hub.
func (e *Engine) Hub() *Hub { return e.hub }

// Start begins a run in the background. It returns ErrBusy if one is going.
func (e *Engine) Start(req Request) error {
	_, err := e.start(req)
	return err
}

func (e *Engine) start(req Request) (*active, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != nil {
		return nil, ErrBusy
	}
	if e.life.Err() != nil {
		return nil, errors.New("sync engine closed")
	}
	ctx, cancel := context.WithCancel(e.life)
	a := &active{cancel: cancel, done: make(chan struct{})}
	e.cur = a
	e.hub.Publish(Progress{Running: true, Phase: PhaseStarting, StartedBy: req.By.Who, Client: req.CPF,
		StartedAt: e.opt.Now()})
	e.wg.Go(func() {
		defer cancel()
		a.run, a.err = e.execute(ctx, req)
		e.mu.Lock()
		e.cur = nil
		e.mu.Unlock()
		close(a.done)
	})
	return a, nil
}

// Run runs a sync and waits for it. Cancelling ctx cancels the run, which then ends
// "cancelled" with what it wrote kept.
func (e *Engine) Run(ctx context.Context, req Request) (store.Run, error) {
	a, err := e.start(req)
	if err != nil {
		return store.Run{}, err
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		e.cancel(a, req.By) // whoever asked for the run gave up on it (Ctrl-C, say)
		<-a.done
	}
	return a.run, a.err
}

// Cancel stops the running sync, if any, and reports whether there was one.
func (e *Engine) Cancel(by store.Actor) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur == nil {
		return false
	}
	e.cancelLocked(e.cur, by)
	return true
}

func (e *Engine) cancel(a *active, by store.Actor) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cancelLocked(a, by)
}

// cancelLocked cancels a run; the first to cancel it is who the run records.
func (e *Engine) cancelLocked(a *active, by store.Actor) {
	if a.by == (store.Actor{}) {
		a.by = by
	}
	a.cancel()
}

// Running reports whether a sync is going.
func (e *Engine) Running() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur != nil
}

// Close cancels any run and the schedule, and waits for them to stop at a checkpoint.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.cur != nil {
		e.cancelLocked(e.cur, ShutdownActor)
	}
	e.mu.Unlock()
	e.stop()
	e.wg.Wait()
	e.hub.Close()
}

// cancelledBy says who cancelled the current run.
func (e *Engine) cancelledBy() store.Actor {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != nil && e.cur.by != (store.Actor{}) {
		return e.cur.by
	}
	return ShutdownActor // cancelled through the engine's life, by nothing else
}

// execute runs one sync to its end and records how it ended.
func (e *Engine) execute(ctx context.Context, req Request) (store.Run, error) {
	in, err := e.st.Integration()
	if err != nil {
		e.finishUnstarted(req, err)
		return store.Run{}, fmt.Errorf("read the SGA integration: %w", err)
	}
	if req.BaseURL != "" {
		in.SGAURL = req.BaseURL
	}
	client := e.newClient(in)
	defer client.Close()
	r := &runner{e: e, st: e.st, client: client, in: in, req: req, start: e.opt.Now()}
	if req.CPF != "" {
		return r.syncClient(ctx)
	}
	return r.syncFull(ctx)
}

// finishUnstarted publishes the end of a run that could not even start.
func (e *Engine) finishUnstarted(req Request, err error) {
	code := ReasonOther
	if errors.Is(err, store.ErrMissingKey) || errors.Is(err, store.ErrWrongKey) {
		code = ReasonNoKey
	}
	e.opt.Logger.Error("sync could not start", "err", err)
	e.hub.Publish(Progress{Phase: PhaseDone, Status: store.StatusFailed, Reason: err.Error(), ReasonCode: code,
		StartedBy: req.By.Who, Client: req.CPF})
}

func (e *Engine) newClient(in store.Integration) *sga.Client {
	return sga.New(sga.Config{
		BaseURL: in.SGAURL,
		Credentials: sga.Credentials{User: in.User, Password: in.Password, APIKey: in.APIKey,
			SyncToken: in.SyncToken},
		Timeout:           e.opt.Timeout,
		RequestsPerSecond: e.opt.Rate,
		MaxRetries:        e.opt.MaxRetries,
		RetryBase:         e.opt.RetryBase,
		RetryMax:          e.opt.RetryMax,
		Logger:            e.opt.Logger,
		OnRetry:           e.opt.OnRetry,
	})
}
