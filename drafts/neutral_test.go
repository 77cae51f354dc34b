package drafts

import (
	"strings"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
)

func TestPlain(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept as it is", "Atlantis Prime", "Atlantis Prime"},
		{"a mention is broken up", "@octocat", "@&#8288;octocat"},
		{"a team mention is broken up", "@todo/maintainers", "@&#8288;todo/maintainers"},
		{"an escaped mention is broken up, the backslash shown", `\@octocat`, `\\@&#8288;octocat`},
		{"a mention as an entity shows as typed", "&#64;octocat", `\&#&#8288;64;octocat`},
		{"a named entity shows as typed", "&commat;octocat", `\&commat;octocat`},
		{"an issue reference is broken up", "#1", `\#&#8288;1`},
		{"a URL is broken up", "https://evil.example", "https:&#8288;//evil.example"},
		{"an image tag is escaped", "<img src=x>", `\<img src=x\>`},
		{"emphasis is escaped", "*x* _y_", `\*x\* \_y\_`},
		{"a line break becomes a space", "one\ntwo", "one two"},
		{"a bidi override is dropped", "evil\u202etxt", "eviltxt"},
		{"invalid UTF-8 is dropped", "a\xffb", "ab"},
		{"a text of 100 characters is kept", strings.Repeat("x", 100), strings.Repeat("x", 100)},
		{"a longer text is cut to 100 characters with an ellipsis", strings.Repeat("x", 101), strings.Repeat("x", 99) + "…"},
		{"characters are counted, not bytes", strings.Repeat("é", 101), strings.Repeat("é", 99) + "…"},
		{"a space before the cut is dropped", strings.Repeat("x", 98) + " yy", strings.Repeat("x", 98) + "…"},
		{"a mention at the cut is still broken up", strings.Repeat("x", 97) + " @octocat", strings.Repeat("x", 97) + " @&#8288;…"},
		{"an @ at the end is followed by a joiner", "ping @", "ping @&#8288;"},
		{"empty text stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plain(tt.in); got != tt.want {
				t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCodeSpan(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"text goes between single backticks", "@octocat #1", "`@octocat #1`"},
		{"a backtick inside needs a fence of two", "a`b", "``a`b``"},
		{"a run of three needs a fence of four", "x ``` y", "````x ``` y````"},
		{"a leading backtick is padded with spaces", "`a", "`` `a ``"},
		{"a trailing backtick is padded with spaces", "a`", "`` a` ``"},
		{"only backticks are padded", "```", "```` ``` ````"},
		{"a line break becomes a space", "one\r\ntwo", "`one two`"},
		{"control and bidi characters are dropped", "a\x00b\u202ec", "`abc`"},
		{"markdown inside stays as typed", "*x* <b> [a](b)", "`*x* <b> [a](b)`"},
		{"empty text is a code span of one space", "", "` `"},
		{"a run of 80 backticks is too long a fence: the text is escaped instead", "a" + strings.Repeat("`", 80) + "@b",
			`a` + strings.Repeat("\\`", 80) + "@&#8288;b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeSpan(tt.in); got != tt.want {
				t.Errorf("CodeSpan(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCodeSpanCutsAt2000Characters(t *testing.T) {
	got := CodeSpan(strings.Repeat("x", 3000))
	if want := "`" + strings.Repeat("x", 1999) + "…`"; got != want {
		t.Errorf("CodeSpan(3000 × x) = %d bytes %q…, want %d bytes", len(got), got[:20], len(want))
	}
}

// TestPlainAndCodeSpanOnGitHub renders the examples above with cmark-gfm:
// what GitHub shows must be what was typed, less line breaks and invisible
// characters.
func TestPlainAndCodeSpanOnGitHub(t *testing.T) {
	render := ghmarkdown.Require(t)
	var shows []shown
	for _, typed := range []string{"@octocat", "@todo/maintainers", `\@octocat`, "&#64;octocat", "&commat;octocat",
		"user\\@example.com", "mailto:a@b.example", "xmpp:a@b.example", "x@y.z", "#1", "GH-1", "o/r#1", "o/r@a5c3785",
		"https://evil.example", "www.evil.example", "*x* _y_ ~~z~~ $m$", "<img src=x>", ":octocat:", "a`b", "`a", "```",
		"@home labs", "", strings.Repeat("x", 97) + " @octocat"} {
		shows = append(shows, typedShown(typed, typed)...)
	}
	checkOnGitHub(t, render, shows)
}

// TestCodeBlockHoldsAnyText: no line of the text closes the block, on
// GitHub's renderer, and the text shows whole.
func TestCodeBlockHoldsAnyText(t *testing.T) {
	render := ghmarkdown.Require(t)
	texts := []string{"plain", "```\n@octocat", "````\n```\n~~~\n`````` #12", "- a\n+ b\n", "<!--\n<img src=x>"}
	docs := make([]string, len(texts))
	for i, text := range texts {
		docs[i] = CodeBlock("diff", text) + "\nafter @octocat"
	}
	htmls, err := render(docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		r := ghmarkdown.Read(htmls[i])
		want := strings.TrimSuffix(text, "\n") + "\n"
		if len(r.Code) != 1 || r.Code[0] != want || len(r.Raw) != 0 || strings.TrimSpace(strings.Join(r.Texts, "")) != "after @octocat" {
			t.Errorf("CodeBlock(%q) renders as %q, want one code block holding the text and the paragraph after it", text, htmls[i])
		}
	}
}
