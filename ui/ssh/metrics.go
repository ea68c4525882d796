package ssh

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ponte/sga"
	"ponte/sga/syncer"
	"ponte/store"
)

// Metrics is what ponte serve tells Prometheus: every association's syncs (read from the
// store at each scrape, so they are right after a restart too), SGA's requests by route and
// outcome, the extraction-block pauses, and the SSH sessions and commands.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	pauses   *prometheus.CounterVec
	commands *prometheus.CounterVec
}

// NewMetrics makes the counters; Watch adds what is read at each scrape.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ponte_sga_requests_total",
			Help: "SGA requests sent, retries and logins included, by route template and outcome (ok, transient, rate_limited, unauthorized, blocked, ...).",
		}, []string{"route", "outcome"}),
		pauses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ponte_sync_block_pauses_total",
			Help: "Pauses a sync took because SGA blocked the token for data extraction.",
		}, []string{"association"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ponte_ssh_commands_total",
			Help: "Commands run over SSH (ssh host COMMAND), by command and exit status.",
		}, []string{"command", "status"}),
	}
	m.reg.MustRegister(m.requests, m.pauses, m.commands,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// SGARequest counts one SGA request; it is syncer.Options.OnRequest.
func (m *Metrics) SGARequest(_ string, route string, err error) {
	m.requests.WithLabelValues(route, sga.Outcome(err)).Inc()
}

// Paused counts one extraction-block pause; it is syncer.Options.OnPause.
func (m *Metrics) Paused(association string) { m.pauses.WithLabelValues(association).Inc() }

func (m *Metrics) command(name string, status int) {
	if name == "" {
		name = "unknown"
	}
	m.commands.WithLabelValues(name, strconv.Itoa(status)).Inc()
}

// Watch adds the syncs' state, read from st and eng at each scrape, and the server's open
// sessions.
func (m *Metrics) Watch(st MetricsStore, eng *syncer.Engine, srv *Server) {
	m.reg.MustRegister(&syncState{st: st, eng: eng}, &freshnessState{st: st})
	if srv != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ponte_ssh_sessions_open",
			Help: "SSH sessions open now: consoles and commands.",
		}, func() float64 { return float64(srv.Sessions()) }))
	}
}

// Handler serves /metrics and /healthz: the store answers a read and the engine works
// (200 and {"status":"ok"}), else 503 and what is wrong.
func (m *Metrics) Handler(st store.AssociationStore, eng *syncer.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		problems := map[string]string{}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		read := make(chan error, 1)
		go func() { _, err := st.Associations(); read <- err }()
		select {
		case err := <-read:
			if err != nil {
				problems["store"] = err.Error()
			}
		case <-ctx.Done():
			problems["store"] = "no answer within 5s"
		}
		if err := eng.Health(); err != nil {
			problems["engine"] = err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "failing", "problems": problems})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	return mux
}

// runStatuses are every status a run can have, so that each association's last-run status
// is one series set to 1 among series set to 0.
var runStatuses = []string{store.StatusRunning, store.StatusSucceeded, store.StatusPartial, store.StatusFailed,
	store.StatusCancelled, store.StatusInterrupted}

var (
	descEnabled = prometheus.NewDesc("ponte_association_enabled",
		"1 for an association whose syncs run, 0 for a disabled one.", []string{"association"}, nil)
	descRunning = prometheus.NewDesc("ponte_sync_running",
		"1 while an association has a sync going (queued included).", []string{"association"}, nil)
	descStatus = prometheus.NewDesc("ponte_sync_last_run_status",
		"1 for the status of the association's newest run (full or incremental), 0 for the others.", []string{"association", "status"}, nil)
	descStart = prometheus.NewDesc("ponte_sync_last_run_start_timestamp_seconds",
		"When the association's newest run started.", []string{"association"}, nil)
	descEnd = prometheus.NewDesc("ponte_sync_last_run_end_timestamp_seconds",
		"When the association's newest run ended; absent while it runs.", []string{"association"}, nil)
	descDuration = prometheus.NewDesc("ponte_sync_last_run_duration_seconds",
		"How long the association's newest run took, or has taken so far.", []string{"association"}, nil)
	descVehicles = prometheus.NewDesc("ponte_sync_last_run_vehicles",
		"Vehicles the association's newest run read.", []string{"association"}, nil)
	descErrors = prometheus.NewDesc("ponte_sync_last_run_errors",
		"Records in error in the association's newest run.", []string{"association"}, nil)
	descSuccess = prometheus.NewDesc("ponte_sync_last_success_timestamp_seconds",
		"When the association's newest run that finished (succeeded or partial) ended; 0 for none.", []string{"association"}, nil)
)

// MetricsStore is what the metrics read of the store: each association's runs and
// freshness.
type MetricsStore interface {
	store.RunStore
	store.AssociationStore
}

// syncState reads every association's syncs at each scrape.
type syncState struct {
	st  store.RunStore
	eng *syncer.Engine
}

func (c *syncState) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEnabled, descRunning, descStatus, descStart, descEnd, descDuration, descVehicles, descErrors, descSuccess} {
		ch <- d
	}
}

func (c *syncState) Collect(ch chan<- prometheus.Metric) {
	states, err := c.st.SyncStates()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descStatus, err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	seconds := func(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
	now := time.Now()
	for _, s := range states {
		slug := s.Association.Slug
		gauge(descEnabled, bool01(!s.Association.Disabled), slug)
		gauge(descRunning, bool01(c.eng.Running(slug)), slug)
		success := 0.0
		if !s.LastSuccess.IsZero() {
			success = seconds(s.LastSuccess)
		}
		gauge(descSuccess, success, slug)
		r := s.Last
		if r == nil {
			continue
		}
		for _, status := range runStatuses {
			gauge(descStatus, bool01(r.Status == status), slug, status)
		}
		gauge(descStart, seconds(r.StartedAt), slug)
		end := now
		if !r.FinishedAt.IsZero() {
			end = r.FinishedAt
			gauge(descEnd, seconds(r.FinishedAt), slug)
		}
		gauge(descDuration, end.Sub(r.StartedAt).Seconds(), slug)
		gauge(descVehicles, float64(r.Counts.Vehicles()), slug)
		gauge(descErrors, float64(r.ErrorCount), slug)
	}
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
