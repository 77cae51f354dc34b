package drafts

import (
	"fmt"
	"slices"
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
	firstJob := "- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/1)\n"
	lastJob := "- [🇩🇪 SAP | OSPO Lead](https://example.com/2)\n"
	feature := "_Feature: maintainers write this._\n"
	// The tester's scenario: a maintainer rewrites the last job (byHand) and
	// adds a job of their own (handJob); its submitter edits the issue, and
	// the render rewrites the same line (byRender).
	byHand := "- [🇩🇪 SAP | Head of OSPO](https://example.com/2)\n"
	byRender := "- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"
	handJob := "- [🇫🇷 Mozilla | Community Lead](https://example.com/h)\n"
	news := "- [Blog] Why OSPOs matter. [here](https://example.com/3)\n"
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

		// A conflict holds only the lines that clash.
		{"a hand-added line after a line both sides changed is not part of the conflict",
			edit(base, lastJob, byHand+handJob), edit(base, lastJob, byRender), edit(base, lastJob, byHand+handJob),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: []string{byHand}, Theirs: []string{byRender}}}},
		{"a hand-added line before a line both sides changed is not part of the conflict",
			edit(base, lastJob, handJob+byHand), edit(base, lastJob, byRender), edit(base, lastJob, handJob+byHand),
			[]Conflict{{Line: 9, Base: []string{lastJob}, Ours: []string{byHand}, Theirs: []string{byRender}}}},
		{"hand-added lines before and after a line both sides changed are not part of the conflict",
			edit(base, lastJob, handJob+byHand+"- ask Maya about this one\n"), edit(base, lastJob, byRender),
			edit(base, lastJob, handJob+byHand+"- ask Maya about this one\n"),
			[]Conflict{{Line: 9, Base: []string{lastJob}, Ours: []string{byHand}, Theirs: []string{byRender}}}},
		{"a deleted line replaced by a hand-added one is a conflict at the deleted line's place",
			edit(base, lastJob, handJob), edit(base, lastJob, byRender), edit(base, lastJob, handJob),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: nil, Theirs: []string{byRender}}}},
		{"a conflict below a new submission points at its line in the branch's file",
			edit(base, news, "- [Blog] Why OSPOs matter (a lot). [here](https://example.com/3)\n"),
			edit(edit(base, lastJob, lastJob+newJob), news, "- [Blog] Why OSPOs matter, by Ana. [here](https://example.com/3)\n"),
			edit(edit(base, lastJob, lastJob+newJob), news, "- [Blog] Why OSPOs matter (a lot). [here](https://example.com/3)\n"),
			[]Conflict{{Line: 12, Base: []string{news},
				Ours:   []string{"- [Blog] Why OSPOs matter (a lot). [here](https://example.com/3)\n"},
				Theirs: []string{"- [Blog] Why OSPOs matter, by Ana. [here](https://example.com/3)\n"}}}},

		// The maintainer resolves the conflict above on the branch; the base
		// and the render stay as they were.
		{"taking the render's line clears the conflict and keeps the hand-added line",
			edit(base, lastJob, byRender+handJob), edit(base, lastJob, byRender), edit(base, lastJob, byRender+handJob), nil},
		{"keeping both versions clears the conflict",
			edit(base, lastJob, byHand+byRender+handJob), edit(base, lastJob, byRender), edit(base, lastJob, byHand+byRender+handJob), nil},
		{"keeping both versions, the render's first, clears the conflict",
			edit(base, lastJob, byRender+byHand+handJob), edit(base, lastJob, byRender), edit(base, lastJob, byRender+byHand+handJob), nil},
		{"keeping both versions below a hand-added line clears the conflict",
			edit(base, lastJob, handJob+byHand+byRender), edit(base, lastJob, byRender), edit(base, lastJob, handJob+byHand+byRender), nil},
		{"a resolved conflict still gets the new submission the render added after it",
			edit(base, lastJob, byHand+byRender+handJob), edit(base, lastJob, byRender+newJob),
			edit(base, lastJob, byHand+byRender+handJob+newJob), nil},
		{"a withdrawn submission next to a resolved conflict is taken out",
			edit(base, lastJob, byRender+handJob), edit(edit(base, firstJob, ""), lastJob, byRender),
			edit(edit(base, firstJob, ""), lastJob, byRender+handJob), nil},

		// The render took a line out (its submission was withdrawn).
		{"a line the maintainer rewrote and the render took out is a conflict",
			edit(base, lastJob, byHand), edit(base, lastJob, ""), edit(base, lastJob, byHand),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: []string{byHand}, Theirs: nil}}},
		{"a hand-added line where the render took a line out is kept",
			edit(base, lastJob, handJob), edit(base, lastJob, ""), edit(base, lastJob, handJob), nil},
		{"a line the maintainer rewrote and the render relinked shows the render's new line",
			edit(base, lastJob, byHand), edit(base, lastJob, "- [🇩🇪 SAP | OSPO Lead](https://jobs.sap.com/2)\n"), edit(base, lastJob, byHand),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: []string{byHand},
				Theirs: []string{"- [🇩🇪 SAP | OSPO Lead](https://jobs.sap.com/2)\n"}}}},

		// The render may already hold the maintainer's change.
		{"the render's copy of a maintainer's edit, and its change to the next line, are taken",
			edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"),
			edit(edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"), lastJob, byRender),
			edit(edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"), lastJob, byRender), nil},
		{"a line the maintainer deleted and the render changed is a conflict even when the render has the maintainer's other edit",
			edit(edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"), lastJob, ""),
			edit(edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"), lastJob, byRender),
			edit(edit(base, firstJob, "- [🇺🇸 Comcast | Open Source Engineer](https://example.com/1)\n"), lastJob, ""),
			[]Conflict{{Line: 8, Base: []string{lastJob}, Ours: nil, Theirs: []string{byRender}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge3(base, tt.ours, tt.theirs)
			if diff := cmp.Diff(tt.want, got.Text); diff != "" {
				t.Errorf("Merge3(base, %q, %q): merged text (-want +got):\n%s", tt.ours, tt.theirs, diff)
			}
			if diff := cmp.Diff(tt.wantConflicts, got.Conflicts, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Merge3(base, %q, %q): conflicts (-want +got):\n%s", tt.ours, tt.theirs, diff)
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

// TestMerge3LargeChunk checks a chunk too large to align line by line (both
// sides rewrote 150 lines): it is one conflict holding all of them, and
// keeping both clears it.
func TestMerge3LargeChunk(t *testing.T) {
	var base, ours, theirs []string
	for i := range 150 {
		base = append(base, fmt.Sprintf("line %d as the bot rendered it\n", i))
		ours = append(ours, fmt.Sprintf("line %d as a maintainer rewrote it\n", i))
		theirs = append(theirs, fmt.Sprintf("line %d as the bot renders it now\n", i))
	}
	b, o, th := strings.Join(base, ""), strings.Join(ours, ""), strings.Join(theirs, "")
	got := Merge3(b, o, th)
	want := []Conflict{{Line: 1, Base: base, Ours: ours, Theirs: theirs}}
	if got.Text != o || !cmp.Equal(got.Conflicts, want) {
		t.Errorf("Merge3(%d rewritten lines) = %d conflicts, want one holding them all:\n%s",
			len(base), len(got.Conflicts), cmp.Diff(want, got.Conflicts))
	}
	if got := Merge3(b, o+th, th); got.Text != o+th || len(got.Conflicts) > 0 {
		t.Errorf("Merge3 after keeping both = %d conflicts, want none and the branch's text", len(got.Conflicts))
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

// FuzzMerge3Resolves checks that a conflict can be resolved the ways the
// bot's comment on the draft suggests, editing the branch only (the base
// stays while a conflict stands): replacing each conflict's Ours lines by
// Theirs (taking the render's lines) or by Ours then Theirs (keeping both)
// makes the next merge of the same render against the same base clean.
// Where the render took out a line people rewrote, Theirs may be empty and
// keeping both would change nothing: there, both ways take the line out.
//
// The inputs are first shaped as lists of lines: every line ends in "\n"
// and comes once in its file, and neither side moves the base lines it
// keeps. Outside that shape the property can fail: difflib matches a
// repeated line (a blank line, say) or a moved one with one copy of it, and
// once a resolution adds lines near it, with another, so the resolved
// lines are compared with a different stretch of the base.
func FuzzMerge3Resolves(f *testing.F) {
	base := lines(
		"## 📚 OSPO Jobs",
		"",
		"- [🇺🇸 Comcast | Engineer, Open Source](https://example.com/1)",
		"- [🇩🇪 SAP | OSPO Lead](https://example.com/2)",
		"- [🌐 Acme | Community Manager](https://example.com/9)",
		"## 📌 ICYMI Industry News and Articles",
	)
	sap := "- [🇩🇪 SAP | OSPO Lead](https://example.com/2)\n"
	byHand := "- [🇩🇪 SAP | Head of OSPO](https://example.com/2)\n"
	byRender := "- [🇩🇪 SAP | OSPO Lead (remote)](https://example.com/2)\n"
	handJob := "- [🇫🇷 Mozilla | Community Lead](https://example.com/h)\n"
	f.Add(base, strings.Replace(base, sap, byHand+handJob, 1), strings.Replace(base, sap, byRender, 1)) // the tester's
	f.Add(base, strings.Replace(base, sap, handJob+byHand, 1), strings.Replace(base, sap, "", 1))       // withdrawn
	f.Add(base, strings.Replace(base, sap, handJob, 1), strings.Replace(base, sap, byRender+handJob, 1))
	f.Add(base, strings.Replace(base, sap, byHand, 1), strings.Replace(base, sap, "- [🇩🇪 SAP | OSPO Lead](https://sap.example/2)\n", 1))
	f.Add("a\nb\nc\nd\n", "a\nB\nh\nC\nd\n", "a\nb2\nc2\nx\nd\n")
	f.Add("x\ny\n", "", "x\ny2\n") // ours is empty
	// Found by the fuzzer: the render keeps base lines that people deleted,
	// between lines it wrote. Theirs must leave them out: putting them back
	// would cut the chunk in two at them, and the lines people rewrote
	// would be judged apart from the render's.
	f.Add("   obs\n\nale.com9\n- [🌐 Acme | Community Manager](https://example.com/9)", "0AcCommunity Manager](ht9\n000000ae.co9",
		" bs\n\n0\n- [🌐 Acme | Community Manager](https://example.com/9)\n1")
	f.Fuzz(func(t *testing.T, base, ours, theirs string) {
		base = lineList(base, "")
		ours, theirs = lineList(ours, base), lineList(theirs, base)
		got := Merge3(base, ours, theirs)
		a := linesOf(ours)
		for _, c := range got.Conflicts {
			at := c.Line - 1
			if at < 0 || at+len(c.Ours) > len(a) || !slices.Equal(a[at:at+len(c.Ours)], c.Ours) {
				t.Fatalf("Merge3(%q, %q, %q) = conflict %q at line %d, which is not where it is in ours", base, ours, theirs, c.Ours, c.Line)
			}
			if len(c.Ours) == 0 && len(c.Theirs) == 0 {
				t.Fatalf("Merge3(%q, %q, %q) = conflict with no lines at line %d", base, ours, theirs, c.Line)
			}
		}
		for _, way := range []struct {
			name string
			with func(Conflict) []string
		}{
			{"keeping both", func(c Conflict) []string {
				if len(c.Theirs) == 0 {
					return nil
				}
				return slices.Concat(c.Ours, c.Theirs)
			}},
			{"taking the render's lines", func(c Conflict) []string { return c.Theirs }},
		} {
			resolved := slices.Clone(a)
			for _, c := range slices.Backward(got.Conflicts) {
				resolved = slices.Replace(resolved, c.Line-1, c.Line-1+len(c.Ours), way.with(c)...)
			}
			ours2 := strings.Join(resolved, "")
			if again := Merge3(base, ours2, theirs); len(again.Conflicts) > 0 {
				t.Fatalf("Merge3(%q, %q, %q) = conflicts %+v;\n%s: Merge3(base, %q, theirs) = conflicts %+v, want none",
					base, ours, theirs, got.Conflicts, way.name, ours2, again.Conflicts)
			}
		}
	})
}

// lineList shapes text as a list of lines: each ends in "\n" and comes
// once; with a base, the base lines it keeps stay in the base's order.
func lineList(text, base string) string {
	o := linesOf(base)
	var out []string
	last := -1 // the last base line kept
	for _, l := range linesOf(text) {
		if !strings.HasSuffix(l, "\n") {
			l += "\n"
		}
		k := slices.Index(o, l)
		if slices.Contains(out, l) || k >= 0 && k < last {
			continue
		}
		last = max(last, k)
		out = append(out, l)
	}
	return strings.Join(out, "")
}
