package pace

import (
	"fmt"
	"math"
	"time"
)

// Limits is how much one installation may ask of GitHub: content-generating
// requests (writes) in any 60 seconds and in any hour, and requests of any
// method in flight at once.
type Limits struct {
	PerMinute, PerHour, Concurrent int
}

// DefaultLimits stays under GitHub's documented secondary limits (80 writes
// a minute, 500 an hour, 100 concurrent requests) with headroom, because
// GitHub does not say what it counts them per: the app's other clients (the
// app's own JWT client, a second replica that has not yet let go of a
// delivery, a maintainer's CLI run) may spend from the same allowance
// without passing through this pacer. 70 and 450 leave about a tenth;
// concurrency gets half, since that limit is shared with the GraphQL API
// and a request's duration is not ours to choose.
var DefaultLimits = Limits{PerMinute: 70, PerHour: 450, Concurrent: 50}

// MaxPause is the longest one refusal pauses an installation's writes. A
// refusal that asks for longer is retried after MaxPause; GitHub then
// answers with what is left of its wait, so a long limit is still waited
// out, one capped pause at a time, while a wrong header cannot stall an
// installation for hours.
const MaxPause = 15 * time.Minute

// MaxRetries is how often one request is sent again after a refusal before
// its last response is handed back: a request that GitHub keeps refusing is
// better reported than retried forever.
const MaxRetries = 5

// minPause is the shortest pause after a refusal. A reset time already
// past on our clock (clock skew) would otherwise retry at once and spend
// every retry in a burst.
const minPause = time.Second

// bulkShare is the part of each window that bulk writes may fill; the rest
// is kept for answers to commands and first status comments, so that a
// draft's hundred status refreshes cannot make a maintainer's command wait a
// minute for its answer.
const bulkShare = 0.75

// Check reports the first limit that cannot be paced: every one must allow
// at least one request.
func (l Limits) Check() error {
	switch {
	case l.PerMinute < 1:
		return fmt.Errorf("pace: PerMinute is %d, want at least 1", l.PerMinute)
	case l.PerHour < 1:
		return fmt.Errorf("pace: PerHour is %d, want at least 1", l.PerHour)
	case l.Concurrent < 1:
		return fmt.Errorf("pace: Concurrent is %d, want at least 1", l.Concurrent)
	}
	return nil
}

// Scale multiplies every limit by f, keeping each at least 1, so that a test
// or a benchmark can run the same shape of limits smaller (f < 1) or larger.
// Together with a Clock that runs faster than real time (FastClock) it
// replays an hour of pacing in seconds.
func (l Limits) Scale(f float64) Limits {
	scale := func(n int) int {
		return max(1, int(math.Round(float64(n)*f)))
	}
	return Limits{PerMinute: scale(l.PerMinute), PerHour: scale(l.PerHour), Concurrent: scale(l.Concurrent)}
}

// bulk is the part of the windows that bulk writes may fill.
func (l Limits) bulk() (perMinute, perHour int) {
	return max(1, int(float64(l.PerMinute)*bulkShare)), max(1, int(float64(l.PerHour)*bulkShare))
}

// bulkGap is the least time between two bulk writes: their share of the
// minute spread evenly over it, so that a batch goes out as a steady trickle
// rather than a burst (GitHub asks integrators to leave about a second
// between writes, which the default limits give).
func (l Limits) bulkGap() time.Duration {
	perMinute, _ := l.bulk()
	return time.Minute / time.Duration(perMinute)
}
