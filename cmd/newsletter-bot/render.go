package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/linkcheck"
)

// runRender is "newsletter-bot render": issues as the REST API lists them in,
// the edition on stdout, every issue left out on stderr as "#N: reason".
func runRender(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	issuesPath := fs.String("issues", "", "JSON array of issues as GitHub's list-issues endpoint returns them (- for stdin)")
	number := fs.Int("number", 0, "edition number")
	date := fs.String("date", "", "publication day, YYYY-MM-DD")
	configPath := fs.String("config", "", "a .github/newsletter.yml (default: the built-in OSPO Newsletter config)")
	formsDir := fs.String("forms", "", "a folder of issue forms named job.yml, news.yml, event.yml (default: the built-in forms)")
	format := fs.String("format", "markdown", "output: markdown (the edition) or json (parsed submissions and their validation)")
	checkLinks := fs.Bool("check-links", false, "check that the links of the submissions that go in work (requests to their sites; never to private or local addresses); one that does not is left out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsletter-bot render --issues FILE --number N --date YYYY-MM-DD [--config FILE] [--forms DIR] [--format markdown|json] [--check-links]")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "newsletter-bot render: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *issuesPath == "":
		return fail("--issues is required (a JSON file of issues, or - for stdin)")
	case *number < 1:
		return fail("--number is required and must be a positive edition number")
	case *format != "markdown" && *format != "json":
		return fail("--format must be markdown or json, not %q", *format)
	}
	pub, err := drafts.ParseDate(*date)
	if *date == "" || err != nil {
		return fail("--date must be the publication day as YYYY-MM-DD, got %q", *date)
	}

	cfg := drafts.DefaultConfig()
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return fail("read config: %v", err)
		}
		if cfg, err = drafts.ParseConfig(data); err != nil {
			return fail("%v", err)
		}
	}
	forms := drafts.DefaultForms()
	if *formsDir != "" {
		if forms, err = drafts.LoadForms(os.DirFS(*formsDir), "."); err != nil {
			return fail("%v", err)
		}
	}
	issues, err := readIssues(*issuesPath)
	if err != nil {
		return fail("%v", err)
	}

	ed, err := drafts.NewEdition(cfg, *number, pub)
	if err != nil {
		return fail("%v", err)
	}
	res, err := drafts.Build(cfg, forms, ed, issues)
	if err != nil {
		return fail("%v", err)
	}
	if *checkLinks && checkRenderLinks(cfg, res, issues, stderr) {
		// A link that does not work keeps its submission out, as the
		// needs-info label the bot puts on it does.
		if res, err = drafts.Build(cfg, forms, ed, issues); err != nil {
			return fail("%v", err)
		}
	}
	for _, ex := range res.Excluded {
		fmt.Fprintln(stderr, ex)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res.Report()); err != nil {
			fmt.Fprintf(stderr, "newsletter-bot render: write: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if _, err := io.WriteString(stdout, res.Markdown); err != nil {
		fmt.Fprintf(stderr, "newsletter-bot render: write: %v\n", err)
		return exitFail
	}
	return exitOK
}

func readIssues(p string) ([]drafts.Issue, error) {
	var data []byte
	var err error
	if p == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("read issues: %w", err)
	}
	var issues []drafts.Issue
	if err := json.Unmarshal(data, &issues); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%s is not valid JSON (at byte %d): %w", p, syn.Offset, err)
		}
		return nil, fmt.Errorf("%s is not a JSON array of issues: %w", p, err)
	}
	return issues, nil
}

// renderLinkCheck is how render checks links (tests allow loopback).
var renderLinkCheck = linkcheck.Options{}

// checkRenderLinks checks the links of the submissions res takes in, says
// on stderr what it found ("#N: link: ..."), and labels the issues whose
// link does not work needs-info; it reports whether it labelled any.
func checkRenderLinks(cfg *drafts.Config, res *drafts.Result, issues []drafts.Issue, stderr io.Writer) bool {
	opts := renderLinkCheck
	opts.Timeout = time.Duration(cfg.Links.Timeout)
	checker := linkcheck.New(opts)
	broken := map[int]bool{}
	for _, sub := range res.Included {
		r := checker.Check(context.Background(), sub.Link(), sub.Kind == drafts.KindJob)
		switch r.Verdict {
		case linkcheck.Problem:
			broken[sub.Issue] = true
			fmt.Fprintf(stderr, "#%d: link %s: %s\n", sub.Issue, sub.Link(), r.Message)
		case linkcheck.Warning, linkcheck.MayBeClosed:
			fmt.Fprintf(stderr, "#%d: link %s (%s, kept): %s\n", sub.Issue, sub.Link(), r.Verdict, r.Message)
		}
	}
	for i := range issues {
		if broken[issues[i].Number] {
			issues[i].Labels = append(issues[i].Labels, drafts.Label{Name: cfg.Labels.NeedsInfo})
		}
	}
	return len(broken) > 0
}
