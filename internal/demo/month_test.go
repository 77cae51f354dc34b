package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// TestAMonthOf300Submissions plays a month with 300 submissions from filing
// to publication (each accepted by command, the draft opened, merged and
// published) through real webhooks, with the simulator enforcing GitHub's
// secondary limits and the replica pacing its writes, both at 1,000 times
// GitHub's rates (an hour passes in 3.6 s; the hourly primary limit is
// sped up alike): GitHub must refuse nothing.
func TestAMonthOf300Submissions(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 300 submissions")
	}
	w, ctx := start(t, Options{Speed: 1000, RateLimit: 5000 * 1000})
	const n = 300
	var numbers []int
	for i := range n {
		k, a := simtest.Sample(i)
		is, err := simtest.OpenSubmission(w.Sim, ana, k, a)
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, is.Number)
	}
	for _, num := range numbers {
		if _, err := w.Sim.Actor(maya).Comment(simtest.Repo, num, "/newsletter accept"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	w.Calendar.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if err := w.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	pulls, err := w.Sim.PullRequests(simtest.Repo)
	if err != nil || len(pulls) != 1 {
		t.Fatalf("pull requests %v, %v: want the draft", pulls, err)
	}
	if _, err := w.Sim.Actor(maya).MarkReady(simtest.Repo, pulls[0].Number); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Sim.Actor(maya).MergePR(simtest.Repo, pulls[0].Number); err != nil {
		t.Fatal(err)
	}
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, num := range numbers {
		is, err := w.Sim.Issue(simtest.Repo, num)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range is.Labels {
			if strings.EqualFold(l, "newsletter: published") {
				published++
			}
		}
	}
	s := w.Sim.Stats()
	t.Logf("300 submissions from filing to publication: %d requests, %d writes, at most %d writes in a minute and %d requests at once (GitHub allows 80 and 100), %d refused by the secondary limits",
		s.Total, s.Writes, s.PeakWritesPerMinute, s.PeakConcurrent, s.SecondaryLimited)
	if published != n {
		t.Errorf("%d of %d submissions published", published, n)
	}
	if s.SecondaryLimited != 0 {
		t.Errorf("GitHub's secondary limits refused %d requests, want none", s.SecondaryLimited)
	}
}
