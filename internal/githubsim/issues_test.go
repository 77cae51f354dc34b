package githubsim

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

func numbersOf(issues []*github.Issue) []int {
	out := []int{}
	for _, i := range issues {
		out = append(out, i.GetNumber())
	}
	return out
}

func labelNamesOf(labels []*github.Label) []string {
	out := []string{}
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	sort.Strings(out)
	return out
}

func TestListIssuesFilters(t *testing.T) {
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	alice := f.sim.Actor("alice")
	t0 := clock.Now()
	step := func() { clock.Advance(time.Hour) }

	_, err := alice.OpenIssue(testRepo, "A job", "", "newsletter") // #1 at t0
	must(t, err)
	step()
	_, err = alice.OpenIssue(testRepo, "A news item", "", "newsletter", "bug") // #2 at t0+1h
	must(t, err)
	step()
	_, err = alice.OpenIssue(testRepo, "A bug", "", "bug") // #3 at t0+2h
	must(t, err)
	step()
	_, err = alice.OpenIssue(testRepo, "Old", "") // #4 at t0+3h, closed
	must(t, err)
	_, err = alice.CloseIssue(testRepo, 4)
	must(t, err)
	step()
	_, err = alice.Push(testRepo, "feature", Push{Files: map[string]string{"x.md": "x\n"}})
	must(t, err)
	_, err = alice.OpenPR(testRepo, PullSpec{Head: "feature", Title: "A pull request"}) // #5 at t0+4h
	must(t, err)
	step()
	_, err = alice.Comment(testRepo, 1, "bump") // #1 updated at t0+5h
	must(t, err)

	client := f.tokenClient(t)
	ctx := ctxT(t)
	tests := []struct {
		name string
		opts github.IssueListByRepoOptions
		want []int
	}{
		{name: "open issues and pull requests come by default, newest first", want: []int{5, 3, 2, 1}},
		{name: "state closed lists closed issues", opts: github.IssueListByRepoOptions{State: "closed"}, want: []int{4}},
		{name: "state all lists everything", opts: github.IssueListByRepoOptions{State: "all"}, want: []int{5, 4, 3, 2, 1}},
		{name: "a label filter keeps issues with that label", opts: github.IssueListByRepoOptions{Labels: []string{"newsletter"}}, want: []int{2, 1}},
		{name: "two labels must both be present", opts: github.IssueListByRepoOptions{Labels: []string{"newsletter", "bug"}}, want: []int{2}},
		{name: "since keeps what was updated at or after it", opts: github.IssueListByRepoOptions{State: "all", Since: t0.Add(3 * time.Hour)}, want: []int{5, 4, 1}},
		{name: "direction asc lists oldest first", opts: github.IssueListByRepoOptions{Direction: "asc"}, want: []int{1, 2, 3, 5}},
		{name: "sort updated lists the most recently updated first", opts: github.IssueListByRepoOptions{Sort: "updated"}, want: []int{1, 5, 3, 2}},
		{name: "creator keeps issues opened by that user", opts: github.IssueListByRepoOptions{State: "all", Creator: "nobody"}, want: []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			got, resp, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", &opts)
			wantStatus(t, "ListByRepo", resp, err, http.StatusOK)
			if fmt.Sprint(numbersOf(got)) != fmt.Sprint(tt.want) {
				t.Errorf("ListByRepo(%+v) = %v, want %v", tt.opts, numbersOf(got), tt.want)
			}
		})
	}
	t.Run("a pull request in the list carries a pull_request link", func(t *testing.T) {
		got, _, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", nil)
		must(t, err)
		if !got[0].IsPullRequest() || got[1].IsPullRequest() {
			t.Errorf("IsPullRequest of #%d, #%d = %v, %v; want true, false", got[0].GetNumber(), got[1].GetNumber(), got[0].IsPullRequest(), got[1].IsPullRequest())
		}
	})
}

var linkRE = regexp.MustCompile(`<([^>]+)>; rel="(\w+)"`)

func TestListIssuesPaginatesAcross250(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	for n := 1; n <= 250; n++ {
		_, err := f.sim.Actor("alice").OpenIssue(testRepo, fmt.Sprintf("Issue %d", n), "")
		must(t, err)
	}
	client := f.installationClient(t)
	ctx := ctxT(t)

	t.Run("go-github walks three pages of 100 and sees every issue once", func(t *testing.T) {
		opts := &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 100}}
		var all []int
		pages := 0
		for {
			got, resp, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", opts)
			wantStatus(t, "ListByRepo", resp, err, http.StatusOK)
			pages++
			if pages == 1 && (resp.NextPage != 2 || resp.LastPage != 3) {
				t.Errorf("first page: NextPage %d LastPage %d, want 2 and 3", resp.NextPage, resp.LastPage)
			}
			all = append(all, numbersOf(got)...)
			if resp.NextPage == 0 {
				if resp.PrevPage != 2 || resp.FirstPage != 1 {
					t.Errorf("last page: PrevPage %d FirstPage %d, want 2 and 1", resp.PrevPage, resp.FirstPage)
				}
				break
			}
			opts.Page = resp.NextPage
		}
		if pages != 3 || len(all) != 250 {
			t.Fatalf("walked %d pages and %d issues, want 3 and 250", pages, len(all))
		}
		for i, n := range all {
			if n != 250-i {
				t.Fatalf("issue %d of the walk is #%d, want #%d (newest first, no repeats)", i, n, 250-i)
			}
		}
	})
	t.Run("per_page above 100 is capped at 100", func(t *testing.T) {
		got, resp, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 500}})
		wantStatus(t, "ListByRepo", resp, err, http.StatusOK)
		if len(got) != 100 || resp.LastPage != 3 {
			t.Errorf("per_page=500 gave %d issues and last page %d, want 100 and 3", len(got), resp.LastPage)
		}
	})
	t.Run("the default page size is 30", func(t *testing.T) {
		got, resp, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", nil)
		wantStatus(t, "ListByRepo", resp, err, http.StatusOK)
		if len(got) != 30 || resp.LastPage != 9 {
			t.Errorf("default page gave %d issues and last page %d, want 30 and 9", len(got), resp.LastPage)
		}
	})
	t.Run("a page past the end is empty", func(t *testing.T) {
		got, resp, err := client.Issues.ListByRepo(ctx, "acme", "newsletter", &github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 100, Page: 4}})
		wantStatus(t, "ListByRepo", resp, err, http.StatusOK)
		if len(got) != 0 || resp.NextPage != 0 {
			t.Errorf("page 4 gave %d issues and next page %d, want none", len(got), resp.NextPage)
		}
	})
	t.Run("the next URL of the Link header serves the next page", func(t *testing.T) {
		tok, err := f.sim.InstallationToken(testInstallationID)
		must(t, err)
		resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/issues?per_page=100&state=open", tok, "")
		links := map[string]string{}
		for _, m := range linkRE.FindAllStringSubmatch(resp.Header.Get("Link"), -1) {
			links[m[2]] = m[1]
		}
		next := links["next"]
		if !strings.Contains(next, "/repositories/") || !strings.Contains(next, "page=2") || !strings.Contains(next, "state=open") {
			t.Fatalf("Link next = %q, want a /repositories/{id}/issues URL for page 2 keeping state=open", next)
		}
		resp, body := doJSON(t, http.MethodGet, next, tok, "")
		list, _ := body.([]any)
		if resp.StatusCode != http.StatusOK || len(list) != 100 || lookup(list[0], "number") != float64(150) {
			t.Errorf("GET %s = %d with %d issues, want 200 with #150 first", next, resp.StatusCode, len(list))
		}
	})
}

func TestCreateAndEditIssue(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	issue, resp, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{
		Title: github.String("Edition 44"), Body: github.String("Draft"), Labels: &[]string{"newsletter", "brand-new"},
	})
	wantStatus(t, "Issues.Create", resp, err, http.StatusCreated)
	n := issue.GetNumber()
	if got := labelNamesOf(issue.Labels); fmt.Sprint(got) != "[brand-new newsletter]" {
		t.Errorf("created labels = %v, want brand-new and newsletter", got)
	}
	if _, resp, err := client.Issues.GetLabel(ctx, "acme", "newsletter", "brand-new"); statusOf(resp) != http.StatusOK {
		t.Errorf("GetLabel(brand-new) = %d %v, want the label created with the issue", statusOf(resp), err)
	}

	steps := []struct {
		name   string
		req    github.IssueRequest
		status int
		check  func(t *testing.T, i *github.Issue)
	}{
		{
			name: "title and body change", req: github.IssueRequest{Title: github.String("Edition 44 (April)"), Body: github.String("Final")}, status: http.StatusOK,
			check: func(t *testing.T, i *github.Issue) {
				if i.GetTitle() != "Edition 44 (April)" || i.GetBody() != "Final" {
					t.Errorf("title, body = %q, %q", i.GetTitle(), i.GetBody())
				}
			},
		},
		{
			name: "closing as not planned records the reason and who closed it", req: github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")}, status: http.StatusOK,
			check: func(t *testing.T, i *github.Issue) {
				if i.GetState() != "closed" || i.GetStateReason() != "not_planned" || i.ClosedAt == nil || i.GetClosedBy().GetLogin() != "newsletter-bot[bot]" {
					t.Errorf("state %q reason %q closed_at %v closed_by %q", i.GetState(), i.GetStateReason(), i.ClosedAt, i.GetClosedBy().GetLogin())
				}
			},
		},
		{
			name: "reopening clears closed_at and sets the reason reopened", req: github.IssueRequest{State: github.String("open")}, status: http.StatusOK,
			check: func(t *testing.T, i *github.Issue) {
				if i.GetState() != "open" || i.GetStateReason() != "reopened" || i.ClosedAt != nil {
					t.Errorf("state %q reason %q closed_at %v", i.GetState(), i.GetStateReason(), i.ClosedAt)
				}
			},
		},
		{
			name: "labels in an update replace the issue's labels", req: github.IssueRequest{Labels: &[]string{"bug"}}, status: http.StatusOK,
			check: func(t *testing.T, i *github.Issue) {
				if got := labelNamesOf(i.Labels); fmt.Sprint(got) != "[bug]" {
					t.Errorf("labels = %v, want [bug]", got)
				}
			},
		},
		{name: "an empty title is refused", req: github.IssueRequest{Title: github.String("")}, status: http.StatusUnprocessableEntity},
		{name: "an unknown state is refused and changes nothing", req: github.IssueRequest{Title: github.String("Renamed"), State: github.String("merged")}, status: http.StatusUnprocessableEntity},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			req := st.req
			got, resp, err := client.Issues.Edit(ctx, "acme", "newsletter", n, &req)
			wantStatus(t, "Issues.Edit", resp, err, st.status)
			if st.check != nil {
				st.check(t, got)
				back, _, err := client.Issues.Get(ctx, "acme", "newsletter", n)
				must(t, err)
				st.check(t, back)
			}
		})
	}
	if got, _ := f.sim.Issue(testRepo, n); got.Title != "Edition 44 (April)" {
		t.Errorf("after refused edits the title is %q, want it unchanged", got.Title)
	}
	t.Run("a missing issue is not found", func(t *testing.T) {
		_, resp, err := client.Issues.Get(ctx, "acme", "newsletter", 999)
		wantStatus(t, "Issues.Get(999)", resp, err, http.StatusNotFound)
	})
	t.Run("an issue without a title is refused with the field named", func(t *testing.T) {
		_, resp, err := client.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Body: github.String("no title")})
		wantStatus(t, "Issues.Create without title", resp, err, http.StatusUnprocessableEntity)
		er := err.(*github.ErrorResponse)
		if er.Message != "Validation Failed" || len(er.Errors) != 1 || er.Errors[0].Field != "title" || er.Errors[0].Code != "missing_field" {
			t.Errorf("error = %+v, want Validation Failed with title missing_field", er)
		}
	})
}

func TestIssueLabels(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	_, err := f.sim.Actor("alice").OpenIssue(testRepo, "A job", "")
	must(t, err)
	client := f.installationClient(t)
	ctx := ctxT(t)
	const owner, repo, number = "acme", "newsletter", 1

	steps := []struct {
		name   string
		do     func() ([]*github.Label, *github.Response, error)
		status int
		want   string // labels on the issue afterwards
	}{
		{
			name: "adding labels creates missing ones", status: http.StatusOK, want: "[accepted newsletter]",
			do: func() ([]*github.Label, *github.Response, error) {
				return client.Issues.AddLabelsToIssue(ctx, owner, repo, number, []string{"newsletter", "accepted"})
			},
		},
		{
			name: "adding a label the issue has does not duplicate it", status: http.StatusOK, want: "[accepted newsletter]",
			do: func() ([]*github.Label, *github.Response, error) {
				return client.Issues.AddLabelsToIssue(ctx, owner, repo, number, []string{"Newsletter"})
			},
		},
		{
			name: "listing shows the issue's labels", status: http.StatusOK, want: "[accepted newsletter]",
			do: func() ([]*github.Label, *github.Response, error) {
				return client.Issues.ListLabelsByIssue(ctx, owner, repo, number, nil)
			},
		},
		{
			name: "removing a label leaves the others", status: http.StatusOK, want: "[newsletter]",
			do: func() ([]*github.Label, *github.Response, error) {
				resp, err := client.Issues.RemoveLabelForIssue(ctx, owner, repo, number, "accepted")
				return nil, resp, err
			},
		},
		{
			name: "removing a label the issue lacks is not found", status: http.StatusNotFound, want: "[newsletter]",
			do: func() ([]*github.Label, *github.Response, error) {
				resp, err := client.Issues.RemoveLabelForIssue(ctx, owner, repo, number, "accepted")
				return nil, resp, err
			},
		},
		{
			name: "setting labels replaces them", status: http.StatusOK, want: "[bug newsletter: needs-info]",
			do: func() ([]*github.Label, *github.Response, error) {
				return client.Issues.ReplaceLabelsForIssue(ctx, owner, repo, number, []string{"bug", "newsletter: needs-info"})
			},
		},
		{
			name: "a label with a colon and a space is removed by name", status: http.StatusOK, want: "[bug]",
			do: func() ([]*github.Label, *github.Response, error) {
				resp, err := client.Issues.RemoveLabelForIssue(ctx, owner, repo, number, "newsletter: needs-info")
				return nil, resp, err
			},
		},
		{
			name: "removing every label empties the list", status: http.StatusNoContent, want: "[]",
			do: func() ([]*github.Label, *github.Response, error) {
				resp, err := client.Issues.RemoveLabelsForIssue(ctx, owner, repo, number)
				return nil, resp, err
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, resp, err := st.do()
			wantStatus(t, st.name, resp, err, st.status)
			if got != nil && fmt.Sprint(labelNamesOf(got)) != st.want {
				t.Errorf("response labels = %v, want %s", labelNamesOf(got), st.want)
			}
			is, err := f.sim.Issue(testRepo, number)
			must(t, err)
			sort.Strings(is.Labels)
			if fmt.Sprint(append([]string{}, is.Labels...)) != st.want {
				t.Errorf("issue labels = %v, want %s", is.Labels, st.want)
			}
		})
	}

	t.Run("repository labels include the ones created on the fly", func(t *testing.T) {
		got, resp, err := client.Issues.ListLabels(ctx, owner, repo, nil)
		wantStatus(t, "ListLabels", resp, err, http.StatusOK)
		if fmt.Sprint(labelNamesOf(got)) != "[accepted bug newsletter newsletter: needs-info]" {
			t.Errorf("ListLabels = %v", labelNamesOf(got))
		}
	})
	t.Run("creating a repository label that exists is refused", func(t *testing.T) {
		_, resp, err := client.Issues.CreateLabel(ctx, owner, repo, &github.Label{Name: github.String("bug")})
		wantStatus(t, "CreateLabel(bug)", resp, err, http.StatusUnprocessableEntity)
		if er := err.(*github.ErrorResponse); len(er.Errors) != 1 || er.Errors[0].Code != "already_exists" {
			t.Errorf("errors = %+v, want already_exists", er.Errors)
		}
	})
	t.Run("creating a repository label keeps its color and description", func(t *testing.T) {
		l, resp, err := client.Issues.CreateLabel(ctx, owner, repo, &github.Label{Name: github.String("deferred"), Color: github.String("c5def5"), Description: github.String("Next edition")})
		wantStatus(t, "CreateLabel(deferred)", resp, err, http.StatusCreated)
		if l.GetColor() != "c5def5" || l.GetDescription() != "Next edition" || l.GetURL() != f.sim.URL()+"/repos/acme/newsletter/labels/deferred" {
			t.Errorf("CreateLabel = %+v", l)
		}
	})
}

func commentBodies(list []*github.IssueComment) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.GetBody())
	}
	return out
}

func TestIssueComments(t *testing.T) {
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	alice := f.sim.Actor("alice")
	_, err := alice.OpenIssue(testRepo, "One", "")
	must(t, err)
	_, err = alice.OpenIssue(testRepo, "Two", "")
	must(t, err)
	client := f.tokenClient(t)
	ctx := ctxT(t)
	t0 := clock.Now()

	create := func(number int, body string) *github.IssueComment {
		c, resp, err := client.Issues.CreateComment(ctx, "acme", "newsletter", number, &github.IssueComment{Body: github.String(body)})
		wantStatus(t, "CreateComment", resp, err, http.StatusCreated)
		return c
	}
	a := create(1, "A") // t0
	clock.Advance(10 * time.Minute)
	b := create(1, "B") // t0+10m
	clock.Advance(10 * time.Minute)
	create(2, "C") // t0+20m
	clock.Advance(10 * time.Minute)
	edited, resp, err := client.Issues.EditComment(ctx, "acme", "newsletter", a.GetID(), &github.IssueComment{Body: github.String("A2")}) // t0+30m
	wantStatus(t, "EditComment", resp, err, http.StatusOK)
	if edited.GetBody() != "A2" || !edited.GetUpdatedAt().Time.Equal(t0.Add(30*time.Minute)) || !edited.GetCreatedAt().Time.Equal(t0) {
		t.Errorf("EditComment = %q created %v updated %v, want A2 created at t0 and updated 30 minutes later", edited.GetBody(), edited.GetCreatedAt(), edited.GetUpdatedAt())
	}

	tests := []struct {
		name   string
		number int // 0 lists the repository's comments
		since  time.Time
		want   string
	}{
		{name: "an issue's comments come oldest first", number: 1, want: "[A2 B]"},
		{name: "since keeps an issue's comments updated at or after it", number: 1, since: t0.Add(10 * time.Minute), want: "[A2 B]"},
		{name: "since drops comments not updated since", number: 1, since: t0.Add(25 * time.Minute), want: "[A2]"},
		{name: "the repository's comments cover every issue", want: "[A2 B C]"},
		{name: "since filters the repository's comments too", since: t0.Add(20 * time.Minute), want: "[A2 C]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &github.IssueListCommentsOptions{}
			if !tt.since.IsZero() {
				opts.Since = &tt.since
			}
			got, resp, err := client.Issues.ListComments(ctx, "acme", "newsletter", tt.number, opts)
			wantStatus(t, "ListComments", resp, err, http.StatusOK)
			if fmt.Sprint(commentBodies(got)) != tt.want {
				t.Errorf("ListComments(#%d, since %v) = %v, want %s", tt.number, tt.since, commentBodies(got), tt.want)
			}
		})
	}

	t.Run("a deleted comment is gone", func(t *testing.T) {
		resp, err := client.Issues.DeleteComment(ctx, "acme", "newsletter", b.GetID())
		wantStatus(t, "DeleteComment", resp, err, http.StatusNoContent)
		_, resp, err = client.Issues.GetComment(ctx, "acme", "newsletter", b.GetID())
		wantStatus(t, "GetComment(deleted)", resp, err, http.StatusNotFound)
		issue, _, err := client.Issues.Get(ctx, "acme", "newsletter", 1)
		must(t, err)
		if issue.GetComments() != 1 {
			t.Errorf("issue #1 comments = %d, want 1", issue.GetComments())
		}
	})
	t.Run("an empty comment is refused", func(t *testing.T) {
		_, resp, err := client.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String(" ")})
		wantStatus(t, "CreateComment(empty)", resp, err, http.StatusUnprocessableEntity)
	})
	t.Run("a comment's html_url points at the issue with an anchor", func(t *testing.T) {
		want := fmt.Sprintf("https://github.com/acme/newsletter/issues/1#issuecomment-%d", a.GetID())
		if a.GetHTMLURL() != want {
			t.Errorf("html_url = %q, want %q", a.GetHTMLURL(), want)
		}
	})
}

func TestReactions(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermRead))
	alice := f.sim.Actor("alice")
	_, err := alice.OpenIssue(testRepo, "One", "")
	must(t, err)
	cm, err := alice.Comment(testRepo, 1, "/newsletter accept")
	must(t, err)
	client := f.installationClient(t)
	ctx := ctxT(t)

	var firstEyes int64
	steps := []struct {
		name    string
		onIssue bool
		content string
		status  int
	}{
		{name: "a new reaction on a comment is created", content: "eyes", status: http.StatusCreated},
		{name: "the same reaction again answers 200 with the existing one", content: "eyes", status: http.StatusOK},
		{name: "another reaction on the comment is created", content: "+1", status: http.StatusCreated},
		{name: "a new reaction on an issue is created", onIssue: true, content: "rocket", status: http.StatusCreated},
		{name: "the same reaction on the issue again answers 200", onIssue: true, content: "rocket", status: http.StatusOK},
		{name: "an unknown reaction is refused", content: "thumbsup", status: http.StatusUnprocessableEntity},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var r *github.Reaction
			var resp *github.Response
			var err error
			if st.onIssue {
				r, resp, err = client.Reactions.CreateIssueReaction(ctx, "acme", "newsletter", 1, st.content)
			} else {
				r, resp, err = client.Reactions.CreateIssueCommentReaction(ctx, "acme", "newsletter", cm.ID, st.content)
			}
			wantStatus(t, "create reaction "+st.content, resp, err, st.status)
			if st.status >= 300 {
				return
			}
			if r.GetContent() != st.content || r.GetUser().GetLogin() != "newsletter-bot[bot]" {
				t.Errorf("reaction = %s by %s", r.GetContent(), r.GetUser().GetLogin())
			}
			if st.content == "eyes" {
				if firstEyes == 0 {
					firstEyes = r.GetID()
				} else if r.GetID() != firstEyes {
					t.Errorf("repeated reaction id = %d, want the first one's %d", r.GetID(), firstEyes)
				}
			}
		})
	}
	_, err = alice.React(testRepo, cm.ID, "eyes")
	must(t, err)

	t.Run("listing a comment's reactions shows each person's", func(t *testing.T) {
		got, resp, err := client.Reactions.ListIssueCommentReactions(ctx, "acme", "newsletter", cm.ID, nil)
		wantStatus(t, "ListIssueCommentReactions", resp, err, http.StatusOK)
		var seen []string
		for _, r := range got {
			seen = append(seen, r.GetUser().GetLogin()+":"+r.GetContent())
		}
		if fmt.Sprint(seen) != "[newsletter-bot[bot]:eyes newsletter-bot[bot]:+1 alice:eyes]" {
			t.Errorf("reactions = %v", seen)
		}
	})
	t.Run("listing an issue's reactions", func(t *testing.T) {
		got, resp, err := client.Reactions.ListIssueReactions(ctx, "acme", "newsletter", 1, nil)
		wantStatus(t, "ListIssueReactions", resp, err, http.StatusOK)
		if len(got) != 1 || got[0].GetContent() != "rocket" {
			t.Errorf("issue reactions = %v, want one rocket", got)
		}
	})
	t.Run("the comment's rollup counts the reactions", func(t *testing.T) {
		c, _, err := client.Issues.GetComment(ctx, "acme", "newsletter", cm.ID)
		must(t, err)
		if r := c.GetReactions(); r.GetTotalCount() != 3 || r.GetEyes() != 2 || r.GetPlusOne() != 1 {
			t.Errorf("reactions rollup = %+v, want 3 total, 2 eyes, 1 +1", r)
		}
	})
}

func TestCollaboratorPermission(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "private", Private: true}))
	must(t, f.sim.AddInstallationRepos(testInstallationID, "acme/private"))
	must(t, f.sim.AddUser("stranger"))
	levels := []string{PermAdmin, PermMaintain, PermWrite, PermTriage, PermRead}
	for _, l := range levels {
		must(t, f.sim.SetPermission(testRepo, "user-"+l, l))
	}
	client := f.installationClient(t)
	ctx := ctxT(t)
	tests := []struct {
		name       string
		repo, user string
		permission string
		role       string
		status     int
	}{
		{name: "an admin is admin", repo: "newsletter", user: "user-admin", permission: "admin", role: "admin", status: http.StatusOK},
		{name: "a maintainer has the legacy permission write", repo: "newsletter", user: "user-maintain", permission: "write", role: "maintain", status: http.StatusOK},
		{name: "a writer is write", repo: "newsletter", user: "user-write", permission: "write", role: "write", status: http.StatusOK},
		{name: "a triager has the legacy permission read", repo: "newsletter", user: "user-triage", permission: "read", role: "triage", status: http.StatusOK},
		{name: "a reader is read", repo: "newsletter", user: "user-read", permission: "read", role: "read", status: http.StatusOK},
		{name: "anyone can read a public repository", repo: "newsletter", user: "stranger", permission: "read", role: "read", status: http.StatusOK},
		{name: "a stranger has no permission on a private repository", repo: "private", user: "stranger", permission: "none", role: "none", status: http.StatusOK},
		{name: "an unknown user is not found", repo: "newsletter", user: "ghost", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, resp, err := client.Repositories.GetPermissionLevel(ctx, "acme", tt.repo, tt.user)
			wantStatus(t, "GetPermissionLevel", resp, err, tt.status)
			if tt.status != http.StatusOK {
				return
			}
			if got.GetPermission() != tt.permission || got.GetUser().GetRoleName() != tt.role || got.GetUser().GetLogin() != tt.user {
				t.Errorf("GetPermissionLevel(%s) = %s (role %s, user %s), want %s (role %s)", tt.user, got.GetPermission(), got.GetUser().GetRoleName(), got.GetUser().GetLogin(), tt.permission, tt.role)
			}
		})
	}
}

func TestTeamMembership(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.AddTeamMember("acme", "newsletter-editors", "alice", "maintainer"))
	must(t, f.sim.AddTeamMember("acme", "newsletter-editors", "bob", "member"))
	must(t, f.sim.AddUser("carol"))
	must(t, f.sim.AddTeamMember("other-org", "newsletter-editors", "carol", "member"))
	client := f.installationClient(t)
	ctx := ctxT(t)
	tests := []struct {
		name            string
		org, team, user string
		role            string
		status          int
	}{
		{name: "a team maintainer is active with role maintainer", org: "acme", team: "newsletter-editors", user: "alice", role: "maintainer", status: http.StatusOK},
		{name: "a team member is active with role member", org: "acme", team: "newsletter-editors", user: "bob", role: "member", status: http.StatusOK},
		{name: "someone outside the team is not found", org: "acme", team: "newsletter-editors", user: "carol", status: http.StatusNotFound},
		{name: "an unknown team is not found", org: "acme", team: "nope", user: "alice", status: http.StatusNotFound},
		{name: "another organization's team is out of the installation's reach", org: "other-org", team: "newsletter-editors", user: "carol", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, resp, err := client.Teams.GetTeamMembershipBySlug(ctx, tt.org, tt.team, tt.user)
			wantStatus(t, "GetTeamMembershipBySlug", resp, err, tt.status)
			if tt.status == http.StatusOK && (m.GetRole() != tt.role || m.GetState() != "active") {
				t.Errorf("membership = %s/%s, want %s/active", m.GetRole(), m.GetState(), tt.role)
			}
		})
	}
}

// TestPermissionLevelsGateWrites calls as simulated people with their own
// tokens and checks the permission GitHub's table of repository roles
// requires for each write: labels, closing and reopening need triage;
// editing someone else's issue or comment needs write; authors may edit
// their own, close their own and reopen what they closed themselves.
func TestPermissionLevelsGateWrites(t *testing.T) {
	f := newFixture(t, Options{})
	for _, l := range []string{PermRead, PermTriage, PermWrite} {
		must(t, f.sim.SetPermission(testRepo, l+"-user", l))
	}
	owner := f.sim.Actor("write-user")
	_, err := owner.OpenIssue(testRepo, "Someone else's issue", "")
	must(t, err)
	cm, err := owner.Comment(testRepo, 1, "someone else's comment")
	must(t, err)
	main, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	ctx := ctxT(t)

	type call func(c *github.Client, n int) (*github.Response, error)
	addLabel := func(c *github.Client, _ int) (*github.Response, error) {
		_, resp, err := c.Issues.AddLabelsToIssue(ctx, "acme", "newsletter", 1, []string{"accepted"})
		return resp, err
	}
	editOthers := func(c *github.Client, _ int) (*github.Response, error) {
		_, resp, err := c.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{Title: github.String("Renamed")})
		return resp, err
	}
	editOwn := func(c *github.Client, _ int) (*github.Response, error) {
		i, _, err := c.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("Mine")})
		if err != nil {
			return nil, err
		}
		_, resp, err := c.Issues.Edit(ctx, "acme", "newsletter", i.GetNumber(), &github.IssueRequest{Body: github.String("Edited")})
		return resp, err
	}
	comment := func(c *github.Client, _ int) (*github.Response, error) {
		_, resp, err := c.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String("+1")})
		return resp, err
	}
	editOthersComment := func(c *github.Client, _ int) (*github.Response, error) {
		_, resp, err := c.Issues.EditComment(ctx, "acme", "newsletter", cm.ID, &github.IssueComment{Body: github.String("edited")})
		return resp, err
	}
	closeOthers := func(c *github.Client, _ int) (*github.Response, error) {
		_, resp, err := c.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{State: github.String("closed")})
		if err == nil {
			_, _, err = c.Issues.Edit(ctx, "acme", "newsletter", 1, &github.IssueRequest{State: github.String("open")})
		}
		return resp, err
	}
	closeOwn := func(c *github.Client, _ int) (*github.Response, error) {
		i, _, err := c.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("Mine")})
		if err != nil {
			return nil, err
		}
		_, resp, err := c.Issues.Edit(ctx, "acme", "newsletter", i.GetNumber(), &github.IssueRequest{State: github.String("closed")})
		if err == nil {
			_, resp, err = c.Issues.Edit(ctx, "acme", "newsletter", i.GetNumber(), &github.IssueRequest{State: github.String("open")})
		}
		return resp, err
	}
	reopenOwnClosedByOthers := func(c *github.Client, _ int) (*github.Response, error) {
		i, _, err := c.Issues.Create(ctx, "acme", "newsletter", &github.IssueRequest{Title: github.String("Mine")})
		if err != nil {
			return nil, err
		}
		if _, err := owner.CloseIssue(testRepo, i.GetNumber()); err != nil {
			return nil, err
		}
		_, resp, err := c.Issues.Edit(ctx, "acme", "newsletter", i.GetNumber(), &github.IssueRequest{State: github.String("open")})
		return resp, err
	}
	deleteOwnComment := func(c *github.Client, _ int) (*github.Response, error) {
		mine, _, err := c.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String("oops")})
		if err != nil {
			return nil, err
		}
		return c.Issues.DeleteComment(ctx, "acme", "newsletter", mine.GetID())
	}
	createRef := func(c *github.Client, n int) (*github.Response, error) {
		_, resp, err := c.Git.CreateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String(fmt.Sprintf("refs/heads/b%d", n)), Object: &github.GitObject{SHA: github.String(main)}})
		return resp, err
	}
	tests := []struct {
		name   string
		level  string
		call   call
		status int
	}{
		{"a reader can comment", PermRead, comment, http.StatusCreated},
		{"a reader cannot label an issue", PermRead, addLabel, http.StatusForbidden},
		{"a triager can label an issue", PermTriage, addLabel, http.StatusOK},
		{"a reader cannot edit someone else's issue", PermRead, editOthers, http.StatusForbidden},
		{"a triager cannot edit someone else's issue", PermTriage, editOthers, http.StatusForbidden},
		{"a writer can edit someone else's issue", PermWrite, editOthers, http.StatusOK},
		{"a reader can edit their own issue", PermRead, editOwn, http.StatusOK},
		{"a reader cannot close someone else's issue", PermRead, closeOthers, http.StatusForbidden},
		{"a triager can close and reopen someone else's issue", PermTriage, closeOthers, http.StatusOK},
		{"a reader can close and reopen their own issue", PermRead, closeOwn, http.StatusOK},
		{"a reader cannot reopen their own issue a maintainer closed", PermRead, reopenOwnClosedByOthers, http.StatusForbidden},
		{"a reader cannot edit someone else's comment", PermRead, editOthersComment, http.StatusForbidden},
		{"a triager cannot edit someone else's comment", PermTriage, editOthersComment, http.StatusForbidden},
		{"a writer can edit someone else's comment", PermWrite, editOthersComment, http.StatusOK},
		{"a reader can delete their own comment", PermRead, deleteOwnComment, http.StatusNoContent},
		{"a triager cannot create a branch", PermTriage, createRef, http.StatusForbidden},
		{"a writer can create a branch", PermWrite, createRef, http.StatusCreated},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := f.userClient(t, tt.level+"-user")
			resp, err := tt.call(client, n)
			wantStatus(t, tt.name, resp, err, tt.status)
		})
	}
}

// TestResponseShapes checks the fields clients and people rely on: urls,
// timestamps, the bot user, error bodies.
func TestResponseShapes(t *testing.T) {
	f := newFixture(t, Options{})
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	base := f.sim.URL() + "/repos/acme/newsletter"
	resp, issue := doJSON(t, http.MethodPost, base+"/issues", tok, `{"title":"Shape"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create issue = %d %v", resp.StatusCode, issue)
	}
	_, cm := doJSON(t, http.MethodPost, base+"/issues/1/comments", tok, `{"body":"hello"}`)
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	tests := []struct {
		name  string
		value any
		want  any // a string, or a *regexp.Regexp to match
	}{
		{"the issue's url is its API address", lookup(issue, "url"), base + "/issues/1"},
		{"the issue's html_url is its page on github.com", lookup(issue, "html_url"), "https://github.com/acme/newsletter/issues/1"},
		{"the issue's created_at is RFC 3339 in UTC", lookup(issue, "created_at"), stamp},
		{"the issue's closed_at is null while open", lookup(issue, "closed_at"), nil},
		{"the app's issue is by its bot user", lookup(issue, "user.login"), "newsletter-bot[bot]"},
		{"the bot user has type Bot", lookup(issue, "user.type"), "Bot"},
		{"the bot user's page is the app's page", lookup(issue, "user.html_url"), "https://github.com/apps/newsletter-bot"},
		{"the issue names the app it was made through", lookup(issue, "performed_via_github_app.slug"), "newsletter-bot"},
		{"the comment's url is its API address", lookup(cm, "url"), fmt.Sprintf("%s/issues/comments/%.0f", base, lookup(cm, "id"))},
		{"the comment's issue_url points at its issue", lookup(cm, "issue_url"), base + "/issues/1"},
		{"the comment's updated_at is RFC 3339 in UTC", lookup(cm, "updated_at"), stamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if re, ok := tt.want.(*regexp.Regexp); ok {
				if s, _ := tt.value.(string); !re.MatchString(s) {
					t.Errorf("got %v, want a match for %s", tt.value, re)
				}
				return
			}
			if tt.value != tt.want {
				t.Errorf("got %v, want %v", tt.value, tt.want)
			}
		})
	}

	errs := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"a missing issue answers GitHub's Not Found body", http.MethodGet, "/issues/99", "", http.StatusNotFound, "Not Found"},
		{"a missing repository answers Not Found", http.MethodGet, "/../nope", "", http.StatusNotFound, "Not Found"},
		{"invalid JSON answers Problems parsing JSON", http.MethodPost, "/issues", "{", http.StatusBadRequest, "Problems parsing JSON"},
		{"a validation error answers Validation Failed", http.MethodPost, "/issues", `{"body":"x"}`, http.StatusUnprocessableEntity, "Validation Failed"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			url := base + tt.path
			if strings.HasPrefix(tt.path, "/..") {
				url = f.sim.URL() + "/repos/acme" + strings.TrimPrefix(tt.path, "/..")
			}
			resp, body := doJSON(t, tt.method, url, tok, tt.body)
			if resp.StatusCode != tt.status || lookup(body, "message") != tt.message {
				t.Errorf("%s %s = %d %v, want %d %q", tt.method, url, resp.StatusCode, body, tt.status, tt.message)
			}
			if s, _ := lookup(body, "documentation_url").(string); !strings.HasPrefix(s, "https://docs.github.com/") {
				t.Errorf("documentation_url = %q, want a docs.github.com address", s)
			}
		})
	}
}
