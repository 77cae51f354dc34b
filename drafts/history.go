package drafts

import (
	"fmt"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// History is what the newsletter published before, by link as duplicates
// compare them (normalizeLink): a submission whose link is in it is a
// duplicate of that earlier publication, and is never taken in again,
// unless a maintainer says it is a repeat on purpose (the repeat label: a
// job posted again). It comes from the issues labelled published and from
// the links in the last editions' files (HistoryEditions of them), which
// also cover editions written before the bot.
type History map[string]Earlier

// HistoryEditions is how many of the last editions' files History reads.
const HistoryEditions = 12

// Earlier is where a link was published: its issue (0 when only an
// edition's file says so) and its edition (0 when no file read says so).
type Earlier struct {
	Issue   int `json:"i,omitempty"`
	Edition int `json:"e,omitempty"`
}

// AddEdition records the links of an edition's file (EditionLinks).
func (h History) AddEdition(number int, links []string) {
	for _, link := range links {
		k := normalizeLink(link)
		e := h[k]
		if e.Edition == 0 || (number != 0 && number < e.Edition) { // the first edition that published it
			e.Edition = number
		}
		h[k] = e
	}
}

// AddIssue records a published submission's link.
func (h History) AddIssue(issue int, link string) {
	if link == "" {
		return
	}
	k := normalizeLink(link)
	e := h[k]
	if e.Issue == 0 || issue < e.Issue {
		e.Issue = issue
	}
	h[k] = e
}

// EditionLinks lists the link destinations of a markdown document, as
// GitHub's renderer reads them (inline links and autolinks, not text in
// code).
func EditionLinks(markdown string) []string {
	src := []byte(markdown)
	doc := blockParser.Parse(text.NewReader(src))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			out = append(out, string(l.Destination))
		case *ast.AutoLink:
			if l.AutoLinkType == ast.AutoLinkURL {
				out = append(out, string(l.URL(src)))
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

// published says where the link was published before, for the submission
// of issue, which is a duplicate of it: not when it is that publication
// (the issue was published itself, or is the issue the history names) or
// a maintainer marked it a repeat.
func (h History) published(s *Submission, key string) (Earlier, bool) {
	e, ok := h[key]
	if !ok || s.Status.Published || s.Status.Repeat || (e.Issue != 0 && e.Issue == s.Issue) {
		return Earlier{}, false
	}
	return e, true
}

// problem is the problem of a duplicate of this earlier publication.
func (e Earlier) problem() Problem {
	return Problem{Field: "link", Label: "Link", Message: e.message()}
}

func (e Earlier) message() string {
	where := "in an earlier edition"
	switch {
	case e.Edition != 0 && e.Issue != 0:
		where = fmt.Sprintf("in edition %d (#%d)", e.Edition, e.Issue)
	case e.Edition != 0:
		where = fmt.Sprintf("in edition %d", e.Edition)
	case e.Issue != 0:
		where = fmt.Sprintf("with #%d", e.Issue)
	}
	return "was already published " + where + "; if it is posted again on purpose, a maintainer can take it with `/newsletter repeat`."
}

// DuplicateProblems says what marking duplicates adds to s's problems,
// among the items (every other listed submission, by their links, and the
// history they carry), with s in place of its own item: what the status
// comment of s names at once, before any draft is rebuilt.
func (its Items) DuplicateProblems(s *Submission) []Problem {
	key, ok := duplicateKey(s)
	if !ok {
		return nil
	}
	return its.duplicateProblems(Submission{Issue: s.Issue, Kind: s.Kind, Status: s.Status}, key)
}

// Duplicate reports whether marking duplicates gives the item a problem
// among the others (which then keeps the needs-info label on it, whatever
// its link's check says).
func (its Items) Duplicate(it Item) bool {
	return it.Dup != nil && len(its.duplicateProblems(it.submission(), *it.Dup)) > 0
}

// duplicateProblems is DuplicateProblems for me, whose link's key is key.
func (its Items) duplicateProblems(me Submission, key string) []Problem {
	if e, ok := its.Hist.published(&me, key); ok {
		return []Problem{e.problem()}
	}
	// The first issue with the link keeps it; a later one is the
	// duplicate (markDuplicates). Items of issues that are published are
	// in the history, not here.
	for _, it := range its.List {
		if it.Issue >= me.Issue {
			break
		}
		if it.Dup == nil || *it.Dup != key {
			continue
		}
		earlier := it.submission()
		if _, published := its.Hist.published(&earlier, key); published {
			continue // itself a duplicate of the history: not "first"
		}
		return []Problem{suggestedIn(it.Issue)}
	}
	return nil
}

// LinkIndex is what DuplicateProblems needs of the open submissions when
// no draft's items are at hand: each one's issue, kind, status and link as
// duplicates compare it (no line is rendered), with the history.
func LinkIndex(cfg *Config, forms map[Kind]*Form, issues []Issue, h History) Items {
	p := NewParser(cfg, forms)
	list := make([]Item, 0, len(issues))
	for _, i := range issues {
		s := p.Parse(i)
		if s.Kind == "" || s.Status.PullRequest {
			continue
		}
		it := Item{Issue: s.Issue, Kind: s.Kind, Status: statusBits(s.Status)}
		if k, ok := duplicateKey(&s); ok {
			it.Dup = &k
		}
		list = append(list, it)
	}
	return Items{List: byIssue(list), Hist: h}
}
