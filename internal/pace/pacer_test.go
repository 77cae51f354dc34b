package pace

import (
	"context"
	"errors"
	"testing"
	"time"
)

// take acquires a slot that the test expects to get at once, and releases
// it: one request sent and answered.
func take(t *testing.T, p *Pacer, pri Priority, kind Kind) {
	t.Helper()
	release := mustAcquire(t, p, pri, kind)
	release()
}

func mustAcquire(t *testing.T, p *Pacer, pri Priority, kind Kind) func() {
	t.Helper()
	done := make(chan struct{})
	var release func()
	var err error
	go func() {
		defer close(done)
		release, err = p.Acquire(context.Background(), pri, kind)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatalf("Acquire(%v, %v) waits, want it to go at once (stats %+v)", pri, kind, p.Stats())
	}
	if err != nil {
		t.Fatalf("Acquire(%v, %v): %v", pri, kind, err)
	}
	return release
}

// waiting is one Acquire running in the background.
type waiting struct {
	release func()
	err     error
	done    chan struct{}
}

func acquireAsync(ctx context.Context, p *Pacer, pri Priority, kind Kind) *waiting {
	w := &waiting{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.release, w.err = p.Acquire(ctx, pri, kind)
	}()
	return w
}

func (w *waiting) isDone() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func TestWriteWindows(t *testing.T) {
	t.Run("the 81st write of a minute waits for the first to leave the window", func(t *testing.T) {
		clk := newFakeClock()
		p := NewPacer(Limits{PerMinute: 80, PerHour: 500, Concurrent: 100}, clk)
		for range 40 {
			take(t, p, High, Write)
		}
		clk.Advance(10 * time.Second)
		for range 40 {
			take(t, p, High, Write)
		}
		w := acquireAsync(context.Background(), p, High, Write)
		waitFor(t, "the 81st write to queue", func() bool { return p.Stats().Waiting == 1 })
		clk.Advance(50*time.Second - time.Nanosecond)
		if w.isDone() || p.Stats().Waiting != 1 {
			t.Fatalf("the 81st write went %v after the first, want it to wait a minute", 60*time.Second-time.Nanosecond)
		}
		clk.Advance(time.Nanosecond)
		<-w.done
		if w.err != nil {
			t.Fatalf("Acquire = %v, want nil", w.err)
		}
		w.release()
		// The first 40 left the window together: 39 more fit at once, and
		// the next waits for the second 40 to leave.
		for range 39 {
			take(t, p, High, Write)
		}
		w = acquireAsync(context.Background(), p, High, Write)
		waitFor(t, "the 121st write to queue", func() bool { return p.Stats().Waiting == 1 })
		clk.Advance(10*time.Second - time.Nanosecond)
		if w.isDone() {
			t.Fatal("the 121st write went before the second 40 left the window")
		}
		clk.Advance(time.Nanosecond)
		<-w.done
		w.release()
		// The 81st waited 50s, the 121st 10s.
		if s := p.Stats(); s.Writes != 121 || s.Waits != 2 || s.WaitTime != 60*time.Second {
			t.Errorf("Stats() = %+v, want 121 writes, 2 waits, 60s waited", s)
		}
	})

	t.Run("the hour window holds writes that the minute window lets through", func(t *testing.T) {
		clk := newFakeClock()
		p := NewPacer(Limits{PerMinute: 20, PerHour: 50, Concurrent: 100}, clk)
		for _, n := range []int{20, 20, 10} {
			for range n {
				take(t, p, High, Write)
			}
			clk.Advance(time.Minute)
		}
		w := acquireAsync(context.Background(), p, High, Write)
		waitFor(t, "the 51st write of the hour to queue", func() bool { return p.Stats().Waiting == 1 })
		clk.Advance(56 * time.Minute) // 59 minutes after the first writes
		if w.isDone() {
			t.Fatal("the 51st write of the hour went after 59 minutes, want it to wait for the first to leave the hour")
		}
		clk.Advance(time.Minute)
		<-w.done
		w.release()
	})
}

func TestReadsTakeSlotsButNotWindows(t *testing.T) {
	clk := newFakeClock()
	p := NewPacer(Limits{PerMinute: 2, PerHour: 10, Concurrent: 2}, clk)
	take(t, p, Normal, Write)
	take(t, p, Normal, Write)
	blocked := acquireAsync(context.Background(), p, Normal, Write)
	waitFor(t, "the third write to queue", func() bool { return p.Stats().Waiting == 1 })

	// The write window is full, and reads still go: the queued write is
	// not in their way.
	r1 := mustAcquire(t, p, Normal, Read)
	r2 := mustAcquire(t, p, Normal, Read)
	// Both slots are taken now: a third read waits for one.
	r3 := acquireAsync(context.Background(), p, Normal, Read)
	waitFor(t, "the third read to queue", func() bool { return p.Stats().Waiting == 2 })
	r1()
	<-r3.done
	if r3.err != nil {
		t.Fatalf("Acquire(read) = %v, want nil", r3.err)
	}
	if s := p.Stats(); s.InFlight != 2 || s.Writes != 2 {
		t.Errorf("Stats() = %+v, want 2 in flight and 2 writes", s)
	}
	r2()
	r3.release()
	clk.Advance(time.Minute)
	<-blocked.done
	blocked.release()
}

func TestPriority(t *testing.T) {
	t.Run("high overtakes bulk that queued before it", func(t *testing.T) {
		clk := newFakeClock()
		p := NewPacer(Limits{PerMinute: 100, PerHour: 1000, Concurrent: 1}, clk)
		hold := mustAcquire(t, p, Normal, Read)
		var bulk []*waiting
		for i := range 3 {
			bulk = append(bulk, acquireAsync(context.Background(), p, Bulk, Write))
			waitFor(t, "bulk writes to queue", func() bool { return p.Stats().Waiting == i+1 })
		}
		high := acquireAsync(context.Background(), p, High, Write)
		waitFor(t, "the high write to queue", func() bool { return p.Stats().Waiting == 4 })
		hold()
		<-high.done
		for i, b := range bulk {
			if b.isDone() {
				t.Fatalf("bulk write %d went with the high one's slot", i)
			}
		}
		high.release()
		// Then the bulk ones, in their order, each a gap after the one before.
		for i, b := range bulk {
			if i > 0 {
				clk.Advance(p.limits.bulkGap())
			}
			waitFor(t, "the next bulk write", b.isDone)
			for _, later := range bulk[i+1:] {
				if later.isDone() {
					t.Fatalf("bulk write %d went before bulk write %d", i+1, i)
				}
			}
			b.release()
		}
	})

	t.Run("equal priorities go in arrival order", func(t *testing.T) {
		p := NewPacer(Limits{PerMinute: 100, PerHour: 1000, Concurrent: 1}, newFakeClock())
		hold := mustAcquire(t, p, Normal, Read)
		var ws []*waiting
		for i := range 5 {
			ws = append(ws, acquireAsync(context.Background(), p, Normal, Write))
			waitFor(t, "writes to queue", func() bool { return p.Stats().Waiting == i+1 })
		}
		hold()
		for i, w := range ws {
			<-w.done
			for j, later := range ws[i+1:] {
				if later.isDone() {
					t.Fatalf("write %d went before write %d", i+j+1, i)
				}
			}
			w.release()
		}
	})

	t.Run("a retry goes before those that came after it", func(t *testing.T) {
		p := NewPacer(Limits{PerMinute: 100, PerHour: 1000, Concurrent: 1}, newFakeClock())
		seq := p.nextSeq() // the request that was refused, numbered on arrival
		hold := mustAcquire(t, p, Normal, Read)
		later := acquireAsync(context.Background(), p, Normal, Write)
		waitFor(t, "a later write to queue", func() bool { return p.Stats().Waiting == 1 })
		retry := &waiting{done: make(chan struct{})}
		go func() {
			defer close(retry.done)
			retry.release, retry.err = p.acquire(context.Background(), Normal, Write, seq, true)
		}()
		waitFor(t, "the retry to queue", func() bool { return p.Stats().Waiting == 2 })
		hold()
		<-retry.done
		if later.isDone() {
			t.Fatal("a write that came after the refused one went before its retry")
		}
		retry.release()
		<-later.done
		later.release()
	})
}

func TestBulk(t *testing.T) {
	t.Run("bulk leaves a quarter of the minute to the rest", func(t *testing.T) {
		clk := newFakeClock()
		p := NewPacer(Limits{PerMinute: 20, PerHour: 1000, Concurrent: 100}, clk)
		for range 15 {
			take(t, p, High, Write)
		}
		// 15 writes in the last minute: a bulk one waits, high ones go.
		w := acquireAsync(context.Background(), p, Bulk, Write)
		waitFor(t, "the bulk write to queue", func() bool { return p.Stats().Waiting == 1 })
		for range 5 {
			take(t, p, High, Write)
		}
		if w.isDone() {
			t.Fatal("a bulk write went with 15 of 20 writes in the last minute, want it to wait")
		}
		clk.Advance(time.Minute)
		<-w.done
		w.release()
	})

	t.Run("bulk writes are spread over the minute", func(t *testing.T) {
		clk := newFakeClock()
		l := Limits{PerMinute: 40, PerHour: 1000, Concurrent: 100}
		p := NewPacer(l, clk)
		take(t, p, Bulk, Write)
		w := acquireAsync(context.Background(), p, Bulk, Write)
		waitFor(t, "the second bulk write to queue", func() bool { return p.Stats().Waiting == 1 })
		// Normal writes are not spaced.
		take(t, p, Normal, Write)
		take(t, p, Normal, Write)
		clk.Advance(l.bulkGap() - time.Millisecond)
		if w.isDone() {
			t.Fatalf("a bulk write went %v after the one before, want %v", l.bulkGap()-time.Millisecond, l.bulkGap())
		}
		clk.Advance(time.Millisecond)
		<-w.done
		w.release()
	})
}

func TestAcquireCanceled(t *testing.T) {
	t.Run("while waiting for the window", func(t *testing.T) {
		clk := newFakeClock()
		p := NewPacer(Limits{PerMinute: 1, PerHour: 10, Concurrent: 10}, clk)
		take(t, p, High, Write)
		ctx, cancel := context.WithCancel(context.Background())
		w := acquireAsync(ctx, p, High, Write)
		waitFor(t, "the write to queue", func() bool { return p.Stats().Waiting == 1 })
		cancel()
		<-w.done
		if !errors.Is(w.err, context.Canceled) || w.release != nil {
			t.Fatalf("Acquire after cancel = %v, want context.Canceled and no release", w.err)
		}
		if s := p.Stats(); s.InFlight != 0 || s.Waiting != 0 || s.Canceled != 1 || s.Writes != 1 {
			t.Errorf("Stats() = %+v, want nothing in flight or waiting, 1 canceled, 1 write", s)
		}
		// The canceled write took no place in the window.
		clk.Advance(time.Minute)
		take(t, p, High, Write)
	})

	t.Run("before asking", func(t *testing.T) {
		p := NewPacer(DefaultLimits, newFakeClock())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.Acquire(ctx, High, Read); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire(canceled ctx) = %v, want context.Canceled", err)
		}
		if s := p.Stats(); s.InFlight != 0 {
			t.Errorf("Stats().InFlight = %d, want 0", s.InFlight)
		}
	})
}

func TestPauseUntil(t *testing.T) {
	clk := newFakeClock()
	p := NewPacer(DefaultLimits, clk)
	p.PauseUntil(clk.Now().Add(time.Hour))
	if got, want := p.Stats().PausedUntil, clk.Now().Add(MaxPause); !got.Equal(want) {
		t.Errorf("PauseUntil(1h later): paused until %v, want %v (MaxPause)", got, want)
	}
	w := acquireAsync(context.Background(), p, High, Write)
	waitFor(t, "the write to queue", func() bool { return p.Stats().Waiting == 1 })
	take(t, p, High, Read)
	clk.Advance(MaxPause)
	<-w.done
	w.release()
	if s := p.Stats(); !s.PausedUntil.IsZero() || s.Pauses != 1 {
		t.Errorf("Stats() = %+v, want no pause now and 1 pause", s)
	}
}

func TestLimits(t *testing.T) {
	if err := DefaultLimits.Check(); err != nil {
		t.Errorf("DefaultLimits.Check() = %v", err)
	}
	if err := (Limits{PerMinute: 1, PerHour: 0, Concurrent: 1}).Check(); err == nil {
		t.Error("Check() of PerHour 0 = nil, want an error")
	}
	if got, want := DefaultLimits.Scale(0.1), (Limits{PerMinute: 7, PerHour: 45, Concurrent: 5}); got != want {
		t.Errorf("DefaultLimits.Scale(0.1) = %+v, want %+v", got, want)
	}
	if got, want := (Limits{PerMinute: 1, PerHour: 1, Concurrent: 1}).Scale(0.01), (Limits{1, 1, 1}); got != want {
		t.Errorf("Scale(0.01) = %+v, want %+v", got, want)
	}
	// GitHub asks for about a second between writes; bulk ones get it.
	if gap := DefaultLimits.bulkGap(); gap < time.Second {
		t.Errorf("DefaultLimits.bulkGap() = %v, want at least 1s", gap)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	p := NewPacer(Limits{PerMinute: 1 << 30, PerHour: 1 << 30, Concurrent: 64}, nil)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			release, err := p.Acquire(ctx, Normal, Read)
			if err != nil {
				b.Fatal(err)
			}
			release()
		}
	})
}
