package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/handlers"
)

// ErrShuttingDown refuses a webhook that arrives while the server drains:
// GitHub gets a 503 and the next resync (here or on another replica)
// picks the change up.
var ErrShuttingDown = errors.New("shutting down")

// ErrStarting refuses a webhook that arrives before the app's credentials
// were checked: likewise a 503, and the resync picks the change up.
var ErrStarting = errors.New("starting: the app's credentials are being checked")

// queue is the bot's work queue, keyed by the object a delivery is about
// (the level-triggered pattern of Kubernetes controllers, as client-go's
// workqueue): a delivery becomes a handlers.Work, and a Work whose object
// already waits merges into it, so a burst of deliveries about one issue
// costs one reconcile, and what waits takes memory by objects, not by
// deliveries. An object's Work never runs twice at once: one that arrives
// while its object runs waits, and runs after. Deliveries are refused
// (503; the resync picks their change up) only while the bot starts or
// drains, or beyond maxKeys objects waiting.
//
// It implements githubapp.Scheduler, so go-githubapp's dispatcher checks
// the signature and hands over the payload; the payload is planned into
// its Work at once and dropped.
type queue struct {
	maxKeys int
	// settle is how long an object's work waits after the last delivery
	// about it before it runs (at most maxSettle after the first): a burst
	// about one object then costs one reconcile, not one each time a
	// reconcile ends before the burst does. Zero runs work at once.
	settle, maxSettle time.Duration
	admit             func() error // nil: every delivery; else it may refuse one
	run               func(ctx context.Context, w handlers.Work) error
	done              func(w handlers.Work, took time.Duration, err error) // after each run, for logs and metrics
	// received is told of each delivery planned: whether it was merged
	// into a Work already waiting, or was not the newsletter's (nothing
	// to do).
	received func(event, action string, coalesced, ignored bool)

	mu      sync.Mutex
	changed *sync.Cond // signalled when work waits, or the queue empties
	waiting map[string]*waitingWork
	order   []string // keys of waiting Work, oldest first; a key may be here once
	running map[string]bool
	closed  bool
	pending atomic.Int64 // waiting and running
	runs    atomic.Int64 // Work run, for the benchmark
}

// waitingWork is a Work that waits, and from when it may run.
type waitingWork struct {
	handlers.Work
	first, due time.Time
}

func newQueue(maxKeys, workers int) *queue {
	q := &queue{maxKeys: maxKeys, waiting: map[string]*waitingWork{}, running: map[string]bool{}}
	q.changed = sync.NewCond(&q.mu)
	for range workers {
		go q.work()
	}
	return q
}

// Schedule implements githubapp.Scheduler: it plans the delivery into its
// Work and queues it, merged into the one waiting for the same object.
func (q *queue) Schedule(ctx context.Context, d githubapp.Dispatch) error {
	p, ok := d.Handler.(handlers.Planner)
	if !ok {
		return fmt.Errorf("handler %T cannot plan its deliveries", d.Handler)
	}
	w, ok, err := p.Plan(d.EventType, d.DeliveryID, d.Payload)
	if err != nil {
		return githubapp.ValidationError{EventType: d.EventType, DeliveryID: d.DeliveryID, Cause: err}
	}
	if !ok {
		if q.received != nil {
			q.received(d.EventType, actionOf(d.Payload), false, true)
		}
		return nil
	}
	if q.admit != nil {
		if err := q.admit(); err != nil {
			return err
		}
	}
	coalesced, err := q.add(w)
	if err != nil {
		return err
	}
	if q.received != nil {
		q.received(w.Event, w.Action, coalesced, false)
	}
	return nil
}

// add queues w; coalesced says it merged into a Work already waiting.
func (q *queue) add(w handlers.Work) (coalesced bool, err error) {
	key := w.Key()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false, ErrShuttingDown
	}
	now := time.Now()
	if old, ok := q.waiting[key]; ok {
		old.Merge(w)
		due := minTime(now.Add(q.settle), old.first.Add(q.maxSettle))
		if due.Before(old.due) {
			q.changed.Broadcast() // a worker may be waiting for the later time
		}
		old.due = due
		return true, nil
	}
	if len(q.waiting) >= q.maxKeys {
		return false, githubapp.ErrCapacityExceeded
	}
	q.waiting[key] = &waitingWork{Work: w, first: now, due: minTime(now.Add(q.settle), now.Add(q.maxSettle))}
	q.pending.Add(1)
	if !q.running[key] { // else it is queued when the run ends
		q.order = append(q.order, key)
		q.changed.Signal()
	}
	return false, nil
}

// work runs Work, one object at a time, for as long as the process lives.
func (q *queue) work() {
	for {
		q.mu.Lock()
		key := q.next()
		w := q.waiting[key].Work
		delete(q.waiting, key)
		q.running[key] = true
		q.mu.Unlock()

		start := time.Now()
		err := q.runOne(w)
		if q.done != nil {
			q.done(w, time.Since(start), err)
		}
		q.runs.Add(1)

		q.mu.Lock()
		delete(q.running, key)
		if _, again := q.waiting[key]; again {
			q.order = append(q.order, key)
		}
		q.pending.Add(-1)
		q.changed.Broadcast() // a worker for what was queued again, Drain for the end
		q.mu.Unlock()
	}
}

// next takes the oldest key whose work is due off the order, waiting for
// one; it is called with q.mu held, and returns with it held.
func (q *queue) next() string {
	for {
		now := time.Now()
		var wake time.Time
		for i, key := range q.order {
			due := q.waiting[key].due
			if !due.After(now) {
				q.order = append(q.order[:i], q.order[i+1:]...)
				return key
			}
			if wake.IsZero() || due.Before(wake) {
				wake = due
			}
		}
		if !wake.IsZero() {
			// Wake at the earliest due time, if nothing else does first.
			t := time.AfterFunc(wake.Sub(now), func() {
				q.mu.Lock()
				q.changed.Broadcast()
				q.mu.Unlock()
			})
			q.changed.Wait()
			t.Stop()
			continue
		}
		q.changed.Wait()
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// runOne runs w; a panic is an error like any other (the resync repairs
// what the run left), not the end of the worker.
func (q *queue) runOne(w handlers.Work) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return q.run(context.Background(), w)
}

// Pending is the number of objects whose Work waits or runs.
func (q *queue) Pending() int64 { return q.pending.Load() }

// Runs is the number of Work run so far.
func (q *queue) Runs() int64 { return q.runs.Load() }

// Drain stops taking deliveries and waits until the Work taken has run, or
// ctx ends.
func (q *queue) Drain(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		q.mu.Lock()
		for q.pending.Load() > 0 {
			q.changed.Wait()
		}
		q.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
