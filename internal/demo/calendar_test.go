package demo

import (
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// TestCalendarPlacesGitHubTimestamps: GitHub stamps whole seconds on its
// own clock while the story moves the calendar by days; At puts a stamp
// on the day the calendar showed when it was made, also when the calendar
// moved within the same second of GitHub's clock.
func TestCalendarPlacesGitHubTimestamps(t *testing.T) {
	clock := &simtest.Clock{}
	day := func(d int) time.Time { return time.Date(2027, 1, d, 9, 0, 0, 0, time.UTC) }
	c := NewCalendar(day(17), clock)
	stamp := func() time.Time { return clock.Now().UTC().Truncate(time.Second) } // as GitHub stamps
	before := stamp()
	c.Set(day(20))
	after := stamp()
	for _, tc := range []struct {
		stamp time.Time
		want  int
	}{{before, 17}, {after, 20}} {
		if got := c.At(tc.stamp); got.Day() != tc.want {
			t.Errorf("At(%s) = %s, want January %d", tc.stamp.Format(time.RFC3339), got, tc.want)
		}
	}
	if !after.After(before) {
		t.Errorf("the calendar moved without GitHub's clock moving to a new second: %s, then %s", before, after)
	}
}
