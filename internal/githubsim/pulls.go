package githubsim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// pullMode selects which shape of pull request object to render.
type pullMode int

const (
	pullFull    pullMode = iota // GET/POST/PATCH a pull request
	pullSimple                  // an item of the pulls list
	pullWebhook                 // the pull_request of a webhook payload
)

// pullSpec is what opening a pull request needs.
type pullSpec struct {
	Title string
	Body  string
	Head  string // "branch" or "owner:branch"
	Base  string
	Draft bool
}

// mergeResult computes the tree a merge of the pull request would produce.
func (r *repo) mergeResult(p *pull) (string, error) {
	baseTip, ok := r.Refs["refs/heads/"+p.Base]
	if !ok {
		return "", fmt.Errorf("base branch %s does not exist", p.Base)
	}
	// Commits never change: what two of them merge to is worked out once
	// (a draft's pull request is rendered at every push to its branch).
	key := "merge " + baseTip + " " + p.HeadSHA
	if v, ok := r.cached(key); ok {
		m := v.(mergeOutcome)
		return m.tree, m.err
	}
	tree, err := r.computeMergeResult(p, baseTip)
	r.cache(key, mergeOutcome{tree, err})
	return tree, err
}

type mergeOutcome struct {
	tree string
	err  error
}

type diffOutcome struct{ commits, files, additions, deletions int }

// cached and cache keep what pure functions of commits gave, bounded.
func (r *repo) cached(key string) (any, bool) {
	v, ok := r.derived[key]
	return v, ok
}

func (r *repo) cache(key string, v any) {
	if r.derived == nil || len(r.derived) >= maxDerived {
		r.derived = map[string]any{}
	}
	r.derived[key] = v
}

// maxDerived bounds a repository's cache of merges and diffs.
const maxDerived = 1024

func (r *repo) computeMergeResult(p *pull, baseTip string) (string, error) {
	head, ok := r.Objects.commit(p.HeadSHA)
	if !ok {
		return "", fmt.Errorf("head commit %s does not exist", p.HeadSHA)
	}
	if r.Objects.isAncestor(baseTip, p.HeadSHA) {
		return head.Tree, nil
	}
	base, _ := r.Objects.commit(baseTip)
	mbTree := ""
	if mb := r.Objects.mergeBase(baseTip, p.HeadSHA); mb != "" {
		c, _ := r.Objects.commit(mb)
		mbTree = c.Tree
	}
	return r.Objects.mergeTrees(mbTree, base.Tree, head.Tree)
}

// diffStats counts commits, changed files and changed lines of a pull
// request relative to its base.
func (r *repo) diffStats(p *pull) (commits, files, additions, deletions int) {
	baseTip := r.Refs["refs/heads/"+p.Base]
	if p.Merged {
		baseTip = p.BaseSHA
	}
	key := "diff " + baseTip + " " + p.HeadSHA
	if v, ok := r.cached(key); ok {
		d := v.(diffOutcome)
		return d.commits, d.files, d.additions, d.deletions
	}
	defer func() { r.cache(key, diffOutcome{commits, files, additions, deletions}) }()
	inBase := r.Objects.ancestors(baseTip)
	for sha := range r.Objects.ancestors(p.HeadSHA) {
		if !inBase[sha] {
			commits++
		}
	}
	mb := r.Objects.mergeBase(baseTip, p.HeadSHA)
	before := map[string]fileEntry{}
	if c, ok := r.Objects.commit(mb); ok {
		before, _ = r.Objects.flatten(c.Tree)
	}
	after := map[string]fileEntry{}
	if c, ok := r.Objects.commit(p.HeadSHA); ok {
		after, _ = r.Objects.flatten(c.Tree)
	}
	lines := func(e fileEntry, ok bool) []string {
		if !ok {
			return nil
		}
		b, _ := r.Objects.get(e.SHA, objBlob)
		if len(b.Data) == 0 {
			return nil
		}
		return strings.Split(strings.TrimSuffix(string(b.Data), "\n"), "\n")
	}
	paths := map[string]bool{}
	for k := range before {
		paths[k] = true
	}
	for k := range after {
		paths[k] = true
	}
	for path := range paths {
		b, inB := before[path]
		a, inA := after[path]
		if inA == inB && a == b {
			continue
		}
		files++
		count := map[string]int{}
		for _, l := range lines(b, inB) {
			count[l]++
		}
		for _, l := range lines(a, inA) {
			if count[l] > 0 {
				count[l]--
			} else {
				additions++
			}
		}
		for _, n := range count {
			deletions += n
		}
	}
	return commits, files, additions, deletions
}

func (s *Sim) pullJSON(r *repo, p *pull, mode pullMode) obj {
	nestedRepo := s.repoJSON(r, repoNested)
	if mode == pullWebhook {
		nestedRepo = s.repoJSON(r, repoWebhook)
	}
	return s.pullJSONIn(r, p, mode, nestedRepo)
}

// pullJSONIn renders a pull request whose head and base repository is
// nestedRepo, already rendered: a repository counts its open issues as it
// is rendered, so a listing renders it once for the whole page rather than
// once per pull request.
func (s *Sim) pullJSONIn(r *repo, p *pull, mode pullMode, nestedRepo obj) obj {
	i := p.Issue
	base := s.api("/repos/%s/pulls/%d", r.fullName(), i.Number)
	html := s.web("/%s/pull/%d", r.fullName(), i.Number)
	issueURL := s.api("/repos/%s/issues/%d", r.fullName(), i.Number)
	statuses := s.api("/repos/%s/statuses/%s", r.fullName(), p.HeadSHA)
	baseSHA := r.Refs["refs/heads/"+p.Base]
	if p.Merged || baseSHA == "" {
		baseSHA = p.BaseSHA
	}
	branch := func(name, sha string) obj {
		return obj{
			"label": r.Owner.Login + ":" + name,
			"ref":   name,
			"sha":   sha,
			"user":  s.userJSON(r.Owner),
			"repo":  nestedRepo,
		}
	}
	href := func(u string) obj { return obj{"href": u} }
	o := obj{
		"url":                 base,
		"id":                  p.ID,
		"node_id":             nodeID("PR", p.ID),
		"html_url":            html,
		"diff_url":            html + ".diff",
		"patch_url":           html + ".patch",
		"issue_url":           issueURL,
		"number":              i.Number,
		"state":               i.State,
		"locked":              false,
		"title":               i.Title,
		"user":                s.userJSON(i.User),
		"body":                strOrNil(i.Body),
		"created_at":          ts(i.CreatedAt),
		"updated_at":          ts(i.UpdatedAt),
		"closed_at":           ts(i.ClosedAt),
		"merged_at":           ts(p.MergedAt),
		"merge_commit_sha":    strOrNil(p.MergeCommitSHA),
		"assignee":            nil,
		"assignees":           []any{},
		"requested_reviewers": []any{},
		"requested_teams":     []any{},
		"labels":              s.labelsJSON(r, i.Labels),
		"milestone":           nil,
		"draft":               p.Draft,
		"commits_url":         base + "/commits",
		"review_comments_url": base + "/comments",
		"review_comment_url":  s.api("/repos/%s/pulls/comments{/number}", r.fullName()),
		"comments_url":        issueURL + "/comments",
		"statuses_url":        statuses,
		"head":                branch(p.Head, p.HeadSHA),
		"base":                branch(p.Base, baseSHA),
		"_links": obj{
			"self":            href(base),
			"html":            href(html),
			"issue":           href(issueURL),
			"comments":        href(issueURL + "/comments"),
			"review_comments": href(base + "/comments"),
			"review_comment":  href(s.api("/repos/%s/pulls/comments{/number}", r.fullName())),
			"commits":         href(base + "/commits"),
			"statuses":        href(statuses),
		},
		"author_association": authorAssociation(r, i.User),
		"auto_merge":         nil,
		"active_lock_reason": nil,
	}
	if mode == pullSimple {
		return o
	}
	var mergeable any
	mergeableState := "unknown"
	if !p.Merged && i.State == "open" {
		_, err := r.mergeResult(p)
		mergeable = err == nil
		mergeableState = "clean"
		if err != nil {
			mergeableState = "dirty"
		} else if p.Draft {
			mergeableState = "draft"
		}
	}
	commits, files, additions, deletions := r.diffStats(p)
	o["merged"] = p.Merged
	o["mergeable"] = mergeable
	o["rebaseable"] = mergeable
	o["mergeable_state"] = mergeableState
	o["merged_by"] = s.userJSON(p.MergedBy)
	o["comments"] = len(i.Comments)
	o["review_comments"] = 0
	o["maintainer_can_modify"] = false
	o["commits"] = commits
	o["additions"] = additions
	o["deletions"] = deletions
	o["changed_files"] = files
	return o
}

// ---- operations shared by REST handlers and actors (callers hold s.mu) ----

func (s *Sim) createPullLocked(r *repo, by *account, viaApp bool, spec pullSpec) (*pull, error) {
	head := spec.Head
	if owner, branch, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, r.Owner.Login) {
			return nil, invalid(validationError{Resource: "PullRequest", Field: "head", Code: "invalid"})
		}
		head = branch
	}
	if strings.TrimSpace(spec.Title) == "" {
		return nil, invalid(validationError{Resource: "PullRequest", Field: "title", Code: "missing_field"})
	}
	baseSHA, ok := r.Refs["refs/heads/"+spec.Base]
	if !ok {
		return nil, invalid(validationError{Resource: "PullRequest", Field: "base", Code: "invalid"})
	}
	headSHA, ok := r.Refs["refs/heads/"+head]
	if !ok {
		return nil, invalid(validationError{Resource: "PullRequest", Field: "head", Code: "invalid"})
	}
	for _, i := range r.Issues {
		if i.PR != nil && i.State == "open" && i.PR.Head == head && i.PR.Base == spec.Base {
			return nil, invalid(validationError{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("A pull request already exists for %s:%s.", r.Owner.Login, head)})
		}
	}
	if r.Objects.isAncestor(headSHA, baseSHA) {
		return nil, invalid(validationError{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("No commits between %s and %s", spec.Base, head)})
	}
	now := s.now()
	i := &issue{
		ID: s.newID("issue"), Number: len(r.Issues) + 1, Title: spec.Title, Body: spec.Body,
		User: by, ViaApp: viaApp, State: "open", CreatedAt: now, UpdatedAt: now,
	}
	p := &pull{ID: s.newID("pull"), Issue: i, Head: head, HeadSHA: headSHA, Base: spec.Base, BaseSHA: baseSHA, Draft: spec.Draft}
	i.PR = p
	r.Issues = append(r.Issues, i)
	s.emitLocked(r, "pull_request", "opened", by, obj{"number": i.Number, "pull_request": s.pullJSON(r, p, pullWebhook)})
	return p, nil
}

// draftChangeAllowed reports whether a person may mark a pull request
// ready for review or turn it into a draft: its author, or someone with
// write access (an installation's token may, with pull_requests: write).
func draftChangeAllowed(r *repo, p *pull, who *account) bool {
	return who == p.Issue.User || permRank[r.permission(who)] >= permRank[PermWrite]
}

// setDraftLocked marks an open pull request ready for review (draft false)
// or turns it into a draft, as GitHub's GraphQL mutations and the button
// on github.com do, and emits pull_request.ready_for_review or
// converted_to_draft when that changed anything (asking for the state it
// is in does nothing). Callers check draftChangeAllowed.
func (s *Sim) setDraftLocked(r *repo, p *pull, by *account, draft bool) error {
	i := p.Issue
	if p.Draft == draft {
		return nil
	}
	if i.State != "open" {
		return newAPIError(http.StatusUnprocessableEntity, fmt.Sprintf("Pull request #%d is closed", i.Number))
	}
	p.Draft = draft
	i.UpdatedAt = s.now()
	action := "ready_for_review"
	if draft {
		action = "converted_to_draft"
	}
	s.emitLocked(r, "pull_request", action, by, obj{"number": i.Number, "pull_request": s.pullJSON(r, p, pullWebhook)})
	return nil
}

// mergeOptions are the inputs of PUT .../merge.
type mergeOptions struct {
	Title   string
	Message string
	SHA     string
	Method  string // merge (default), squash or rebase
}

func (s *Sim) mergePullLocked(r *repo, p *pull, by *account, opts mergeOptions) (string, error) {
	i := p.Issue
	if p.Merged || i.State != "open" {
		return "", newAPIError(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	if p.Draft {
		return "", newAPIError(http.StatusMethodNotAllowed, "Pull Request is still a draft")
	}
	if opts.SHA != "" && !strings.EqualFold(opts.SHA, p.HeadSHA) {
		return "", newAPIError(http.StatusConflict, "Head branch was modified. Review and try the merge again.")
	}
	tree, err := r.mergeResult(p)
	if errors.Is(err, errConflict) {
		return "", newAPIError(http.StatusMethodNotAllowed, "Pull Request is not mergeable")
	}
	if err != nil {
		return "", newAPIError(http.StatusMethodNotAllowed, "Pull Request is not mergeable: "+err.Error())
	}
	baseTip := r.Refs["refs/heads/"+p.Base]
	now := s.now()
	author := signatureFor(by, now)
	committer := signature{Name: "GitHub", Email: "noreply@github.com", When: now}
	var cd commitData
	switch opts.Method {
	case "", "merge":
		title := opts.Title
		if title == "" {
			title = fmt.Sprintf("Merge pull request #%d from %s/%s", i.Number, r.Owner.Login, p.Head)
		}
		msg := opts.Message
		if msg == "" {
			msg = i.Title
		}
		cd = commitData{Tree: tree, Parents: []string{baseTip, p.HeadSHA}, Author: author, Committer: committer, Message: title + "\n\n" + msg}
	case "squash", "rebase":
		title := opts.Title
		if title == "" {
			title = fmt.Sprintf("%s (#%d)", i.Title, i.Number)
		}
		msg := title
		if opts.Message != "" {
			msg += "\n\n" + opts.Message
		}
		cd = commitData{Tree: tree, Parents: []string{baseTip}, Author: author, Committer: committer, Message: msg}
	default:
		return "", invalid(validationError{Resource: "PullRequest", Field: "merge_method", Code: "invalid"})
	}
	sha := r.Objects.put(objCommit, encodeCommit(cd))
	p.Merged, p.MergedAt, p.MergedBy, p.MergeCommitSHA, p.BaseSHA = true, now, by, sha, baseTip
	i.State, i.ClosedAt, i.ClosedBy, i.UpdatedAt = "closed", now, by, now
	s.setRefLocked(r, "refs/heads/"+p.Base, sha, by)
	s.emitLocked(r, "pull_request", "closed", by, obj{"number": i.Number, "pull_request": s.pullJSON(r, p, pullWebhook)})
	return sha, nil
}

// ---- handlers ----

func (s *Sim) pullFromPath(c *reqCtx) (*pull, *response) {
	i := c.repo.issue(c.intParam("pull_number"))
	if i == nil || i.PR == nil {
		return nil, notFound()
	}
	return i.PR, nil
}

func (s *Sim) handleListPulls(c *reqCtx) *response {
	r := c.repo
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	head := c.query("head")
	base := c.query("base")
	var list []*pull
	for _, i := range r.Issues {
		p := i.PR
		if p == nil || (state != "all" && i.State != state) {
			continue
		}
		if head != "" {
			owner, branch, ok := strings.Cut(head, ":")
			if !ok {
				branch = owner
			} else if !strings.EqualFold(owner, r.Owner.Login) {
				continue
			}
			if branch != p.Head {
				continue
			}
		}
		if base != "" && base != p.Base {
			continue
		}
		list = append(list, p)
	}
	sortBy := c.query("sort")
	key := func(p *pull) time.Time { return p.Issue.CreatedAt }
	if sortBy == "updated" {
		key = func(p *pull) time.Time { return p.Issue.UpdatedAt }
	}
	asc := c.query("direction") == "asc" || (c.query("direction") == "" && sortBy != "" && sortBy != "created")
	sortListing(list, func(a, b *pull) bool {
		ka, kb := key(a), key(b)
		if !ka.Equal(kb) {
			return ka.Before(kb) == asc
		}
		return (a.Issue.Number < b.Issue.Number) == asc
	})
	nestedRepo := s.repoJSON(r, repoNested)
	return pagedJSON(pageOf(c, list, func(p *pull) any { return s.pullJSONIn(r, p, pullSimple, nestedRepo) }))
}

func (s *Sim) handleGetPull(c *reqCtx) *response {
	p, resp := s.pullFromPath(c)
	if resp != nil {
		return resp
	}
	return okJSON(s.pullJSON(c.repo, p, pullFull))
}

func (s *Sim) handleCreatePull(c *reqCtx) *response {
	var req struct {
		Title string `json:"title"`
		Body  string `json:"body"`
		Head  string `json:"head"`
		Base  string `json:"base"`
		Draft bool   `json:"draft"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	p, err := s.createPullLocked(c.repo, c.auth.actor(), c.viaApp(), pullSpec(req))
	if err != nil {
		return errResponse(err)
	}
	return createdJSON(s.pullJSON(c.repo, p, pullFull))
}

func (s *Sim) handleUpdatePull(c *reqCtx) *response {
	p, resp := s.pullFromPath(c)
	if resp != nil {
		return resp
	}
	var req struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	edit := issueEdit{Title: req.Title, Body: req.Body, State: req.State}
	newBase := req.Base != nil && *req.Base != p.Base
	if c.auth.kind == "user" {
		// Closing and reopening take triage, everything else write.
		if err := issueEditAllowed(c.repo, p.Issue, c.auth.user, edit); err != nil {
			return errResponse(err)
		}
		if newBase && c.auth.user != p.Issue.User {
			if resp := c.requirePerm(PermWrite); resp != nil {
				return resp
			}
		}
	}
	if newBase {
		if _, ok := c.repo.Refs["refs/heads/"+*req.Base]; !ok {
			return validationFailed(validationError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		}
	}
	// The issue half validates before it changes anything; the base change
	// that follows cannot fail, so an invalid request changes nothing.
	if err := s.editIssueLocked(c.repo, p.Issue, c.auth.actor(), edit); err != nil {
		return errResponse(err)
	}
	if newBase {
		old := p.Base
		p.Base = *req.Base
		p.Issue.UpdatedAt = s.now()
		s.emitLocked(c.repo, "pull_request", "edited", c.auth.actor(), obj{
			"number": p.Issue.Number, "pull_request": s.pullJSON(c.repo, p, pullWebhook),
			"changes": obj{"base": obj{"ref": obj{"from": old}, "sha": obj{"from": p.BaseSHA}}},
		})
	}
	return okJSON(s.pullJSON(c.repo, p, pullFull))
}

func (s *Sim) handleMergePull(c *reqCtx) *response {
	p, resp := s.pullFromPath(c)
	if resp != nil {
		return resp
	}
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		CommitTitle   string `json:"commit_title"`
		CommitMessage string `json:"commit_message"`
		SHA           string `json:"sha"`
		MergeMethod   string `json:"merge_method"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	sha, err := s.mergePullLocked(c.repo, p, c.auth.actor(), mergeOptions{Title: req.CommitTitle, Message: req.CommitMessage, SHA: req.SHA, Method: req.MergeMethod})
	if err != nil {
		return errResponse(err)
	}
	return okJSON(obj{"sha": sha, "merged": true, "message": "Pull Request successfully merged"})
}

func (s *Sim) handleGetPullMerged(c *reqCtx) *response {
	p, resp := s.pullFromPath(c)
	if resp != nil {
		return resp
	}
	if p.Merged {
		return noContent()
	}
	return notFound()
}
