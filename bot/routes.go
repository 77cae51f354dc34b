package bot

import (
	"strings"
)

// route turns a request path into the REST route it calls, in GitHub's own
// notation ("/repos/{owner}/{repo}/issues/{issue_number}/comments"), so the
// request metrics have one series per endpoint rather than one per issue.
// prefix is the API's path on the host ("/api/v3" on GitHub Enterprise
// Server, "" on api.github.com).
func route(prefix, path string) string {
	path = strings.TrimPrefix(path, strings.TrimSuffix(prefix, "/"))
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return "/"
	}
	out := make([]string, 0, len(segs))
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		switch {
		case i == 1 && segs[0] == "repos":
			s = "{owner}"
		case i == 2 && segs[0] == "repos":
			s = "{repo}"
		case rest[prev] != "" && i >= 3:
			// The rest of the path is one parameter: a file path, a ref or
			// a branch name may hold slashes.
			out = append(out, rest[prev])
			return "/" + strings.Join(out, "/")
		case nameAfter[prev] != "":
			s = nameAfter[prev]
		case isDigits(s) && idAfter[prev] != "":
			s = idAfter[prev]
		case isDigits(s):
			s = "{id}"
		}
		out = append(out, s)
	}
	return "/" + strings.Join(out, "/")
}

// nameAfter maps a path segment to the parameter that follows it, whatever
// it holds; idAfter to the one that follows it when it is a number (else
// the next segment is part of the route: "issues/comments").
var (
	nameAfter = map[string]string{
		"orgs": "{org}", "teams": "{team_slug}", "memberships": "{username}", "collaborators": "{username}",
		"users": "{username}", "labels": "{name}", "app-manifests": "{code}",
		"blobs": "{file_sha}", "commits": "{commit_sha}", "trees": "{tree_sha}",
	}
	idAfter = map[string]string{
		"installations": "{installation_id}", "issues": "{issue_number}", "pulls": "{pull_number}",
		"comments": "{comment_id}", "reactions": "{reaction_id}",
	}
)

// rest maps a segment to the parameter that takes the rest of the path.
var rest = map[string]string{
	"contents": "{path}", "ref": "{ref}", "refs": "{ref}", "matching-refs": "{ref}", "branches": "{branch}",
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
