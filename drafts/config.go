package drafts

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// ConfigPath is where a repository keeps its newsletter configuration.
const ConfigPath = ".github/newsletter.yml"

// Config is a repository's .github/newsletter.yml. Every key is optional but
// version; what is left out keeps the default, which reproduces the OSPO
// Newsletter of todogroup/ospology.
type Config struct {
	Version int `yaml:"version"`

	Newsletter struct {
		// Title of an edition, a template over {{.Number}} and {{.Date}}.
		Title string `yaml:"title"`
		// Path of an edition file, a template over {{.Number}}, {{.Date}}
		// (2006-01-02), {{.Year}}, {{.Month}} (01) and {{.Day}} (02).
		Path string `yaml:"path"`
		// Publication is the day of the month an edition comes out:
		// "last tuesday", "first monday", "2nd wednesday", "day 15", "last day".
		Publication string `yaml:"publication"`
		// Template renders the whole edition; empty means the built-in one.
		Template string `yaml:"template"`
		// Footer is the text after the closing "---" of the built-in template.
		Footer string `yaml:"footer"`
	} `yaml:"newsletter"`

	// RequireApproval: a valid submission waits for a maintainer's accept.
	RequireApproval bool `yaml:"require_approval"`

	Labels Labels `yaml:"labels"`

	Sections struct {
		Job   SectionConfig `yaml:"job"`
		News  SectionConfig `yaml:"news"`
		Event SectionConfig `yaml:"event"`
	} `yaml:"sections"`

	News struct {
		// Categories replaces the built-in category list; ExtraCategories extends it.
		Categories      []string `yaml:"categories"`
		ExtraCategories []string `yaml:"extra_categories"`
	} `yaml:"news"`

	Events struct {
		// Online is written in place of the city and country of an online event.
		Online string `yaml:"online"`
	} `yaml:"events"`

	// CountryNames overrides how a country is written in event lines, by
	// ISO 3166 alpha-2 code (the OSPO Newsletter writes "USA").
	CountryNames map[string]string `yaml:"country_names"`

	Draft struct {
		// Schedule says when the bot opens the next edition's draft pull
		// request: a cron expression (five fields, UTC).
		Schedule string `yaml:"schedule"`
		// Title of the draft pull request, a template over the edition
		// ({{.Title}}, {{.Number}}, {{.Date}}, {{.LongDate}}).
		Title string `yaml:"title"`
		// Note is a paragraph for maintainers at the top of the pull request.
		Note string `yaml:"note"`
	} `yaml:"draft"`

	Maintainers struct {
		// Team ("org/slug", or "slug" in the repository's organization)
		// whose members count as maintainers besides people with write access.
		Team string `yaml:"team"`
	} `yaml:"maintainers"`

	Index struct {
		Path      string `yaml:"path"` // "" to keep no index
		Rows      int    `yaml:"rows"`
		IssueCell string `yaml:"issue_cell"`
		LinkCell  string `yaml:"link_cell"`
	} `yaml:"index"`

	parsed *parsedTemplates
}

// Labels are the issue labels the newsletter reads and writes.
type Labels struct {
	Job       string `yaml:"job"`
	News      string `yaml:"news"`
	Event     string `yaml:"event"`
	Accepted  string `yaml:"accepted"`
	Declined  string `yaml:"declined"`
	NeedsInfo string `yaml:"needs_info"`
	Published string `yaml:"published"`
	Deferred  string `yaml:"deferred"`
	// Conflict marks the draft pull request while the bot cannot merge its
	// update with the edits made on the branch.
	Conflict string `yaml:"conflict"`
}

// ForKind returns the label that marks a submission of kind k.
func (l Labels) ForKind(k Kind) string {
	switch k {
	case KindJob:
		return l.Job
	case KindNews:
		return l.News
	case KindEvent:
		return l.Event
	}
	return ""
}

// SectionConfig is one section of an edition.
type SectionConfig struct {
	Heading string `yaml:"heading"`
	Intro   string `yaml:"intro"`
	// Line renders one submission; see the README for the fields of each kind.
	Line string `yaml:"line"`
}

// DefaultCategories are the news tags of the OSPO Newsletter.
var DefaultCategories = []string{"Blog", "Guide", "Announcement", "Research", "Security",
	"Compliance", "Event", "Article", "New Member", "Ambassador", "LF"}

//go:embed templates/edition.md.tmpl
var defaultEditionTemplate string

const defaultFooter = `- ✨ Find more OSPO insights within the TODO's Guides and additional OSPO resources.

- 🧐 Do you have ideas on how to improve this newsletter? File an issue: https://github.com/todogroup/ospology/issues.

- 🫂 If you are new to TODO Group Community, make sure to visit TODO get started pages.

- 💚 Our General Members, OSPO Associates, and Ambassadors fuel TODO. Without their help and expertise, we would not be able to do the work we do. If your organization is interested in supporting the TODO Group, see more info here.`

// DefaultConfig returns the configuration of a repository without
// .github/newsletter.yml: today's OSPO Newsletter.
func DefaultConfig() *Config {
	c := defaultConfig()
	if err := c.compile(); err != nil {
		panic(fmt.Sprintf("built-in config is broken: %v", err)) // caught by tests
	}
	return c
}

func defaultConfig() *Config {
	c := &Config{Version: 1, RequireApproval: true}
	c.Newsletter.Title = "OSPO Newsletter {{.Number}}"
	c.Newsletter.Path = "newsletter/{{.Date}}.md"
	c.Newsletter.Publication = "last tuesday"
	c.Newsletter.Footer = defaultFooter
	c.Labels = Labels{
		Job:       "newsletter: job",
		News:      "newsletter: news",
		Event:     "newsletter: event",
		Accepted:  "newsletter: accepted",
		Declined:  "newsletter: declined",
		NeedsInfo: "newsletter: needs-info",
		Published: "newsletter: published",
		Deferred:  "newsletter: deferred",
		Conflict:  "newsletter: conflict",
	}
	c.Draft.Schedule = "0 9 1 * *"
	c.Draft.Title = "{{.Title}} ({{.LongDate}})"
	c.Draft.Note = "This is the draft of the next edition. Edit the file freely on this branch: " +
		"the bot merges new submissions around your changes and never overwrites them."
	c.Sections.Job = SectionConfig{
		Heading: "## 📚 OSPO Jobs",
		Intro:   "A list of OSPO-related jobs published during this month!",
		Line:    "- [{{.Flag}} {{.Organization}} | {{.Title}}]({{.Link}})",
	}
	c.Sections.News = SectionConfig{
		Heading: "## 📌 ICYMI Industry News and Articles",
		Line:    "- [{{.Category}}] {{.Text}} [here]({{.Link}})",
	}
	c.Sections.Event = SectionConfig{
		Heading: "## 📎 Upcoming Conferences and Call for Papers",
		Line:    "- [{{.Name}} ({{.Dates}}, {{.Location}})]({{.Link}}){{if .CFP}} – **{{.CFP}}**{{end}}",
	}
	c.Events.Online = "virtual"
	c.CountryNames = map[string]string{"US": "USA"}
	c.Index.Path = "newsletter/README.md"
	c.Index.Rows = 13
	c.Index.IssueCell = "Issue {{.Number}}"
	c.Index.LinkCell = "[{{.Date}}]({{.URL}})"
	return c
}

// ParseConfig decodes a .github/newsletter.yml strictly: an unknown key, a
// missing or unsupported version, or a template that does not parse is an
// error naming what is wrong, for the maintainers to fix.
func ParseConfig(data []byte) (*Config, error) {
	c := defaultConfig()
	c.Version = 0        // must be written in the file
	c.CountryNames = nil // a repository's map replaces the default, it does not merge
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s is empty: it needs at least \"version: 1\"", ConfigPath)
		}
		return nil, fmt.Errorf("%s: %w", ConfigPath, cleanYAMLError(err))
	}
	if c.CountryNames == nil {
		c.CountryNames = defaultConfig().CountryNames
	}
	switch c.Version {
	case 1:
	case 0:
		return nil, fmt.Errorf("%s: missing \"version: 1\" at the top", ConfigPath)
	default:
		return nil, fmt.Errorf("%s: version %d is not supported; this bot reads version 1", ConfigPath, c.Version)
	}
	if err := c.compile(); err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigPath, err)
	}
	return c, nil
}

func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = strings.ReplaceAll(msg, " in type drafts.Config", "")
	return errors.New(msg)
}

// Categories returns the news categories submissions may use.
func (c *Config) Categories() []string {
	base := DefaultCategories
	if len(c.News.Categories) > 0 {
		base = c.News.Categories
	}
	return append(append([]string(nil), base...), c.News.ExtraCategories...)
}

// Section returns the section configuration of kind k.
func (c *Config) Section(k Kind) SectionConfig {
	switch k {
	case KindJob:
		return c.Sections.Job
	case KindNews:
		return c.Sections.News
	case KindEvent:
		return c.Sections.Event
	}
	return SectionConfig{}
}

type parsedTemplates struct {
	title, path, edition, prTitle *template.Template
	lines                         map[Kind]*template.Template
	pub                           PublicationRule
	schedule                      cron.Schedule
}

// compile parses every template and rule once, so a broken config is reported
// when it is read, not half-way through writing an edition.
func (c *Config) compile() error {
	p := &parsedTemplates{lines: map[Kind]*template.Template{}}
	var err error
	parse := func(name, text string) *template.Template {
		if err != nil {
			return nil
		}
		var t *template.Template
		t, err = template.New(name).Option("missingkey=error").Parse(text)
		if err != nil {
			err = fmt.Errorf("template %s: %w", name, err)
		}
		return t
	}
	p.title = parse("newsletter.title", c.Newsletter.Title)
	p.path = parse("newsletter.path", c.Newsletter.Path)
	editionText := c.Newsletter.Template
	if editionText == "" {
		editionText = defaultEditionTemplate
	}
	p.edition = parse("newsletter.template", editionText)
	p.prTitle = parse("draft.title", c.Draft.Title)
	for _, k := range Kinds {
		p.lines[k] = parse("sections."+string(k)+".line", c.Section(k).Line)
	}
	if err != nil {
		return err
	}
	if p.pub, err = ParsePublicationRule(c.Newsletter.Publication); err != nil {
		return fmt.Errorf("newsletter.publication: %w", err)
	}
	if p.schedule, err = cron.ParseStandard(c.Draft.Schedule); err != nil {
		return fmt.Errorf("draft.schedule %q is not a cron expression (minute hour day month weekday, e.g. \"0 9 1 * *\"): %w", c.Draft.Schedule, err)
	}
	if strings.Count(c.Maintainers.Team, "/") > 1 {
		return fmt.Errorf("maintainers.team %q should be \"org/team-slug\" or \"team-slug\"", c.Maintainers.Team)
	}
	for _, k := range Kinds {
		if c.Labels.ForKind(k) == "" {
			return fmt.Errorf("labels.%s must not be empty", k)
		}
	}
	if c.Index.Path != "" && c.Index.Rows < 1 {
		return fmt.Errorf("index.rows must be at least 1, got %d", c.Index.Rows)
	}
	for code := range c.CountryNames {
		if _, ok := LookupCountry(code); !ok || len(code) != 2 {
			return fmt.Errorf("country_names: %q is not an ISO 3166 alpha-2 country code", code)
		}
	}
	c.parsed = p
	return nil
}

// NextDraft returns when the next draft is due after t, by draft.schedule.
func (c *Config) NextDraft(t time.Time) time.Time { return c.parsed.schedule.Next(t.UTC()) }

// DraftDue returns when the draft of ed falls due: the last time
// draft.schedule fires before the edition's publication day begins (UTC).
// It looks back up to a year, in growing windows so a schedule that fires
// every minute costs a day's worth of steps; ok is false when the schedule
// does not fire in that year (say, "0 9 30 2 *"): then only
// "/newsletter draft" opens it.
func (c *Config) DraftDue(ed Edition) (due time.Time, ok bool) {
	end := time.Date(ed.Date.Year(), ed.Date.Month(), ed.Date.Day(), 0, 0, 0, 0, time.UTC)
	for _, days := range []int{1, 8, 32, 367} {
		for t := c.parsed.schedule.Next(end.AddDate(0, 0, -days).Add(-time.Second)); !t.IsZero() && t.Before(end); t = c.parsed.schedule.Next(t) {
			due, ok = t, true
		}
		if ok {
			return due, true
		}
	}
	return time.Time{}, false
}

// DraftTitle renders the draft pull request's title for an edition.
func (c *Config) DraftTitle(ed Edition) (string, error) {
	return execString(c.parsed.prTitle, struct {
		Title, Date, LongDate string
		Number                int
	}{ed.Title, ed.Date.Format(time.DateOnly), LongDate(ed.Date), ed.Number})
}
