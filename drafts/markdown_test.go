package drafts

import (
	"strings"
	"testing"
)

// kinds returns the kind of every line of doc, space-separated.
func kinds(doc string) string {
	var out []string
	for _, l := range MarkdownLines(doc) {
		out = append(out, l.Kind.String())
	}
	return strings.Join(out, " ")
}

func TestMarkdownLines(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // the kind of each line
	}{
		{"plain text is text", "Looks good.\n/newsletter accept", "text text"},
		{"a ``` fence is code, fence lines included", "```\nx\n```\nafter", "code code code text"},
		{"a ```` fence is not closed by a ``` line", "````\n```\nx\n````\nafter", "code code code code text"},
		{"a ``` fence closes on a longer one", "```\nx\n`````\nafter", "code code code text"},
		{"a ``` fence is not closed by ~~~", "```\n~~~\nx\n```\nafter", "code code code code text"},
		{"a ~~~ fence is not closed by ```", "~~~\n```\nx\n~~~\nafter", "code code code code text"},
		{"a closing fence may be indented three spaces", "```\nx\n   ```\nafter", "code code code text"},
		{"a fence indented four spaces closes nothing", "```\nx\n    ```\nstill code", "code code code code"},
		{"a closing fence has no info string", "```\n``` go\nx\n```\nafter", "code code code code text"},
		{"an opening ``` with a backtick in its info string is no fence", "```a`b\nx", "text text"},
		{"an opening ~~~ may have backticks in its info string", "~~~ a`b\nx\n~~~\nafter", "code code code text"},
		{"a fence never closed runs to the end", "text\n```\nx\n\n### Location", "text code code code code"},
		{"a fence in a list item is code", "- ```\n  x\n  ```\n\nafter", "code code code code text"},
		{"indented code at the start is code", "    x\n\nafter", "code code text"},
		{"an indented line under a paragraph line continues it", "text\n    more", "text text"},
		{"a list item with five spaces before its text holds indented code", "*     code", "code"},
		{"a block quote is quote", "> a\n> b\n\nafter", "quote quote quote text"},
		{"a nested quote is quote", "> > a\n> > b", "quote quote"},
		{"a line right under a quote continues it", "> a\nlazy\n\nafter", "quote quote quote text"},
		{"a heading right under a quote is not in it", "> a\n### Location", "quote text"},
		{"a one-line HTML comment is comment", "<!-- x -->\nafter", "comment text"},
		{"an HTML comment spans lines to its -->", "<!--\nx\n\ny\n-->\nafter", "comment comment comment comment comment text"},
		{"an HTML comment never closed runs to the end", "<!--\nx\n\n### Location", "comment comment comment comment"},
		{"a comment opened in a sentence hides the lines it covers whole", "Thanks <!--\nx\n--> for this\nafter", "text comment text text"},
		{"a comment inside emphasis hides them too", "*a <!--\nx\n--> b*", "text comment text"},
		{"<!-- in a code span opens no comment", "`<!--`\nx\n`-->`", "text text text"},
		{"a <div> block is html to the blank line", "<div>\nx\n</div>\n\nafter", "html html html html text"},
		{"a <pre> block is html to its </pre>, blank lines included", "<pre>\nx\n\ny\n</pre>\nafter", "html html html html html text"},
		{"a ``` line in an html block opens no fence", "<br>\n```\n\nafter", "html html html text"},
		{"CRLF lines are the same", "```\r\nx\r\n```\r\nafter", "code code code text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kinds(tt.doc); got != tt.want {
				t.Errorf("MarkdownLines(%q) kinds = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestMarkdownLinesSplitsLikeGitHub(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		texts []string
	}{
		{"an empty document has no lines", "", nil},
		{"a final newline adds no empty line", "a\n", []string{"a"}},
		{"a lone newline is one empty line", "\n", []string{""}},
		{"a last line without newline counts", "a\nb", []string{"a", "b"}},
		{"CR before LF is part of the line ending", "a\r\n\r\nb", []string{"a", "", "b"}},
		{"a byte-order mark is not text", "\uFEFF### Organization\n", []string{"### Organization"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := MarkdownLines(tt.doc)
			var texts []string
			for _, l := range lines {
				texts = append(texts, l.Text)
			}
			if strings.Join(texts, "|") != strings.Join(tt.texts, "|") || len(texts) != len(tt.texts) {
				t.Errorf("MarkdownLines(%q) texts = %q, want %q", tt.doc, texts, tt.texts)
			}
			checkTiling(t, tt.doc, lines)
		})
	}
}

// checkTiling checks that lines cover doc, after a byte-order mark, end to
// end, and that each line's Text is its bytes without the line ending (a
// "\r" at the very end of doc counts as one).
func checkTiling(t *testing.T, doc string, lines []Line) {
	t.Helper()
	off := 0
	if strings.HasPrefix(doc, "\uFEFF") {
		off = len("\uFEFF")
	}
	for i, l := range lines {
		raw := doc[l.Start:l.End]
		if l.Start != off || (raw != l.Text && raw != l.Text+"\n" && raw != l.Text+"\r\n" && raw != l.Text+"\r") {
			t.Fatalf("MarkdownLines(%q)[%d] = %+v: starts at %d, want %d, holding %q", doc, i, l, l.Start, off, raw)
		}
		off = l.End
	}
	if off != len(doc) && !(off == 0 && doc == "\uFEFF") {
		t.Fatalf("MarkdownLines(%q) ends at %d, want %d", doc, off, len(doc))
	}
}

// TestIndexIgnoresHiddenTables: a table shown in code as an example, or
// commented out, is not the index a maintainer means.
func TestIndexIgnoresHiddenTables(t *testing.T) {
	index := md(
		"| Issue   | Link     |",
		"|---------|----------|",
		"| Issue 1 | [d1](u1) |",
		"|         |          |",
	)
	want := md(
		"| Issue   | Link     |",
		"|---------|----------|",
		"| Issue 1 | [d1](u1) |",
		"| Issue 2 | [d2](u2) |",
	)
	for name, before := range map[string]string{
		"a ```` fence holding a ``` line": md("````", "```", "| not | the index |", "|-----|-----------|", "```", "| still | code |", "````", ""),
		"a ~~~ fence holding a ``` line":  md("~~~", "```", "| not | the index |", "|-----|-----------|", "~~~", ""),
		"an HTML comment":                 md("<!--", "| not | the index |", "|-----|-----------|", "-->", ""),
		"a fence indented three spaces":   md("   ```", "| not | the index |", "|-----|-----------|", "   ```", ""),
	} {
		t.Run("a table in "+name+" is not the index", func(t *testing.T) {
			got, err := AddToIndex(before+index, IndexEntry{Number: 2, Date: "d2", URL: "u2"}, IndexLayout{Rows: 2})
			if err != nil {
				t.Fatalf("AddToIndex(%q) error: %v", before+index, err)
			}
			if got != before+want {
				t.Errorf("AddToIndex(%q) differs (-want +got):\n%s", before+index, lineDiff(before+want, got))
			}
		})
	}
}

// FuzzMarkdownLines: any text splits into lines that tile it, CRLF and LF
// give the same kinds, and the shortcut for plain text agrees with goldmark.
//
//	go test -run XXX -fuzz FuzzMarkdownLines -fuzztime 60s ./drafts/
func FuzzMarkdownLines(f *testing.F) {
	for _, seed := range []string{
		"", "\n", "\r", "\uFEFF", "a\r\nb", "a\r\r    x", "*     code", "````\n```\nx\n````", "~~~\n```\n~~~", "- ```\n  x\n  ```",
		"> a\nlazy", "<!--\nx\n-->\ny", "Thanks <!--\nx\n--> for", "<pre>\n\n</pre>", "    x\n\ty",
		"### Organization\n\nComcast\n###\n\n### Location\n\nGermany",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		lines := MarkdownLines(doc)
		checkTiling(t, doc, lines)
		lf := strings.ReplaceAll(doc, "\r", "")
		crlf := strings.ReplaceAll(lf, "\n", "\r\n")
		if a, b := kinds(lf), kinds(crlf); a != b {
			t.Fatalf("MarkdownLines(%q) kinds = %q, with CRLF %q", lf, a, b)
		}
		for i, l := range markdownLines(doc, false) {
			if l != lines[i] {
				t.Fatalf("MarkdownLines(%q)[%d] = %+v, goldmark says %+v", doc, i, lines[i], l)
			}
		}
	})
}
