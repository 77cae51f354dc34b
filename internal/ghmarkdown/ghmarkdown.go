// Package ghmarkdown shows markdown as GitHub does, for tests: it renders with
// cmark-gfm, GitHub's fork of cmark (the Debian package cmark-gfm; .ci/run
// installs it), with GitHub's extensions, and reads the HTML for what GitHub's
// filters would then find in its text: mentions, issue references, commit
// shas, emoji, URLs.
//
// GitHub shows markdown in two steps (github/markup, "How GitHub renders
// markup"): cmark-gfm turns it into HTML, and filters rewrite the text of
// that HTML outside links and code. A backslash escape reaches only the
// first step (github/markup#1168, github/cmark-gfm#181), so the checks here
// run on the decoded text of the HTML, not on the markdown.
package ghmarkdown

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

// cmarkFlags make cmark-gfm render as GitHub does: its extensions, and raw
// HTML kept. GitHub keeps much raw HTML (sanitised) where cmark-gfm's safe
// mode would drop it without a trace, so it is rendered here and a check
// can see every tag.
var cmarkFlags = []string{"--unsafe",
	"-e", "autolink", "-e", "table", "-e", "strikethrough", "-e", "tagfilter", "-e", "tasklist", "-e", "footnotes"}

// Renderer renders markdown documents to HTML, one for each.
type Renderer func(docs []string) ([]string, error)

// Skip is the message of a test skipped because cmark-gfm is missing.
const Skip = "cmark-gfm is not on PATH: install the Debian package cmark-gfm (apt-get install cmark-gfm; .ci/run does)"

// CmarkPath returns the path of the cmark-gfm binary, or "" when it is not
// on PATH.
func CmarkPath() string {
	path, err := exec.LookPath("cmark-gfm")
	if err != nil {
		return ""
	}
	return path
}

// Cmark returns a renderer running the cmark-gfm binary, or nil when it is
// not on PATH.
func Cmark() Renderer {
	path := CmarkPath()
	if path == "" {
		return nil
	}
	return func(docs []string) ([]string, error) { return renderCmark(path, docs) }
}

// Require returns the cmark-gfm renderer, or skips the test saying which
// package to install.
func Require(t testing.TB) Renderer {
	t.Helper()
	r := Cmark()
	if r == nil {
		t.Skip(Skip)
	}
	return r
}

// GitHubOrGoldmark returns cmark-gfm when it is installed, else goldmark
// with its GFM extensions: goldmark honours backslash escapes where
// cmark-gfm's e-mail autolinks do not, but the checks on the HTML text
// (mentions, references, emoji) hold for both.
func GitHubOrGoldmark() Renderer {
	if r := Cmark(); r != nil {
		return r
	}
	return Goldmark
}

var goldmarkUnsafe = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

// Goldmark renders docs with goldmark and its GFM extensions.
func Goldmark(docs []string) ([]string, error) {
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

// Triggers are what GitHub's filters turn into links, notifications or
// images in the text of the HTML, outside <a>, <code> and <pre>; each is
// matched more broadly than GitHub matches it.
var Triggers = []struct {
	What string
	RE   *regexp.Regexp
}{
	// Mentions: html-pipeline's MentionFilter,
	//   (?:^|\W)@((?>[a-z0-9][a-z0-9-]*))(?!\/)(?=\.+[ \t\W]|\.+$|[^0-9a-zA-Z_.]|$)
	// and TeamMentionFilter, (?<=^|\W)@([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9\-_]*)\b,
	// both case-insensitive. Any "@" before a letter or digit counts here,
	// which covers e-mail addresses and owner@sha too.
	{"a mention", regexp.MustCompile(`@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_-]*)?`)},
	// References, GitHub docs "Autolinked references and URLs": #26, GH-26,
	// owner/repo#26, owner@sha, owner/repo@sha and a bare sha of 7 to 40
	// hex digits (linked when a commit starts so).
	{"an issue reference", regexp.MustCompile(`#[0-9]+`)},
	{"a GH- reference", regexp.MustCompile(`(?i)gh-[0-9]+`)},
	{"a commit sha", regexp.MustCompile(`(?:^|[^A-Za-z0-9_])[0-9A-Fa-f]{7,}(?:[^A-Za-z0-9_]|$)`)},
	// Emoji: GitHub's EmojiFilter, :([\w+-]+):; ":octocat:" is an image.
	{"an emoji code", regexp.MustCompile(`:[A-Za-z0-9_+-]+:`)},
	// What another autolinker could still take for a link: a scheme or
	// "www." before a character that may start a host name.
	{"a URL", regexp.MustCompile(`(?i)[a-z]://[^\s\p{P}]`)},
	{"a www. name", regexp.MustCompile(`(?i)www\.[^\s\p{P}]`)},
}

// Found is one trigger in a text.
type Found struct {
	What, Match, Text string
}

// Find returns every trigger in text.
func Find(text string) []Found {
	var out []Found
	for _, tr := range Triggers {
		for _, m := range tr.RE.FindAllString(text, -1) {
			out = append(out, Found{What: tr.What, Match: m, Text: text})
		}
	}
	return out
}

// HTML is what a check reads of the HTML of one document.
type HTML struct {
	Tags    map[string]int // tags of a shape markdown produces, by name, counted when they open
	Raw     []string       // every other tag: raw HTML
	Hrefs   []string       // of links, decoded
	Texts   []string       // text nodes outside code, decoded
	Code    []string       // contents of code elements, decoded
	Visible string         // all text, decoded, trimmed, without word joiners
}

// The tags markdown produces, exactly as cmark-gfm and goldmark write them.
var (
	anchorRE   = regexp.MustCompile(`^<a href="([^"]*)">$`)
	codeRE     = regexp.MustCompile(`^<code(?: class="language-[^"<>]*")?>$`)
	openTagRE  = regexp.MustCompile(`^<(ul|ol|li|p|strong|em|del|blockquote|pre|h[1-6]|table|thead|tbody|tr)>$`)
	cellRE     = regexp.MustCompile(`^<(th|td)(?: align="(?:left|right|center)")?>$`)
	voidRE     = regexp.MustCompile(`^<(hr|br) ?/?>$`)
	closeTagRE = regexp.MustCompile(`^</(ul|ol|li|p|strong|em|del|blockquote|pre|h[1-6]|table|thead|tbody|tr|th|td|a)>$`)
)

// Read reads cmark-gfm's (or goldmark's) HTML: every "<" starts a tag, as
// text comes with "<" escaped.
func Read(h string) HTML {
	r := HTML{Tags: map[string]int{}}
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
			r.Texts = append(r.Texts, s)
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
			r.Raw = append(r.Raw, h)
			break
		}
		tag := h[:j+1]
		h = h[j+1:]
		switch {
		case anchorRE.MatchString(tag):
			r.Tags["a"]++
			r.Hrefs = append(r.Hrefs, html.UnescapeString(anchorRE.FindStringSubmatch(tag)[1]))
		case codeRE.MatchString(tag):
			r.Tags["code"]++
			inCode = true
		case tag == "</code>":
			inCode = false
			r.Code = append(r.Code, code.String())
			code.Reset()
		case openTagRE.MatchString(tag):
			r.Tags[openTagRE.FindStringSubmatch(tag)[1]]++
		case cellRE.MatchString(tag):
			r.Tags[cellRE.FindStringSubmatch(tag)[1]]++
		case voidRE.MatchString(tag):
			r.Tags[voidRE.FindStringSubmatch(tag)[1]]++
		case closeTagRE.MatchString(tag):
		default:
			r.Raw = append(r.Raw, tag)
		}
	}
	r.Visible = strings.ReplaceAll(strings.TrimSpace(visible.String()), "\u2060", "")
	return r
}

// PercentDecode decodes each valid %XX, so two spellings of a URL compare
// equal: cmark-gfm percent-encodes what a markdown writer may leave as typed.
func PercentDecode(s string) string {
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

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
}
