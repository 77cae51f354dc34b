package drafts

import (
	"bytes"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// GitHub is the reference for what the bot writes: cmark-gfm with GitHub's
// extensions, then GitHub's filters on the text of the HTML. The helpers here
// render markdown with the cmark-gfm binary (the Debian package cmark-gfm;
// .ci/run installs it) and check the HTML for what those filters would find.

// cmarkFlags make cmark-gfm render as GitHub does: its extensions, and raw
// HTML kept. GitHub keeps much raw HTML (sanitised) where cmark-gfm's safe
// mode would drop it without a trace, so it is rendered here and every tag
// markdown does not produce fails the checks.
var cmarkFlags = []string{"--unsafe",
	"-e", "autolink", "-e", "table", "-e", "strikethrough", "-e", "tagfilter", "-e", "tasklist", "-e", "footnotes"}

// renderHTML renders markdown documents to HTML, one for each.
type renderHTML func(docs []string) ([]string, error)

// cmarkRenderer returns a renderer running the cmark-gfm binary, or nil when
// it is not on PATH.
func cmarkRenderer() renderHTML {
	path, err := exec.LookPath("cmark-gfm")
	if err != nil {
		return nil
	}
	return func(docs []string) ([]string, error) { return renderCmark(path, docs) }
}

// requireCmark returns the cmark-gfm renderer, or skips the test.
func requireCmark(t *testing.T) renderHTML {
	t.Helper()
	r := cmarkRenderer()
	if r == nil {
		t.Skip("cmark-gfm is not on PATH: install the Debian package cmark-gfm (apt-get install cmark-gfm; .ci/run does)")
	}
	return r
}

// githubRenderer returns cmark-gfm when it is installed, else goldmark with
// its GFM extensions: goldmark honours backslash escapes where cmark-gfm's
// e-mail autolinks do not, but the checks on the HTML text (mentions,
// references, emoji) hold for both.
func githubRenderer() renderHTML {
	if r := cmarkRenderer(); r != nil {
		return r
	}
	return renderGoldmark
}

var goldmarkUnsafe = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

func renderGoldmark(docs []string) ([]string, error) {
	out := make([]string, len(docs))
	for i, d := range docs {
		var b bytes.Buffer
		if err := goldmarkUnsafe.Convert([]byte(d), &b); err != nil {
			return nil, err
		}
		out[i] = b.String()
	}
	return out, nil
}

// renderCmark renders docs with one cmark-gfm process: each document follows
// a marker paragraph, and the HTML is split at the markers. A document that
// swallows the markers after it (an unclosed HTML block, say) makes the split
// fail; then each document is rendered by a process of its own.
func renderCmark(path string, docs []string) ([]string, error) {
	const marker = "cmark-item-7f3a9c-"
	var in strings.Builder
	for i, d := range docs {
		fmt.Fprintf(&in, "%s%d\n\n%s\n\n", marker, i, d)
	}
	out, err := runCmark(path, in.String())
	if err != nil {
		return nil, err
	}
	if parts := splitAtMarkers(out, marker, len(docs)); parts != nil {
		return parts, nil
	}
	parts := make([]string, len(docs))
	for i, d := range docs {
		if parts[i], err = runCmark(path, d+"\n"); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

func runCmark(path, markdown string) (string, error) {
	cmd := exec.Command(path, cmarkFlags...)
	cmd.Stdin = strings.NewReader(markdown)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cmark-gfm: %w: %s", err, stderr.Bytes())
	}
	return string(out), nil
}

// splitAtMarkers returns the HTML between the marker paragraphs, or nil
// unless there are exactly n of them, in order.
func splitAtMarkers(out, marker string, n int) []string {
	re := regexp.MustCompile(`(?m)^<p>` + regexp.QuoteMeta(marker) + `(\d+)</p>\n`)
	locs := re.FindAllStringSubmatchIndex(out, -1)
	if len(locs) != n {
		return nil
	}
	parts := make([]string, n)
	for i, loc := range locs {
		if got, _ := strconv.Atoi(out[loc[2]:loc[3]]); got != i || (i == 0 && loc[0] != 0) {
			return nil
		}
		end := len(out)
		if i+1 < n {
			end = locs[i+1][0]
		}
		parts[i] = out[loc[1]:end]
	}
	return parts
}

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

// githubTriggers are what GitHub's filters turn into links, notifications or
// images in the text of the HTML, outside <a>, <code> and <pre>; they are
// checked everywhere but code, more broadly than GitHub matches.
var githubTriggers = []struct {
	what string
	re   *regexp.Regexp
}{
	// Mentions: html-pipeline's MentionFilter,
	//   (?:^|\W)@((?>[a-z0-9][a-z0-9-]*))(?!\/)(?=\.+[ \t\W]|\.+$|[^0-9a-zA-Z_.]|$)
	// and TeamMentionFilter, (?<=^|\W)@([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9\-_]*)\b,
	// both case-insensitive. Any "@" before a letter or digit fails here,
	// which covers e-mail addresses and owner@sha too.
	{"a mention", regexp.MustCompile(`@[A-Za-z0-9]`)},
	// References, GitHub docs "Autolinked references and URLs": #26, GH-26,
	// owner/repo#26, owner@sha, owner/repo@sha and a bare sha of 7 to 40
	// hex digits (linked when a commit starts so).
	{"an issue reference", regexp.MustCompile(`#[0-9]`)},
	{"a GH- reference", regexp.MustCompile(`(?i)gh-[0-9]`)},
	{"a commit sha", regexp.MustCompile(`(?:^|[^A-Za-z0-9_])[0-9A-Fa-f]{7,}(?:[^A-Za-z0-9_]|$)`)},
	// Emoji: GitHub's EmojiFilter, :([\w+-]+):; ":octocat:" is an image.
	{"an emoji code", regexp.MustCompile(`:[A-Za-z0-9_+-]+:`)},
	// What another autolinker could still take for a link: a scheme or
	// "www." before a character that may start a host name.
	{"a URL", regexp.MustCompile(`(?i)[a-z]://[^\s\p{P}]`)},
	{"a www. name", regexp.MustCompile(`(?i)www\.[^\s\p{P}]`)},
}

// The tags markdown produces for the bot's text, exactly as cmark-gfm and
// goldmark write them.
var (
	anchorRE   = regexp.MustCompile(`^<a href="([^"]*)">$`)
	openTagRE  = regexp.MustCompile(`^<(ul|li|p|strong)>$`)
	closeTagRE = regexp.MustCompile(`^</(ul|li|p|strong|a)>$`)
)

// renderedHTML is what checkShown reads of the HTML of one document.
type renderedHTML struct {
	tags    map[string]int // opening tags by name
	bad     []string       // tags markdown does not produce, or not in this form
	hrefs   []string
	texts   []string // text nodes outside code, decoded
	code    []string // contents of code elements, decoded
	visible string   // all text, decoded, without word joiners
}

// readHTML reads cmark-gfm's (or goldmark's) HTML: every "<" starts a tag,
// as text comes with "<" escaped.
func readHTML(h string) renderedHTML {
	r := renderedHTML{tags: map[string]int{}}
	var visible, code strings.Builder
	inCode := false
	addText := func(s string) {
		if s == "" {
			return
		}
		s = html.UnescapeString(s)
		visible.WriteString(s)
		if inCode {
			code.WriteString(s)
		} else {
			r.texts = append(r.texts, s)
		}
	}
	for h != "" {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			addText(h)
			break
		}
		addText(h[:i])
		h = h[i:]
		j := strings.IndexByte(h, '>')
		if j < 0 {
			r.bad = append(r.bad, h)
			break
		}
		tag := h[:j+1]
		h = h[j+1:]
		switch {
		case anchorRE.MatchString(tag):
			r.tags["a"]++
			r.hrefs = append(r.hrefs, html.UnescapeString(anchorRE.FindStringSubmatch(tag)[1]))
		case tag == "<code>":
			r.tags["code"]++
			inCode = true
		case tag == "</code>":
			inCode = false
			r.code = append(r.code, code.String())
			code.Reset()
		case openTagRE.MatchString(tag):
			r.tags[tag[1:len(tag)-1]]++
		case closeTagRE.MatchString(tag):
		default:
			r.bad = append(r.bad, tag)
		}
	}
	r.visible = strings.ReplaceAll(strings.TrimSpace(visible.String()), "\u2060", "")
	return r
}

// checkShown returns what is wrong with the HTML GitHub would show for sh.
func checkShown(sh shown, h string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if strings.ContainsAny(sh.markdown, "\r\n") {
		fail("the markdown spans more than one line")
	}
	r := readHTML(h)
	for _, tag := range r.bad {
		fail("renders %q, which markdown text must not produce here", tag)
	}
	for name, n := range r.tags {
		if !allowedTags[sh.kind][name] {
			fail("renders %d <%s>", n, name)
		}
	}
	for _, text := range r.texts {
		for _, tr := range githubTriggers {
			if m := tr.re.FindString(text); m != "" {
				fail("shows %s, %q, in the text %q", tr.what, m, text)
			}
		}
	}
	switch sh.kind {
	case shownLine:
		if r.tags["ul"] != 1 || r.tags["li"] != 1 {
			fail("is not one list item (%d <ul>, %d <li>)", r.tags["ul"], r.tags["li"])
		}
		if len(r.hrefs) != 1 {
			fail("has %d links, want 1", len(r.hrefs))
		} else if got, want := percentDecode(r.hrefs[0]), percentDecode(sh.link); got != want {
			fail("links to %q, want %q", r.hrefs[0], sh.link)
		}
		for _, v := range sh.visible {
			if !strings.Contains(r.visible, v) {
				fail("shows %q, want it to show %q as typed", r.visible, v)
			}
		}
	case shownMessage:
		if r.tags["ul"] != 1 || r.tags["li"] != 1 {
			fail("is not one list item (%d <ul>, %d <li>)", r.tags["ul"], r.tags["li"])
		}
		if len(r.hrefs) != 0 {
			fail("has %d links, want none", len(r.hrefs))
		}
	case shownPlain:
		if len(r.hrefs) != 0 {
			fail("has %d links, want none", len(r.hrefs))
		}
		if r.visible != sh.visible[0] {
			fail("shows %q, want %q", r.visible, sh.visible[0])
		}
	case shownCode:
		want := sh.visible[0]
		if strings.Contains(want, strings.Repeat("`", maxFence)) { // too long a fence: Plain's way
			if len(r.code) != 0 || r.visible != want {
				fail("shows code %q and text %q, want only the text %q", r.code, r.visible, want)
			}
			break
		}
		if want == "" {
			want = " "
		}
		if len(r.code) != 1 || r.code[0] != want || strings.TrimSpace(strings.Join(r.texts, "")) != "" {
			fail("shows code %q and text %q, want only the code %q", r.code, r.texts, want)
		}
	}
	return errs
}

// percentDecode decodes each valid %XX, so two spellings of a URL compare
// equal: cmark-gfm percent-encodes what the bot leaves as typed.
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkOnGitHub renders shows with render, in one batch, and fails t for
// each one GitHub would not show as it must.
func checkOnGitHub(t *testing.T, render renderHTML, shows []shown) {
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
	render := requireCmark(t)
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

func TestRenderCmarkSplitsABatch(t *testing.T) {
	render := requireCmark(t)
	docs := []string{"a", "<!-- an HTML block that swallows what follows", "- b", "```", "c"}
	got, err := render(docs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<p>a</p>\n", "<!-- an HTML block that swallows what follows\n", "<ul>\n<li>b</li>\n</ul>\n",
		"<pre><code></code></pre>\n", "<p>c</p>\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("renderCmark(%q) = %q, want %q", docs, got, want)
	}
}
