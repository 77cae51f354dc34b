package githubsim

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

// pullFixture is a fixture with alice (write) and a few branches pushed.
func pullFixture(t *testing.T, branches map[string]map[string]string) (*fixture, *github.Client) {
	t.Helper()
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	for branch, files := range branches {
		_, err := f.sim.Actor("alice").Push(testRepo, branch, Push{Files: files, Message: "Work on " + branch})
		must(t, err)
	}
	return f, f.installationClient(t)
}

func TestCreatePull(t *testing.T) {
	f, client := pullFixture(t, map[string]map[string]string{
		"feature":  {"newsletter/2026-04-28.md": "# 44\n"},
		"feature2": {"other.md": "x\n"},
	})
	ctx := ctxT(t)
	main, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	_, _, err = client.Git.CreateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String("refs/heads/same"), Object: &github.GitObject{SHA: github.String(main)}})
	must(t, err)
	feature, err := f.sim.BranchSHA(testRepo, "feature")
	must(t, err)

	t.Run("a draft pull request opens as a draft of the app", func(t *testing.T) {
		pr, resp, err := client.PullRequests.Create(ctx, "acme", "newsletter", &github.NewPullRequest{
			Title: github.String("Newsletter 44"), Head: github.String("feature"), Base: github.String("main"), Body: github.String("Draft"), Draft: github.Bool(true),
		})
		wantStatus(t, "PullRequests.Create", resp, err, http.StatusCreated)
		checks := []struct{ field, got, want string }{
			{"state", pr.GetState(), "open"},
			{"draft", fmt.Sprint(pr.GetDraft()), "true"},
			{"head.ref", pr.GetHead().GetRef(), "feature"},
			{"head.sha", pr.GetHead().GetSHA(), feature},
			{"head.label", pr.GetHead().GetLabel(), "acme:feature"},
			{"base.ref", pr.GetBase().GetRef(), "main"},
			{"base.sha", pr.GetBase().GetSHA(), main},
			{"user.login", pr.GetUser().GetLogin(), "newsletter-bot[bot]"},
			{"html_url", pr.GetHTMLURL(), fmt.Sprintf("https://github.com/acme/newsletter/pull/%d", pr.GetNumber())},
			{"commits", fmt.Sprint(pr.GetCommits()), "1"},
			{"changed_files", fmt.Sprint(pr.GetChangedFiles()), "1"},
			{"additions", fmt.Sprint(pr.GetAdditions()), "1"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("pull request %s = %q, want %q", c.field, c.got, c.want)
			}
		}
	})
	refusals := []struct {
		name, head, base, message string
	}{
		{name: "a second pull request for the same head and base is refused", head: "feature", base: "main", message: "A pull request already exists for acme:feature."},
		{name: "a head without commits ahead of the base is refused", head: "same", base: "main", message: "No commits between main and same"},
		{name: "an unknown head branch is refused", head: "nope", base: "main"},
		{name: "an unknown base branch is refused", head: "feature2", base: "nope"},
		{name: "a head in another owner's fork is refused", head: "someone:feature2", base: "main"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := client.PullRequests.Create(ctx, "acme", "newsletter", &github.NewPullRequest{Title: github.String("Again"), Head: github.String(tt.head), Base: github.String(tt.base)})
			wantStatus(t, "PullRequests.Create", resp, err, http.StatusUnprocessableEntity)
			if er := err.(*github.ErrorResponse); tt.message != "" && (len(er.Errors) != 1 || er.Errors[0].Message != tt.message) {
				t.Errorf("errors = %+v, want message %q", er.Errors, tt.message)
			}
		})
	}
	t.Run("head given as owner:branch is accepted", func(t *testing.T) {
		pr, resp, err := client.PullRequests.Create(ctx, "acme", "newsletter", &github.NewPullRequest{Title: github.String("Other"), Head: github.String("acme:feature2"), Base: github.String("main")})
		wantStatus(t, "PullRequests.Create", resp, err, http.StatusCreated)
		if pr.GetHead().GetRef() != "feature2" || pr.GetDraft() {
			t.Errorf("head %q draft %v, want feature2 and not a draft", pr.GetHead().GetRef(), pr.GetDraft())
		}
	})
}

func TestListPulls(t *testing.T) {
	f, client := pullFixture(t, map[string]map[string]string{
		"feature":  {"a.md": "a\n"},
		"feature2": {"b.md": "b\n"},
		"release":  {"r.md": "r\n"},
	})
	alice := f.sim.Actor("alice")
	_, err := alice.Push(testRepo, "docs", Push{Files: map[string]string{"r.md": "r\n", "docs.md": "d\n"}})
	must(t, err)
	for _, spec := range []PullSpec{
		{Head: "feature", Title: "one"},                   // #1
		{Head: "feature2", Title: "two"},                  // #2, closed below
		{Head: "docs", Base: "release", Title: "three"},   // #3
		{Head: "release", Base: "main", Title: "release"}, // #4
	} {
		_, err := alice.OpenPR(testRepo, spec)
		must(t, err)
	}
	_, err = alice.CloseIssue(testRepo, 2)
	must(t, err)
	ctx := ctxT(t)

	tests := []struct {
		name string
		opts github.PullRequestListOptions
		want string
	}{
		{name: "open pull requests come by default, newest first", want: "[4 3 1]"},
		{name: "state closed lists closed ones", opts: github.PullRequestListOptions{State: "closed"}, want: "[2]"},
		{name: "state all lists every one", opts: github.PullRequestListOptions{State: "all"}, want: "[4 3 2 1]"},
		{name: "head owner:branch finds the pull request of a branch", opts: github.PullRequestListOptions{Head: "acme:feature"}, want: "[1]"},
		{name: "head of another owner finds nothing", opts: github.PullRequestListOptions{Head: "someone:feature"}, want: "[]"},
		{name: "base keeps pull requests into that branch", opts: github.PullRequestListOptions{Base: "release"}, want: "[3]"},
		{name: "head and base together narrow to one", opts: github.PullRequestListOptions{State: "all", Head: "acme:feature2", Base: "main"}, want: "[2]"},
		{name: "direction asc lists oldest first", opts: github.PullRequestListOptions{Direction: "asc"}, want: "[1 3 4]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			list, resp, err := client.PullRequests.List(ctx, "acme", "newsletter", &opts)
			wantStatus(t, "PullRequests.List", resp, err, http.StatusOK)
			got := []int{}
			for _, p := range list {
				got = append(got, p.GetNumber())
			}
			if fmt.Sprint(got) != tt.want {
				t.Errorf("List(%+v) = %v, want %s", tt.opts, got, tt.want)
			}
		})
	}
}

func TestUpdatePull(t *testing.T) {
	f, client := pullFixture(t, map[string]map[string]string{"feature": {"a.md": "a\n"}, "release": {"r.md": "r\n"}})
	_, err := f.sim.Actor("alice").OpenPR(testRepo, PullSpec{Head: "feature", Title: "Draft", Draft: true})
	must(t, err)
	ctx := ctxT(t)
	steps := []struct {
		name  string
		edit  github.PullRequest
		check func(p *github.PullRequest) bool
	}{
		{"title and body change", github.PullRequest{Title: github.String("Newsletter 44"), Body: github.String("What is in")},
			func(p *github.PullRequest) bool {
				return p.GetTitle() == "Newsletter 44" && p.GetBody() == "What is in"
			}},
		{"closing does not merge", github.PullRequest{State: github.String("closed")},
			func(p *github.PullRequest) bool {
				return p.GetState() == "closed" && !p.GetMerged() && p.ClosedAt != nil
			}},
		{"reopening opens it again", github.PullRequest{State: github.String("open")},
			func(p *github.PullRequest) bool { return p.GetState() == "open" && p.ClosedAt == nil }},
		{"the base branch can change", github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("release")}},
			func(p *github.PullRequest) bool { return p.GetBase().GetRef() == "release" }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			edit := st.edit
			got, resp, err := client.PullRequests.Edit(ctx, "acme", "newsletter", 1, &edit)
			wantStatus(t, "PullRequests.Edit", resp, err, http.StatusOK)
			back, _, err := client.PullRequests.Get(ctx, "acme", "newsletter", 1)
			must(t, err)
			if !st.check(got) || !st.check(back) {
				t.Errorf("after %s: Edit = %+v, Get = %+v", st.name, got, back)
			}
		})
	}
}

func TestMergePull(t *testing.T) {
	f, client := pullFixture(t, map[string]map[string]string{
		"feature":  {"newsletter/2026-04-28.md": "# 44\n"},
		"conflict": {"README.md": "# Theirs\n"},
		"squashed": {"s.md": "s\n"},
	})
	alice := f.sim.Actor("alice")
	for _, spec := range []PullSpec{
		{Head: "feature", Title: "Newsletter 44", Draft: true}, // #1
		{Head: "conflict", Title: "Conflicting"},               // #2
		{Head: "squashed", Title: "Squash me"},                 // #3
	} {
		_, err := alice.OpenPR(testRepo, spec)
		must(t, err)
	}
	// main moves on: a non-conflicting change for #1, a conflicting one for #2.
	_, err := alice.Push(testRepo, "main", Push{Files: map[string]string{"README.md": "# Ours\n", "CHANGELOG.md": "v2\n"}})
	must(t, err)
	ctx := ctxT(t)
	feature, err := f.sim.BranchSHA(testRepo, "feature")
	must(t, err)

	merge := func(number int, opts *github.PullRequestOptions) (*github.PullRequestMergeResult, *github.Response, error) {
		return client.PullRequests.Merge(ctx, "acme", "newsletter", number, "", opts)
	}
	t.Run("a draft cannot be merged", func(t *testing.T) {
		_, resp, err := merge(1, nil)
		wantStatus(t, "Merge(draft)", resp, err, http.StatusMethodNotAllowed)
	})
	_, err = alice.MarkReady(testRepo, 1)
	must(t, err)
	t.Run("a merge that names a stale head sha is a conflict", func(t *testing.T) {
		_, resp, err := merge(1, &github.PullRequestOptions{SHA: "0123456789012345678901234567890123456789"})
		wantStatus(t, "Merge(stale sha)", resp, err, http.StatusConflict)
	})
	mainBefore, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	t.Run("merging a pull request behind its base keeps both sides' changes", func(t *testing.T) {
		res, resp, err := merge(1, &github.PullRequestOptions{SHA: feature})
		wantStatus(t, "Merge", resp, err, http.StatusOK)
		if !res.GetMerged() || res.GetSHA() == "" {
			t.Fatalf("Merge = %+v, want merged with a sha", res)
		}
		if got, _ := f.sim.BranchSHA(testRepo, "main"); got != res.GetSHA() {
			t.Errorf("main = %s, want the merge commit %s", got, res.GetSHA())
		}
		if parents, _ := f.sim.CommitParents(testRepo, res.GetSHA()); fmt.Sprint(parents) != fmt.Sprint([]string{mainBefore, feature}) {
			t.Errorf("merge commit parents = %v, want [main head]", parents)
		}
		for path, want := range map[string]string{"newsletter/2026-04-28.md": "# 44\n", "CHANGELOG.md": "v2\n", "README.md": "# Ours\n"} {
			if got, err := f.sim.File(testRepo, "main", path); err != nil || got != want {
				t.Errorf("File(main, %s) = %q, %v, want %q", path, got, err, want)
			}
		}
		pr, _, err := client.PullRequests.Get(ctx, "acme", "newsletter", 1)
		must(t, err)
		if !pr.GetMerged() || pr.GetState() != "closed" || pr.GetMergeCommitSHA() != res.GetSHA() || pr.GetMergedBy().GetLogin() != "newsletter-bot[bot]" || pr.MergedAt == nil {
			t.Errorf("merged pull request = merged %v state %s merge_commit_sha %s merged_by %s", pr.GetMerged(), pr.GetState(), pr.GetMergeCommitSHA(), pr.GetMergedBy().GetLogin())
		}
		merged, resp, err := client.PullRequests.IsMerged(ctx, "acme", "newsletter", 1)
		if err != nil || !merged || statusOf(resp) != http.StatusNoContent {
			t.Errorf("IsMerged = %v, %d, %v; want true with 204", merged, statusOf(resp), err)
		}
	})
	t.Run("a merged pull request cannot be merged again", func(t *testing.T) {
		_, resp, err := merge(1, nil)
		wantStatus(t, "Merge again", resp, err, http.StatusMethodNotAllowed)
	})
	t.Run("a merged pull request cannot be reopened", func(t *testing.T) {
		_, resp, err := client.PullRequests.Edit(ctx, "acme", "newsletter", 1, &github.PullRequest{State: github.String("open")})
		wantStatus(t, "Edit(open) of a merged pull request", resp, err, http.StatusUnprocessableEntity)
	})
	t.Run("a conflicting pull request is not mergeable", func(t *testing.T) {
		pr, _, err := client.PullRequests.Get(ctx, "acme", "newsletter", 2)
		must(t, err)
		if pr.GetMergeable() || pr.GetMergeableState() != "dirty" {
			t.Errorf("mergeable %v state %q, want false and dirty", pr.GetMergeable(), pr.GetMergeableState())
		}
		_, resp, err := merge(2, nil)
		wantStatus(t, "Merge(conflict)", resp, err, http.StatusMethodNotAllowed)
		if got, _ := f.sim.File(testRepo, "main", "README.md"); got != "# Ours\n" {
			t.Errorf("README.md on main = %q after a refused merge, want it unchanged", got)
		}
	})
	t.Run("a squash merge makes one commit on the base", func(t *testing.T) {
		before, _ := f.sim.BranchSHA(testRepo, "main")
		res, resp, err := merge(3, &github.PullRequestOptions{MergeMethod: "squash"})
		wantStatus(t, "Merge(squash)", resp, err, http.StatusOK)
		if parents, _ := f.sim.CommitParents(testRepo, res.GetSHA()); fmt.Sprint(parents) != fmt.Sprint([]string{before}) {
			t.Errorf("squash commit parents = %v, want [%s]", parents, before)
		}
		if got, _ := f.sim.File(testRepo, "main", "s.md"); got != "s\n" {
			t.Errorf("s.md on main = %q, want the squashed change", got)
		}
	})
	t.Run("someone with triage permission cannot merge", func(t *testing.T) {
		must(t, f.sim.SetPermission(testRepo, "tom", PermTriage))
		_, resp, err := f.userClient(t, "tom").PullRequests.Merge(ctx, "acme", "newsletter", 2, "", nil)
		wantStatus(t, "Merge as triager", resp, err, http.StatusForbidden)
	})
}

func TestUpdatePullPermissionsAndValidation(t *testing.T) {
	f, client := pullFixture(t, map[string]map[string]string{"feature": {"a.md": "a\n"}, "release": {"r.md": "r\n"}})
	_, err := f.sim.Actor("alice").OpenPR(testRepo, PullSpec{Head: "feature", Title: "Alice's"})
	must(t, err)
	must(t, f.sim.SetPermission(testRepo, "tom", PermTriage))
	ctx := ctxT(t)
	tom := f.userClient(t, "tom")
	tests := []struct {
		name   string
		client *github.Client
		edit   github.PullRequest
		status int
	}{
		{name: "a triager can close someone else's pull request", client: tom, edit: github.PullRequest{State: github.String("closed")}, status: http.StatusOK},
		{name: "a triager can reopen it", client: tom, edit: github.PullRequest{State: github.String("open")}, status: http.StatusOK},
		{name: "a triager cannot retitle someone else's pull request", client: tom, edit: github.PullRequest{Title: github.String("Tom's now")}, status: http.StatusForbidden},
		{name: "a triager cannot change its base", client: tom, edit: github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("release")}}, status: http.StatusForbidden},
		{name: "an invalid title refuses the whole edit, base change included", client: client, edit: github.PullRequest{Title: github.String(""), Base: &github.PullRequestBranch{Ref: github.String("release")}}, status: http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.sim.Events())
			edit := tt.edit
			_, resp, err := tt.client.PullRequests.Edit(ctx, "acme", "newsletter", 1, &edit)
			wantStatus(t, "PullRequests.Edit", resp, err, tt.status)
			if tt.status == http.StatusOK {
				return
			}
			pr, err := f.sim.PullRequest(testRepo, 1)
			must(t, err)
			if pr.Title != "Alice's" || pr.Base != "main" {
				t.Errorf("after a refused edit: title %q base %q, want unchanged", pr.Title, pr.Base)
			}
			f.waitHooks(t)
			if got := kindsOf(f.sim.Events()[before:]); len(got) != 0 {
				t.Errorf("a refused edit emitted %v", got)
			}
		})
	}
}
