package reconcile

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
)

// ErrDryRun is what a dry run's transport answers to every request that
// would change something on GitHub. The use cases treat it as "this is
// where it would have written": they log what, and stop or go on with
// what they can still compute.
var ErrDryRun = errors.New("dry run: the request was not sent")

// tokenExchange is the one POST a dry run sends: an installation token
// for an app's JWT, which changes nothing in any repository.
var tokenExchange = regexp.MustCompile(`/app/installations/\d+/access_tokens$`)

// DryRun returns a transport that sends only reads (GET and HEAD) and
// the installation token exchange, and refuses everything else with
// ErrDryRun before it leaves the process. Whatever the code above it
// does, a dry run cannot write: the guarantee sits where requests leave,
// not at each call site.
func DryRun(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return dryRun{next}
}

type dryRun struct{ next http.RoundTripper }

func (d dryRun) RoundTrip(r *http.Request) (*http.Response, error) {
	switch {
	case r.Method == http.MethodGet, r.Method == http.MethodHead:
	case r.Method == http.MethodPost && tokenExchange.MatchString(r.URL.Path):
	default:
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, ErrDryRun)
	}
	return d.next.RoundTrip(r)
}
