package bot

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gregjones/httpcache"
	"github.com/newsletter-bot/newsletter-bot/handlers"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	gometrics "github.com/rcrowley/go-metrics"
)

// Delivery outcomes, the "outcome" label of newsletter_bot_webhook_deliveries_total.
const (
	OutcomeHandled   = "handled"   // its Work ran without error (or it called for none)
	OutcomeFailed    = "failed"    // its Work returned an error (or panicked); the resync retries
	OutcomeCoalesced = "coalesced" // merged into Work already waiting for the same object: handled with it
	OutcomeRejected  = "rejected"  // the signature or the payload was invalid: 400
	OutcomeDropped   = "dropped"   // the queue was full or draining: 503; the resync picks it up
)

// metrics is one replica's Prometheus instrumentation, served on /metrics.
// Label values come from a closed set (the events the app subscribes to,
// GitHub's actions, route templates, status codes), never from free text.
type metrics struct {
	reg *prometheus.Registry

	deliveries *prometheus.CounterVec
	handling   *prometheus.HistogramVec
	dropped    prometheus.Counter
	requests   *prometheus.CounterVec
	resyncs    *prometheus.CounterVec

	// rates holds go-githubapp's per-installation rate-limit gauges
	// (githubapp.ClientMetrics), read out at scrape time.
	rates gometrics.Registry
}

func newMetrics(pending func() int64, lastResync func() time.Time) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), rates: gometrics.NewRegistry()}
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsletter_bot_webhook_deliveries_total",
		Help: "Webhook deliveries received, by event, action and outcome (handled, failed, rejected, dropped).",
	}, []string{"event", "action", "outcome"})
	m.handling = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "newsletter_bot_webhook_handler_duration_seconds",
		Help:    "Time a webhook handler took to run, by event (the wait in the queue is not counted).",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"event"})
	m.dropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "newsletter_bot_webhook_queue_dropped_total",
		Help: "Webhook deliveries refused with a 503 because the queue was full or draining.",
	})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsletter_bot_github_requests_total",
		Help: "Requests to GitHub's REST API, by method, route and status (304: answered from the ETag cache; \"error\": no response).",
	}, []string{"method", "route", "status"})
	m.resyncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsletter_bot_resync_passes_total",
		Help: "Resync passes, by outcome (ok, failed).",
	}, []string{"outcome"})
	m.reg.MustRegister(m.deliveries, m.handling, m.dropped, m.requests, m.resyncs,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "newsletter_bot_webhook_queue_depth",
			Help: "Webhook deliveries accepted and not yet handled.",
		}, func() float64 { return float64(pending()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "newsletter_bot_resync_last_success_timestamp_seconds",
			Help: "When the last resync pass without errors ended, in Unix seconds (0: none yet).",
		}, func() float64 {
			if t := lastResync(); !t.IsZero() {
				return float64(t.UnixNano()) / 1e9
			}
			return 0
		}),
		rateCollector{m.rates},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// rateMiddleware records the rate limit left per installation, with
// go-githubapp's own middleware.
func (m *metrics) rateMiddleware() githubapp.ClientMiddleware {
	return githubapp.ClientMetrics(m.rates)
}

// requestMiddleware records every request to GitHub by route and status.
// apiURL is the API's base, to find the route in the path.
func (m *metrics) requestMiddleware(apiURL string) githubapp.ClientMiddleware {
	prefix := "/"
	if u, err := url.Parse(apiURL); err == nil {
		prefix = u.Path
	}
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			res, err := next.RoundTrip(r)
			status := "error"
			if res != nil {
				status = strconv.Itoa(res.StatusCode)
				if res.Header.Get(httpcache.XFromCache) != "" {
					status = "304" // what GitHub answered; the cache filled in the body
				}
			}
			m.requests.WithLabelValues(r.Method, route(prefix, r.URL.EscapedPath()), status).Inc()
			return res, err
		})
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rateCollector exposes go-githubapp's rate-limit gauges, named
// "github.rate.remaining[installation:ID]", as one labelled metric.
type rateCollector struct{ reg gometrics.Registry }

var (
	rateRemainingDesc = prometheus.NewDesc("newsletter_bot_github_rate_limit_remaining",
		"Requests left in GitHub's hourly rate limit, as of the last response, per installation (\"0\": the app itself, with its JWT).",
		[]string{"installation"}, nil)
	rateLimitDesc = prometheus.NewDesc("newsletter_bot_github_rate_limit",
		"GitHub's hourly rate limit, as of the last response, per installation.", []string{"installation"}, nil)
)

func (c rateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- rateRemainingDesc
	ch <- rateLimitDesc
}

func (c rateCollector) Collect(ch chan<- prometheus.Metric) {
	c.reg.Each(func(name string, v any) {
		g, ok := v.(gometrics.Gauge)
		if !ok {
			return
		}
		for desc, key := range map[*prometheus.Desc]string{rateRemainingDesc: githubapp.MetricsKeyRateLimitRemaining, rateLimitDesc: githubapp.MetricsKeyRateLimit} {
			if id, ok := strings.CutPrefix(name, key+"[installation:"); ok {
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(g.Value()), strings.TrimSuffix(id, "]"))
			}
		}
	})
}

// observer writes what the queue did with a Work: one log line naming the
// last delivery merged into it, the repository and the issue or pull
// request, and the metrics of its run.
type observer struct {
	m   *metrics
	log *slog.Logger
}

func (o observer) done(w handlers.Work, took time.Duration, err error) {
	attrs := []any{"delivery", w.Delivery, "event", w.Event, "action", w.Action,
		"repository", w.Repo.Owner + "/" + w.Repo.Name, "work", w.Kind.String()}
	if w.Kind == handlers.WorkPull {
		attrs = append(attrs, "pull", w.Number)
		if w.Edition != 0 {
			attrs = append(attrs, "edition", w.Edition)
		}
	} else {
		attrs = append(attrs, "issue", w.Number)
	}
	if w.Deliveries > 1 {
		attrs = append(attrs, "deliveries", w.Deliveries)
	}
	outcome := OutcomeHandled
	if err != nil {
		outcome = OutcomeFailed
	}
	o.m.deliveries.WithLabelValues(w.Event, label(w.Action), outcome).Inc()
	o.m.handling.WithLabelValues(w.Event).Observe(took.Seconds())
	attrs = append(attrs, "outcome", outcome, "duration_ms", took.Milliseconds())
	if err != nil {
		o.log.Error("handling a webhook failed; the next resync will retry", append(attrs, "error", err)...)
		return
	}
	o.log.Info("handled a webhook", attrs...)
}

// received counts a delivery when it is taken: one that merged into Work
// already waiting (coalesced), or one with nothing to do (handled at
// once). The others are counted when their Work has run.
func (m *metrics) received(event, action string, coalesced, ignored bool) {
	switch {
	case coalesced:
		m.deliveries.WithLabelValues(event, label(action), OutcomeCoalesced).Inc()
	case ignored:
		m.deliveries.WithLabelValues(event, label(action), OutcomeHandled).Inc()
	}
}

// actionOf reads a payload's action, for a delivery that planned no Work.
func actionOf(payload []byte) string {
	var a struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(payload, &a)
	return a.Action
}

// label keeps a label value from a delivery short and plain: GitHub's
// actions are lower-case words with underscores.
func label(s string) string {
	if len(s) > 40 {
		return "other"
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return "other"
		}
	}
	return s
}
