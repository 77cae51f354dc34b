package reconcile

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// mergeDraft marks the open draft ready and merges it, as maya.
func (w *world) mergeDraft(t testing.TB) Pull {
	t.Helper()
	d, ok, err := w.svc.OpenDraft(context.Background())
	check(t, err)
	if !ok {
		t.Fatal("no draft is open")
	}
	_, err = w.sim.Actor("maya").MarkReady(repoFN, d.Pull.Number)
	check(t, err)
	_, err = w.sim.Actor("maya").MergePR(repoFN, d.Pull.Number)
	check(t, err)
	pulls, err := w.svc.GH.Pulls(context.Background(), w.svc.Repo, d.Pull.Head, "closed")
	check(t, err)
	return pulls[0]
}

// A merge whose webhook never came, and a replica that never saw it: the
// repair publishes from what is on GitHub alone, once, and marks the pull
// request done, so the next pass reads one list and writes nothing.
func TestLostMergeIsPublishedByAFreshReplica(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a, _ := w.draftWithAJob(t)
	merged := w.mergeDraft(t)

	fresh := *w.svc // a replica started after the merge: it remembers nothing
	fresh.Memo = &Memo{}
	outs, err := fresh.RepairPublications(ctx)
	check(t, err)
	if len(outs) != 1 || outs[0].Edition != 44 || !slices.Equal(outs[0].Published, []int{a.Number}) {
		t.Fatalf("RepairPublications = %+v, want edition 44 published with #%d", outs, a.Number)
	}
	is, err := w.sim.Issue(repoFN, a.Number)
	check(t, err)
	if is.State != "closed" || !slices.Contains(is.Labels, w.svc.Config.Labels.Published) {
		t.Errorf("#%d: %s %v, want closed and published", a.Number, is.State, is.Labels)
	}
	pr, err := w.sim.Issue(repoFN, merged.Number)
	check(t, err)
	if !slices.Contains(pr.Labels, w.svc.Config.Labels.Published) {
		t.Errorf("the merged draft's labels %v lack %q: the publication is not marked done", pr.Labels, w.svc.Config.Labels.Published)
	}
	w.sim.ResetStats()
	outs, err = fresh.RepairPublications(ctx)
	check(t, err)
	if s := w.sim.Stats(); len(outs) != 0 || s.Writes != 0 {
		t.Errorf("a second repair published %+v with %d writes: %v", outs, s.Writes, s.ByRoute)
	}
	// The webhook, late after all: nothing more is written.
	merged.Labels = nil // as the delivery carried it, before the label
	w.sim.ResetStats()
	_, err = w.svc.Publish(ctx, merged)
	check(t, err)
	cs, err := w.sim.Comments(repoFN, a.Number)
	check(t, err)
	published := 0
	for _, c := range cs {
		if strings.Contains(c.Body, "Published in [edition 44]") {
			published++
		}
	}
	if published != 1 {
		t.Errorf("#%d has %d publication comments, want 1", a.Number, published)
	}
}

// A deferred item skips one edition: publishing that edition brings it
// back for the next, and its status says which edition it waits for.
func TestDeferMeansOneEdition(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.draftWithAJob(t)
	later := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	w.say(t, "maya", later.Number, "/newsletter defer")
	check(t, w.svc.ReconcileIssue(ctx, later.Number))
	if st := w.statusComments(t, later.Number); len(st) != 1 || !strings.Contains(st[0], "it skips edition 44 and waits for edition 45") {
		t.Fatalf("the deferred item's status:\n%s", st)
	}
	text, err := w.sim.File(repoFN, BranchFor(44), "newsletter/2026-12-29.md")
	check(t, err)
	if strings.Contains(text, "jobs/2") {
		t.Fatalf("the deferred job is in edition 44:\n%s", text)
	}

	_, err = w.svc.Publish(ctx, w.mergeDraft(t))
	check(t, err)
	if got := w.newsletterLabels(t, later.Number); !slices.Equal(got, []string{"accepted", "job"}) {
		t.Errorf("after edition 44 the deferred item's labels are %q, want it accepted and no longer deferred", got)
	}
	if st := w.statusComments(t, later.Number); len(st) != 1 || !strings.Contains(st[0], "accepted for the next edition") {
		t.Errorf("after edition 44 the deferred item's status:\n%s", st)
	}
}

// A deferral made after an edition was merged but before its publication
// was repaired skips the next edition, not that one.
func TestDeferAfterAnUnpublishedMergeSkipsTheNextEdition(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	w.draftWithAJob(t)
	w.mergeDraft(t)              // the webhook is lost
	w.clock.Advance(time.Second) // GitHub's timestamps have whole seconds
	b := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	w.say(t, "maya", b.Number, "/newsletter defer")
	if replies := w.botComments(t, b.Number); len(replies) != 1 || !strings.Contains(replies[0], "skips edition 45") {
		t.Fatalf("the deferral: %q, want it to skip edition 45 (44 is merged)", replies)
	}
	_, err := w.svc.RepairPublications(ctx)
	check(t, err)
	if got := w.newsletterLabels(t, b.Number); !slices.Equal(got, []string{"accepted", "deferred", "job"}) {
		t.Errorf("publishing 44 took the deferral off: labels %q", got)
	}
}

// A dry run cannot write, whatever the code does: its transport refuses
// every write before it leaves the process, commands and the broken-config
// report included, and the simulator sees no write.
func TestDryRunWritesNothing(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1"))
	c, err := w.sim.Actor("maya").Comment(repoFN, a.Number, "/newsletter accept")
	check(t, err)
	check(t, w.sim.Actor("maya").AddLabels(repoFN, a.Number, w.svc.Config.Labels.Accepted))

	client, err := simtest.InstallationClient(w.sim)
	check(t, err)
	hc := client.Client()
	hc.Transport = DryRun(hc.Transport)
	dry := *w.svc
	dc, err := github.NewClient(hc).WithEnterpriseURLs(w.sim.URL(), w.sim.URL())
	check(t, err)
	dry.GH = NewGitHub(dc)
	w.sim.ResetStats()

	out, err := dry.ReconcileDraft(ctx, true)
	check(t, err)
	if out.Opened || !strings.Contains(out.Text, "jobs/1") || !strings.Contains(out.Body, fmt.Sprintf("#%d", a.Number)) {
		t.Errorf("dry draft: opened %v, text %q, body %q; want what it would write", out.Opened, out.Text, out.Body)
	}
	check(t, dry.ReportConfig(ctx, fmt.Errorf("%w: version: 2 is not known", ErrConfig)))
	check(t, dry.ReconcileSubmission(ctx, w.issue(t, a.Number), nil))
	if _, err := dry.RunCommands(ctx, a.Number, c.ID); err == nil {
		t.Error("a command ran in a dry run")
	}
	if s := w.sim.Stats(); s.Writes != s.ByRoute["POST /app/installations/{installation_id}/access_tokens"] {
		t.Errorf("the dry run wrote: %v", s.ByRoute)
	}
	req, _ := http.NewRequest(http.MethodDelete, w.sim.URL()+"/repos/x/y/issues/comments/1", nil)
	if _, err := DryRun(nil).RoundTrip(req); err == nil || !strings.Contains(err.Error(), "dry run") {
		t.Errorf("DryRun let a DELETE through: %v", err)
	}
}

// Commands the bot runs late (it was down, a claim had to go stale) take
// effect as they were written: an edition merged before they run is
// published first; a defer written while it was being prepared skips it
// (which is over, so the item stays accepted); a draft command written
// then does not open the edition after it.
func TestLateCommandsTakeEffectAsWritten(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a, _ := w.draftWithAJob(t)
	b := w.open(t, "ben", drafts.KindJob, job("SAP", "https://example.com/jobs/2"))
	deferC, err := w.sim.Actor("maya").Comment(repoFN, b.Number, "/newsletter defer")
	check(t, err)
	draftC, err := w.sim.Actor("maya").Comment(repoFN, b.Number, "/newsletter draft")
	check(t, err)
	w.clock.Advance(time.Second) // GitHub's timestamps have whole seconds
	w.mergeDraft(t)              // its webhook is lost
	w.clock.Advance(time.Second)

	outs, err := w.svc.RunCommands(ctx, b.Number, 0)
	check(t, err)
	if len(outs) != 2 || len(outs[0].Ran) != 1 || len(outs[1].Ran) != 1 {
		t.Fatalf("RunCommands = %+v, want the defer and the draft run", outs)
	}
	if is, err := w.sim.Issue(repoFN, a.Number); err != nil || is.State != "closed" {
		t.Errorf("#%d is %s (%v): the merged edition was not published before the commands ran", a.Number, is.State, err)
	}
	if got := w.newsletterLabels(t, b.Number); !slices.Equal(got, []string{"accepted", "job"}) {
		t.Errorf("after a late defer written before edition 44 went out, labels %q; want accepted, not deferred", got)
	}
	if replies := w.botComments(t, b.Number); len(replies) != 1 || !strings.Contains(replies[0], "skips edition 44") {
		t.Errorf("the deferral says %q, want it to name edition 44", replies)
	}
	pulls, err := w.svc.GH.OpenPulls(ctx, w.svc.Repo)
	check(t, err)
	if len(pulls) != 0 {
		t.Errorf("a draft command written while edition 44 was open opened %d pull requests after it was merged", len(pulls))
	}
	for _, id := range []int64{deferC.ID, draftC.ID} {
		if got := w.botReactions(t, id); got != "eyes +1" {
			t.Errorf("comment %d: reactions %q, want eyes +1", id, got)
		}
	}
}

// An event that has taken place leaves the newsletter: closed, its
// deferral (if any) ended with it, and its status says so.
func TestAnEventOverIsClosedAndItsDeferralEnds(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	ev := w.open(t, "ana", drafts.KindEvent, map[string]string{"name": "OSPOCon", "start_date": "2026-12-10",
		"end_date": "2026-12-11", "city": "Berlin", "country": "Germany", "link": "https://example.com/ospocon"})
	check(t, w.sim.Actor("maya").AddLabels(repoFN, ev.Number, w.svc.Config.Labels.Accepted, w.svc.Config.Labels.Published,
		w.svc.Config.Labels.Deferred))
	w.svc.Now = func() time.Time { return time.Date(2026, 12, 12, 9, 0, 0, 0, time.UTC) }
	closed, err := w.svc.CloseFinishedEvents(ctx)
	check(t, err)
	if !slices.Equal(closed, []int{ev.Number}) {
		t.Fatalf("CloseFinishedEvents = %v, want #%d", closed, ev.Number)
	}
	if got := w.newsletterLabels(t, ev.Number); slices.Contains(got, "deferred") {
		t.Errorf("labels %q: the deferral outlived the event", got)
	}
	check(t, w.svc.ReconcileSubmission(ctx, w.issue(t, ev.Number), nil))
	if st := w.statusComments(t, ev.Number); len(st) != 1 || !strings.Contains(st[0], "The event has taken place, so it has left the newsletter") {
		t.Errorf("the status of an event that is over:\n%s", st)
	}
}

// A publication runs once: an item whose kind a command is changing at
// that moment (the new kind label is on, the old one not yet off, and an
// issue with two kind labels does not parse as valid) is still told.
func TestPublishFindsAnItemWhoseKindIsChanging(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a, _ := w.draftWithAJob(t)
	merged := w.mergeDraft(t)
	check(t, w.sim.Actor("maya").AddLabels(repoFN, a.Number, w.svc.Config.Labels.News))
	out, err := w.svc.Publish(ctx, merged)
	check(t, err)
	if !slices.Equal(out.Published, []int{a.Number}) {
		t.Errorf("Publish told %v, want #%d, which carries two kind labels for a moment", out.Published, a.Number)
	}
}

// A deferral that comes too late for an edition (the draft was merged
// holding the item before the bot took it out, and a later accept that
// would have taken the deferral back had not run yet) ends with the
// publication: a published item carries no deferred label, as it would
// not had the commands run in time.
func TestAPublishedItemIsNoLongerDeferred(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	a, _ := w.draftWithAJob(t)
	merged := w.mergeDraft(t) // the merge's webhook waits
	check(t, w.sim.Actor("maya").AddLabels(repoFN, a.Number, w.svc.Config.Labels.Deferred))
	out, err := w.svc.Publish(ctx, merged)
	check(t, err)
	if !slices.Equal(out.Published, []int{a.Number}) {
		t.Fatalf("Publish told %v, want #%d", out.Published, a.Number)
	}
	is, err := w.sim.Issue(repoFN, a.Number)
	check(t, err)
	if got := w.newsletterLabels(t, a.Number); is.State != "closed" || !slices.Equal(got, []string{"accepted", "job", "published"}) {
		t.Errorf("#%d after its publication: %s, labels %q; want closed, accepted, job and published", a.Number, is.State, got)
	}
}

// The bot closes an event on the first pass after it is over, which may
// come late. A command written before the event was over runs first (the
// event closes after it); one written after finds the event closed as
// over, as it would have had the pass run in time, whichever comes first.
// (GitHub's clock is the real one here: a token is signed with it.)
func TestCommandsAroundAnEventsEnd(t *testing.T) {
	ctx := context.Background()
	// event files an event whose last day is days after today (-1:
	// yesterday), published; the bot's clock reads GitHub's.
	event := func(w *world, days int) drafts.Issue {
		w.svc.Now = w.clock.Now
		last := w.clock.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly)
		ev := w.open(t, "ana", drafts.KindEvent, map[string]string{"name": "OSPOCon", "start_date": last,
			"end_date": last, "city": "Berlin", "country": "Germany", "link": "https://example.com/ospocon"})
		check(t, w.sim.Actor("maya").AddLabels(repoFN, ev.Number, w.svc.Config.Labels.Accepted, w.svc.Config.Labels.Published))
		return ev
	}
	state := func(w *world, n int) string {
		is, err := w.sim.Issue(repoFN, n)
		check(t, err)
		over := 0
		for _, c := range w.botComments(t, n) {
			if strings.Contains(c, "This event took place") {
				over++
			}
		}
		return fmt.Sprintf("%s %s, %d event-over comments", is.State, is.StateReason, over)
	}

	t.Run("written after the end, run before any pass", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		ev := event(w, -1)
		c, outs := w.say(t, "ana", ev.Number, "/newsletter withdraw")
		if len(outs) != 1 || len(outs[0].Ran) != 1 {
			t.Fatalf("RunCommands = %+v, want the withdrawal run", outs)
		}
		if got := state(w, ev.Number); got != "closed completed, 1 event-over comments" {
			t.Errorf("the event after a withdrawal written once it was over: %s; want it closed as over", got)
		}
		if got := w.botReactions(t, c.ID); got != "eyes +1" {
			t.Errorf("the withdrawal's reactions: %q, want eyes +1", got)
		}
		// The pass that comes late changes nothing.
		closed, err := w.svc.CloseFinishedEvents(ctx)
		check(t, err)
		if len(closed) != 0 || state(w, ev.Number) != "closed completed, 1 event-over comments" {
			t.Errorf("the late pass closed %v; the event is now %s", closed, state(w, ev.Number))
		}
	})

	// A withdrawal whose webhook is lost, then the pass that closes
	// events, then the resync's run of the withdrawal.
	for _, tc := range []struct {
		name       string
		lastDay    int  // the event's last day, from today
		nextDay    bool // the pass runs the next day
		passCloses bool
		want       string
	}{
		{"written after the end, not run yet", -1, false, true, "closed completed, 1 event-over comments"},
		{"written before the end, run after it", 0, true, false, "closed not_planned, 0 event-over comments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "2026-12-01")
			ev := event(w, tc.lastDay)
			c, err := w.sim.Actor("ana").Comment(repoFN, ev.Number, "/newsletter withdraw")
			check(t, err)
			if tc.nextDay {
				tomorrow := w.clock.Now().UTC().Truncate(24 * time.Hour).Add(33 * time.Hour)
				w.svc.Now = func() time.Time { return tomorrow }
			}
			closed, err := w.svc.CloseFinishedEvents(ctx)
			check(t, err)
			if closes := slices.Equal(closed, []int{ev.Number}); closes != tc.passCloses {
				t.Fatalf("CloseFinishedEvents = %v; want it to close the event: %v (the withdrawal was %s)", closed, tc.passCloses, tc.name)
			}
			_, err = w.svc.RunCommands(ctx, ev.Number, 0)
			check(t, err)
			if got := state(w, ev.Number); got != tc.want {
				t.Errorf("the event: %s; want %s", got, tc.want)
			}
			if got := w.botReactions(t, c.ID); got != "eyes +1" {
				t.Errorf("the withdrawal's reactions: %q, want eyes +1", got)
			}
		})
	}
}

// A resync pass plans the next edition once and shares the plan between
// its steps; a draft merged in the middle of the pass makes that plan
// stale. The schedule must not open the merged edition's draft again: it
// finds the merge among the edition's closed drafts and plans afresh.
func TestAPassThatPlannedBeforeAMergeDoesNotOpenThatEditionAgain(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	w.draftWithAJob(t)
	ctx := withPass(context.Background(), &pass{})
	ed, _, _, err := w.svc.plan(ctx)
	check(t, err)
	if ed.Number != 44 {
		t.Fatalf("planned edition %d, want 44", ed.Number)
	}
	w.mergeDraft(t)                                                                       // meanwhile; its webhook is lost
	w.svc.Now = func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) } // edition 44's draft is due
	out, err := w.svc.ScheduledDraft(ctx)
	check(t, err)
	pulls, err := w.svc.GH.OpenPulls(context.Background(), w.svc.Repo)
	check(t, err)
	if out.Opened || len(pulls) != 0 {
		t.Fatalf("the schedule opened %+v (open pull requests: %d) from a plan read before edition 44 was merged", out.Draft, len(pulls))
	}
	if out.Draft.Number != 45 || out.Held == "" {
		t.Errorf("the schedule's outcome: edition %d, held %q; want edition 45, held until it is due", out.Draft.Number, out.Held)
	}
}
