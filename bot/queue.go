package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/palantir/go-githubapp/githubapp"
)

// ErrShuttingDown refuses a webhook that arrives while the server drains:
// GitHub gets a 503 and the next resync (here or on another replica)
// picks the change up.
var ErrShuttingDown = errors.New("shutting down")

// ErrStarting refuses a webhook that arrives before the app's credentials
// were checked: likewise a 503, and the resync picks the change up.
var ErrStarting = errors.New("starting: the app's credentials are being checked")

// queue is go-githubapp's bounded async queue (QueueAsyncScheduler) with
// what a graceful shutdown needs around it: a count of the deliveries
// accepted and not yet handled, and a Drain that stops taking new ones and
// waits for those.
type queue struct {
	inner githubapp.Scheduler
	admit func() error // nil: every delivery; else it may refuse one

	mu      sync.RWMutex // closed and wg.Add under RLock; Drain takes Lock
	closed  bool
	wg      sync.WaitGroup
	pending atomic.Int64
}

func newQueue(size, workers int, opts ...githubapp.SchedulerOption) *queue {
	return &queue{inner: githubapp.QueueAsyncScheduler(size, workers, opts...)}
}

// Schedule implements githubapp.Scheduler.
func (q *queue) Schedule(ctx context.Context, d githubapp.Dispatch) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrShuttingDown
	}
	if q.admit != nil {
		if err := q.admit(); err != nil {
			return err
		}
	}
	q.wg.Add(1)
	q.pending.Add(1)
	d.Handler = tracked{EventHandler: d.Handler, q: q}
	if err := q.inner.Schedule(ctx, d); err != nil {
		q.done()
		return err
	}
	return nil
}

func (q *queue) done() {
	q.pending.Add(-1)
	q.wg.Done()
}

// Pending is the number of deliveries accepted and not yet handled.
func (q *queue) Pending() int64 { return q.pending.Load() }

// Drain stops accepting deliveries and waits until the accepted ones are
// handled, or ctx ends.
func (q *queue) Drain(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tracked marks a delivery handled when its handler returns (or panics:
// go-githubapp recovers the panic above this frame).
type tracked struct {
	githubapp.EventHandler
	q *queue
}

func (t tracked) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	defer t.q.done()
	return t.EventHandler.Handle(ctx, eventType, deliveryID, payload)
}
