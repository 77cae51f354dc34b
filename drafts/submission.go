package drafts

import (
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of a submission; each has its own issue form and section.
type Kind string

// The kinds of submission.
const (
	KindJob   Kind = "job"
	KindNews  Kind = "news"
	KindEvent Kind = "event"
)

// Kinds lists the kinds in the order their sections appear in an edition.
var Kinds = []Kind{KindJob, KindNews, KindEvent}

// ParseKind accepts a kind's name as people type it ("Job", "events").
func ParseKind(s string) (Kind, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, k := range Kinds {
		if s == string(k) || s == string(k)+"s" {
			return k, true
		}
	}
	return "", false
}

// Submission is one suggestion issue, parsed and validated.
type Submission struct {
	Issue int `json:"issue"`
	// Title is the issue's title, trimmed to maxListTitle characters, as
	// the draft's description lists the submission.
	Title  string `json:"title,omitempty"`
	URL    string `json:"url,omitempty"`
	Author string `json:"author,omitempty"`
	Kind   Kind   `json:"kind,omitempty"`
	// Source says where the fields came from: "form" (an issue form), or
	// "fallback" (a hand-labelled issue: title and first link).
	Source string `json:"source,omitempty"`
	// Status is what the issue's state and labels say.
	Status Status `json:"status"`
	// Fields holds the answers as typed, by form element id.
	Fields map[string]string `json:"fields,omitempty"`

	Job   *Job   `json:"job,omitempty"`
	News  *News  `json:"news,omitempty"`
	Event *Event `json:"event,omitempty"`

	// Problems says what a contributor must fix; empty when valid.
	Problems []Problem `json:"problems,omitempty"`
}

// Valid reports whether the submission can go into an edition.
func (s *Submission) Valid() bool { return s.Kind != "" && len(s.Problems) == 0 }

// Link returns the submission's checked link, as the newsletter writes it, or "".
func (s *Submission) Link() string {
	switch {
	case s.Job != nil:
		return s.Job.Link
	case s.News != nil:
		return s.News.Link
	case s.Event != nil:
		return s.Event.Link
	}
	return ""
}

// Problem is one thing wrong with a submission, in words for its author.
type Problem struct {
	Field   string `json:"field,omitempty"` // form element id, "" for the whole issue
	Label   string `json:"label,omitempty"` // the form's label for the field
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Label != "" {
		return fmt.Sprintf("**%s**: %s", p.Label, p.Message)
	}
	return p.Message
}

// Job is a job opening.
type Job struct {
	Organization string   `json:"organization"`
	Title        string   `json:"title"`
	Link         string   `json:"link"`
	Location     Location `json:"location"`
}

// Location is a country, or remote / global.
type Location struct {
	Remote  bool   `json:"remote,omitempty"`
	Country string `json:"country,omitempty"` // ISO 3166 alpha-2
	Name    string `json:"name,omitempty"`    // as written in the newsletter
}

// News is an article, blog post, announcement or study.
type News struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Summary  string `json:"summary,omitempty"`
	Link     string `json:"link"`
}

// Event is a conference or meetup, with its call for papers if any.
type Event struct {
	Name     string   `json:"name"`
	Start    Date     `json:"start"`
	End      Date     `json:"end,omitempty"`
	City     string   `json:"city,omitempty"`
	Location Location `json:"location"`
	Online   bool     `json:"online,omitempty"`
	Link     string   `json:"link"`
	CFP      Date     `json:"cfp_deadline,omitempty"`
}

// Last returns the event's last day.
func (e *Event) Last() Date {
	if e.End.IsZero() {
		return e.Start
	}
	return e.End
}

// Date is a calendar day, without time or zone.
type Date struct{ time.Time }

// NewDate returns the day y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Time.Before(o.Time) }

// String formats the day as 2006-01-02, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON writes the day as "2006-01-02", or "" when unset.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// MarshalText is for encoders that prefer text (and for omitempty-like use).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
