package drafts

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
)

// Run the fuzzers with, for example:
//
//	go test -run XXX -fuzz FuzzParseBody -fuzztime 60s ./drafts/
//	go test -run XXX -fuzz FuzzLineStructure -fuzztime 60s ./drafts/
//	go test -run XXX -fuzz FuzzPlain -fuzztime 60s ./drafts/
//
// Without -fuzz, go test runs the seeds below and those committed in
// testdata/fuzz/, so every property is checked on every CI run. What the bot
// would write is rendered with cmark-gfm, GitHub's renderer, when it is on
// PATH (one process per input), else with goldmark (see ghmarkdown.GitHubOrGoldmark).

// FuzzParseBody feeds any text to the form parser as an issue body. It must
// not panic, a body with CRLF line endings must give the same answers as the
// body with LF, answers come back trimmed, a submission it calls valid
// renders as one line, and that line, or the problems of an invalid one,
// render as they must (see checkShown). They are rendered with goldmark, not
// cmark-gfm: bodies are long, and a process per input would make minimizing
// them take minutes; FuzzLineStructure and FuzzPlain check the same texts
// with cmark-gfm.
func FuzzParseBody(f *testing.F) {
	forms := DefaultForms()
	for _, k := range kindsInOrder(forms) {
		f.Add(forms[k].RenderBody(sampleAnswers(forms[k])))
	}
	for _, seed := range []string{
		"",
		"### Organization\n\nAcme\n\n### Job title\n\nEngineer\n\n### Link\n\nhttps://acme.example/jobs/1\n\n### Location\n\nGermany",
		"### Organization\n\n```\n### Job title\n```\n\n### Job title\n\n_No response_",
		"### 🏢 ORGANIZATION ###\n\nAcme\n###Job title\nEngineer\n### Job title\n\nsecond\n",
		"### Link\n\n```text\nhttps://x.example/\n```\n\n### Format\n\n- [X] This event is online only\n- [ ] other",
		"~~~~\n### Event name\n~~~\n### Event name\n\nnot a heading yet\n~~~~\n### Event name\n\nConf",
		"    ### Organization\n\n   ### Organization\n\nx",
		"### Category\n\nBlog, Guide\n\n### Title\n\n[x](javascript:alert(1))\n\n### Link\n\n<https://a.example/>",
		"\r\n### Country\r\n\r\nDE\r### City\rBerlin",
	} {
		f.Add(seed)
	}
	cfg := DefaultConfig()
	parser := NewParser(cfg, forms)
	pub := mustDate("2026-12-29")
	f.Fuzz(func(t *testing.T, body string) {
		var shows []shown
		lf := strings.ReplaceAll(body, "\r", "")
		crlf := strings.ReplaceAll(lf, "\n", "\r\n")
		for _, k := range kindsInOrder(forms) {
			form := forms[k]
			a, a2 := form.answers(lf), form.answers(crlf)
			values, checked, matched := a.values, a.checked, a.matched
			values2, checked2, matched2 := a2.values, a2.checked, a2.matched
			if fmt.Sprint(values, checked, matched) != fmt.Sprint(values2, checked2, matched2) {
				t.Fatalf("%s form: CRLF body parses differently:\nLF:   %q %q %d\nCRLF: %q %q %d",
					k, values, checked, matched, values2, checked2, matched2)
			}
			for id, v := range values {
				if v != strings.TrimSpace(v) {
					t.Errorf("%s form: answer %s = %q is not trimmed", k, id, v)
				}
				if v == noResponse {
					t.Errorf("%s form: answer %s is GitHub's %q, want empty", k, id, noResponse)
				}
			}
			issue := Issue{Number: 1, Title: "[" + string(k) + "] " + body, Body: body, State: "open",
				Labels: []Label{{Name: cfg.Labels.ForKind(k)}}}
			s := parser.Parse(issue)
			sh := submissionShown(t, cfg, &s, pub, string(k))
			if s.Valid() {
				checkLineStructure(t, sh[0].markdown, s.Link())
			}
			shows = append(shows, sh...)
		}
		checkOnGitHub(t, ghmarkdown.Goldmark, shows)
	})
}

// FuzzLineStructure checks the safety property of the newsletter: nothing
// typed into a form, once it passes validation, can change the structure of
// the edition. Every rendered line is one list item holding exactly one link,
// to the submitted URL, with no image, HTML, heading, code, table, autolink,
// mention, reference or emoji in it, and shows what was typed as typed. A
// submission that fails validation gets problem messages with no link,
// mention, reference or emoji; what was typed, through Plain and CodeSpan,
// shows as typed.
func FuzzLineStructure(f *testing.F) {
	f.Add(uint8(0), "Comcast", "Engineer, Open Source", "", "Germany", "jobs/1")
	f.Add(uint8(1), "Blog", "Why OSPOs matter", "A summary", "", "post?id=3&utm_source=x")
	f.Add(uint8(2), "FOSS Backstage", "", "", "Berlin", "")
	f.Add(uint8(0), "](javascript:alert(1))", "<img src=x onerror=alert(1)>", "", "Remote", "a)b")
	f.Add(uint8(1), "Blog", "![img](https://evil.example/i.png) www.evil.example", "@octocat foo@bar.com", "", "[x]")
	f.Add(uint8(2), "# Heading", "- item", "", "|a|b|\n|-|-|", "<script>")
	f.Add(uint8(0), "`code`", "\\", "", "United States", "&amp;x")
	f.Add(uint8(1), "Blog", "&lt;b&gt; &#64;x", "~~~", "", " ")
	f.Add(uint8(2), "1. first", "", "", "> quote", "%5D")
	f.Add(uint8(0), "***", "___", "", "Online", "?a=1&b=2")
	f.Add(uint8(1), "Blog", "x\u2028y\u202ez", "\x00\u0085", "", "\u00a0")
	f.Add(uint8(2), "https://evil.example", "", "", "mailto:x", "")

	cfg := DefaultConfig()
	parser := NewParser(cfg, DefaultForms())
	categories := cfg.Categories()
	pub := mustDate("2026-12-29")
	render := ghmarkdown.GitHubOrGoldmark()
	f.Fuzz(func(t *testing.T, kind uint8, a, b, c, place, path string) {
		link := "https://example.com/" + path
		k := Kinds[int(kind)%len(Kinds)]
		var answers map[string]string
		switch k {
		case KindJob:
			answers = map[string]string{"organization": a, "title": b, "link": link, "location": place}
		case KindNews:
			category := a
			if len(a) > 0 && a[0] < byte(len(categories)) {
				category = categories[a[0]] // often a known category, so more inputs are valid
			}
			answers = map[string]string{"category": category, "title": b, "summary": c, "link": link}
		case KindEvent:
			answers = map[string]string{"name": a, "start_date": "2027-01-20", "end_date": "2027-01-21",
				"city": place, "country": "Germany", "link": link, "cfp_deadline": "2027-01-05"}
			if strings.Contains(c, "online") {
				answers["online"] = "This event is online only"
				answers["country"] = "Online"
			}
		}
		body := parser.forms[k].RenderBody(answers)
		issue := Issue{Number: 7, Title: b, Body: body, State: "open", Labels: []Label{{Name: cfg.Labels.ForKind(k)}}}
		s := parser.Parse(issue)
		shows := submissionShown(t, cfg, &s, pub, string(k))
		if s.Valid() {
			checkLineStructure(t, shows[0].markdown, s.Link())
		}
		for _, typed := range []string{a, b, c, place} {
			shows = append(shows, typedShown(typed, "typed")...)
		}
		checkOnGitHub(t, render, shows)
	})
}

// FuzzPlain checks Plain and CodeSpan on any text: GitHub shows it as typed
// (less line breaks and invisible characters, cut at the limit), with no
// link, mention, reference, emoji, emphasis or HTML. When fuzzing, the
// hostile corpus seeds it too.
func FuzzPlain(f *testing.F) {
	for _, seed := range []string{
		"", "Atlantis Prime", "@octocat", "@todo/maintainers", `\@octocat`, "&#64;octocat", "&commat;octocat",
		"user\\@example.com", "mailto:a@b.example", "xmpp:a@b.example/r", "x@y.z", "#1 GH-1 o/r#1 o/r@a5c3785",
		"https://evil.example www.evil.example", "*x* _y_ ~~z~~ $m$ `c`", "<img src=x> <!-- c -->", ":octocat: :+1:",
		"a`b ``` `", "\u202e@\u200boctocat\x00\xff", "@home labs",
	} {
		f.Add(seed)
	}
	if fz := flag.Lookup("test.fuzz"); fz != nil && fz.Value.String() != "" {
		corpus := loadHostile(f)
		for _, e := range append(corpus.Text, corpus.Links...) {
			f.Add(e.Text)
		}
	}
	render := ghmarkdown.GitHubOrGoldmark()
	f.Fuzz(func(t *testing.T, s string) {
		checkOnGitHub(t, render, typedShown(s, "typed"))
	})
}

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM))

// checkLineStructure asserts that line, parsed as GitHub-flavoured markdown,
// is one list item with one link whose destination is link and nothing that
// could carry content the template did not put there.
func checkLineStructure(t *testing.T, line, link string) {
	t.Helper()
	if strings.ContainsAny(line, "\r\n") {
		t.Fatalf("line %q spans more than one line", line)
	}
	src := []byte(line + "\n")
	doc := gfm.Parser().Parse(text.NewReader(src))
	if doc.ChildCount() != 1 || doc.FirstChild().Kind() != ast.KindList || doc.FirstChild().ChildCount() != 1 {
		t.Fatalf("line %q is not exactly one list item:\n%s", line, dump(doc, src))
	}
	links := 0
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			links++
			if got := string(n.Destination); got != link {
				return ast.WalkStop, fmt.Errorf("links to %q, want %q", got, link)
			}
		case *ast.Image, *ast.RawHTML, *ast.HTMLBlock, *ast.AutoLink, *ast.Heading, *ast.CodeSpan,
			*ast.CodeBlock, *ast.FencedCodeBlock, *ast.Blockquote, *ast.ThematicBreak,
			*east.Table, *east.TaskCheckBox:
			return ast.WalkStop, fmt.Errorf("contains a %s", n.Kind())
		}
		return ast.WalkContinue, nil
	})
	if err == nil && links != 1 {
		err = fmt.Errorf("has %d links, want 1", links)
	}
	if err != nil {
		t.Fatalf("line %q %v:\n%s", line, err, dump(doc, src))
	}
	// GitHub makes a mention out of @name, whatever escapes it in markdown;
	// goldmark does not know mentions, so check that a word joiner follows
	// every "@" outside the link's destination.
	rest := strings.Replace(line, "]("+link+")", "", 1)
	for i := strings.IndexByte(rest, '@'); i >= 0; i = nextIndex(rest, i, '@') {
		if !strings.HasPrefix(rest[i+1:], wordJoiner) {
			t.Fatalf("line %q has an @ without a word joiner after it, which GitHub would make a mention", line)
		}
	}
}

func nextIndex(s string, after int, c byte) int {
	i := strings.IndexByte(s[after+1:], c)
	if i < 0 {
		return -1
	}
	return after + 1 + i
}

func dump(doc ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			depth := 0
			for p := n.Parent(); p != nil; p = p.Parent() {
				depth++
			}
			fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", depth), n.Kind())
			if l, ok := n.(*ast.Link); ok {
				fmt.Fprintf(&b, " -> %q", l.Destination)
			}
			if tx, ok := n.(*ast.Text); ok {
				fmt.Fprintf(&b, " %q", tx.Segment.Value(src))
			}
			b.WriteByte('\n')
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
