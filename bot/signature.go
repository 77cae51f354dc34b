package bot

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// SignatureHeader is the only signature the bot accepts: HMAC-SHA256 of
// the body with the webhook secret. GitHub sends it with every delivery;
// the SHA-1 X-Hub-Signature it also sends is not accepted alone.
const SignatureHeader = "X-Hub-Signature-256"

// MaxWebhookBody is GitHub's cap on a delivery's payload (25 MB): a
// larger body is refused before it is read.
const MaxWebhookBody = 25 << 20

// SignatureError says why a delivery's signature was refused. Callers
// decide on the type (errors.As), never on the message.
type SignatureError struct {
	Missing bool // no X-Hub-Signature-256 at all
	// Cause is what was wrong with the one that was sent: malformed, or
	// made with another secret.
	Cause string
}

func (e *SignatureError) Error() string {
	if e.Missing {
		return "missing webhook signature: no " + SignatureHeader + " header"
	}
	return "webhook signature does not match: " + e.Cause
}

// errTooLarge refuses a body over MaxWebhookBody.
var errTooLarge = errors.New("webhook body over GitHub's 25 MB cap")

// verifyDelivery reads a delivery's body (MaxWebhookBody at most) and
// checks its X-Hub-Signature-256 against secret in constant time. It
// returns the body for the handlers, or a *SignatureError or errTooLarge.
func verifyDelivery(r *http.Request, secret []byte) ([]byte, error) {
	buf := bytes.NewBuffer(nil)
	return verifyInto(buf, r, secret)
}

// bodies keeps the buffers bodies are read into: a burst of large bodies
// reuses a few instead of leaving one behind each for the collector.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// verifyInto is verifyDelivery reading into buf; the body it returns
// lives in buf.
func verifyInto(buf *bytes.Buffer, r *http.Request, secret []byte) ([]byte, error) {
	if r.ContentLength > MaxWebhookBody {
		return nil, errTooLarge
	}
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxWebhookBody))
	body := buf.Bytes()
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("reading the webhook body: %w", err)
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		return nil, &SignatureError{Missing: true}
	}
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	got, err := hex.DecodeString(hexSum)
	if !ok || err != nil || len(got) != sha256.Size {
		return nil, &SignatureError{Cause: "it is not sha256= and 64 hex digits"}
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return nil, &SignatureError{Cause: "the app's webhook secret and the bot's " + EnvWebhookSecret + " differ"}
	}
	return body, nil
}

// bodyShare is the memory a delivery's body may take while it is read,
// checked and handed on: its size twice (the bot's copy and the
// dispatcher's), the cap when the size is not announced.
func bodyShare(r *http.Request) int64 {
	n := r.ContentLength
	if n < 0 || n > MaxWebhookBody {
		n = MaxWebhookBody
	}
	return 2*n + 4096
}

// verified lets through to next only deliveries whose signature is good,
// with their body restored; the others are answered at once (400, or 413
// for a body over the cap) and counted as rejected. Bodies are read only
// within the memory budget (Config.BodyBudget, shared by every delivery in
// flight): one that cannot get its share in time gets a 503.
func (b *Bot) verified(next http.Handler) http.Handler {
	secret := []byte(b.cfg.WebhookSecret)
	budget := semaphore.NewWeighted(max(b.cfg.BodyBudget, 2*MaxWebhookBody+4096))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxWebhookBody {
			b.metrics.deliveries.WithLabelValues(b.knownEvent(r.Header.Get("X-GitHub-Event")), "", OutcomeRejected).Inc()
			http.Error(w, errTooLarge.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		share := bodyShare(r)
		ctx, cancel := context.WithTimeout(r.Context(), cmp.Or(max(b.cfg.BodyWait, 0), 10*time.Second))
		err := budget.Acquire(ctx, share)
		cancel()
		if err != nil {
			b.metrics.deliveries.WithLabelValues(b.knownEvent(r.Header.Get("X-GitHub-Event")), "", OutcomeDropped).Inc()
			http.Error(w, "busy: too many webhook bodies are being read; the bot's periodic resync will pick this change up",
				http.StatusServiceUnavailable)
			return
		}
		defer budget.Release(share)
		buf := bodies.Get().(*bytes.Buffer)
		defer bodies.Put(buf) // the dispatcher copies the body before it queues it
		body, err := verifyInto(buf, r, secret)
		if err != nil {
			event := b.knownEvent(r.Header.Get("X-GitHub-Event"))
			b.metrics.deliveries.WithLabelValues(event, "", OutcomeRejected).Inc()
			log := b.log.With("delivery", clip(r.Header.Get("X-GitHub-Delivery"), 64), "event", event)
			var se *SignatureError
			switch {
			case errors.As(err, &se):
				log.Warn("refused a webhook delivery", "error", err)
				http.Error(w, err.Error(), http.StatusBadRequest)
			case errors.Is(err, errTooLarge):
				log.Warn("refused a webhook delivery", "error", err, "content_length", r.ContentLength)
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			default:
				log.Warn("could not read a webhook delivery", "error", err)
				http.Error(w, "could not read the body", http.StatusBadRequest)
			}
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
