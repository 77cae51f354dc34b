package githubsim

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// fileChange is one path whose entry differs between two trees.
type fileChange struct {
	Path              string
	Before, After     fileEntry
	InBefore, InAfter bool
}

// changedFiles lists, by path, the files that differ between two commits
// (a missing commit is an empty tree). Commits never change, so the list
// is worked out once per pair.
func (r *repo) changedFiles(from, to string) []fileChange {
	key := "files " + from + " " + to
	if v, ok := r.cached(key); ok {
		return v.([]fileChange)
	}
	flat := func(sha string) map[string]fileEntry {
		if c, ok := r.Objects.commit(sha); ok {
			if m, err := r.Objects.flatten(c.Tree); err == nil {
				return m
			}
		}
		return map[string]fileEntry{}
	}
	before, after := flat(from), flat(to)
	var out []fileChange
	for p, b := range before {
		a, inA := after[p]
		if !inA || a != b {
			out = append(out, fileChange{Path: p, Before: b, After: a, InBefore: true, InAfter: inA})
		}
	}
	for p, a := range after {
		if _, inB := before[p]; !inB {
			out = append(out, fileChange{Path: p, After: a, InAfter: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	r.cache(key, out)
	return out
}

// fileDiff is the line diff of one changed file: counts, and the unified
// diff's hunks as GitHub's patch field carries them (no file header).
type fileDiff struct {
	additions, deletions int
	patch                string // "" when there is none to show
}

// maxPatchLines bounds the files the simulator writes a patch for: past
// it (both sides' lines together) only the counts are given, as GitHub
// leaves the patch out of large diffs.
const maxPatchLines = 20000

// diffFile diffs one changed file. A binary file (a NUL in it, git's test)
// has no line counts and no patch, as on GitHub.
func (r *repo) diffFile(ch fileChange) fileDiff {
	content := func(e fileEntry, ok bool) []byte {
		if !ok {
			return nil
		}
		b, _ := r.Objects.get(e.SHA, objBlob)
		return b.Data
	}
	before, after := content(ch.Before, ch.InBefore), content(ch.After, ch.InAfter)
	if isBinary(before) || isBinary(after) {
		return fileDiff{}
	}
	a, b := splitLines(before), splitLines(after)
	if len(a)+len(b) > maxPatchLines {
		adds, dels := countLineChanges(a, b)
		return fileDiff{additions: adds, deletions: dels}
	}
	return unifiedDiff(a, b)
}

func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// splitLines splits text after each newline; a last line without one is
// kept as it is, so that the patch can say so.
func splitLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			out = append(out, string(data))
			break
		}
		out = append(out, string(data[:n+1]))
		data = data[n+1:]
	}
	return out
}

// unifiedDiff diffs two files' lines with three lines of context, as git
// does, and counts the lines added and deleted.
func unifiedDiff(a, b []string) fileDiff {
	var d fileDiff
	var buf strings.Builder
	line := func(prefix byte, l string) {
		buf.WriteByte(prefix)
		buf.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			buf.WriteString("\n\\ No newline at end of file\n")
		}
	}
	for _, group := range difflib.NewMatcher(a, b).GetGroupedOpCodes(3) {
		changed := false
		for _, op := range group {
			changed = changed || op.Tag != 'e'
		}
		if !changed {
			continue
		}
		first, last := group[0], group[len(group)-1]
		fmt.Fprintf(&buf, "@@ -%s +%s @@\n", hunkRange(first.I1, last.I2), hunkRange(first.J1, last.J2))
		for _, op := range group {
			if op.Tag == 'e' {
				for _, l := range a[op.I1:op.I2] {
					line(' ', l)
				}
				continue
			}
			if op.Tag == 'r' || op.Tag == 'd' {
				d.deletions += op.I2 - op.I1
				for _, l := range a[op.I1:op.I2] {
					line('-', l)
				}
			}
			if op.Tag == 'r' || op.Tag == 'i' {
				d.additions += op.J2 - op.J1
				for _, l := range b[op.J1:op.J2] {
					line('+', l)
				}
			}
		}
	}
	d.patch = strings.TrimSuffix(buf.String(), "\n")
	return d
}

// hunkRange formats one side of a hunk header as git does: "start,len",
// "start" alone for one line, and the line before for none.
func hunkRange(start, stop int) string {
	n := stop - start
	switch n {
	case 1:
		return fmt.Sprint(start + 1)
	case 0:
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// countLineChanges counts added and deleted lines without aligning them
// (each line of b not matched by an equal line of a is added), the cheap
// measure diffStats uses for a pull request's totals.
func countLineChanges(a, b []string) (additions, deletions int) {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		if count[l] > 0 {
			count[l]--
		} else {
			additions++
		}
	}
	for _, n := range count {
		deletions += n
	}
	return additions, deletions
}

// ---- handler ----

// pullDiffBase is the commit a pull request's changes are counted from:
// where its head left its base branch (the base as it was at the merge,
// once merged).
func (r *repo) pullDiffBase(p *pull) string {
	baseTip := r.Refs["refs/heads/"+p.Base]
	if p.Merged || baseTip == "" {
		baseTip = p.BaseSHA
	}
	return r.Objects.mergeBase(baseTip, p.HeadSHA)
}

// handleListPullFiles lists the files a pull request changes, by name,
// one page at a time: only the page's files are diffed.
func (s *Sim) handleListPullFiles(c *reqCtx) *response {
	p, resp := s.pullFromPath(c)
	if resp != nil {
		return resp
	}
	r := c.repo
	base := r.pullDiffBase(p)
	changes := r.changedFiles(base, p.HeadSHA)
	return pagedJSON(pageOf(c, changes, func(ch fileChange) any { return s.diffEntryJSON(r, base, p.HeadSHA, ch) }))
}

// diffEntryJSON renders one changed file (GitHub's diff-entry).
func (s *Sim) diffEntryJSON(r *repo, base, head string, ch fileChange) obj {
	status, sha, ref := "modified", ch.After.SHA, head
	switch {
	case !ch.InBefore:
		status = "added"
	case !ch.InAfter:
		status, sha, ref = "removed", ch.Before.SHA, base
	}
	d := r.diffFile(ch)
	path := escapeRef(ch.Path)
	o := obj{
		"sha":          sha,
		"filename":     ch.Path,
		"status":       status,
		"additions":    d.additions,
		"deletions":    d.deletions,
		"changes":      d.additions + d.deletions,
		"blob_url":     s.web("/%s/blob/%s/%s", r.fullName(), ref, path),
		"raw_url":      s.web("/%s/raw/%s/%s", r.fullName(), ref, path),
		"contents_url": s.api("/repos/%s/contents/%s?ref=%s", r.fullName(), path, ref),
	}
	if d.patch != "" {
		o["patch"] = d.patch
	}
	return o
}
