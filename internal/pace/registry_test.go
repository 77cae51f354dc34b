package pace

import (
	"context"
	"testing"
)

func TestRegistry(t *testing.T) {
	t.Run("one pacer per installation", func(t *testing.T) {
		r, err := NewRegistry(DefaultLimits, 10, newFakeClock())
		if err != nil {
			t.Fatal(err)
		}
		if r.Get(1) != r.Get(1) {
			t.Error("Get(1) twice gave two pacers, want one")
		}
		if r.Get(1) == r.Get(2) {
			t.Error("Get(1) and Get(2) gave one pacer, want two")
		}
	})

	t.Run("full, it forgets an idle pacer before a busy one", func(t *testing.T) {
		clk := newFakeClock()
		r, err := NewRegistry(DefaultLimits, 2, clk)
		if err != nil {
			t.Fatal(err)
		}
		busy := r.Get(1) // the least recently used, but a request is in flight
		release, err := busy.Acquire(context.Background(), Normal, Read)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		r.Get(2)
		r.Get(3)
		if n := r.Len(); n != 2 {
			t.Fatalf("Len() = %d, want 2", n)
		}
		if r.Get(1) != busy {
			t.Error("Get(1) made a new pacer while the old one had a request in flight")
		}
	})

	t.Run("full of busy pacers, it still stays bounded", func(t *testing.T) {
		clk := newFakeClock()
		r, err := NewRegistry(DefaultLimits, 3, clk)
		if err != nil {
			t.Fatal(err)
		}
		for id := range int64(10) {
			// A write keeps a pacer busy for the hour window.
			release, err := r.Get(id).Acquire(context.Background(), High, Write)
			if err != nil {
				t.Fatal(err)
			}
			release()
		}
		if n := r.Len(); n != 3 {
			t.Errorf("Len() = %d, want 3", n)
		}
	})

	t.Run("it refuses limits it cannot pace", func(t *testing.T) {
		if _, err := NewRegistry(Limits{PerMinute: 70, PerHour: 450}, 10, nil); err == nil {
			t.Error("NewRegistry(Concurrent 0) = nil error, want one")
		}
		if _, err := NewRegistry(DefaultLimits, 0, nil); err == nil {
			t.Error("NewRegistry(size 0) = nil error, want one")
		}
	})
}
