package drafts

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// sampleAnswers fills every field of a form with a distinct value.
func sampleAnswers(f *Form) map[string]string {
	answers := map[string]string{}
	for _, e := range f.Fields() {
		switch e.Type {
		case "dropdown":
			answers[e.ID] = e.Attributes.Options[len(e.Attributes.Options)-1].Label
		case "checkboxes":
			answers[e.ID] = e.Attributes.Options[0].Label
		default:
			answers[e.ID] = "answer for " + e.ID
		}
	}
	return answers
}

// TestFormsRoundTrip builds, from every shipped form, the body GitHub renders
// when the form is submitted, and parses it back: form and parser cannot drift.
func TestFormsRoundTrip(t *testing.T) {
	forms := DefaultForms()
	if len(forms) != 3 {
		t.Fatalf("DefaultForms() has %d forms, want job, news and event", len(forms))
	}
	for kind, f := range forms {
		t.Run(string(kind)+" form with every field answered", func(t *testing.T) {
			want := sampleAnswers(f)
			a := f.answers(f.RenderBody(want))
			got, matched := a.values, a.matched
			if matched != len(f.Fields()) {
				t.Errorf("matched %d sections, want %d", matched, len(f.Fields()))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answers(RenderBody(x)) differs from x (-want +got):\n%s", diff)
			}
		})
		t.Run(string(kind)+" form with optional fields left empty", func(t *testing.T) {
			want := sampleAnswers(f)
			for _, e := range f.Fields() {
				if !e.Validations.Required {
					want[e.ID] = ""
				}
			}
			body := f.RenderBody(want)
			got := f.answers(body).values
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answers differs (-want +got):\n%s\nbody:\n%s", diff, body)
			}
		})
	}
}

// TestFormsMatchConfig: each form applies the label the config reads as its kind.
func TestFormsMatchConfig(t *testing.T) {
	cfg := DefaultConfig()
	for kind, f := range DefaultForms() {
		if !contains(f.Labels, cfg.Labels.ForKind(kind)) {
			t.Errorf("form %s applies labels %q, want it to apply %q", kind, f.Labels, cfg.Labels.ForKind(kind))
		}
		for _, e := range f.Fields() {
			if e.Type == "markdown" || e.Type == "checkboxes" {
				continue
			}
			if e.ID == "link" || e.ID == "organization" || e.ID == "title" || e.ID == "name" || e.ID == "start_date" || e.ID == "category" {
				if !e.Validations.Required {
					t.Errorf("form %s: field %s must be required", kind, e.ID)
				}
			}
		}
		if kind == KindNews {
			e, _ := f.Field("category")
			var opts []string
			for _, o := range e.Attributes.Options {
				opts = append(opts, o.Label)
			}
			if diff := cmp.Diff(DefaultCategories, opts); diff != "" {
				t.Errorf("news form categories differ from DefaultCategories (-want +got):\n%s", diff)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestParseSubmittedBodies(t *testing.T) {
	job := DefaultForms()[KindJob]
	event := DefaultForms()[KindEvent]
	std := "### Organization\n\nComcast\n\n### Job title\n\nEngineer, Open Source\n\n### Link to the posting\n\nhttps://example.com/jobs/1\n\n### Location\n\nUnited States"
	want := map[string]string{"organization": "Comcast", "title": "Engineer, Open Source", "link": "https://example.com/jobs/1", "location": "United States"}
	tests := []struct {
		name string
		form *Form
		body string
		want map[string]string
	}{
		{"as GitHub renders it", job, std, want},
		{"with CRLF line endings", job, strings.ReplaceAll(std, "\n", "\r\n"), want},
		{"with headings the submitter edited (case, emoji, spacing, colon)", job,
			"###   🏢 ORGANIZATION:\n\nComcast\n\n### job  title\n\nEngineer, Open Source\n\n### 🔗 Link to the posting ###\n\nhttps://example.com/jobs/1\n\n###Location\n\nUnited States",
			want},
		{"with _No response_ for an empty field", job,
			"### Organization\n\nComcast\n\n### Job title\n\n_No response_\n\n### Link to the posting\n\nhttps://example.com/jobs/1\n\n### Location\n\nUnited States",
			map[string]string{"organization": "Comcast", "title": "", "link": "https://example.com/jobs/1", "location": "United States"}},
		{"with a stray ### typed inside an answer", job,
			"### Organization\n\nComcast\n\n### Job title\n\nEngineer\n### Great team!\nreally\n\n### Link to the posting\n\nhttps://example.com/jobs/1\n\n### Location\n\nUnited States",
			map[string]string{"organization": "Comcast", "title": "Engineer\n### Great team!\nreally", "link": "https://example.com/jobs/1", "location": "United States"}},
		{"with a heading inside a code fence", job,
			"### Organization\n\n```\n### Location\nMars\n```\n\n### Job title\n\nEngineer\n\n### Link to the posting\n\nhttps://example.com/jobs/1\n\n### Location\n\nUnited States",
			map[string]string{"organization": "### Location\nMars", "title": "Engineer", "link": "https://example.com/jobs/1", "location": "United States"}},
		{"with a heading inside a tilde fence", job,
			"### Organization\n\n~~~~\n### Location\n~~~\nstill code\n~~~~\n\n### Location\n\nGermany",
			map[string]string{"organization": "### Location\n~~~\nstill code", "location": "Germany"}},
		{"with an empty code fence", job,
			"### Organization\n\n```text\n```\n\n### Location\n\nGermany",
			map[string]string{"organization": "", "location": "Germany"}},
		{"with a render: fence around the answer", job,
			"### Organization\n\n```shell\nComcast\n```\n\n### Location\n\nGermany",
			map[string]string{"organization": "Comcast", "location": "Germany"}},
		{"edited after submission: a section removed and text added above", job,
			"Thanks for the bot!\n\n### Organization\n\nComcast\n\n### Location\n\nGermany\n\nEdit: the job is hybrid.",
			map[string]string{"organization": "Comcast", "location": "Germany\n\nEdit: the job is hybrid."}},
		{"with the same heading twice (the first counts)", job,
			"### Organization\n\nComcast\n\n### Organization\n\nNBC",
			map[string]string{"organization": "Comcast\n\n### Organization\n\nNBC"}},
		{"with a byte-order mark before the first heading", job,
			"\uFEFF" + std, want},
		{"with a byte-order mark and CRLF line endings", job,
			"\uFEFF" + strings.ReplaceAll(std, "\n", "\r\n"), want},
		{"with a heading repeated further down (it ends the answer above it, and joins its own field)", job,
			std + "\n\n### Job title\n\nSenior Engineer",
			map[string]string{"organization": "Comcast", "title": "Engineer, Open Source\n\n### Job title\n\nSenior Engineer", "link": "https://example.com/jobs/1", "location": "United States"}},
		{"with a heading repeated further down, edited (the repeat is matched like any heading)", job,
			"### Organization\n\nComcast\n\n### Location\n\nUnited States\n\n###   🏢 organization:\n\nNBC\n\n### Job title\n\nEngineer",
			map[string]string{"organization": "Comcast\n\n###   🏢 organization:\n\nNBC", "location": "United States", "title": "Engineer"}},
		{"with a bare ### inside an answer (an empty heading, cut out)", job,
			"### Organization\n\nComcast\n\n### Link to the posting\n\nhttps://example.com/jobs/1\n###\n\n### Location\n\nUnited States",
			map[string]string{"organization": "Comcast", "link": "https://example.com/jobs/1", "location": "United States"}},
		{"with a bare ### ### between two lines of an answer", job,
			"### Job title\n\nEngineer\n### ###\nOpen Source\n\n### Location\n\nUnited States",
			map[string]string{"title": "Engineer\nOpen Source", "location": "United States"}},
		{"with a bare ### before the first heading", job,
			"###\n\n### Organization\n\nComcast",
			map[string]string{"organization": "Comcast"}},
		{"with a heading inside an HTML comment", job,
			"### Organization\n\nComcast\n<!--\n### Location\n\nMars\n-->\n\n### Location\n\nGermany",
			map[string]string{"organization": "Comcast\n<!--\n### Location\n\nMars\n-->", "location": "Germany"}},
		{"with a heading inside a one-line HTML comment", job,
			"### Organization\n\nComcast\n\n<!-- ### Location -->\n\n### Location\n\nGermany",
			map[string]string{"organization": "Comcast\n\n<!-- ### Location -->", "location": "Germany"}},
		{"with a heading after a closed HTML comment", job,
			"### Organization\n\n<!-- a note -->\n### Location\n\nGermany",
			map[string]string{"organization": "<!-- a note -->", "location": "Germany"}},
		{"with a heading inside a ```` fence that holds a ``` line", job,
			"### Organization\n\n````\n```\n### Location\n```\n````\n\n### Location\n\nGermany",
			map[string]string{"organization": "```\n### Location\n```", "location": "Germany"}},
		{"with a heading inside a code block in a list item", job,
			"### Organization\n\n- ```\n  ### Location\n  ```\n\n### Location\n\nGermany",
			map[string]string{"organization": "- ```\n  ### Location\n  ```", "location": "Germany"}},
		{"with a heading inside a block quote", job,
			"### Organization\n\nComcast\n> ### Location\n> Mars\n\n### Location\n\nGermany",
			map[string]string{"organization": "Comcast\n> ### Location\n> Mars", "location": "Germany"}},
		{"with a checked box, lower-case x", event,
			"### Event name\n\nOSPOlogy Live\n\n### Format\n\n- [x] This event is online only",
			map[string]string{"name": "OSPOlogy Live", "online": "This event is online only"}},
		{"with a checked box, upper-case X", event,
			"### Event name\n\nOSPOlogy Live\n\n### Format\n\n- [X] This event is online only",
			map[string]string{"name": "OSPOlogy Live", "online": "This event is online only"}},
		{"with an unchecked box", event,
			"### Event name\n\nOSPOlogy Live\n\n### Format\n\n- [ ] This event is online only",
			map[string]string{"name": "OSPOlogy Live", "online": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.form.answers(tt.body).values
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answers(%q) differs (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestParseMultipleDropdown(t *testing.T) {
	var f Form
	src := "name: x\nbody:\n  - type: dropdown\n    id: tags\n    attributes:\n      label: Tags\n      multiple: true\n      options: [Blog, Guide, LF]\n"
	if err := yaml.Unmarshal([]byte(src), &f); err != nil {
		t.Fatal(err)
	}
	got := f.answers(f.RenderBody(map[string]string{"tags": "Blog, LF"})).values
	if got["tags"] != "Blog, LF" {
		t.Errorf("multiple dropdown = %q, want %q", got["tags"], "Blog, LF")
	}
}

func TestParseFormRejectsBrokenForms(t *testing.T) {
	for name, src := range map[string]string{
		"an element without id":    "name: x\nbody:\n  - type: input\n    attributes:\n      label: A\n",
		"an element without label": "name: x\nbody:\n  - type: input\n    id: a\n",
		"two elements, one label":  "name: x\nbody:\n  - type: input\n    id: a\n    attributes: {label: A}\n  - type: input\n    id: b\n    attributes: {label: a}\n",
		"not YAML":                 "name: [x\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseForm([]byte(src)); err == nil {
				t.Errorf("ParseForm(%q) = nil error, want one", src)
			}
		})
	}
}

// TestParseEditedBodies parses bodies a submitter edited and looks at what
// the submitter is told: the problems in the status comment.
func TestParseEditedBodies(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	std := forms[KindJob].RenderBody(validJob())
	tests := []struct {
		name     string
		body     string
		want     map[string]string // the answers
		problems []string          // the fields with a problem
	}{
		{"a byte-order mark before the first heading keeps the first field", "\uFEFF" + std,
			validJob(), nil},
		{"a heading repeated further down leaves the answer above it alone and asks for one answer", std + "\n\n### Job title\n\nSenior Engineer",
			with(validJob(), "title", "Engineer, Open Source\n\n### Job title\n\nSenior Engineer"), []string{"title"}},
		{"a heading repeated with no answer under it is dropped", std + "\n\n### Job title\n\n_No response_",
			validJob(), nil},
		{"a heading repeated right after its first, empty, one takes the answer", strings.Replace(std, "### Job title", "### Job title\n\n### Job title", 1),
			validJob(), nil},
		{"a bare ### under the link is no invisible character", strings.Replace(std, "https://example.com/jobs/1", "https://example.com/jobs/1\n###", 1),
			validJob(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issue := Issue{Number: 7, Title: "x", Body: tt.body, State: "open", Labels: []Label{{Name: cfg.Labels.ForKind(KindJob)}}}
			s := NewParser(cfg, forms).Parse(issue)
			if diff := cmp.Diff(tt.want, s.Fields); diff != "" {
				t.Errorf("Parse(%q).Fields differs (-want +got):\n%s", tt.body, diff)
			}
			var fields []string
			for _, p := range s.Problems {
				fields = append(fields, p.Field)
			}
			if !slices.Equal(fields, tt.problems) {
				t.Errorf("Parse(%q).Problems = %v, want one for each of %v", tt.body, s.Problems, tt.problems)
			}
		})
	}
}
