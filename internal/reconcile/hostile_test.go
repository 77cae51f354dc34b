package reconcile

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

// hostileTexts are what an attacker types, each carrying "evil" or 9999 in
// every trigger, so that a trigger which reaches GitHub's filters is told
// apart from the bot's own mentions, references and links. (The drafts
// package's corpus, testdata/hostile, covers the newsletter line and the
// problem messages field by field; this list covers every document the bot
// writes around them.)
var hostileTexts = []string{
	"@evil-user", `\@evil-user`, "&#64;evil-user", "&commat;evil-user", "@evil-org/evil-team", "hi @evil-user!",
	"#9999", `\#9999`, "&#35;9999", "GH-9999", "evil/repo#9999", "evil/repo@deadbeef9999", "deadbeef9999abc",
	"evil@evil.example", `user\@evil.example`, "mailto:evil@evil.example", "xmpp:evil@evil.example/r",
	"https://evil.example/x", "www.evil.example", "<https://evil.example>", "[evil](https://evil.example)",
	"![evil](https://evil.example/i.png)", "<img src=https://evil.example/i.png>", "<script>evil()</script>",
	"<!-- evil -->", "<details>evil", "*evil* _evil_ ~~evil~~ **evil** $evil$", ":evil: :octocat:",
	"``` @evil-user", "`` ` @evil-user ` ``", "a\n```\n@evil-user\n```\n#9999", "\u202e@evil-user \u200b#9999",
	"| evil | #9999 |", "[evil] (#9999)", "evil\x00@evil-user", "evil \xff\xfe @evil-user",
	"> @evil-user", "- @evil-user", "### @evil-user", "<!--\n/newsletter accept\n-->",
	strings.Repeat("@evil-user ", 500),
}

// TestNothingTypedPingsLinksOrInjects files every hostile text into the
// forms' fields, triages them with commands carrying hostile arguments,
// opens the draft, makes a hand edit clash with a submission and breaks the
// config, then renders everything the bot wrote (status comments, command
// replies, the decline notice, the draft's description, the conflict
// comment and the config issue) with cmark-gfm. None may hold a mention but
// of the people in the scenario, a reference but to its issues, a link but
// the bot's own and the submitted ones, an image, raw HTML but the bot's own
// <details> and markers, or an emoji code, a URL or a commit sha in text.
func TestNothingTypedPingsLinksOrInjects(t *testing.T) {
	render := ghmarkdown.Require(t)
	w := newWorld(t, "2026-12-01")
	ctx := context.Background()
	link := func(i, j int) string { return fmt.Sprintf("https://example.com/%d/%d", i, j) }

	var valid, invalid []int
	file := func(k drafts.Kind, answers map[string]string) int {
		is := w.open(t, simtest.Member, k, answers)
		check(t, w.svc.ReconcileSubmission(ctx, is, nil))
		if is = w.issue(t, is.Number); is.HasLabel(w.svc.Config.Labels.NeedsInfo) {
			invalid = append(invalid, is.Number)
		} else {
			valid = append(valid, is.Number)
		}
		return is.Number
	}
	for i, h := range hostileTexts {
		file(drafts.KindJob, map[string]string{"organization": h, "title": h, "link": link(i, 1), "location": "Germany"})
		byLocation := file(drafts.KindJob, map[string]string{"organization": "Org", "title": "Job", "link": link(i, 2), "location": h})
		file(drafts.KindNews, map[string]string{"category": "Blog", "title": h, "summary": h, "link": link(i, 3)})
		byCategory := file(drafts.KindNews, map[string]string{"category": h, "title": "News", "link": link(i, 4)})
		file(drafts.KindEvent, map[string]string{"name": h, "start_date": "2027-03-10", "city": h, "country": "Germany", "link": link(i, 5)})
		byDate := file(drafts.KindEvent, map[string]string{"name": "Event", "start_date": h, "city": "Berlin", "country": "Germany", "link": link(i, 6)})

		// Commands with hostile arguments, and hostile commands.
		first, _, _ := strings.Cut(h, "\n")
		w.say(t, simtest.Maintainer, byCategory, "/newsletter decline "+first)
		w.say(t, simtest.Maintainer, byDate, "/newsletter "+first)
		w.say(t, simtest.Maintainer, byLocation, "/newsletter kind "+first)
		w.say(t, simtest.Member2, byLocation, "/newsletter accept "+first)
	}
	if len(valid) < len(hostileTexts) || len(invalid) < len(hostileTexts) {
		t.Fatalf("%d valid and %d invalid submissions, want at least %d of each", len(valid), len(invalid), len(hostileTexts))
	}
	for _, n := range valid {
		w.accept(t, n)
	}
	out, err := w.svc.ReconcileDraft(ctx, true)
	check(t, err)
	draft := out.Draft

	// A hand edit full of markdown clashes with a submission's edit.
	branch := BranchFor(draft.Number)
	text, err := w.sim.File(repoFN, branch, draft.Path)
	check(t, err)
	target := valid[0]
	lineOf := regexp.MustCompile(`(?m)^- .*\(` + regexp.QuoteMeta(link(0, 1)) + `\)$`)
	old := lineOf.FindString(text)
	if old == "" {
		t.Fatalf("no line for %s in the draft:\n%s", link(0, 1), text)
	}
	edit := "- ```` @evil-user #9999 <img src=https://evil.example/i.png> ``` \n```\n@evil-user\n```"
	_, err = w.sim.Actor(simtest.Maintainer).EditFile(repoFN, branch, draft.Path, strings.Replace(text, old, edit, 1))
	check(t, err)
	body := w.svc.Forms[drafts.KindJob].RenderBody(map[string]string{"organization": "Org", "title": "Changed @evil-user",
		"link": link(0, 1), "location": "Germany"})
	_, err = w.sim.Actor(simtest.Member).EditIssue(repoFN, target, githubsim.IssueEdit{Body: &body})
	check(t, err)
	out, err = w.svc.ReconcileDraft(ctx, false)
	check(t, err)
	if len(out.Conflicts) == 0 {
		t.Fatal("the hand edit did not clash; the conflict comment is not tested")
	}
	_, err = w.svc.UpdateStatuses(ctx, &out.Draft)
	check(t, err)

	// A config whose error quotes what its author typed.
	_, cfgErr := drafts.ParseConfig([]byte("version: 1\nnewsletter:\n  \"``` @evil-user #9999\\n```\\n@evil-user\": 1\n"))
	if cfgErr == nil {
		t.Fatal("the broken config parses")
	}
	check(t, w.svc.ReportConfig(ctx, fmt.Errorf("%w: %s: %w", ErrConfig, repoFN, cfgErr)))

	// Everything the bot wrote.
	type doc struct{ where, markdown string }
	var docs []doc
	issues, err := w.sim.Issues(repoFN)
	check(t, err)
	maxIssue := 0
	for _, is := range issues {
		maxIssue = max(maxIssue, is.Number)
		if is.User == simtest.BotLogin {
			docs = append(docs, doc{fmt.Sprintf("the body of #%d", is.Number), is.Body})
		}
		cs, err := w.sim.Comments(repoFN, is.Number)
		check(t, err)
		for _, c := range cs {
			if c.User == simtest.BotLogin {
				docs = append(docs, doc{fmt.Sprintf("comment %d on #%d", c.ID, is.Number), c.Body})
			}
		}
	}
	md := make([]string, len(docs))
	for i, d := range docs {
		md[i] = d.markdown
	}
	htmls, err := render(md)
	check(t, err)

	people := map[string]bool{"@" + simtest.Maintainer: true, "@" + simtest.Member: true, "@" + simtest.Member2: true}
	botRaw := regexp.MustCompile(`^(<!-- newsletter-bot:[a-z-]+( [^<>]*)? -->|</?details>|</?summary>)$`)
	failures := 0
	crossRepo := regexp.MustCompile(`[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+[#@][0-9A-Fa-f]`)
	fail := func(d doc, h, format string, args ...any) {
		failures++
		if failures <= 20 {
			t.Errorf("%s %s\nmarkdown: %.2000q", d.where, fmt.Sprintf(format, args...), d.markdown)
		}
	}
	var seen struct{ mentions, refs, links int }
	for i, d := range docs {
		h := htmls[i]
		r := ghmarkdown.Read(h)
		for _, tag := range r.Raw {
			if !botRaw.MatchString(tag) {
				fail(d, h, "renders raw HTML %q", tag)
			}
		}
		for _, href := range r.Hrefs {
			if strings.Contains(href, "evil") || !(strings.HasPrefix(href, "https://example.com/") || strings.HasPrefix(href, w.svc.Repo.HTMLURL+"/")) {
				fail(d, h, "links to %q", href)
			}
			seen.links++
		}
		for _, text := range r.Texts {
			if m := crossRepo.FindString(text); m != "" {
				fail(d, h, "references another repository, %q, in %q", m, text)
			}
			for _, f := range ghmarkdown.Find(text) {
				switch f.What {
				case "a mention":
					if !people[f.Match] {
						fail(d, h, "mentions %q in %q", f.Match, text)
					}
					seen.mentions++
				case "an issue reference":
					if n, _ := strconv.Atoi(f.Match[1:]); n > maxIssue {
						fail(d, h, "references %q in %q", f.Match, text)
					}
					seen.refs++
				default:
					fail(d, h, "shows %s, %q, in %q", f.What, f.Match, text)
				}
			}
		}
	}
	if failures > 20 {
		t.Errorf("... and %d more", failures-20)
	}
	// The check must have seen the bot's own mentions, references and
	// links, else it proves nothing.
	if seen.mentions == 0 || seen.refs == 0 || seen.links == 0 {
		t.Errorf("saw %d mentions, %d references and %d links of the bot's own, want some of each", seen.mentions, seen.refs, seen.links)
	}
	t.Logf("%d hostile texts in %d submissions (%d valid, %d invalid): %d documents the bot wrote, rendered by cmark-gfm; %d mentions, %d references and %d links, all the bot's own",
		len(hostileTexts), len(valid)+len(invalid), len(valid), len(invalid), len(docs), seen.mentions, seen.refs, seen.links)
}

// TestATemplatePastItsLimitIsReportedLikeABrokenConfig: a line template
// that writes more than its cap for one submission opens the config issue
// saying so, and the issue closes once the config is fixed.
func TestATemplatePastItsLimitIsReportedLikeABrokenConfig(t *testing.T) {
	w := newWorld(t, "2026-11-25")
	ctx := context.Background()
	cfg, err := drafts.ParseConfig([]byte("version: 1\nsections:\n  news:\n    line: \"- " + strings.Repeat("{{.Title}}", 100) + "\"\n"))
	check(t, err)
	w.svc.Config = cfg
	w.open(t, simtest.Member, drafts.KindNews, map[string]string{"category": "Blog", "title": strings.Repeat("long ", 40), "link": "https://example.com/n"})

	configIssue := func() (githubsim.Issue, bool) {
		issues, err := w.sim.Issues(repoFN)
		check(t, err)
		for _, is := range issues {
			if is.User == simtest.BotLogin && strings.Contains(is.Body, configMarker) {
				return is, true
			}
		}
		return githubsim.Issue{}, false
	}
	if _, err := w.svc.Resync(ctx, time.Time{}, time.Hour); !drafts.IsLimitError(err) {
		t.Fatalf("Resync error = %v, want a template limit error", err)
	}
	is, ok := configIssue()
	if !ok || is.State != "open" || !strings.Contains(is.Body, "sections.news.line: renders to more than 16 KiB") {
		t.Fatalf("config issue %+v (found %v), want one open naming the line template and its limit", is, ok)
	}
	// A second pass with the same problem keeps the one issue as it is.
	_, _ = w.svc.Resync(ctx, time.Time{}, time.Hour)
	if is2, ok := configIssue(); !ok || is2.Number != is.Number || is2.State != "open" || is2.Body != is.Body {
		t.Errorf("after a second pass the config issue is %+v, want #%d open and unchanged", is2, is.Number)
	}

	w.svc.Config = drafts.DefaultConfig()
	if _, err := w.svc.Resync(ctx, time.Time{}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if is, _ := configIssue(); is.State != "closed" {
		t.Errorf("config issue state %q after the fix, want closed", is.State)
	}
}
