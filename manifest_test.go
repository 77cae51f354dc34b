package newsletterbot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/handlers"
)

// The manifest asks for the events the handlers subscribe to, no more and
// no fewer.
func TestManifestEventsAreWhatTheHandlersHandle(t *testing.T) {
	m, err := AppManifest()
	if err != nil {
		t.Fatal(err)
	}
	var handled []string
	for _, h := range handlers.Handlers(&handlers.Env{}) {
		handled = append(handled, h.Handles()...)
	}
	sort.Strings(handled)
	events := slices.Clone(m.DefaultEvents)
	sort.Strings(events)
	if !slices.Equal(events, handled) {
		t.Errorf("app.yml default_events = %v, the handlers handle %v", events, handled)
	}
}

// Each permission the code needs is derived from the go-github services it
// calls; the manifest must ask for exactly those, at exactly that level.
func TestManifestPermissionsAreWhatTheCodeCalls(t *testing.T) {
	m, err := AppManifest()
	if err != nil {
		t.Fatal(err)
	}
	calls := githubCalls(t, "internal/reconcile", "handlers", "bot")
	// Each go-github method the bot calls, with the permission GitHub's
	// REST reference lists for the endpoint behind it.
	need := map[string][2]string{
		"Repositories.Get":                     {"metadata", "read"},
		"Repositories.GetContents":             {"contents", "read"},
		"Repositories.GetBranch":               {"contents", "read"},
		"Repositories.GetCommit":               {"contents", "read"},
		"Repositories.GetPermissionLevel":      {"metadata", "read"},
		"Repositories.DownloadContents":        {"contents", "read"},
		"Git.GetCommit":                        {"contents", "read"},
		"Git.GetTree":                          {"contents", "read"},
		"Git.CreateBlob":                       {"contents", "write"},
		"Git.CreateTree":                       {"contents", "write"},
		"Git.CreateCommit":                     {"contents", "write"},
		"Git.CreateRef":                        {"contents", "write"},
		"Git.UpdateRef":                        {"contents", "write"},
		"Git.GetRef":                           {"contents", "read"},
		"Issues.ListByRepo":                    {"issues", "read"},
		"Issues.Get":                           {"issues", "read"},
		"Issues.Create":                        {"issues", "write"},
		"Issues.Edit":                          {"issues", "write"},
		"Issues.AddLabelsToIssue":              {"issues", "write"},
		"Issues.RemoveLabelForIssue":           {"issues", "write"},
		"Issues.ListLabels":                    {"issues", "read"},
		"Issues.CreateLabel":                   {"issues", "write"},
		"Issues.ListComments":                  {"issues", "read"},
		"Issues.CreateComment":                 {"issues", "write"},
		"Issues.EditComment":                   {"issues", "write"},
		"Issues.DeleteComment":                 {"issues", "write"},
		"Reactions.CreateIssueCommentReaction": {"issues", "write"},
		"Reactions.ListIssueCommentReactions":  {"issues", "read"},
		"Reactions.DeleteIssueCommentReaction": {"issues", "write"},
		"Teams.GetTeamMembershipBySlug":        {"members", "read"},
		"PullRequests.List":                    {"pull_requests", "read"},
		"PullRequests.Create":                  {"pull_requests", "write"},
		"PullRequests.Edit":                    {"pull_requests", "write"},
		"PullRequests.Get":                     {"pull_requests", "read"},
		"Apps.Get":                             {"", ""}, // app JWT, no installation permission
		"Apps.ListRepos":                       {"", ""}, // the installation's own repositories
		"Apps.ListInstallations":               {"", ""}, // app JWT
	}
	want := map[string]string{"metadata": "read"} // GitHub grants it to every app
	for _, call := range calls {
		p, ok := need[call]
		if !ok {
			t.Errorf("the code calls %s, which this test does not know: add it with the permission GitHub's REST reference lists", call)
			continue
		}
		if p[0] != "" && (want[p[0]] == "" || p[1] == "write") {
			want[p[0]] = p[1]
		}
	}
	for perm, level := range want {
		if got := m.DefaultPermissions[perm]; got != level {
			t.Errorf("app.yml default_permissions.%s = %q, the code needs %q", perm, got, level)
		}
	}
	for perm, level := range m.DefaultPermissions {
		if want[perm] == "" {
			t.Errorf("app.yml asks for %s: %s, which no call needs", perm, level)
		}
	}
}

var endpointOf = regexp.MustCompile(`the\s+endpoint\s+of\s+([A-Z]\w+\.[A-Z]\w+)`)

// githubCalls lists the go-github service methods (Service.Method) that the
// non-test Go files under dirs call through a *github.Client.
func githubCalls(t *testing.T, dirs ...string) []string {
	t.Helper()
	services := map[string]bool{"Repositories": true, "Git": true, "Issues": true, "Reactions": true,
		"Teams": true, "PullRequests": true, "Apps": true, "Organizations": true, "Users": true, "Checks": true}
	seen := map[string]bool{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			// A request made by hand (client.NewRequest) says whose
			// endpoint it calls: "the endpoint of Service.Method".
			raw := 0
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewRequest" {
					raw++
				}
				return true
			})
			named := 0
			for _, cg := range f.Comments {
				for _, m := range endpointOf.FindAllStringSubmatch(cg.Text(), -1) {
					seen[m[1]] = true
					named++
				}
			}
			if named < raw {
				t.Errorf("%s makes %d requests by hand (NewRequest) but names the endpoint of %d (\"the endpoint of Service.Method\" in a comment)", path, raw, named)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				inner, ok := sel.X.(*ast.SelectorExpr)
				if ok && services[inner.Sel.Name] {
					seen[inner.Sel.Name+"."+sel.Sel.Name] = true
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("found no go-github calls: the walk is broken")
	}
	return out
}
