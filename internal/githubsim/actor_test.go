package githubsim

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/google/go-github/v62/github"
)

// TestActorPermissions checks that simulated people are held to the
// permission GitHub asks of each action.
func TestActorPermissions(t *testing.T) {
	type env struct {
		t         *testing.T
		f         *fixture
		commentID int64
	}
	tests := []struct {
		name  string
		level string
		do    func(a *Actor, e env) error
		ok    bool
		check func(t *testing.T, e env)
	}{
		{name: "a reader can open an issue", level: PermRead, ok: true,
			do: func(a *Actor, e env) error { _, err := a.OpenIssue(testRepo, "Hi", ""); return err }},
		{name: "a reader's labels on a new issue are dropped", level: PermRead, ok: true,
			do: func(a *Actor, e env) error { _, err := a.OpenIssue(testRepo, "Hi", "", "bug"); return err },
			check: func(t *testing.T, e env) {
				if i, _ := e.f.sim.Issue(testRepo, 4); len(i.Labels) != 0 {
					t.Errorf("labels = %v, want none", i.Labels)
				}
			}},
		{name: "a triager's labels on a new issue are applied", level: PermTriage, ok: true,
			do: func(a *Actor, e env) error { _, err := a.OpenIssue(testRepo, "Hi", "", "bug"); return err },
			check: func(t *testing.T, e env) {
				if i, _ := e.f.sim.Issue(testRepo, 4); !reflect.DeepEqual(i.Labels, []string{"bug"}) {
					t.Errorf("labels = %v, want [bug]", i.Labels)
				}
			}},
		{name: "an issue form applies its labels even for a reader", level: PermRead, ok: true,
			do: func(a *Actor, e env) error {
				_, err := a.OpenIssueFromForm(testRepo, "[Job] x", "### Company\n\nAcme", "newsletter", "job")
				return err
			},
			check: func(t *testing.T, e env) {
				if i, _ := e.f.sim.Issue(testRepo, 4); !reflect.DeepEqual(i.Labels, []string{"newsletter", "job"}) {
					t.Errorf("labels = %v, want [newsletter job]", i.Labels)
				}
			}},
		{name: "a reader can comment", level: PermRead, ok: true,
			do: func(a *Actor, e env) error { _, err := a.Comment(testRepo, 1, "+1"); return err }},
		{name: "a reader can react", level: PermRead, ok: true,
			do: func(a *Actor, e env) error { _, err := a.React(testRepo, e.commentID, "heart"); return err }},
		{name: "a reader cannot edit someone else's issue", level: PermRead,
			do: func(a *Actor, e env) error {
				title := "x"
				_, err := a.EditIssue(testRepo, 1, IssueEdit{Title: &title})
				return err
			}},
		{name: "a triager cannot edit someone else's issue", level: PermTriage,
			do: func(a *Actor, e env) error {
				title := "x"
				_, err := a.EditIssue(testRepo, 1, IssueEdit{Title: &title})
				return err
			}},
		{name: "a writer can edit someone else's issue", level: PermWrite, ok: true,
			do: func(a *Actor, e env) error {
				title := "x"
				_, err := a.EditIssue(testRepo, 1, IssueEdit{Title: &title})
				return err
			}},
		{name: "a reader cannot close someone else's issue", level: PermRead,
			do: func(a *Actor, e env) error { _, err := a.CloseIssue(testRepo, 1); return err }},
		{name: "a triager can close someone else's issue", level: PermTriage, ok: true,
			do: func(a *Actor, e env) error { _, err := a.CloseIssue(testRepo, 1); return err }},
		{name: "a reader can close and reopen their own issue", level: PermRead, ok: true,
			do: func(a *Actor, e env) error {
				i, err := a.OpenIssue(testRepo, "Mine", "")
				if err == nil {
					_, err = a.CloseIssue(testRepo, i.Number)
				}
				if err == nil {
					_, err = a.ReopenIssue(testRepo, i.Number)
				}
				return err
			}},
		{name: "a reader cannot reopen their own issue someone else closed", level: PermRead,
			do: func(a *Actor, e env) error {
				i, err := a.OpenIssue(testRepo, "Mine", "")
				must(e.t, err)
				_, err = e.f.sim.Actor("olivia").CloseIssue(testRepo, i.Number)
				must(e.t, err)
				_, err = a.ReopenIssue(testRepo, i.Number)
				return err
			}},
		{name: "a reader cannot edit someone else's comment", level: PermRead,
			do: func(a *Actor, e env) error { _, err := a.EditComment(testRepo, e.commentID, "x"); return err }},
		{name: "a reader cannot delete someone else's comment", level: PermRead,
			do: func(a *Actor, e env) error { return a.DeleteComment(testRepo, e.commentID) }},
		{name: "a triager cannot edit someone else's comment", level: PermTriage,
			do: func(a *Actor, e env) error { _, err := a.EditComment(testRepo, e.commentID, "x"); return err }},
		{name: "a triager cannot delete someone else's comment", level: PermTriage,
			do: func(a *Actor, e env) error { return a.DeleteComment(testRepo, e.commentID) }},
		{name: "a writer can delete someone else's comment", level: PermWrite, ok: true,
			do: func(a *Actor, e env) error { return a.DeleteComment(testRepo, e.commentID) }},
		{name: "a reader can edit and delete their own comment", level: PermRead, ok: true,
			do: func(a *Actor, e env) error {
				c, err := a.Comment(testRepo, 1, "mine")
				if err == nil {
					_, err = a.EditComment(testRepo, c.ID, "mine, edited")
				}
				if err == nil {
					err = a.DeleteComment(testRepo, c.ID)
				}
				return err
			}},
		{name: "a reader cannot label", level: PermRead,
			do: func(a *Actor, e env) error { return a.AddLabels(testRepo, 1, "accepted") }},
		{name: "a reader cannot unlabel", level: PermRead,
			do: func(a *Actor, e env) error { return a.RemoveLabel(testRepo, 1, "newsletter") }},
		{name: "a triager can label", level: PermTriage, ok: true,
			do: func(a *Actor, e env) error { return a.AddLabels(testRepo, 1, "accepted") }},
		{name: "a triager cannot push", level: PermTriage,
			do: func(a *Actor, e env) error {
				_, err := a.Push(testRepo, "main", Push{Files: map[string]string{"x": "x"}})
				return err
			}},
		{name: "a triager cannot edit a file", level: PermTriage,
			do: func(a *Actor, e env) error { _, err := a.EditFile(testRepo, "feature", "x", "x"); return err }},
		{name: "a writer can edit a file on a pull request's branch", level: PermWrite, ok: true,
			do: func(a *Actor, e env) error { _, err := a.EditFile(testRepo, "feature", "x", "x"); return err }},
		{name: "a triager cannot merge", level: PermTriage,
			do: func(a *Actor, e env) error { _, err := a.MergePR(testRepo, 2); return err }},
		{name: "a maintainer can merge", level: PermMaintain, ok: true,
			do: func(a *Actor, e env) error { _, err := a.MergePR(testRepo, 2); return err }},
		{name: "a triager cannot mark a draft ready", level: PermTriage,
			do: func(a *Actor, e env) error { _, err := a.MarkReady(testRepo, 3); return err }},
		{name: "someone without access to a private repository can do nothing there", level: PermNone,
			do: func(a *Actor, e env) error { _, err := a.OpenIssue("acme/private", "Hi", ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "private", Private: true}))
			must(t, f.sim.SetPermission(testRepo, "olivia", PermWrite))
			olivia := f.sim.Actor("olivia")
			_, err := olivia.OpenIssue(testRepo, "Olivia's issue", "", "newsletter") // #1
			must(t, err)
			c, err := olivia.Comment(testRepo, 1, "Olivia's comment")
			must(t, err)
			for _, b := range []string{"feature", "draft"} {
				_, err = olivia.Push(testRepo, b, Push{Files: map[string]string{b + ".md": b}})
				must(t, err)
			}
			_, err = olivia.OpenPR(testRepo, PullSpec{Head: "feature", Title: "Feature"}) // #2
			must(t, err)
			_, err = olivia.OpenPR(testRepo, PullSpec{Head: "draft", Title: "Draft", Draft: true}) // #3
			must(t, err)
			must(t, f.sim.SetPermission(testRepo, "pat", tt.level))
			e := env{t: t, f: f, commentID: c.ID}

			err = tt.do(f.sim.Actor("pat"), e)
			if tt.ok && err != nil {
				t.Fatalf("%s with %s permission: %v, want it allowed", tt.name, tt.level, err)
			}
			if !tt.ok && err == nil {
				t.Fatalf("%s with %s permission succeeded, want it refused", tt.name, tt.level)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
	t.Run("an unknown person can do nothing", func(t *testing.T) {
		f := newFixture(t, Options{})
		if _, err := f.sim.Actor("ghost").OpenIssue(testRepo, "Boo", ""); err == nil {
			t.Error("OpenIssue by an unknown user succeeded, want an error")
		}
	})
}

// TestActorStory plays the newsletter's story through simulated people and
// the app, reading the state back through the simulator's readers.
func TestActorStory(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "bob", PermRead))
	must(t, f.sim.SetPermission(testRepo, "alice", PermMaintain))
	bob, alice := f.sim.Actor("bob"), f.sim.Actor("alice")
	client := f.installationClient(t)
	ctx := ctxT(t)

	issue, err := bob.OpenIssueFromForm(testRepo, "[News] Something happened", "### Link\n\nhttps://example.com", "newsletter", "newsletter: needs-info")
	must(t, err)
	if want := (Issue{Number: 1, Title: "[News] Something happened", Body: "### Link\n\nhttps://example.com", State: "open", User: "bob", Labels: []string{"newsletter", "newsletter: needs-info"}}); !reflect.DeepEqual(issue, want) {
		t.Errorf("OpenIssueFromForm = %+v, want %+v", issue, want)
	}
	cmd, err := alice.Comment(testRepo, 1, "/newsletter accept")
	must(t, err)
	_, _, err = client.Reactions.CreateIssueCommentReaction(ctx, "acme", "newsletter", cmd.ID, "+1")
	must(t, err)
	_, _, err = client.Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String("Accepted for edition 44")})
	must(t, err)
	must(t, alice.AddLabels(testRepo, 1, "newsletter: accepted"))
	must(t, alice.RemoveLabel(testRepo, 1, "newsletter: needs-info"))

	t.Run("comments read back in order with their authors", func(t *testing.T) {
		got, err := f.sim.Comments(testRepo, 1)
		must(t, err)
		var lines []string
		for _, c := range got {
			lines = append(lines, c.User+": "+c.Body)
		}
		want := []string{"alice: /newsletter accept", "newsletter-bot[bot]: Accepted for edition 44"}
		if !reflect.DeepEqual(lines, want) {
			t.Errorf("Comments = %v, want %v", lines, want)
		}
	})
	t.Run("the bot's reaction reads back", func(t *testing.T) {
		got, err := f.sim.CommentReactions(testRepo, cmd.ID)
		must(t, err)
		if len(got) != 1 || got[0].User != "newsletter-bot[bot]" || got[0].Content != "+1" {
			t.Errorf("CommentReactions = %+v, want one +1 by the bot", got)
		}
	})
	t.Run("labels read back", func(t *testing.T) {
		got, err := f.sim.Issue(testRepo, 1)
		must(t, err)
		if !reflect.DeepEqual(got.Labels, []string{"newsletter", "newsletter: accepted"}) || got.Comments != 2 {
			t.Errorf("Issue = %+v, want labels newsletter and accepted and 2 comments", got)
		}
	})

	mainBefore, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	pushed, err := alice.Push(testRepo, "newsletter/edition-44", Push{
		Files:     map[string]string{"newsletter/2026-04-28.md": "# OSPO Newsletter 44\n", "newsletter/README.md": "| 44 |\n"},
		Deletions: []string{"newsletter/template.md"},
		Message:   "Draft edition 44",
	})
	must(t, err)
	t.Run("a push to a new branch starts from the default branch", func(t *testing.T) {
		if got, _ := f.sim.BranchSHA(testRepo, "newsletter/edition-44"); got != pushed {
			t.Errorf("BranchSHA = %s, want the pushed commit %s", got, pushed)
		}
		if parents, _ := f.sim.CommitParents(testRepo, pushed); !reflect.DeepEqual(parents, []string{mainBefore}) {
			t.Errorf("parents = %v, want [%s]", parents, mainBefore)
		}
		files, err := f.sim.Files(testRepo, "newsletter/edition-44")
		must(t, err)
		if want := []string{"README.md", "newsletter/2026-04-28.md", "newsletter/README.md"}; !reflect.DeepEqual(files, want) {
			t.Errorf("Files = %v, want %v", files, want)
		}
		if _, err := f.sim.File(testRepo, "main", "newsletter/template.md"); err != nil {
			t.Errorf("File(main, template.md): %v, want main untouched", err)
		}
	})

	pr, err := alice.OpenPR(testRepo, PullSpec{Head: "newsletter/edition-44", Title: "Newsletter 44", Draft: true})
	must(t, err)
	edited, err := alice.EditFile(testRepo, "newsletter/edition-44", "newsletter/2026-04-28.md", "# OSPO Newsletter 44\n\nHello!\n")
	must(t, err)
	t.Run("editing a file on the pull request's branch moves its head", func(t *testing.T) {
		got, err := f.sim.PullRequest(testRepo, pr.Number)
		must(t, err)
		if got.HeadSHA != edited || got.HeadSHA == pr.HeadSHA || !got.Draft || got.Base != "main" {
			t.Errorf("PullRequest = %+v, want head %s, still a draft into main", got, edited)
		}
		if s, _ := f.sim.File(testRepo, "newsletter/edition-44", "newsletter/2026-04-28.md"); s != "# OSPO Newsletter 44\n\nHello!\n" {
			t.Errorf("File = %q, want the edit", s)
		}
	})

	_, err = alice.MarkReady(testRepo, pr.Number)
	must(t, err)
	merged, err := alice.MergePR(testRepo, pr.Number)
	must(t, err)
	t.Run("merging lands the branch on main", func(t *testing.T) {
		main, _ := f.sim.BranchSHA(testRepo, "main")
		if !merged.Merged || merged.State != "closed" || merged.MergeCommitSHA != main {
			t.Errorf("MergePR = %+v, want merged and closed with main at its merge commit %s", merged, main)
		}
		if s, _ := f.sim.File(testRepo, "main", "newsletter/2026-04-28.md"); s != "# OSPO Newsletter 44\n\nHello!\n" {
			t.Errorf("File(main) = %q, want the merged edition", s)
		}
		if _, err := f.sim.File(testRepo, "main", "newsletter/template.md"); err == nil {
			t.Errorf("File(main, template.md) still exists, want it deleted by the merge")
		}
	})
	t.Run("issues and pull requests list by number", func(t *testing.T) {
		issues, err := f.sim.Issues(testRepo)
		must(t, err)
		prs, err := f.sim.PullRequests(testRepo)
		must(t, err)
		var got []string
		for _, i := range issues {
			got = append(got, fmt.Sprintf("#%d %s pr=%v", i.Number, i.State, i.IsPullRequest))
		}
		sort.Strings(got)
		if want := []string{"#1 open pr=false", "#2 closed pr=true"}; !reflect.DeepEqual(got, want) || len(prs) != 1 || prs[0].Number != 2 {
			t.Errorf("Issues = %v, PullRequests = %+v", got, prs)
		}
	})
	t.Run("a person's personal token calls the API as them", func(t *testing.T) {
		tok, err := bob.Token()
		must(t, err)
		c, _, err := clientWithToken(t, f.sim, tok).Issues.CreateComment(ctx, "acme", "newsletter", 1, &github.IssueComment{Body: github.String("thanks")})
		must(t, err)
		if c.GetUser().GetLogin() != "bob" || c.GetUser().GetType() != "User" {
			t.Errorf("comment by %s (%s), want bob (User)", c.GetUser().GetLogin(), c.GetUser().GetType())
		}
	})
}
