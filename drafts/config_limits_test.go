package drafts

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// configWith returns a config file that sets key (dotted, two or three
// levels: "newsletter.path", "sections.news.line") to value.
func configWith(key, value string) string {
	parts := strings.Split(key, ".")
	var b strings.Builder
	b.WriteString("version: 1\n")
	for i, p := range parts[:len(parts)-1] {
		b.WriteString(strings.Repeat("  ", i) + p + ":\n")
	}
	b.WriteString(strings.Repeat("  ", len(parts)-1) + parts[len(parts)-1] + ": " + yamlString(value) + "\n")
	return b.String()
}

func TestParseConfigRefusesUnboundedTemplates(t *testing.T) {
	tests := []struct {
		name, key, template, want string
	}{
		{"a line that ranges over integers (the tester's out-of-memory)", "sections.news.line",
			"{{range 100000}}{{range 100000}}x{{end}}{{end}}",
			"sections.news.line: {{range 100000}} on line 1 is not allowed: only newsletter.template may use range"},
		{"a title that ranges over a field", "newsletter.title", "{{range .Number}}x{{end}}",
			"newsletter.title: {{range .Number}} on line 1 is not allowed: only newsletter.template may use range"},
		{"an edition that ranges over an integer", "newsletter.template", "# {{.Title}}\n{{range 100000}}x{{end}}",
			"newsletter.template: {{range 100000}} on line 2 is not allowed: range may only go over .Sections or .Lines"},
		{"an edition that ranges over a number field", "newsletter.template", "{{range .Number}}x{{end}}",
			"{{range .Number}} on line 1 is not allowed"},
		{"an edition that ranges over a variable holding a number", "newsletter.template", "{{$n := 100000}}{{range $n}}x{{end}}",
			"{{range $n}} on line 1 is not allowed"},
		{"an edition that ranges over a function's result", "newsletter.template", "{{range (len .Sections)}}x{{end}}",
			"{{range (len .Sections)}} on line 1 is not allowed"},
		{"an edition that nests ranges three deep", "newsletter.template",
			"{{range .Sections}}{{range $.Sections}}{{range $.Sections}}x{{end}}{{end}}{{end}}",
			"{{range $.Sections}} on line 1 is not allowed: ranges may be nested at most 2 deep"},
		{"a printf with a huge width", "newsletter.title", `Issue {{printf "%0999999999d" .Number}}`,
			`newsletter.title: {{printf "%0999999999d" .Number}} on line 1 is not allowed: printf's widths and precisions may be at most 999 (here 999999999)`},
		{"a printf with a huge precision", "sections.job.line", `{{printf "%.1000f" 1.5}}`,
			"printf's widths and precisions may be at most 999 (here 1000)"},
		{"a printf whose width is an argument", "sections.job.line", `{{printf "%*d" 999999999 1}}`,
			"printf's width and precision must be written in the format"},
		{"a printf whose format is a field", "sections.job.line", `{{printf .Title 1}}`,
			"printf's format must be written in the template, as a quoted string"},
		{"a printf whose format is piped in", "sections.job.line", `{{"%0999999999d" | printf}}`,
			"printf's format must be written in the template, as a quoted string"},
		{"a printf with many verbs", "sections.job.line", `{{printf "%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s" .Title}}`,
			"printf's format may have at most 8 verbs (here 9)"},
		{"a printf in the edition, which loops", "newsletter.template", `{{printf "%s" .Title}}`,
			"printf may be used in lines, titles, paths and index cells, not in newsletter.template"},
		{"a template that defines and calls itself", "sections.news.line", `{{define "r"}}{{template "r"}}{{end}}{{template "r"}}`,
			`sections.news.line: {{define "r"}} or {{block "r"}} is not allowed: a template may not define or call other templates`},
		{"a template that calls itself by name", "newsletter.title", `x{{template "newsletter.title"}}`,
			`newsletter.title: {{template "newsletter.title"}} on line 1 is not allowed: a template may not define or call other templates`},
		{"a block", "newsletter.template", `{{block "b" .}}{{template "b" .}}{{end}}`,
			`{{define "b"}} or {{block "b"}} is not allowed`},
		{"a function that is not allowed", "sections.event.line", "{{print .Name .Name}}",
			"sections.event.line: the function print on line 1 is not allowed: a template may use only the functions and, or, not, eq, ne"},
		{"a function that is not allowed, as an argument", "draft.title", "{{len call}}",
			"draft.title: the function call on line 1 is not allowed"},
		{"a function that is not allowed in an index cell", "index.link_cell", "[{{.Date}}]({{urlquery .URL}})",
			"index.link_cell: the function urlquery on line 1 is not allowed"},
		{"a comparison of two fields", "sections.job.line", "{{if eq .Title .Link}}x{{end}}",
			"{{eq .Title .Link}} on line 1 is not allowed: eq may compare one field with quoted strings or numbers, not two fields"},
		{"a comparison of two fields through a pipe", "newsletter.template", "{{.Footer | eq .Title}}",
			"{{eq .Title}} on line 1 is not allowed: eq may compare one field"},
		{"a line template over 2 KiB", "sections.job.line", strings.Repeat("{{.Title}}", 205),
			"sections.job.line is 2050 bytes long; the template of a line, title, path or index cell may be at most 2 KiB"},
		{"an edition template over 8 KiB", "newsletter.template", strings.Repeat("{{.Title}}", 820),
			"newsletter.template is 8200 bytes long; the template of an edition may be at most 8 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yml := configWith(tt.key, tt.template)
			_, err := ParseConfig([]byte(yml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%q) error = %v, want it to contain %q", yml, err, tt.want)
			}
		})
	}
}

func TestParseConfigAllowsBoundedTemplates(t *testing.T) {
	def := defaultConfig()
	tests := []struct {
		name, key, template string
	}{
		{"the built-in title", "newsletter.title", def.Newsletter.Title},
		{"the built-in path", "newsletter.path", def.Newsletter.Path},
		{"the built-in edition, written out", "newsletter.template", defaultEditionTemplate},
		{"the built-in draft title", "draft.title", def.Draft.Title},
		{"the built-in job line", "sections.job.line", def.Sections.Job.Line},
		{"the built-in news line", "sections.news.line", def.Sections.News.Line},
		{"the built-in event line", "sections.event.line", def.Sections.Event.Line},
		{"the built-in issue cell", "index.issue_cell", defaultIssueCell},
		{"the built-in link cell", "index.link_cell", defaultLinkCell},
		{"an edition ranging with variables", "newsletter.template",
			"{{range $i, $s := .Sections}}{{if $i}}\n{{end}}{{$s.Heading}}\n{{range $s.Lines}}{{.}}\n{{end}}{{end}}"},
		{"an edition that writes one section apart", "newsletter.template",
			`{{range .Sections}}{{if eq .Kind "job"}}{{len .Lines}} jobs{{else if ne .Kind "news"}}{{index .Lines 0}}{{end}}{{end}}`},
		{"a title with a zero-padded number", "newsletter.title", `Issue {{printf "%03d" .Number}}`},
		{"a line with a width and a precision", "sections.news.line", `- {{printf "%-20.100s|%[1]q" .Title}}`},
		{"a line with a literal percent", "sections.news.line", `{{printf "100%% %s" .Title}}`},
		{"a line that compares a field with a literal", "sections.job.line", `{{if and .Remote (ne .Country "Germany")}}x{{end}}`},
		{"a path with folders by year", "newsletter.path", `newsletter/{{.Year}}/{{.Month}}-{{.Day}}-{{.Number}}.md`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yml := configWith(tt.key, tt.template)
			if _, err := ParseConfig([]byte(yml)); err != nil {
				t.Errorf("ParseConfig(%q) error = %v, want none", yml, err)
			}
		})
	}
	t.Run("the example deploy/newsletter.yml", func(t *testing.T) {
		data, err := os.ReadFile("../deploy/newsletter.yml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseConfig(data); err != nil {
			t.Errorf("ParseConfig(deploy/newsletter.yml) error = %v, want none", err)
		}
	})
	t.Run("the built-in config", func(t *testing.T) {
		if err := defaultConfig().compile(); err != nil {
			t.Errorf("defaultConfig().compile() = %v, want nil", err)
		}
	})
}

func TestTemplateOutputIsCapped(t *testing.T) {
	news := func(t *testing.T, answers map[string]string) *Submission {
		s := parseAnswers(t, KindNews, answers)
		if !s.Valid() {
			t.Fatalf("the submission is not valid: %+v", s.Problems)
		}
		return &s
	}
	long := news(t, with(validNews(), "title", strings.Repeat("a", maxTitle)))

	t.Run("a line repeating a long field stops at the cap", func(t *testing.T) {
		tmpl := strings.Repeat("{{.Title}}", maxTemplateText/len("{{.Title}}")) // 204 × 200 bytes
		cfg, err := ParseConfig([]byte(configWith("sections.news.line", tmpl)))
		if err != nil {
			t.Fatal(err)
		}
		line, err := RenderLine(cfg, long, NewDate(2027, 1, 26))
		var limit *OutputLimitError
		if !errors.As(err, &limit) || limit.Limit != maxOutput || line != "" {
			t.Fatalf("RenderLine(%d × .Title) = %d bytes, %v; want no line and an *OutputLimitError of %d bytes", 204, len(line), err, maxOutput)
		}
		if want := "sections.news.line: renders to more than 16 KiB, the most a line, title, path or index cell may"; !strings.Contains(err.Error(), want) {
			t.Errorf("RenderLine error = %q, want it to contain %q", err, want)
		}
	})
	t.Run("an edition repeating the footer stops at the cap", func(t *testing.T) {
		yml := "version: 1\nnewsletter:\n  template: " + yamlString(strings.Repeat("{{.Footer}}", 10)) +
			"\n  footer: " + yamlString(strings.Repeat("x", 512<<10)) + "\n"
		cfg, err := ParseConfig([]byte(yml))
		if err != nil {
			t.Fatal(err)
		}
		ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
		if err != nil {
			t.Fatal(err)
		}
		md, err := Render(cfg, ed, nil)
		var limit *OutputLimitError
		if !errors.As(err, &limit) || limit.Limit != maxEditionOutput || md != "" {
			t.Fatalf("Render(10 × a 512 KiB footer) = %d bytes, %v; want no edition and an *OutputLimitError of %d bytes", len(md), err, maxEditionOutput)
		}
		if want := "newsletter.template: renders to more than 4 MiB, the most an edition may"; !strings.Contains(err.Error(), want) {
			t.Errorf("Render error = %q, want it to contain %q", err, want)
		}
	})
	t.Run("an index cell repeating a long field stops at the cap", func(t *testing.T) {
		layout := IndexLayout{Rows: 13, LinkCell: strings.Repeat("{{.URL}}", 100)}
		entry := IndexEntry{Number: 2, Date: "2026-04-28", URL: "https://example.com/" + strings.Repeat("u", 300)}
		readme := "| Issue | Link |\n|---|---|\n| Issue 1 | x |\n"
		_, err := AddToIndex(readme, entry, layout)
		var limit *OutputLimitError
		if !errors.As(err, &limit) {
			t.Errorf("AddToIndex(100 × .URL) error = %v, want an *OutputLimitError", err)
		}
	})
	t.Run("the longest news item the form takes fits in the built-in line", func(t *testing.T) {
		// 4-byte runes and a link whose every character is percent-encoded.
		s := news(t, with(validNews(), "title", strings.Repeat("😀", maxTitle), "summary", strings.Repeat("😀", maxSummary),
			"link", "https://example.com/"+strings.Repeat("(", maxLink-len("https://example.com/"))))
		line, err := RenderLine(DefaultConfig(), s, NewDate(2027, 1, 26))
		if err != nil || len(line)*2 > maxOutput {
			t.Errorf("RenderLine(longest news) = %d bytes, %v; want at most half of %d", len(line), err, maxOutput)
		}
	})
}

func TestEditionPathIsConfined(t *testing.T) {
	tests := []struct {
		name, key, path, want string
	}{
		{"a workflow", "newsletter.path", ".github/workflows/x.yml", "which is under .github/"},
		{"a workflow named by the edition", "newsletter.path", ".github/workflows/evil-{{.Number}}.yml",
			`newsletter.path ".github/workflows/evil-{{.Number}}.yml" gives ".github/workflows/evil-44.yml" for edition 44 of 2026-04-28, which is under .github/; an edition must be a .md file in the repository, outside .github/`},
		{".github in another case", "newsletter.path", ".GitHub/x.md", "which is under .github/"},
		{"an absolute path", "newsletter.path", "/etc/x.md", "which starts with /"},
		{"an absolute path named by the date", "newsletter.path", "/etc/{{.Date}}.md", `gives "/etc/2026-04-28.md" for edition 44 of 2026-04-28, which starts with /`},
		{"a parent folder", "newsletter.path", "../x.md", "which goes up a folder with .."},
		{"a parent folder past a folder", "newsletter.path", "a/../../x.md", "which goes up a folder with .."},
		{"a path that is not clean", "newsletter.path", "./newsletter//{{.Date}}.md", `which is not in its simplest form ("newsletter/2026-04-28.md")`},
		{"a file that is not markdown", "newsletter.path", "x.txt", "which does not end in .md"},
		{"the index file", "newsletter.path", "newsletter/README.md", "which is the index file (index.path)"},
		{"an empty path", "newsletter.path", "", "which is empty"},
		{"a control character", "newsletter.path", "newsletter/\t{{.Date}}.md", "which contains a control character"},
		{"a path with a condition, which could leave for other editions", "newsletter.path", `{{if eq .Month "12"}}../{{end}}newsletter/{{.Date}}.md`,
			`newsletter.path: {{if}} on line 1 is not allowed: newsletter.path may hold only text and the fields`},
		{"a path with a function", "newsletter.path", `newsletter/{{printf "%c" .Number}}.md`, "may hold only text and the fields"},
		{"a path with a literal", "newsletter.path", `newsletter/{{"../x"}}.md`, "may hold only text and the fields"},
		{"a path with a variable", "newsletter.path", `{{$p := "../"}}newsletter/{{.Date}}.md`, "may hold only text and the fields"},
		{"an index under .github", "index.path", ".github/README.md", `index.path ".github/README.md" is under .github/; the index must be a .md file in the repository, outside .github/`},
		{"an index outside the repository", "index.path", "../README.md", "index.path \"../README.md\" goes up a folder with .."},
		{"an absolute index", "index.path", "/README.md", "starts with /"},
		{"an index that is not markdown", "index.path", "newsletter/README", "does not end in .md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yml := configWith(tt.key, tt.path)
			_, err := ParseConfig([]byte(yml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%q) error = %v, want it to contain %q", yml, err, tt.want)
			}
		})
	}
	t.Run("no index lets an edition be called README.md", func(t *testing.T) {
		yml := "version: 1\nnewsletter:\n  path: newsletter/README.md\nindex:\n  path: \"\"\n"
		if _, err := ParseConfig([]byte(yml)); err != nil {
			t.Errorf("ParseConfig(%q) error = %v, want none", yml, err)
		}
	})
}

// TestTemplateTimeIsLimited: a template still writing past its time limit
// stops with a *TimeLimitError. The template clock is replaced by one that
// moves two minutes at each look, so the test does not depend on the
// machine.
func TestTemplateTimeIsLimited(t *testing.T) {
	cfg := DefaultConfig()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	looks := 0
	templateClock = func() time.Time { looks++; return start.Add(time.Duration(looks) * 2 * time.Minute) }
	t.Cleanup(func() { templateClock = time.Now })

	ed, err := NewEdition(cfg, 44, NewDate(2026, 12, 29))
	var limit *TimeLimitError
	if !errors.As(err, &limit) || limit.Limit != maxTime || !IsLimitError(err) {
		t.Fatalf("NewEdition with a slow clock = %+v, %v; want a *TimeLimitError of %s", ed, err, maxTime)
	}
	templateClock = time.Now
	if ed, err = NewEdition(cfg, 44, NewDate(2026, 12, 29)); err != nil {
		t.Fatal(err)
	}
	templateClock = func() time.Time { looks++; return start.Add(time.Duration(looks) * 2 * time.Minute) }
	md, err := Render(cfg, ed, nil)
	if !errors.As(err, &limit) || limit.Limit != maxEditionTime || md != "" {
		t.Fatalf("Render with a slow clock = %d bytes, %v; want no edition and a *TimeLimitError of %s", len(md), err, maxEditionTime)
	}
	if want := "took longer than 1m0s to render, the most an edition may"; !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}
