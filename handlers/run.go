package handlers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// Reactions the bot leaves on a command comment.
const (
	reactClaim = "eyes"     // taken: a replica is handling it
	reactOK    = "+1"       // done
	reactNo    = "confused" // refused, unknown or malformed: see the reply
)

// Maintainers answers "is this person a maintainer here?", caching answers
// briefly so a burst of commands costs one lookup per person.
type Maintainers struct {
	TTL time.Duration
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]maintainerAnswer
}

type maintainerAnswer struct {
	yes bool
	at  time.Time
}

func (m *Maintainers) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Is reports whether user has write, maintain or admin permission on the
// repository, or belongs to the team the config names.
func (m *Maintainers) Is(ctx context.Context, svc *reconcile.Service, user string) (bool, error) {
	key := strings.ToLower(svc.Repo.FullName() + " " + user)
	ttl := m.TTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	m.mu.Lock()
	if a, ok := m.cache[key]; ok && m.now().Sub(a.at) < ttl {
		m.mu.Unlock()
		return a.yes, nil
	}
	m.mu.Unlock()
	perm, err := svc.GH.Permission(ctx, svc.Repo, user)
	if err != nil {
		return false, err
	}
	yes := perm == "admin" || perm == "maintain" || perm == "write"
	if team := svc.Config.Maintainers.Team; !yes && team != "" {
		org, slug, found := strings.Cut(team, "/")
		if !found {
			org, slug = svc.Repo.Owner, team
		}
		if yes, err = svc.GH.TeamMember(ctx, org, slug, user); err != nil {
			return false, err
		}
	}
	m.mu.Lock()
	if m.cache == nil {
		m.cache = map[string]maintainerAnswer{}
	}
	m.cache[key] = maintainerAnswer{yes: yes, at: m.now()}
	m.mu.Unlock()
	return yes, nil
}

// CommentEvent is a newly created comment that may hold commands.
type CommentEvent struct {
	Comment reconcile.Comment
	Issue   drafts.Issue
}

// CommandOutcome says what RunCommands did.
type CommandOutcome struct {
	Ran     []string // command names that took effect
	Refused []string // replies' reasons
	Skipped string   // why nothing ran: "no command", "from a bot", "already handled"
}

// RunCommands runs the slash commands of one new comment, in order. It
// claims the comment with a reaction first, so two replicas (or a webhook
// and the resync) never both run it; then each command is checked against
// the table's "who" and run. Success: 👍. Anything refused, unknown or
// malformed: 😕 and one reply quoting the commands and pointing to help.
func RunCommands(ctx context.Context, svc *reconcile.Service, m *Maintainers, ev CommentEvent) (CommandOutcome, error) {
	var out CommandOutcome
	if strings.HasSuffix(strings.ToLower(ev.Comment.User), "[bot]") || ev.Comment.UserType == "Bot" {
		out.Skipped = "from a bot"
		return out, nil
	}
	invs := ParseCommands(ev.Comment.Body)
	if len(invs) == 0 {
		out.Skipped = "no command"
		return out, nil
	}
	won, err := svc.GH.React(ctx, svc.Repo, ev.Comment.ID, reactClaim)
	if err != nil {
		return out, err
	}
	if !won {
		out.Skipped = "already handled"
		return out, nil
	}
	user := ev.Comment.User
	var replies []string
	var help bool
	issue := ev.Issue
	for _, inv := range invs {
		if inv.Err != nil {
			replies = append(replies, fmt.Sprintf("`%s`: %v.", inv.Line, inv.Err))
			continue
		}
		if why, err := allowed(ctx, svc, m, inv.Command, user, issue); err != nil {
			return out, err
		} else if why != "" {
			replies = append(replies, fmt.Sprintf("`%s`: %s.", inv.Line, why))
			continue
		}
		why, err := run(ctx, svc, inv, user, &issue)
		if err != nil {
			return out, err
		}
		if why != "" {
			replies = append(replies, fmt.Sprintf("`%s`: %s.", inv.Line, why))
			continue
		}
		out.Ran = append(out.Ran, inv.Command.Name)
		help = help || inv.Command.Name == "help"
	}
	if help {
		msg := fmt.Sprintf("@%s: the newsletter commands, each on a line of its own in a new comment:\n\n%s", user, HelpTable())
		if _, err := svc.GH.CreateComment(ctx, svc.Repo, issue.Number, msg); err != nil {
			return out, err
		}
	}
	out.Refused = replies
	reaction := reactOK
	if len(replies) > 0 {
		reaction = reactNo
		msg := fmt.Sprintf("@%s: %s\n\n`%s help` lists the commands and who may use them.", user, strings.Join(replies, "\n"), Prefix)
		if len(replies) > 1 {
			msg = fmt.Sprintf("@%s:\n\n- %s\n\n`%s help` lists the commands and who may use them.", user, strings.Join(replies, "\n- "), Prefix)
		}
		if _, err := svc.GH.CreateComment(ctx, svc.Repo, issue.Number, msg); err != nil {
			return out, err
		}
	}
	_, err = svc.GH.React(ctx, svc.Repo, ev.Comment.ID, reaction)
	return out, err
}

// allowed returns why user may not run c on issue, or "".
func allowed(ctx context.Context, svc *reconcile.Service, m *Maintainers, c *Command, user string, issue drafts.Issue) (string, error) {
	switch c.Who {
	case Anyone:
		return "", nil
	case AuthorOrMaintainer:
		if strings.EqualFold(user, issue.User.Login) {
			return "", nil
		}
	}
	yes, err := m.Is(ctx, svc, user)
	if err != nil || yes {
		return "", err
	}
	if c.Who == AuthorOrMaintainer {
		return "only the issue's author or a maintainer may do this", nil
	}
	return "only maintainers (write access" + teamNote(svc) + ") may do this", nil
}

func teamNote(svc *reconcile.Service) string {
	if t := svc.Config.Maintainers.Team; t != "" {
		return ", or the " + t + " team"
	}
	return ""
}

// run carries out one permitted command; it returns why it could not, or "".
func run(ctx context.Context, svc *reconcile.Service, inv Invocation, user string, issue *drafts.Issue) (string, error) {
	labels := svc.Config.Labels
	kind := kindOf(svc.Config, *issue)
	needSubmission := func() string {
		if kind == "" {
			return fmt.Sprintf("this is not a newsletter submission (no %q, %q or %q label); `%s kind job|news|event` makes it one",
				labels.Job, labels.News, labels.Event, Prefix)
		}
		return ""
	}
	switch inv.Command.Name {
	case "help":
		return "", nil
	case "preview":
		if why := needSubmission(); why != "" {
			return why, nil
		}
		draft, err := openDraft(ctx, svc)
		if err != nil {
			return "", err
		}
		return "", svc.ReconcileSubmission(ctx, *issue, draft)
	case "accept":
		if why := needSubmission(); why != "" {
			return why, nil
		}
		if issue.State == "closed" {
			return "the issue is closed; reopen it first", nil
		}
		return "", relabel(ctx, svc, issue, []string{labels.Accepted}, []string{labels.Declined, labels.Deferred})
	case "decline":
		if why := needSubmission(); why != "" {
			return why, nil
		}
		if err := relabel(ctx, svc, issue, []string{labels.Declined}, []string{labels.Accepted, labels.Deferred}); err != nil {
			return "", err
		}
		msg := fmt.Sprintf("Declined by @%s for the newsletter: %s\n\nThank you for the suggestion all the same.", user, inv.Args)
		if _, err := svc.GH.CreateComment(ctx, svc.Repo, issue.Number, msg); err != nil {
			return "", err
		}
		return "", svc.GH.CloseIssue(ctx, svc.Repo, issue.Number, "not_planned")
	case "defer":
		if why := needSubmission(); why != "" {
			return why, nil
		}
		return "", relabel(ctx, svc, issue, []string{labels.Accepted, labels.Deferred}, []string{labels.Declined})
	case "kind":
		k, _ := drafts.ParseKind(inv.Args)
		var remove []string
		for _, other := range drafts.Kinds {
			if other != k {
				remove = append(remove, labels.ForKind(other))
			}
		}
		return "", relabel(ctx, svc, issue, []string{labels.ForKind(k)}, remove)
	case "withdraw":
		if why := needSubmission(); why != "" {
			return why, nil
		}
		if issue.State == "closed" {
			return "", nil
		}
		issue.State = "closed"
		return "", svc.GH.CloseIssue(ctx, svc.Repo, issue.Number, "not_planned")
	case "draft":
		_, err := svc.ReconcileDraft(ctx, true)
		return "", err
	}
	return fmt.Sprintf("the command %q has no handler", inv.Command.Name), nil
}

// relabel adds and removes labels, writing only what differs.
func relabel(ctx context.Context, svc *reconcile.Service, issue *drafts.Issue, add, remove []string) error {
	var missing []string
	for _, l := range add {
		if !issue.HasLabel(l) {
			missing = append(missing, l)
			issue.Labels = append(issue.Labels, drafts.Label{Name: l})
		}
	}
	if len(missing) > 0 {
		if err := svc.GH.AddLabels(ctx, svc.Repo, issue.Number, missing...); err != nil {
			return err
		}
	}
	for _, l := range remove {
		if issue.HasLabel(l) {
			if err := svc.GH.RemoveLabel(ctx, svc.Repo, issue.Number, l); err != nil {
				return err
			}
		}
	}
	return nil
}

func kindOf(cfg *drafts.Config, issue drafts.Issue) drafts.Kind {
	for _, k := range drafts.Kinds {
		if issue.HasLabel(cfg.Labels.ForKind(k)) {
			return k
		}
	}
	return ""
}

func openDraft(ctx context.Context, svc *reconcile.Service) (*reconcile.Draft, error) {
	d, ok, err := svc.OpenDraft(ctx)
	if err != nil || !ok {
		return nil, err
	}
	return &d, nil
}
