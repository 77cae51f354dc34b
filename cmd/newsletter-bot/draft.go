package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/bot"
	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/reconcile"
)

// EnvToken is a personal (or fine-grained) access token for "draft" when
// the app's credentials are not at hand.
const EnvToken = "GITHUB_TOKEN"

// runDraft is "newsletter-bot draft": the monthly job by hand.
func runDraft(args []string, stdout, stderr io.Writer) int {
	cfg, err := bot.ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot draft: %v\n", err)
		return exitUsage
	}
	fs := flag.NewFlagSet("draft", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repoName := fs.String("repo", "", "the repository, owner/name")
	dryRun := fs.Bool("dry-run", false, "write nothing; print the edition file and the pull request it would write")
	scheduled := fs.Bool("scheduled", false, "open the draft only if draft.schedule says it is due (as the server does); default: open it now")
	today := fs.String("today", "", "the newsletter's day, YYYY-MM-DD (default: today)")
	appBot := fs.String("app-bot", "newsletter-bot[bot]", "with "+EnvToken+": the app's bot user, whose draft pull requests the token may refresh")
	appf := serverFlags(fs, &cfg)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsletter-bot draft --repo owner/name [--dry-run] [--scheduled] [--today YYYY-MM-DD] [--app-bot LOGIN]")
		fmt.Fprintln(stderr, "\nCredentials: the app's ("+bot.EnvAppID+" and its private key) or a token in "+EnvToken+".")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "newsletter-bot draft: "+format+"\n", a...)
		return code
	}
	owner, name, ok := strings.Cut(*repoName, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return fail(exitUsage, "--repo must be owner/name, got %q", *repoName)
	}
	if err := appf.load(); err != nil {
		return fail(exitUsage, "%v", err)
	}
	now := time.Now
	if *today != "" {
		d, err := time.Parse(time.DateOnly, *today)
		if err != nil {
			return fail(exitUsage, "--today must be YYYY-MM-DD, got %q", *today)
		}
		now = func() time.Time { return d.Add(12 * time.Hour) }
	}

	ctx, stop := signalContext()
	defer stop()
	if *dryRun {
		// Writes are refused where requests leave the process, whatever
		// the code above does.
		cfg.Transport = reconcile.DryRun(cfg.Transport)
	}
	client, botLogin, err := draftClient(ctx, cfg, os.Getenv(EnvToken), owner, name)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	gh := reconcile.NewGitHub(client)
	repo, err := gh.Repository(ctx, owner, name)
	if err != nil {
		return fail(exitFail, "reading %s: %v", *repoName, err)
	}
	repoCfg, where, err := reconcile.LoadConfig(ctx, gh, repo)
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	if where == "" {
		where = "the built-in defaults"
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *dryRun {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := &reconcile.Service{GH: gh, Repo: repo, Config: repoCfg, Forms: drafts.DefaultForms(), BotLogin: botLogin,
		Now: now, Log: log}
	if os.Getenv(EnvToken) != "" {
		svc.DraftAuthors = []string{*appBot}
	}
	var out reconcile.DraftOutcome
	if *scheduled {
		out, err = svc.ScheduledDraft(ctx)
	} else {
		out, err = svc.ReconcileDraft(ctx, true)
	}
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	printDraft(stdout, stderr, *repoName, where, *dryRun, out)
	return exitOK
}

// draftClient authenticates as the app's installation on the repository,
// or with a token; it also names the user whose comments are the bot's own.
func draftClient(ctx context.Context, cfg bot.Config, token, owner, name string) (*github.Client, string, error) {
	opts := []githubapp.ClientOption{githubapp.WithClientUserAgent("newsletter-bot"), githubapp.WithClientTimeout(30 * time.Second)}
	if cfg.Transport != nil {
		opts = append(opts, githubapp.WithTransport(cfg.Transport))
	}
	creator := githubapp.NewClientCreator(strings.TrimSuffix(cfg.APIURL, "/")+"/", "", cfg.AppID, cfg.PrivateKey, opts...)
	if token != "" {
		client, err := creator.NewTokenClient(token)
		if err != nil {
			return nil, "", err
		}
		me, _, err := client.Users.Get(ctx, "")
		if err != nil {
			return nil, "", fmt.Errorf("the token in %s does not work: %w", EnvToken, err)
		}
		return client, me.GetLogin(), nil
	}
	if cfg.AppID == 0 || len(cfg.PrivateKey) == 0 {
		return nil, "", fmt.Errorf("no credentials: set %s and %s (or %s), or a token in %s", bot.EnvAppID, bot.EnvPrivateKeyPath, bot.EnvPrivateKey, EnvToken)
	}
	app, err := creator.NewAppClient()
	if err != nil {
		return nil, "", err
	}
	me, _, err := app.Apps.Get(ctx, "")
	if err != nil {
		return nil, "", fmt.Errorf("the app's credentials do not work: %w", err)
	}
	inst, _, err := app.Apps.FindRepositoryInstallation(ctx, owner, name)
	if err != nil {
		return nil, "", fmt.Errorf("the app %q is not installed on %s/%s: %w", me.GetSlug(), owner, name, err)
	}
	client, err := creator.NewInstallationClient(inst.GetID())
	return client, me.GetSlug() + "[bot]", err
}

func printDraft(stdout, stderr io.Writer, repo, where string, dryRun bool, out reconcile.DraftOutcome) {
	d := out.Draft
	would := func(done, planned string) string {
		if dryRun {
			return planned
		}
		return done
	}
	fmt.Fprintf(stdout, "%s, configured by %s: edition %d, %s\n", repo, where, d.Number, d.Path)
	switch {
	case out.Held != "":
		fmt.Fprintf(stdout, "no draft opened: %s\n", out.Held)
	case out.Opened || (dryRun && d.Pull.Number == 0):
		fmt.Fprintf(stdout, "%s the draft pull request from %s%s\n", would("opened", "would open"), reconcile.BranchFor(d.Number), pullRef(d))
	case out.Committed || (dryRun && out.Text != ""):
		fmt.Fprintf(stdout, "the draft%s is open; %s\n", pullRef(d), would("merged the new submissions into it", "the edition below is what the branch would hold"))
	default:
		fmt.Fprintf(stdout, "the draft%s is open and up to date\n", pullRef(d))
	}
	if n := len(out.Conflicts); n > 0 {
		fmt.Fprintf(stdout, "%d conflict(s) with edits on the branch; see the comment on the pull request\n", n)
	}
	if out.Overdue > 0 {
		fmt.Fprintf(stdout, "edition %d is due, but this draft is still open: merge or close it first\n", out.Overdue)
	}
	if out.Result != nil {
		for _, e := range out.Result.Excluded {
			fmt.Fprintf(stderr, "#%d: %s\n", e.Issue, e.Reason)
		}
	}
	if dryRun && out.Text != "" {
		fmt.Fprintf(stdout, "\n----- %s -----\n%s\n----- pull request description -----\n%s\n", d.Path, out.Text, out.Body)
	}
}

func pullRef(d reconcile.Draft) string {
	if d.Pull.Number == 0 {
		return ""
	}
	return fmt.Sprintf(" #%d (%s)", d.Pull.Number, d.Pull.HTMLURL)
}
