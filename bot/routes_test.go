package bot

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// Every route of GitHub's API the simulator covers (the conformance
// suite's subset of GitHub's OpenAPI description) comes back as itself
// from a path with its parameters filled in.
func TestRouteNamesGitHubsEndpoints(t *testing.T) {
	b, err := os.ReadFile("../internal/githubsim/testdata/conformance/rest.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Operations []struct{ Method, Path string }
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	if len(spec.Operations) < 40 {
		t.Fatalf("only %d operations in rest.json", len(spec.Operations))
	}
	// Sample values, made awkward on purpose: refs, branches and file
	// paths with slashes, a label with a space and a colon.
	sample := map[string]string{
		"{owner}": "todogroup", "{repo}": "ospology", "{org}": "todogroup", "{team_slug}": "ospo-maintainers",
		"{username}": "octocat", "{name}": "newsletter%3A%20accepted", "{code}": "v1.abc123",
		"{path}": "newsletter/2026-12-15.md", "{ref}": "heads/newsletter/edition-44", "{branch}": "newsletter/edition-44",
		"{file_sha}": "3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15", "{commit_sha}": "7638417db6d59f3c431d3e1f261cc637155684cd",
		"{tree_sha}": "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "{installation_id}": "12345678",
		"{issue_number}": "44", "{pull_number}": "45", "{comment_id}": "1900000001", "{reaction_id}": "77",
	}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, op := range spec.Operations {
		path := param.ReplaceAllStringFunc(op.Path, func(p string) string {
			v, ok := sample[p]
			if !ok {
				t.Fatalf("%s %s: no sample value for %s", op.Method, op.Path, p)
			}
			return v
		})
		if got := route("", path); got != op.Path {
			t.Errorf("route(%q) = %q, want %q", path, got, op.Path)
		}
		if got := route("/api/v3/", "/api/v3"+path); got != op.Path {
			t.Errorf("on GitHub Enterprise Server, route(%q) = %q, want %q", "/api/v3"+path, got, op.Path)
		}
	}
	if got := route("", "/"); got != "/" {
		t.Errorf("route(/) = %q", got)
	}
}
