package githubsim

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/google/go-github/v62/github"
)

// gitID computes a git object id the way `git hash-object -t typ` does,
// independently of the simulator's code.
func gitID(typ string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// gitCommitText is the text git hashes for a commit returned by the API.
func gitCommitText(c *github.Commit) []byte {
	text := "tree " + c.GetTree().GetSHA() + "\n"
	for _, p := range c.Parents {
		text += "parent " + p.GetSHA() + "\n"
	}
	person := func(a *github.CommitAuthor) string {
		return fmt.Sprintf("%s <%s> %d +0000", a.GetName(), a.GetEmail(), a.GetDate().Unix())
	}
	text += "author " + person(c.GetAuthor()) + "\n"
	text += "committer " + person(c.GetCommitter()) + "\n\n" + c.GetMessage()
	return []byte(text)
}

// TestGitRoundTrip writes a commit through the Git Data API as the bot
// does (blob, tree on a base tree with inline content and a deletion,
// commit, non-forced ref update) and reads the result back through the
// contents API.
func TestGitRoundTrip(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	const owner, repo = "acme", "newsletter"

	ref, resp, err := client.Git.GetRef(ctx, owner, repo, "heads/main")
	wantStatus(t, "GetRef", resp, err, http.StatusOK)
	parent, resp, err := client.Git.GetCommit(ctx, owner, repo, ref.GetObject().GetSHA())
	wantStatus(t, "GetCommit", resp, err, http.StatusOK)

	logo := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	blob, resp, err := client.Git.CreateBlob(ctx, owner, repo, &github.Blob{
		Content: github.String(base64.StdEncoding.EncodeToString(logo)), Encoding: github.String("base64"),
	})
	wantStatus(t, "CreateBlob", resp, err, http.StatusCreated)
	if want := gitID("blob", logo); blob.GetSHA() != want {
		t.Errorf("CreateBlob sha = %s, want %s", blob.GetSHA(), want)
	}

	edition := "# OSPO Newsletter 44\n\n- item\n"
	tree, resp, err := client.Git.CreateTree(ctx, owner, repo, parent.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("newsletter/2026-04-28.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(edition)},
		{Path: github.String("assets/logo.png"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
		{Path: github.String("newsletter/template.md"), Mode: github.String("100644"), Type: github.String("blob")}, // sha null: delete
	})
	wantStatus(t, "CreateTree", resp, err, http.StatusCreated)

	commit, resp, err := client.Git.CreateCommit(ctx, owner, repo, &github.Commit{
		Message: github.String("Draft edition 44"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: parent.SHA}},
	}, nil)
	wantStatus(t, "CreateCommit", resp, err, http.StatusCreated)
	if want := gitID("commit", gitCommitText(commit)); commit.GetSHA() != want {
		t.Errorf("CreateCommit sha = %s, want %s (git's id of %q)", commit.GetSHA(), want, gitCommitText(commit))
	}
	if got := commit.GetAuthor().GetName(); got != "newsletter-bot[bot]" {
		t.Errorf("commit author = %q, want the app's bot", got)
	}

	updated, resp, err := client.Git.UpdateRef(ctx, owner, repo, &github.Reference{
		Ref: github.String("refs/heads/main"), Object: &github.GitObject{SHA: commit.SHA},
	}, false)
	wantStatus(t, "UpdateRef", resp, err, http.StatusOK)
	if updated.GetObject().GetSHA() != commit.GetSHA() {
		t.Errorf("UpdateRef points at %s, want %s", updated.GetObject().GetSHA(), commit.GetSHA())
	}

	file, _, resp, err := client.Repositories.GetContents(ctx, owner, repo, "newsletter/2026-04-28.md", nil)
	wantStatus(t, "GetContents(new file)", resp, err, http.StatusOK)
	if got, err := file.GetContent(); err != nil || got != edition {
		t.Errorf("GetContents(new file) = %q, %v, want %q", got, err, edition)
	}
	if want := gitID("blob", []byte(edition)); file.GetSHA() != want {
		t.Errorf("GetContents(new file) sha = %s, want %s", file.GetSHA(), want)
	}
	_, _, resp, err = client.Repositories.GetContents(ctx, owner, repo, "newsletter/template.md", nil)
	wantStatus(t, "GetContents(deleted file)", resp, err, http.StatusNotFound)
	if got, err := f.sim.File(testRepo, "main", "README.md"); err != nil || got != "# Newsletter\n" {
		t.Errorf("File(README.md) = %q, %v, want the untouched file from the base tree", got, err)
	}
	if got, err := f.sim.File(testRepo, "main", "assets/logo.png"); err != nil || got != string(logo) {
		t.Errorf("File(assets/logo.png) = %q, %v, want the blob's bytes", got, err)
	}
}

func TestUpdateRefFastForwardsOnly(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	const owner, repo = "acme", "newsletter"
	base, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	baseCommit, _, err := client.Git.GetCommit(ctx, owner, repo, base)
	must(t, err)
	commitOn := func(parent, message string) string {
		c, resp, err := client.Git.CreateCommit(ctx, owner, repo, &github.Commit{
			Message: github.String(message), Tree: baseCommit.Tree, Parents: []*github.Commit{{SHA: github.String(parent)}},
		}, nil)
		wantStatus(t, "CreateCommit", resp, err, http.StatusCreated)
		return c.GetSHA()
	}
	child := commitOn(base, "child")
	sibling := commitOn(base, "sibling")

	steps := []struct {
		name    string
		ref     string
		sha     string
		force   bool
		status  int
		message string
	}{
		{name: "moving main to a child commit is a fast-forward", ref: "refs/heads/main", sha: child, status: http.StatusOK},
		{name: "moving main back to its parent without force is refused", ref: "refs/heads/main", sha: base, status: http.StatusUnprocessableEntity, message: "Update is not a fast forward"},
		{name: "moving main to a sibling without force is refused", ref: "refs/heads/main", sha: sibling, status: http.StatusUnprocessableEntity, message: "Update is not a fast forward"},
		{name: "moving main to a sibling with force is accepted", ref: "refs/heads/main", sha: sibling, force: true, status: http.StatusOK},
		{name: "updating a branch that does not exist is refused", ref: "refs/heads/nope", sha: child, status: http.StatusUnprocessableEntity, message: "Reference does not exist"},
		{name: "pointing main at an unknown commit is refused", ref: "refs/heads/main", sha: "0123456789012345678901234567890123456789", force: true, status: http.StatusUnprocessableEntity, message: "Object does not exist"},
	}
	want := base
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, resp, err := client.Git.UpdateRef(ctx, owner, repo, &github.Reference{Ref: github.String(st.ref), Object: &github.GitObject{SHA: github.String(st.sha)}}, st.force)
			wantStatus(t, "UpdateRef", resp, err, st.status)
			if st.status == http.StatusOK {
				want = st.sha
			} else if er := err.(*github.ErrorResponse); er.Message != st.message {
				t.Errorf("UpdateRef message = %q, want %q", er.Message, st.message)
			}
			if got, _ := f.sim.BranchSHA(testRepo, "main"); got != want {
				t.Errorf("main = %s, want %s", got, want)
			}
		})
	}
}

func TestCreateRef(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	main, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	steps := []struct {
		name    string
		ref     string
		sha     string
		status  int
		message string
	}{
		{name: "a new branch is created", ref: "refs/heads/newsletter/edition-44", sha: main, status: http.StatusCreated},
		{name: "creating the same branch again is refused", ref: "refs/heads/newsletter/edition-44", sha: main, status: http.StatusUnprocessableEntity, message: "Reference already exists"},
		{name: "a ref name with a single slash is refused", ref: "refs/other", sha: main, status: http.StatusUnprocessableEntity, message: "Reference name must start with 'refs/' and have at least two slashes."},
		{name: "a ref to an unknown commit is refused", ref: "refs/heads/other", sha: "0123456789012345678901234567890123456789", status: http.StatusUnprocessableEntity, message: "Object does not exist"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, resp, err := client.Git.CreateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String(st.ref), Object: &github.GitObject{SHA: github.String(st.sha)}})
			wantStatus(t, "CreateRef", resp, err, st.status)
			if st.status != http.StatusCreated {
				if er := err.(*github.ErrorResponse); st.message != "" && er.Message != st.message {
					t.Errorf("CreateRef message = %q, want %q", er.Message, st.message)
				}
				return
			}
			if got.GetRef() != st.ref || got.GetObject().GetSHA() != st.sha {
				t.Errorf("CreateRef = %s -> %s, want %s -> %s", got.GetRef(), got.GetObject().GetSHA(), st.ref, st.sha)
			}
			back, resp, err := client.Git.GetRef(ctx, "acme", "newsletter", st.ref)
			wantStatus(t, "GetRef", resp, err, http.StatusOK)
			if back.GetObject().GetSHA() != st.sha {
				t.Errorf("GetRef(%s) = %s, want %s", st.ref, back.GetObject().GetSHA(), st.sha)
			}
		})
	}
}

func TestGetContents(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	initial, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	_, err = f.sim.Actor("alice").Push(testRepo, "feature", Push{Files: map[string]string{"README.md": "# On a branch\n"}})
	must(t, err)
	_, err = f.sim.Actor("alice").Push(testRepo, "main", Push{Files: map[string]string{"README.md": "# Newsletter v2\n"}})
	must(t, err)
	client := f.installationClient(t)
	ctx := ctxT(t)

	tests := []struct {
		name    string
		path    string
		ref     string
		file    string   // content of a file
		entries []string // "type name" of a directory's entries
		status  int
	}{
		{name: "a file on the default branch", path: "README.md", file: "# Newsletter v2\n", status: http.StatusOK},
		{name: "a file at a branch", path: "README.md", ref: "feature", file: "# On a branch\n", status: http.StatusOK},
		{name: "a file at a commit sha", path: "README.md", ref: initial, file: "# Newsletter\n", status: http.StatusOK},
		{name: "a directory lists its entries", path: "newsletter", entries: []string{"file template.md"}, status: http.StatusOK},
		{name: "the root lists files and directories", path: "", entries: []string{"dir newsletter", "file README.md"}, status: http.StatusOK},
		{name: "a missing file is not found", path: "nope.md", status: http.StatusNotFound},
		{name: "an unknown ref is not found", path: "README.md", ref: "nope", status: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts *github.RepositoryContentGetOptions
			if tt.ref != "" {
				opts = &github.RepositoryContentGetOptions{Ref: tt.ref}
			}
			file, dir, resp, err := client.Repositories.GetContents(ctx, "acme", "newsletter", tt.path, opts)
			wantStatus(t, fmt.Sprintf("GetContents(%q, %q)", tt.path, tt.ref), resp, err, tt.status)
			if tt.status != http.StatusOK {
				return
			}
			if tt.entries == nil {
				got, err := file.GetContent()
				if err != nil || got != tt.file || file.GetType() != "file" || file.GetPath() != tt.path {
					t.Errorf("GetContents(%q, %q) = %s %s %q, %v; want file %q", tt.path, tt.ref, file.GetType(), file.GetPath(), got, err, tt.file)
				}
				return
			}
			var got []string
			for _, e := range dir {
				got = append(got, e.GetType()+" "+e.GetName())
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.entries) {
				t.Errorf("GetContents(%q) entries = %v, want %v", tt.path, got, tt.entries)
			}
		})
	}
}

func TestGetRepositoryReportsTheDefaultBranch(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "site", DefaultBranch: "trunk", Files: map[string]string{"index.md": "home\n"}}))
	must(t, f.sim.AddInstallationRepos(testInstallationID, "acme/site"))
	client := f.installationClient(t)
	ctx := ctxT(t)
	repo, resp, err := client.Repositories.Get(ctx, "acme", "site")
	wantStatus(t, "Repositories.Get", resp, err, http.StatusOK)
	checks := []struct{ field, got, want string }{
		{"default_branch", repo.GetDefaultBranch(), "trunk"},
		{"full_name", repo.GetFullName(), "acme/site"},
		{"url", repo.GetURL(), f.sim.URL() + "/repos/acme/site"},
		{"html_url", repo.GetHTMLURL(), "https://github.com/acme/site"},
		{"owner.type", repo.GetOwner().GetType(), "Organization"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("repository %s = %q, want %q", c.field, c.got, c.want)
		}
	}
	file, _, resp, err := client.Repositories.GetContents(ctx, "acme", "site", "index.md", nil)
	wantStatus(t, "GetContents without ref", resp, err, http.StatusOK)
	if got, _ := file.GetContent(); got != "home\n" {
		t.Errorf("GetContents(index.md) without ref = %q, want the default branch's file", got)
	}
}

func TestBlobs(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	tests := []struct {
		name     string
		content  string
		encoding string
		want     []byte
		status   int
	}{
		{name: "utf-8 text is stored as given", content: "héllo ✓\n", encoding: "utf-8", want: []byte("héllo ✓\n"), status: http.StatusCreated},
		{name: "base64 is decoded", content: base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 250}), encoding: "base64", want: []byte{0, 1, 2, 250}, status: http.StatusCreated},
		{name: "an empty blob has git's empty blob id", content: "", encoding: "utf-8", want: []byte{}, status: http.StatusCreated},
		{name: "an unknown encoding is refused", content: "x", encoding: "latin1", status: http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob, resp, err := client.Git.CreateBlob(ctx, "acme", "newsletter", &github.Blob{Content: github.String(tt.content), Encoding: github.String(tt.encoding)})
			wantStatus(t, "CreateBlob", resp, err, tt.status)
			if tt.status != http.StatusCreated {
				return
			}
			if want := gitID("blob", tt.want); blob.GetSHA() != want {
				t.Errorf("CreateBlob sha = %s, want %s", blob.GetSHA(), want)
			}
			raw, resp, err := client.Git.GetBlobRaw(ctx, "acme", "newsletter", blob.GetSHA())
			wantStatus(t, "GetBlobRaw", resp, err, http.StatusOK)
			if string(raw) != string(tt.want) {
				t.Errorf("GetBlobRaw = %q, want %q", raw, tt.want)
			}
			got, resp, err := client.Git.GetBlob(ctx, "acme", "newsletter", blob.GetSHA())
			wantStatus(t, "GetBlob", resp, err, http.StatusOK)
			decoded, err := base64.StdEncoding.DecodeString(stripNewlines(got.GetContent()))
			if err != nil || string(decoded) != string(tt.want) || got.GetSize() != len(tt.want) || got.GetEncoding() != "base64" {
				t.Errorf("GetBlob = %q (%d bytes, %s), want %q", decoded, got.GetSize(), got.GetEncoding(), tt.want)
			}
		})
	}
}

func stripNewlines(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r != '\n' {
			out = append(out, r)
		}
	}
	return string(out)
}

func TestGetTree(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	tests := []struct {
		name      string
		recursive bool
		want      []string
	}{
		{name: "a tree lists its own entries", want: []string{"README.md blob", "newsletter tree"}},
		{name: "a recursive tree lists every path", recursive: true, want: []string{"README.md blob", "newsletter tree", "newsletter/template.md blob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, resp, err := client.Git.GetTree(ctx, "acme", "newsletter", "main", tt.recursive)
			wantStatus(t, "GetTree", resp, err, http.StatusOK)
			var got []string
			for _, e := range tree.Entries {
				got = append(got, e.GetPath()+" "+e.GetType())
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("GetTree(main, recursive=%v) = %v, want %v", tt.recursive, got, tt.want)
			}
		})
	}
}

func TestCreateOrUpdateFile(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	const path = "newsletter/README.md"
	created, resp, err := client.Repositories.CreateFile(ctx, "acme", "newsletter", path, &github.RepositoryContentFileOptions{
		Message: github.String("Add index"), Content: []byte("v1\n"),
	})
	wantStatus(t, "CreateFile", resp, err, http.StatusCreated)
	steps := []struct {
		name   string
		sha    *string
		status int
	}{
		{name: "updating without the current sha is refused", status: http.StatusUnprocessableEntity},
		{name: "updating with a stale sha is a conflict", sha: github.String(gitID("blob", []byte("v0\n"))), status: http.StatusConflict},
		{name: "updating with the current sha commits", sha: created.Content.SHA, status: http.StatusOK},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, resp, err := client.Repositories.UpdateFile(ctx, "acme", "newsletter", path, &github.RepositoryContentFileOptions{
				Message: github.String("Update index"), Content: []byte("v2\n"), SHA: st.sha,
			})
			if statusOf(resp) != st.status {
				t.Fatalf("UpdateFile = %d (%v), want %d", statusOf(resp), err, st.status)
			}
		})
	}
	if got, _ := f.sim.File(testRepo, "main", path); got != "v2\n" {
		t.Errorf("File(%s) = %q, want v2", path, got)
	}
}

// TestCreateTreeReplacesWhatIsInTheWay writes entries where the base tree
// has an entry of the other kind: git trees never hold two entries with
// the same name, so the new entry must replace the old one.
func TestCreateTreeReplacesWhatIsInTheWay(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	blob, _, err := client.Git.CreateBlob(ctx, "acme", "newsletter", &github.Blob{Content: github.String("flat\n"), Encoding: github.String("utf-8")})
	must(t, err)
	main, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	base, _, err := client.Git.GetCommit(ctx, "acme", "newsletter", main)
	must(t, err)
	tests := []struct {
		name  string
		entry *github.TreeEntry
		want  []string
	}{
		{
			name:  "inline content where a directory was replaces the directory",
			entry: &github.TreeEntry{Path: github.String("newsletter"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("flat\n")},
			want:  []string{"README.md blob", "newsletter blob"},
		},
		{
			name:  "a blob where a directory was replaces the directory",
			entry: &github.TreeEntry{Path: github.String("newsletter"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
			want:  []string{"README.md blob", "newsletter blob"},
		},
		{
			name:  "a file below a path that was a file replaces that file with a directory",
			entry: &github.TreeEntry{Path: github.String("README.md/inner.md"), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String("inner\n")},
			want:  []string{"README.md tree", "README.md/inner.md blob", "newsletter tree", "newsletter/template.md blob"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, resp, err := client.Git.CreateTree(ctx, "acme", "newsletter", base.GetTree().GetSHA(), []*github.TreeEntry{tt.entry})
			wantStatus(t, "CreateTree", resp, err, http.StatusCreated)
			full, _, err := client.Git.GetTree(ctx, "acme", "newsletter", tree.GetSHA(), true)
			must(t, err)
			var got []string
			for _, e := range full.Entries {
				got = append(got, e.GetPath()+" "+e.GetType())
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("tree = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRefsWithSlashesInTheirNames(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	client := f.installationClient(t)
	ctx := ctxT(t)
	const branch = "newsletter/edition-44"
	main, err := f.sim.BranchSHA(testRepo, "main")
	must(t, err)
	_, resp, err := client.Git.CreateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(main)}})
	wantStatus(t, "CreateRef", resp, err, http.StatusCreated)
	next, err := f.sim.Actor("alice").Push(testRepo, "main", Push{Files: map[string]string{"x.md": "x\n"}})
	must(t, err)
	_, resp, err = client.Git.UpdateRef(ctx, "acme", "newsletter", &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(next)}}, false)
	wantStatus(t, "UpdateRef("+branch+")", resp, err, http.StatusOK)
	ref, resp, err := client.Git.GetRef(ctx, "acme", "newsletter", "heads/"+branch)
	wantStatus(t, "GetRef("+branch+")", resp, err, http.StatusOK)
	if ref.GetObject().GetSHA() != next {
		t.Errorf("GetRef(%s) = %s, want %s", branch, ref.GetObject().GetSHA(), next)
	}
	file, _, resp, err := client.Repositories.GetContents(ctx, "acme", "newsletter", "x.md", &github.RepositoryContentGetOptions{Ref: branch})
	wantStatus(t, "GetContents at "+branch, resp, err, http.StatusOK)
	if got, _ := file.GetContent(); got != "x\n" {
		t.Errorf("GetContents(x.md, %s) = %q, want x", branch, got)
	}
}
