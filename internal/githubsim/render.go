package githubsim

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// obj is a JSON object as GitHub renders it.
type obj = map[string]any

// ts renders a timestamp as GitHub does (RFC 3339, UTC, whole seconds), or
// null for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// strOrNil renders an optional string.
func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Sim) api(format string, args ...any) string {
	return s.apiURL + fmt.Sprintf(format, args...)
}

func (s *Sim) web(format string, args ...any) string {
	return s.htmlURL + fmt.Sprintf(format, args...)
}

// userJSON renders a simple user (also an organization or bot as owner).
func (s *Sim) userJSON(a *account) any {
	if a == nil {
		return nil
	}
	login := url.PathEscape(a.Login)
	apiBase := s.api("/users/%s", login)
	html := s.web("/%s", a.Login)
	kind := "U"
	switch a.Type {
	case "Bot":
		html = s.web("/apps/%s", strings.TrimSuffix(a.Login, "[bot]"))
		kind = "BOT"
	case "Organization":
		kind = "O"
	}
	return obj{
		"login":               a.Login,
		"id":                  a.ID,
		"node_id":             nodeID(kind, a.ID),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.ID),
		"gravatar_id":         "",
		"url":                 apiBase,
		"html_url":            html,
		"followers_url":       apiBase + "/followers",
		"following_url":       apiBase + "/following{/other_user}",
		"gists_url":           apiBase + "/gists{/gist_id}",
		"starred_url":         apiBase + "/starred{/owner}{/repo}",
		"subscriptions_url":   apiBase + "/subscriptions",
		"organizations_url":   apiBase + "/orgs",
		"repos_url":           apiBase + "/repos",
		"events_url":          apiBase + "/events{/privacy}",
		"received_events_url": apiBase + "/received_events",
		"type":                a.Type,
		"site_admin":          false,
	}
}

// repoMode selects which shape of repository object to render.
type repoMode int

const (
	repoREST    repoMode = iota // GET /repos/{owner}/{repo} (full-repository)
	repoWebhook                 // the repository of a webhook payload
	repoNested                  // head.repo/base.repo of a pull request
)

func (s *Sim) repoJSON(r *repo, mode repoMode) obj {
	base := s.api("/repos/%s", r.fullName())
	html := s.web("/%s", r.fullName())
	visibility := "public"
	if r.Private {
		visibility = "private"
	}
	openIssues := 0
	for _, i := range r.Issues {
		if i.State == "open" {
			openIssues++
		}
	}
	o := obj{
		"id":                          r.ID,
		"node_id":                     nodeID("R", r.ID),
		"name":                        r.Name,
		"full_name":                   r.fullName(),
		"private":                     r.Private,
		"owner":                       s.userJSON(r.Owner),
		"html_url":                    html,
		"description":                 strOrNil(r.Description),
		"fork":                        false,
		"url":                         base,
		"forks_url":                   base + "/forks",
		"keys_url":                    base + "/keys{/key_id}",
		"collaborators_url":           base + "/collaborators{/collaborator}",
		"teams_url":                   base + "/teams",
		"hooks_url":                   base + "/hooks",
		"issue_events_url":            base + "/issues/events{/number}",
		"events_url":                  base + "/events",
		"assignees_url":               base + "/assignees{/user}",
		"branches_url":                base + "/branches{/branch}",
		"tags_url":                    base + "/tags",
		"blobs_url":                   base + "/git/blobs{/sha}",
		"git_tags_url":                base + "/git/tags{/sha}",
		"git_refs_url":                base + "/git/refs{/sha}",
		"trees_url":                   base + "/git/trees{/sha}",
		"statuses_url":                base + "/statuses/{sha}",
		"languages_url":               base + "/languages",
		"stargazers_url":              base + "/stargazers",
		"contributors_url":            base + "/contributors",
		"subscribers_url":             base + "/subscribers",
		"subscription_url":            base + "/subscription",
		"commits_url":                 base + "/commits{/sha}",
		"git_commits_url":             base + "/git/commits{/sha}",
		"comments_url":                base + "/comments{/number}",
		"issue_comment_url":           base + "/issues/comments{/number}",
		"contents_url":                base + "/contents/{+path}",
		"compare_url":                 base + "/compare/{base}...{head}",
		"merges_url":                  base + "/merges",
		"archive_url":                 base + "/{archive_format}{/ref}",
		"downloads_url":               base + "/downloads",
		"issues_url":                  base + "/issues{/number}",
		"pulls_url":                   base + "/pulls{/number}",
		"milestones_url":              base + "/milestones{/number}",
		"notifications_url":           base + "/notifications{?since,all,participating}",
		"labels_url":                  base + "/labels{/name}",
		"releases_url":                base + "/releases{/id}",
		"deployments_url":             base + "/deployments",
		"created_at":                  ts(r.CreatedAt),
		"updated_at":                  ts(r.UpdatedAt),
		"pushed_at":                   ts(r.PushedAt),
		"git_url":                     "git://github.com/" + r.fullName() + ".git",
		"ssh_url":                     "git@github.com:" + r.fullName() + ".git",
		"clone_url":                   html + ".git",
		"svn_url":                     html,
		"homepage":                    nil,
		"size":                        len(r.Objects) / 8,
		"stargazers_count":            0,
		"watchers_count":              0,
		"language":                    nil,
		"has_issues":                  true,
		"has_projects":                true,
		"has_downloads":               true,
		"has_wiki":                    true,
		"has_pages":                   false,
		"has_discussions":             false,
		"forks_count":                 0,
		"mirror_url":                  nil,
		"archived":                    false,
		"disabled":                    false,
		"open_issues_count":           openIssues,
		"license":                     nil,
		"allow_forking":               true,
		"is_template":                 false,
		"web_commit_signoff_required": false,
		"topics":                      []string{},
		"visibility":                  visibility,
		"forks":                       0,
		"open_issues":                 openIssues,
		"watchers":                    0,
		"default_branch":              r.DefaultBranch,
	}
	switch mode {
	case repoREST:
		o["network_count"] = 0
		o["subscribers_count"] = 0
		o["temp_clone_token"] = nil
		o["allow_squash_merge"] = true
		o["allow_merge_commit"] = true
		o["allow_rebase_merge"] = true
		o["allow_auto_merge"] = false
		o["delete_branch_on_merge"] = false
		if r.Owner.Type == "Organization" {
			o["organization"] = s.userJSON(r.Owner)
		}
	case repoWebhook:
		o["custom_properties"] = obj{}
	}
	return o
}

// repoLite is the short repository of installation payloads.
func repoLite(r *repo) obj {
	return obj{"id": r.ID, "node_id": nodeID("R", r.ID), "name": r.Name, "full_name": r.fullName(), "private": r.Private}
}

func (s *Sim) labelJSON(r *repo, l *label) obj {
	return obj{
		"id":          l.ID,
		"node_id":     nodeID("LA", l.ID),
		"url":         s.api("/repos/%s/labels/%s", r.fullName(), url.PathEscape(l.Name)),
		"name":        l.Name,
		"color":       l.Color,
		"default":     l.Default,
		"description": strOrNil(l.Description),
	}
}

func (s *Sim) labelsJSON(r *repo, ls []*label) []any {
	out := []any{}
	for _, l := range ls {
		out = append(out, s.labelJSON(r, l))
	}
	return out
}

// reactionContents are the reactions GitHub accepts.
var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

func reactionsRollup(apiURL string, rs []*reaction) obj {
	o := obj{"url": apiURL, "total_count": len(rs)}
	for _, c := range reactionContents {
		o[c] = 0
	}
	for _, x := range rs {
		o[x.Content] = o[x.Content].(int) + 1
	}
	return o
}

func (s *Sim) reactionJSON(x *reaction) obj {
	return obj{
		"id":         x.ID,
		"node_id":    nodeID("REA", x.ID),
		"user":       s.userJSON(x.User),
		"content":    x.Content,
		"created_at": ts(x.CreatedAt),
	}
}

// authorAssociation is the user's relation to the repository.
func authorAssociation(r *repo, a *account) string {
	if a == nil {
		return "NONE"
	}
	if a == r.Owner {
		return "OWNER"
	}
	p := r.Perms[a.Login]
	switch {
	case p == "" || p == PermNone:
		return "NONE"
	case r.Owner.Type == "Organization":
		return "MEMBER"
	default:
		return "COLLABORATOR"
	}
}

// performedVia renders the app an object was created through, or null.
func (s *Sim) performedVia(via bool) any {
	if !via || s.st.app == nil {
		return nil
	}
	return s.appJSON(s.st.app)
}

// issueJSON renders an issue; pull requests carry a pull_request key.
func (s *Sim) issueJSON(r *repo, i *issue, forWebhook bool) obj {
	base := s.api("/repos/%s/issues/%d", r.fullName(), i.Number)
	html := s.web("/%s/issues/%d", r.fullName(), i.Number)
	if i.PR != nil {
		html = s.web("/%s/pull/%d", r.fullName(), i.Number)
	}
	o := obj{
		"url":                      base,
		"repository_url":           s.api("/repos/%s", r.fullName()),
		"labels_url":               base + "/labels{/name}",
		"comments_url":             base + "/comments",
		"events_url":               base + "/events",
		"html_url":                 html,
		"id":                       i.ID,
		"node_id":                  nodeID("I", i.ID),
		"number":                   i.Number,
		"title":                    i.Title,
		"user":                     s.userJSON(i.User),
		"labels":                   s.labelsJSON(r, i.Labels),
		"state":                    i.State,
		"locked":                   false,
		"assignee":                 nil,
		"assignees":                []any{},
		"milestone":                nil,
		"comments":                 len(i.Comments),
		"created_at":               ts(i.CreatedAt),
		"updated_at":               ts(i.UpdatedAt),
		"closed_at":                ts(i.ClosedAt),
		"author_association":       authorAssociation(r, i.User),
		"active_lock_reason":       nil,
		"body":                     strOrNil(i.Body),
		"reactions":                reactionsRollup(base+"/reactions", i.Reactions),
		"timeline_url":             base + "/timeline",
		"performed_via_github_app": s.performedVia(i.ViaApp),
		"state_reason":             strOrNil(i.StateReason),
	}
	if i.PR == nil && forWebhook {
		o["draft"] = false // webhooks carry it on plain issues too
	}
	if i.PR != nil {
		p := s.api("/repos/%s/pulls/%d", r.fullName(), i.Number)
		o["draft"] = i.PR.Draft
		o["pull_request"] = obj{
			"url":       p,
			"html_url":  html,
			"diff_url":  html + ".diff",
			"patch_url": html + ".patch",
			"merged_at": ts(i.PR.MergedAt),
		}
	}
	if !forWebhook {
		o["closed_by"] = s.userJSON(i.ClosedBy)
	}
	return o
}

func (s *Sim) commentJSON(r *repo, c *comment) obj {
	return obj{
		"url":                      s.api("/repos/%s/issues/comments/%d", r.fullName(), c.ID),
		"html_url":                 s.web("/%s/issues/%d#issuecomment-%d", r.fullName(), c.Issue.Number, c.ID),
		"issue_url":                s.api("/repos/%s/issues/%d", r.fullName(), c.Issue.Number),
		"id":                       c.ID,
		"node_id":                  nodeID("IC", c.ID),
		"user":                     s.userJSON(c.User),
		"created_at":               ts(c.CreatedAt),
		"updated_at":               ts(c.UpdatedAt),
		"author_association":       authorAssociation(r, c.User),
		"performed_via_github_app": s.performedVia(c.ViaApp),
		"body":                     c.Body,
		"reactions":                reactionsRollup(s.api("/repos/%s/issues/comments/%d/reactions", r.fullName(), c.ID), c.Reactions),
	}
}

// appPermissions are the permissions the simulated app holds.
func appPermissions() obj {
	return obj{"contents": "write", "issues": "write", "metadata": "read", "pull_requests": "write", "members": "read"}
}

var appEvents = []string{"issues", "issue_comment", "pull_request"}

func (s *Sim) appJSON(a *app) obj {
	if a == nil {
		return nil
	}
	external := a.ExternalURL
	if external == "" {
		external = s.web("/apps/%s", a.Slug)
	}
	return obj{
		"id":           a.ID,
		"slug":         a.Slug,
		"node_id":      nodeID("A", a.ID),
		"owner":        s.userJSON(a.Owner),
		"name":         a.Name,
		"description":  a.Description,
		"external_url": external,
		"html_url":     s.web("/apps/%s", a.Slug),
		"created_at":   ts(a.CreatedAt),
		"updated_at":   ts(a.CreatedAt),
		"permissions":  a.permissions(),
		"events":       a.events(),
	}
}

func (s *Sim) installationJSON(in *installation) obj {
	a := s.st.app
	target := "User"
	if in.Account.Type == "Organization" {
		target = "Organization"
	}
	return obj{
		"id":                        in.ID,
		"account":                   s.userJSON(in.Account),
		"repository_selection":      "selected",
		"access_tokens_url":         s.api("/app/installations/%d/access_tokens", in.ID),
		"repositories_url":          s.api("/installation/repositories"),
		"html_url":                  s.web("/organizations/%s/settings/installations/%d", in.Account.Login, in.ID),
		"app_id":                    a.ID,
		"app_slug":                  a.Slug,
		"target_id":                 in.Account.ID,
		"target_type":               target,
		"permissions":               a.permissions(),
		"events":                    a.events(),
		"created_at":                ts(in.CreatedAt),
		"updated_at":                ts(in.CreatedAt),
		"single_file_name":          nil,
		"has_multiple_single_files": false,
		"single_file_paths":         []string{},
		"suspended_by":              nil,
		"suspended_at":              nil,
	}
}

func (s *Sim) sortedInstallations() []*installation {
	var list []*installation
	for _, in := range s.st.installations {
		list = append(list, in)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// base64Wrapped encodes content as GitHub does in blobs and contents:
// standard base64 with a newline after every 60 characters.
func base64Wrapped(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}
