package drafts

import (
	"bytes"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// LineKind says how a reader sees one line of a markdown document: as text
// of its own, or as part of something that is not (code, a quotation,
// hidden HTML).
type LineKind uint8

const (
	// Text is a line read as written: paragraphs, headings, list items,
	// tables, blank lines.
	Text LineKind = iota
	// Code is in a fenced or indented code block, fence lines included.
	Code
	// Quote is in a block quote, at any depth, including a lazy
	// continuation line that has no ">" but renders inside the quote.
	Quote
	// Comment is in an HTML comment, which no reader sees: a comment
	// block ("<!--" at the start of a line, to the line with "-->") or a
	// comment inside a paragraph that spans whole lines.
	Comment
	// HTML is in another raw HTML block (<div>, <pre>, <details>, ...):
	// its text is passed through as HTML, never read as markdown.
	HTML
)

func (k LineKind) String() string {
	switch k {
	case Code:
		return "code"
	case Quote:
		return "quote"
	case Comment:
		return "comment"
	case HTML:
		return "html"
	}
	return "text"
}

// Line is one line of a markdown document.
type Line struct {
	Text       string // without its line ending ("\n" or "\r\n")
	Start, End int    // byte offsets: the line's first byte, and the byte after its line ending
	Kind       LineKind
}

// blockParser parses the block structure and the inlines that can hide a
// line (raw HTML, and code spans and links, which take precedence over it);
// goldmark's parsers are safe for concurrent use.
var blockParser = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithInlineParsers(parser.DefaultInlineParsers()...),
	parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
)

// MarkdownLines splits a markdown document into lines, each with the kind
// CommonMark gives it: which lines are code (a fence closes only on a fence
// of the same character at least as long as the opening one, indented up to
// three spaces), which are quoted, which are hidden in HTML comments. Lines
// end at "\n", as goldmark reads them (a lone "\r" is no line end); a "\r"
// before it, or at the very end, belongs to the line ending. A byte-order mark
// at the start is not part of the first line's text (Start is after it).
func MarkdownLines(doc string) []Line { return markdownLines(doc, true) }

// markdownLines is MarkdownLines; fast false always asks goldmark, so a test
// can check the shortcut for plain text.
func markdownLines(doc string, fast bool) []Line {
	bom := 0
	if strings.HasPrefix(doc, "\uFEFF") {
		bom = len("\uFEFF")
	}
	// Without these characters and four spaces in a row, a document has
	// nothing but text (most comments and form answers): no fence, quote or
	// HTML can start, nor indented code (which needs four columns of indent,
	// even after a list marker: "-     code").
	plain := !strings.ContainsAny(doc, "`~<>\t") && !strings.Contains(doc, "    ")
	lines := make([]Line, 0, strings.Count(doc, "\n")+1)
	for off := bom; off < len(doc); {
		end := strings.IndexByte(doc[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(doc)-off, len(doc)
		}
		lines = append(lines, Line{Text: strings.TrimSuffix(doc[off:off+end], "\r"), Start: off, End: next})
		off = next
	}
	if (fast && plain) || len(lines) == 0 {
		return lines
	}
	// goldmark reads the lines joined with "\n": no byte-order mark, and no
	// "\r", which it would take for text ("*\r" is no empty list item).
	m := &marker{lines: lines, starts: make([]int, len(lines))}
	src := make([]byte, 0, len(doc)+1)
	for i, l := range lines {
		m.starts[i] = len(src)
		src = append(append(src, l.Text...), '\n')
	}
	m.src = src
	m.blocks(blockParser.Parse(text.NewReader(src)), len(src))
	return lines
}

// marker sets the kinds of lines from goldmark's block tree. goldmark gives
// every block the offset where it starts and leaf blocks their content
// lines; a block's lines run from its start to where the next block starts,
// which takes in fence lines and the blank lines after a block.
type marker struct {
	src    []byte // what goldmark parsed
	lines  []Line
	starts []int // offset in src of each line
}

// line returns the index of the line holding offset off of src.
func (m *marker) line(off int) int {
	return sort.Search(len(m.starts), func(i int) bool { return m.starts[i] > off }) - 1
}

// set marks the lines from the one holding offset start of src up to, not
// including, the one holding offset end (the start of the next block, which
// may be indented).
func (m *marker) set(start, end int, k LineKind) {
	last := len(m.lines)
	if end < len(m.src) {
		last = m.line(end)
	}
	for i := m.line(start); i < last; i++ {
		m.lines[i].Kind = k
	}
}

// blocks marks the children of n, which ends at offset end of src.
func (m *marker) blocks(n ast.Node, end int) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		cEnd := end
		for s := c.NextSibling(); s != nil; s = s.NextSibling() {
			if p := s.Pos(); p >= 0 {
				cEnd = p
				break
			}
		}
		start := c.Pos()
		if start < 0 {
			continue
		}
		switch c := c.(type) {
		case *ast.Blockquote:
			m.set(start, cEnd, Quote)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			m.set(start, cEnd, Code)
		case *ast.HTMLBlock:
			k := HTML
			if c.HTMLBlockType == ast.HTMLBlockType2 {
				k = Comment
			}
			m.set(start, cEnd, k)
		default:
			if c.Type() == ast.TypeBlock && c.HasChildren() && c.FirstChild().Type() == ast.TypeInline {
				m.comments(c)
			} else {
				m.blocks(c, cEnd)
			}
		}
	}
}

// comments marks the lines of a paragraph or heading that inline HTML
// comments cover whole: in "text <!--" / "hidden" / "-->", the middle line.
func (m *marker) comments(block ast.Node) {
	_ = ast.Walk(block, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		raw, ok := n.(*ast.RawHTML)
		if !entering || !ok || raw.Segments.Len() == 0 {
			return ast.WalkContinue, nil
		}
		segs := raw.Segments.Sliced(0, raw.Segments.Len())
		if !bytes.HasPrefix(m.src[segs[0].Start:], []byte("<!--")) {
			return ast.WalkContinue, nil
		}
		for i := m.line(segs[0].Start); i <= m.line(segs[len(segs)-1].Stop-1); i++ {
			if m.hidden(i, segs) {
				m.lines[i].Kind = Comment
			}
		}
		return ast.WalkSkipChildren, nil
	})
}

// hidden reports whether every non-space byte of line i is in one of segs.
func (m *marker) hidden(i int, segs []text.Segment) bool {
	l := m.lines[i].Text
	for j := 0; j < len(l); j++ {
		if l[j] == ' ' || l[j] == '\t' {
			continue
		}
		off, in := m.starts[i]+j, false
		for _, s := range segs {
			if s.Start <= off && off < s.Stop {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}
