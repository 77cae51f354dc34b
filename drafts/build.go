package drafts

import (
	"runtime"
	"sync"
)

// parallel runs f(0..n-1) on all cores, in contiguous chunks; small inputs
// (a real month has dozens of submissions) run on the caller's goroutine.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/256)
	if workers < 2 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Result is an edition built from a set of issues.
type Result struct {
	Edition     Edition
	Submissions []Submission // every issue, parsed and validated, in input order
	Included    []Submission
	Excluded    []Exclusion
	Lines       map[int]string // the newsletter line of every valid submission, by issue
	Markdown    string
	// Items are the issues reduced to what an update of one of them needs
	// (see Items): the draft keeps them, to render the next update from.
	Items Items
}

// Build parses and validates the issues, decides what goes into the edition
// and renders it: the whole core in one call, for the CLI and the bot alike.
func Build(cfg *Config, forms map[Kind]*Form, ed Edition, issues []Issue) (*Result, error) {
	return BuildAfter(cfg, forms, ed, issues, nil)
}

// BuildAfter is Build with what the newsletter published before: a
// submission whose link it holds is a duplicate of that (History).
func BuildAfter(cfg *Config, forms map[Kind]*Form, ed Edition, issues []Issue, h History) (*Result, error) {
	p := NewParser(cfg, forms)
	subs := make([]Submission, len(issues))
	parallel(len(issues), func(i int) { subs[i] = p.Parse(issues[i]) })
	// The lines are rendered before duplicates are marked: an item keeps
	// the line of a duplicate too, which goes in by itself once the
	// earlier issue with its link is closed.
	rendered := make([]string, len(subs))
	errs := make([]error, len(subs))
	parallel(len(subs), func(i int) {
		if subs[i].Valid() {
			rendered[i], errs[i] = RenderLine(cfg, &subs[i], ed.Date)
		}
	})
	items := make([]Item, len(subs))
	for i := range subs {
		items[i] = itemOf(&subs[i], rendered[i], errs[i])
	}
	MarkDuplicatesAfter(subs, h)
	lines := make(map[int]string, len(subs))
	for i := range subs {
		if !subs[i].Valid() {
			continue
		}
		if errs[i] != nil {
			return nil, errs[i] // a line template that fails fails for every submission
		}
		lines[subs[i].Issue] = rendered[i]
	}
	in, out := Select(cfg, subs, ed.Date)
	md, err := render(cfg, ed, in, lines)
	if err != nil {
		return nil, err
	}
	its := NewItems(cfg, forms, ed, items)
	if len(h) > 0 {
		its.Hist = h
	}
	for _, i := range issues {
		its.Through = max(its.Through, i.Number)
	}
	return &Result{Edition: ed, Submissions: subs, Included: in, Excluded: out, Lines: lines, Markdown: md, Items: its}, nil
}

// ReportEntry is one issue in the JSON report of "newsletter-bot render".
type ReportEntry struct {
	Submission
	Valid    bool   `json:"valid"`
	Included bool   `json:"included"`
	Reason   string `json:"reason,omitempty"` // why it is left out
	Line     string `json:"line,omitempty"`   // the newsletter line, when valid
}

// Report lists every issue with its parse, validation and selection result.
func (r *Result) Report() []ReportEntry {
	reasons := map[int]string{}
	for _, ex := range r.Excluded {
		reasons[ex.Issue] = ex.Reason
	}
	out := make([]ReportEntry, 0, len(r.Submissions))
	for _, s := range r.Submissions {
		reason, excluded := reasons[s.Issue]
		out = append(out, ReportEntry{Submission: s, Valid: s.Valid(), Included: !excluded, Reason: reason, Line: r.Lines[s.Issue]})
	}
	return out
}
