package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ---- operations shared by REST handlers and actors (callers hold s.mu) ----

// issueEdit is a partial update of an issue; nil fields are left alone.
type issueEdit struct {
	Title       *string
	Body        *string
	State       *string
	StateReason *string
	Labels      *[]string
}

// ensureLabelsLocked returns the repository labels with these names,
// creating the missing ones as GitHub does when labels are set on an issue.
func (s *Sim) ensureLabelsLocked(r *repo, names []string) []*label {
	var out []*label
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		l := r.findLabel(n)
		if l == nil {
			l = &label{ID: s.newID("label"), Name: n, Color: "ededed"}
			r.Labels = append(r.Labels, l)
		}
		out = append(out, l)
	}
	return out
}

// emitIssueLocked emits an issues event, or a pull_request event when the
// issue is a pull request, as GitHub does.
func (s *Sim) emitIssueLocked(r *repo, i *issue, action string, sender *account, extra obj) {
	fields := obj{}
	for k, v := range extra {
		fields[k] = v
	}
	if i.PR != nil {
		fields["number"] = i.Number
		fields["pull_request"] = s.pullJSON(r, i.PR, pullWebhook)
		s.emitLocked(r, "pull_request", action, sender, fields)
		return
	}
	fields["issue"] = s.issueJSON(r, i, true)
	s.emitLocked(r, "issues", action, sender, fields)
}

func (s *Sim) createIssueLocked(r *repo, by *account, viaApp bool, title, body string, labels []string, canLabel bool) (*issue, error) {
	if strings.TrimSpace(title) == "" {
		return nil, invalid(validationError{Resource: "Issue", Field: "title", Code: "missing_field"})
	}
	now := s.now()
	i := &issue{
		ID: s.newID("issue"), Number: len(r.Issues) + 1, Title: title, Body: body,
		User: by, ViaApp: viaApp, State: "open", CreatedAt: now, UpdatedAt: now,
	}
	if canLabel {
		i.Labels = s.ensureLabelsLocked(r, labels)
	}
	r.Issues = append(r.Issues, i)
	s.emitIssueLocked(r, i, "opened", by, nil)
	for _, l := range i.Labels {
		s.emitIssueLocked(r, i, "labeled", by, obj{"label": s.labelJSON(r, l)})
	}
	return i, nil
}

func (s *Sim) editIssueLocked(r *repo, i *issue, by *account, e issueEdit) error {
	// Validate everything first: GitHub refuses an invalid update whole,
	// without applying its valid parts or emitting their webhooks.
	if e.Title != nil && *e.Title != i.Title && strings.TrimSpace(*e.Title) == "" {
		return invalid(validationError{Resource: "Issue", Field: "title", Code: "missing_field"})
	}
	if e.State != nil && *e.State != i.State {
		switch *e.State {
		case "closed":
		case "open":
			if i.PR != nil && i.PR.Merged {
				return invalid(validationError{Resource: "PullRequest", Code: "custom", Message: "Cannot reopen a merged pull request"})
			}
		default:
			return invalid(validationError{Resource: "Issue", Field: "state", Code: "invalid"})
		}
	}
	now := s.now()
	changes := obj{}
	if e.Title != nil && *e.Title != i.Title {
		changes["title"] = obj{"from": i.Title}
		i.Title = *e.Title
	}
	if e.Body != nil && *e.Body != i.Body {
		changes["body"] = obj{"from": i.Body}
		i.Body = *e.Body
	}
	if len(changes) > 0 {
		i.UpdatedAt = now
		s.emitIssueLocked(r, i, "edited", by, obj{"changes": changes})
	}
	if e.Labels != nil {
		s.setLabelsLocked(r, i, by, *e.Labels)
	}
	if e.State != nil && *e.State != i.State {
		switch *e.State {
		case "closed":
			reason := "completed"
			if e.StateReason != nil && *e.StateReason != "" {
				reason = *e.StateReason
			}
			i.State, i.StateReason, i.ClosedAt, i.ClosedBy, i.UpdatedAt = "closed", reason, now, by, now
			s.emitIssueLocked(r, i, "closed", by, nil)
		case "open":
			if i.PR != nil && i.PR.Merged {
				return invalid(validationError{Resource: "PullRequest", Code: "custom", Message: "Cannot reopen a merged pull request"})
			}
			i.State, i.StateReason, i.ClosedAt, i.ClosedBy, i.UpdatedAt = "open", "reopened", time.Time{}, nil, now
			s.emitIssueLocked(r, i, "reopened", by, nil)
		default:
			return invalid(validationError{Resource: "Issue", Field: "state", Code: "invalid"})
		}
	} else if e.StateReason != nil && i.State == "closed" && *e.StateReason != "" {
		i.StateReason = *e.StateReason
	}
	return nil
}

func (s *Sim) addLabelsLocked(r *repo, i *issue, by *account, names []string) {
	for _, l := range s.ensureLabelsLocked(r, names) {
		if hasLabel(i, l) {
			continue
		}
		i.Labels = append(i.Labels, l)
		i.UpdatedAt = s.now()
		s.emitIssueLocked(r, i, "labeled", by, obj{"label": s.labelJSON(r, l)})
	}
}

func (s *Sim) removeLabelLocked(r *repo, i *issue, by *account, name string) error {
	for k, l := range i.Labels {
		if strings.EqualFold(l.Name, name) {
			i.Labels = append(i.Labels[:k:k], i.Labels[k+1:]...)
			i.UpdatedAt = s.now()
			s.emitIssueLocked(r, i, "unlabeled", by, obj{"label": s.labelJSON(r, l)})
			return nil
		}
	}
	return newAPIError(http.StatusNotFound, "Label does not exist")
}

func (s *Sim) setLabelsLocked(r *repo, i *issue, by *account, names []string) {
	want := s.ensureLabelsLocked(r, names)
	for _, l := range append([]*label(nil), i.Labels...) {
		keep := false
		for _, w := range want {
			keep = keep || w == l
		}
		if !keep {
			_ = s.removeLabelLocked(r, i, by, l.Name)
		}
	}
	for _, l := range want {
		if !hasLabel(i, l) {
			i.Labels = append(i.Labels, l)
			i.UpdatedAt = s.now()
			s.emitIssueLocked(r, i, "labeled", by, obj{"label": s.labelJSON(r, l)})
		}
	}
}

func hasLabel(i *issue, l *label) bool {
	for _, x := range i.Labels {
		if x == l {
			return true
		}
	}
	return false
}

func (s *Sim) createCommentLocked(r *repo, i *issue, by *account, viaApp bool, body string) (*comment, error) {
	if strings.TrimSpace(body) == "" {
		return nil, invalid(validationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
	}
	now := s.now()
	c := &comment{ID: s.newID("comment"), Issue: i, Body: body, User: by, ViaApp: viaApp, CreatedAt: now, UpdatedAt: now}
	i.Comments = append(i.Comments, c)
	i.UpdatedAt = now
	r.CommentByID[c.ID] = c
	s.emitCommentLocked(r, c, "created", by, nil)
	return c, nil
}

func (s *Sim) emitCommentLocked(r *repo, c *comment, action string, by *account, changes obj) {
	fields := obj{"issue": s.issueJSON(r, c.Issue, true), "comment": s.commentJSON(r, c)}
	if changes != nil {
		fields["changes"] = changes
	}
	s.emitLocked(r, "issue_comment", action, by, fields)
}

func (s *Sim) editCommentLocked(r *repo, c *comment, by *account, body string) error {
	if strings.TrimSpace(body) == "" {
		return invalid(validationError{Resource: "IssueComment", Field: "body", Code: "missing_field"})
	}
	if body == c.Body {
		return nil
	}
	old := c.Body
	c.Body = body
	c.UpdatedAt = s.now()
	s.emitCommentLocked(r, c, "edited", by, obj{"body": obj{"from": old}})
	return nil
}

func (s *Sim) deleteCommentLocked(r *repo, c *comment, by *account) {
	i := c.Issue
	for k, x := range i.Comments {
		if x == c {
			i.Comments = append(i.Comments[:k:k], i.Comments[k+1:]...)
			break
		}
	}
	delete(r.CommentByID, c.ID)
	s.emitCommentLocked(r, c, "deleted", by, nil)
}

// addReactionLocked adds a reaction unless the user already left the same
// one; created reports which happened.
func (s *Sim) addReactionLocked(list *[]*reaction, by *account, content string) (*reaction, bool, error) {
	valid := false
	for _, c := range reactionContents {
		valid = valid || c == content
	}
	if !valid {
		return nil, false, invalid(validationError{Resource: "Reaction", Field: "content", Code: "invalid"})
	}
	for _, x := range *list {
		if x.User == by && x.Content == content {
			return x, false, nil
		}
	}
	x := &reaction{ID: s.newID("reaction"), User: by, Content: content, CreatedAt: s.now()}
	*list = append(*list, x)
	return x, true, nil
}

// canModify reports whether the credentials may edit or delete something
// authored by author: their own, or anyone's with write permission (GitHub's
// roles table: "Edit and delete anyone's comments" is write and up).
func (c *reqCtx) canModify(author *account) bool {
	switch c.auth.kind {
	case "installation":
		return true
	case "user":
		return c.auth.user == author || permRank[c.repo.permission(c.auth.user)] >= permRank[PermWrite]
	}
	return false
}

// issueEditAllowed checks a person's edit of an issue against GitHub's
// roles table: authors edit their own title and body, close their own
// issue and reopen it if they closed it themselves; closing and reopening
// anyone's takes triage; editing anyone's title or body takes write.
func issueEditAllowed(r *repo, i *issue, who *account, e issueEdit) error {
	rank := permRank[r.permission(who)]
	if (e.Title != nil && *e.Title != i.Title) || (e.Body != nil && *e.Body != i.Body) {
		if who != i.User && rank < permRank[PermWrite] {
			return newAPIError(http.StatusForbidden, "Must have push access to repository")
		}
	}
	if e.State != nil && *e.State != i.State {
		own := who == i.User && (*e.State == "closed" || i.ClosedBy == who)
		if !own && rank < permRank[PermTriage] {
			return newAPIError(http.StatusForbidden, "Must have triage access to repository")
		}
	}
	return nil
}

func (c *reqCtx) canTriage() bool {
	return c.auth.kind == "installation" || (c.auth.kind == "user" && permRank[c.repo.permission(c.auth.user)] >= permRank[PermTriage])
}

func (c *reqCtx) viaApp() bool { return c.auth.kind == "installation" }

// ---- pagination ----

// pageOf renders the page of a listing that the page and per_page query
// parameters ask for, and returns the Link header GitHub would send with
// it. Only the page's items are rendered: a handler's filter and sort may
// walk every item, which is cheap, but rendering is not, and rendering all
// N items for each of the N/per_page pages would make walking a listing
// quadratic.
func pageOf[T any](c *reqCtx, items []T, render func(T) any) ([]any, http.Header) {
	start, end, h := c.pageBounds(len(items))
	out := make([]any, 0, end-start)
	for _, x := range items[start:end] {
		out = append(out, render(x))
	}
	return out, h
}

// sortListing sorts a listing by less, which must order any two items
// strictly (ties broken by number or id). Issues and pull requests are kept
// in the order they were opened, so the usual listings, by creation either
// way, are already in order or in reverse order: those cost a walk instead
// of a sort.
func sortListing[T any](list []T, less func(a, b T) bool) {
	ordered, reversed := true, true
	for k := 1; k < len(list) && (ordered || reversed); k++ {
		ordered = ordered && !less(list[k], list[k-1])
		reversed = reversed && !less(list[k-1], list[k])
	}
	switch {
	case ordered:
	case reversed:
		slices.Reverse(list)
	default:
		sort.SliceStable(list, func(a, b int) bool { return less(list[a], list[b]) })
	}
}

// pageBounds returns the items [start, end) of the requested page of a
// listing of n items, empty past the end, and its Link header.
func (c *reqCtx) pageBounds(n int) (start, end int, h http.Header) {
	perPage, err := strconv.Atoi(c.query("per_page"))
	if err != nil || perPage <= 0 {
		perPage = 30
	}
	if perPage > 100 {
		perPage = 100
	}
	page, err := strconv.Atoi(c.query("page"))
	if err != nil || page <= 0 {
		page = 1
	}
	last := (n + perPage - 1) / perPage
	if last == 0 {
		last = 1
	}
	h = http.Header{}
	if link := c.linkHeader(page, last); link != "" {
		h.Set("Link", link)
	}
	if page > last {
		return n, n, h // also keeps (page-1)*perPage from overflowing
	}
	start = (page - 1) * perPage
	return start, min(start+perPage, n), h
}

// linkHeader formats prev, next, last and first links as GitHub does, on
// the /repositories/{id}/... form of the request path.
func (c *reqCtx) linkHeader(page, last int) string {
	if last <= 1 && page <= 1 {
		return ""
	}
	p := c.r.URL.EscapedPath()
	p = strings.TrimPrefix(p, "/api/v3")
	if c.repo != nil {
		prefix := "/repos/" + c.param("owner") + "/" + c.param("repo")
		if rest, ok := cutPrefixFold(p, prefix); ok {
			p = fmt.Sprintf("/repositories/%d%s", c.repo.ID, rest)
		}
	}
	var kept []string
	for _, kv := range strings.Split(c.r.URL.RawQuery, "&") {
		if kv == "" || strings.HasPrefix(kv, "page=") {
			continue
		}
		kept = append(kept, kv)
	}
	link := func(n int, rel string) string {
		q := append(append([]string(nil), kept...), "page="+strconv.Itoa(n))
		return fmt.Sprintf("<%s%s?%s>; rel=\"%s\"", c.s.apiURL, p, strings.Join(q, "&"), rel)
	}
	var parts []string
	if page > 1 {
		prev := page - 1
		if prev > last {
			prev = last
		}
		parts = append(parts, link(prev, "prev"))
	}
	if page < last {
		parts = append(parts, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		parts = append(parts, link(1, "first"))
	}
	return strings.Join(parts, ", ")
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func pagedJSON(items []any, h http.Header) *response {
	resp := okJSON(items)
	resp.header = h
	return resp
}

// sinceFilter parses the since parameter (ISO 8601).
func (c *reqCtx) since() (time.Time, *response) {
	v := c.query("since")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, validationFailed(validationError{Resource: "Search", Field: "since", Code: "invalid"})
	}
	return t, nil
}

// ---- issues ----

func (s *Sim) issueFromPath(c *reqCtx) (*issue, *response) {
	i := c.repo.issue(c.intParam("issue_number"))
	if i == nil {
		return nil, notFound()
	}
	return i, nil
}

func (s *Sim) handleListIssues(c *reqCtx) *response {
	r := c.repo
	since, bad := c.since()
	if bad != nil {
		return bad
	}
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	var wantLabels []string
	if v := c.query("labels"); v != "" {
		wantLabels = strings.Split(v, ",")
	}
	creator := c.query("creator")
	var list []*issue
	for _, i := range r.Issues {
		if state != "all" && i.State != state {
			continue
		}
		if !since.IsZero() && i.UpdatedAt.Before(since) {
			continue
		}
		if creator != "" && !strings.EqualFold(i.User.Login, creator) {
			continue
		}
		ok := true
		for _, name := range wantLabels {
			found := false
			for _, l := range i.Labels {
				found = found || strings.EqualFold(l.Name, strings.TrimSpace(name))
			}
			ok = ok && found
		}
		if ok {
			list = append(list, i)
		}
	}
	key := func(i *issue) time.Time { return i.CreatedAt }
	switch c.query("sort") {
	case "updated":
		key = func(i *issue) time.Time { return i.UpdatedAt }
	case "comments":
		key = func(i *issue) time.Time { return time.Unix(int64(len(i.Comments)), 0) }
	}
	asc := c.query("direction") == "asc"
	sortListing(list, func(a, b *issue) bool {
		ka, kb := key(a), key(b)
		if !ka.Equal(kb) {
			return ka.Before(kb) == asc
		}
		return (a.Number < b.Number) == asc
	})
	return pagedJSON(pageOf(c, list, func(i *issue) any { return s.issueJSON(r, i, false) }))
}

func (s *Sim) handleGetIssue(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	return okJSON(s.issueJSON(c.repo, i, false))
}

func (s *Sim) handleCreateIssue(c *reqCtx) *response {
	var req struct {
		Title  any    `json:"title"`
		Body   string `json:"body"`
		Labels []any  `json:"labels"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	title := ""
	switch t := req.Title.(type) {
	case string:
		title = t
	case float64:
		title = strconv.FormatFloat(t, 'f', -1, 64)
	}
	i, err := s.createIssueLocked(c.repo, c.auth.actor(), c.viaApp(), title, req.Body, labelNames(req.Labels), c.canTriage())
	if err != nil {
		return errResponse(err)
	}
	return createdJSON(s.issueJSON(c.repo, i, false))
}

// labelNames accepts labels given as names or as {"name": ...} objects.
func labelNames(raw []any) []string {
	var out []string
	for _, x := range raw {
		switch v := x.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			if n, ok := v["name"].(string); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

func (s *Sim) handleUpdateIssue(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	var req struct {
		Title       *string `json:"title"`
		Body        *string `json:"body"`
		State       *string `json:"state"`
		StateReason *string `json:"state_reason"`
		Labels      *[]any  `json:"labels"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	e := issueEdit{Title: req.Title, Body: req.Body, State: req.State, StateReason: req.StateReason}
	if c.auth.kind == "user" {
		if err := issueEditAllowed(c.repo, i, c.auth.user, e); err != nil {
			return errResponse(err)
		}
	}
	if req.Labels != nil && c.canTriage() {
		names := labelNames(*req.Labels)
		e.Labels = &names
	}
	if err := s.editIssueLocked(c.repo, i, c.auth.actor(), e); err != nil {
		return errResponse(err)
	}
	return okJSON(s.issueJSON(c.repo, i, false))
}

// ---- labels ----

// decodeLabelNames accepts ["a"], {"labels": ["a"]} and {"labels": [{"name": "a"}]}.
func decodeLabelNames(body []byte) ([]string, bool) {
	var list []any
	if err := json.Unmarshal(body, &list); err == nil {
		return labelNames(list), true
	}
	var wrapped struct {
		Labels []any `json:"labels"`
	}
	if err := json.Unmarshal(body, &wrapped); err == nil {
		return labelNames(wrapped.Labels), true
	}
	return nil, false
}

func (s *Sim) handleListIssueLabels(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	return pagedJSON(pageOf(c, i.Labels, func(l *label) any { return s.labelJSON(c.repo, l) }))
}

func (s *Sim) handleAddIssueLabels(c *reqCtx) *response {
	return s.writeIssueLabels(c, s.addLabelsLocked)
}

func (s *Sim) handleSetIssueLabels(c *reqCtx) *response {
	return s.writeIssueLabels(c, s.setLabelsLocked)
}

// writeIssueLabels decodes a label list and applies it to the issue in the
// path with apply (add or set), for a caller with triage access.
func (s *Sim) writeIssueLabels(c *reqCtx, apply func(*repo, *issue, *account, []string)) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	if !c.canTriage() {
		return errorResponse(http.StatusForbidden, "Must have triage access to repository")
	}
	names, ok := decodeLabelNames(c.body)
	if !ok {
		return errorResponse(http.StatusBadRequest, "Problems parsing JSON")
	}
	apply(c.repo, i, c.auth.actor(), names)
	return okJSON(s.labelsJSON(c.repo, i.Labels))
}

func (s *Sim) handleClearIssueLabels(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	if !c.canTriage() {
		return errorResponse(http.StatusForbidden, "Must have triage access to repository")
	}
	s.setLabelsLocked(c.repo, i, c.auth.actor(), nil)
	return noContent()
}

func (s *Sim) handleRemoveIssueLabel(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	if !c.canTriage() {
		return errorResponse(http.StatusForbidden, "Must have triage access to repository")
	}
	if err := s.removeLabelLocked(c.repo, i, c.auth.actor(), c.param("name")); err != nil {
		return errResponse(err)
	}
	return okJSON(s.labelsJSON(c.repo, i.Labels))
}

func (s *Sim) handleListLabels(c *reqCtx) *response {
	return pagedJSON(pageOf(c, c.repo.Labels, func(l *label) any { return s.labelJSON(c.repo, l) }))
}

func (s *Sim) handleGetLabel(c *reqCtx) *response {
	l := c.repo.findLabel(c.param("name"))
	if l == nil {
		return notFound()
	}
	return okJSON(s.labelJSON(c.repo, l))
}

func (s *Sim) handleCreateLabel(c *reqCtx) *response {
	if resp := c.requirePerm(PermWrite); resp != nil {
		return resp
	}
	var req struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if strings.TrimSpace(req.Name) == "" {
		return validationFailed(validationError{Resource: "Label", Field: "name", Code: "missing_field"})
	}
	if c.repo.findLabel(req.Name) != nil {
		return validationFailed(validationError{Resource: "Label", Field: "name", Code: "already_exists"})
	}
	color := strings.TrimPrefix(req.Color, "#")
	if color == "" {
		color = "ededed"
	}
	l := &label{ID: s.newID("label"), Name: req.Name, Color: color, Description: req.Description}
	c.repo.Labels = append(c.repo.Labels, l)
	return createdJSON(s.labelJSON(c.repo, l))
}

// ---- comments ----

func (s *Sim) commentFromPath(c *reqCtx) (*comment, *response) {
	id, _ := strconv.ParseInt(c.param("comment_id"), 10, 64)
	cm := c.repo.CommentByID[id]
	if cm == nil {
		return nil, notFound()
	}
	return cm, nil
}

func (s *Sim) handleListIssueComments(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	since, bad := c.since()
	if bad != nil {
		return bad
	}
	list := i.Comments
	if !since.IsZero() {
		list = nil
		for _, cm := range i.Comments {
			if !cm.UpdatedAt.Before(since) {
				list = append(list, cm)
			}
		}
	}
	return pagedJSON(pageOf(c, list, func(cm *comment) any { return s.commentJSON(c.repo, cm) }))
}

func (s *Sim) handleListRepoComments(c *reqCtx) *response {
	since, bad := c.since()
	if bad != nil {
		return bad
	}
	var list []*comment
	for _, cm := range c.repo.CommentByID {
		if since.IsZero() || !cm.UpdatedAt.Before(since) {
			list = append(list, cm)
		}
	}
	byUpdated := c.query("sort") == "updated"
	desc := c.query("sort") != "" && c.query("direction") == "desc"
	sort.Slice(list, func(a, b int) bool {
		x, y := list[a], list[b]
		if byUpdated && !x.UpdatedAt.Equal(y.UpdatedAt) {
			return x.UpdatedAt.Before(y.UpdatedAt) != desc
		}
		return (x.ID < y.ID) != desc
	})
	return pagedJSON(pageOf(c, list, func(cm *comment) any { return s.commentJSON(c.repo, cm) }))
}

func (s *Sim) handleGetComment(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	return okJSON(s.commentJSON(c.repo, cm))
}

func (s *Sim) handleCreateComment(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	var req struct {
		Body string `json:"body"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	cm, err := s.createCommentLocked(c.repo, i, c.auth.actor(), c.viaApp(), req.Body)
	if err != nil {
		return errResponse(err)
	}
	return createdJSON(s.commentJSON(c.repo, cm))
}

func (s *Sim) handleUpdateComment(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	if !c.canModify(cm.User) {
		return errorResponse(http.StatusForbidden, "Must have push access to repository")
	}
	var req struct {
		Body string `json:"body"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	if err := s.editCommentLocked(c.repo, cm, c.auth.actor(), req.Body); err != nil {
		return errResponse(err)
	}
	return okJSON(s.commentJSON(c.repo, cm))
}

func (s *Sim) handleDeleteComment(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	if !c.canModify(cm.User) {
		return errorResponse(http.StatusForbidden, "Must have push access to repository")
	}
	s.deleteCommentLocked(c.repo, cm, c.auth.actor())
	return noContent()
}

// ---- reactions ----

func (s *Sim) createReaction(c *reqCtx, list *[]*reaction) *response {
	var req struct {
		Content string `json:"content"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	x, created, err := s.addReactionLocked(list, c.auth.actor(), req.Content)
	if err != nil {
		return errResponse(err)
	}
	if created {
		return createdJSON(s.reactionJSON(x))
	}
	return okJSON(s.reactionJSON(x))
}

func (s *Sim) listReactions(c *reqCtx, list []*reaction) *response {
	if content := c.query("content"); content != "" {
		var kept []*reaction
		for _, x := range list {
			if x.Content == content {
				kept = append(kept, x)
			}
		}
		list = kept
	}
	return pagedJSON(pageOf(c, list, func(x *reaction) any { return s.reactionJSON(x) }))
}

func (s *Sim) handleCreateCommentReaction(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	return s.createReaction(c, &cm.Reactions)
}

func (s *Sim) handleListCommentReactions(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	return s.listReactions(c, cm.Reactions)
}

func (s *Sim) handleDeleteCommentReaction(c *reqCtx) *response {
	cm, resp := s.commentFromPath(c)
	if resp != nil {
		return resp
	}
	id, _ := strconv.ParseInt(c.param("reaction_id"), 10, 64)
	for k, x := range cm.Reactions {
		if x.ID == id {
			if !c.canModify(x.User) {
				return errorResponse(http.StatusForbidden, "Must have triage access to repository")
			}
			cm.Reactions = append(cm.Reactions[:k:k], cm.Reactions[k+1:]...)
			return noContent()
		}
	}
	return notFound()
}

func (s *Sim) handleCreateIssueReaction(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	return s.createReaction(c, &i.Reactions)
}

func (s *Sim) handleListIssueReactions(c *reqCtx) *response {
	i, resp := s.issueFromPath(c)
	if resp != nil {
		return resp
	}
	return s.listReactions(c, i.Reactions)
}

// ---- people ----

// legacyPermission maps a role onto the permission field of the
// collaborator permission endpoint.
func legacyPermission(role string) string {
	switch role {
	case PermAdmin:
		return "admin"
	case PermMaintain, PermWrite:
		return "write"
	case PermTriage, PermRead:
		return "read"
	}
	return "none"
}

func (s *Sim) handleGetPermission(c *reqCtx) *response {
	a := s.st.accounts[strings.ToLower(c.param("username"))]
	if a == nil {
		return errorResponse(http.StatusNotFound, fmt.Sprintf("%s is not a user", c.param("username")))
	}
	role := c.repo.permission(a)
	rank := permRank[role]
	user := s.userJSON(a).(obj)
	user["permissions"] = obj{
		"admin":    rank >= permRank[PermAdmin],
		"maintain": rank >= permRank[PermMaintain],
		"push":     rank >= permRank[PermWrite],
		"triage":   rank >= permRank[PermTriage],
		"pull":     rank >= permRank[PermRead],
	}
	user["role_name"] = role
	return okJSON(obj{"permission": legacyPermission(role), "role_name": role, "user": user})
}

func (s *Sim) handleGetTeamMembership(c *reqCtx) *response {
	org := c.param("org")
	if c.auth.kind == "installation" && !strings.EqualFold(c.auth.inst.Account.Login, org) {
		return notFound()
	}
	t := s.st.teams[strings.ToLower(org+"/"+c.param("team_slug"))]
	if t == nil {
		return notFound()
	}
	role, ok := t.Members[strings.ToLower(c.param("username"))]
	if !ok {
		return notFound()
	}
	return okJSON(obj{
		"url":   s.api("/organizations/%d/team/%d/memberships/%s", t.Org.ID, t.ID, c.param("username")),
		"role":  role,
		"state": "active",
	})
}
