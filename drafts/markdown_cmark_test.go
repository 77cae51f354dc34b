package drafts

import (
	"encoding/xml"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
)

// cmarkNode is a node of cmark-gfm's XML output (-t xml --sourcepos).
type cmarkNode struct {
	XMLName  xml.Name
	Pos      string      `xml:"sourcepos,attr"`
	Content  string      `xml:",chardata"`
	Children []cmarkNode `xml:",any"`
}

// cmarkLineKinds asks cmark-gfm how it reads each of the n lines of doc: as
// text, or inside a code block, a block quote, an HTML block or a comment.
// The first and last line of an inline comment are text (they hold more than
// the comment); the lines between are comment.
func cmarkLineKinds(t *testing.T, path, doc string, n int) []LineKind {
	t.Helper()
	cmd := exec.Command(path, "-t", "xml", "--sourcepos")
	cmd.Stdin = strings.NewReader(doc)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cmark-gfm: %v", err)
	}
	var root cmarkNode
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	dec.Strict = false
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("cmark-gfm's XML: %v\n%s", err, out)
	}
	kinds := make([]LineKind, n)
	lines := func(pos string) (from, to int) { // 0-based, inclusive
		var a, b, c, d int
		fmt.Sscanf(pos, "%d:%d-%d:%d", &a, &b, &c, &d)
		return a - 1, c - 1
	}
	set := func(from, to int, k LineKind) {
		for i := max(from, 0); i <= to && i < n; i++ {
			kinds[i] = k
		}
	}
	var walk func(x cmarkNode)
	walk = func(x cmarkNode) {
		from, to := lines(x.Pos)
		switch x.XMLName.Local {
		case "block_quote":
			set(from, to, Quote)
			return
		case "code_block":
			set(from, to, Code)
			return
		case "html_block":
			// cmark-gfm's end position of an HTML block can run into the
			// next block; its content says how many lines it has.
			to = from + strings.Count(x.Content, "\n") - 1
			if strings.HasPrefix(strings.TrimLeft(x.Content, " "), "<!--") {
				set(from, to, Comment)
			} else {
				set(from, to, HTML)
			}
			return
		case "paragraph", "heading", "thematic_break", "table":
			// Text, whatever an earlier block's end position said: cmark-gfm
			// can end an unclosed fence in a list item on a later line.
			set(from, to, Text)
		case "html_inline":
			if strings.HasPrefix(x.Content, "<!--") {
				set(from+1, to-1, Comment)
			}
			return
		}
		for _, c := range x.Children {
			walk(c)
		}
	}
	walk(root)
	return kinds
}

// markdownPieces are lines that open, close or continue what hides text.
var markdownPieces = []string{
	"text", "/newsletter accept", "### Location", "", "", "", "```", "````", "```go", "```a`b", "~~~", "~~~~ x`y",
	"   ```", "    ```", "    code", "\tcode", "> quote", "> > nested", ">", "> ```", "- item", "- ```", "  ```", "  text",
	"1. one", "*     code", "<!--", "-->", "<!-- x -->", "a <!--", "--> b", "<div>", "</div>", "<pre>", "x </pre>",
	"<details>", "| a | b |", "|---|---|", "***", "---", "Title\n===", "<?php", "?>", "<!DOCTYPE html>",
	"`<!--`", "  - nested", "     > q",
}

// TestMarkdownLinesHidesWhatGitHubHides builds documents from pieces that
// open and close code, quotes and HTML, and checks MarkdownLines against
// cmark-gfm, GitHub's renderer: a line GitHub shows inside code, a quote,
// HTML or a comment is never text here, so no command or heading hidden
// there is taken for the author's own. (The other way round, MarkdownLines
// may hide more: goldmark ends an inline comment at the first "-->", where
// cmark-gfm 0.29 takes no comment with "--" inside; such a command is not
// run, and the commenter can see that it was not.)
func TestMarkdownLinesHidesWhatGitHubHides(t *testing.T) {
	path := ghmarkdown.CmarkPath()
	if path == "" {
		t.Skip(ghmarkdown.Skip)
	}
	docs := 600
	if testing.Short() {
		docs = 100
	}
	r := rand.New(rand.NewSource(2))
	for range docs {
		var ls []string
		for range 2 + r.Intn(10) {
			ls = append(ls, markdownPieces[r.Intn(len(markdownPieces))])
		}
		doc := strings.Join(ls, "\n") + "\n"
		lines := markdownLines(doc, false)
		want := cmarkLineKinds(t, path, doc, len(lines))
		for i, l := range lines {
			if l.Kind == Text && want[i] != Text && strings.TrimSpace(l.Text) != "" {
				t.Fatalf("MarkdownLines(%q): line %d, %q, is text; cmark-gfm shows it as %s", doc, i+1, l.Text, want[i])
			}
		}
	}
}
