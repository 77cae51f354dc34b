package reconcile

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// TestDuplicatesOnTheSpot: a submission whose link an earlier edition
// published (written differently: www., tracking parameters, a fragment,
// a trailing slash) is named a duplicate in its status at once, and never
// goes into an edition, until a maintainer takes it again on purpose with
// /newsletter repeat; with a draft open, one that repeats an open
// submission's link is named at once too.
func TestDuplicatesOnTheSpot(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	first, _ := w.draftWithAJob(t) // Comcast, https://example.com/jobs/1
	_, err := w.svc.Publish(ctx, w.mergeDraft(t))
	check(t, err)

	// No draft is open: the history says it at once.
	again := w.open(t, "ben", drafts.KindJob, job("Comcast", "https://www.example.com/jobs/1/?utm_source=linkedin#top"))
	check(t, w.svc.ReconcileIssue(ctx, again.Number))
	st := w.statusComments(t, again.Number)
	if len(st) != 1 || !strings.Contains(st[0], "was already published in edition 44 (#1)") || !strings.Contains(st[0], "/newsletter repeat") {
		t.Fatalf("the repeat's status does not name the earlier publication:\n%s", st)
	}
	if !strings.Contains(strings.Join(w.newsletterLabels(t, again.Number), " "), "needs-info") {
		t.Errorf("the repeat is not labelled needs-info: %q", w.newsletterLabels(t, again.Number))
	}
	_ = first

	// Still no draft: a repeat of an open submission is named by the next
	// resync pass (an event does not list every open submission).
	jobs3 := w.open(t, "ana", drafts.KindJob, job("Initech", "https://example.com/jobs/3"))
	check(t, w.svc.ReconcileIssue(ctx, jobs3.Number))
	jobs3again := w.open(t, "ben", drafts.KindJob, job("Initech", "https://example.com/jobs/3#apply"))
	w.sim.ResetStats()
	check(t, w.svc.ReconcileIssue(ctx, jobs3again.Number))
	if lists := w.sim.Stats().ByRoute["GET /repos/{owner}/{repo}/issues"]; lists > 1 {
		t.Errorf("an event with no draft open made %d issue listings; want at most the history's one", lists)
	}
	before := w.clock.Now()
	w.clock.Advance(5 * time.Minute)
	_, err = w.svc.Resync(ctx, before, time.Hour)
	check(t, err)
	if st := w.statusComments(t, jobs3again.Number); len(st) != 1 || !strings.Contains(st[0], fmt.Sprintf("was already suggested in #%d", jobs3.Number)) {
		t.Errorf("with no draft open, the next pass does not name the duplicate of an open submission:\n%s", st)
	}

	// Accepted by mistake, it still stays out of the next edition.
	w.accept(t, again.Number)
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	if out.Draft.Number != 45 {
		t.Fatalf("opened edition %d, want 45", out.Draft.Number)
	}
	if text := w.draftFile(t, out.Draft); strings.Contains(text, "example.com/jobs/1") {
		t.Fatalf("the duplicate of edition 44 is in edition 45:\n%s", text)
	}

	// With the draft open, a repeat of an open submission is named at once.
	open := w.open(t, "ana", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	check(t, w.svc.ReconcileIssue(ctx, open.Number))
	dup := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2?gh_src=x"))
	check(t, w.svc.ReconcileIssue(ctx, dup.Number))
	if st := w.statusComments(t, dup.Number); len(st) != 1 || !strings.Contains(st[0], "was already suggested in #") {
		t.Errorf("the duplicate of an open submission is not named at once:\n%s", st)
	}

	// Posted again on purpose: a maintainer takes it.
	w.say(t, "maya", again.Number, "/newsletter repeat")
	// One reconcile: its needs-info label goes with the duplicate, and
	// the item comes into the draft in the same turn, not on the label's
	// own event.
	check(t, w.svc.ReconcileIssue(ctx, again.Number))
	text := w.draftFile(t, out.Draft)
	if !strings.Contains(text, "](https://www.example.com/jobs/1/#top)") {
		t.Errorf("the repeat taken on purpose is not in edition 45 (without its tracking parameters):\n%s", text)
	}
	if st := w.statusComments(t, again.Number); len(st) != 1 || strings.Contains(st[0], "already published") {
		t.Errorf("the status still calls the repeat a duplicate:\n%s", st)
	}
	w.fullRebuildChangesNothing(t, "a repeat taken on purpose")
}

// TestEditionLinks reads the links of an edition as GitHub renders it.
func TestEditionLinks(t *testing.T) {
	md := "# N 1\n\n- [A | B](https://a.example/1)\n- <https://b.example/2>\n\n```\n[x](https://code.example/)\n```\n"
	got := strings.Join(drafts.EditionLinks(md), " ")
	if got != "https://a.example/1 https://b.example/2" {
		t.Errorf("EditionLinks = %q", got)
	}
}

// TestEveryStatusTellsTheTruth: the status line says, in one sentence,
// where a submission stands: accepted pending a fix, declined with the
// reason, deferred until which edition, in which draft, published in which
// edition.
func TestEveryStatusTellsTheTruth(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	status := func(n int) string {
		t.Helper()
		_, line, _ := strings.Cut(w.reconciledStatus(t, n), "**Status:** ")
		return line
	}
	first, d := w.draftWithAJob(t)
	if got := status(first.Number); !strings.HasPrefix(got, fmt.Sprintf("accepted for edition 44 (December 29, 2026), in draft pull request #%d.", d.Pull.Number)) {
		t.Errorf("in the draft: %q", got)
	}

	broken := w.open(t, "ben", drafts.KindJob, job("SAP", "not a link"))
	w.accept(t, broken.Number)
	if got := status(broken.Number); !strings.HasPrefix(got, fmt.Sprintf("accepted, pending a fix: once the issue is edited as above, it goes into edition 44, in draft pull request #%d.", d.Pull.Number)) {
		t.Errorf("accepted with a problem: %q", got)
	}

	declined := w.open(t, "ben", drafts.KindJob, job("Initech", "https://example.com/jobs/9"))
	w.say(t, "maya", declined.Number, "/newsletter decline not about open source @octocat")
	if got := status(declined.Number); !strings.HasPrefix(got, "declined by a maintainer: "+drafts.Plain("not about open source @octocat")) {
		t.Errorf("declined: %q", got)
	}

	deferred := w.open(t, "ben", drafts.KindJob, job("Hooli", "https://example.com/jobs/10"))
	w.say(t, "maya", deferred.Number, "/newsletter defer")
	if got := status(deferred.Number); !strings.Contains(got, "it skips edition 44 and waits for edition 45") {
		t.Errorf("deferred: %q", got)
	}

	_, err := w.svc.Publish(ctx, w.mergeDraft(t))
	check(t, err)
	if got := status(first.Number); got != "published in edition 44. Thank you!\n" {
		t.Errorf("published: %q", got)
	}
}
