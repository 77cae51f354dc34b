package drafts

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// fieldReader reads and checks one submission's answers, collecting problems
// in words its author understands: which field, what is wrong, how to fix it.
// A problem's message is markdown for the bot's comments: it quotes what was
// typed only through Plain or CodeSpan (quoteTyped), never with %q, so
// nothing typed can mention, reference, link or format there.
type fieldReader struct {
	s       *Submission
	form    *Form
	checked map[string][]string
}

func (r *fieldReader) label(id string) string {
	if r.form != nil {
		if e, ok := r.form.Field(id); ok {
			return e.Attributes.Label
		}
	}
	return strings.ToUpper(id[:1]) + strings.ReplaceAll(id[1:], "_", " ")
}

func (r *fieldReader) problem(id, format string, args ...any) {
	r.s.Problems = append(r.s.Problems, Problem{Field: id, Label: r.label(id), Message: fmt.Sprintf(format, args...)})
}

// text returns the cleaned answer; a required one that is empty, or any one
// longer than max characters, is a problem.
func (r *fieldReader) text(id string, required bool, max int) string {
	v := cleanText(r.s.Fields[id])
	switch {
	case v == "" && required:
		hint := ""
		if r.form != nil {
			if e, ok := r.form.Field(id); ok && e.Attributes.Description != "" {
				hint = " " + e.Attributes.Description
			}
		}
		if r.s.Source == "fallback" {
			hint = " This issue was labelled by hand and has no form in it: add a line \"### " + r.label(id) + "\" with the answer below it, or open the issue again from the form."
		}
		r.problem(id, "is missing.%s", hint)
	case utf8.RuneCountInString(v) > max:
		r.problem(id, "is %d characters long; keep it under %d.", utf8.RuneCountInString(v), max)
	}
	return v
}

func (r *fieldReader) link(id string) string {
	raw := r.s.Fields[id]
	if strings.TrimSpace(raw) == "" {
		r.text(id, true, maxLink) // reports it missing
		return ""
	}
	l, err := checkLink(raw)
	if err != nil {
		r.problem(id, "%s.", err)
	}
	return l
}

func (r *fieldReader) date(id string, required bool) Date {
	raw := strings.TrimSpace(r.s.Fields[id])
	if raw == "" {
		r.text(id, required, 0)
		return Date{}
	}
	d, err := ParseDate(raw)
	if err != nil {
		r.problem(id, "%s.", dateProblem(raw, err))
	}
	return d
}

// dateProblem says why raw is not a date, quoting it through CodeSpan
// (DateError.Markdown). An error of another kind gets a message of its own
// rather than one that might show the text raw.
func dateProblem(raw string, err error) string {
	var de *DateError
	if errors.As(err, &de) {
		return de.Markdown()
	}
	return unreadableDate(raw).Markdown()
}

func (r *fieldReader) country(id, typed string) Location {
	c, ok := LookupCountry(typed)
	if !ok {
		if hint := SuggestCountry(typed); hint != "" {
			r.problem(id, "%s is not a country we know; did you mean %s?", quoteTyped(typed), hint)
		} else {
			r.problem(id, "%s is not a country we know; write the country's English name, for example Germany or United States.", quoteTyped(typed))
		}
		return Location{}
	}
	return Location{Country: c.Code, Name: c.Name}
}

// validate fills the typed part of s from its fields and records problems.
func (p *Parser) validate(s *Submission, a formAnswers) {
	checked := a.checked
	r := &fieldReader{s: s, form: p.forms[s.Kind], checked: checked}
	for _, id := range a.repeated {
		r.problem(id, "is answered twice: its heading comes again further down. Keep one answer and delete the other heading and the text under it.")
	}
	switch s.Kind {
	case KindJob:
		j := &Job{
			Organization: r.text("organization", true, maxShortText),
			Title:        r.text("title", true, maxTitle),
			Link:         r.link("link"),
		}
		loc := r.text("location", true, maxShortText)
		switch {
		case loc == "":
		case isRemote(loc):
			j.Location = Location{Remote: true, Name: loc}
		default:
			j.Location = r.country("location", loc)
		}
		s.Job = j
	case KindNews:
		n := &News{
			Title:   r.text("title", true, maxTitle),
			Summary: r.text("summary", false, maxSummary),
			Link:    r.link("link"),
		}
		n.Category = p.category(r, s)
		s.News = n
	case KindEvent:
		e := &Event{
			Name:  r.text("name", true, maxTitle),
			Start: r.date("start_date", true),
			End:   r.date("end_date", false),
			Link:  r.link("link"),
			CFP:   r.date("cfp_deadline", false),
		}
		country := r.text("country", true, maxShortText)
		e.Online = isOnline(country) || len(checked["online"]) > 0
		if !e.Online {
			e.City = r.text("city", true, maxShortText)
			if country != "" {
				e.Location = r.country("country", country)
				e.Location.Name = countryDisplayName(Country{Code: e.Location.Country, Name: e.Location.Name}, country, p.cfg.CountryNames)
			}
		} else if e.City = cleanText(s.Fields["city"]); e.City != "" && utf8.RuneCountInString(e.City) > maxShortText {
			r.problem("city", "is %d characters long; keep it under %d.", utf8.RuneCountInString(e.City), maxShortText)
		}
		if !e.Start.IsZero() && !e.End.IsZero() && e.End.Before(e.Start) {
			r.problem("end_date", "%s is before the start date, %s; check both dates.", LongDate(e.End), LongDate(e.Start))
		}
		if !e.CFP.IsZero() && !e.Start.IsZero() && e.Last().Before(e.CFP) {
			r.problem("cfp_deadline", "%s is after the event ends (%s); check the date.", LongDate(e.CFP), LongDate(e.Last()))
		}
		s.Event = e
	}
}

// category returns the news category in its configured spelling.
func (p *Parser) category(r *fieldReader, s *Submission) string {
	typed := cleanText(s.Fields["category"])
	cats := p.cfg.Categories()
	if typed == "" && s.Source == "fallback" {
		for _, c := range cats {
			if c == "Article" {
				return c
			}
		}
	}
	if typed == "" {
		r.problem("category", "is missing; pick one of: %s.", strings.Join(cats, ", "))
		return ""
	}
	for _, c := range cats {
		if strings.EqualFold(c, typed) {
			return c
		}
	}
	if strings.Contains(typed, ", ") {
		r.problem("category", "pick one category, not several (%s).", quoteTyped(typed))
		return ""
	}
	r.problem("category", "%s is not one of the newsletter's categories: %s.", quoteTyped(typed), strings.Join(cats, ", "))
	return ""
}

// MarkDuplicates flags every submission whose link was already suggested in an
// earlier issue that is still in play (open, or an event being listed). The
// earliest issue keeps the item.
func MarkDuplicates(subs []Submission) {
	MarkDuplicatesAfter(subs, nil)
}

// MarkDuplicatesAfter is MarkDuplicates that also marks the submissions
// whose link the history published before.
func MarkDuplicatesAfter(subs []Submission, h History) {
	markDuplicates(subs, h, func(i int) (string, bool) { return duplicateKey(&subs[i]) })
}

// duplicateKey is the link a submission claims, as duplicates are compared:
// none (ok false) when it is no submission, declined, closed or has no link.
func duplicateKey(s *Submission) (key string, ok bool) {
	if s.Kind == "" || s.Status.Declined || s.Status.Closed || s.Link() == "" {
		return "", false
	}
	return normalizeLink(s.Link()), true
}

// markDuplicates is MarkDuplicates with the links given by key, so that
// RenderItems marks items, which keep only the key, by the same rule.
func markDuplicates(subs []Submission, h History, key func(i int) (string, bool)) {
	order := make([]int, len(subs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return subs[order[a]].Issue < subs[order[b]].Issue })
	first := map[string]int{}
	for _, i := range order {
		k, ok := key(i)
		if !ok {
			continue
		}
		s := &subs[i]
		if e, ok := h.published(s, k); ok {
			s.Problems = append(s.Problems, e.problem())
			continue
		}
		if prev, ok := first[k]; ok {
			s.Problems = append(s.Problems, suggestedIn(prev))
			continue
		}
		first[k] = s.Issue
	}
}

// suggestedIn is the problem of a duplicate of the open issue prev.
func suggestedIn(prev int) Problem {
	return Problem{Field: "link", Label: "Link",
		Message: fmt.Sprintf("was already suggested in #%d; add anything new there, and close this issue.", prev)}
}
