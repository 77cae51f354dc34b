package drafts

import (
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Conflict is a place where the people editing the draft and the fresh
// render changed the same lines of the bot's last version differently.
type Conflict struct {
	// Line is the line of the branch's file (1-based) where Ours starts;
	// when Ours is empty, the line Theirs would go before.
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
//   - ours already holds, in order, the lines the render rewrote, with
//     people's own lines around or between them (a conflict resolved by
//     taking the render's lines or by keeping both): ours is taken, less
//     the bot's old lines the render took out, with the lines the render
//     added before and after its rewrites unless ours has them;
//   - the render rewrote nothing, only took lines out or added some: the
//     same, unless people rewrote a line the render took out (a withdrawn
//     submission a maintainer had edited), or ours holds all it added;
//   - the render holds every line people wrote there and took out every
//     base line they deleted: theirs is taken;
//   - otherwise it is a conflict.
//
// A conflict reports only the lines that clash. Each side's lines are
// aligned with the base lines they are versions of: two lines that both
// link somewhere are versions when the links are the same, others when
// they share at least 60% of their characters. Theirs is the lines the render rewrote,
// without what it added before or after them and without base lines. Ours
// runs from the first to the last line that is a version of a base line
// the render changed too, so lines people merely added at its edges stay
// out; if there is none, Ours is empty and Line is where the render's
// lines would go. When the render rewrote nothing, Ours is people's
// rewrites of the lines it took out and Theirs all it added. Lines equal in
// Ours and Theirs at their edges are left out. Replacing Ours in the branch
// by Theirs, or by Ours then Theirs, makes the next merge against the same
// base and render clean (FuzzMerge3Resolves checks it on files whose lines
// are all different and whose base lines stay in order).
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
				c, at := clash(co, ca, cb)
				c.Line = ia + at + 1 // in ours, which is what the branch holds
				conflicts = append(conflicts, c)
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
	// Ours already has the render's change (a resolved conflict), or the
	// render only took out lines that people left as they were.
	r := readRender(o, b)
	if r.heldBy(a) || len(r.rewrites) == 0 && len(rewritesOfTakenOut(o, a, b)) == 0 {
		pre, post := b[:r.lo], b[r.hi:]
		return slices.Concat(missing(pre, a), kept(a, o, b), missing(post, a)), true
	}
	if holdsOurs(o, a, b, r) {
		return b, true
	}
	return nil, false
}

// renderChunk is the render's side of a chunk, read against the base lines.
type renderChunk struct {
	lines []string
	// to[j] is the base line lines[j] is a version of, or -1; nil when
	// the chunk is too large to align.
	to []int
	// lines[lo:hi] runs from the render's first version of a base line
	// to its last: what is before and after it, the render added.
	lo, hi int
	// rewrites and added are the indices of the lines that are not base
	// lines, in lines[lo:hi] and in all lines.
	rewrites, added []int
}

func readRender(o, b []string) renderChunk {
	r := renderChunk{lines: b, to: align(o, b), hi: len(b)} // too large: all rewritten
	if r.to != nil {
		r.lo, r.hi = 0, 0 // no version of a base line: all added, after ours
		for j, k := range r.to {
			if k >= 0 {
				if r.hi == 0 {
					r.lo = j
				}
				r.hi = j + 1
			}
		}
	}
	r.rewrites, r.added = newLines(o, b, r.lo, r.hi), newLines(o, b, 0, len(b))
	return r
}

// heldBy reports whether a has, in order, the lines the render rewrote or,
// when it rewrote none, all the lines it added.
func (r renderChunk) heldBy(a []string) bool {
	want := r.rewrites
	if len(want) == 0 {
		want = r.added
	}
	i := 0
	for _, l := range a {
		if i < len(want) && l == r.lines[want[i]] {
			i++
		}
	}
	return len(want) > 0 && i == len(want)
}

// holdsOurs reports whether theirs has, in order, every line ours wrote in
// the chunk, and took out every base line ours deleted (rather than
// rewrote): then theirs has the maintainers' change, and more.
func holdsOurs(o, a, b []string, r renderChunk) bool {
	toA := align(o, a)
	wrote := newLines(o, a, 0, len(a))
	if len(wrote) == 0 || toA == nil || r.to == nil {
		return false
	}
	i := 0
	for _, l := range b {
		if i < len(wrote) && l == a[wrote[i]] {
			i++
		}
	}
	if i < len(wrote) {
		return false
	}
	for k, l := range o {
		deleted := !slices.Contains(a, l) && !slices.Contains(toA, k)
		if deleted && (slices.Contains(b, l) || slices.Contains(r.to, k)) {
			return false
		}
	}
	return true
}

// rewritesOfTakenOut returns the indices of the lines of a that rewrite
// base lines b took out: lines ours wrote (in neither o nor b) whose likest
// base line b lacks. Each line is judged on its own, so that deleting some
// of them leaves the others as they were judged.
func rewritesOfTakenOut(o, a, b []string) []int {
	var idx []int
	for j, l := range a {
		if slices.Contains(o, l) || slices.Contains(b, l) {
			continue
		}
		if tooLarge(o, a[j:j+1]) { // too large to judge: count it
			idx = append(idx, j)
		} else if k := likest(o, l); k >= 0 && !slices.Contains(b, o[k]) {
			idx = append(idx, j)
		}
	}
	return idx
}

// clash reports the lines of a chunk that mergeChunk could not resolve
// (see Merge3), and the index in a where Ours starts.
func clash(o, a, b []string) (Conflict, int) {
	r := readRender(o, b)
	var s, e int  // Ours is a[s:e]
	var toA []int // the base line each line of a is a version of
	theirs := r.rewrites
	if len(theirs) == 0 {
		// The render rewrote nothing: the clash is people's rewrites of
		// the lines it took out, against what it added, if anything.
		theirs = r.added
		idx := rewritesOfTakenOut(o, a, b)
		s, e = idx[0], idx[len(idx)-1]+1
		toA = slices.Repeat([]int{-1}, len(a))
		for j := s; j < e; j++ {
			if !tooLarge(o, a[j:j+1]) {
				toA[j] = likest(o, a[j])
			}
		}
	} else {
		toA = align(o, a)
		for j := range a {
			if toA == nil || toA[j] >= 0 && !slices.Contains(b, o[toA[j]]) {
				if e == 0 {
					s = j
				}
				e = j + 1
			}
		}
		if e == 0 { // ours deleted the lines: where the render's would go
			s = insertAt(toA, r, theirs[0])
			e = s
		}
	}
	// Lines alike on both sides at the edges do not clash.
	for s < e && len(theirs) > 0 && a[s] == b[theirs[0]] {
		s, theirs = s+1, theirs[1:]
	}
	for s < e && len(theirs) > 0 && a[e-1] == b[theirs[len(theirs)-1]] {
		e, theirs = e-1, theirs[:len(theirs)-1]
	}
	c := Conflict{Base: slices.Clone(o), Ours: slices.Clone(a[s:e])}
	var baseOf []int // the base lines the reported lines are versions of
	for j := s; j < e && toA != nil; j++ {
		if toA[j] >= 0 {
			baseOf = append(baseOf, toA[j])
		}
	}
	for _, j := range theirs {
		c.Theirs = append(c.Theirs, b[j])
		if r.to != nil && r.to[j] >= 0 {
			baseOf = append(baseOf, r.to[j])
		}
	}
	if len(baseOf) > 0 {
		c.Base = slices.Clone(o[slices.Min(baseOf) : slices.Max(baseOf)+1])
	}
	return c, s
}

// insertAt returns where in a the render's line j would go: after the last
// line of a that is a version of a base line before the one line j is a
// version of (or follows).
func insertAt(toA []int, r renderChunk, j int) int {
	if toA == nil || r.to == nil {
		return 0
	}
	before := 0 // line j comes after the base lines before this one
	for k := j; k >= 0; k-- {
		if r.to[k] >= 0 {
			before = r.to[k]
			if k < j {
				before++
			}
			break
		}
	}
	at := 0
	for i, k := range toA {
		if k >= 0 && k < before {
			at = i + 1
		}
	}
	return at
}

// newLines returns the indices of the lines of s[lo:hi] that are not in o.
func newLines(o, s []string, lo, hi int) []int {
	var idx []int
	for j := lo; j < hi; j++ {
		if !slices.Contains(o, s[j]) {
			idx = append(idx, j)
		}
	}
	return idx
}

// kept returns a without the base lines that b took out.
func kept(a, o, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(l string) bool {
		return slices.Contains(o, l) && !slices.Contains(b, l)
	})
}

// missing returns the lines of s that a does not have (each line of a
// accounts for one line of s).
func missing(s, a []string) []string {
	have := map[string]int{}
	for _, l := range a {
		have[l]++
	}
	var out []string
	for _, l := range s {
		if have[l] > 0 {
			have[l]--
		} else {
			out = append(out, l)
		}
	}
	return out
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

// Aligning compares every base line of a chunk with every line of a side,
// character by character. Beyond these bounds (both sides rewrote much of
// the file) a chunk is not aligned and all of it counts as clashing.
const (
	maxAligned   = 100     // lines on either side
	maxAlignWork = 1 << 26 // bytes of the base lines times bytes of the side's
)

// tooLarge reports whether aligning the lines of s with o costs too much.
func tooLarge(o, s []string) bool {
	size := func(ls []string) int {
		n := 0
		for _, l := range ls {
			n += len(l)
		}
		return n
	}
	return len(o) > maxAligned || len(s) > maxAligned || size(o)*size(s) > maxAlignWork
}

// align pairs the lines of s with the base lines o they are versions of,
// in order, choosing the pairs of greatest total likeness: to[j] is the
// base line s[j] is a version of, or -1 for a line s added. It returns nil
// when that is tooLarge.
func align(o, s []string) []int {
	if tooLarge(o, s) {
		return nil
	}
	// best[i][j] is the greatest total likeness of o[:i] with s[:j].
	best := make([][]float64, len(o)+1)
	for i := range best {
		best[i] = make([]float64, len(s)+1)
	}
	for i := range o {
		for j := range s {
			best[i+1][j+1] = max(best[i][j+1], best[i+1][j])
			if w := likeness(o[i], s[j]); w > 0 {
				best[i+1][j+1] = max(best[i+1][j+1], best[i][j]+w)
			}
		}
	}
	to := slices.Repeat([]int{-1}, len(s))
	for i, j := len(o), len(s); i > 0 && j > 0; {
		switch best[i][j] {
		case best[i-1][j]:
			i--
		case best[i][j-1]:
			j--
		default:
			to[j-1] = i - 1
			i, j = i-1, j-1
		}
	}
	return to
}

// likest returns the base line l is likest to, or -1 if it is like none.
func likest(o []string, l string) int {
	k, most := -1, 0.0
	for i, ol := range o {
		if w := likeness(ol, l); w > most {
			k, most = i, w
		}
	}
	return k
}

// likeness tells whether two lines read as versions of one another, and
// how closely: lines that both link somewhere are versions when the link
// is the same (and then likelier than any two without), other lines when
// they share at least 60% of their characters. It is 0 for lines that are
// not versions of one another.
func likeness(x, y string) float64 {
	x, y = strings.TrimSuffix(x, "\n"), strings.TrimSuffix(y, "\n")
	lx, ly := linkOf(x), linkOf(y)
	switch {
	case lx != "" && ly != "" && lx != ly:
		return 0
	case lx != "" && lx == ly:
		return 1 + shared(x, y)
	}
	if r := shared(x, y); r >= 0.6 {
		return r
	}
	return 0
}

// shared returns the share of the characters of x and y that they have in
// common, in order: 2·LCS/(len x + len y), what difflib's ratio estimates.
// Lines too different in length to share 60% count as sharing nothing.
func shared(x, y string) float64 {
	rx, ry := []rune(x), []rune(y)
	total := len(rx) + len(ry)
	if total == 0 {
		return 1
	}
	if 2*min(len(rx), len(ry))*5 < 3*total {
		return 0
	}
	prev, cur := make([]int, len(ry)+1), make([]int, len(ry)+1)
	for _, c := range rx {
		for j, d := range ry {
			if c == d {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(ry)]) / float64(total)
}

// linkOf returns the target of the last markdown link in a line, or "".
func linkOf(l string) string {
	i := strings.LastIndex(l, "](")
	if i < 0 {
		return ""
	}
	target, _, ok := strings.Cut(l[i+2:], ")")
	if !ok {
		return ""
	}
	return target
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
