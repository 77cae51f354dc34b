package drafts

import (
	"fmt"
	"sort"
	"strings"
)

// Edition is one issue of the newsletter.
type Edition struct {
	Number int
	Date   Date // publication day
	Title  string
	Path   string // file in the repository
}

// The values a section's line template sees, per kind. Text fields are
// escaped for markdown; Link is a checked, escaped URL.
type (
	jobView struct {
		Flag, Organization, Title, Link, Country string
		Remote                                   bool
	}
	newsView struct {
		Category, Title, Summary, Link string
		// Text is the title, " — " and the summary if any, ending in a full stop.
		Text string
	}
	eventView struct {
		Name, Dates, Start, End, City, Country, Location, Link string
		// CFP is the call-for-papers deadline while it is still open on the
		// publication day ("December 15, 2025"); CFPClosed once it has passed.
		CFP       string
		CFPClosed bool
		Online    bool
	}
)

// RenderLine renders one valid submission as its section's line, for an
// edition published on pub.
func RenderLine(cfg *Config, s *Submission, pub Date) (string, error) {
	if !s.Valid() {
		return "", fmt.Errorf("render #%d: the submission is not valid", s.Issue)
	}
	var data any
	switch s.Kind {
	case KindJob:
		j := s.Job
		flag := "🌐"
		if !j.Location.Remote {
			if c, ok := LookupCountry(j.Location.Country); ok {
				flag = c.Flag
			}
		}
		data = jobView{Flag: flag, Organization: escapeText(j.Organization), Title: escapeText(j.Title),
			Link: j.Link, Country: escapeText(j.Location.Name), Remote: j.Location.Remote}
	case KindNews:
		n := s.News
		text := n.Title
		if n.Summary != "" {
			text += " — " + n.Summary
		}
		data = newsView{Category: escapeText(n.Category), Title: escapeText(n.Title), Summary: escapeText(n.Summary),
			Link: n.Link, Text: escapeText(sentence(text))}
	case KindEvent:
		data = newEventView(cfg, s.Event, pub)
	default:
		return "", fmt.Errorf("render #%d: unknown kind %q", s.Issue, s.Kind)
	}
	var b strings.Builder
	if err := cfg.parsed.lines[s.Kind].Execute(&b, data); err != nil {
		return "", fmt.Errorf("sections.%s.line: %w", s.Kind, err)
	}
	line := b.String()
	if strings.ContainsAny(line, "\r\n") {
		return "", fmt.Errorf("sections.%s.line must render one line, got %q", s.Kind, line)
	}
	return line, nil
}

func newEventView(cfg *Config, e *Event, pub Date) eventView {
	v := eventView{
		Name:   escapeText(e.Name),
		Dates:  DateRange(e.Start, e.End),
		Start:  LongDate(e.Start),
		End:    LongDate(e.Last()),
		City:   escapeText(e.City),
		Link:   e.Link,
		Online: e.Online,
	}
	if e.Online {
		v.Location = escapeText(cfg.Events.Online)
	} else {
		v.Country = escapeText(e.Location.Name)
		v.Location = v.City + ", " + v.Country
	}
	if !e.CFP.IsZero() {
		if e.CFP.Before(pub) {
			v.CFPClosed = true
		} else {
			v.CFP = LongDate(e.CFP)
		}
	}
	return v
}

// sentence ends text with a full stop unless it already ends a sentence.
func sentence(text string) string {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text[len(text)-1:], ".!?…") || strings.HasSuffix(text, "…") {
		return text
	}
	return text + "."
}

// SectionView is one section of an edition as the edition template sees it.
type SectionView struct {
	Kind    Kind
	Heading string
	Intro   string
	Lines   []string
}

// EditionView is what the edition template sees.
type EditionView struct {
	Title    string
	Number   int
	Date     string // 2006-01-02
	LongDate string // January 2, 2006
	Sections []SectionView
	Footer   string
}

// Render writes an edition with the given submissions, which must be valid
// (Select returns them so). Jobs and news keep the order of their issues;
// events are sorted by start day.
func Render(cfg *Config, ed Edition, subs []Submission) (string, error) {
	return render(cfg, ed, subs, nil)
}

// render is Render with the lines already rendered, by issue, where known.
func render(cfg *Config, ed Edition, subs []Submission, lines map[int]string) (string, error) {
	view := EditionView{Title: ed.Title, Number: ed.Number, Date: ed.Date.String(), LongDate: LongDate(ed.Date), Footer: cfg.Newsletter.Footer}
	for _, k := range Kinds {
		sec := cfg.Section(k)
		sv := SectionView{Kind: k, Heading: sec.Heading, Intro: sec.Intro}
		for _, s := range SortForSection(k, subs) {
			line, ok := lines[s.Issue]
			if !ok {
				var err error
				if line, err = RenderLine(cfg, s, ed.Date); err != nil {
					return "", fmt.Errorf("render edition %d: %w", ed.Number, err)
				}
			}
			sv.Lines = append(sv.Lines, line)
		}
		view.Sections = append(view.Sections, sv)
	}
	var b strings.Builder
	if err := cfg.parsed.edition.Execute(&b, view); err != nil {
		return "", fmt.Errorf("render edition %d: newsletter.template: %w", ed.Number, err)
	}
	// A file ends with exactly one newline, whatever the template's last lines.
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

// SortForSection returns the submissions of kind k in the order their
// section lists them.
func SortForSection(k Kind, subs []Submission) []*Submission {
	var out []*Submission
	for i := range subs {
		if subs[i].Kind == k {
			out = append(out, &subs[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if k == KindEvent && a.Event != nil && b.Event != nil {
			if !a.Event.Start.Equal(b.Event.Start.Time) {
				return a.Event.Start.Before(b.Event.Start)
			}
			if an, bn := strings.ToLower(a.Event.Name), strings.ToLower(b.Event.Name); an != bn {
				return an < bn
			}
		}
		return a.Issue < b.Issue
	})
	return out
}
