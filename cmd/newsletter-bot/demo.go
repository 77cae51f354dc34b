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
	return demoServe(ctx, w, stdout, stderr)
}

// demoServe keeps the world running for a person to explore.
func demoServe(ctx context.Context, w *demo.World, stdout, stderr io.Writer) int {
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

  curl -s -H "Authorization: Bearer %s" %s/repos/%s/issues/6/comments -d '{"body":"/newsletter kind job"}'
  curl -s -H "Authorization: Bearer %s" %s/repos/%s/issues/6/comments

"/newsletter help" lists the other commands. Any GitHub client works too: point it at the API URL
above with one of the tokens.
`, api, simtest.Repo, simtest.BotLogin, w.Calendar.Now().Format("January 2, 2006"), maint, simtest.Maintainer, member, simtest.Member,
		w.WebhookURL(), simtest.WebhookSecret, simtest.InstallationID,
		member, api, simtest.Repo, maint, api, simtest.Repo, member, api, simtest.Repo)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return exitOK
}
