package reconcile

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// TestLinksThatNoLongerWork: the links people submit are checked (here
// against a local server; nothing leaves 127.0.0.1): one that answers 404
// is a problem its status names, which keeps it out of the draft and lists
// it under "Needs info"; a 503 is a warning that blocks nothing; a job that
// now leads to the careers page may be closed; the cloud's metadata address
// is never requested. A link that goes bad after acceptance is found by the
// next day's resync pass, and one that works again comes back.
func TestLinksThatNoLongerWork(t *testing.T) {
	var gone atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/jobs/fine", "/careers":
			fmt.Fprint(rw, "<title>A job</title>")
		case "/jobs/later":
			if gone.Load() {
				http.NotFound(rw, r)
				return
			}
			fmt.Fprint(rw, "<title>A job</title>")
		case "/jobs/busy":
			rw.WriteHeader(http.StatusServiceUnavailable)
		case "/jobs/filled":
			http.Redirect(rw, r, "/careers", http.StatusFound)
		default:
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	w := newWorld(t, "2026-12-01")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w.svc.Links = linkcheck.New(linkcheck.Options{AllowLoopback: true, Ports: []int{port}, Now: func() time.Time { return now }})
	ctx := context.Background()
	link := func(path string) string { return srv.URL + path }

	status := func(n int) string { t.Helper(); return w.reconciledStatus(t, n) }
	fine := w.open(t, "ana", drafts.KindJob, job("Fine", link("/jobs/fine")))
	later := w.open(t, "ana", drafts.KindJob, job("Later", link("/jobs/later")))
	broken := w.open(t, "ben", drafts.KindJob, job("Broken", link("/jobs/missing")))
	busy := w.open(t, "ben", drafts.KindJob, job("Busy", link("/jobs/busy")))
	filled := w.open(t, "ben", drafts.KindJob, job("Filled", link("/jobs/filled")))
	meta := w.open(t, "ben", drafts.KindJob, job("Meta", "http://169.254.169.254/latest/meta-data/"))
	again := w.open(t, "ben", drafts.KindJob, job("Fine again", link("/jobs/fine"))) // a duplicate: needs-info, its link fine
	for _, n := range []int{fine.Number, later.Number, broken.Number, busy.Number, filled.Number, meta.Number, again.Number} {
		w.accept(t, n)
	}

	if st := status(fine.Number); strings.Contains(st, "⚠️") || strings.Contains(st, "fix") {
		t.Errorf("a working link's status:\n%s", st)
	}
	if st := status(broken.Number); !strings.Contains(st, "**Link**: `"+link("/jobs/missing")+"`") || !strings.Contains(st, "accepted, pending a fix") {
		t.Errorf("a 404's status does not name the problem:\n%s", st)
	}
	if !strings.Contains(strings.Join(w.newsletterLabels(t, broken.Number), " "), "needs-info") {
		t.Errorf("a 404 is not labelled needs-info: %q", w.newsletterLabels(t, broken.Number))
	}
	if st := status(busy.Number); !strings.Contains(st, "⚠️ **Link:**") || !strings.Contains(st, "blocks nothing") || strings.Contains(st, "pending a fix") {
		t.Errorf("a 503's status is not a warning that blocks nothing:\n%s", st)
	}
	if st := status(filled.Number); !strings.Contains(st, "the posting may be closed") {
		t.Errorf("a job that leads to the careers page:\n%s", st)
	}
	if st := status(meta.Number); !strings.Contains(st, "**Link**:") || !strings.Contains(st, "pending a fix") {
		t.Errorf("the metadata address is not a problem:\n%s", st)
	}
	status(later.Number)

	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	if st := status(again.Number); !strings.Contains(st, fmt.Sprintf("already suggested in #%d", fine.Number)) {
		t.Errorf("the duplicate's status:\n%s", st)
	}
	if !strings.Contains(strings.Join(w.newsletterLabels(t, again.Number), " "), "needs-info") {
		t.Errorf("the duplicate is not labelled needs-info: %q", w.newsletterLabels(t, again.Number))
	}
	text := w.draftFile(t, out.Draft)
	for n, in := range map[string]bool{"/jobs/fine": true, "/jobs/later": true, "/jobs/busy": true, "/jobs/filled": true, "/jobs/missing": false, "169.254": false} {
		if strings.Contains(text, n) != in {
			t.Errorf("%s in the draft: %v, want %v\n%s", n, !in, in, text)
		}
	}
	if !strings.Contains(out.Draft.Pull.Body, fmt.Sprintf("- #%d: ", broken.Number)) {
		t.Errorf("the description does not list the broken link under Needs info:\n%s", out.Draft.Pull.Body)
	}

	// The posting of an accepted job goes away. The resync passes check
	// the draft's links again once a day (the checker's answers last a
	// day): the next day's finds it.
	w.clock.Advance(3 * time.Minute) // the draft opened before the passes' overlap: they are steady ones
	since := w.clock.Now()
	var shift time.Duration
	w.svc.Clock = func() time.Time { return w.clock.Now().Add(shift) }
	pass := func() ResyncReport {
		t.Helper()
		rep, err := w.svc.Resync(ctx, since, time.Hour)
		check(t, err)
		since = w.clock.Now()
		return rep
	}
	pass() // checks every link again: none went bad
	gone.Store(true)
	if rep := pass(); len(rep.Relinked) != 0 || !strings.Contains(w.draftFile(t, out.Draft), "/jobs/later") {
		t.Errorf("a pass within the day checked again: %v", rep.Relinked)
	}
	now, shift = now.Add(25*time.Hour), shift+25*time.Hour
	if rep := pass(); len(rep.Relinked) != 1 || rep.Relinked[0] != later.Number {
		t.Errorf("the next day's pass brought %v up to date, want #%d", rep.Relinked, later.Number)
	}
	if text := w.draftFile(t, out.Draft); strings.Contains(text, "/jobs/later") {
		t.Errorf("a link gone bad after acceptance stays in the draft:\n%s", text)
	}
	if st := w.statusComments(t, later.Number); len(st) != 1 || !strings.Contains(st[0], "**Link**: `"+link("/jobs/later")+"`") {
		t.Errorf("the status of a link gone bad does not name it:\n%s", st)
	}
	d, _, err := w.svc.OpenDraft(ctx)
	check(t, err)
	if !strings.Contains(d.Pull.Body, fmt.Sprintf("- #%d: ", later.Number)) {
		t.Errorf("the description does not list the link gone bad:\n%s", d.Pull.Body)
	}
	w.sim.ResetStats()
	if rep := pass(); len(rep.Relinked) != 0 || w.sim.Stats().Writes != 0 {
		t.Errorf("the pass after wrote %d times, relinked %v", w.sim.Stats().Writes, rep.Relinked)
	}

	// It works again: the day after, it is back.
	gone.Store(false)
	now, shift = now.Add(25*time.Hour), shift+25*time.Hour
	if rep := pass(); len(rep.Relinked) != 1 || rep.Relinked[0] != later.Number {
		t.Errorf("the pass the day after brought %v up to date, want #%d", rep.Relinked, later.Number)
	}
	if text := w.draftFile(t, d); !strings.Contains(text, "/jobs/later") {
		t.Errorf("a link that works again is not back in the draft:\n%s", text)
	}
	if got := strings.Join(w.newsletterLabels(t, later.Number), " "); strings.Contains(got, "needs-info") {
		t.Errorf("a link that works again keeps needs-info: %q", got)
	}
}
