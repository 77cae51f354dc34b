package reconcile

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// fill files n accepted submissions, a third of each kind, as people would
// (no webhooks reach the service: the test calls it).
func (w *world) fill(t testing.TB, n int) {
	t.Helper()
	for i := range n {
		k, a := simtest.Sample(i)
		_, err := w.sim.Actor("ana").OpenIssueFromForm(repoFN, "suggestion", w.svc.Forms[k].RenderBody(a),
			w.svc.Config.Labels.ForKind(k), w.svc.Config.Labels.Accepted)
		check(t, err)
	}
}

// measure runs f and returns the simulator's counters for it.
func (w *world) measure(t testing.TB, f func() error) githubsim.Stats {
	t.Helper()
	w.sim.ResetStats()
	check(t, f())
	return w.sim.Stats()
}

// TestBudgetsAtScale measures what each step costs with N = 100, 1,000 and
// (without -short or -race) 10,000 submissions, and holds the costs that must not
// grow with N to bounds of 10 or 12 requests plus one per hundred
// submissions (a page of a listing).
func TestBudgetsAtScale(t *testing.T) {
	sizes := scaleSizes
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			// The first pass writes a status on every submission: 10,000 of
			// them are over an hour's 5,000 requests, which a replica spreads
			// over the hours it takes (its writes are paced). Here the hour
			// is lifted, to count.
			w := newWorldWith(t, "2026-11-25", githubsim.Options{RateLimit: 1 << 30})
			ctx := context.Background()
			w.fill(t, n)
			pages := (n + 99) / 100
			row := func(what string, s githubsim.Stats, maxRequests, maxWrites int) {
				t.Helper()
				t.Logf("N=%-6d %-52s %6d requests %6d writes %5d 304s", n, what, s.Total, s.Writes, s.NotModified)
				if maxRequests >= 0 && s.Total > maxRequests {
					t.Errorf("%s: %d requests, want at most %d", what, s.Total, maxRequests)
				}
				if maxWrites >= 0 && s.Writes > maxWrites {
					t.Errorf("%s: %d writes, want at most %d: %v", what, s.Writes, maxWrites, s.ByRoute)
				}
			}

			// The replica's first pass writes every status; a replica that
			// starts later (with an empty memory) finds them right and
			// writes nothing.
			w.svc.Memo = &Memo{Now: w.clock.Now}
			first := w.measure(t, func() error { _, err := w.svc.Resync(ctx, time.Time{}, time.Hour); return err })
			row("first resync pass (every status written)", first, -1, -1)
			// Passes run every five minutes.
			w.clock.Advance(5 * time.Minute)
			w.svc.Memo = &Memo{Now: w.clock.Now}
			began := w.clock.Now()
			restarted := w.measure(t, func() error { _, err := w.svc.Resync(ctx, time.Time{}, time.Hour); return err })
			row("first pass of a restarted replica", restarted, 20+5*pages, 0)
			// The next pass of that replica, from where its last one began.
			steadyPass := func(what string, maxRequests int) {
				t.Helper()
				w.clock.Advance(5 * time.Minute)
				last := began
				began = w.clock.Now()
				steady := w.measure(t, func() error { _, err := w.svc.Resync(ctx, last, time.Hour); return err })
				row(what, steady, maxRequests, 0)
			}
			steadyPass("steady resync, nothing changed", 10+pages)

			w.svc.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
			var out DraftOutcome
			opening := w.measure(t, func() error { var err error; out, err = w.svc.ReconcileDraft(ctx, true); return err })
			row("opening the draft", opening, 12+pages, -1)
			if len(out.Result.Included) != n {
				t.Fatalf("the draft includes %d, want %d", len(out.Result.Included), n)
			}
			statuses := w.measure(t, func() error { return w.svc.PullChanged(ctx, out.Draft.Pull.Number, true, false, false) })
			row("what opening sets off (statuses name the draft)", statuses, 20+5*pages+n, n)
			steadyPass("the pass after the opening (every status changed)", 20+5*pages)
			steadyPass("steady resync with the draft open, nothing changed", 10+pages)
			// Once a day the pass asks again for the links of the items
			// the draft is made from (here every one answers, and none
			// changed); a replica that never read the draft's tip reads
			// its items first.
			var checked atomic.Int64
			w.svc.Links = fineLinks{&checked}
			w.svc.Memo = &Memo{Now: w.clock.Now}
			steadyPass("the day's check of the draft's links, nothing changed", 10+pages+5)
			if checked.Load() != int64(n) {
				t.Errorf("the day's check asked for %d links, want %d", checked.Load(), n)
			}
			w.svc.Links = nil
		})
	}
}

// fineLinks is a link checker whose every link works; it counts the
// links it is asked for.
type fineLinks struct{ asked *atomic.Int64 }

func (f fineLinks) Check(context.Context, string, bool) linkcheck.Result {
	f.asked.Add(1)
	return linkcheck.Result{Verdict: linkcheck.OK}
}
