package bot

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/handlers"
)

// issuePlanner plans every delivery as Work on the issue its payload names
// ("7"): a stand-in for handlers.Issues that needs no GitHub.
type issuePlanner struct{}

func (issuePlanner) Handles() []string { return []string{"issues"} }
func (issuePlanner) Handle(context.Context, string, string, []byte) error {
	return errors.New("not used: the queue plans")
}
func (issuePlanner) Plan(eventType, deliveryID string, payload []byte) (handlers.Work, bool, error) {
	n, err := strconv.Atoi(string(payload))
	if err != nil {
		return handlers.Work{}, false, err
	}
	return handlers.Work{Kind: handlers.WorkIssue, Installation: 1, Repo: handlers.RepoRef{Owner: "o", Name: "r"},
		Number: n, Event: eventType, Action: "edited", Delivery: deliveryID, Deliveries: 1}, true, nil
}

// runner records the Work a queue runs, and can hold runs until released.
type runner struct {
	release chan struct{} // nil: runs do not wait
	mu      sync.Mutex
	runs    map[int]int // issue -> runs
	merged  map[int]int // issue -> deliveries, summed over its runs
	now     map[int]int // issue -> runs in progress
	overlap atomic.Bool // one issue's Work ran twice at once
}

func newRunner(hold bool) *runner {
	r := &runner{runs: map[int]int{}, merged: map[int]int{}, now: map[int]int{}}
	if hold {
		r.release = make(chan struct{})
	}
	return r
}

func (r *runner) run(ctx context.Context, w handlers.Work) error {
	r.mu.Lock()
	r.runs[w.Number]++
	r.merged[w.Number] += w.Deliveries
	r.now[w.Number]++
	if r.now[w.Number] > 1 {
		r.overlap.Store(true)
	}
	r.mu.Unlock()
	if r.release != nil {
		<-r.release
	}
	r.mu.Lock()
	r.now[w.Number]--
	r.mu.Unlock()
	return nil
}

// waitRunning waits until issue's Work runs.
func (r *runner) waitRunning(t *testing.T, issue int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		running := r.now[issue] > 0
		r.mu.Unlock()
		if running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("issue %d never started", issue)
		}
	}
}

func deliver(t *testing.T, q *queue, issue int) error {
	t.Helper()
	return q.Schedule(context.Background(), githubapp.Dispatch{Handler: issuePlanner{}, EventType: "issues",
		DeliveryID: "d-" + strconv.Itoa(issue), Payload: []byte(strconv.Itoa(issue))})
}

// TestQueueCoalescesABurst: deliveries about an object that waits merge
// into its Work, one that arrives while its object runs waits and runs
// after, and no object's Work runs twice at once.
func TestQueueCoalescesABurst(t *testing.T) {
	r := newRunner(true)
	q := newQueue(1000, 1) // one worker: what arrives meanwhile all waits
	q.run = r.run
	// Issue 1 starts running and is held; 500 more deliveries for it, and
	// 500 spread over issues 2 to 11, arrive meanwhile.
	if err := deliver(t, q, 1); err != nil {
		t.Fatal(err)
	}
	r.waitRunning(t, 1)
	for i := range 1000 {
		issue := 1
		if i%2 == 1 {
			issue = 2 + (i/2)%10
		}
		if err := deliver(t, q, issue); err != nil {
			t.Fatal(err)
		}
	}
	if got := q.Pending(); got != 12 {
		t.Errorf("pending %d after the burst, want 12 (issue 1 running and waiting again, issues 2 to 11 waiting or running)", got)
	}
	close(r.release)
	if err := q.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.overlap.Load() {
		t.Error("an issue's Work ran twice at once")
	}
	if r.runs[1] != 2 || r.merged[1] != 501 {
		t.Errorf("issue 1 ran %d times for %d deliveries, want 2 runs (the held one, then one for the 500 that came meanwhile) for 501", r.runs[1], r.merged[1])
	}
	for issue := 2; issue <= 11; issue++ {
		if r.runs[issue] != 1 || r.merged[issue] != 50 {
			t.Errorf("issue %d ran %d times for %d deliveries, want once for 50", issue, r.runs[issue], r.merged[issue])
		}
	}
	if q.Runs() != 12 {
		t.Errorf("%d runs in all, want 12", q.Runs())
	}
}

// TestQueueRefusesOnlyBeyondItsObjects: the bound counts objects waiting,
// not deliveries; beyond it, and while draining, a delivery is refused.
func TestQueueRefusesOnlyBeyondItsObjects(t *testing.T) {
	r := newRunner(true)
	defer close(r.release)
	q := newQueue(3, 1)
	q.run = r.run
	if err := deliver(t, q, 1); err != nil { // issue 1 runs (held)
		t.Fatal(err)
	}
	r.waitRunning(t, 1)
	for i := range 300 { // 2, 3 and 4 wait, 100 deliveries each
		if err := deliver(t, q, 2+i%3); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if err := deliver(t, q, 5); !errors.Is(err, githubapp.ErrCapacityExceeded) {
		t.Errorf("a fourth object waiting: %v, want ErrCapacityExceeded", err)
	}
	if err := deliver(t, q, 2); err != nil {
		t.Errorf("one more delivery for an object that waits: %v, want it merged", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Drain with a held run: %v, want the deadline", err)
	}
	if err := deliver(t, q, 2); !errors.Is(err, ErrShuttingDown) {
		t.Errorf("a delivery while draining: %v, want ErrShuttingDown", err)
	}
}

// TestQueueDrainsBeforeShutdown: Drain returns once every Work taken has run.
func TestQueueDrainsBeforeShutdown(t *testing.T) {
	r := newRunner(true)
	q := newQueue(10, 2)
	q.run = r.run
	for i := range 5 {
		if err := deliver(t, q, i+1); err != nil {
			t.Fatal(err)
		}
	}
	if q.Pending() != 5 {
		t.Fatalf("pending %d, want 5", q.Pending())
	}
	drained := make(chan error, 1)
	go func() { drained <- q.Drain(context.Background()) }()
	select {
	case <-drained:
		t.Fatal("Drain returned while Work was still running")
	case <-time.After(10 * time.Millisecond):
	}
	close(r.release)
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
	if q.Runs() != 5 || q.Pending() != 0 {
		t.Errorf("after Drain: %d runs, %d pending; want 5 and 0", q.Runs(), q.Pending())
	}
}

// TestQueueSurvivesAPanic: a Work that panics is a failed run; the worker
// goes on.
func TestQueueSurvivesAPanic(t *testing.T) {
	q := newQueue(10, 1)
	var failed atomic.Int64
	q.run = func(ctx context.Context, w handlers.Work) error {
		if w.Number == 1 {
			panic("boom")
		}
		return nil
	}
	q.done = func(w handlers.Work, took time.Duration, err error) {
		if err != nil {
			failed.Add(1)
		}
	}
	for _, n := range []int{1, 2} {
		if err := deliver(t, q, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q.Runs() != 2 || failed.Load() != 1 {
		t.Errorf("%d runs, %d failed; want 2 runs, 1 failed", q.Runs(), failed.Load())
	}
}

// TestResponseCacheIsBoundedInBytes: the ETag cache keeps at most
// maxCachedBytes of answers, the oldest going first, and none over
// maxCachedResponse.
func TestResponseCacheIsBoundedInBytes(t *testing.T) {
	c := newResponseCache().(*lruCache)
	page := make([]byte, 300<<10) // a listing page
	for i := range 200 {
		c.Set(strconv.Itoa(i), page)
	}
	if c.bytes > maxCachedBytes || c.bytes != c.c.Len()*len(page) {
		t.Errorf("%d bytes in %d entries, want at most %d, counted right", c.bytes, c.c.Len(), maxCachedBytes)
	}
	if _, ok := c.Get("199"); !ok {
		t.Error("the newest answer is gone")
	}
	if _, ok := c.Get("0"); ok {
		t.Error("the oldest answer is still there")
	}
	c.Set("199", make([]byte, maxCachedResponse+1))
	if _, ok := c.Get("199"); ok {
		t.Error("an answer over the size limit is kept")
	}
	c.Delete("198")
	if c.bytes != c.c.Len()*len(page) {
		t.Errorf("%d bytes counted for %d entries after removals", c.bytes, c.c.Len())
	}
}

// TestQueueSettlesABurst: deliveries about one object that arrive while
// its work settles make one run; and however long deliveries keep coming,
// the work runs by maxSettle after the first. (The times are far apart, so
// a slow machine does not change the outcome.)
func TestQueueSettlesABurst(t *testing.T) {
	r := newRunner(false)
	q := newQueue(100, 2)
	q.run = r.run
	q.settle, q.maxSettle = time.Second, time.Hour
	for range 10 {
		if err := deliver(t, q, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.runs[1] != 1 || r.merged[1] != 10 {
		t.Errorf("10 deliveries within the settle: %d runs for %d deliveries, want 1 for 10", r.runs[1], r.merged[1])
	}

	r = newRunner(false)
	q = newQueue(100, 2)
	q.run = r.run
	q.settle, q.maxSettle = time.Hour, 50*time.Millisecond
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if err := deliver(t, q, 2); err != nil {
			t.Fatal(err)
		}
		r.mu.Lock()
		ran := r.runs[2] > 0
		r.mu.Unlock()
		if ran {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("deliveries kept coming and the work never ran: maxSettle does not cap the settle")
		}
	}
}
