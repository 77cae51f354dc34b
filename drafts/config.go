package drafts

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode"

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

	// Links says whether the bot checks that a submission's link still
	// works (when it is filed or edited, and again when the draft opens),
	// and how long it waits for an answer.
	Links struct {
		Check   bool     `yaml:"check"`
		Timeout Duration `yaml:"timeout"`
	} `yaml:"links"`

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
	// Repeat marks a submission a maintainer takes although its link was
	// published before (a job posted again): it is no duplicate of that.
	Repeat string `yaml:"repeat"`
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
		Repeat:    "newsletter: repeat",
		Conflict:  "newsletter: conflict",
	}
	c.Links.Check, c.Links.Timeout = true, Duration(10*time.Second)
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
// missing or unsupported version, a template that does not parse or breaks
// the rules of checkTemplate, or a path outside where the bot may write is
// an error naming what is wrong, for the maintainers to fix.
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
	title, path, edition, prTitle *configTemplate
	lines                         map[Kind]*configTemplate
	pub                           PublicationRule
	schedule                      cron.Schedule
}

// compile parses every template and rule once, so a broken config is reported
// when it is read, not half-way through writing an edition.
func (c *Config) compile() error {
	p := &parsedTemplates{lines: map[Kind]*configTemplate{}}
	var err error
	parse := func(key, text string, kind templateKind) *configTemplate {
		if err != nil {
			return nil
		}
		var t *configTemplate
		t, err = parseConfigTemplate(key, text, kind)
		return t
	}
	p.title = parse("newsletter.title", c.Newsletter.Title, smallTemplate)
	p.path = parse("newsletter.path", c.Newsletter.Path, pathTemplate)
	editionText := c.Newsletter.Template
	if editionText == "" {
		editionText = defaultEditionTemplate
	}
	p.edition = parse("newsletter.template", editionText, editionTemplate)
	p.prTitle = parse("draft.title", c.Draft.Title, smallTemplate)
	for _, k := range Kinds {
		p.lines[k] = parse("sections."+string(k)+".line", c.Section(k).Line, smallTemplate)
	}
	// The index cells are parsed again where they are used (IndexLayout
	// carries their text); here they are only checked.
	if c.Index.IssueCell != "" {
		parse("index.issue_cell", c.Index.IssueCell, smallTemplate)
	}
	if c.Index.LinkCell != "" {
		parse("index.link_cell", c.Index.LinkCell, smallTemplate)
	}
	if err != nil {
		return err
	}
	if err := c.checkPaths(p.path); err != nil {
		return err
	}
	if p.pub, err = ParsePublicationRule(c.Newsletter.Publication); err != nil {
		return fmt.Errorf("newsletter.publication: %w", err)
	}
	if p.schedule, err = cron.ParseStandard(c.Draft.Schedule); err != nil {
		return fmt.Errorf("draft.schedule %q is not a cron expression (minute hour day month weekday, e.g. \"0 9 1 * *\"): %w", c.Draft.Schedule, err)
	}
	if t := time.Duration(c.Links.Timeout); t < time.Second || t > time.Minute {
		return fmt.Errorf("links.timeout %s should be between 1s and 1m", t)
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

// The bot writes only where a repository's files are meant to go: an
// edition and the index are markdown files, given relative to the
// repository's root, in their simplest form, and outside .github/, where a
// file can change what runs (workflows) or how the bot behaves (this config).

// sampleEdition is what newsletter.path is rendered with when the config is
// read, to check where it writes. The path is checked again for every
// edition (NewEdition), since a template can give other paths for other
// numbers or dates.
var sampleEdition = struct {
	number int
	date   Date
}{44, NewDate(2026, time.April, 28)}

// checkPaths checks newsletter.path, rendered for sampleEdition, and
// index.path.
func (c *Config) checkPaths(pathTmpl *configTemplate) error {
	if c.Index.Path != "" {
		if why := repoPathProblem(c.Index.Path); why != "" {
			return fmt.Errorf("index.path %q %s; the index must be a .md file in the repository, outside .github/, such as \"newsletter/README.md\"", c.Index.Path, why)
		}
	}
	p, err := pathTmpl.ExecuteString(newPathData(sampleEdition.number, sampleEdition.date))
	if err != nil {
		return fmt.Errorf("newsletter.path %q: %w", c.Newsletter.Path, err)
	}
	if why := c.editionPathProblem(p); why != "" {
		return fmt.Errorf("newsletter.path %q gives %q for edition %d of %s, which %s; %s",
			c.Newsletter.Path, p, sampleEdition.number, sampleEdition.date, why, editionPathRule)
	}
	return nil
}

const editionPathRule = `an edition must be a .md file in the repository, outside .github/, such as "newsletter/{{.Date}}.md"`

// editionPathProblem says what is wrong with p as the path of an edition
// file, or returns "".
func (c *Config) editionPathProblem(p string) string {
	if why := repoPathProblem(p); why != "" {
		return why
	}
	// This config file is under .github/, which repoPathProblem refuses.
	if c.Index.Path != "" && strings.EqualFold(p, c.Index.Path) {
		return "is the index file (index.path)"
	}
	return ""
}

// repoPathProblem says what is wrong with p as the path of a markdown file
// the bot writes, or returns "".
func repoPathProblem(p string) string {
	first, _, _ := strings.Cut(p, "/")
	switch {
	case p == "":
		return "is empty"
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return "contains a control character"
	case strings.HasPrefix(p, "/"):
		return "starts with /, but it must be relative to the repository's root"
	case slices.Contains(strings.Split(p, "/"), ".."):
		return "goes up a folder with .."
	case path.Clean(p) != p:
		return fmt.Sprintf("is not in its simplest form (%q)", path.Clean(p))
	case strings.EqualFold(first, ".github"):
		return "is under .github/"
	case !strings.HasSuffix(p, ".md"):
		return "does not end in .md"
	}
	return ""
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
	return c.parsed.prTitle.ExecuteString(struct {
		Title, Date, LongDate string
		Number                int
	}{ed.Title, ed.Date.Format(time.DateOnly), LongDate(ed.Date), ed.Number})
}

// A repository's templates run in the one process that serves every
// installation, on every issue event, so what one config can make them do is
// bounded. text/template cannot be cancelled: once Execute starts, it runs
// to the end or to an error, so the time a template takes is bounded by the
// rules checkTemplate applies when the config is read, and by a time limit
// checked at each write (maxTime, maxEditionTime; past it, a
// *TimeLimitError):
//
//   - no {{define}}, {{template}} or {{block}}: nothing recurses;
//   - {{range}} only in newsletter.template, only over .Sections or .Lines
//     written as a field (.Lines, $s.Lines; never a number, a bare variable
//     or a function's result, since Go 1.22 ranges over integers), nested at
//     most maxRangeDepth deep: a loop runs at most once per section or
//     submission;
//   - a template's text is at most maxTemplateText (maxEditionText for
//     newsletter.template) bytes, so an iteration does a bounded number of
//     steps;
//   - only the functions in templateFuncs, each costing time in proportion
//     to its arguments' size: a comparison has at most one operand that is
//     not a literal (it costs at most the literal's length), and printf takes
//     a literal format with at most maxPrintfVerbs verbs and no width or
//     precision over maxPrintfWidth, and is not allowed in
//     newsletter.template, which loops.
//
// Memory is bounded by those rules and by the cap on what a template
// writes: maxOutput bytes for a line, a title, a path or an index cell,
// maxEditionOutput for an edition; past it, Execute stops with an
// *OutputLimitError.
const (
	maxTemplateText  = 2 << 10  // bytes of the text of a line, title, path or index cell template
	maxEditionText   = 8 << 10  // 17 times the built-in one; the worst within the rules takes about 90 µs per submission
	maxOutput        = 16 << 10 // twice the built-in line of the longest news item the form takes (8 KB, its link percent-encoded)
	maxEditionOutput = 4 << 20  // the 10,000 submissions of BenchmarkBuild10000 make 0.9 MB
	maxRangeDepth    = 2        // {{range .Sections}}, then {{range .Lines}}
	// The time limits are wall-clock time, which a loaded machine stretches
	// (a goroutine may wait a second for a core): generous, so that no
	// sound template is ever reported as broken. A line takes microseconds,
	// the 10,000 submissions of BenchmarkBuild10000 well under a second.
	maxTime        = 5 * time.Second
	maxEditionTime = time.Minute
	maxPrintfVerbs = 8
	maxPrintfWidth = 999
)

// templateFuncs are the functions a config's templates may use, of
// text/template's built-in ones. The built-in templates use none.
var templateFuncs = []string{"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "index", "printf"}

var comparisonFuncs = []string{"eq", "ne", "lt", "le", "gt", "ge"}

// templateKind is what a template may do, by what it renders.
type templateKind struct {
	what      string // for messages
	maxText   int    // bytes of template text
	maxOutput int    // bytes it may write
	maxTime   time.Duration
	lists     []string // fields it may range over
	printf    bool     // whether it may use printf
	// fieldsOnly allows text and {{.Field}} only: newsletter.path, so that
	// the path checked when the config is read (for sampleEdition) holds
	// for every edition. Its fields are numbers and dates, which add only
	// digits and "-" to what the template writes.
	fieldsOnly bool
}

var (
	smallTemplate   = templateKind{what: "a line, title, path or index cell", maxText: maxTemplateText, maxOutput: maxOutput, maxTime: maxTime, printf: true}
	pathTemplate    = templateKind{what: "a path", maxText: maxTemplateText, maxOutput: maxOutput, maxTime: maxTime, fieldsOnly: true}
	editionTemplate = templateKind{what: "an edition", maxText: maxEditionText, maxOutput: maxEditionOutput, maxTime: maxEditionTime, lists: []string{"Sections", "Lines"}}
)

// configTemplate is a template from a repository's config, checked by
// checkTemplate, that writes at most its kind's maxOutput bytes.
type configTemplate struct {
	tmpl *template.Template
	kind templateKind
}

// parseConfigTemplate parses the template text of the config key and checks
// it against the rules of its kind.
func parseConfigTemplate(key, text string, kind templateKind) (*configTemplate, error) {
	if len(text) > kind.maxText {
		return nil, fmt.Errorf("%s is %d bytes long; the template of %s may be at most %s", key, len(text), kind.what, byteSize(kind.maxText))
	}
	t, err := template.New(key).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", key, err)
	}
	if err := checkTemplate(t, text, kind); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return &configTemplate{tmpl: t, kind: kind}, nil
}

// Execute applies the template to data, writing to w, and fails with an
// *OutputLimitError once it would write more than its limit.
func (t *configTemplate) Execute(w io.Writer, data any) error {
	return t.tmpl.Execute(&cappedWriter{w: w, left: t.kind.maxOutput, kind: t.kind, deadline: templateClock().Add(t.kind.maxTime)}, data)
}

// ExecuteString applies the template to data and returns what it writes.
func (t *configTemplate) ExecuteString(data any) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// OutputLimitError is returned when a template would write more than its
// limit.
type OutputLimitError struct {
	What  string // "an edition"
	Limit int    // bytes
}

func (e *OutputLimitError) Error() string {
	return fmt.Sprintf("renders to more than %s, the most %s may; write long fields fewer times", byteSize(e.Limit), e.What)
}

// byteSize writes a limit for people: "16 KiB", "4 MiB".
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// TimeLimitError is returned when a template is still writing past its
// time limit.
type TimeLimitError struct {
	What  string // "an edition"
	Limit time.Duration
}

func (e *TimeLimitError) Error() string {
	return fmt.Sprintf("took longer than %s to render, the most %s may; make the template simpler", e.Limit, e.What)
}

// IsLimitError reports whether err is a template that broke its output or
// time limit: a config problem, for the maintainers to fix.
func IsLimitError(err error) bool {
	var out *OutputLimitError
	var tl *TimeLimitError
	return errors.As(err, &out) || errors.As(err, &tl)
}

// templateClock is the time templates are timed by; tests replace it.
var templateClock = time.Now

// cappedWriter passes writes on to w until left bytes are used up or the
// deadline has passed. text/template cannot be interrupted, so the time
// limit is checked at each write: the rules of checkTemplate bound what a
// template can do between two writes.
type cappedWriter struct {
	w        io.Writer
	left     int
	kind     templateKind
	deadline time.Time
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if templateClock().After(c.deadline) {
		c.left = 0
		return 0, &TimeLimitError{What: c.kind.what, Limit: c.kind.maxTime}
	}
	if len(p) > c.left {
		c.left = 0
		return 0, &OutputLimitError{What: c.kind.what, Limit: c.kind.maxOutput}
	}
	c.left -= len(p)
	return c.w.Write(p)
}

// checkTemplate applies the rules above to t, parsed from text.
func checkTemplate(t *template.Template, text string, kind templateKind) error {
	for _, d := range t.Templates() {
		if d.Name() != t.Name() {
			return fmt.Errorf("{{define %q}} or {{block %q}} is not allowed: %s", d.Name(), d.Name(), noSubTemplates)
		}
	}
	if t.Tree == nil {
		return nil
	}
	c := &templateChecker{text: text, kind: kind}
	return c.node(t.Tree.Root)
}

const onlyFields = "newsletter.path may hold only text and the fields {{.Number}}, {{.Date}}, {{.Year}}, {{.Month}} and {{.Day}}, so that every edition's path is the one checked"

// isField reports whether p is one field and nothing else: {{.Date}}.
func isField(p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	return ok && len(f.Ident) == 1
}

const noSubTemplates = "a template may not define or call other templates ({{define}}, {{template}}, {{block}})"

type templateChecker struct {
	text  string
	kind  templateKind
	depth int // of ranges around the node being checked
}

// refuse returns the error for construct at pos, which is not allowed for why.
func (c *templateChecker) refuse(pos parse.Pos, construct, why string) error {
	line := 1 + strings.Count(c.text[:min(int(pos), len(c.text))], "\n")
	return fmt.Errorf("%s on line %d is not allowed: %s", construct, line, why)
}

func (c *templateChecker) node(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, m := range n.Nodes {
			if err := c.node(m); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
		return nil
	case *parse.ActionNode:
		if c.kind.fieldsOnly && !isField(n.Pipe) {
			return c.refuse(n.Pos, n.String(), onlyFields)
		}
		return c.pipe(n.Pipe)
	case *parse.IfNode:
		if c.kind.fieldsOnly {
			return c.refuse(n.Pos, "{{if}}", onlyFields)
		}
		return c.branch(&n.BranchNode)
	case *parse.WithNode:
		if c.kind.fieldsOnly {
			return c.refuse(n.Pos, "{{with}}", onlyFields)
		}
		return c.branch(&n.BranchNode)
	case *parse.RangeNode:
		if err := c.rangeOver(n); err != nil {
			return err
		}
		if err := c.pipe(n.Pipe); err != nil {
			return err
		}
		c.depth++
		err := c.node(n.List)
		c.depth--
		if err != nil {
			return err
		}
		return c.node(n.ElseList)
	case *parse.TemplateNode:
		return c.refuse(n.Pos, n.String(), noSubTemplates)
	}
	if c.kind.fieldsOnly {
		return c.refuse(n.Position(), n.String(), onlyFields)
	}
	return c.refuse(n.Position(), n.String(), "the bot does not know this construct")
}

func (c *templateChecker) branch(b *parse.BranchNode) error {
	if err := c.pipe(b.Pipe); err != nil {
		return err
	}
	if err := c.node(b.List); err != nil {
		return err
	}
	return c.node(b.ElseList)
}

// rangeOver checks what a range goes over and how deep it is nested.
func (c *templateChecker) rangeOver(n *parse.RangeNode) error {
	construct := "{{range " + n.Pipe.String() + "}}"
	if len(c.kind.lists) == 0 {
		return c.refuse(n.Pos, construct, "only newsletter.template may use range, over .Sections and .Lines")
	}
	lists := "." + strings.Join(c.kind.lists, " or .")
	var field []string
	if len(n.Pipe.Cmds) == 1 && len(n.Pipe.Cmds[0].Args) == 1 {
		switch a := n.Pipe.Cmds[0].Args[0].(type) {
		case *parse.FieldNode:
			field = a.Ident // .Lines
		case *parse.VariableNode:
			field = a.Ident[1:] // $.Sections, $s.Lines
		}
	}
	if len(field) == 0 || !slices.Contains(c.kind.lists, field[len(field)-1]) {
		return c.refuse(n.Pos, construct, "range may only go over "+lists+", written as a field ({{range .Lines}})")
	}
	if c.depth >= maxRangeDepth {
		return c.refuse(n.Pos, construct, fmt.Sprintf("ranges may be nested at most %d deep ({{range .Sections}} then {{range .Lines}})", maxRangeDepth))
	}
	return nil
}

func (c *templateChecker) pipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for i, cmd := range p.Cmds {
		if err := c.command(cmd, i > 0); err != nil {
			return err
		}
	}
	return nil
}

// command checks a command of a pipeline; piped says whether it gets the
// value of the command before it as its last argument.
func (c *templateChecker) command(cmd *parse.CommandNode, piped bool) error {
	if fn, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		operands := cmd.Args[1:]
		switch {
		case fn.Ident == "printf":
			if err := c.printf(cmd); err != nil {
				return err
			}
		case slices.Contains(comparisonFuncs, fn.Ident):
			fields := 0
			if piped {
				fields++
			}
			for _, a := range operands {
				switch a.(type) {
				case *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
				default:
					fields++
				}
			}
			if fields > 1 {
				return c.refuse(cmd.Pos, "{{"+cmd.String()+"}}", fn.Ident+" may compare one field with quoted strings or numbers, not two fields")
			}
		}
	}
	for _, a := range cmd.Args {
		if err := c.arg(a); err != nil {
			return err
		}
	}
	return nil
}

func (c *templateChecker) arg(n parse.Node) error {
	switch n := n.(type) {
	case *parse.IdentifierNode:
		if !slices.Contains(templateFuncs, n.Ident) {
			return c.refuse(n.Pos, "the function "+n.Ident, "a template may use only the functions "+strings.Join(templateFuncs, ", "))
		}
	case *parse.PipeNode:
		return c.pipe(n)
	case *parse.ChainNode:
		return c.arg(n.Node)
	}
	return nil
}

// printf checks that a printf's format is a literal with few verbs and
// small widths: "%0999999999d" would allocate a gigabyte.
func (c *templateChecker) printf(cmd *parse.CommandNode) error {
	construct := "{{" + cmd.String() + "}}"
	if !c.kind.printf {
		return c.refuse(cmd.Pos, construct, "printf may be used in lines, titles, paths and index cells, not in newsletter.template, which loops")
	}
	if len(cmd.Args) < 2 {
		return c.refuse(cmd.Pos, construct, "printf's format must be written in the template, as a quoted string")
	}
	format, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		return c.refuse(cmd.Pos, construct, "printf's format must be written in the template, as a quoted string")
	}
	if why := printfFormatProblem(format.Text); why != "" {
		return c.refuse(cmd.Pos, construct, why)
	}
	return nil
}

// printfFormatProblem says what is wrong with a printf format, or returns "".
func printfFormatProblem(f string) string {
	verbs := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		verbs++
		// Flags, then [n], width, .precision and [n] in any mix: read
		// numbers until the verb.
		for ; i < len(f) && strings.IndexByte("+-# 0[].*0123456789", f[i]) >= 0; i++ {
			switch c := f[i]; {
			case c == '*':
				return "printf's width and precision must be written in the format, not taken from an argument (*)"
			case c >= '1' && c <= '9':
				j := i
				for j < len(f) && f[j] >= '0' && f[j] <= '9' {
					j++
				}
				if n, err := strconv.Atoi(f[i:j]); err != nil || n > maxPrintfWidth {
					return fmt.Sprintf("printf's widths and precisions may be at most %d (here %s)", maxPrintfWidth, f[i:j])
				}
				i = j - 1
			}
		}
	}
	if verbs > maxPrintfVerbs {
		return fmt.Sprintf("printf's format may have at most %d verbs (here %d)", maxPrintfVerbs, verbs)
	}
	return ""
}

// Duration is a YAML duration: "10s", "1m".
type Duration time.Duration

// UnmarshalYAML reads a duration as Go writes it ("10s", "1m30s").
func (d *Duration) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it as 10s or 1m)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes a duration as Go does.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }
