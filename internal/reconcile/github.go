package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// Repo is one repository the app is installed on.
type Repo struct {
	Owner, Name   string
	DefaultBranch string
	HTMLURL       string // https://github.com/owner/name
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// GitHub is every call the use cases make, over one installation's client:
// the narrow waist between the newsletter and GitHub's API. Lists follow
// pagination to the end with 100 items a page.
type GitHub struct {
	c *github.Client
}

// NewGitHub wraps an installation client.
func NewGitHub(c *github.Client) *GitHub { return &GitHub{c: c} }

// Client returns the go-github client underneath.
func (g *GitHub) Client() *github.Client { return g.c }

// ErrNotFound is returned for a file, branch or issue that does not exist.
var ErrNotFound = errors.New("not found")

// errConflict is a ref update that lost a race or a ref that already exists.
var errConflict = errors.New("conflict")

func status(resp *github.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// classify maps GitHub's 404 and 422 answers to ErrNotFound and errConflict.
func classify(resp *github.Response, err error) error {
	if err == nil {
		return nil
	}
	switch status(resp) {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case http.StatusUnprocessableEntity, http.StatusConflict:
		return fmt.Errorf("%w: %w", errConflict, err)
	}
	return err
}

// Repository reads a repository's default branch and address.
func (g *GitHub) Repository(ctx context.Context, owner, name string) (Repo, error) {
	r, resp, err := g.c.Repositories.Get(ctx, owner, name)
	if err != nil {
		return Repo{}, classify(resp, err)
	}
	return Repo{Owner: owner, Name: name, DefaultBranch: r.GetDefaultBranch(), HTMLURL: r.GetHTMLURL()}, nil
}

// File reads a file at ref ("" for the default branch).
func (g *GitHub) File(ctx context.Context, r Repo, ref, path string) (string, error) {
	fc, _, resp, err := g.c.Repositories.GetContents(ctx, r.Owner, r.Name, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return "", classify(resp, err)
	}
	if fc == nil {
		return "", fmt.Errorf("%s is a directory", path)
	}
	return fc.GetContent()
}

// Dir lists the file names in a directory at ref.
func (g *GitHub) Dir(ctx context.Context, r Repo, ref, path string) ([]string, error) {
	_, entries, resp, err := g.c.Repositories.GetContents(ctx, r.Owner, r.Name, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, classify(resp, err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.GetPath())
	}
	return out, nil
}

// DirEntry is a file of a directory listing, with its blob's id.
type DirEntry struct{ Path, SHA string }

// DirEntries lists a directory with each file's blob id: a file whose id
// the replica has seen needs no reading again.
func (g *GitHub) DirEntries(ctx context.Context, r Repo, ref, path string) ([]DirEntry, error) {
	_, entries, resp, err := g.c.Repositories.GetContents(ctx, r.Owner, r.Name, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, classify(resp, err)
	}
	out := make([]DirEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, DirEntry{Path: e.GetPath(), SHA: e.GetSHA()})
	}
	return out, nil
}

// IssueFilter narrows an issue listing; empty fields do not filter.
type IssueFilter struct {
	Label   string
	State   string // "open" (the default), "closed" or "all"
	Creator string
	Since   time.Time
}

// Issues lists the issues that pass the filter, oldest first.
func (g *GitHub) Issues(ctx context.Context, r Repo, f IssueFilter) ([]drafts.Issue, error) {
	opts := &github.IssueListByRepoOptions{State: f.State, Creator: f.Creator, Since: f.Since,
		Sort: "created", Direction: "asc", ListOptions: github.ListOptions{PerPage: 100}}
	if f.Label != "" {
		opts.Labels = []string{f.Label}
	}
	return paginate(&opts.ListOptions, IssueOf, func() ([]*github.Issue, *github.Response, error) {
		return g.c.Issues.ListByRepo(ctx, r.Owner, r.Name, opts)
	})
}

// IssuesAfter lists the issues and pull requests numbered above after,
// newest first: those opened since the one numbered after. It reads pages
// only as far back as after, and at most limit issues: complete is false
// when there are more. The first page is small (afterFirstPage issues: an
// update decodes it at every event, and few issues were opened since the
// draft's last commit, which records them past recordAfter); when it does
// not reach after, the listing starts again by pages of a hundred. Its
// addresses stay the same between calls, so a conditional request mostly
// answers 304.
func (g *GitHub) IssuesAfter(ctx context.Context, r Repo, after, limit int) (issues []drafts.Issue, complete bool, err error) {
	opts := &github.IssueListByRepoOptions{State: "all", Sort: "created", Direction: "desc", ListOptions: github.ListOptions{PerPage: afterFirstPage}}
	small, resp, err := g.c.Issues.ListByRepo(ctx, r.Owner, r.Name, opts)
	if err != nil {
		return nil, false, classify(resp, err)
	}
	var out []drafts.Issue
	reached := false
	for _, i := range small {
		if i.GetNumber() <= after {
			reached = true
			continue
		}
		out = append(out, IssueOf(i))
	}
	if reached || resp.NextPage == 0 {
		return out, true, nil
	}
	out = nil
	opts.PerPage = 100
	for {
		page, resp, err := g.c.Issues.ListByRepo(ctx, r.Owner, r.Name, opts)
		if err != nil {
			return nil, false, classify(resp, err)
		}
		reached := false
		for _, i := range page {
			// Issues opened in the same second may come in either order:
			// the whole page is read, not up to the first old one.
			if i.GetNumber() <= after {
				reached = true
				continue
			}
			out = append(out, IssueOf(i))
		}
		switch {
		case reached || resp.NextPage == 0:
			return out, true, nil
		case len(out) >= limit:
			return out, false, nil
		}
		opts.Page = resp.NextPage
	}
}

// afterFirstPage is the size of IssuesAfter's first page.
const afterFirstPage = 20

// paginate follows a listing's pages to the end, converting each item.
func paginate[In, Out any](page *github.ListOptions, convert func(In) Out, list func() ([]In, *github.Response, error)) ([]Out, error) {
	var out []Out
	for {
		items, resp, err := list()
		if err != nil {
			return nil, classify(resp, err)
		}
		for _, it := range items {
			out = append(out, convert(it))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		page.Page = resp.NextPage
	}
}

// Issue reads one issue.
func (g *GitHub) Issue(ctx context.Context, r Repo, number int) (drafts.Issue, error) {
	i, resp, err := g.c.Issues.Get(ctx, r.Owner, r.Name, number)
	if err != nil {
		return drafts.Issue{}, classify(resp, err)
	}
	return IssueOf(i), nil
}

// IssueOf converts go-github's issue to the newsletter's.
func IssueOf(i *github.Issue) drafts.Issue {
	out := drafts.Issue{Number: i.GetNumber(), Title: i.GetTitle(), Body: i.GetBody(), State: i.GetState(),
		HTMLURL: i.GetHTMLURL(), User: drafts.User{Login: i.GetUser().GetLogin()}, CreatedAt: i.GetCreatedAt().Time}
	for _, l := range i.Labels {
		out.Labels = append(out.Labels, drafts.Label{Name: l.GetName()})
	}
	if i.IsPullRequest() {
		out.PullRequest = json.RawMessage(`{}`)
	}
	return out
}

// AddLabels adds labels to an issue or pull request.
func (g *GitHub) AddLabels(ctx context.Context, r Repo, number int, labels ...string) error {
	_, resp, err := g.c.Issues.AddLabelsToIssue(ctx, r.Owner, r.Name, number, labels)
	return classify(resp, err)
}

// LabelNames lists the repository's labels.
func (g *GitHub) LabelNames(ctx context.Context, r Repo) ([]string, error) {
	opts := &github.ListOptions{PerPage: 100}
	return paginate(opts, (*github.Label).GetName, func() ([]*github.Label, *github.Response, error) {
		return g.c.Issues.ListLabels(ctx, r.Owner, r.Name, opts)
	})
}

// CreateLabel creates a repository label; one that exists already (made
// by someone, or by another replica a moment ago) is no error.
func (g *GitHub) CreateLabel(ctx context.Context, r Repo, name, color, description string) error {
	_, resp, err := g.c.Issues.CreateLabel(ctx, r.Owner, r.Name, &github.Label{Name: &name, Color: &color, Description: &description})
	if status(resp) == http.StatusUnprocessableEntity {
		return nil
	}
	return classify(resp, err)
}

// RemoveLabel removes a label; a label that is not there is no error.
func (g *GitHub) RemoveLabel(ctx context.Context, r Repo, number int, label string) error {
	resp, err := g.c.Issues.RemoveLabelForIssue(ctx, r.Owner, r.Name, number, label)
	if status(resp) == http.StatusNotFound {
		return nil
	}
	return classify(resp, err)
}

// CloseIssue closes an issue with a reason ("completed" or "not_planned").
func (g *GitHub) CloseIssue(ctx context.Context, r Repo, number int, reason string) error {
	_, resp, err := g.c.Issues.Edit(ctx, r.Owner, r.Name, number, &github.IssueRequest{
		State: github.String("closed"), StateReason: github.String(reason)})
	return classify(resp, err)
}

// CloseWithLabels closes an issue with a reason and sets its labels, in one
// PATCH: one write instead of one per label and one for the close.
func (g *GitHub) CloseWithLabels(ctx context.Context, r Repo, number int, reason string, labels []string) error {
	_, resp, err := g.c.Issues.Edit(ctx, r.Owner, r.Name, number, &github.IssueRequest{
		State: github.String("closed"), StateReason: github.String(reason), Labels: &labels})
	return classify(resp, err)
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID                   int64
	IssueNumber          int
	User                 string
	UserType             string // "User" or "Bot"
	Body                 string
	HTMLURL              string
	CreatedAt, UpdatedAt time.Time
	// Reactions counts the comment's reactions by content, anyone's
	// ("+1", "confused", "eyes", ...): zero means nobody reacted so.
	Reactions map[string]int
}

// Edited reports whether the comment was changed after it was created.
func (c Comment) Edited() bool { return c.UpdatedAt.After(c.CreatedAt) }

// CommentOf converts go-github's issue comment to the use cases'.
func CommentOf(c *github.IssueComment) Comment {
	n := 0
	if u := c.GetIssueURL(); u != "" {
		fmt.Sscanf(u[strings.LastIndex(u, "/")+1:], "%d", &n)
	}
	out := Comment{ID: c.GetID(), IssueNumber: n, User: c.GetUser().GetLogin(), UserType: c.GetUser().GetType(),
		Body: c.GetBody(), HTMLURL: c.GetHTMLURL(), CreatedAt: c.GetCreatedAt().Time, UpdatedAt: c.GetUpdatedAt().Time}
	if r := c.Reactions; r != nil {
		out.Reactions = map[string]int{"+1": r.GetPlusOne(), "confused": r.GetConfused(), "eyes": r.GetEyes()}
	}
	return out
}

// Comments lists an issue's comments, oldest first.
func (g *GitHub) Comments(ctx context.Context, r Repo, number int) ([]Comment, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	return paginate(&opts.ListOptions, CommentOf, func() ([]*github.IssueComment, *github.Response, error) {
		return g.c.Issues.ListComments(ctx, r.Owner, r.Name, number, opts)
	})
}

// RepoComments lists the repository's issue comments updated since t, oldest first.
func (g *GitHub) RepoComments(ctx context.Context, r Repo, since time.Time) ([]Comment, error) {
	opts := &github.IssueListCommentsOptions{Sort: github.String("created"), Direction: github.String("asc"),
		ListOptions: github.ListOptions{PerPage: 100}}
	if !since.IsZero() {
		opts.Since = &since
	}
	return paginate(&opts.ListOptions, CommentOf, func() ([]*github.IssueComment, *github.Response, error) {
		return g.c.Issues.ListComments(ctx, r.Owner, r.Name, 0, opts)
	})
}

// CreateComment comments on an issue or pull request.
func (g *GitHub) CreateComment(ctx context.Context, r Repo, number int, body string) (Comment, error) {
	c, resp, err := g.c.Issues.CreateComment(ctx, r.Owner, r.Name, number, &github.IssueComment{Body: &body})
	if err != nil {
		return Comment{}, classify(resp, err)
	}
	return CommentOf(c), nil
}

// EditComment replaces a comment's body.
func (g *GitHub) EditComment(ctx context.Context, r Repo, id int64, body string) error {
	_, resp, err := g.c.Issues.EditComment(ctx, r.Owner, r.Name, id, &github.IssueComment{Body: &body})
	return classify(resp, err)
}

// DeleteComment deletes a comment.
func (g *GitHub) DeleteComment(ctx context.Context, r Repo, id int64) error {
	resp, err := g.c.Issues.DeleteComment(ctx, r.Owner, r.Name, id)
	if status(resp) == http.StatusNotFound {
		return nil
	}
	return classify(resp, err)
}

// React adds the app's reaction to a comment and returns it. created
// says whether it is new: GitHub answers 200 instead of 201 when the same
// user already reacted so, which makes a reaction a claim two replicas
// cannot both win.
func (g *GitHub) React(ctx context.Context, r Repo, commentID int64, content string) (x Reaction, created bool, err error) {
	rx, resp, err := g.c.Reactions.CreateIssueCommentReaction(ctx, r.Owner, r.Name, commentID, content)
	if err != nil {
		return Reaction{}, false, classify(resp, err)
	}
	return Reaction{ID: rx.GetID(), User: rx.GetUser().GetLogin(), Content: rx.GetContent()}, status(resp) == http.StatusCreated, nil
}

// Reaction is one person's reaction to a comment.
type Reaction struct {
	ID        int64
	User      string
	Content   string
	CreatedAt time.Time // zero when GitHub did not say (React's answer)
}

// Reactions lists a comment's reactions, oldest first. go-github's
// Reaction type has no created_at, which tells a stale claim from a
// fresh one, so the list is read with a request of its own (the endpoint
// of Reactions.ListIssueCommentReactions).
func (g *GitHub) Reactions(ctx context.Context, r Repo, commentID int64) ([]Reaction, error) {
	type reaction struct {
		ID   int64 `json:"id"`
		User struct {
			Login string `json:"login"`
		} `json:"user"`
		Content   string    `json:"content"`
		CreatedAt time.Time `json:"created_at"`
	}
	var out []Reaction
	for page := 1; ; {
		req, err := g.c.NewRequest(http.MethodGet, fmt.Sprintf("repos/%v/%v/issues/comments/%v/reactions?per_page=100&page=%d",
			r.Owner, r.Name, commentID, page), nil)
		if err != nil {
			return nil, err
		}
		var items []reaction
		resp, err := g.c.Do(ctx, req, &items)
		if err != nil {
			return nil, classify(resp, err)
		}
		for _, x := range items {
			out = append(out, Reaction{ID: x.ID, User: x.User.Login, Content: x.Content, CreatedAt: x.CreatedAt})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

// DeleteReaction removes a reaction from a comment; ErrNotFound when it
// is gone already (someone else removed it first).
func (g *GitHub) DeleteReaction(ctx context.Context, r Repo, commentID, reactionID int64) error {
	resp, err := g.c.Reactions.DeleteIssueCommentReaction(ctx, r.Owner, r.Name, commentID, reactionID)
	return classify(resp, err)
}

// Permission returns a user's permission on the repository: "admin",
// "maintain", "write", "triage", "read" or "none".
func (g *GitHub) Permission(ctx context.Context, r Repo, user string) (string, error) {
	p, resp, err := g.c.Repositories.GetPermissionLevel(ctx, r.Owner, r.Name, user)
	if status(resp) == http.StatusNotFound {
		return "none", nil
	}
	if err != nil {
		return "", classify(resp, err)
	}
	if rn := p.GetUser().GetRoleName(); rn == "maintain" || rn == "triage" {
		return rn, nil
	}
	return p.GetPermission(), nil
}

// TeamMember reports whether user is an active member of org/team.
func (g *GitHub) TeamMember(ctx context.Context, org, team, user string) (bool, error) {
	m, resp, err := g.c.Teams.GetTeamMembershipBySlug(ctx, org, team, user)
	if status(resp) == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, classify(resp, err)
	}
	return m.GetState() == "active", nil
}

// Branch returns the commit a branch points to and that commit's tree.
func (g *GitHub) Branch(ctx context.Context, r Repo, branch string) (commit, tree string, err error) {
	b, resp, err := g.c.Repositories.GetBranch(ctx, r.Owner, r.Name, branch, 1)
	if err != nil {
		return "", "", classify(resp, err)
	}
	return b.GetCommit().GetSHA(), b.GetCommit().GetCommit().GetTree().GetSHA(), nil
}

// CommitInfo is what the use cases read of a commit.
type CommitInfo struct {
	SHA, Message, Tree string
	Parents            []string
}

// Commit reads a commit.
func (g *GitHub) Commit(ctx context.Context, r Repo, sha string) (CommitInfo, error) {
	c, resp, err := g.c.Git.GetCommit(ctx, r.Owner, r.Name, sha)
	if err != nil {
		return CommitInfo{}, classify(resp, err)
	}
	out := CommitInfo{SHA: c.GetSHA(), Message: c.GetMessage(), Tree: c.GetTree().GetSHA()}
	for _, p := range c.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out, nil
}

// CommitFiles writes files on top of a commit in two calls (a tree with
// the contents inline, then the commit) and returns the new commit's SHA.
// No ref moves.
func (g *GitHub) CommitFiles(ctx context.Context, r Repo, parent, baseTree string, files map[string]string, message string) (string, error) {
	var entries []*github.TreeEntry
	for _, path := range sortedKeys(files) {
		entries = append(entries, &github.TreeEntry{Path: github.String(path), Mode: github.String("100644"),
			Type: github.String("blob"), Content: github.String(files[path])})
	}
	tree, resp, err := g.c.Git.CreateTree(ctx, r.Owner, r.Name, baseTree, entries)
	if err != nil {
		return "", classify(resp, err)
	}
	c, resp, err := g.c.Git.CreateCommit(ctx, r.Owner, r.Name, &github.Commit{Message: &message, Tree: tree,
		Parents: []*github.Commit{{SHA: &parent}}}, nil)
	if err != nil {
		return "", classify(resp, err)
	}
	return c.GetSHA(), nil
}

// CreateBranch creates a branch at sha; errConflict when it exists.
func (g *GitHub) CreateBranch(ctx context.Context, r Repo, branch, sha string) error {
	_, resp, err := g.c.Git.CreateRef(ctx, r.Owner, r.Name, &github.Reference{Ref: github.String("refs/heads/" + branch),
		Object: &github.GitObject{SHA: &sha}})
	return classify(resp, err)
}

// MoveBranch moves a branch to sha; without force, errConflict unless it
// is a fast-forward (someone pushed in between).
func (g *GitHub) MoveBranch(ctx context.Context, r Repo, branch, sha string, force bool) error {
	_, resp, err := g.c.Git.UpdateRef(ctx, r.Owner, r.Name, &github.Reference{Ref: github.String("refs/heads/" + branch),
		Object: &github.GitObject{SHA: &sha}}, force)
	return classify(resp, err)
}

// Pull is what the use cases read of a pull request.
type Pull struct {
	Number         int
	Title, Body    string
	Head, Base     string
	HeadSHA        string // the head branch's commit when the pull request was read
	HeadRepo       string // "owner/name" of the head branch's repository
	User           string
	HTMLURL        string
	State          string
	Draft, Merged  bool
	MergeCommitSHA string
	Labels         []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       time.Time
	MergedAt       time.Time
}

// Pull reads one pull request.
func (g *GitHub) Pull(ctx context.Context, r Repo, number int) (Pull, error) {
	p, resp, err := g.c.PullRequests.Get(ctx, r.Owner, r.Name, number)
	if err != nil {
		return Pull{}, classify(resp, err)
	}
	return PullOf(p), nil
}

// PullOf converts go-github's pull request to the use cases'.
func PullOf(p *github.PullRequest) Pull {
	out := Pull{Number: p.GetNumber(), Title: p.GetTitle(), Body: p.GetBody(), Head: p.GetHead().GetRef(), HeadSHA: p.GetHead().GetSHA(),
		Base: p.GetBase().GetRef(), HeadRepo: p.GetHead().GetRepo().GetFullName(), User: p.GetUser().GetLogin(), HTMLURL: p.GetHTMLURL(), State: p.GetState(),
		Draft: p.GetDraft(), Merged: p.GetMerged() || p.MergedAt != nil, MergeCommitSHA: p.GetMergeCommitSHA(),
		CreatedAt: p.GetCreatedAt().Time, UpdatedAt: p.GetUpdatedAt().Time, ClosedAt: p.GetClosedAt().Time, MergedAt: p.GetMergedAt().Time}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// OpenPulls lists the open pull requests.
func (g *GitHub) OpenPulls(ctx context.Context, r Repo) ([]Pull, error) {
	opts := &github.PullRequestListOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}}
	return paginate(&opts.ListOptions, PullOf, func() ([]*github.PullRequest, *github.Response, error) {
		return g.c.PullRequests.List(ctx, r.Owner, r.Name, opts)
	})
}

// Pulls lists the pull requests from one of the repository's own branches
// in a state ("open", "closed" or "all").
func (g *GitHub) Pulls(ctx context.Context, r Repo, branch, state string) ([]Pull, error) {
	opts := &github.PullRequestListOptions{State: state, Head: r.Owner + ":" + branch, ListOptions: github.ListOptions{PerPage: 100}}
	return paginate(&opts.ListOptions, PullOf, func() ([]*github.PullRequest, *github.Response, error) {
		return g.c.PullRequests.List(ctx, r.Owner, r.Name, opts)
	})
}

// RecentlyClosedPulls lists the pull requests closed (or otherwise
// updated) since t, newest first, reading pages only as far back as t.
func (g *GitHub) RecentlyClosedPulls(ctx context.Context, r Repo, since time.Time) ([]Pull, error) {
	opts := &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: 30}}
	var out []Pull
	for {
		page, resp, err := g.c.PullRequests.List(ctx, r.Owner, r.Name, opts)
		if err != nil {
			return nil, classify(resp, err)
		}
		for _, p := range page {
			if p.GetUpdatedAt().Time.Before(since) {
				return out, nil
			}
			out = append(out, PullOf(p))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreatePull opens a draft pull request. When one is already open for
// head (another replica was quicker), that one is returned.
func (g *GitHub) CreatePull(ctx context.Context, r Repo, head, base, title, body string) (Pull, error) {
	p, resp, err := g.c.PullRequests.Create(ctx, r.Owner, r.Name, &github.NewPullRequest{Title: &title, Head: &head,
		Base: &base, Body: &body, Draft: github.Bool(true)})
	if err == nil {
		return PullOf(p), nil
	}
	if status(resp) != http.StatusUnprocessableEntity {
		return Pull{}, classify(resp, err)
	}
	pulls, lerr := g.OpenPulls(ctx, r)
	if lerr != nil {
		return Pull{}, lerr
	}
	for _, p := range pulls {
		if p.Head == head {
			return p, nil
		}
	}
	return Pull{}, classify(resp, err)
}

// EditPull replaces a pull request's title and body.
func (g *GitHub) EditPull(ctx context.Context, r Repo, number int, title, body string) error {
	_, resp, err := g.c.PullRequests.Edit(ctx, r.Owner, r.Name, number, &github.PullRequest{Title: &title, Body: &body})
	return classify(resp, err)
}

// CreateIssue opens an issue and returns its number.
func (g *GitHub) CreateIssue(ctx context.Context, r Repo, title, body string) (int, error) {
	i, resp, err := g.c.Issues.Create(ctx, r.Owner, r.Name, &github.IssueRequest{Title: &title, Body: &body})
	if err != nil {
		return 0, classify(resp, err)
	}
	return i.GetNumber(), nil
}

// EditIssueBody replaces an issue's body.
func (g *GitHub) EditIssueBody(ctx context.Context, r Repo, number int, body string) error {
	_, resp, err := g.c.Issues.Edit(ctx, r.Owner, r.Name, number, &github.IssueRequest{Body: &body})
	return classify(resp, err)
}
