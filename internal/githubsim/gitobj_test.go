package githubsim

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

// git runs git in dir and returns its trimmed output.
func git(t *testing.T, dir string, stdin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %v: %v: %s", args, err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

func newGitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "", nil, "init", "-q", ".")
	return dir
}

func TestBlobIDsEqualGitHashObject(t *testing.T) {
	dir := newGitRepo(t)
	for _, content := range []string{"", "hello\n", "no newline", "ünïcödé ✓\n", strings.Repeat("x", 10000)} {
		t.Run(fmt.Sprintf("a %d-byte blob hashes like git", len(content)), func(t *testing.T) {
			want := git(t, dir, content, nil, "hash-object", "--stdin")
			if got := hashObject(objBlob, []byte(content)); got != want {
				t.Errorf("hashObject(blob, %q) = %s, want %s", content, got, want)
			}
		})
	}
}

func TestTreeIDsEqualGitMktree(t *testing.T) {
	dir := newGitRepo(t)
	blob := func(s string) string { return git(t, dir, s, nil, "hash-object", "-w", "--stdin") }
	a, b := blob("a\n"), blob("b\n")
	sub := git(t, dir, fmt.Sprintf("100644 blob %s\tinner.md\n", a), nil, "mktree")
	entries := []treeEntry{
		{Mode: modeFile, Name: "foo.txt", SHA: a},
		{Mode: modeDir, Name: "foo", SHA: sub},
		{Mode: modeFile, Name: "foo-bar", SHA: b},
		{Mode: modeExec, Name: "run.sh", SHA: b},
		{Mode: modeFile, Name: "Zeta", SHA: a},
	}
	var listing strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&listing, "%s %s %s\t%s\n", e.Mode, e.entryType(), e.SHA, e.Name)
	}
	want := git(t, dir, listing.String(), nil, "mktree")
	if got := hashObject(objTree, encodeTree(entries)); got != want {
		t.Errorf("tree id = %s, want %s (git mktree)", got, want)
	}
	decoded, err := decodeTree(encodeTree(entries))
	if err != nil {
		t.Fatalf("decodeTree: %v", err)
	}
	var names []string
	for _, e := range decoded {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, ","), "Zeta,foo-bar,foo.txt,foo,run.sh"; got != want {
		t.Errorf("decoded order = %s, want git's order %s", got, want)
	}
}

func TestCommitIDsEqualGitCommitTree(t *testing.T) {
	dir := newGitRepo(t)
	tree := git(t, dir, "", nil, "mktree")
	when := time.Date(2026, 3, 11, 9, 30, 0, 0, time.FixedZone("", 2*3600))
	env := []string{
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_AUTHOR_DATE=" + when.Format(time.RFC3339),
		"GIT_COMMITTER_NAME=Bob", "GIT_COMMITTER_EMAIL=bob@example.com", "GIT_COMMITTER_DATE=" + when.Format(time.RFC3339),
	}
	parent := git(t, dir, "first\n", env, "commit-tree", tree)
	want := git(t, dir, "second\n", env, "commit-tree", tree, "-p", parent)
	c := commitData{
		Tree: tree, Parents: []string{parent}, Message: "second\n",
		Author:    signature{Name: "Alice", Email: "alice@example.com", When: when},
		Committer: signature{Name: "Bob", Email: "bob@example.com", When: when},
	}
	if got := hashObject(objCommit, encodeCommit(c)); got != want {
		t.Errorf("commit id = %s, want %s (git commit-tree)", got, want)
	}
	back, err := decodeCommit(encodeCommit(c))
	if err != nil {
		t.Fatalf("decodeCommit: %v", err)
	}
	if back.Tree != tree || len(back.Parents) != 1 || back.Author.Email != "alice@example.com" || !back.Author.When.Equal(when) {
		t.Errorf("decodeCommit(encodeCommit(c)) = %+v, want %+v", back, c)
	}
}

// TestTreeCreatedThroughAPIMatchesGit builds nested paths through the
// REST API and compares the root tree id with git write-tree over the
// same files.
func TestTreeCreatedThroughAPIMatchesGit(t *testing.T) {
	f := newFixture(t, Options{})
	client := f.installationClient(t)
	ctx := ctxT(t)
	files := map[string]string{
		"README.md":                "# Newsletter\n",
		"newsletter/2026-03-11.md": "Issue 1\n",
		"newsletter/2026-03-12.md": "Issue 2\n",
		"newsletter/a/b/deep.txt":  "deep\n",
		"newsletter-index.md":      "index\n",
	}
	var entries []*github.TreeEntry
	for p, c := range files {
		entries = append(entries, &github.TreeEntry{Path: github.String(p), Mode: github.String("100644"), Type: github.String("blob"), Content: github.String(c)})
	}
	tree, _, err := client.Git.CreateTree(ctx, "acme", "newsletter", "", entries)
	if err != nil {
		t.Fatalf("CreateTree: %v", err)
	}

	dir := newGitRepo(t)
	var paths []string
	for p, c := range files {
		full := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(c), 0o644))
		paths = append(paths, p)
	}
	sort.Strings(paths)
	git(t, dir, "", nil, append([]string{"add", "--"}, paths...)...)
	want := git(t, dir, "", nil, "write-tree")
	if tree.GetSHA() != want {
		t.Errorf("CreateTree sha = %s, want %s (git write-tree)", tree.GetSHA(), want)
	}
}

func TestMergeTrees(t *testing.T) {
	st := objectStore{}
	file := func(s string) fileEntry { return fileEntry{Mode: modeFile, SHA: st.put(objBlob, []byte(s))} }
	base := st.writeFlat(map[string]fileEntry{"a": file("1"), "b": file("1")})
	tests := []struct {
		name         string
		ours, theirs map[string]fileEntry
		want         map[string]fileEntry
		conflict     bool
	}{
		{
			name: "changes to different files combine",
			ours: map[string]fileEntry{"a": file("2"), "b": file("1")}, theirs: map[string]fileEntry{"a": file("1"), "b": file("3")},
			want: map[string]fileEntry{"a": file("2"), "b": file("3")},
		},
		{
			name: "a deletion on one side wins over an untouched file",
			ours: map[string]fileEntry{"a": file("1")}, theirs: map[string]fileEntry{"a": file("1"), "b": file("1"), "c": file("new")},
			want: map[string]fileEntry{"a": file("1"), "c": file("new")},
		},
		{
			name: "different changes to the same file conflict",
			ours: map[string]fileEntry{"a": file("2"), "b": file("1")}, theirs: map[string]fileEntry{"a": file("3"), "b": file("1")},
			conflict: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.mergeTrees(base, st.writeFlat(tt.ours), st.writeFlat(tt.theirs))
			if tt.conflict {
				if err == nil {
					t.Fatalf("mergeTrees() = %s, want a conflict", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("mergeTrees() error = %v", err)
			}
			if want := st.writeFlat(tt.want); got != want {
				t.Errorf("mergeTrees() = %s, want %s", got, want)
			}
		})
	}
}
