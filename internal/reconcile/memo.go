package reconcile

import (
	"github.com/newsletter-bot/newsletter-bot/drafts"

	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru"
)

// Memo is what one replica remembers between events to save requests and
// turns: who is a maintainer (for a short while), which command comments
// are answered (for good: an answer is never taken back), and a lock per
// issue and per draft so that its own workers take turns, and which
// editions' publications are done (for good too). None of it is
// needed for correctness: a fresh Memo, or none at all, only costs
// requests and races that GitHub settles. Every cache is bounded.
type Memo struct {
	// MaintainerTTL is how long a "maintainer or not" answer stands
	// (default 2 minutes).
	MaintainerTTL time.Duration
	// Now is the clock of the answers' age (nil: time.Now).
	Now func() time.Time

	once        sync.Once
	maintainers *lru.Cache // "owner/name user" -> maintainerAnswer
	answered    *lru.Cache // "owner/name #comment-id" -> struct{}
	published   *lru.Cache // "owner/name edition N" -> struct{}: its publication is done
	// bases holds what the last few draft tips carry ("owner/name sha" ->
	// branchBase): a commit never changes, and decoding a large draft's
	// items is most of an update's work.
	bases *lru.Cache
	// current holds when draft tips were found current ("owner/name sha
	// fingerprint" -> time.Time): see catchUpDraft.
	current *lru.Cache
	// editions holds the links of published edition files, by blob id.
	editions *lru.Cache
	// histories holds each repository's drafts.History for historyTTL.
	histories *lru.Cache
	// linksChecked holds when the links heading for each repository's
	// draft were last checked again ("owner/name" -> time.Time).
	linksChecked *lru.Cache

	mu    sync.Mutex
	locks map[string]*keyLock
}

type maintainerAnswer struct {
	yes bool
	at  time.Time
}

type keyLock struct {
	mu      sync.Mutex
	waiters int
}

// memoSize bounds each cache; past it the least recently used goes.
const memoSize = 4096

func (m *Memo) init() {
	m.once.Do(func() {
		m.maintainers, _ = lru.New(memoSize) // only fails for a size below 1
		m.answered, _ = lru.New(memoSize)
		m.published, _ = lru.New(memoSize)
		m.bases, _ = lru.New(maxBases)
		m.current, _ = lru.New(maxBases)
		m.editions, _ = lru.New(4 * drafts.HistoryEditions)
		m.histories, _ = lru.New(64)
		m.linksChecked, _ = lru.New(memoSize)
	})
}

// maxBases bounds the draft tips remembered: each holds a render and its
// items, a megabyte or two at 10,000 submissions.
const maxBases = 8

// branchBase is what readBranch reads of a draft's tip commit.
type branchBase struct {
	base     string
	items    drafts.Items
	hasItems bool
	// file is the edition file in the commit, when the replica made it
	// (then the update after it needs not read it back); "" otherwise.
	file    string
	hasFile bool
}

func (m *Memo) base(key string) (branchBase, bool) {
	if m == nil {
		return branchBase{}, false
	}
	m.init()
	v, ok := m.bases.Get(key)
	if !ok {
		return branchBase{}, false
	}
	return v.(branchBase), true
}

func (m *Memo) setBase(key string, b branchBase) {
	if m == nil {
		return
	}
	m.init()
	m.bases.Add(key, b)
}

func (m *Memo) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Memo) maintainer(key string) (yes, ok bool) {
	if m == nil {
		return false, false
	}
	m.init()
	v, found := m.maintainers.Get(strings.ToLower(key))
	if !found {
		return false, false
	}
	a := v.(maintainerAnswer)
	ttl := m.MaintainerTTL
	if ttl == 0 {
		ttl = 2 * time.Minute
	}
	if m.now().Sub(a.at) >= ttl {
		return false, false
	}
	return a.yes, true
}

func (m *Memo) setMaintainer(key string, yes bool) {
	if m == nil {
		return
	}
	m.init()
	m.maintainers.Add(strings.ToLower(key), maintainerAnswer{yes: yes, at: m.now()})
}

func (m *Memo) isAnswered(key string) bool {
	if m == nil {
		return false
	}
	m.init()
	return m.answered.Contains(key)
}

func (m *Memo) setAnswered(key string) {
	if m == nil {
		return
	}
	m.init()
	m.answered.Add(key, struct{}{})
}

func (m *Memo) isPublished(key string) bool {
	if m == nil {
		return false
	}
	m.init()
	return m.published.Contains(key)
}

func (m *Memo) setPublished(key string) {
	if m == nil {
		return
	}
	m.init()
	m.published.Add(key, struct{}{})
}

// Lock takes the replica's lock on key and returns its release. Keys
// nobody holds or waits for are forgotten, so the map stays as small as
// the work in flight. A nil Memo locks nothing.
func (m *Memo) Lock(key string) (unlock func()) {
	if m == nil {
		return func() {}
	}
	m.mu.Lock()
	if m.locks == nil {
		m.locks = map[string]*keyLock{}
	}
	l := m.locks[key]
	if l == nil {
		l = &keyLock{}
		m.locks[key] = l
	}
	l.waiters++
	m.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		m.mu.Lock()
		if l.waiters--; l.waiters == 0 {
			delete(m.locks, key)
		}
		m.mu.Unlock()
	}
}

// linksDue reports whether repo's links were last checked again longer
// than every ago (or never, as far as this replica knows).
func (m *Memo) linksDue(repo string, now time.Time, every time.Duration) bool {
	if m == nil {
		return true
	}
	m.init()
	v, ok := m.linksChecked.Get(strings.ToLower(repo))
	return !ok || now.Sub(v.(time.Time)) >= every
}

// setLinksChecked notes that repo's links were checked again at t.
func (m *Memo) setLinksChecked(repo string, t time.Time) {
	if m == nil {
		return
	}
	m.init()
	m.linksChecked.Add(strings.ToLower(repo), t)
}

// isCurrent reports whether the draft tip key was found current at or
// after t.
func (m *Memo) isCurrent(key string, t time.Time) bool {
	if m == nil {
		return false
	}
	m.init()
	v, ok := m.current.Get(key)
	return ok && !v.(time.Time).Before(t)
}

// setCurrent notes that the draft tip key was current at t.
func (m *Memo) setCurrent(key string, t time.Time) {
	if m == nil {
		return
	}
	m.init()
	if v, ok := m.current.Get(key); ok && v.(time.Time).After(t) {
		return
	}
	m.current.Add(key, t)
}

// editionLinks is what history keeps of an edition file.
type editionLinks struct {
	number int
	links  []string
}

func (m *Memo) edition(sha string) (editionLinks, bool) {
	if m == nil || sha == "" {
		return editionLinks{}, false
	}
	m.init()
	v, ok := m.editions.Get(sha)
	if !ok {
		return editionLinks{}, false
	}
	return v.(editionLinks), true
}

func (m *Memo) setEdition(sha string, e editionLinks) {
	if m == nil || sha == "" {
		return
	}
	m.init()
	m.editions.Add(sha, e)
}

// historyTTL is how long a repository's history stands, while its edition
// files stay the same, between the full builds that read it afresh (a
// label people put on by hand changes it too).
const historyTTL = 10 * time.Minute

type datedHistory struct {
	key string // which edition files it was read from
	h   drafts.History
	at  time.Time
}

func (m *Memo) history(repo, key string) (drafts.History, bool) {
	if m == nil {
		return nil, false
	}
	m.init()
	v, ok := m.histories.Get(repo)
	if !ok {
		return nil, false
	}
	d := v.(datedHistory)
	if d.h == nil || d.key != key || m.now().Sub(d.at) > historyTTL {
		return nil, false
	}
	return d.h, true
}

func (m *Memo) setHistory(repo, key string, h drafts.History) {
	if m == nil {
		return
	}
	m.init()
	m.histories.Add(repo, datedHistory{key, h, m.now()})
}
