package githubsim

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

func TestListPullFiles(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := ctxT(t)
	gh := f.installationClient(t)
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	alice := f.sim.Actor("alice")
	_, err := alice.Push(testRepo, "feature", Push{
		Files: map[string]string{
			"README.md":  "# Newsletter\n\nMonthly.\n",
			"a.md":       "a\n",
			"logo.png":   "\x89PNG\x00\x01",
			"no-eol.txt": "last line",
		},
		Deletions: []string{"newsletter/template.md"},
	})
	must(t, err)
	pr, err := alice.OpenPR(testRepo, PullSpec{Head: "feature", Title: "Feature"})
	must(t, err)
	removedSHA := func() string {
		f.sim.mu.Lock()
		defer f.sim.mu.Unlock()
		r := f.sim.st.repos[testRepo]
		c, _ := r.Objects.commit(r.Refs["refs/heads/main"])
		e, _ := r.Objects.lookupPath(c.Tree, "newsletter/template.md")
		return e.SHA
	}()

	type file struct {
		Name, Status, Patch  string
		Additions, Deletions int
		Removed              bool
	}
	want := []file{
		{Name: "README.md", Status: "modified", Additions: 2, Patch: "@@ -1 +1,3 @@\n # Newsletter\n+\n+Monthly."},
		{Name: "a.md", Status: "added", Additions: 1, Patch: "@@ -0,0 +1 @@\n+a"},
		{Name: "logo.png", Status: "added"}, // binary: no lines, no patch
		{Name: "newsletter/template.md", Status: "removed", Deletions: 1, Patch: "@@ -1 +0,0 @@\n-Hello {{name}}", Removed: true},
		{Name: "no-eol.txt", Status: "added", Additions: 1, Patch: "@@ -0,0 +1 @@\n+last line\n\\ No newline at end of file"},
	}
	list := func(t *testing.T) []*github.CommitFile {
		t.Helper()
		var all []*github.CommitFile
		opts := &github.ListOptions{PerPage: 2}
		for {
			page, resp, err := gh.PullRequests.ListFiles(ctx, "acme", "newsletter", pr.Number, opts)
			if err != nil {
				t.Fatalf("ListFiles(page %d): %v", opts.Page, err)
			}
			if len(page) > 2 {
				t.Fatalf("ListFiles(per_page=2) gave %d files", len(page))
			}
			all = append(all, page...)
			if resp.NextPage == 0 {
				return all
			}
			opts.Page = resp.NextPage
		}
	}
	check := func(t *testing.T, got []*github.CommitFile) {
		t.Helper()
		var files []file
		for _, g := range got {
			files = append(files, file{Name: g.GetFilename(), Status: g.GetStatus(), Patch: g.GetPatch(), Additions: g.GetAdditions(), Deletions: g.GetDeletions(), Removed: g.GetStatus() == "removed"})
			if g.GetChanges() != g.GetAdditions()+g.GetDeletions() {
				t.Errorf("%s: changes %d, want additions+deletions", g.GetFilename(), g.GetChanges())
			}
			if g.GetStatus() == "removed" && g.GetSHA() != removedSHA {
				t.Errorf("%s: sha %s, want the removed blob %s", g.GetFilename(), g.GetSHA(), removedSHA)
			}
		}
		if diff := cmp.Diff(want, files); diff != "" {
			t.Errorf("ListFiles of #%d (-want +got):\n%s", pr.Number, diff)
		}
	}
	t.Run("an open pull request, page by page", func(t *testing.T) { check(t, list(t)) })
	_, err = alice.Push(testRepo, "main", Push{Files: map[string]string{"CHANGELOG.md": "later\n"}})
	must(t, err)
	t.Run("a change on the base branch is not the pull request's", func(t *testing.T) { check(t, list(t)) })
	_, err = alice.MergePR(testRepo, pr.Number)
	must(t, err)
	t.Run("a merged pull request keeps its files", func(t *testing.T) { check(t, list(t)) })
	t.Run("a missing pull request is not found", func(t *testing.T) {
		_, resp, err := gh.PullRequests.ListFiles(ctx, "acme", "newsletter", 99, nil)
		wantStatus(t, "ListFiles(99)", resp, err, http.StatusNotFound)
	})
}

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name, before, after, patch string
		additions, deletions       int
	}{
		{"a line changed among many keeps three lines of context", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8", 1, 1},
		{"changes far apart make two hunks", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "A\nb\nc\nd\ne\nf\ng\nh\ni\nJ\n",
			"@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J", 2, 2},
		{"a newline added at the end", "x", "x\n", "@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := unifiedDiff(splitLines([]byte(tt.before)), splitLines([]byte(tt.after)))
			if d.patch != tt.patch || d.additions != tt.additions || d.deletions != tt.deletions {
				t.Errorf("unifiedDiff(%q, %q) = %q +%d -%d, want %q +%d -%d", tt.before, tt.after, d.patch, d.additions, d.deletions, tt.patch, tt.additions, tt.deletions)
			}
		})
	}
}

func TestListBranches(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := ctxT(t)
	gh := f.installationClient(t)
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	for _, b := range []string{"newsletter/edition-44", "feature"} {
		_, err := f.sim.Actor("alice").Push(testRepo, b, Push{Files: map[string]string{b + ".md": b}})
		must(t, err)
	}
	var names []string
	opts := &github.BranchListOptions{ListOptions: github.ListOptions{PerPage: 2}}
	for {
		page, resp, err := gh.Repositories.ListBranches(ctx, "acme", "newsletter", opts)
		if err != nil {
			t.Fatalf("ListBranches: %v", err)
		}
		for _, b := range page {
			names = append(names, b.GetName())
			sha, err := f.sim.BranchSHA(testRepo, b.GetName())
			must(t, err)
			if b.GetCommit().GetSHA() != sha || b.GetProtected() {
				t.Errorf("branch %s: commit %s protected %v, want %s unprotected", b.GetName(), b.GetCommit().GetSHA(), b.GetProtected(), sha)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if want := []string{"feature", "main", "newsletter/edition-44"}; !cmp.Equal(names, want) {
		t.Errorf("ListBranches, page by page = %v, want %v", names, want)
	}
	page, _, err := gh.Repositories.ListBranches(ctx, "acme", "newsletter", &github.BranchListOptions{Protected: github.Bool(true)})
	if err != nil || len(page) != 0 {
		t.Errorf("ListBranches(protected) = %v, %v; want none", page, err)
	}
}

func TestListCommits(t *testing.T) {
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now})
	ctx := ctxT(t)
	gh := f.tokenClient(t) // the clock moves
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	alice := f.sim.Actor("alice")
	initial, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	push := func(branch, file, message string) string {
		t.Helper()
		clock.Advance(time.Minute)
		sha, err := alice.Push(testRepo, branch, Push{Files: map[string]string{file: message}, Message: message})
		must(t, err)
		return sha
	}
	f1 := push("feature", "f.md", "Feature, part 1")
	f2 := push("feature", "f.md", "Feature, part 2")
	m1 := push("main", "m.md", "Main moves on")
	pr, err := alice.OpenPR(testRepo, PullSpec{Head: "feature", Title: "Feature"})
	must(t, err)
	clock.Advance(time.Minute)
	merged, err := alice.MergePR(testRepo, pr.Number)
	must(t, err)
	merge := merged.MergeCommitSHA

	list := func(t *testing.T, sha string, perPage int) ([]string, []*github.RepositoryCommit) {
		t.Helper()
		var shas []string
		var all []*github.RepositoryCommit
		opts := &github.CommitsListOptions{SHA: sha, ListOptions: github.ListOptions{PerPage: perPage}}
		for {
			page, resp, err := gh.Repositories.ListCommits(ctx, "acme", "newsletter", opts)
			if err != nil {
				t.Fatalf("ListCommits(%q, page %d): %v", sha, opts.Page, err)
			}
			if len(page) > perPage {
				t.Fatalf("ListCommits(per_page=%d) gave %d commits", perPage, len(page))
			}
			for _, c := range page {
				shas = append(shas, c.GetSHA())
			}
			all = append(all, page...)
			if resp.NextPage == 0 {
				return shas, all
			}
			opts.Page = resp.NextPage
		}
	}
	tests := []struct {
		name string
		sha  string
		want []string
	}{
		{"the default branch, newest first through the merge", "", []string{merge, m1, f2, f1, initial}},
		{"a branch by name", "feature", []string{f2, f1, initial}},
		{"a commit by sha", f1, []string{f1, initial}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := list(t, tt.sha, 2)
			if !cmp.Equal(got, tt.want) {
				t.Errorf("ListCommits(sha=%q), 2 a page = %v, want %v", tt.sha, got, tt.want)
			}
		})
	}
	t.Run("a commit carries its message, parents and author", func(t *testing.T) {
		_, all := list(t, "", 100)
		if got := all[0].Parents; len(got) != 2 || got[0].GetSHA() != m1 || got[1].GetSHA() != f2 {
			t.Errorf("the merge's parents = %v, want %s and %s", got, m1, f2)
		}
		c := all[1]
		if c.GetCommit().GetMessage() != "Main moves on" || c.GetAuthor().GetLogin() != "alice" || c.GetCommit().GetTree().GetSHA() == "" {
			t.Errorf("commit %s: message %q, author %q, tree %q", c.GetSHA(), c.GetCommit().GetMessage(), c.GetAuthor().GetLogin(), c.GetCommit().GetTree().GetSHA())
		}
	})
	t.Run("the Link header names the last page", func(t *testing.T) {
		_, resp, err := gh.Repositories.ListCommits(ctx, "acme", "newsletter", &github.CommitsListOptions{ListOptions: github.ListOptions{PerPage: 2}})
		if err != nil {
			t.Fatalf("ListCommits(per_page=2): %v", err)
		}
		if resp.LastPage != 3 || resp.NextPage != 2 {
			t.Errorf("ListCommits(per_page=2): next %d last %d (%v), want next 2 last 3", resp.NextPage, resp.LastPage, err)
		}
	})
	t.Run("an unknown branch is not found", func(t *testing.T) {
		_, resp, err := gh.Repositories.ListCommits(ctx, "acme", "newsletter", &github.CommitsListOptions{SHA: "nope"})
		wantStatus(t, "ListCommits(nope)", resp, err, http.StatusNotFound)
	})
}

// seedHistory puts n more commits on acme/newsletter's main straight into
// the object store, one a minute, without webhooks.
func seedHistory(tb testing.TB, sim *Sim, n int) {
	tb.Helper()
	sim.mu.Lock()
	defer sim.mu.Unlock()
	r := sim.st.repos[testRepo]
	tip := r.Refs["refs/heads/main"]
	c, _ := r.Objects.commit(tip)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for k := 0; k < n; k++ {
		sig := signature{Name: "Alice", Email: "alice@example.com", When: at.Add(time.Duration(k) * time.Minute)}
		tip = r.Objects.put(objCommit, encodeCommit(commitData{Tree: c.Tree, Parents: []string{tip}, Author: sig, Committer: sig,
			Message: fmt.Sprintf("Commit %d\n\n%s", k+1, strings.Repeat("A long message. ", 50))}))
	}
	r.Refs["refs/heads/main"] = tip
}

// BenchmarkListCommitsPage lists the first and the third page of 100
// commits of a history of N. The walk stops at the page's end and only the
// page is rendered; the count behind the Link header's last page is kept
// per tip, so the cost per page should stay about the same from N=1000 to
// N=10000.
func BenchmarkListCommitsPage(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, page := range []int{1, 3} {
			b.Run(fmt.Sprintf("N=%d/page=%d", n, page), func(b *testing.B) {
				f := newFixture(b, Options{RateLimit: math.MaxInt32})
				seedHistory(b, f.sim, n)
				tok, err := f.sim.InstallationToken(testInstallationID)
				must(b, err)
				req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/repos/acme/newsletter/commits?per_page=100&page=%d", page), nil)
				req.Header.Set("Authorization", "token "+tok)
				for b.Loop() {
					rec := httptest.NewRecorder()
					f.sim.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("GET %s = %d %s", req.URL, rec.Code, rec.Body)
					}
				}
			})
		}
	}
}
