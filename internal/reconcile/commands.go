package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// Who may run a command.
type Who int

const (
	Anyone Who = iota
	AuthorOrMaintainer
	Maintainer
)

func (w Who) String() string {
	switch w {
	case Maintainer:
		return "maintainer"
	case AuthorOrMaintainer:
		return "author or maintainer"
	}
	return "anyone"
}

// Command is one slash command, whole: how it is written, who may use it,
// what help says of it, and what it does. The table below drives the
// parser, the permission check, /newsletter help and the effects alike
// (Prow registers a plugin's handler with its help for the same reason:
// two lists drift).
type Command struct {
	Name   string
	Args   string // usage of the arguments, "" for none
	Who    Who
	Effect string // what help says it does
	// check validates the arguments; nil means the command takes none.
	check func(args string) error
	// run carries the command out on x.issue and returns why it could
	// not, in words for the person who typed it, or "". It is idempotent:
	// running it again (a retried delivery, a claim taken over) changes
	// nothing more, and it keeps x.issue equal to what is on GitHub.
	run func(ctx context.Context, x *commandRun) (refusal string, err error)
}

// commandRun is one command line being carried out.
type commandRun struct {
	s       *Service
	comment Comment
	issue   *drafts.Issue // as it is on GitHub now, kept current by the effects
	args    string
	help    bool // the reply lists the commands
}

// Commands lists every slash command, in the order help shows them.
var Commands = []Command{
	{Name: "help", Who: Anyone, Effect: "reply with this table",
		run: func(ctx context.Context, x *commandRun) (string, error) { x.help = true; return "", nil }},
	{Name: "preview", Who: Anyone, Effect: "refresh the status comment", run: runPreview},
	{Name: "accept", Who: Maintainer, Effect: "accept; the open draft picks it up", run: runAccept},
	{Name: "repeat", Who: Maintainer, Effect: "accept although its link was published before (posted again on purpose)", run: runRepeat},
	{Name: "decline", Args: "<reason>", Who: Maintainer, Effect: "decline, close as not planned with the reason",
		check: func(a string) error {
			if a == "" {
				return fmt.Errorf("say why, for the author: `/newsletter decline <reason>`")
			}
			return nil
		}, run: runDecline},
	{Name: "defer", Who: Maintainer, Effect: "stays accepted, skips the current edition", run: runDefer},
	{Name: "kind", Args: "job|news|event", Who: Maintainer, Effect: "reclassify",
		check: func(a string) error {
			if _, ok := drafts.ParseKind(a); !ok || strings.Contains(a, " ") {
				return fmt.Errorf("name one kind: `/newsletter kind job`, `news` or `event`")
			}
			return nil
		}, run: runKind},
	{Name: "withdraw", Who: AuthorOrMaintainer, Effect: "close and take it out of the draft", run: runWithdraw},
	{Name: "draft", Who: Maintainer, Effect: "open the next edition's draft now, or refresh it", run: runDraft},
}

// Prefix starts every command.
const Prefix = "/newsletter"

// maxReason is how much of a decline reason the bot quotes, in characters.
const maxReason = 500

// Invocation is one command line found in a comment.
type Invocation struct {
	Line    string   // the line as written, for quoting in a reply
	Command *Command // nil for an unknown command
	Args    string
	Err     error // malformed arguments, or unknown command
}

// ParseCommands finds the command lines of a comment: lines of their own
// that start with /newsletter and that a reader sees as the commenter's text.
// A command in code (fenced or indented), in a block quote or in an HTML
// comment is not run: drafts.MarkdownLines reads the comment as GitHub
// renders it.
func ParseCommands(body string) []Invocation {
	var out []Invocation
	for _, l := range drafts.MarkdownLines(body) {
		if l.Kind != drafts.Text {
			continue
		}
		line := strings.TrimSpace(l.Text)
		if !strings.HasPrefix(line, Prefix) {
			continue
		}
		rest := line[len(Prefix):]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			continue // "/newsletters" or "/newsletter-x": not ours
		}
		out = append(out, parseInvocation(line, strings.TrimSpace(rest)))
	}
	return out
}

func parseInvocation(line, rest string) Invocation {
	inv := Invocation{Line: line}
	name, args, _ := strings.Cut(rest, " ")
	name, inv.Args = strings.ToLower(name), strings.TrimSpace(args)
	if name == "" {
		inv.Err = fmt.Errorf("a command is missing after %s", Prefix)
		return inv
	}
	for i := range Commands {
		if Commands[i].Name == name {
			inv.Command = &Commands[i]
		}
	}
	switch {
	case inv.Command == nil:
		inv.Err = unknownCommand(name)
	case inv.Command.check != nil:
		inv.Err = inv.Command.check(inv.Args)
	case inv.Args != "":
		inv.Err = fmt.Errorf("`%s %s` takes no arguments", Prefix, name)
	}
	return inv
}

// unknownCommand says that there is no command name, and which one was
// probably meant (drafts.Suggest), or else which there are.
func unknownCommand(name string) error {
	names := make([]string, len(Commands))
	usage := map[string]string{}
	for i, c := range Commands {
		names[i] = c.Name
		usage[c.Name] = "`" + strings.TrimSpace(Prefix+" "+c.Name+" "+c.Args) + "`"
	}
	if meant := drafts.Suggest(name, names); len(meant) > 0 {
		for i, n := range meant {
			meant[i] = usage[n]
		}
		return fmt.Errorf("there is no command \"%s\"; did you mean %s?", drafts.Plain(name), strings.Join(meant, " or "))
	}
	return fmt.Errorf("there is no command \"%s\"; the commands are %s and %s (`%s help` says what each does)",
		drafts.Plain(name), strings.Join(names[:len(names)-1], ", "), names[len(names)-1], Prefix)
}

// HelpTable is the markdown table of the commands, as help replies with it
// and the README shows it.
func HelpTable() string {
	var b strings.Builder
	b.WriteString("| command | who | effect |\n|---|---|---|\n")
	for _, c := range Commands {
		usage := Prefix + " " + c.Name
		if c.Args != "" {
			usage += " " + strings.ReplaceAll(c.Args, "|", "\\|")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", usage, c.Who, c.Effect)
	}
	return b.String()
}

// The effects. Each reads x.issue, which the runner fetched after every
// earlier command on the issue was answered, and writes only what differs.

func (x *commandRun) needSubmission() string {
	if kindOf(x.s.Config, *x.issue) == "" {
		l := x.s.Config.Labels
		return fmt.Sprintf("this is not a newsletter submission (no %q, %q or %q label); `%s kind job|news|event` makes it one",
			l.Job, l.News, l.Event, Prefix)
	}
	return ""
}

func runPreview(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	draft, err := x.s.openDraft(ctx)
	if err != nil {
		return "", err
	}
	return "", x.s.ReconcileSubmission(ctx, *x.issue, draft)
}

func runAccept(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	l := x.s.Config.Labels
	if x.issue.State == "closed" && x.issue.HasLabel(l.Published) {
		// Published already: accepting it changes nothing, whether the
		// command came before the edition went out or after.
		return "", nil
	}
	if x.issue.State == "closed" {
		return "the issue is closed; reopen it first", nil
	}
	return "", x.s.relabel(ctx, x.issue, []string{l.Accepted}, []string{l.Declined, l.Deferred})
}

// runRepeat accepts a submission whose link an earlier edition published,
// on purpose (a job posted again): the repeat label says it is no
// duplicate of that publication.
func runRepeat(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	l := x.s.Config.Labels
	if x.issue.State == "closed" {
		return "the issue is closed; reopen it first", nil
	}
	return "", x.s.relabel(ctx, x.issue, []string{l.Accepted, l.Repeat}, []string{l.Declined, l.Deferred})
}

func runDecline(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	l := x.s.Config.Labels
	marker := fmt.Sprintf(declinedMarker, x.comment.ID)
	msg := fmt.Sprintf("%s\nDeclined by @%s for the newsletter: %s\n\nThank you for the suggestion all the same.",
		marker, x.comment.User, drafts.PlainUpTo(x.args, maxReason))
	if err := x.s.upsertComment(ctx, x.issue.Number, marker, msg); err != nil {
		return "", err
	}
	return "", x.s.closeRelabelled(ctx, x.issue, []string{l.Declined}, []string{l.Accepted, l.Deferred}, "not_planned")
}

func runDefer(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	// The edition it skips is the one being prepared when the command
	// was written, even if the bot runs it later (it was down, or the
	// claim of a replica that died had to go stale): if that edition is
	// out already, the deferral is over, and the item stays accepted for
	// the next.
	skip, over, err := x.s.editionAt(ctx, x.comment.CreatedAt)
	if err != nil {
		return "", err
	}
	if x.issue.State == "closed" {
		// Closed since the command was written (published in the
		// edition it skips, or a later one): the deferral is moot, not
		// refused. Closed before it: reopen first.
		comments, err := x.s.GH.Comments(ctx, x.s.Repo, x.issue.Number)
		if err != nil {
			return "", err
		}
		if !over || slices.Max(append(x.s.publishedIn(comments), 0)) < skip {
			return "the issue is closed; reopen it first", nil
		}
	}
	x.s.Logger().Info("deferring", "issue", x.issue.Number, "skips", skip, "over_already", over, "written_at", x.comment.CreatedAt)
	l := x.s.Config.Labels
	add, remove := []string{l.Accepted, l.Deferred}, []string{l.Declined}
	if over {
		add, remove = []string{l.Accepted}, []string{l.Declined, l.Deferred}
	}
	// The edition it skips is written down where publishing reads it
	// (publishing that edition brings the item back), before the label:
	// a publication running meanwhile must never see the label with an
	// older deferral's edition.
	marker := fmt.Sprintf(deferredMarker, skip)
	msg := fmt.Sprintf("%s\n⏭️ Deferred by @%s: this suggestion skips edition %d and comes back for edition %d by itself. "+
		"`%s accept` brings it back at once.", marker, x.comment.User, skip, skip+1, Prefix)
	if err := x.s.upsertComment(ctx, x.issue.Number, deferredPrefix, msg); err != nil {
		return "", err
	}
	if x.issue.State != "open" {
		return "", nil
	}
	return "", x.s.relabel(ctx, x.issue, add, remove)
}

func runDraft(ctx context.Context, x *commandRun) (string, error) {
	// Written while an edition that is out now was being prepared (the
	// bot ran it late): that draft is merged; the command does not open
	// the one after it.
	_, merged, err := x.s.editionAt(ctx, x.comment.CreatedAt)
	if err != nil {
		return "", err
	}
	_, err = x.s.ReconcileDraft(ctx, !merged)
	return "", err
}

func runKind(ctx context.Context, x *commandRun) (string, error) {
	k, _ := drafts.ParseKind(x.args)
	l := x.s.Config.Labels
	var remove []string
	for _, other := range drafts.Kinds {
		if other != k && l.ForKind(other) != l.ForKind(k) {
			remove = append(remove, l.ForKind(other))
		}
	}
	return "", x.s.relabel(ctx, x.issue, []string{l.ForKind(k)}, remove)
}

func runWithdraw(ctx context.Context, x *commandRun) (string, error) {
	if why := x.needSubmission(); why != "" {
		return why, nil
	}
	// A deferral ends with the submission: it waits for no edition now
	// (and is the same whether the defer before it ran on time or late).
	return "", x.s.closeRelabelled(ctx, x.issue, nil, []string{x.s.Config.Labels.Deferred}, "not_planned")
}

// relabel adds and removes labels, writing only what differs, and keeps
// issue's labels equal to GitHub's.
func (s *Service) relabel(ctx context.Context, issue *drafts.Issue, add, remove []string) error {
	var missing []string
	for _, l := range add {
		if !issue.HasLabel(l) && !contains(missing, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		if err := s.GH.AddLabels(ctx, s.Repo, issue.Number, missing...); err != nil {
			return err
		}
		for _, l := range missing {
			issue.Labels = append(issue.Labels, drafts.Label{Name: l})
		}
	}
	for _, l := range remove {
		if !issue.HasLabel(l) || contains(add, l) {
			continue
		}
		if err := s.GH.RemoveLabel(ctx, s.Repo, issue.Number, l); err != nil {
			return err
		}
		kept := issue.Labels[:0]
		for _, have := range issue.Labels {
			if !strings.EqualFold(have.Name, l) {
				kept = append(kept, have)
			}
		}
		issue.Labels = kept
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// closeRelabelled closes an open issue with a reason and changes its labels
// in one write (GitHub's issue PATCH sets state, reason and labels at
// once). The labels written are the issue's as just read, changed: a label
// someone changes between that read and this write is lost, which is why
// only a close, which ends the issue's life, is combined so. A closed
// issue is relabelled label by label.
func (s *Service) closeRelabelled(ctx context.Context, issue *drafts.Issue, add, remove []string, reason string) error {
	if issue.State == "closed" {
		return s.relabel(ctx, issue, add, remove)
	}
	var labels []drafts.Label
	var names []string
	for _, l := range issue.Labels {
		if !contains(remove, l.Name) || contains(add, l.Name) {
			labels, names = append(labels, l), append(names, l.Name)
		}
	}
	for _, l := range add {
		if !contains(names, l) {
			labels, names = append(labels, drafts.Label{Name: l}), append(names, l)
		}
	}
	if err := s.GH.CloseWithLabels(ctx, s.Repo, issue.Number, reason, names); err != nil {
		return err
	}
	issue.State, issue.Labels = "closed", labels
	return nil
}

// allowed returns why user may not run c on issue, or "".
func (s *Service) allowed(ctx context.Context, c *Command, user string, issue drafts.Issue) (string, error) {
	switch c.Who {
	case Anyone:
		return "", nil
	case AuthorOrMaintainer:
		if strings.EqualFold(user, issue.User.Login) {
			return "", nil
		}
	}
	yes, err := s.IsMaintainer(ctx, user)
	if err != nil || yes {
		return "", err
	}
	if c.Who == AuthorOrMaintainer {
		return "only the issue's author or a maintainer may do this", nil
	}
	team := ""
	if t := s.Config.Maintainers.Team; t != "" {
		team = ", or the " + t + " team"
	}
	return "only maintainers (write access" + team + ") may do this", nil
}

// IsMaintainer reports whether user has write, maintain or admin
// permission on the repository, or belongs to the team the config names.
// Answers are remembered briefly (Memo), so a burst of commands costs one
// lookup per person.
func (s *Service) IsMaintainer(ctx context.Context, user string) (bool, error) {
	key := s.Repo.FullName() + " " + user
	if yes, ok := s.Memo.maintainer(key); ok {
		return yes, nil
	}
	perm, err := s.GH.Permission(ctx, s.Repo, user)
	if err != nil {
		return false, err
	}
	yes := perm == "admin" || perm == "maintain" || perm == "write"
	if team := s.Config.Maintainers.Team; !yes && team != "" {
		org, slug, found := strings.Cut(team, "/")
		if !found {
			org, slug = s.Repo.Owner, team
		}
		if yes, err = s.GH.TeamMember(ctx, org, slug, user); err != nil {
			return false, err
		}
	}
	s.Memo.setMaintainer(key, yes)
	return yes, nil
}

func kindOf(cfg *drafts.Config, issue drafts.Issue) drafts.Kind {
	for _, k := range drafts.Kinds {
		if issue.HasLabel(cfg.Labels.ForKind(k)) {
			return k
		}
	}
	return ""
}
