package pace

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Transport returns a transport that paces each request whose context
// carries a Pacer (WithPacer), at the priority the context carries
// (WithPriority), and sends a request GitHub refused for a rate limit again
// once the pause it asked for is over. A request without a pacer goes to
// next untouched. A nil next is http.DefaultTransport.
//
// A refused request is sent again at most MaxRetries times, and only if its
// body can be made afresh (http.Request.GetBody, which http.NewRequest and
// go-github set); otherwise, or once the retries are spent, the refusal
// itself is returned, for the caller's own error handling to see.
func Transport(next http.RoundTripper) http.RoundTripper {
	return NewTransport(next, nil)
}

// Refused is told of each refusal a paced request met: the request, and
// when the installation's writes may go again.
type Refused func(r *http.Request, until time.Time)

// NewTransport is Transport telling onRefused (when not nil) of every
// refusal, for the caller's logs.
func NewTransport(next http.RoundTripper, onRefused Refused) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return transport{next: next, onRefused: onRefused}
}

type transport struct {
	next      http.RoundTripper
	onRefused Refused
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	p := PacerFrom(ctx)
	if p == nil {
		return t.next.RoundTrip(req)
	}
	kind, pri := KindOf(req), PriorityFrom(ctx)
	seq := p.nextSeq()
	r := req
	for attempt := 0; ; attempt++ {
		release, err := p.acquire(ctx, pri, kind, seq, attempt > 0)
		if err != nil {
			// A RoundTripper closes the body whatever happens.
			if r.Body != nil {
				r.Body.Close()
			}
			return nil, err
		}
		resp, err := t.next.RoundTrip(r)
		release()
		if err != nil {
			return nil, err
		}
		until, refused := refusal(resp, p.clock.Now(), attempt)
		if !refused {
			return resp, nil
		}
		// Pause even when this request is not sent again: the other
		// writers of the installation would meet the same refusal.
		p.refused(until)
		if t.onRefused != nil {
			t.onRefused(r, until)
		}
		if attempt == MaxRetries {
			return resp, nil
		}
		again, ok := rewind(req)
		if !ok {
			return resp, nil
		}
		discard(resp)
		p.retried()
		r = again
	}
}

// tokenExchange is the POST that trades the app's JWT for an installation
// token: it creates no content, so it is paced like a read.
var tokenExchange = regexp.MustCompile(`/app/installations/\d+/access_tokens$`)

// KindOf tells a write (content-generating: POST, PATCH, PUT, DELETE, and
// any method not known to be safe) from a read. A GraphQL query is a POST
// and counts as a write: telling it from a mutation would take reading the
// body, and erring on the side of pacing costs only time.
func KindOf(r *http.Request) Kind {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions:
		return Read
	case http.MethodPost:
		if tokenExchange.MatchString(r.URL.Path) {
			return Read
		}
	}
	return Write
}

// rewind makes the request to send again, with its body afresh; it reports
// false when the body cannot be had again, since sending a retry with an
// empty or half-read body would write the wrong thing.
func rewind(req *http.Request) (*http.Request, bool) {
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	r.Body = body
	return r, true
}

// discard reads a little of a response nobody will see before closing it,
// so that its connection can be used again.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
	resp.Body.Close()
}

// peekLimit bounds what is read of a refusal: GitHub's error bodies are a
// few hundred bytes.
const peekLimit = 64 << 10

// refusal reports whether resp refuses its request for a rate limit, and
// until when GitHub asks to wait, in the order GitHub documents: the
// retry-after header; x-ratelimit-reset when x-ratelimit-remaining is 0;
// otherwise at least a minute, growing with each attempt. A 403 with none
// of those is a refusal only if its body names the secondary rate limit:
// any other 403 is a permission error, which waiting does not fix.
func refusal(resp *http.Response, now time.Time, attempt int) (time.Time, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, false
	}
	h := resp.Header
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil {
			return now.Add(time.Duration(s) * time.Second), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return t, true
		}
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if s, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			return time.Unix(s, 0), true
		}
		return now.Add(backoff(attempt)), true
	}
	if resp.StatusCode == http.StatusTooManyRequests || namesSecondaryLimit(resp) {
		return now.Add(backoff(attempt)), true
	}
	return time.Time{}, false
}

// backoff is the wait GitHub asks for when it gives no time: at least a
// minute, doubling while the refusals go on.
func backoff(attempt int) time.Duration {
	d := time.Minute
	for range attempt {
		if d >= MaxPause {
			break
		}
		d *= 2
	}
	return min(d, MaxPause)
}

// namesSecondaryLimit reads the start of resp's body for GitHub's words for
// a secondary limit, and leaves the body whole for whoever reads it next.
// Text is all a bare 403 has to tell a rate limit from a permission error.
func namesSecondaryLimit(resp *http.Response) bool {
	if resp.Body == nil || resp.Body == http.NoBody {
		return false
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	text := strings.ToLower(string(head))
	return strings.Contains(text, "secondary rate limit") || strings.Contains(text, "abuse detection")
}
