package drafts

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText makes one line of plain text out of what someone typed: control
// and invisible formatting characters (bidi overrides among them) are dropped,
// any run of white space, line breaks included, becomes one space, and invalid
// UTF-8 is replaced. The zero-width joiner stays: emoji need it.
func cleanText(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			space = true
			continue
		case r == '\u200d':
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), r == utf8.RuneError:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isPlainASCII reports whether s is printable ASCII with single spaces
// inside and none around: text cleanText would return unchanged.
func isPlainASCII(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || (c == ' ' && s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// markdownSpecial are the characters escaped wherever they are: those that
// could end a link's text, open a code span, start HTML or a table cell, or
// escape the next character, and those of emphasis, strikethrough and
// GitHub's math ("$x$"). An underscore is escaped only where it could
// emphasise (see intraword), an ampersand only where it starts an entity.
const markdownSpecial = "\\[]|<>`*~$"

// leadingBlockRE matches a block marker at the start of a text: a heading,
// a list item, a thematic break, a setext underline or a code fence.
var leadingBlockRE = regexp.MustCompile(`^(#|[-+*=_~]|\d+[.)])`)

// escapeText makes cleaned text safe to place inside the newsletter's
// markdown or a comment: it stays plain text within one line and one link's
// text, whatever was typed, and GitHub shows it as typed. Markdown
// punctuation that could change the structure or add emphasis is
// backslash-escaped, and an entity reference shows as typed instead of
// becoming a character. What GitHub would turn into a mention, a reference,
// an emoji or an autolink is broken with a word joiner (see joinerPoints):
// a backslash does not stop those.
func escapeText(s string) string {
	var lead []int
	if s != "" && strings.IndexByte("#-+*=_~0123456789", s[0]) >= 0 {
		lead = leadingBlockRE.FindStringIndex(s)
	}
	points := joinerPoints(s)
	if lead == nil && points == nil && !strings.ContainsAny(s, markdownSpecial+"_&") {
		return s // nothing to escape: most titles and names
	}
	var b strings.Builder
	b.Grow(len(s) + 8 + len(points)*len(wordJoiner))
	for i, r := range s {
		if len(points) > 0 && points[0] == i {
			b.WriteString(wordJoiner)
			points = points[1:]
		}
		switch {
		case strings.ContainsRune(markdownSpecial, r),
			lead != nil && i == lead[1]-1,
			r == '_' && !intraword(s, i),
			r == '&' && entityAt(s[i:]) > 0:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	if len(points) > 0 { // after an "@" at the end
		b.WriteString(wordJoiner)
	}
	return b.String()
}

// intraword reports whether the underscore at i has a letter or digit on
// both sides, where CommonMark lets it neither open nor close emphasis:
// snake_case stays as typed.
func intraword(s string, i int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+1:])
	return isLetterOrDigit(before) && isLetterOrDigit(after)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// entityAt returns the length of the HTML entity or numeric character
// reference s starts with ("&amp;", "&#64;", "&#x202E;"), or 0.
func entityAt(s string) int {
	if len(s) < 3 || s[0] != '&' {
		return 0
	}
	i := 1
	digit := isAlnum
	if s[1] == '#' {
		i, digit = 2, isDigit
		if len(s) > 2 && (s[2] == 'x' || s[2] == 'X') {
			i, digit = 3, isHex
		}
	}
	start := i
	for i < len(s) && i-start < 32 && digit(s[i]) {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }
func isAlnum(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' }

// Text limits, in characters: long enough for any real title, short enough
// that one submission cannot flood an edition.
const (
	maxShortText = 100 // names: organization, city
	maxTitle     = 200
	maxSummary   = 300
	maxLink      = 2000
)

// exampleLink is the shape of a link, in problem messages: as code, so GitHub
// does not make it a link to example.com.
const exampleLink = "`https://example.com/page`"

// checkLink validates a link as typed and returns it ready for the newsletter:
// an absolute http(s) URL with a host, trimmed, with the characters that could
// end a markdown link destination percent-encoded. Its errors quote what was
// typed through Plain or CodeSpan, ready for a comment.
func checkLink(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return "", fmt.Errorf("is empty")
	}
	if len(s) > maxLink {
		return "", fmt.Errorf("is %d characters long; links are limited to %d", len(s), maxLink)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') ||
			unicode.In(r, unicode.Zl, unicode.Zp) || r == utf8.RuneError {
			return "", fmt.Errorf("contains invisible characters; paste the link again")
		}
	}
	u, err := url.Parse(strings.ReplaceAll(s, " ", "%20"))
	if err != nil {
		return "", fmt.Errorf("%s is not a link; it should look like %s", quoteTyped(s), exampleLink)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		if u.Scheme == "" && !strings.Contains(s, "://") && strings.Contains(strings.SplitN(s, "/", 2)[0], ".") {
			return "", fmt.Errorf("%s has no https:// in front; write %s", quoteTyped(s), CodeSpan("https://"+s))
		}
		return "", fmt.Errorf("%s is not an http(s) link; it should start with https://", quoteTyped(s))
	case u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("%s has no host name; it should look like %s", quoteTyped(s), exampleLink)
	case u.User != nil:
		return "", fmt.Errorf("%s contains a user name or password; remove the part before @", quoteTyped(s))
	}
	host := u.Hostname()
	if !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return "", fmt.Errorf("%s has no valid host name (%s); it should look like %s", quoteTyped(s), quoteTyped(host), exampleLink)
	}
	return escapeURL(withoutTracking(s)), nil
}

// escapeURL percent-encodes what would end or break a markdown link
// destination; the rest of the URL is kept byte for byte as typed.
func escapeURL(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c == 0x7f || strings.IndexByte("()<>[]\\\"`{}|^", c) >= 0,
			c == '&' && entityAt(s[i:]) > 0:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// trackingParams are query parameters that say where a click came from,
// not what the link points to: they are left out of the newsletter and of
// the comparison of links. Names ending in "_" are prefixes.
var trackingParams = []string{"utm_", "fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid",
	"ref_src", "src", "gh_src", "_hsenc", "_hsmi", "mkt_tok", "trk", "trackingid", "refid", "lipi"}

// isTracking reports whether a query parameter is a tracking one.
func isTracking(key string) bool {
	key = strings.ToLower(key)
	for _, t := range trackingParams {
		if key == t || (strings.HasSuffix(t, "_") && strings.HasPrefix(key, t)) {
			return true
		}
	}
	return false
}

// withoutTracking removes the tracking parameters from a link's query and
// keeps the rest of it byte for byte, in order.
func withoutTracking(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	end := len(s)
	if h := strings.IndexByte(s[q:], '#'); h >= 0 {
		end = q + h
	}
	var kept []string
	for _, p := range strings.Split(s[q+1:end], "&") {
		k, _, _ := strings.Cut(p, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if p != "" && !isTracking(k) {
			kept = append(kept, p)
		}
	}
	out := s[:q]
	if len(kept) > 0 {
		out += "?" + strings.Join(kept, "&")
	}
	return out + s[end:]
}

// normalizeLink reduces a link to what identifies the page, so two submissions
// of the same page are found as duplicates: scheme, "www.", default ports,
// case of the host, fragment, trailing slash and tracking parameters do not count.
func normalizeLink(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for k := range q {
		if isTracking(k) {
			q.Del(k)
		}
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	out := host + path
	if enc := q.Encode(); enc != "" {
		out += "?" + enc
	}
	return out
}
