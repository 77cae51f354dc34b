package githubsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// hookshotUserAgent is the User-Agent GitHub sends with webhooks.
const hookshotUserAgent = "GitHub-Hookshot/7c3d3b4"

// Event is one webhook event the simulator emitted, whether or not it was
// delivered anywhere.
type Event struct {
	DeliveryID string
	Event      string // X-GitHub-Event, e.g. "issues"
	Action     string
	Payload    []byte
}

// Delivery is one attempt to POST an event to the webhook URL.
type Delivery struct {
	ID         string // X-GitHub-Delivery; a duplicate repeats the id
	Event      string
	Action     string
	StatusCode int    // status returned by the receiver; 0 when dropped or failed
	Err        string // transport error, if any
	Dropped    bool   // a WebhookFaults.Drop fault swallowed it
	Duplicate  bool   // a WebhookFaults.Duplicate fault sent it a second time
	Reordered  bool   // a WebhookFaults.Reorder fault sent it after the next event
	Payload    []byte
	Header     http.Header
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("githubsim: read random: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// orgJSON renders the organization of a webhook payload.
func (s *Sim) orgJSON(a *account) obj {
	base := s.api("/orgs/%s", a.Login)
	return obj{
		"login":              a.Login,
		"id":                 a.ID,
		"node_id":            nodeID("O", a.ID),
		"url":                base,
		"repos_url":          base + "/repos",
		"events_url":         base + "/events",
		"hooks_url":          base + "/hooks",
		"issues_url":         base + "/issues",
		"members_url":        base + "/members{/member}",
		"public_members_url": base + "/public_members{/member}",
		"avatar_url":         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.ID),
		"description":        nil,
	}
}

// installationFor returns the installation that covers a repository.
func (s *Sim) installationFor(r *repo) *installation {
	for _, in := range s.sortedInstallations() {
		if in.hasRepo(r) {
			return in
		}
	}
	return nil
}

// emitLocked records a repository event and queues its delivery. The
// payload gets action, repository, sender, organization and installation
// around the given fields. Callers hold s.mu.
func (s *Sim) emitLocked(r *repo, event, action string, sender *account, fields obj) {
	payload := obj{"action": action}
	for k, v := range fields {
		payload[k] = v
	}
	payload["repository"] = s.repoJSON(r, repoWebhook)
	payload["sender"] = s.userJSON(sender)
	if r.Owner.Type == "Organization" {
		payload["organization"] = s.orgJSON(r.Owner)
	}
	in := s.installationFor(r)
	if in == nil {
		return // GitHub sends app webhooks only for repositories the app is installed on
	}
	payload["installation"] = obj{"id": in.ID, "node_id": nodeID("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", in.ID)}
	s.enqueueLocked(event, action, payload)
}

// enqueueLocked records an event and hands it to the delivery queue.
func (s *Sim) enqueueLocked(event, action string, payload obj) {
	data, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("githubsim: encode %s payload: %v", event, err))
	}
	ev := Event{DeliveryID: newUUID(), Event: event, Action: action, Payload: data}
	s.st.events = append(s.st.events, ev)
	a := s.st.app
	if a == nil || a.WebhookURL == "" || a.HookInactive {
		return
	}
	s.hooks.push(&queuedEvent{Event: ev, url: a.WebhookURL, secret: a.WebhookSecret, hookID: a.HookID, appID: a.ID})
}

// Events returns every webhook event emitted so far, in order.
func (s *Sim) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.st.events...)
}

// Deliveries returns every delivery attempt so far, in the order made.
func (s *Sim) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return append([]Delivery(nil), s.hooks.done...)
}

// Sign returns the X-Hub-Signature-256 value of a body for a secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func signSHA1(secret string, body []byte) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

type queuedEvent struct {
	Event
	url    string
	secret string
	hookID int64
	appID  int64

	// Delivery faults, drawn when the event was queued.
	drop, duplicate, reordered bool
}

// deliveryQueue POSTs events one at a time, in order, from one goroutine.
type deliveryQueue struct {
	s      *Sim
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pending []*queuedEvent
	held    *queuedEvent // held back by a reorder fault until the next event
	busy    bool
	closed  bool
	done    []Delivery
	changed chan struct{} // closed and replaced whenever pending or busy changes
	wake    chan struct{}
	exited  chan struct{}
}

func newDeliveryQueue(s *Sim) *deliveryQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &deliveryQueue{
		s:       s,
		client:  &http.Client{Timeout: s.opts.WebhookTimeout},
		ctx:     ctx,
		cancel:  cancel,
		changed: make(chan struct{}),
		wake:    make(chan struct{}, 1),
		exited:  make(chan struct{}),
	}
	go q.run()
	return q
}

func (q *deliveryQueue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// push queues an event, drawing its delivery faults now so that they
// depend only on the order of events, not on the delivery goroutine's pace.
func (q *deliveryQueue) push(ev *queuedEvent) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	var reorder bool
	ev.drop, ev.duplicate, reorder = q.s.faults.hookFaults()
	switch {
	case q.held != nil:
		q.pending = append(q.pending, ev, q.held)
		q.held = nil
	case reorder:
		ev.reordered = true
		q.held = ev
		return
	default:
		q.pending = append(q.pending, ev)
	}
	q.notifyLocked()
	q.wakeLocked()
}

func (q *deliveryQueue) wakeLocked() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next takes the next event; it blocks until an event is queued and
// returns nil once the queue is closed.
func (q *deliveryQueue) next() *queuedEvent {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil
		}
		if len(q.pending) > 0 {
			ev := q.pending[0]
			q.pending = q.pending[1:]
			q.busy = true
			q.mu.Unlock()
			return ev
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-q.ctx.Done():
		}
	}
}

func (q *deliveryQueue) run() {
	defer close(q.exited)
	for {
		ev := q.next()
		if ev == nil {
			return
		}
		var results []Delivery
		if ev.drop {
			results = append(results, Delivery{ID: ev.DeliveryID, Event: ev.Event.Event, Action: ev.Action, Dropped: true, Reordered: ev.reordered, Payload: ev.Payload})
		} else {
			results = append(results, q.deliver(ev, false))
			if ev.duplicate {
				results = append(results, q.deliver(ev, true))
			}
		}
		q.mu.Lock()
		q.done = append(q.done, results...)
		q.busy = false
		q.notifyLocked()
		q.mu.Unlock()
	}
}

// deliver POSTs one event with GitHub's headers and signature.
func (q *deliveryQueue) deliver(ev *queuedEvent, duplicate bool) Delivery {
	d := Delivery{ID: ev.DeliveryID, Event: ev.Event.Event, Action: ev.Action, Duplicate: duplicate, Reordered: ev.reordered, Payload: ev.Payload}
	req, err := http.NewRequestWithContext(q.ctx, http.MethodPost, ev.url, bytes.NewReader(ev.Payload))
	if err != nil {
		d.Err = fmt.Sprintf("build request: %v", err)
		return d
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", hookshotUserAgent)
	h.Set("X-GitHub-Event", ev.Event.Event)
	h.Set("X-GitHub-Delivery", ev.DeliveryID)
	h.Set("X-GitHub-Hook-ID", strconv.FormatInt(ev.hookID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(ev.appID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	if ev.secret != "" {
		h.Set("X-Hub-Signature", signSHA1(ev.secret, ev.Payload))
		h.Set("X-Hub-Signature-256", Sign(ev.secret, ev.Payload))
	}
	d.Header = h.Clone()
	start := time.Now()
	resp, err := q.client.Do(req)
	if err != nil {
		d.Err = fmt.Sprintf("deliver %s: %v", ev.Event.Event, err)
		q.s.logf("githubsim: webhook %s.%s %s failed: %v", ev.Event.Event, ev.Action, ev.DeliveryID, err)
		return d
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	d.StatusCode = resp.StatusCode
	q.s.logf("githubsim: webhook %s.%s %s -> %d (%s)", ev.Event.Event, ev.Action, ev.DeliveryID, resp.StatusCode, time.Since(start).Round(time.Microsecond))
	return d
}

// wait releases an event held back by a reorder fault, then blocks until
// nothing is pending or in flight.
func (q *deliveryQueue) wait(ctx context.Context) error {
	q.mu.Lock()
	if q.held != nil && !q.closed {
		q.pending = append(q.pending, q.held)
		q.held = nil
		q.notifyLocked()
		q.wakeLocked()
	}
	q.mu.Unlock()
	for {
		q.mu.Lock()
		if (len(q.pending) == 0 && !q.busy) || q.closed {
			q.mu.Unlock()
			return nil
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for webhook deliveries: %w", ctx.Err())
		}
	}
}

func (q *deliveryQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.notifyLocked()
	q.mu.Unlock()
	q.cancel()
	<-q.exited
}
