package drafts

import (
	"os"
	"testing"
)

func TestPlanNext(t *testing.T) {
	cfg := DefaultConfig()
	existing := []EditionFile{
		{Path: "newsletter/2026-02-14.md", Number: 42, Date: NewDate(2026, 2, 14)},
		{Path: "newsletter/2026-03-11.md", Number: 43, Date: NewDate(2026, 3, 11)},
	}
	tests := []struct {
		name     string
		existing []EditionFile
		today    Date
		want     Edition
	}{
		{"on the first of the month: this month's last Tuesday", existing, NewDate(2026, 12, 1),
			Edition{Number: 44, Date: NewDate(2026, 12, 29), Title: "OSPO Newsletter 44", Path: "newsletter/2026-12-29.md"}},
		{"after this month's last Tuesday: next month's", existing, NewDate(2026, 11, 25),
			Edition{Number: 44, Date: NewDate(2026, 12, 29), Title: "OSPO Newsletter 44", Path: "newsletter/2026-12-29.md"}},
		{"on the publication day itself", existing, NewDate(2026, 11, 24),
			Edition{Number: 44, Date: NewDate(2026, 11, 24), Title: "OSPO Newsletter 44", Path: "newsletter/2026-11-24.md"}},
		{"when this month's edition already came out early", existing, NewDate(2026, 3, 12),
			Edition{Number: 44, Date: NewDate(2026, 3, 31), Title: "OSPO Newsletter 44", Path: "newsletter/2026-03-31.md"}},
		{"after an edition published late for this month", []EditionFile{{Number: 43, Date: NewDate(2026, 3, 31)}}, NewDate(2026, 3, 2),
			Edition{Number: 44, Date: NewDate(2026, 4, 28), Title: "OSPO Newsletter 44", Path: "newsletter/2026-04-28.md"}},
		{"in a repository without editions", nil, NewDate(2026, 1, 5),
			Edition{Number: 1, Date: NewDate(2026, 1, 27), Title: "OSPO Newsletter 1", Path: "newsletter/2026-01-27.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PlanNext(cfg, tt.existing, tt.today)
			if err != nil || got != tt.want {
				t.Errorf("PlanNext(%v) = %+v, %v; want %+v", tt.today, got, err, tt.want)
			}
		})
	}
}

func TestParseEditionPath(t *testing.T) {
	cfg := DefaultConfig()
	for path, want := range map[string]bool{
		"newsletter/2026-03-11.md":            true,
		"newsletter/README.md":                false,
		"newsletter/newsletter-template.md":   false,
		"newsletter/2026-03-11.md.bak":        false,
		"other/2026-03-11.md":                 false,
		"newsletter/drafts/2026-03-11.md":     false,
		"newsletter/2026-03-11xmd":            false,
		"newsletter/newsletter-guidelines.md": false,
	} {
		f, ok := ParseEditionPath(cfg, path)
		if ok != want {
			t.Errorf("ParseEditionPath(%q) ok = %v, want %v", path, ok, want)
		}
		if ok && f.Date != NewDate(2026, 3, 11) {
			t.Errorf("ParseEditionPath(%q).Date = %v, want 2026-03-11", path, f.Date)
		}
	}
	custom, err := ParseConfig([]byte("version: 1\nnewsletter:\n  path: \"issues/{{.Year}}/{{.Month}}/issue-{{.Number}}.md\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := ParseEditionPath(custom, "issues/2027/01/issue-12.md")
	if !ok || f.Number != 12 || f.Date != NewDate(2027, 1, 1) {
		t.Errorf("ParseEditionPath(custom) = %+v, %v; want number 12 of January 2027", f, ok)
	}
	if got := EditionDir(custom); got != "issues" {
		t.Errorf("EditionDir(custom) = %q, want issues", got)
	}
	if got := EditionDir(cfg); got != "newsletter" {
		t.Errorf("EditionDir(default) = %q, want newsletter", got)
	}
}

func TestTitleNumber(t *testing.T) {
	for content, want := range map[string]int{
		"# OSPO Newsletter 43\n\n## x": 43,
		"\n# OSPO Newsletter 1\n":      1,
		"# Edition #12 (March)\n":      12,
	} {
		if got, ok := TitleNumber(content); !ok || got != want {
			t.Errorf("TitleNumber(%q) = %d, %v; want %d", content, got, ok, want)
		}
	}
	if _, ok := TitleNumber("no title\n## 43"); ok {
		t.Errorf("TitleNumber without a title line = ok, want not found")
	}
}

// TestIndexWithEdition43 adds edition 43 to the real README (edition 42) as
// planned by the default config.
func TestIndexWithEdition43(t *testing.T) {
	cfg := DefaultConfig()
	readme, err := os.ReadFile("testdata/index/README-42.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/index/README-43.golden.md")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := NewEdition(cfg, 43, NewDate(2026, 3, 11))
	if err != nil {
		t.Fatal(err)
	}
	entry := IndexEntry{Number: ed.Number, Date: ed.Date.String(), URL: "https://github.com/todogroup/ospology/blob/main/" + ed.Path}
	got, err := AddToIndex(string(readme), entry, IndexLayoutOf(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("AddToIndex(README-42, 43) differs from README-43.golden.md")
	}
}
