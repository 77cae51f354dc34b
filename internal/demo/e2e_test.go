package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

func start(t *testing.T, opts Options) (*World, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	w, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("stopping the replicas: %v", err)
		}
	})
	return w, ctx
}

func play(t *testing.T, w *World, ctx context.Context) *Story {
	t.Helper()
	var out bytes.Buffer
	st, err := Play(ctx, w, &out)
	if err != nil || !st.Held() {
		t.Log("\n" + out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if !st.Held() {
		t.Fatalf("the story did not hold:\n- %s", strings.Join(st.Failures, "\n- "))
	}
	return st
}

// TestStoryHolds is the demo's month, end to end over HTTP with signed
// webhooks through go-githubapp's dispatcher: Play asserts on what people
// see (status comments, labels, reactions, replies, the PR body, the
// edition file, the publication comments).
//
// It also reads the replica's JSON logs, at debug level, as an operator
// would: every line names what it concerns, and no secret is in any.
func TestStoryHolds(t *testing.T) {
	var logs simtest.Buffer
	w, ctx := start(t, Options{Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	st := play(t, w, ctx)
	// The bot's commits on the draft branch: the opening and the late merge,
	// around maya's hand edit; nothing else.
	if got := botCommits(t, w, st); got != 2 {
		t.Errorf("the bot made %d commits on the draft branch, want 2 (open, merge the late job)", got)
	}
	checkLogs(t, w, logs.String())
}

// checkLogs reads the replicas' logs: one JSON object a line; a line about
// an issue or a pull request names the repository, a delivery's line its
// id, a line about a draft its edition; and no secret appears: not the
// webhook secret, not a line of the private key, not a token or a JWT.
func checkLogs(t *testing.T, w *World, logs string) {
	t.Helper()
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"the webhook secret": simtest.WebhookSecret, "an installation token": "ghs_",
		"a personal token": "ghp_", "a JWT": "eyJhbGci", "an authorization header": "Bearer "}
	for i, l := range strings.Split(string(key), "\n") {
		if len(l) > 20 && !strings.HasPrefix(l, "-----") {
			secrets[fmt.Sprintf("line %d of the private key", i)] = l
		}
	}
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) < 20 {
		t.Fatalf("only %d log lines", len(lines))
	}
	counts := map[string]int{}
	for _, line := range lines {
		for what, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("a log line holds %s: %s", what, line)
			}
		}
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Errorf("a log line is not JSON: %s", line)
			continue
		}
		has := func(k string) bool { _, ok := l[k]; return ok }
		if (has("issue") || has("pull") || has("edition")) && l["repository"] != simtest.Repo {
			t.Errorf("a line about an issue, pull request or edition does not name the repository: %s", line)
		}
		if has("pull") && !has("edition") {
			t.Errorf("a line about the draft does not name its edition: %s", line)
		}
		if l["msg"] == "handled a webhook" {
			counts["deliveries"]++
			if d, _ := l["delivery"].(string); d == "" || !has("event") || !has("action") {
				t.Errorf("a delivery's line lacks its id, event or action: %s", line)
			}
		}
		if has("edition") {
			counts["edition"]++
		}
		for k := range l {
			if strings.Count(line, `"`+k+`":`) > 1 {
				t.Errorf("a line has %q twice: %s", k, line)
			}
		}
	}
	if counts["deliveries"] < 10 || counts["edition"] < 3 {
		t.Errorf("too few lines name deliveries (%d) or editions (%d)", counts["deliveries"], counts["edition"])
	}
}

// TestTwoReplicasDoEachThingOnce runs the month with two replicas that both
// get every webhook at the same moment, with GitHub also duplicating and
// reordering deliveries, and both resyncing side by side. Play checks that
// each submission has one status comment, each command one reaction and
// at most one reply, each published item one publication comment; here we
// check the pull requests and commits.
func TestTwoReplicasDoEachThingOnce(t *testing.T) {
	w, ctx := start(t, Options{Replicas: 2, Seed: 7, WebhookFaults: &githubsim.WebhookFaults{Duplicate: 0.3, Reorder: 0.2}})
	st := play(t, w, ctx)
	if err := w.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	pulls, err := w.Sim.PullRequests(simtest.Repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(pulls) != 1 {
		t.Errorf("%d pull requests, want the one draft: %+v", len(pulls), pulls)
	}
	if got := botCommits(t, w, st); got != 2 {
		t.Errorf("the bot made %d commits on the draft branch, want 2 (open, merge the late job)", got)
	}
	for _, n := range []int{st.Job, st.News, st.Event, st.LateJob} {
		comments, err := w.Sim.Comments(simtest.Repo, n)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, c := range comments {
			if c.User == simtest.BotLogin {
				seen[firstLine(c.Body)]++
			}
		}
		for line, count := range seen {
			if count > 1 {
				t.Errorf("#%d has %d bot comments starting %q", n, count, line)
			}
		}
	}
}

// TestResyncRepairsLostWebhooks loses every delivery: the resync alone
// must answer the submission and the command.
func TestResyncRepairsLostWebhooks(t *testing.T) {
	w, ctx := start(t, Options{WebhookFaults: &githubsim.WebhookFaults{Drop: 1}})
	is, err := simtest.OpenSubmission(w.Sim, ana, drafts.KindJob, map[string]string{"organization": "Comcast",
		"title": "Engineer, Open Source", "link": "https://jobs.example.com/1", "location": "United States"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.Sim.Actor(maya).Comment(simtest.Repo, is.Number, "/newsletter accept")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if comments, _ := w.Sim.Comments(simtest.Repo, is.Number); len(comments) != 1 {
		t.Fatalf("with every webhook lost the bot still answered: %+v", comments)
	}

	if err := w.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	issue, err := w.Sim.Issue(simtest.Repo, is.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(issue.Labels, drafts.DefaultConfig().Labels.Accepted) {
		t.Errorf("after the resync #%d has labels %v, want it accepted", is.Number, issue.Labels)
	}
	rs, err := w.Sim.CommentReactions(simtest.Repo, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := reactionsBy(rs, simtest.BotLogin); got != "eyes +1" {
		t.Errorf("the bot's reactions to the missed command: %q, want \"eyes +1\"", got)
	}
	comments, err := w.Sim.Comments(simtest.Repo, is.Number)
	if err != nil {
		t.Fatal(err)
	}
	status := 0
	for _, c := range comments {
		if c.User == simtest.BotLogin && strings.Contains(c.Body, "<!-- newsletter-bot:status -->") {
			status++
			if !strings.Contains(c.Body, "accepted for the next edition") {
				t.Errorf("status comment after the resync:\n%s\nwant it accepted", c.Body)
			}
		}
	}
	if status != 1 {
		t.Errorf("%d status comments after the resync, want 1", status)
	}

	// A second pass finds the command answered and changes nothing.
	w.Sim.ResetStats()
	if err := w.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	if s := w.Sim.Stats(); s.Writes != 0 {
		t.Errorf("a second resync wrote %d times: %v", s.Writes, s.ByRoute)
	}
}

// TestBudgets measures API use on the whole bot, from the simulator's
// counters: a resync where nothing changed writes nothing, and one slash
// command, with everything it sets off, stays small.
func TestBudgets(t *testing.T) {
	w, ctx := start(t, Options{})
	play(t, w, ctx)

	w.Sim.ResetStats()
	if err := w.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	s := w.Sim.Stats()
	t.Logf("resync, nothing changed: %d requests (%d reads, %d of them 304), %d writes", s.Total, s.Reads, s.NotModified, s.Writes)
	if s.Writes != 0 {
		t.Errorf("a resync where nothing changed wrote %d times: %v", s.Writes, s.ByRoute)
	}

	// One more submission, then one command, counted with the webhooks it
	// sets off (the labeled event: status comment, draft refresh).
	is, err := simtest.OpenSubmission(w.Sim, ben, drafts.KindNews, map[string]string{"category": "Blog", "title": "A later post",
		"link": "https://example.org/later"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	w.Sim.ResetStats()
	if _, err := w.Sim.Actor(maya).Comment(simtest.Repo, is.Number, "/newsletter defer"); err != nil {
		t.Fatal(err)
	}
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	s = w.Sim.Stats()
	t.Logf("one /newsletter defer, with the webhooks it sets off: %d requests (%d writes): %v", s.Total, s.Writes, s.ByRoute)
	cmd := s.ByRoute["POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"] +
		s.ByRoute["GET /repos/{owner}/{repo}/collaborators/{username}/permission"] +
		s.ByRoute["POST /repos/{owner}/{repo}/issues/{issue_number}/labels"]
	if cmd > 5 {
		t.Errorf("the command itself (claim, permission, labels, reaction) took %d requests, want at most 5", cmd)
	}
}

func botCommits(t *testing.T, w *World, st *Story) int {
	t.Helper()
	// The merge commit's second parent is the draft branch's tip.
	parents, err := w.Sim.CommitParents(simtest.Repo, st.MergeSHA)
	if err != nil || len(parents) < 1 {
		t.Fatalf("merge commit %s: parents %v, %v", st.MergeSHA, parents, err)
	}
	tip := parents[len(parents)-1]
	count := 0
	for sha := tip; sha != parents[0] && sha != ""; {
		msg, err := w.Sim.CommitMessage(simtest.Repo, sha)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(msg, "Newsletter-Bot-Render: edition-") || strings.Contains(msg, "Newsletter-Bot-Merge: edition-") {
			count++
		}
		ps, err := w.Sim.CommitParents(simtest.Repo, sha)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			break
		}
		sha = ps[0]
	}
	return count
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func reactionsBy(rs []githubsim.Reaction, login string) string {
	var out []string
	for _, r := range rs {
		if r.User == login {
			out = append(out, r.Content)
		}
	}
	return strings.Join(out, " ")
}
