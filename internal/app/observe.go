package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"helpdesk/internal/httpapi"
)

// Metrics are the desk's Prometheus metrics. Each App has its own registry
// (no package-level state), served at /metrics.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// MailIntake counts mail intake outcomes by the log status (created,
	// appended, ignored, failed, dead; "error" when none could be recorded),
	// incremented by the mail service through Counter.
	MailIntake *prometheus.CounterVec
	// SSE counts the open server-sent-event connections: Inc on connect,
	// Dec on close.
	SSE prometheus.Gauge
}

// Counter is the small interface other packages count through (mail
// intake outcomes, for instance), so they need no Prometheus import.
type Counter interface{ Inc(label string) }

type labelCounter struct{ v *prometheus.CounterVec }

func (c labelCounter) Inc(label string) { c.v.WithLabelValues(label).Inc() }

// MailCounter returns the mail intake outcome counter.
func (m *Metrics) MailCounter() Counter { return labelCounter{m.MailIntake} }

// Gauge is the small interface for up/down counts (SSE connections).
type Gauge interface {
	Inc()
	Dec()
}

// SSEGauge returns the open SSE connection gauge.
func (m *Metrics) SSEGauge() Gauge { return m.SSE }

// newMetrics registers the metrics; gauges that read the database are
// collected on scrape by collector.
func newMetrics(a *App) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "helpdesk_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "helpdesk_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10)},
			[]string{"route", "method"}),
		MailIntake: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "helpdesk_mail_intake_total",
			Help: "Mail intake outcomes."}, []string{"outcome"}),
		SSE: prometheus.NewGauge(prometheus.GaugeOpts{Name: "helpdesk_sse_connections", Help: "Open server-sent-event connections."}),
	}
	for _, o := range []string{"created", "appended", "ignored", "failed", "dead", "error"} {
		m.MailIntake.WithLabelValues(o) // present at zero before the first mail
	}
	reg.MustRegister(m.requests, m.latency, m.MailIntake, m.SSE, prometheus.NewGoCollector(),
		prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}), &dbCollector{a: a})
	return m
}

// dbCollector reads the figures that live in the database on each scrape:
// tickets by status, SLA breaches, the job queue.
type dbCollector struct{ a *App }

var (
	descTickets  = prometheus.NewDesc("helpdesk_tickets", "Tickets by status.", []string{"status"}, nil)
	descBreached = prometheus.NewDesc("helpdesk_sla_breached_open_tickets", "Open tickets with a breached SLA target.", nil, nil)
	descJobs     = prometheus.NewDesc("helpdesk_jobs", "Durable jobs by state (scheduled = queue depth, dead = failed for good).", []string{"state"}, nil)
	descMarks    = prometheus.NewDesc("helpdesk_report_refresh_pending", "Tickets changed since the report rollups last took them up.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descTickets
	ch <- descBreached
	ch <- descJobs
	ch <- descMarks
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if st, err := c.a.DB.Ops().StatusCounts(ctx); err == nil {
		for s, n := range st {
			ch <- prometheus.MustNewConstMetric(descTickets, prometheus.GaugeValue, float64(n), s)
		}
	}
	if n, err := c.a.DB.Ops().BreachedOpen(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descBreached, prometheus.GaugeValue, float64(n))
	}
	if st, err := c.a.DB.Jobs().Stats(ctx); err == nil {
		for s, n := range map[string]int64{"scheduled": st.Scheduled, "running": st.Running, "done": st.Done, "dead": st.Dead, "canceled": st.Canceled} {
			ch <- prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, float64(n), s)
		}
	}
	if n, err := c.a.DB.Reports().Pending(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descMarks, prometheus.GaugeValue, float64(n))
	}
}

// metricsHandler serves /metrics.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

type requestIDKey struct{}

// requestIDOf returns the request id carried by ctx.
func requestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID accepts a client's id of up to 64 safe characters.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ridHandler adds the request id to every log record made with a
// request's context.
type ridHandler struct{ slog.Handler }

func (h ridHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDOf(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h ridHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ridHandler{h.Handler.WithAttrs(as)}
}
func (h ridHandler) WithGroup(n string) slog.Handler { return ridHandler{h.Handler.WithGroup(n)} }

// observe gives each request an id (X-Request-ID from the client when
// valid, otherwise a new one, echoed in the answer), logs it once at the
// boundary with that id, and counts it by route pattern and status.
func (a *App) observe(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(httpapi.RequestIDHeader)
		if !validRequestID(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
			r.Header.Set(httpapi.RequestIDHeader, id)
		}
		w.Header().Set(httpapi.RequestIDHeader, id)
		ctx := httpapi.WithRequestID(context.WithValue(r.Context(), requestIDKey{}, id), id)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		// The route pattern, not the path: bounded label values.
		route := "unmatched"
		if _, pattern := mux.Handler(r); pattern != "" {
			route = pattern
		}
		if route == "/api/" {
			route = apiRoute(a, r)
		}
		dur := time.Since(start)
		if a.Metrics != nil {
			a.Metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
			a.Metrics.latency.WithLabelValues(route, r.Method).Observe(dur.Seconds())
		}
		lvl := slog.LevelDebug
		if sw.status >= 500 {
			lvl = slog.LevelError
		}
		a.Log.Log(ctx, lvl, "request", "method", r.Method, "route", route, "path", r.URL.Path, "status", sw.status, "dur", dur)
	})
}

// apiRoute finds the OpenAPI path template of an API request, so metrics
// are labelled /api/v1/tickets/{number} rather than by ticket number.
func apiRoute(a *App, r *http.Request) string {
	if a.api == nil {
		return "/api/"
	}
	if p, ok := a.api.Route(r.Method, r.URL.Path); ok {
		return p
	}
	return "/api/"
}
