package handlers

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// TestIssuesPlanReadsWhatTheFullEventSays: the issues handler decodes only
// a few fields of a delivery; the Work it plans must be the one the whole
// go-github event gives, for an issue; one about a pull request plans none.
func TestIssuesPlanReadsWhatTheFullEventSays(t *testing.T) {
	sim := githubsim.New(githubsim.Options{})
	t.Cleanup(sim.Close)
	if err := simtest.Setup(sim, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Actor(simtest.Member).OpenIssue(simtest.Repo, "A job", "body", "newsletter: job"); err != nil {
		t.Fatal(err)
	}
	h := &Issues{}
	seen := 0
	for _, ev := range sim.Events() {
		if ev.Event != "issues" {
			continue
		}
		seen++
		got, ok, err := h.Plan(ev.Event, "d1", ev.Payload)
		if err != nil {
			t.Fatal(err)
		}
		var full github.IssuesEvent
		if err := json.Unmarshal(ev.Payload, &full); err != nil {
			t.Fatal(err)
		}
		wantOK := !full.GetIssue().IsPullRequest() && full.GetAction() != "assigned"
		want := newWork(WorkIssue, &full, full.GetRepo(), full.GetIssue().GetNumber(), ev.Event, full.GetAction(), "d1")
		if ok != wantOK || (ok && !reflect.DeepEqual(got, want)) {
			t.Errorf("%s %s: planned %+v (%v), want %+v (%v)", ev.Event, ev.Action, got, ok, want, wantOK)
		}
		if got.Installation == 0 || got.Repo.Owner == "" || got.Repo.HTMLURL == "" {
			t.Errorf("%s %s: the Work lacks its installation or repository: %+v", ev.Event, ev.Action, got)
		}
	}
	if seen == 0 {
		t.Fatal("the simulator sent no issues event")
	}
	if _, ok, err := h.Plan("issues", "d2", []byte(`{"action":"edited","issue":{"number":3,"pull_request":{"url":"x"}}}`)); ok || err != nil {
		t.Errorf("an issues event about a pull request planned Work (%v)", err)
	}
	if _, _, err := h.Plan("issues", "d3", []byte(`{"action":`)); err == nil {
		t.Errorf("a broken payload planned without an error")
	}
}
