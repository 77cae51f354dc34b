package drafts

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/newsletter-bot/newsletter-bot/internal/ghmarkdown"
)

// hostileEntry is one answer of testdata/hostile/corpus.json: text, or bytes
// that are not UTF-8 as base64.
type hostileEntry struct {
	Why    string `json:"why"`
	Text   string `json:"text"`
	Base64 string `json:"base64"`
}

type hostileCorpus struct {
	Text  []hostileEntry `json:"text"`  // typed into every field
	Links []hostileEntry `json:"links"` // typed into the link fields
}

func loadHostile(t testing.TB) hostileCorpus {
	t.Helper()
	data, err := os.ReadFile("testdata/hostile/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c hostileCorpus
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("testdata/hostile/corpus.json: %v", err)
	}
	for _, list := range [][]hostileEntry{c.Text, c.Links} {
		for i := range list {
			if list[i].Base64 == "" {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(list[i].Base64)
			if err != nil {
				t.Fatalf("testdata/hostile/corpus.json: %q: %v", list[i].Why, err)
			}
			list[i].Text = string(b)
		}
	}
	return c
}

// validAnswers are answers that make a valid submission of kind k.
func validAnswers(k Kind) map[string]string {
	switch k {
	case KindJob:
		return validJob()
	case KindNews:
		return with(validNews(), "summary", "Why it matters")
	}
	return with(validEvent(), "cfp_deadline", "2027-01-15")
}

// TestHostileInputOnGitHub types every answer of the hostile corpus into
// every field of every form, the other answers valid, and renders what the
// bot would write with cmark-gfm, in one batch: the newsletter line of a
// valid submission, the problem messages of an invalid one, and the answer
// through Plain and CodeSpan. GitHub must show each line as one list item
// with one link, to the submitted URL, each message and Plain text with no
// link, and none of them with a mention, a reference, an emoji, emphasis or
// HTML; what was typed shows as typed.
func TestHostileInputOnGitHub(t *testing.T) {
	render := ghmarkdown.Require(t)
	corpus := loadHostile(t)
	if n := len(corpus.Text) + len(corpus.Links); n < 300 {
		t.Fatalf("the hostile corpus has %d entries, want at least 300", n)
	}
	cfg, forms := DefaultConfig(), DefaultForms()
	parser := NewParser(cfg, forms)
	pub := mustDate("2026-12-29")

	var shows []shown
	lines, problems := map[string]int{}, map[string]int{} // by kind and field
	submit := func(k Kind, field, why string, answers map[string]string) {
		issue := Issue{Number: 7, Title: "suggestion", Body: forms[k].RenderBody(answers), State: "open",
			Labels: []Label{{Name: cfg.Labels.ForKind(k)}}}
		s := parser.Parse(issue)
		what := fmt.Sprintf("%s %s %s", k, field, why)
		shows = append(shows, submissionShown(t, cfg, &s, pub, what)...)
		if s.Valid() {
			lines[string(k)+"."+field]++
		} else {
			problems[string(k)+"."+field]++
		}
	}
	for _, e := range corpus.Text {
		for _, k := range Kinds {
			for _, f := range forms[k].Fields() {
				if f.Type == "checkboxes" {
					continue
				}
				submit(k, f.ID, e.Why, with(validAnswers(k), f.ID, e.Text))
			}
		}
		for _, field := range []string{"name", "city"} {
			submit(KindEvent, field+"(online)", e.Why,
				with(validAnswers(KindEvent), field, e.Text, "country", "Online", "online", "This event is online only"))
		}
		shows = append(shows, typedShown(e.Text, e.Why)...)
	}
	for _, e := range corpus.Links {
		for _, k := range Kinds {
			submit(k, "link", e.Why, with(validAnswers(k), "link", e.Text))
		}
		shows = append(shows, typedShown(e.Text, e.Why)...)
	}
	checkOnGitHub(t, render, shows)

	// Every field must have been seen both ways, else the corpus tests less
	// than it claims: each field takes some answer as valid, and each is
	// quoted back in some problem.
	var fields []string
	for _, k := range Kinds {
		for _, f := range forms[k].Fields() {
			if f.Type != "checkboxes" {
				fields = append(fields, string(k)+"."+f.ID)
			}
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		if lines[f] == 0 || problems[f] == 0 {
			t.Errorf("field %s: %d valid lines and %d invalid submissions from the corpus, want some of each", f, lines[f], problems[f])
		}
	}
	nLines, nProblems := 0, 0
	for _, sh := range shows {
		switch sh.kind {
		case shownLine:
			nLines++
		case shownMessage:
			nProblems++
		}
	}
	t.Logf("%d corpus entries (%d answers, %d links) in %d fields: %d lines, %d problem messages, %d Plain and CodeSpan texts, one cmark-gfm run",
		len(corpus.Text)+len(corpus.Links), len(corpus.Text), len(corpus.Links), len(fields), nLines, nProblems, len(shows)-nLines-nProblems)
}
