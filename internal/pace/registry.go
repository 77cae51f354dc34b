package pace

import (
	"fmt"
	"sync"

	"github.com/hashicorp/golang-lru/simplelru"
)

// Registry holds one Pacer per installation, for at most size
// installations; it is safe for concurrent use. When it is full, a new
// installation's pacer replaces the least recently used idle one (nothing
// in flight or queued, no pause, no write in the last hour), so that a
// pacer is forgotten only when it has nothing left to remember; only if
// none is idle does the least recently used one go, and its installation
// may then, for up to an hour, write more than its limits allow.
type Registry struct {
	limits Limits
	clock  Clock
	size   int

	mu     sync.Mutex
	pacers *simplelru.LRU // installation ID (int64) -> *Pacer
}

// NewRegistry returns a registry whose pacers have limits l and clock (nil
// is real time), for at most size installations at once. It fails, naming
// the limit, when l or size cannot be paced.
func NewRegistry(l Limits, size int, clock Clock) (*Registry, error) {
	if err := l.Check(); err != nil {
		return nil, err
	}
	if size < 1 {
		return nil, fmt.Errorf("pace: registry size is %d, want at least 1", size)
	}
	if clock == nil {
		clock = realClock{}
	}
	pacers, err := simplelru.NewLRU(size, nil)
	if err != nil {
		return nil, err
	}
	return &Registry{limits: l, clock: clock, size: size, pacers: pacers}, nil
}

// Get returns the installation's pacer, making it on first use.
func (r *Registry) Get(installationID int64) *Pacer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pacers.Get(installationID); ok {
		return p.(*Pacer)
	}
	if r.pacers.Len() >= r.size {
		r.evict()
	}
	p := NewPacer(r.limits, r.clock)
	r.pacers.Add(installationID, p)
	return p
}

// Len is how many installations have a pacer now.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pacers.Len()
}

// evict makes room for one pacer.
func (r *Registry) evict() {
	for _, id := range r.pacers.Keys() { // least recently used first
		p, _ := r.pacers.Peek(id)
		if p.(*Pacer).idle() {
			r.pacers.Remove(id)
			return
		}
	}
	r.pacers.RemoveOldest()
}
