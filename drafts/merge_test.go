package drafts

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// lines joins lines with "\n" after each, as an edition file is written.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestMerge3(t *testing.T) {
	base := lines(
		"# OSPO Newsletter 44",
		"",
		"_Feature: maintainers write this._",
		"",
		"## 📚 OSPO Jobs",
		"",
		"- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/1)",
		"- [🇩🇪 SAP | OSPO Lead](https://example.com/2)",
		"",
		"## 📌 ICYMI Industry News and Articles",
		"",
		"- [Blog] Why OSPOs matter. [here](https://example.com/3)",
		"",
		"---",
	)
	edit := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			t.Fatalf("test setup: %q not in the text", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	newJob := "- [🌐 Acme | Community Manager](https://example.com/9)\n"
	lastJob := "- [🇩🇪 SAP | OSPO Lead](https://example.com/2)\n"
	feature := "_Feature: maintainers write this._\n"
	tests := []struct {
		name          string
		ours, theirs  string
		want          string
		wantConflicts []Conflict
	}{
		{"nothing changed gives the base back", base, base, base, nil},
		{"a maintainer's edit alone is kept", edit(base, feature, "Welcome to December!\n"), base,
			edit(base, feature, "Welcome to December!\n"), nil},
		{"a new submission alone is added", base, edit(base, lastJob, lastJob+newJob), edit(base, lastJob, lastJob+newJob), nil},
		{"an edited feature and a new submission elsewhere both land",
			edit(base, feature, "Welcome to December!\n"), edit(base, lastJob, lastJob+newJob),
			edit(edit(base, feature, "Welcome to December!\n"), lastJob, lastJob+newJob), nil},
		{"a hand-fixed line and a new submission right after it both land",
			edit(base, lastJob, "- [🇩🇪 SAP SE | OSPO Lead](https://example.com/2)\n"), edit(base, lastJob, lastJob+newJob),
			edit(base, lastJob, "- [🇩🇪 SAP SE | OSPO Lead](https://example.com/2)\n"+newJob), nil},
		{"lines added by both at the same place are all kept, the maintainer's first",
			edit(base, lastJob, lastJob+"- a job a maintainer typed in\n"), edit(base, lastJob, lastJob+newJob),
			edit(base, lastJob, lastJob+"- a job a maintainer typed in\n"+newJob), nil},
		{"a line a maintainer deleted stays deleted", edit(base, lastJob, ""), base, edit(base, lastJob, ""), nil},
		{"a withdrawn submission's line is taken out", base, edit(base, lastJob, ""), edit(base, lastJob, ""), nil},
		{"the same change on both sides is made once", edit(base, lastJob, newJob), edit(base, lastJob, newJob), edit(base, lastJob, newJob), nil},
		{"a line both sides changed differently is a conflict",
			edit(base, lastJob, "- [🇩🇪 SAP | Head of OSPO](https://example.com/2)\n"),
			edit(base, lastJob, "- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"),
			edit(base, lastJob, "- [🇩🇪 SAP | Head of OSPO](https://example.com/2)\n"),
			[]Conflict{{Line: 8, Base: []string{lastJob},
				Ours:   []string{"- [🇩🇪 SAP | Head of OSPO](https://example.com/2)\n"},
				Theirs: []string{"- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"}}}},
		{"a line a maintainer deleted and the render changed is a conflict",
			edit(base, lastJob, ""), edit(base, lastJob, "- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"),
			edit(base, lastJob, ""),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: nil,
				Theirs: []string{"- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge3(base, tt.ours, tt.theirs)
			if diff := cmp.Diff(tt.want, got.Text); diff != "" {
				t.Errorf("merged text (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantConflicts, got.Conflicts, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMerge3Edges(t *testing.T) {
	tests := []struct {
		name                     string
		base, ours, theirs, want string
	}{
		{"a file without a final newline keeps it so", "a\nb", "a\nb", "a\nb\nc", "a\nb\nc"},
		{"an empty base takes both sides, ours first", "", "x\n", "y\n", "x\ny\n"},
		{"repeated lines are matched in order", "a\na\na\n", "a\na\n", "a\na\na\nb\n", "a\na\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge3(tt.base, tt.ours, tt.theirs)
			if got.Text != tt.want || len(got.Conflicts) > 0 {
				t.Errorf("Merge3(%q, %q, %q) = %q, %d conflicts; want %q", tt.base, tt.ours, tt.theirs, got.Text, len(got.Conflicts), tt.want)
			}
		})
	}
}

// FuzzMerge3 checks the identities any three-way merge must keep: a side
// that did not change gives the other side, and the same change twice is
// made once.
func FuzzMerge3(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\n")
	f.Add("# 44\n\n## Jobs\n\n- x\n", "# 44\n\nHello\n\n## Jobs\n\n- x\n- y\n")
	f.Add("", "x")
	f.Add("a\na\na\n", "a\n")
	f.Fuzz(func(t *testing.T, base, changed string) {
		for _, c := range []struct {
			name         string
			ours, theirs string
		}{{"theirs unchanged", changed, base}, {"ours unchanged", base, changed}, {"both alike", changed, changed}} {
			got := Merge3(base, c.ours, c.theirs)
			if len(got.Conflicts) > 0 || got.Text != changed {
				t.Fatalf("%s: Merge3(%q, %q, %q) = %q with %d conflicts, want %q", c.name, base, c.ours, c.theirs,
					got.Text, len(got.Conflicts), changed)
			}
		}
	})
}
