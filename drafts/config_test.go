package drafts

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"an empty file", "", `needs at least "version: 1"`},
		{"no version", "require_approval: false\n", `missing "version: 1"`},
		{"a future version", "version: 2\n", "version 2 is not supported"},
		{"an unknown key", "version: 1\nrequire_aproval: false\n", `field require_aproval not found`},
		{"an unknown nested key", "version: 1\nsections:\n  jobs:\n    heading: x\n", "field jobs not found"},
		{"a value of the wrong type", "version: 1\nrequire_approval: maybe\n", "cannot unmarshal"},
		{"a line template that does not parse", "version: 1\nsections:\n  job:\n    line: \"- {{.Title\"\n", "template sections.job.line"},
		{"a bad publication rule", "version: 1\nnewsletter:\n  publication: every tuesday\n", "newsletter.publication"},
		{"an empty kind label", "version: 1\nlabels:\n  job: \"\"\n", "labels.job must not be empty"},
		{"a country override that is no code", "version: 1\ncountry_names:\n  America: USA\n", `"America" is not an ISO 3166 alpha-2`},
		{"not YAML at all", "version: [1\n", "newsletter.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%q) error = %v, want it to contain %q", tt.yaml, err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), ConfigPath) {
				t.Errorf("error %q does not name %s", err, ConfigPath)
			}
		})
	}
}

func TestParseConfigKeepsDefaults(t *testing.T) {
	cfg, err := ParseConfig([]byte("version: 1\nrequire_approval: false\nnews:\n  extra_categories: [Podcast]\n"))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	if cfg.RequireApproval {
		t.Errorf("RequireApproval = true, want false as configured")
	}
	if cfg.Sections.Job != def.Sections.Job || cfg.Labels != def.Labels || cfg.Newsletter.Path != def.Newsletter.Path {
		t.Errorf("keys left out must keep their defaults")
	}
	if got := cfg.Categories(); got[len(got)-1] != "Podcast" || len(got) != len(DefaultCategories)+1 {
		t.Errorf("Categories() = %v, want the defaults and Podcast", got)
	}
	if cfg.CountryNames["US"] != "USA" {
		t.Errorf("CountryNames = %v, want the default US: USA", cfg.CountryNames)
	}
}

func TestCustomConfigRendersItsOwnFormat(t *testing.T) {
	cfg, err := ParseConfig([]byte(`version: 1
require_approval: false
newsletter:
  title: "Weekly {{.Number}} ({{.Date}})"
  path: "news/{{.Year}}/{{.Number}}.md"
  template: |
    # {{.Title}}
    {{range .Sections}}{{if .Lines}}
    {{.Heading}}
    {{range .Lines}}{{.}}
    {{end}}{{end}}{{end}}
sections:
  job:
    heading: "## Jobs"
    line: "* {{.Organization}}: {{.Title}} <{{.Link}}> ({{if .Remote}}remote{{else}}{{.Country}}{{end}})"
country_names:
  DE: Deutschland
`))
	if err != nil {
		t.Fatal(err)
	}
	forms := DefaultForms()
	issues := []Issue{
		{Number: 1, Body: forms[KindJob].RenderBody(validJob()), Labels: []Label{{Name: cfg.Labels.Job}}},
		{Number: 2, Body: forms[KindJob].RenderBody(with(validJob(), "location", "remote", "link", "https://example.com/2")), Labels: []Label{{Name: cfg.Labels.Job}}},
	}
	ed, err := NewEdition(cfg, 5, NewDate(2027, 1, 26))
	if err != nil {
		t.Fatal(err)
	}
	if ed.Path != "news/2027/5.md" || ed.Title != "Weekly 5 (2027-01-26)" {
		t.Errorf("NewEdition = %+v", ed)
	}
	res, err := Build(cfg, forms, ed, issues)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Weekly 5 (2027-01-26)\n\n## Jobs\n* Comcast: Engineer, Open Source <https://example.com/jobs/1> (United States)\n* Comcast: Engineer, Open Source <https://example.com/2> (remote)\n"
	if res.Markdown != want {
		t.Errorf("Build(custom) =\n%s\nwant\n%s", res.Markdown, want)
	}
}

func TestLineTemplateMustStayOneLine(t *testing.T) {
	cfg, err := ParseConfig([]byte("version: 1\nsections:\n  job:\n    line: \"- {{.Title}}\\n- {{.Link}}\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := parseAnswers(t, KindJob, validJob())
	if _, err := RenderLine(cfg, &s, NewDate(2027, 1, 1)); err == nil || !strings.Contains(err.Error(), "one line") {
		t.Errorf("RenderLine with a two-line template: error %v, want one about one line", err)
	}
}

func TestRenderEmptyEdition(t *testing.T) {
	cfg := DefaultConfig()
	ed, _ := NewEdition(cfg, 44, NewDate(2026, 12, 29))
	md, err := Render(cfg, ed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# OSPO Newsletter 44\n", "## 📚 OSPO Jobs\n", "<!-- Nothing here yet. -->", "\n---\n\n- ✨ Find more OSPO insights"} {
		if !strings.Contains(md, want) {
			t.Errorf("Render(no submissions) lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "\n\n\n") {
		t.Errorf("Render(no submissions) has runs of blank lines:\n%s", md)
	}
}

func TestDraftDue(t *testing.T) {
	tests := []struct {
		schedule string
		edition  Date // publication day
		want     string
	}{
		{"0 9 1 * *", NewDate(2026, time.December, 29), "2026-12-01T09:00:00Z"},    // the default: the 1st
		{"0 9 1 * *", NewDate(2026, time.December, 1), "2026-11-01T09:00:00Z"},     // not on the day itself
		{"30 8 * * MON", NewDate(2026, time.December, 29), "2026-12-28T08:30:00Z"}, // weekly
		{"* * * * *", NewDate(2026, time.December, 29), "2026-12-28T23:59:00Z"},    // every minute: cheap
		{"0 0 1 1 *", NewDate(2026, time.December, 29), "2026-01-01T00:00:00Z"},    // yearly
		{"0 9 15 * *", NewDate(2027, time.January, 12), "2026-12-15T09:00:00Z"},    // across a year
		{"0 9 30 2 *", NewDate(2026, time.December, 29), "never"},                  // never fires
		{"0 9 1 * *", NewDate(2026, time.March, 31), "2026-03-01T09:00:00Z"},       // the month of the edition
	}
	for _, tt := range tests {
		cfg, err := ParseConfig([]byte("version: 1\ndraft:\n  schedule: \"" + tt.schedule + "\"\n"))
		if err != nil {
			t.Fatal(err)
		}
		ed, err := NewEdition(cfg, 44, tt.edition)
		if err != nil {
			t.Fatal(err)
		}
		got := "never"
		if due, ok := cfg.DraftDue(ed); ok {
			got = due.Format(time.RFC3339)
		}
		if got != tt.want {
			t.Errorf("schedule %q, edition of %s: due %s, want %s", tt.schedule, tt.edition.Format(time.DateOnly), got, tt.want)
		}
	}
}
