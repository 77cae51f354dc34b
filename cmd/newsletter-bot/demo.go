package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/newsletter-bot/newsletter-bot/internal/demo"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// runDemo is "newsletter-bot demo": the bot and a local GitHub on
// loopback, playing one month of the newsletter. Exit 0 only if the story
// held.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serve := fs.Bool("serve", false, "keep the local GitHub and the bot running afterwards, and print how to reach them")
	verbose := fs.Bool("verbose", false, "print the bot's logs on stderr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsletter-bot demo [--serve] [--verbose]")
		fmt.Fprintln(stderr, "\nOffline: a simulated GitHub on 127.0.0.1, no account or network needed.")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	ctx, stop := signalContext()
	defer stop()
	w, err := demo.Start(ctx, demo.Options{Log: log})
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot demo: starting: %v\n", err)
		return exitFail
	}
	defer w.Close()
	st, err := demo.Play(ctx, w, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot demo: the story stopped: %v\n", err)
		return exitFail
	}
	if !st.Held() {
		fmt.Fprintf(stderr, "newsletter-bot demo: %d expectation(s) did not hold:\n", len(st.Failures))
		for _, f := range st.Failures {
			fmt.Fprintf(stderr, "  - %s\n", f)
		}
		return exitFail
	}
	fmt.Fprintln(stdout, "✓ The story held: every expectation above was checked against the simulated GitHub.")
	if !*serve {
		return exitOK
	}
	return demoServe(ctx, w, st, stdout, stderr)
}

// demoServe keeps the world running for a person to explore.
func demoServe(ctx context.Context, w *demo.World, st *demo.Story, stdout, stderr io.Writer) int {
	maint, err := w.Sim.Actor(simtest.Maintainer).Token()
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot demo: %v\n", err)
		return exitFail
	}
	member, err := w.Sim.Actor(simtest.Member).Token()
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot demo: %v\n", err)
		return exitFail
	}
	api := w.Sim.URL()
	fmt.Fprintf(stdout, `
The local GitHub and the bot keep running (Ctrl-C stops them).

  API:              %s
  repository:       %s (the bot is %s; the newsletter's calendar stays on %s)
  maintainer token: %s   (%s, maintain permission)
  member token:     %s   (%s, no permission)
  webhook:          %s
  webhook secret:   %s
  installation:     %d

Deliveries of your own go to the webhook URL, signed with the secret (X-Hub-Signature-256:
sha256=HMAC of the body); the bot takes them as it takes GitHub's.

Try it. As the member, suggest a job whose link is wrong (through the API, GitHub drops
the labels of people without triage access; on github.com the issue form adds them):

  curl -s -H "Authorization: Bearer %s" %s/repos/%s/issues \
    -d '{"title":"[Job]: Acme","body":"### Organization\n\nAcme\n\n### Job title\n\nOSPO Lead\n\n### Link to the posting\n\nnot a link\n\n### Location\n\nGermany"}'

As the maintainer, make it a job submission, then read what the bot says:

  curl -s -H "Authorization: Bearer %s" %s/repos/%s/issues/%d/comments -d '{"body":"/newsletter kind job"}'
  curl -s -H "Authorization: Bearer %s" %s/repos/%s/issues/%d/comments

"/newsletter help" lists the other commands. Any GitHub client works too: point it at the API URL
above with one of the tokens.
`, api, simtest.Repo, simtest.BotLogin, w.Calendar.Now().Format("January 2, 2006"), maint, simtest.Maintainer, member, simtest.Member,
		w.WebhookURL(), simtest.WebhookSecret, simtest.InstallationID,
		member, api, simtest.Repo, maint, api, simtest.Repo, st.Next, member, api, simtest.Repo, st.Next)
	fmt.Fprint(stdout, finishTheMonth(api, maint, simtest.Repo, st.Event))
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return exitOK
}

// finishTheMonth is the banner's last recipe: the maintainer opens the next
// edition's draft, marks it ready for review (GitHub allows that only
// through GraphQL, which takes the pull request's node_id, so the REST
// listing of open pulls comes first) and merges it; the bot then publishes
// the edition with a comment on each issue in it, the event among them.
// demo_serve_test.go runs these very lines.
func finishTheMonth(api, token, repo string, event int) string {
	auth := fmt.Sprintf(`-H "Authorization: Bearer %s"`, token)
	return fmt.Sprintf(`
Finish the next month with curl, as the maintainer (the story merged this month's edition):
open the next edition's draft, find its "number" and "node_id" among the open pull requests
a moment later, mark it ready for review (GitHub does that only through GraphQL), merge it,
and read the bot's "Published in" comment on the event, #%[4]d:

  curl -s %[2]s %[1]s/repos/%[3]s/issues/%[4]d/comments -d '{"body":"/newsletter draft"}'
  curl -s %[2]s %[1]s/repos/%[3]s/pulls
  curl -s %[2]s %[1]s/graphql \
    -d '{"query":"mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { number isDraft } } }","variables":{"id":"NODE_ID"}}'
  curl -s -X PUT %[2]s %[1]s/repos/%[3]s/pulls/NUMBER/merge
  curl -s %[2]s %[1]s/repos/%[3]s/issues/%[4]d/comments

`, api, auth, repo, event)
}
