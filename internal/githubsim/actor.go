package githubsim

import (
	"fmt"
	"strings"
)

// Actor is a simulated person acting on GitHub's web UI: every change goes
// through the same code as the REST API and emits the same webhooks, with
// the person as sender. Get one with Sim.Actor.
type Actor struct {
	s     *Sim
	login string
}

// Actor returns the simulated user with that login. The user must exist
// (AddUser, SetPermission or AddTeamMember create users); methods fail
// otherwise.
func (s *Sim) Actor(login string) *Actor { return &Actor{s: s, login: login} }

// Login returns the actor's login.
func (a *Actor) Login() string { return a.login }

// IssueEdit is a partial update of an issue; nil fields are left alone.
type IssueEdit struct {
	Title       *string
	Body        *string
	State       *string // "open" or "closed"
	StateReason *string // "completed", "not_planned" or "reopened"
}

// Push is a commit an actor pushes to a branch.
type Push struct {
	Files     map[string]string // path -> new content
	Deletions []string          // paths (files or directories) to delete
	Message   string            // defaults to "Update files"
}

// PullSpec opens a pull request.
type PullSpec struct {
	Head  string // branch (or "owner:branch") with the changes
	Base  string // defaults to the default branch
	Title string
	Body  string
	Draft bool
}

// with runs fn with the state locked, the actor's account and the repository.
func (a *Actor) with(repoName string, fn func(r *repo, me *account) error) error {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	me := a.s.st.accounts[strings.ToLower(a.login)]
	if me == nil || me.Type != "User" {
		return fmt.Errorf("githubsim: no user %q", a.login)
	}
	r, err := a.s.repoLocked(repoName)
	if err != nil {
		return err
	}
	if r.permission(me) == PermNone {
		return fmt.Errorf("githubsim: %s cannot see %s", a.login, repoName)
	}
	return fn(r, me)
}

func (a *Actor) need(r *repo, me *account, level string) error {
	if permRank[r.permission(me)] < permRank[level] {
		return fmt.Errorf("githubsim: %s needs %s permission on %s, has %s", a.login, level, r.fullName(), r.permission(me))
	}
	return nil
}

func (a *Actor) issue(r *repo, number int) (*issue, error) {
	i := r.issue(number)
	if i == nil {
		return nil, fmt.Errorf("githubsim: %s has no issue #%d", r.fullName(), number)
	}
	return i, nil
}

// OpenIssue opens an issue; labels are applied only with triage permission,
// as on GitHub.
func (a *Actor) OpenIssue(repoName, title, body string, labels ...string) (Issue, error) {
	return a.openIssue(repoName, title, body, labels, false)
}

// OpenIssueFromForm opens an issue the way submitting an issue form does:
// the form's labels are applied whatever the person's permission, because
// GitHub applies a template's labels itself. body is the text GitHub
// renders from the answers.
func (a *Actor) OpenIssueFromForm(repoName, title, body string, labels ...string) (Issue, error) {
	return a.openIssue(repoName, title, body, labels, true)
}

func (a *Actor) openIssue(repoName, title, body string, labels []string, fromForm bool) (Issue, error) {
	var out Issue
	err := a.with(repoName, func(r *repo, me *account) error {
		applyLabels := fromForm || permRank[r.permission(me)] >= permRank[PermTriage]
		i, err := a.s.createIssueLocked(r, me, false, title, body, labels, applyLabels)
		if err != nil {
			return fmt.Errorf("open issue in %s: %w", repoName, err)
		}
		out = snapshotIssue(i)
		return nil
	})
	return out, err
}

// EditIssue changes an issue's title, body or state.
func (a *Actor) EditIssue(repoName string, number int, e IssueEdit) (Issue, error) {
	var out Issue
	err := a.with(repoName, func(r *repo, me *account) error {
		i, err := a.issue(r, number)
		if err != nil {
			return err
		}
		edit := issueEdit{Title: e.Title, Body: e.Body, State: e.State, StateReason: e.StateReason}
		if err := issueEditAllowed(r, i, me, edit); err != nil {
			return fmt.Errorf("githubsim: %s may not edit %s#%d: %w", a.login, r.fullName(), number, err)
		}
		if err := a.s.editIssueLocked(r, i, me, edit); err != nil {
			return fmt.Errorf("edit issue #%d: %w", number, err)
		}
		out = snapshotIssue(i)
		return nil
	})
	return out, err
}

// CloseIssue closes an issue (or pull request without merging it).
func (a *Actor) CloseIssue(repoName string, number int) (Issue, error) {
	closed := "closed"
	return a.EditIssue(repoName, number, IssueEdit{State: &closed})
}

// ReopenIssue reopens a closed issue.
func (a *Actor) ReopenIssue(repoName string, number int) (Issue, error) {
	open := "open"
	return a.EditIssue(repoName, number, IssueEdit{State: &open})
}

// Comment comments on an issue or pull request.
func (a *Actor) Comment(repoName string, number int, body string) (Comment, error) {
	var out Comment
	err := a.with(repoName, func(r *repo, me *account) error {
		i, err := a.issue(r, number)
		if err != nil {
			return err
		}
		c, err := a.s.createCommentLocked(r, i, me, false, body)
		if err != nil {
			return fmt.Errorf("comment on #%d: %w", number, err)
		}
		out = Comment{ID: c.ID, IssueNumber: number, Body: c.Body, User: me.Login}
		return nil
	})
	return out, err
}

func (a *Actor) comment(r *repo, me *account, id int64) (*comment, error) {
	c := r.CommentByID[id]
	if c == nil {
		return nil, fmt.Errorf("githubsim: %s has no comment %d", r.fullName(), id)
	}
	if c.User != me {
		// GitHub: editing or deleting anyone's comment takes write.
		if err := a.need(r, me, PermWrite); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// EditComment changes a comment's body.
func (a *Actor) EditComment(repoName string, commentID int64, body string) (Comment, error) {
	var out Comment
	err := a.with(repoName, func(r *repo, me *account) error {
		c, err := a.comment(r, me, commentID)
		if err != nil {
			return err
		}
		if err := a.s.editCommentLocked(r, c, me, body); err != nil {
			return fmt.Errorf("edit comment %d: %w", commentID, err)
		}
		out = Comment{ID: c.ID, IssueNumber: c.Issue.Number, Body: c.Body, User: c.User.Login}
		return nil
	})
	return out, err
}

// DeleteComment deletes a comment.
func (a *Actor) DeleteComment(repoName string, commentID int64) error {
	return a.with(repoName, func(r *repo, me *account) error {
		c, err := a.comment(r, me, commentID)
		if err != nil {
			return err
		}
		a.s.deleteCommentLocked(r, c, me)
		return nil
	})
}

// AddLabels adds labels to an issue, creating missing repository labels.
func (a *Actor) AddLabels(repoName string, number int, labels ...string) error {
	return a.with(repoName, func(r *repo, me *account) error {
		if err := a.need(r, me, PermTriage); err != nil {
			return err
		}
		i, err := a.issue(r, number)
		if err != nil {
			return err
		}
		a.s.addLabelsLocked(r, i, me, labels)
		return nil
	})
}

// RemoveLabel removes a label from an issue.
func (a *Actor) RemoveLabel(repoName string, number int, label string) error {
	return a.with(repoName, func(r *repo, me *account) error {
		if err := a.need(r, me, PermTriage); err != nil {
			return err
		}
		i, err := a.issue(r, number)
		if err != nil {
			return err
		}
		if err := a.s.removeLabelLocked(r, i, me, label); err != nil {
			return fmt.Errorf("remove label %q from #%d: %w", label, number, err)
		}
		return nil
	})
}

// React leaves a reaction (+1, -1, laugh, confused, heart, hooray, rocket,
// eyes) on an issue comment.
func (a *Actor) React(repoName string, commentID int64, content string) (Reaction, error) {
	var out Reaction
	err := a.with(repoName, func(r *repo, me *account) error {
		c := r.CommentByID[commentID]
		if c == nil {
			return fmt.Errorf("githubsim: %s has no comment %d", repoName, commentID)
		}
		x, _, err := a.s.addReactionLocked(&c.Reactions, me, content)
		if err != nil {
			return fmt.Errorf("react to comment %d: %w", commentID, err)
		}
		out = Reaction{ID: x.ID, User: me.Login, Content: x.Content}
		return nil
	})
	return out, err
}

// ReactToIssue leaves a reaction on an issue.
func (a *Actor) ReactToIssue(repoName string, number int, content string) (Reaction, error) {
	var out Reaction
	err := a.with(repoName, func(r *repo, me *account) error {
		i, err := a.issue(r, number)
		if err != nil {
			return err
		}
		x, _, err := a.s.addReactionLocked(&i.Reactions, me, content)
		if err != nil {
			return fmt.Errorf("react to #%d: %w", number, err)
		}
		out = Reaction{ID: x.ID, User: me.Login, Content: x.Content}
		return nil
	})
	return out, err
}

// Push commits files to a branch (created from the default branch when
// missing) and returns the new commit's sha. Open pull requests from that
// branch get a synchronize event.
func (a *Actor) Push(repoName, branch string, p Push) (string, error) {
	var sha string
	err := a.with(repoName, func(r *repo, me *account) error {
		if err := a.need(r, me, PermWrite); err != nil {
			return err
		}
		msg := p.Message
		if msg == "" {
			msg = "Update files"
		}
		var err error
		sha, err = a.s.commitFilesLocked(r, branch, p.Files, p.Deletions, msg, me)
		if err != nil {
			return fmt.Errorf("push to %s: %w", branch, err)
		}
		return nil
	})
	return sha, err
}

// EditFile commits a new content for one file on a branch, as the web
// editor does, and returns the commit's sha.
func (a *Actor) EditFile(repoName, branch, path, content string) (string, error) {
	return a.Push(repoName, branch, Push{Files: map[string]string{path: content}, Message: "Update " + path})
}

// OpenPR opens a pull request.
func (a *Actor) OpenPR(repoName string, spec PullSpec) (PullRequest, error) {
	var out PullRequest
	err := a.with(repoName, func(r *repo, me *account) error {
		base := spec.Base
		if base == "" {
			base = r.DefaultBranch
		}
		p, err := a.s.createPullLocked(r, me, false, pullSpec{Title: spec.Title, Body: spec.Body, Head: spec.Head, Base: base, Draft: spec.Draft})
		if err != nil {
			return fmt.Errorf("open pull request from %s: %w", spec.Head, err)
		}
		out = snapshotPull(p)
		return nil
	})
	return out, err
}

// pull finds pull request number in r.
func (a *Actor) pull(r *repo, number int) (*issue, error) {
	i := r.issue(number)
	if i == nil || i.PR == nil {
		return nil, fmt.Errorf("githubsim: %s has no pull request #%d", r.fullName(), number)
	}
	return i, nil
}

// MergePR merges a pull request with a merge commit.
func (a *Actor) MergePR(repoName string, number int) (PullRequest, error) {
	var out PullRequest
	err := a.with(repoName, func(r *repo, me *account) error {
		if err := a.need(r, me, PermWrite); err != nil {
			return err
		}
		i, err := a.pull(r, number)
		if err != nil {
			return err
		}
		if _, err := a.s.mergePullLocked(r, i.PR, me, mergeOptions{}); err != nil {
			return fmt.Errorf("merge #%d: %w", number, err)
		}
		out = snapshotPull(i.PR)
		return nil
	})
	return out, err
}

// Token returns a new personal access token for the actor.
func (a *Actor) Token() (string, error) { return a.s.UserToken(a.login) }

// MarkReady marks a draft pull request ready for review, as the button on
// github.com does (GitHub's REST API cannot; its GraphQL API can, and so
// can the simulator's, see graphql.go), and emits
// pull_request.ready_for_review. The author or someone with write access
// may.
func (a *Actor) MarkReady(repoName string, number int) (PullRequest, error) {
	return a.setDraft(repoName, number, false)
}

// ConvertToDraft turns an open pull request back into a draft, as the link
// on github.com does, and emits pull_request.converted_to_draft.
func (a *Actor) ConvertToDraft(repoName string, number int) (PullRequest, error) {
	return a.setDraft(repoName, number, true)
}

func (a *Actor) setDraft(repoName string, number int, draft bool) (PullRequest, error) {
	var out PullRequest
	err := a.with(repoName, func(r *repo, me *account) error {
		i, err := a.pull(r, number)
		if err != nil {
			return err
		}
		if !draftChangeAllowed(r, i.PR, me) {
			return a.need(r, me, PermWrite)
		}
		if err := a.s.setDraftLocked(r, i.PR, me, draft); err != nil {
			return fmt.Errorf("change the draft state of #%d: %w", number, err)
		}
		out = snapshotPull(i.PR)
		return nil
	})
	return out, err
}
