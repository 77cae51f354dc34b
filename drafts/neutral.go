package drafts

import (
	"strings"
	"unicode/utf8"
)

// GitHub shows markdown in two steps (github/markup, "How GitHub renders
// markup"): cmark-gfm turns it into HTML, with the autolink, table,
// strikethrough and tagfilter extensions, and then GitHub's filters rewrite
// the text of that HTML, outside links and code: "@user" and "@org/team"
// become mentions, which notify in issues and pull requests; "#12", "GH-12",
// "owner/repo#12", "owner/repo@sha" and a bare commit sha become references
// ("Autolinked references and URLs" in GitHub's docs); ":name:" becomes an
// emoji. A backslash escape reaches only the first step: "\@octocat",
// "&commat;octocat" and "&#64;octocat" are all "@octocat" by the time the
// filters look, and "\#181" and "&#35;181" are "#181" (github/markup#1168,
// github/cmark-gfm#181, both open). cmark-gfm's e-mail autolinks (user@host,
// mailto:user@host, xmpp:user@host) are likewise found in the text after
// escapes are gone.
//
// So the text that reaches the filters must differ from each trigger: a word
// joiner, U+2060, goes inside it. It is invisible, it allows no line break
// ("@home labs" reads and wraps as typed), it is not a word character for
// any of those patterns, and neither cmark-gfm nor GitHub's sanitizer drops
// it. The workaround those issues report, and Renovate uses, is the same
// with a zero-width space ("@&#8203;user"), which would allow a line break
// after the "@". It is written as an entity so that a person editing the
// draft sees it. cleanText drops any word joiner typed in, so every one in
// the output was put there here.
const wordJoiner = "&#8288;"

// Quoting limits, in characters: a quote in a sentence stays short; a code
// span may hold a whole link or line.
const (
	maxQuote = 100
	maxCode  = maxLink
)

// maxFence is the longest code span fence cmark-gfm reads.
const maxFence = 80

// Plain returns s as inline markdown that GitHub shows as the same visible
// characters, on one line, with no mention, reference, link, image, emoji,
// HTML or emphasis: what someone typed, to quote in a comment or a pull
// request. Line breaks become spaces, control and bidi characters are
// dropped (see cleanText), and text longer than 100 characters is cut,
// ending in "…".
func Plain(s string) string {
	return escapeText(truncateText(cleanText(s), maxQuote))
}

// PlainUpTo is Plain with a limit of its own, for longer texts quoted whole:
// a maintainer's reason for declining a suggestion.
func PlainUpTo(s string, n int) string {
	return escapeText(truncateText(cleanText(s), n))
}

// CodeBlock returns text as a fenced code block with the info string info
// ("diff", "markdown"): the fence is one backtick longer than the longest
// run of backticks in text, and at least three, so no line of text closes
// it. GitHub finds no mention, reference or link inside code.
func CodeBlock(info, text string) string {
	fence := strings.Repeat("`", max(3, longestBacktickRun(text)+1))
	return fence + info + "\n" + strings.TrimSuffix(text, "\n") + "\n" + fence + "\n"
}

// longestBacktickRun is the length of the longest run of backticks in s:
// a code fence one longer is closed by none of them.
func longestBacktickRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// CodeSpan returns s as an inline code span, to quote what someone typed
// verbatim: GitHub finds no mention, reference, link or emoji inside code.
// The fence is one backtick longer than the longest run of backticks in s,
// and a space pads s when it starts or ends with a backtick, as CommonMark
// strips one on each side. Like Plain, it keeps s on one line, drops control
// and bidi characters, and cuts it at 2,000 characters. CommonMark has no
// empty code span: an empty s gives one holding a space. cmark-gfm takes no
// fence longer than 80 backticks (MAXBACKTICKS in its inlines.c): s with a
// run of 80 or more is written as Plain writes it, uncut, not as code.
func CodeSpan(s string) string {
	s = truncateText(cleanText(s), maxCode)
	if s == "" {
		return "` `"
	}
	longest := longestBacktickRun(s)
	if longest >= maxFence {
		return escapeText(s)
	}
	fence := strings.Repeat("`", longest+1)
	if s[0] == '`' || s[len(s)-1] == '`' {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// quoteTyped is what a problem message shows of something typed: Plain, in
// quotation marks.
func quoteTyped(s string) string { return `"` + Plain(s) + `"` }

// truncateText cuts s to at most n characters, the last of them "…".
func truncateText(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

// joinerPoints returns, in increasing order, the byte offsets of s before
// which a word joiner breaks a trigger of GitHub's text filters or of
// cmark-gfm's autolinks, or nil if s has none:
//
//   - after every "@": mentions, team mentions, owner@sha, e-mail addresses
//     with or without mailto: or xmpp:;
//   - after the ":" of "://": URLs (cmark-gfm autolinks http, https and
//     ftp; any scheme is broken);
//   - before the "." of "www.", in any case: cmark-gfm's www autolinks;
//   - after a "#" followed by a digit: "#12", "owner/repo#12";
//   - after the "-" of "GH-" followed by a digit, in any case;
//   - after the first ":" of ":name:": emoji, ":octocat:" among them as an
//     image;
//   - every six characters into a word of seven or more hexadecimal digits,
//     which GitHub links to the commit when one starts so.
func joinerPoints(s string) []int {
	var points []int
	hexStart := -1 // start of the run of hex digits ending at i, or -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isHex(s[i]) {
			if hexStart < 0 {
				hexStart = i
			}
		} else if hexStart >= 0 {
			if i-hexStart >= 7 && (hexStart == 0 || !isWordByte(s[hexStart-1])) && (i == len(s) || !isWordByte(s[i])) {
				for p := hexStart + 6; p < i; p += 6 {
					points = appendPoint(points, p)
				}
			}
			hexStart = -1
		}
		if i == len(s) {
			break
		}
		switch s[i] {
		case '@':
			points = appendPoint(points, i+1)
		case ':':
			if strings.HasPrefix(s[i+1:], "//") || emojiNameAt(s[i+1:]) {
				points = appendPoint(points, i+1)
			}
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				points = appendPoint(points, i)
			}
		case '#':
			if i+1 < len(s) && isDigit(s[i+1]) {
				points = appendPoint(points, i+1)
			}
		case '-':
			if i >= 2 && strings.EqualFold(s[i-2:i], "gh") && i+1 < len(s) && isDigit(s[i+1]) {
				points = appendPoint(points, i+1)
			}
		}
	}
	return points
}

// appendPoint appends p unless it is already last. Points arrive in
// increasing order: those of a hex run, found when it ends at i, all come
// before i, and no other trigger lies inside a run.
func appendPoint(points []int, p int) []int {
	if n := len(points); n > 0 && points[n-1] == p {
		return points
	}
	return append(points, p)
}

// emojiNameAt reports whether s starts with an emoji name and its closing
// colon, "smile:" or "+1:": what follows the opening colon of ":smile:".
func emojiNameAt(s string) bool {
	i := 0
	for i < len(s) && (isWordByte(s[i]) || s[i] == '+' || s[i] == '-') {
		i++
	}
	return i > 0 && i < len(s) && s[i] == ':'
}

// isWordByte reports whether c is an ASCII word character, as \w in the
// Ruby patterns of GitHub's filters.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }
