package drafts

import (
	"encoding/json"
	"strings"
	"time"
)

// Issue is the part of a GitHub issue the newsletter reads. Its JSON matches the
// REST API's issue object (GET /repos/{owner}/{repo}/issues), so a list-issues
// response decodes into []Issue as it is.
type Issue struct {
	Number      int             `json:"number"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	Labels      []Label         `json:"labels"`
	HTMLURL     string          `json:"html_url"`
	User        User            `json:"user"`
	State       string          `json:"state"`
	PullRequest json.RawMessage `json:"pull_request,omitempty"`
	CreatedAt   time.Time       `json:"created_at,omitzero"`
}

// Label is an issue label; only its name matters here.
type Label struct {
	Name string `json:"name"`
}

// User is an issue's author.
type User struct {
	Login string `json:"login"`
}

// WithLabel returns the issue with the label name on (or off), as it is
// once that label was added (or removed); i is left as it was.
func (i Issue) WithLabel(name string, on bool) Issue {
	labels := make([]Label, 0, len(i.Labels)+1)
	for _, l := range i.Labels {
		if !strings.EqualFold(l.Name, name) {
			labels = append(labels, l)
		}
	}
	if on {
		labels = append(labels, Label{Name: name})
	}
	i.Labels = labels
	return i
}

// HasLabel reports whether the issue carries the label, compared as GitHub
// compares label names (case-insensitively).
func (i Issue) HasLabel(name string) bool {
	if name == "" {
		return false
	}
	for _, l := range i.Labels {
		if strings.EqualFold(l.Name, name) {
			return true
		}
	}
	return false
}

// IsPullRequest reports whether the list-issues entry is a pull request, which
// the issues endpoint returns alongside issues.
func (i Issue) IsPullRequest() bool {
	return len(i.PullRequest) > 0 && string(i.PullRequest) != "null"
}
