package drafts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
)

// GitHub is the reference for what the bot writes: cmark-gfm with GitHub's
// extensions, then GitHub's filters on the text of the HTML (see
// internal/ghmarkdown).

// shownKind is what a piece of markdown the bot writes must render as.
type shownKind int

const (
	shownLine    shownKind = iota // a newsletter line: one list item holding one link
	shownMessage                  // a problem as the status comment lists it: one list item, no link
	shownPlain                    // Plain's output: a paragraph of text
	shownCode                     // CodeSpan's output: a paragraph holding one code span
)

// shown is markdown the bot writes on GitHub and what a reader must see of it.
type shown struct {
	what     string // where it comes from, for failure messages
	kind     shownKind
	markdown string
	link     string   // shownLine: its link's destination
	visible  []string // texts a reader sees verbatim; for shownPlain and shownCode, the whole text
}

// allowedTags are the elements each kind may render to; any other tag, a
// raw HTML one above all, is a failure.
var allowedTags = map[shownKind]map[string]bool{
	shownLine:    {"ul": true, "li": true, "a": true, "strong": true},
	shownMessage: {"ul": true, "li": true, "strong": true, "code": true},
	shownPlain:   {"p": true},
	shownCode:    {"p": true, "code": true},
}

// checkShown returns what is wrong with the HTML GitHub would show for sh.
func checkShown(sh shown, h string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if strings.ContainsAny(sh.markdown, "\r\n") {
		fail("the markdown spans more than one line")
	}
	r := ghmarkdown.Read(h)
	for _, tag := range r.Raw {
		fail("renders %q, which markdown text must not produce here", tag)
	}
	for name, n := range r.Tags {
		if !allowedTags[sh.kind][name] {
			fail("renders %d <%s>", n, name)
		}
	}
	for _, text := range r.Texts {
		for _, f := range ghmarkdown.Find(text) {
			fail("shows %s, %q, in the text %q", f.What, f.Match, text)
		}
	}
	switch sh.kind {
	case shownLine:
		if r.Tags["ul"] != 1 || r.Tags["li"] != 1 {
			fail("is not one list item (%d <ul>, %d <li>)", r.Tags["ul"], r.Tags["li"])
		}
		if len(r.Hrefs) != 1 {
			fail("has %d links, want 1", len(r.Hrefs))
		} else if got, want := ghmarkdown.PercentDecode(r.Hrefs[0]), ghmarkdown.PercentDecode(sh.link); got != want {
			fail("links to %q, want %q", r.Hrefs[0], sh.link)
		}
		for _, v := range sh.visible {
			if !strings.Contains(r.Visible, v) {
				fail("shows %q, want it to show %q as typed", r.Visible, v)
			}
		}
	case shownMessage:
		if r.Tags["ul"] != 1 || r.Tags["li"] != 1 {
			fail("is not one list item (%d <ul>, %d <li>)", r.Tags["ul"], r.Tags["li"])
		}
		if len(r.Hrefs) != 0 {
			fail("has %d links, want none", len(r.Hrefs))
		}
	case shownPlain:
		if len(r.Hrefs) != 0 {
			fail("has %d links, want none", len(r.Hrefs))
		}
		if r.Visible != sh.visible[0] {
			fail("shows %q, want %q", r.Visible, sh.visible[0])
		}
	case shownCode:
		want := sh.visible[0]
		if strings.Contains(want, strings.Repeat("`", maxFence)) { // too long a fence: Plain's way
			if len(r.Code) != 0 || r.Visible != want {
				fail("shows code %q and text %q, want only the text %q", r.Code, r.Visible, want)
			}
			break
		}
		if want == "" {
			want = " "
		}
		if len(r.Code) != 1 || r.Code[0] != want || strings.TrimSpace(strings.Join(r.Texts, "")) != "" {
			fail("shows code %q and text %q, want only the code %q", r.Code, r.Texts, want)
		}
	}
	return errs
}

// checkOnGitHub renders shows with render, in one batch, and fails t for
// each one GitHub would not show as it must.
func checkOnGitHub(t *testing.T, render ghmarkdown.Renderer, shows []shown) {
	t.Helper()
	docs := make([]string, len(shows))
	for i, sh := range shows {
		docs[i] = sh.markdown
	}
	htmls, err := render(docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, sh := range shows {
		for _, e := range checkShown(sh, htmls[i]) {
			t.Errorf("%s %s:\nmarkdown: %q\nHTML:     %q", sh.what, e, sh.markdown, htmls[i])
		}
	}
}

// submissionShown is what the bot writes of a parsed submission: its line if
// valid, else its problems as the status comment lists them.
func submissionShown(t *testing.T, cfg *Config, s *Submission, pub Date, what string) []shown {
	t.Helper()
	if !s.Valid() {
		var out []shown
		for _, p := range s.Problems {
			md := "- " + p.Message
			if p.Label != "" {
				md = "- **" + p.Label + "**: " + p.Message
			}
			out = append(out, shown{what: what + " problem", kind: shownMessage, markdown: md})
		}
		return out
	}
	line, err := RenderLine(cfg, s, pub)
	if err != nil {
		t.Fatalf("%s: a valid submission does not render: %v", what, err)
	}
	var visible []string // the answers the default line templates show
	switch s.Kind {
	case KindJob:
		visible = []string{s.Job.Organization, s.Job.Title}
	case KindNews:
		visible = []string{s.News.Category, s.News.Title, s.News.Summary}
	case KindEvent:
		visible = []string{s.Event.Name}
		if !s.Event.Online {
			visible = append(visible, s.Event.City+", "+s.Event.Location.Name)
		}
	}
	return []shown{{what: what + " line", kind: shownLine, markdown: line, link: s.Link(), visible: visible}}
}

// typedShown is Plain's and CodeSpan's output for text someone typed.
func typedShown(typed, what string) []shown {
	cleaned := cleanText(typed)
	return []shown{
		{what: what + " through Plain", kind: shownPlain, markdown: Plain(typed), visible: []string{truncateText(cleaned, maxQuote)}},
		{what: what + " through CodeSpan", kind: shownCode, markdown: CodeSpan(typed), visible: []string{truncateText(cleaned, maxCode)}},
	}
}

func TestCheckShownFindsWhatGitHubWouldMake(t *testing.T) {
	render := ghmarkdown.Require(t)
	tests := []shown{
		{what: "an escaped mention", kind: shownPlain, markdown: `\@octocat`, visible: []string{"@octocat"}},
		{what: "a mention as an entity", kind: shownPlain, markdown: `&#64;octocat`, visible: []string{"@octocat"}},
		{what: "an escaped e-mail address", kind: shownPlain, markdown: `user\@example.com`, visible: []string{"user@example.com"}},
		{what: "an issue reference", kind: shownPlain, markdown: `\#12`, visible: []string{"#12"}},
		{what: "an emoji code", kind: shownPlain, markdown: `:octocat:`, visible: []string{":octocat:"}},
		{what: "a commit sha", kind: shownPlain, markdown: `a5c3785`, visible: []string{"a5c3785"}},
		{what: "emphasis", kind: shownPlain, markdown: `*x*`, visible: []string{"*x*"}},
		{what: "raw HTML", kind: shownPlain, markdown: `<img src=x>`, visible: []string{"<img src=x>"}},
		{what: "a second link", kind: shownLine, markdown: `- [a](https://example.com/) b@example.com`,
			link: "https://example.com/", visible: []string{"a"}},
		{what: "a code span in a line", kind: shownLine, markdown: "- [`a`](https://example.com/)",
			link: "https://example.com/", visible: []string{"a"}},
		{what: "a link in a message", kind: shownMessage, markdown: "- **Link**: write https://example.com/x"},
	}
	docs := make([]string, len(tests))
	for i, sh := range tests {
		docs[i] = sh.markdown
	}
	htmls, err := render(docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, sh := range tests {
		t.Run(sh.what, func(t *testing.T) {
			if errs := checkShown(sh, htmls[i]); len(errs) == 0 {
				t.Errorf("checkShown(%q) finds nothing in %q, want a failure", sh.markdown, htmls[i])
			}
		})
	}
}
