package reconcile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // "name args" or "error: ..." per invocation
	}{
		{"a command alone is found", "/newsletter accept", []string{"accept"}},
		{"a command among text is found", "Looks good.\n/newsletter accept\nThanks!", []string{"accept"}},
		{"several run in order", "/newsletter kind news\r\n/newsletter accept", []string{"kind news", "accept"}},
		{"the command name is case-insensitive", "/newsletter ACCEPT", []string{"accept"}},
		{"decline keeps its reason", "/newsletter decline not OSPO related", []string{"decline not OSPO related"}},
		{"decline without a reason is malformed", "/newsletter decline", []string{"error: say why"}},
		{"an unknown command is reported", "/newsletter publish", []string{`error: there is no command "publish"`}},
		{"a bare prefix is reported", "/newsletter", []string{"error: a command is missing"}},
		{"arguments to a command that takes none are malformed", "/newsletter accept now", []string{"error: `/newsletter accept` takes no arguments"}},
		{"kind needs a known kind", "/newsletter kind podcast", []string{"error: name one kind"}},
		{"a command inside a quote is ignored", "> /newsletter accept", nil},
		{"a command inside a code fence is ignored", "```\n/newsletter accept\n```", nil},
		{"a command in an indented code block is ignored", "    /newsletter accept", nil},
		{"a command in the middle of a line is ignored", "please /newsletter accept", nil},
		{"a longer word is not the prefix", "/newsletters accept", nil},
		{"a command in an HTML comment is ignored", "<!-- /newsletter accept -->", nil},
		{"a command in a multi-line HTML comment is ignored", "Thanks!\n\n<!--\n/newsletter accept\n-->", nil},
		{"a command in an HTML comment that starts in a sentence is ignored", "Thanks <!--\n/newsletter accept\n--> for this", nil},
		{"a command right after a closed comment runs", "<!-- note to self -->\n/newsletter accept", []string{"accept"}},
		{"a command after a multi-line comment runs", "<!--\n/newsletter decline spam\n-->\n/newsletter accept", []string{"accept"}},
		{"a command after a ```` fence holding a ``` line is still code", "````\n```\n/newsletter accept\n````", nil},
		{"a command after the ```` fence closes runs", "````\n```\n````\n/newsletter accept", []string{"accept"}},
		{"a command in a ~~~ fence is ignored", "~~~\n/newsletter accept\n~~~", nil},
		{"a ``` line does not close a ~~~ fence", "~~~\n```\n/newsletter accept\n~~~", nil},
		{"a command in a fence never closed is ignored", "```\n/newsletter accept", nil},
		{"a command in a fence indented three spaces is ignored", "   ```\n   /newsletter accept\n   ```", nil},
		{"a command in a fence in a list item is ignored", "- ```\n  /newsletter accept\n  ```", nil},
		{"a ``` line with a backtick after it opens no fence", "```a`b\n/newsletter accept", []string{"accept"}},
		{"a command in a nested quote is ignored", "> > I think\n> >\n> > /newsletter accept", nil},
		{"a line right under a quote continues it and is ignored", "> can you accept?\n/newsletter accept", nil},
		{"a command after a quote and a blank line runs", "> can you accept?\n\n/newsletter accept", []string{"accept"}},
		{"a command after a byte-order mark runs", "\uFEFF/newsletter accept", []string{"accept"}},
		{"an indented line continuing a sentence runs", "Looks good.\n    /newsletter accept", []string{"accept"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, inv := range ParseCommands(tt.body) {
				switch {
				case inv.Err != nil:
					got = append(got, "error: "+inv.Err.Error())
				default:
					got = append(got, strings.TrimSpace(inv.Command.Name+" "+inv.Args))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseCommands(%q) = %q, want %q", tt.body, got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("ParseCommands(%q)[%d] = %q, want it to start with %q", tt.body, i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestUnknownCommand pins the reply to a command that does not exist: a
// "did you mean" naming the command a slip was probably for, or else the
// list of commands; what was typed is quoted so that it pings, links and
// formats nothing.
func TestUnknownCommand(t *testing.T) {
	var names []string
	for _, c := range Commands {
		names = append(names, c.Name)
	}
	list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " (`/newsletter help` says what each does)"
	tests := []struct {
		name, body, want string
	}{
		{"a letter left out gets did you mean", "/newsletter acept", "there is no command \"acept\"; did you mean `/newsletter accept`?"},
		{"two letters swapped get did you mean", "/newsletter wihtdraw", "there is no command \"wihtdraw\"; did you mean `/newsletter withdraw`?"},
		{"a slip in capitals gets did you mean", "/newsletter ACEPT", "there is no command \"acept\"; did you mean `/newsletter accept`?"},
		{"the start of one command only gets did you mean", "/newsletter acc", "there is no command \"acc\"; did you mean `/newsletter accept`?"},
		{"did you mean shows the arguments a command takes", "/newsletter decilne spam",
			"there is no command \"decilne\"; did you mean `/newsletter decline <reason>`?"},
		{"a slip as close to two commands names both", "/newsletter deft",
			"there is no command \"deft\"; did you mean `/newsletter defer` or `/newsletter draft`?"},
		{"the start of several commands lists them all", "/newsletter de", "there is no command \"de\"; the commands are " + list},
		{"a word close to no command lists them all", "/newsletter publish", "there is no command \"publish\"; the commands are " + list},
		{"a short word is not taken for a slip", "/newsletter ok", "there is no command \"ok\"; the commands are " + list},
		{"a mention in a slip stays quiet", "/newsletter @acept", "there is no command \"@&#8288;acept\"; did you mean `/newsletter accept`?"},
		{"backticks in a slip stay text", "/newsletter `accept`", "there is no command \"\\`accept\\`\"; did you mean `/newsletter accept`?"},
		{"a link stays text", "/newsletter [accept](https://evil.example)",
			"there is no command \"\\[accept\\](https:&#8288;//evil.example)\"; the commands are " + list},
		{"a reference stays text", "/newsletter #9999", "there is no command \"\\#&#8288;9999\"; the commands are " + list},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invs := ParseCommands(tt.body)
			if len(invs) != 1 || invs[0].Command != nil || invs[0].Err == nil {
				t.Fatalf("ParseCommands(%q) = %+v, want one unknown command", tt.body, invs)
			}
			if got := invs[0].Err.Error(); got != tt.want {
				t.Errorf("ParseCommands(%q)[0].Err = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestEveryCommandHasAnEffect(t *testing.T) {
	for _, c := range Commands {
		if c.run == nil || c.Effect == "" {
			t.Errorf("/newsletter %s: run %v, help %q; every entry needs both", c.Name, c.run != nil, c.Effect)
		}
	}
}

func TestHelpTableListsEveryCommand(t *testing.T) {
	table := HelpTable()
	rows := strings.Split(strings.TrimSpace(table), "\n")
	if len(rows) != len(Commands)+2 {
		t.Fatalf("help table has %d rows, want a header, a rule and %d commands:\n%s", len(rows), len(Commands), table)
	}
	for i, c := range Commands {
		if !strings.HasPrefix(rows[i+2], fmt.Sprintf("| `/newsletter %s", c.Name)) || !strings.Contains(rows[i+2], c.Who.String()) {
			t.Errorf("row %d = %q, want /newsletter %s for %s", i+2, rows[i+2], c.Name, c.Who)
		}
	}
}

// TestREADMECommandsTable keeps the README's table equal to the one the
// code drives parsing, permissions, help and the effects with.
func TestREADMECommandsTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- commands-table: generated from reconcile.Commands; a test keeps it equal -->\n")
	table, _, ok2 := strings.Cut(rest, "<!-- end commands-table -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no commands-table markers")
	}
	if table != HelpTable() {
		t.Errorf("README.md's commands table differs from reconcile.Commands; put this between the markers:\n%s", HelpTable())
	}
}

// say posts a comment as who and answers the commands up to it, as the
// comment's webhook does.
func (w *world) say(t testing.TB, who string, n int, body string) (githubsim.Comment, []CommandOutcome) {
	t.Helper()
	c, err := w.sim.Actor(who).Comment(repoFN, n, body)
	check(t, err)
	outs, err := w.svc.RunCommands(context.Background(), n, c.ID)
	check(t, err)
	return c, outs
}

// botReactions is the bot's reactions to a comment, in order: "eyes +1".
func (w *world) botReactions(t testing.TB, commentID int64) string {
	t.Helper()
	rs, err := w.sim.CommentReactions(repoFN, commentID)
	check(t, err)
	var out []string
	for _, r := range rs {
		if r.User == simtest.BotLogin {
			out = append(out, r.Content)
		}
	}
	return strings.Join(out, " ")
}

// botComments is the bot's comments on an issue, without the status one.
func (w *world) botComments(t testing.TB, n int) []string {
	t.Helper()
	cs, err := w.sim.Comments(repoFN, n)
	check(t, err)
	var out []string
	for _, c := range cs {
		if c.User == simtest.BotLogin && !strings.Contains(c.Body, statusMarker) {
			out = append(out, c.Body)
		}
	}
	return out
}

// newsletterLabels is the issue's labels that the config names, sorted.
func (w *world) newsletterLabels(t testing.TB, n int) []string {
	t.Helper()
	is, err := w.sim.Issue(repoFN, n)
	check(t, err)
	var out []string
	for _, l := range is.Labels {
		if strings.HasPrefix(l, "newsletter: ") {
			out = append(out, strings.TrimPrefix(l, "newsletter: "))
		}
	}
	slices.Sort(out)
	return out
}

// TestCommands runs every command, each refusal, and sequences in one
// comment, through RunCommands against the simulator, and looks at what
// people see: labels, state, the bot's reaction and its reply.
func TestCommands(t *testing.T) {
	aJob := job("Comcast", "https://example.com/jobs/1")
	type issueKind int
	const (
		jobIssue issueKind = iota
		closedJob
		plainIssue // no kind label, no form
		jobByBen
	)
	tests := []struct {
		name      string
		issue     issueKind
		who, body string
		labels    []string // the newsletter labels after
		state     string
		reaction  string
		reply     string // in a bot comment besides the status; "" for none
	}{
		{"help lists the commands, for anyone", jobIssue, "ben", "/newsletter help", []string{"job"}, "open", "+1", "| `/newsletter accept` | maintainer |"},
		{"preview is for anyone", jobIssue, "ben", "/newsletter preview", []string{"job"}, "open", "+1", ""},
		{"accept by a maintainer", jobIssue, "maya", "/newsletter accept", []string{"accepted", "job"}, "open", "+1", ""},
		{"accept by a member is refused", jobIssue, "ben", "/newsletter accept", []string{"job"}, "open", "confused", "only maintainers (write access) may do this"},
		{"accept on a closed issue is refused", closedJob, "maya", "/newsletter accept", []string{"job"}, "closed", "confused", "reopen it first"},
		{"accept on an issue that is no submission is refused", plainIssue, "maya", "/newsletter accept", nil, "open", "confused", "this is not a newsletter submission"},
		{"decline closes with the reason", jobIssue, "maya", "/newsletter decline not about OSPOs", []string{"declined", "job"}, "closed", "+1", "Declined by @maya for the newsletter: not about OSPOs"},
		{"decline without a reason asks why", jobIssue, "maya", "/newsletter decline", []string{"job"}, "open", "confused", "say why, for the author"},
		{"defer keeps it accepted and names the edition it skips", jobIssue, "maya", "/newsletter defer", []string{"accepted", "deferred", "job"}, "open", "+1", "skips edition 44 and comes back for edition 45"},
		{"kind reclassifies", jobIssue, "maya", "/newsletter kind news", []string{"news"}, "open", "+1", ""},
		{"kind makes an issue a submission", plainIssue, "maya", "/newsletter kind event", []string{"event"}, "open", "+1", ""},
		{"withdraw by the author closes", jobIssue, "ana", "/newsletter withdraw", []string{"job"}, "closed", "+1", ""},
		{"withdraw by someone else is refused", jobByBen, "ana", "/newsletter withdraw", []string{"job"}, "open", "confused", "only the issue's author or a maintainer"},
		{"draft opens the next edition's draft", jobIssue, "maya", "/newsletter draft", []string{"job"}, "open", "+1", ""},
		{"an unknown command is refused", jobIssue, "maya", "/newsletter acept", []string{"job"}, "open", "confused", "there is no command \"acept\"; did you mean `/newsletter accept`?"},
		{"kind news then kind job leaves a job", jobIssue, "maya", "/newsletter kind news\n/newsletter kind job", []string{"job"}, "open", "+1", ""},
		{"kind then accept accepts the new kind", plainIssue, "maya", "/newsletter kind job\n/newsletter accept", []string{"accepted", "job"}, "open", "+1", ""},
		{"accept twice is accept once", jobIssue, "maya", "/newsletter accept\n/newsletter accept", []string{"accepted", "job"}, "open", "+1", ""},
		{"one refused among several answers confused, the rest take effect", jobIssue, "maya", "/newsletter accept\n/newsletter frobnicate", []string{"accepted", "job"}, "open", "confused", `there is no command "frobnicate"; the commands are help, preview`},
		{"defer then accept brings it back", jobIssue, "maya", "/newsletter defer\n/newsletter accept", []string{"accepted", "job"}, "open", "+1", "skips edition 44"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "2026-12-01")
			var n int
			switch tt.issue {
			case jobIssue, closedJob:
				n = w.open(t, "ana", drafts.KindJob, aJob).Number
			case jobByBen:
				n = w.open(t, "ben", drafts.KindJob, aJob).Number
			case plainIssue:
				is, err := w.sim.Actor("ana").OpenIssue(repoFN, "A post: https://example.org/post", "See https://example.org/post")
				check(t, err)
				n = is.Number
			}
			if tt.issue == closedJob {
				_, err := w.sim.Actor("ana").CloseIssue(repoFN, n)
				check(t, err)
			}
			c, _ := w.say(t, tt.who, n, tt.body)
			if got := w.newsletterLabels(t, n); !slices.Equal(got, tt.labels) {
				t.Errorf("labels %q, want %q", got, tt.labels)
			}
			is, err := w.sim.Issue(repoFN, n)
			check(t, err)
			if is.State != tt.state {
				t.Errorf("state %s, want %s", is.State, tt.state)
			}
			if got := w.botReactions(t, c.ID); got != "eyes "+tt.reaction {
				t.Errorf("the bot's reactions %q, want %q", got, "eyes "+tt.reaction)
			}
			replies := w.botComments(t, n)
			switch {
			case tt.reply == "" && len(replies) > 0:
				t.Errorf("the bot replied %q, want no reply", replies)
			case tt.reply != "" && !strings.Contains(strings.Join(replies, "\n"), tt.reply):
				t.Errorf("the bot's replies %q lack %q", replies, tt.reply)
			}
			if tt.reaction == "confused" && !strings.Contains(strings.Join(replies, "\n"), "@"+tt.who+":") {
				t.Errorf("a refusal %q does not name %s", replies, tt.who)
			}

			// Answered is answered: the same comment again (a duplicate
			// delivery, the resync) reads and writes nothing more.
			before := w.writes()
			outs, err := w.svc.RunCommands(context.Background(), n, c.ID)
			check(t, err)
			if len(outs) != 0 || w.writes() != before {
				t.Errorf("running the comment again: %+v with %d writes, want nothing", outs, w.writes()-before)
			}
		})
	}
}

// A command is done only when the bot answered it. One whose work fails
// gives its claim back and runs again; one whose replica died keeps its
// claim until it is stale, then it is taken over; and running a command a
// second time writes no second reply.
func TestCommandLife(t *testing.T) {
	ctx := context.Background()

	t.Run("a command that fails is run again", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		w.sim.AddFault(githubsim.Fault{Route: "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", Kind: githubsim.FaultServerError, Times: 1})
		c, err := w.sim.Actor("maya").Comment(repoFN, n, "/newsletter accept")
		check(t, err)
		if _, err := w.svc.RunCommands(ctx, n, c.ID); err == nil {
			t.Fatal("the accept went through a 502")
		}
		if got := w.botReactions(t, c.ID); got != "" {
			t.Errorf("after the failure the bot's reactions are %q, want the claim given back", got)
		}
		outs, err := w.svc.RunCommands(ctx, n, 0) // the resync's way
		check(t, err)
		if len(outs) != 1 || len(outs[0].Ran) != 1 || w.botReactions(t, c.ID) != "eyes +1" {
			t.Errorf("the second run: %+v, reactions %q; want accept run and answered", outs, w.botReactions(t, c.ID))
		}
	})

	t.Run("a stale claim is taken over, a fresh one is not", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		c, err := w.sim.Actor("maya").Comment(repoFN, n, "/newsletter accept")
		check(t, err)
		// A replica claims it and dies.
		_, won, err := w.svc.GH.React(ctx, w.svc.Repo, c.ID, reactClaim)
		check(t, err)
		if !won {
			t.Fatal("the first claim was not won")
		}
		outs, err := w.svc.RunCommands(ctx, n, c.ID)
		check(t, err)
		if len(outs) != 1 || outs[0].Skipped != "being handled" || w.botReactions(t, c.ID) != "eyes" {
			t.Fatalf("with a fresh claim: %+v, reactions %q; want it left to its claimant", outs, w.botReactions(t, c.ID))
		}
		w.clock.Advance(DefaultClaimTTL + time.Second)
		outs, err = w.svc.RunCommands(ctx, n, 0)
		check(t, err)
		if len(outs) != 1 || len(outs[0].Ran) != 1 || w.botReactions(t, c.ID) != "eyes +1" {
			t.Fatalf("with a stale claim: %+v, reactions %q; want it taken over and answered", outs, w.botReactions(t, c.ID))
		}
		if got := w.newsletterLabels(t, n); !slices.Equal(got, []string{"accepted", "job"}) {
			t.Errorf("labels %q after the takeover, want accepted", got)
		}
	})

	t.Run("a later command waits for an earlier one running elsewhere", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		first, err := w.sim.Actor("maya").Comment(repoFN, n, "/newsletter kind news")
		check(t, err)
		second, err := w.sim.Actor("maya").Comment(repoFN, n, "/newsletter accept")
		check(t, err)
		_, _, err = w.svc.GH.React(ctx, w.svc.Repo, first.ID, reactClaim) // another replica has it
		check(t, err)
		svc := *w.svc
		svc.ClaimWait = 300 * time.Millisecond
		outs, err := svc.RunCommands(ctx, n, second.ID)
		if !errors.Is(err, ErrBusy) || w.botReactions(t, second.ID) != "" {
			t.Fatalf("RunCommands = %+v, %v with reactions %q; want ErrBusy and the accept untouched", outs, err, w.botReactions(t, second.ID))
		}
	})

	t.Run("an edited comment is not run, and the bot says so once", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		c, err := w.sim.Actor("maya").Comment(repoFN, n, "/newsletter acept")
		check(t, err)
		w.clock.Advance(2 * time.Second) // GitHub's timestamps have whole seconds
		_, err = w.sim.Actor("maya").EditComment(repoFN, c.ID, "/newsletter accept")
		check(t, err)
		for range 2 {
			_, err := w.svc.RunCommands(ctx, n, 0)
			check(t, err)
		}
		if got := w.newsletterLabels(t, n); !slices.Equal(got, []string{"job"}) {
			t.Errorf("labels %q: the edited command ran", got)
		}
		replies := w.botComments(t, n)
		if len(replies) != 1 || !strings.Contains(replies[0], "edited after it was posted") || w.botReactions(t, c.ID) != "eyes confused" {
			t.Errorf("replies %q, reactions %q; want one saying the edit is not run, and confused", replies, w.botReactions(t, c.ID))
		}
	})

	t.Run("an edit that adds a command gets one word", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		c, _ := w.say(t, "maya", n, "Looks good to me.")
		comment := Comment{ID: c.ID, User: "maya", UserType: "User", Body: "Looks good to me.\n/newsletter accept"}
		for range 2 {
			check(t, w.svc.CommentEdited(ctx, n, comment, "Looks good to me."))
		}
		if replies := w.botComments(t, n); len(replies) != 1 || !strings.Contains(replies[0], "not run") {
			t.Errorf("replies %q, want one saying commands in an edited comment are not run", replies)
		}
		check(t, w.svc.CommentEdited(ctx, n, Comment{ID: c.ID, User: "maya", UserType: "User", Body: "LGTM\n/newsletter accept"},
			"Looks good to me.\n/newsletter accept"))
		if replies := w.botComments(t, n); len(replies) != 1 {
			t.Errorf("an edit that left the commands as they were got a reply: %q", replies)
		}
	})

	t.Run("a refusal answered twice is replied once", func(t *testing.T) {
		w := newWorld(t, "2026-12-01")
		n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
		c, err := w.sim.Actor("ben").Comment(repoFN, n, "/newsletter accept\n/newsletter help")
		check(t, err)
		issue := w.issue(t, n)
		cm := Comment{ID: c.ID, IssueNumber: n, User: "ben", UserType: "User", Body: c.Body}
		for range 2 { // as when a claim is taken over after the replies were written
			_, err := w.svc.answer(ctx, cm, issue)
			check(t, err)
		}
		if replies := w.botComments(t, n); len(replies) != 2 {
			t.Errorf("%d replies, want one refusal and one help: %q", len(replies), replies)
		}
	})
}

// Two comments a few milliseconds apart, handled by two replicas at once
// (each with its own memory): the accept sees the kind label of the first,
// whichever replica gets there first.
func TestCommandsInTwoCommentsAtOnce(t *testing.T) {
	for i := range 5 {
		t.Run(fmt.Sprint("try ", i), func(t *testing.T) {
			w := newWorld(t, "2026-12-01")
			is, err := w.sim.Actor("ana").OpenIssue(repoFN, "A job", "https://example.com/jobs/1")
			check(t, err)
			first, err := w.sim.Actor("maya").Comment(repoFN, is.Number, "/newsletter kind job")
			check(t, err)
			second, err := w.sim.Actor("maya").Comment(repoFN, is.Number, "/newsletter accept")
			check(t, err)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for r, id := range []int64{first.ID, second.ID, second.ID, first.ID} {
				svc := *w.svc
				svc.Memo = &Memo{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[r] = svc.RunCommands(context.Background(), is.Number, id)
				}()
			}
			wg.Wait()
			check(t, errors.Join(errs...))
			if got := w.newsletterLabels(t, is.Number); !slices.Equal(got, []string{"accepted", "job"}) {
				t.Errorf("labels %q, want an accepted job", got)
			}
			for _, c := range []int64{first.ID, second.ID} {
				if got := w.botReactions(t, c); got != "eyes +1" {
					t.Errorf("comment %d: the bot's reactions %q, want eyes +1", c, got)
				}
			}
		})
	}
}

// A withdrawal ends a deferral: the closed issue waits for no edition.
func TestWithdrawEndsADeferral(t *testing.T) {
	w := newWorld(t, "2026-12-01")
	n := w.open(t, "ana", drafts.KindJob, job("Comcast", "https://example.com/jobs/1")).Number
	w.say(t, "maya", n, "/newsletter defer")
	w.say(t, "ana", n, "/newsletter withdraw")
	if got := w.newsletterLabels(t, n); !slices.Equal(got, []string{"accepted", "job"}) {
		t.Errorf("labels %q after defer then withdraw, want the deferral gone", got)
	}
}
