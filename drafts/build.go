package drafts

// Result is an edition built from a set of issues.
type Result struct {
	Edition     Edition
	Submissions []Submission // every issue, parsed and validated, in input order
	Included    []Submission
	Excluded    []Exclusion
	Lines       map[int]string // the newsletter line of every valid submission, by issue
	Markdown    string
}

// Build parses and validates the issues, decides what goes into the edition
// and renders it: the whole core in one call, for the CLI and the bot alike.
func Build(cfg *Config, forms map[Kind]*Form, ed Edition, issues []Issue) (*Result, error) {
	p := NewParser(cfg, forms)
	subs := make([]Submission, len(issues))
	for i, is := range issues {
		subs[i] = p.Parse(is)
	}
	MarkDuplicates(subs)
	in, out := Select(cfg, subs, ed.Date)
	md, err := Render(cfg, ed, in)
	if err != nil {
		return nil, err
	}
	lines := map[int]string{}
	for i := range subs {
		if subs[i].Valid() {
			if l, err := RenderLine(cfg, &subs[i], ed.Date); err == nil {
				lines[subs[i].Issue] = l
			}
		}
	}
	return &Result{Edition: ed, Submissions: subs, Included: in, Excluded: out, Lines: lines, Markdown: md}, nil
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
