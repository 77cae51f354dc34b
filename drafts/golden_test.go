package drafts

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// goldenRecord is one line of a real edition (41 to 43 of the OSPO
// Newsletter) with the answers a submitter would type into the issue form to
// get it. testdata/golden/editions-41-43.json holds every job, news and event
// line of those editions that follows the current format; the ones left out
// are the older shapes still found in edition 41 (a space inside the link,
// "Title.[here](url).", a trailing space after the CFP, "date - date").
type goldenRecord struct {
	Edition int               `json:"edition"`
	Date    string            `json:"date"`
	Kind    Kind              `json:"kind"`
	Fields  map[string]string `json:"fields"`
	Want    string            `json:"want"`
}

func loadGolden(t *testing.T) []goldenRecord {
	t.Helper()
	data, err := os.ReadFile("testdata/golden/editions-41-43.json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []goldenRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// goldenIssue files a record as the issue GitHub creates from the form,
// accepted by a maintainer.
func goldenIssue(t *testing.T, forms map[Kind]*Form, number int, r goldenRecord) Issue {
	t.Helper()
	cfg := DefaultConfig()
	answers := map[string]string{}
	for k, v := range r.Fields {
		answers[k] = v
	}
	if answers["country"] == "" && r.Kind == KindEvent {
		answers["country"] = "Online"
	}
	return Issue{
		Number: number,
		Title:  "suggestion",
		Body:   forms[r.Kind].RenderBody(answers),
		Labels: []Label{{Name: cfg.Labels.ForKind(r.Kind)}, {Name: cfg.Labels.Accepted}},
		State:  "open",
	}
}

func TestGoldenLinesOfEditions41To43(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	p := NewParser(cfg, forms)
	recs := loadGolden(t)
	if len(recs) < 50 {
		t.Fatalf("loaded %d golden records, want the 55 lines of editions 41-43", len(recs))
	}
	for i, r := range recs {
		t.Run(r.Want, func(t *testing.T) {
			s := p.Parse(goldenIssue(t, forms, i+1, r))
			if !s.Valid() {
				t.Fatalf("Parse(%v) has problems %v, want a valid %s", r.Fields, s.Problems, r.Kind)
			}
			pub, err := ParseDate(r.Date)
			if err != nil {
				t.Fatal(err)
			}
			got, err := RenderLine(cfg, &s, pub)
			if err != nil {
				t.Fatalf("RenderLine: %v", err)
			}
			if got != r.Want {
				t.Errorf("RenderLine(%v) =\n%q\nwant\n%q", r.Fields, got, r.Want)
			}
		})
	}
}

// TestGoldenSectionsOfEditions42And43 renders whole editions from their
// submissions: every line of 42 and 43 follows the current format, so each
// section must come out as the maintainers wrote it, in their order.
func TestGoldenSectionsOfEditions42And43(t *testing.T) {
	cfg, forms := DefaultConfig(), DefaultForms()
	recs := loadGolden(t)
	for _, ed := range []struct {
		number int
		date   string
	}{{42, "2026-02-14"}, {43, "2026-03-11"}} {
		t.Run("edition "+ed.date, func(t *testing.T) {
			var issues []Issue
			want := map[Kind][]string{}
			for i, r := range recs {
				if r.Edition == ed.number {
					issues = append(issues, goldenIssue(t, forms, i+1, r))
					want[r.Kind] = append(want[r.Kind], r.Want)
				}
			}
			pub, _ := ParseDate(ed.date)
			e, err := NewEdition(cfg, ed.number, pub)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Build(cfg, forms, e, issues)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Excluded) > 0 {
				t.Errorf("Build left out %v, want every submission in", res.Excluded)
			}
			for _, k := range Kinds {
				got := sectionLines(res.Markdown, cfg.Section(k).Heading)
				if strings.Join(got, "\n") != strings.Join(want[k], "\n") {
					t.Errorf("%s section =\n%s\nwant\n%s", k, strings.Join(got, "\n"), strings.Join(want[k], "\n"))
				}
			}
			if !strings.HasPrefix(res.Markdown, "# OSPO Newsletter "+itoa(ed.number)+"\n") {
				t.Errorf("edition starts %q, want the title line", firstLine(res.Markdown))
			}
		})
	}
}

// sectionLines returns the list items under heading, up to the next heading.
func sectionLines(md, heading string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		switch {
		case l == heading:
			in = true
		case strings.HasPrefix(l, "#") || l == "---":
			in = false
		case in && strings.HasPrefix(l, "- "):
			out = append(out, l)
		}
	}
	return out
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
