package pace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// result is one request's outcome, run in the background.
type result struct {
	status int
	body   string
	err    error
}

func send(client *http.Client, req *http.Request) <-chan result {
	c := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			c <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		c <- result{status: resp.StatusCode, body: string(b)}
	}()
	return c
}

func newRequest(t *testing.T, ctx context.Context, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestTransportWithoutPacer(t *testing.T) {
	var got *http.Request
	next := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{"Retry-After": {"60"}}, Body: http.NoBody}, nil
	})
	req := newRequest(t, context.Background(), http.MethodPost, "https://api.github.com/repos/o/r/issues/1/comments", strings.NewReader("{}"))
	resp, err := Transport(next).RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("RoundTrip = %v, %v; want the 403 as it came", resp, err)
	}
	if got != req {
		t.Error("RoundTrip without a pacer sent another request, want the caller's untouched")
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportRetriesAfterSecondaryLimit(t *testing.T) {
	clk := newFakeClock()
	var mu sync.Mutex
	var bodies []string // what POST /first carried, each time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/first" {
			bodies = append(bodies, string(b))
			if len(bodies) == 1 {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"message":"You have exceeded a secondary rate limit."}`)
				return
			}
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, r.Method+" "+r.URL.Path)
	}))
	defer srv.Close()
	p := NewPacer(Limits{PerMinute: 20, PerHour: 100, Concurrent: 10}, clk)
	client := &http.Client{Transport: Transport(srv.Client().Transport)}
	ctx := WithPacer(context.Background(), p)

	first := send(client, newRequest(t, ctx, http.MethodPost, srv.URL+"/first", strings.NewReader(`{"body":"hello"}`)))
	waitFor(t, "the refused write to queue again", func() bool { s := p.Stats(); return s.Pauses == 1 && s.Waiting == 1 })
	second := send(client, newRequest(t, ctx, http.MethodPatch, srv.URL+"/second", strings.NewReader(`{}`)))
	third := send(client, newRequest(t, WithPriority(ctx, High), http.MethodDelete, srv.URL+"/third", nil))
	waitFor(t, "the other writers to queue", func() bool { return p.Stats().Waiting == 3 })

	// Reads are not paused.
	if r := <-send(client, newRequest(t, ctx, http.MethodGet, srv.URL+"/read", nil)); r.status != http.StatusCreated {
		t.Fatalf("GET during the pause = %+v, want it answered", r)
	}
	clk.Advance(30*time.Second - time.Millisecond)
	if s := p.Stats(); s.Waiting != 3 {
		t.Fatalf("after 29.999s of a 30s pause, %d writes wait, want 3", s.Waiting)
	}
	clk.Advance(time.Millisecond)
	for name, c := range map[string]<-chan result{"first": first, "second": second, "third": third} {
		if r := <-c; r.err != nil || r.status != http.StatusCreated {
			t.Errorf("%s write after the pause = %+v, want 201", name, r)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{`{"body":"hello"}`, `{"body":"hello"}`}; fmt.Sprint(bodies) != fmt.Sprint(want) {
		t.Errorf("POST /first carried %q, want %q", bodies, want)
	}
	if s := p.Stats(); s.Refusals != 1 || s.Retries != 1 || s.Writes != 4 || s.Requests != 5 {
		t.Errorf("Stats() = %+v, want 1 refusal, 1 retry, 4 writes, 5 requests", s)
	}
}

func TestTransportDoesNotRetryUnreplayableBody(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	p := NewPacer(DefaultLimits, clk)
	client := &http.Client{Transport: Transport(srv.Client().Transport)}
	// A body http.NewRequest cannot make again: GetBody stays nil.
	req := newRequest(t, WithPacer(context.Background(), p), http.MethodPost, srv.URL+"/comments", io.NopCloser(strings.NewReader(`{"body":"once"}`)))
	r := <-send(client, req)
	if r.err != nil || r.status != http.StatusTooManyRequests {
		t.Fatalf("POST with a one-shot body = %+v, want the 429 at once", r)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the server saw %d requests, want 1", n)
	}
	// The installation's other writes still wait.
	if s := p.Stats(); s.Retries != 0 || !s.PausedUntil.Equal(clk.Now().Add(30*time.Second)) {
		t.Errorf("Stats() = %+v, want no retry and writes paused for 30s", s)
	}
}

func TestTransportGivesUpAfterMaxRetries(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", fmt.Sprint(clk.Now().Add(2*time.Second).Unix()))
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	p := NewPacer(DefaultLimits, clk)
	client := &http.Client{Transport: Transport(srv.Client().Transport)}
	// A read that GitHub refuses waits out the pause too before it is sent
	// again.
	done := send(client, newRequest(t, WithPacer(context.Background(), p), http.MethodGet, srv.URL+"/issues", nil))
	for i := range MaxRetries {
		waitFor(t, "the retry to queue", func() bool { s := p.Stats(); return s.Retries == int64(i+1) && s.Waiting == 1 })
		clk.Advance(2 * time.Second)
	}
	r := <-done
	if r.err != nil || r.status != http.StatusForbidden {
		t.Fatalf("GET refused every time = %+v, want the last 403", r)
	}
	if n := hits.Load(); n != MaxRetries+1 {
		t.Errorf("the server saw %d requests, want %d", n, MaxRetries+1)
	}
}

func TestTransportCanceledWhileWaiting(t *testing.T) {
	clk := newFakeClock()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	p := NewPacer(Limits{PerMinute: 1, PerHour: 10, Concurrent: 10}, clk)
	client := &http.Client{Transport: Transport(srv.Client().Transport)}
	ctx, cancel := context.WithCancel(WithPacer(context.Background(), p))
	defer cancel()
	if r := <-send(client, newRequest(t, ctx, http.MethodPost, srv.URL+"/a", strings.NewReader("a"))); r.err != nil {
		t.Fatal(r.err)
	}
	second := send(client, newRequest(t, ctx, http.MethodPost, srv.URL+"/b", strings.NewReader("b")))
	waitFor(t, "the second write to queue", func() bool { return p.Stats().Waiting == 1 })
	cancel()
	if r := <-second; !errors.Is(r.err, context.Canceled) {
		t.Errorf("a write canceled while it waits = %+v, want context.Canceled", r)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the server saw %d requests, want 1", n)
	}
}

// TestHighFinishesBeforeBulk issues 300 bulk writes and then 10 high ones
// together, on a clock running 1000 times as fast: the high ones reach
// GitHub first, and the bulk ones trickle out behind them at their spacing.
func TestHighFinishesBeforeBulk(t *testing.T) {
	const nBulk, nHigh = 300, 10
	clk := FastClock(1000)
	l := Limits{PerMinute: 600, PerHour: 6000, Concurrent: nHigh}
	p := NewPacer(l, clk)

	var mu sync.Mutex
	var order []string
	var at []time.Time
	highsIn := make(chan struct{})
	var highs atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path)
		at = append(at, clk.Now())
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/high/") {
			// Hold each high write until all have arrived, so that none
			// frees its slot for a bulk write before the last high one is
			// sent: the order the server sees is then the order the pacer
			// let them through, whatever the goroutines' timing.
			if highs.Add(1) == nHigh {
				close(highsIn)
			}
			select {
			case <-highsIn:
			case <-time.After(5 * time.Second):
			}
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	client := &http.Client{Transport: Transport(srv.Client().Transport)}
	ctx := WithPacer(context.Background(), p)

	// Take every slot, so that all 310 queue before any goes.
	var holds []func()
	for range l.Concurrent {
		holds = append(holds, mustAcquire(t, p, Normal, Read))
	}
	var wg sync.WaitGroup
	var failed atomic.Int32
	issue := func(ctx context.Context, path string) {
		req := newRequest(t, ctx, http.MethodPost, srv.URL+path, strings.NewReader("{}"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := <-send(client, req)
			if r.err != nil || r.status != http.StatusCreated {
				failed.Add(1)
			}
		}()
	}
	for i := range nBulk {
		issue(WithPriority(ctx, Bulk), fmt.Sprintf("/bulk/%d", i))
	}
	for i := range nHigh {
		issue(WithPriority(ctx, High), fmt.Sprintf("/high/%d", i))
	}
	waitFor(t, "every write to queue", func() bool { return p.Stats().Waiting == nBulk+nHigh })
	for _, release := range holds {
		release()
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d writes failed, want none", n)
	}
	if len(order) != nBulk+nHigh {
		t.Fatalf("the server saw %d writes, want %d", len(order), nBulk+nHigh)
	}
	for i, path := range order[:nHigh] {
		if !strings.HasPrefix(path, "/high/") {
			t.Fatalf("write %d to arrive was %s, want the %d high ones first (order %v...)", i, path, nHigh, order[:nHigh+5])
		}
	}
	// The bulk writes are spread out: 300 of them take 299 gaps, less
	// the time the first one took from its grant to the server.
	if spread, want := at[len(at)-1].Sub(at[nHigh]), 290*l.bulkGap(); spread < want {
		t.Errorf("the bulk writes arrived over %v on the clock, want at least %v", spread, want)
	}
	if s := p.Stats(); s.Writes != nBulk+nHigh || s.Waits != nBulk+nHigh {
		t.Errorf("Stats() = %+v, want %d writes that all waited", s, nBulk+nHigh)
	}
}

func TestRefusal(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   time.Duration // from now; -1 for no refusal
	}{
		{"403 with retry-after in seconds", 403, map[string]string{"Retry-After": "30"}, "", 30 * time.Second},
		{"429 with retry-after as a date", 429, map[string]string{"Retry-After": now.Add(90 * time.Second).UTC().Format(http.TimeFormat)}, "", 90 * time.Second},
		{"403 with no requests left until the reset", 403, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": fmt.Sprint(now.Add(5 * time.Minute).Unix())}, "", 5 * time.Minute},
		{"403 that names the secondary rate limit", 403, nil, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, time.Minute},
		{"429 with nothing said", 429, nil, "", time.Minute},
		{"403 for a missing permission", 403, map[string]string{"X-Ratelimit-Remaining": "4999"}, `{"message":"Resource not accessible by integration"}`, -1},
		{"500 with retry-after", 500, map[string]string{"Retry-After": "30"}, "", -1},
		{"201", 201, nil, "", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tc.body))}
			for k, v := range tc.header {
				resp.Header.Set(k, v)
			}
			until, refused := refusal(resp, now, 0)
			switch {
			case tc.want < 0 && refused:
				t.Errorf("refusal() = %v, true; want no refusal", until)
			case tc.want >= 0 && (!refused || !until.Equal(now.Add(tc.want))):
				t.Errorf("refusal() = %v, %v; want %v, true", until, refused, now.Add(tc.want))
			}
			// Whoever reads the body next reads all of it.
			if b, _ := io.ReadAll(resp.Body); string(b) != tc.body {
				t.Errorf("body after refusal() = %q, want %q", b, tc.body)
			}
		})
	}
	if got := backoff(3); got != 8*time.Minute {
		t.Errorf("backoff(3) = %v, want 8m", got)
	}
	if got := backoff(10); got != MaxPause {
		t.Errorf("backoff(10) = %v, want MaxPause", got)
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         Kind
	}{
		{"GET", "/repos/o/r/issues", Read},
		{"HEAD", "/repos/o/r", Read},
		{"POST", "/repos/o/r/issues/1/comments", Write},
		{"PATCH", "/repos/o/r/issues/comments/9", Write},
		{"PUT", "/repos/o/r/contents/a.md", Write},
		{"DELETE", "/repos/o/r/issues/1/labels/x", Write},
		{"POST", "/app/installations/42/access_tokens", Read},
		{"POST", "/graphql", Write},
	} {
		req := httptest.NewRequest(tc.method, "https://api.github.com"+tc.path, nil)
		if got := KindOf(req); got != tc.want {
			t.Errorf("KindOf(%s %s) = %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}
