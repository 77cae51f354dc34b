package drafts

import (
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Conflict is a place where the people editing the draft and the fresh
// render changed the same lines of the bot's last version differently.
type Conflict struct {
	// Line is the first line of the clash in the branch's file (1-based).
	Line int
	// Base, Ours and Theirs are the clashing lines: in the bot's last
	// version, in the branch as people left it, in the fresh render.
	Base, Ours, Theirs []string
}

// MergeResult is the outcome of Merge3.
type MergeResult struct {
	// Text is the merged file; when there are conflicts it holds the
	// branch's lines at each conflict and must not be committed.
	Text      string
	Conflicts []Conflict
}

// Merge3 merges two descendants of base, line by line: ours is the draft as
// people left it on the branch, theirs is the bot's fresh render. A change
// made on one side only is taken; the same change on both sides is taken
// once. Where both sides changed the same lines differently:
//   - both inserted lines at the same place: ours come first, then theirs
//     (a maintainer's note and a new submission, say);
//   - one side only added lines before or after lines the other side
//     edited: the edit is kept and the added lines go around it;
//   - otherwise it is a conflict, reported with the lines of each side.
//
// The matching is difflib's (the longest common blocks, no junk heuristics);
// the three-way walk over the two matchings is the classic diff3 one.
func Merge3(base, ours, theirs string) MergeResult {
	o, a, b := linesOf(base), linesOf(ours), linesOf(theirs)
	toA, toB := matchLines(o, a), matchLines(o, b)
	var out []string
	var conflicts []Conflict
	i, ia, ib := 0, 0, 0 // current position in o, a, b
	for {
		for i < len(o) && toA[i] == ia && toB[i] == ib { // stable: all three agree
			out = append(out, o[i])
			i, ia, ib = i+1, ia+1, ib+1
		}
		// The next line of base that both sides still have ends the chunk.
		next := i
		for next < len(o) && (toA[next] < 0 || toB[next] < 0) {
			next++
		}
		endA, endB := len(a), len(b)
		if next < len(o) {
			endA, endB = toA[next], toB[next]
		}
		co, ca, cb := o[i:next], a[ia:endA], b[ib:endB]
		if len(co) > 0 || len(ca) > 0 || len(cb) > 0 {
			merged, ok := mergeChunk(co, ca, cb)
			if !ok {
				conflicts = append(conflicts, Conflict{Line: len(out) + 1,
					Base: slices.Clone(co), Ours: slices.Clone(ca), Theirs: slices.Clone(cb)})
				merged = ca
			}
			out = append(out, merged...)
		}
		if next == len(o) {
			break
		}
		i, ia, ib = next, endA, endB
	}
	return MergeResult{Text: strings.Join(out, ""), Conflicts: conflicts}
}

// mergeChunk resolves one unstable chunk: the lines of base between two
// stable points, and what each side has there instead.
func mergeChunk(o, a, b []string) ([]string, bool) {
	switch {
	case slices.Equal(a, o):
		return b, true // only theirs changed
	case slices.Equal(b, o), slices.Equal(a, b):
		return a, true // only ours changed, or both alike
	case len(o) == 0:
		return slices.Concat(a, b), true // both inserted here: keep both
	}
	// One side kept the base lines and only added some around them; the
	// other side edited the base lines: keep the edit, add the additions.
	if pre, post, ok := around(b, o); ok {
		return slices.Concat(pre, a, post), true
	}
	if pre, post, ok := around(a, o); ok {
		return slices.Concat(pre, b, post), true
	}
	return nil, false
}

// around reports whether s is o with lines added before and after it only.
func around(s, o []string) (pre, post []string, ok bool) {
	for k := 0; k+len(o) <= len(s); k++ {
		if slices.Equal(s[k:k+len(o)], o) {
			return s[:k], s[k+len(o):], true
		}
	}
	return nil, nil, false
}

// linesOf splits text into lines that keep their "\n", so joining them
// gives the text back exactly, a missing final newline included.
func linesOf(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// matchLines maps every line of o to the line of x it is matched with, or -1.
func matchLines(o, x []string) []int {
	to := make([]int, len(o))
	for i := range to {
		to[i] = -1
	}
	m := difflib.NewMatcherWithJunk(o, x, false, nil)
	for _, blk := range m.GetMatchingBlocks() {
		for k := 0; k < blk.Size; k++ {
			to[blk.A+k] = blk.B + k
		}
	}
	return to
}
