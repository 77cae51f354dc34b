package drafts

import (
	"strings"
	"testing"
)

// parseAnswers files answers through kind's form, labelled, and parses them.
func parseAnswers(t *testing.T, kind Kind, answers map[string]string) Submission {
	t.Helper()
	cfg, forms := DefaultConfig(), DefaultForms()
	issue := Issue{Number: 7, Title: "x", Body: forms[kind].RenderBody(answers), State: "open",
		Labels: []Label{{Name: cfg.Labels.ForKind(kind)}}}
	return NewParser(cfg, forms).Parse(issue)
}

func validJob() map[string]string {
	return map[string]string{"organization": "Comcast", "title": "Engineer, Open Source",
		"link": "https://example.com/jobs/1", "location": "United States"}
}

func validNews() map[string]string {
	return map[string]string{"category": "Blog", "title": "A title", "summary": "", "link": "https://example.com/a"}
}

func validEvent() map[string]string {
	return map[string]string{"name": "FOSS Backstage 2027", "start_date": "2027-03-15", "end_date": "2027-03-16",
		"city": "Berlin", "country": "Germany", "link": "https://27.foss-backstage.de/"}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestValidationMessages(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		answers map[string]string
		field   string
		want    string // a part of the message
	}{
		{"a job without organization", KindJob, with(validJob(), "organization", ""), "organization", "is missing. Who is hiring."},
		{"a link without scheme", KindJob, with(validJob(), "link", "example.com/jobs/1"), "link", "has no https:// in front; write `https://example.com/jobs/1`"},
		{"a javascript: link", KindJob, with(validJob(), "link", "javascript:alert(1)"), "link", "is not an http(s) link"},
		{"a relative link", KindJob, with(validJob(), "link", "/jobs/1"), "link", "is not an http(s) link"},
		{"an unknown country close to a real one", KindJob, with(validJob(), "location", "Germny"), "location", `"Germny" is not a country we know; did you mean Germany?`},
		{"an unknown country far from any", KindJob, with(validJob(), "location", "Atlantis Prime"), "location", "write the country's English name"},
		{"a title too long", KindJob, with(validJob(), "title", strings.Repeat("x", 201)), "title", "is 201 characters long; keep it under 200"},
		{"a news item with an unknown category", KindNews, with(validNews(), "category", "Podcast"), "category", `"Podcast" is not one of the newsletter's categories: Blog, Guide`},
		{"a news item with two categories", KindNews, with(validNews(), "category", "Blog, Guide"), "category", "pick one category"},
		{"an event ending before it starts", KindEvent, with(validEvent(), "end_date", "2027-03-14"), "end_date", "March 14, 2027 is before the start date, March 15, 2027"},
		{"an event with an unreadable date", KindEvent, with(validEvent(), "start_date", "next spring"), "start_date", "`next spring` is not a date we can read: write it as `2026-03-16`, `March 16, 2026` or `16 March 2026`."},
		{"an event with an ambiguous date", KindEvent, with(validEvent(), "start_date", "03/04/2027"), "start_date", "`03/04/2027` could be 3 April 2027 or March 4, 2027: write it as 2027-04-03 or 2027-03-04."},
		{"an event with a day that does not exist", KindEvent, with(validEvent(), "end_date", "2027-02-30"), "end_date", "`2027-02-30` does not exist: February 2027 has 28 days."},
		{"an event date without a year", KindEvent, with(validEvent(), "start_date", "March 15"), "start_date", "`March 15` has no year: write it with the year"},
		{"a call for papers date with a mention", KindEvent, with(validEvent(), "cfp_deadline", "@octocat 03/04/2027"), "cfp_deadline", "`@octocat 03/04/2027` is not a date we can read"},
		{"an event without city", KindEvent, with(validEvent(), "city", ""), "city", "is missing"},
		{"a CFP after the event", KindEvent, with(validEvent(), "cfp_deadline", "2027-04-01"), "cfp_deadline", "is after the event ends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseAnswers(t, tt.kind, tt.answers)
			if s.Valid() {
				t.Fatalf("Parse(%v) is valid, want a problem with %s", tt.answers, tt.field)
			}
			for _, p := range s.Problems {
				if p.Field == tt.field && strings.Contains(p.Message, tt.want) {
					if p.Label == "" {
						t.Errorf("problem %q names no field label", p.Message)
					}
					return
				}
			}
			t.Errorf("Parse(%v).Problems = %v, want one on %s containing %q", tt.answers, s.Problems, tt.field, tt.want)
		})
	}
}

func TestValidSubmissions(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		answers map[string]string
		check   func(s Submission) string
	}{
		{"a remote job", KindJob, with(validJob(), "location", "Remote / Global"), func(s Submission) string {
			if !s.Job.Location.Remote {
				return "want Remote"
			}
			return ""
		}},
		{"a job in a country given by its code", KindJob, with(validJob(), "location", "DE"), func(s Submission) string {
			if s.Job.Location.Country != "DE" {
				return "want DE, got " + s.Job.Location.Country
			}
			return ""
		}},
		{"a category in other case", KindNews, with(validNews(), "category", "new member"), func(s Submission) string {
			if s.News.Category != "New Member" {
				return "want New Member, got " + s.News.Category
			}
			return ""
		}},
		{"an online event by the checkbox, no city", KindEvent, with(validEvent(), "city", "", "country", "Germany", "online", "This event is online only"), func(s Submission) string {
			if !s.Event.Online {
				return "want Online"
			}
			return ""
		}},
		{"an online event by its country field", KindEvent, with(validEvent(), "city", "", "country", "online"), func(s Submission) string {
			if !s.Event.Online {
				return "want Online"
			}
			return ""
		}},
		{"dates typed as people type them", KindEvent, with(validEvent(), "start_date", "Mar 15, 2027", "end_date", "16 March 2027", "cfp_deadline", "December 1st, 2026"), func(s Submission) string {
			if s.Event.Start != NewDate(2027, 3, 15) || s.Event.End != NewDate(2027, 3, 16) || s.Event.CFP != NewDate(2026, 12, 1) {
				return "dates " + s.Event.Start.String() + " " + s.Event.End.String() + " " + s.Event.CFP.String()
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parseAnswers(t, tt.kind, tt.answers)
			if !s.Valid() {
				t.Fatalf("Parse(%v).Problems = %v, want none", tt.answers, s.Problems)
			}
			if msg := tt.check(s); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestKindDetection(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	p := NewParser(cfg, forms)
	t.Run("an unlabelled issue written with the event form is an event", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Body: forms[KindEvent].RenderBody(validEvent()), State: "open"})
		if s.Kind != KindEvent || s.Source != "form" {
			t.Errorf("Parse = kind %q source %q, want event from form", s.Kind, s.Source)
		}
	})
	t.Run("an unrelated issue is no submission", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Title: "Bug", Body: "### Steps\n\n1. run it\n\n### Link\n\nhttps://x.example", State: "open"})
		if s.Kind != "" {
			t.Errorf("Parse = kind %q, want none", s.Kind)
		}
	})
	t.Run("a pull request is no submission", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, PullRequest: []byte(`{"url":"x"}`), Labels: []Label{{Name: cfg.Labels.Job}}})
		if s.Kind != "" || !s.Status.PullRequest {
			t.Errorf("Parse = kind %q pr %v, want a pull request", s.Kind, s.Status.PullRequest)
		}
	})
	t.Run("a hand-labelled news issue falls back to its title and first link", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Title: "[News]: [Research] State of OSPOs 2026", Body: "See https://example.org/report (PDF) and https://other.example",
			Labels: []Label{{Name: cfg.Labels.News}}, State: "open"})
		if !s.Valid() || s.Source != "fallback" || s.News.Category != "Research" || s.News.Title != "State of OSPOs 2026" || s.News.Link != "https://example.org/report" {
			t.Errorf("Parse = %+v %+v, want Research / State of OSPOs 2026 / https://example.org/report", s, s.News)
		}
	})
	t.Run("a hand-labelled news issue without a tag is an Article", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Title: "OSPO survey", Body: "https://example.org/survey", Labels: []Label{{Name: cfg.Labels.News}}})
		if !s.Valid() || s.News.Category != "Article" {
			t.Errorf("Parse = %+v, want a valid Article", s)
		}
	})
	t.Run("a hand-labelled job without a form needs info", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Title: "Great OSPO job", Body: "https://example.org/job", Labels: []Label{{Name: cfg.Labels.Job}}})
		if s.Valid() || s.Source != "fallback" {
			t.Fatalf("Parse = %+v, want a fallback that needs info", s)
		}
		if got := s.Problems[0].Message; !strings.Contains(got, "labelled by hand") {
			t.Errorf("problem = %q, want it to explain the issue has no form", got)
		}
	})
	t.Run("a hand-labelled issue without a link needs info", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Title: "Read this", Body: "no link here", Labels: []Label{{Name: cfg.Labels.News}}})
		if s.Valid() || s.Problems[0].Field != "link" {
			t.Errorf("Parse = %+v, want a link problem", s.Problems)
		}
	})
	t.Run("two kind labels is a problem", func(t *testing.T) {
		s := p.Parse(Issue{Number: 1, Body: forms[KindJob].RenderBody(validJob()), Labels: []Label{{Name: cfg.Labels.Job}, {Name: cfg.Labels.News}}})
		if s.Valid() || !strings.Contains(s.Problems[0].Message, "more than one kind label") {
			t.Errorf("Parse problems = %v, want one about two kind labels", s.Problems)
		}
	})
}

func TestMarkDuplicates(t *testing.T) {
	mk := func(n int, link string, st Status) Submission {
		return Submission{Issue: n, Kind: KindNews, Status: st, News: &News{Category: "Blog", Title: "t", Link: link}}
	}
	subs := []Submission{
		mk(12, "https://www.Example.org/post/?utm_source=x#top", Status{}),
		mk(10, "http://example.org/post", Status{}),
		mk(11, "https://example.org/other", Status{}),
		mk(9, "https://example.org/post", Status{Declined: true}),
	}
	MarkDuplicates(subs)
	if len(subs[1].Problems) != 0 || len(subs[2].Problems) != 0 || len(subs[3].Problems) != 0 {
		t.Errorf("the first submission of a link, another link and a declined one must stay valid: %v", subs)
	}
	if len(subs[0].Problems) != 1 || !strings.Contains(subs[0].Problems[0].Message, "already suggested in #10") {
		t.Errorf("MarkDuplicates: #12 problems = %v, want a duplicate of #10", subs[0].Problems)
	}
}
