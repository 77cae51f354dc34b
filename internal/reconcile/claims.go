package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
)

// A command's life is written in the bot's reactions on its comment, on
// GitHub: none yet (new), 👀 (claimed: a replica is running it), then 👍 or
// 😕 (answered, with a reply when something was refused). Only an answer
// ends it. A claim older than ClaimTTL without an answer belongs to a
// replica that died or failed, and is taken over; since every effect is
// idempotent, running a command twice changes nothing more than once.
const (
	reactClaim = "eyes"     // claimed: a replica is running it
	reactOK    = "+1"       // answered: done
	reactNo    = "confused" // answered: refused, unknown or malformed; see the reply
)

// Defaults for a claim's life.
const (
	// DefaultClaimTTL is how old a claim without an answer must be before
	// another replica (or the resync) takes it over. Commands take well
	// under a second; two minutes leaves room for GitHub's rate limit
	// waits.
	DefaultClaimTTL = 2 * time.Minute
	// DefaultClaimWait is how long a command waits for an earlier command
	// on the same issue that another replica is running, so that it sees
	// that command's effect.
	DefaultClaimWait = 10 * time.Second
)

// ErrBusy says an earlier command on the same issue is being run by
// another replica and did not finish in time; the resync (or a redelivery)
// runs this one later, in order.
var ErrBusy = errors.New("an earlier command on the issue is still being handled elsewhere")

// CommandOutcome says what happened to one comment's commands.
type CommandOutcome struct {
	Comment int64
	Ran     []string // command names that took effect
	Refused []string // replies' reasons
	Skipped string   // why nothing ran: "answered already", "being handled"
}

type commandState int

const (
	stateNew commandState = iota
	stateClaimed
	stateStale // claimed longer than ClaimTTL ago, never answered
	stateAnswered
)

// Hidden markers of the comments the bot writes for commands, keyed by the
// command's comment, so that running a command again edits its reply
// instead of writing a second one.
const (
	replyMarker    = "<!-- newsletter-bot:reply %d -->"
	helpMarker     = "<!-- newsletter-bot:help %d -->"
	declinedMarker = "<!-- newsletter-bot:declined %d -->"
	// deferredMarker names the edition a deferred item skips; one per
	// issue, edited when it is deferred again.
	deferredMarker = "<!-- newsletter-bot:deferred %d -->"
	deferredPrefix = "<!-- newsletter-bot:deferred "
)

// RunCommands answers the slash commands on issue number that are not
// answered yet, oldest first, up to and including comment upTo (0: all of
// them, as the resync does). Commands on one issue run in the order they
// were written, each after the one before it took effect: a command
// another replica is running is waited for (ClaimWait at most, then
// ErrBusy), so "kind job" then "accept" always accepts a job.
func (s *Service) RunCommands(ctx context.Context, number int, upTo int64) ([]CommandOutcome, error) {
	unlock := s.Memo.Lock(fmt.Sprintf("%s#%d", s.Repo.FullName(), number))
	defer unlock()
	comments, err := s.GH.Comments(ctx, s.Repo, number)
	if err != nil {
		return nil, err
	}
	var outs []CommandOutcome
	for _, c := range comments {
		if upTo != 0 && c.ID > upTo {
			break
		}
		if isBotUser(c.User, c.UserType) || !hasCommands(c.Body) || s.Memo.isAnswered(s.answeredKey(c.ID)) {
			continue
		}
		target := upTo == 0 || c.ID == upTo
		out, err := s.runComment(ctx, number, c, target)
		if out.Comment != 0 {
			outs = append(outs, out)
		}
		if err != nil || (out.Skipped != "" && upTo == 0) {
			// Later commands on the issue wait their turn behind one
			// that failed or runs elsewhere.
			return outs, err
		}
	}
	return outs, nil
}

// runComment brings one command comment to its answer: it runs it when it
// is new or its claim is stale, waits for it when another replica runs it
// and a later command depends on it (target false), and leaves it to that
// replica otherwise.
func (s *Service) runComment(ctx context.Context, number int, c Comment, target bool) (CommandOutcome, error) {
	for range 3 { // a lost claim race is looked at again
		st, claim, err := s.commandState(ctx, c)
		if err != nil {
			return CommandOutcome{}, err
		}
		if st == stateClaimed && !target {
			if st, claim, err = s.awaitAnswer(ctx, c); err != nil {
				return CommandOutcome{Comment: c.ID, Skipped: "being handled"}, err
			}
		}
		switch st {
		case stateAnswered:
			s.Memo.setAnswered(s.answeredKey(c.ID))
			return CommandOutcome{}, nil
		case stateClaimed:
			return CommandOutcome{Comment: c.ID, Skipped: "being handled"}, nil
		}
		out, err := s.claimAndRun(ctx, number, c, st, claim)
		if err != nil {
			return out, fmt.Errorf("commands in %s: %w", c.HTMLURL, err)
		}
		if out.Skipped == "" {
			return out, nil
		}
		c.Reactions = nil // another replica claimed it in between: look again
	}
	return CommandOutcome{Comment: c.ID, Skipped: "being handled"}, nil
}

// pendingCommands reports whether any of an issue's comments written
// before the instant before (on the calendar) holds a command the bot has
// not answered yet.
func (s *Service) pendingCommands(ctx context.Context, comments []Comment, before time.Time) (bool, error) {
	for _, c := range comments {
		if !s.onCalendar(c.CreatedAt).Before(before) {
			continue
		}
		if isBotUser(c.User, c.UserType) || !hasCommands(c.Body) || s.Memo.isAnswered(s.answeredKey(c.ID)) {
			continue
		}
		st, _, err := s.commandState(ctx, c)
		if err != nil || st != stateAnswered {
			return err == nil, err
		}
		s.Memo.setAnswered(s.answeredKey(c.ID))
	}
	return false, nil
}

func (s *Service) answeredKey(commentID int64) string {
	return fmt.Sprintf("%s #%d", strings.ToLower(s.Repo.FullName()), commentID)
}

func hasCommands(body string) bool {
	return strings.Contains(body, Prefix) && len(ParseCommands(body)) > 0
}

// isBotUser reports whether a comment's author is a bot: the bot itself,
// another app, or an account GitHub marks as one. Bots' commands never run.
func isBotUser(login, typ string) bool {
	return typ == "Bot" || strings.HasSuffix(strings.ToLower(login), "[bot]")
}

// commandState reads where a command comment is in its life. A comment
// nobody reacted to with 👍, 😕 or 👀 is new without a request (the
// comment carries its reaction counts); otherwise its reactions are read.
func (s *Service) commandState(ctx context.Context, c Comment) (commandState, Reaction, error) {
	if c.Reactions != nil && c.Reactions[reactOK]+c.Reactions[reactNo]+c.Reactions[reactClaim] == 0 {
		return stateNew, Reaction{}, nil
	}
	rs, err := s.GH.Reactions(ctx, s.Repo, c.ID)
	if err != nil {
		return stateNew, Reaction{}, err
	}
	st, claim := stateNew, Reaction{}
	for _, r := range rs {
		if !s.isBot(r.User) {
			continue
		}
		switch r.Content {
		case reactOK, reactNo:
			return stateAnswered, r, nil
		case reactClaim:
			st, claim = stateClaimed, r
		}
	}
	if st == stateClaimed && s.wallClock().Sub(claim.CreatedAt) >= s.claimTTL() {
		st = stateStale
	}
	return st, claim, nil
}

// awaitAnswer polls a comment another replica is running until it is
// answered or its claim goes stale, ClaimWait at most.
func (s *Service) awaitAnswer(ctx context.Context, c Comment) (commandState, Reaction, error) {
	deadline := time.Now().Add(s.claimWait())
	pause := 100 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return stateClaimed, Reaction{}, ctx.Err()
		case <-time.After(pause):
		}
		c.Reactions = nil // read them
		st, claim, err := s.commandState(ctx, c)
		if err != nil || st != stateClaimed {
			return st, claim, err
		}
		if time.Now().After(deadline) {
			return st, claim, fmt.Errorf("%w: %s", ErrBusy, c.HTMLURL)
		}
		pause = min(2*pause, time.Second)
	}
}

// claimAndRun claims a new comment, or takes a stale claim over, and runs
// its commands. Claiming is a race GitHub settles: the bot's 👀 exists
// once, so of two replicas adding it one gets 201 and the other 200; a
// stale claim is deleted by its id first, which only one replica can do.
func (s *Service) claimAndRun(ctx context.Context, number int, c Comment, st commandState, stale Reaction) (CommandOutcome, error) {
	out := CommandOutcome{Comment: c.ID}
	if st == stateStale {
		if err := s.GH.DeleteReaction(ctx, s.Repo, c.ID, stale.ID); errors.Is(err, ErrNotFound) {
			out.Skipped = "being handled" // another replica took it over first
			return out, nil
		} else if err != nil {
			return out, err
		}
		s.Logger().Info("taking over a command whose claim went stale", "issue", number, "comment", c.ID,
			"claimed_at", stale.CreatedAt)
	}
	claim, won, err := s.GH.React(ctx, s.Repo, c.ID, reactClaim)
	if err != nil {
		return out, err
	}
	if !won {
		out.Skipped = "being handled"
		return out, nil
	}
	// Earlier events take effect first: an edition merged before this
	// comment is published before it runs (its webhook may be lost), the
	// issue is read as it is now, after every earlier command (not the
	// webhook's copy, which may be older than those), and an event that
	// was over before the comment was written is closed as over first.
	_, err = s.RepairPublications(ctx)
	var issue drafts.Issue
	if err == nil {
		issue, err = s.GH.Issue(ctx, s.Repo, number)
	}
	if err == nil {
		_, err = s.closeIfOver(ctx, drafts.NewParser(s.Config, s.Forms), &issue, s.onCalendar(c.CreatedAt))
	}
	if err == nil {
		out, err = s.answer(ctx, c, issue)
	}
	if err != nil {
		// Give the claim back, so the next delivery or resync pass runs
		// it again at once; if this fails too, the claim goes stale.
		if derr := s.GH.DeleteReaction(context.WithoutCancel(ctx), s.Repo, c.ID, claim.ID); derr != nil && !errors.Is(derr, ErrNotFound) {
			s.Logger().Warn("could not take back the claim on a failed command; it is taken over once stale",
				"issue", number, "comment", c.ID, "error", derr)
		}
		return out, err
	}
	s.Memo.setAnswered(s.answeredKey(c.ID))
	return out, nil
}

// answer runs one claimed comment's commands, in order, replies when
// something was refused (or help was asked for), and reacts with the
// final answer. Every write is keyed to the comment, so answering twice
// writes each thing once.
func (s *Service) answer(ctx context.Context, c Comment, issue drafts.Issue) (CommandOutcome, error) {
	out := CommandOutcome{Comment: c.ID}
	user := c.User
	var replies []string
	x := &commandRun{s: s, comment: c, issue: &issue}
	if c.Edited() {
		replies = append(replies, "this comment was edited after it was posted, so its commands were not run "+
			"(a command is run only as first written, so that the comment keeps saying what was done). "+
			"Write them again in a new comment")
	} else {
		for _, inv := range ParseCommands(c.Body) {
			if inv.Err != nil {
				replies = append(replies, fmt.Sprintf("%s: %v", drafts.CodeSpan(inv.Line), inv.Err))
				continue
			}
			why, err := s.allowed(ctx, inv.Command, user, issue)
			if err != nil {
				return out, err
			}
			if why == "" {
				x.args = inv.Args
				if why, err = inv.Command.run(ctx, x); err != nil {
					return out, fmt.Errorf("/newsletter %s: %w", inv.Command.Name, err)
				}
			}
			if why != "" {
				replies = append(replies, fmt.Sprintf("%s: %s", drafts.CodeSpan(inv.Line), why))
				continue
			}
			out.Ran = append(out.Ran, inv.Command.Name)
		}
	}
	if x.help {
		marker := fmt.Sprintf(helpMarker, c.ID)
		msg := fmt.Sprintf("%s\n@%s: the newsletter commands, each on a line of its own in a new comment:\n\n%s", marker, user, HelpTable())
		if err := s.upsertComment(ctx, issue.Number, marker, msg); err != nil {
			return out, err
		}
	}
	out.Refused = replies
	reaction := reactOK
	if len(replies) > 0 {
		reaction = reactNo
		marker := fmt.Sprintf(replyMarker, c.ID)
		msg := fmt.Sprintf("%s\n@%s: %s.\n\n`%s help` lists the commands and who may use them.", marker, user, replies[0], Prefix)
		if len(replies) > 1 {
			msg = fmt.Sprintf("%s\n@%s:\n\n- %s.\n\n`%s help` lists the commands and who may use them.", marker, user,
				strings.Join(replies, ".\n- "), Prefix)
		}
		if err := s.upsertComment(ctx, issue.Number, marker, msg); err != nil {
			return out, err
		}
	}
	if _, _, err := s.GH.React(ctx, s.Repo, c.ID, reaction); err != nil {
		return out, err
	}
	s.Logger().Info("answered commands", "issue", issue.Number, "comment", c.ID, "ran", out.Ran, "refused", len(out.Refused))
	return out, nil
}

// CommentEdited answers an edit that put commands into a comment: they are
// not run, and the bot says so once (one reply per comment, edited in
// place on later edits). Commands the comment held when it was posted
// were handled then.
func (s *Service) CommentEdited(ctx context.Context, number int, c Comment, before string) error {
	if isBotUser(c.User, c.UserType) || !hasCommands(c.Body) || CommandLines(c.Body) == CommandLines(before) {
		return nil
	}
	marker := fmt.Sprintf(replyMarker, c.ID)
	msg := fmt.Sprintf("%s\n@%s: commands typed into an edited comment are not run (a command is run only as first written, "+
		"so that the comment keeps saying what was done). Write them again in a new comment.\n\n`%s help` lists the commands.",
		marker, c.User, Prefix)
	return s.upsertComment(ctx, number, marker, msg)
}

// CommandLines is the command lines of a comment, one a line: what an edit
// is judged by.
func CommandLines(body string) string {
	var lines []string
	for _, inv := range ParseCommands(body) {
		lines = append(lines, inv.Line)
	}
	return strings.Join(lines, "\n")
}

func (s *Service) claimTTL() time.Duration {
	if s.ClaimTTL > 0 {
		return s.ClaimTTL
	}
	return DefaultClaimTTL
}

func (s *Service) claimWait() time.Duration {
	if s.ClaimWait > 0 {
		return s.ClaimWait
	}
	return DefaultClaimWait
}

// wallClock is the time to compare GitHub's timestamps with.
func (s *Service) wallClock() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}
