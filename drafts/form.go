package drafts

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/newsletter-bot/newsletter-bot/deploy"
)

// Form is a GitHub issue form (.github/ISSUE_TEMPLATE/*.yml). The parser reads
// the labels of a submitted issue's sections from it, so the form people fill in
// and the fields the bot reads are one definition.
type Form struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Title       string        `yaml:"title"`
	Labels      []string      `yaml:"labels"`
	Body        []FormElement `yaml:"body"`

	keysOnce sync.Once
	byKey    map[string]string
	byID     map[string]int // index into Body
}

// FormElement is one element of an issue form's body.
type FormElement struct {
	Type       string `yaml:"type"` // markdown, input, textarea, dropdown, checkboxes
	ID         string `yaml:"id"`
	Attributes struct {
		Label       string       `yaml:"label"`
		Description string       `yaml:"description"`
		Placeholder string       `yaml:"placeholder"`
		Value       string       `yaml:"value"`
		Render      string       `yaml:"render"`
		Multiple    bool         `yaml:"multiple"`
		Options     []FormOption `yaml:"options"`
	} `yaml:"attributes"`
	Validations struct {
		Required bool `yaml:"required"`
	} `yaml:"validations"`
}

// FormOption is a dropdown option (a plain string in YAML) or a checkbox
// (a mapping with label and required).
type FormOption struct {
	Label    string
	Required bool
}

// UnmarshalYAML accepts both shapes GitHub accepts for options.
func (o *FormOption) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		o.Label = n.Value
		return nil
	}
	var m struct {
		Label    string `yaml:"label"`
		Required bool   `yaml:"required"`
	}
	if err := n.Decode(&m); err != nil {
		return err
	}
	o.Label, o.Required = m.Label, m.Required
	return nil
}

// Fields returns the elements that produce a section in a submitted issue
// (every element but markdown), in form order.
func (f *Form) Fields() []FormElement {
	var out []FormElement
	for _, e := range f.Body {
		if e.Type != "markdown" {
			out = append(out, e)
		}
	}
	return out
}

// Field returns the element with the given id.
func (f *Form) Field(id string) (FormElement, bool) {
	f.keys()
	i, ok := f.byID[id]
	if !ok {
		return FormElement{}, false
	}
	return f.Body[i], true
}

// ParseForm decodes an issue form and checks the parts the parser relies on:
// every non-markdown element has an id and a label, ids and labels are unique.
func ParseForm(data []byte) (*Form, error) {
	var f Form
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decode issue form: %w", err)
	}
	ids := map[string]bool{}
	labels := map[string]bool{}
	for i, e := range f.Fields() {
		if e.ID == "" {
			return nil, fmt.Errorf("issue form %q: element %d (%s) has no id", f.Name, i+1, e.Type)
		}
		key := normalizeHeading(e.Attributes.Label)
		if key == "" {
			return nil, fmt.Errorf("issue form %q: element %q has no label", f.Name, e.ID)
		}
		if ids[e.ID] || labels[key] {
			return nil, fmt.Errorf("issue form %q: element %q repeats an id or label", f.Name, e.ID)
		}
		ids[e.ID], labels[key] = true, true
	}
	return &f, nil
}

// DefaultForms returns the issue forms shipped in deploy/issue-templates, by
// kind (the file name without .yml).
func DefaultForms() map[Kind]*Form {
	forms, err := LoadForms(deploy.IssueTemplates, "issue-templates")
	if err != nil {
		panic(fmt.Sprintf("built-in issue forms are broken: %v", err)) // caught by tests
	}
	return forms
}

// LoadForms reads every *.yml form in dir of fsys, keyed by file name stem.
func LoadForms(fsys fs.FS, dir string) (map[Kind]*Form, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read issue forms: %w", err)
	}
	forms := map[Kind]*Form{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (path.Ext(name) != ".yml" && path.Ext(name) != ".yaml") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read issue form %s: %w", name, err)
		}
		f, err := ParseForm(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		forms[Kind(strings.TrimSuffix(name, path.Ext(name)))] = f
	}
	return forms, nil
}

// noResponse is what GitHub writes for a field left empty.
const noResponse = "_No response_"

// RenderBody writes the issue body GitHub creates when someone submits the form
// with these answers (keyed by element id; for checkboxes, the checked option
// labels joined by "\n"; for a multiple dropdown, values joined by ", ").
func (f *Form) RenderBody(answers map[string]string) string {
	var parts []string
	for _, e := range f.Fields() {
		v := strings.TrimSpace(answers[e.ID])
		var b strings.Builder
		b.WriteString("### ")
		b.WriteString(e.Attributes.Label)
		b.WriteString("\n\n")
		switch {
		case e.Type == "checkboxes":
			checked := map[string]bool{}
			for _, c := range strings.Split(v, "\n") {
				checked[strings.TrimSpace(c)] = true
			}
			for i, o := range e.Attributes.Options {
				if i > 0 {
					b.WriteString("\n")
				}
				mark := " "
				if checked[o.Label] {
					mark = "X"
				}
				fmt.Fprintf(&b, "- [%s] %s", mark, o.Label)
			}
		case v == "":
			b.WriteString(noResponse)
		case e.Type == "textarea" && e.Attributes.Render != "":
			fmt.Fprintf(&b, "```%s\n%s\n```", e.Attributes.Render, v)
		default:
			b.WriteString(v)
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "\n\n")
}

// Section is one "### label" block of an issue body.
type Section struct {
	Heading string // as written, without the hashes
	Value   string // the answer, cleaned: no fence around it, "" for _No response_
	Checked []string
}

var checkRE = regexp.MustCompile(`^\s*[-*+]\s+\[([ xX])\]\s?(.*)$`)

// indent strips up to three spaces, as CommonMark allows before a heading or
// a fence; ok is false for a line indented more (a code block).
func indent(l string) (rest string, ok bool) {
	n := len(l) - len(strings.TrimLeft(l, " "))
	if n > 3 {
		return "", false
	}
	return l[n:], true
}

// parseHeading reads a level-3 ATX heading ("### Job title", "### Job title ###").
// "###Location" counts too: CommonMark wants a space, but a submitter who
// deleted it meant a heading, and only a form's own labels split sections.
func parseHeading(l string) (string, bool) {
	t, ok := indent(l)
	if !ok || !strings.HasPrefix(t, "###") || strings.HasPrefix(t, "####") {
		return "", false
	}
	t = strings.TrimSpace(t[3:])
	if closing := strings.TrimRight(t, "#"); closing != t && (closing == "" || strings.HasSuffix(closing, " ") || strings.HasSuffix(closing, "\t")) {
		t = strings.TrimSpace(closing)
	}
	return t, true
}

// parseFence reads a code fence line: its marker (``` or ~~~~, at least three)
// and what follows it.
func parseFence(l string) (marker, info string, ok bool) {
	t, ok := indent(l)
	if !ok || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return "", "", false
	}
	n := len(t) - len(strings.TrimLeft(t, t[:1]))
	if n < 3 {
		return "", "", false
	}
	return t[:n], t[n:], true
}

// scanned is an issue body with its level-3 headings, located by byte
// offsets so nothing is copied. Only lines a reader sees as text count:
// a "###" line in code, in a quote or in an HTML comment is no heading.
type scanned struct {
	body  string // LF line endings
	heads []headLine
	empty []headLine // bare "###" lines: empty headings, which no reader sees
}

type headLine struct {
	start, end int // the heading line: its first byte, and the byte after its newline
	text       string
}

// after returns the text between heading h and the next offset end, without
// the empty headings in it.
func (sc *scanned) after(h *headLine, end int) string {
	if h.end >= end {
		return ""
	}
	var b strings.Builder
	from := h.end
	for _, e := range sc.empty {
		if e.start >= from && e.end <= end {
			b.WriteString(sc.body[from:e.start])
			from = e.end
		}
	}
	if from == h.end {
		return sc.body[h.end:end] // the common case: nothing cut, nothing copied
	}
	b.WriteString(sc.body[from:end])
	return b.String()
}

func scan(body string) *scanned {
	if strings.IndexByte(body, '\r') >= 0 {
		body = strings.ReplaceAll(body, "\r\n", "\n")
		body = strings.ReplaceAll(body, "\r", "\n")
	}
	sc := &scanned{body: body}
	for _, l := range MarkdownLines(body) {
		if l.Kind != Text {
			continue
		}
		text, ok := parseHeading(l.Text)
		switch {
		case !ok:
		case text == "":
			sc.empty = append(sc.empty, headLine{start: l.Start, end: l.End})
		default:
			sc.heads = append(sc.heads, headLine{start: l.Start, end: l.End, text: text})
		}
	}
	return sc
}

// ParseSections splits an issue body into "### heading" sections. When accept is
// non-nil, only headings it accepts start a section; any other "###" line (say,
// one typed inside an answer) stays part of the answer above it. A heading in
// code, in a quote or in an HTML comment never starts a section, and a bare
// "###" (an empty heading) is cut out of the answer it is in.
func ParseSections(body string, accept func(heading string) bool) []Section {
	sc := scan(body)
	var out []Section
	var open *headLine
	for i := range sc.heads {
		h := &sc.heads[i]
		if accept != nil && !accept(h.text) {
			continue
		}
		if open != nil {
			out = append(out, newSection(open.text, sc.after(open, h.start)))
		}
		open = h
	}
	if open != nil {
		out = append(out, newSection(open.text, sc.after(open, len(sc.body))))
	}
	return out
}

func newSection(heading, text string) Section {
	value := strings.TrimSpace(text)
	s := Section{Heading: heading}
	if value == noResponse {
		return s
	}
	value = unfence(value)
	var checked []string
	allChecks := len(value) > 3 && value[1] == ' ' && value[2] == '[' // "- [x] ..."
	for l := range strings.SplitSeq(value, "\n") {
		if !allChecks {
			break
		}
		m := checkRE.FindStringSubmatch(l)
		if m == nil {
			allChecks = false
			break
		}
		if m[1] != " " {
			checked = append(checked, strings.TrimSpace(m[2]))
		}
	}
	if allChecks {
		s.Checked = checked
		value = strings.Join(checked, ", ")
	}
	s.Value = value
	return s
}

// unfence returns the content of value when value is one fenced code block
// (what GitHub writes for a textarea with render:), else value unchanged.
func unfence(value string) string {
	if t := strings.TrimLeft(value, " "); !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
		return value // the common case: no fence, nothing to split
	}
	lines := strings.Split(value, "\n")
	if len(lines) < 2 {
		return value
	}
	open, _, ok1 := parseFence(lines[0])
	closing, info, ok2 := parseFence(lines[len(lines)-1])
	if !ok1 || !ok2 || closing[0] != open[0] || len(closing) < len(open) || strings.TrimSpace(info) != "" {
		return value
	}
	inner := strings.TrimSpace(strings.Join(lines[1:len(lines)-1], "\n"))
	if inner == noResponse {
		return ""
	}
	return inner
}

// normalizeHeading folds a heading for matching against a form label: case,
// emoji, punctuation and spacing do not matter ("🏢  organization:" matches
// "Organization"); underscores count as spaces so an element id matches too.
func normalizeHeading(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		space = true
	}
	return b.String()
}

// keys maps the normalized label and id of every field to the field's id,
// computed once per form.
func (f *Form) keys() map[string]string {
	f.keysOnce.Do(func() {
		f.byKey, f.byID = map[string]string{}, map[string]int{}
		for i, e := range f.Body {
			if e.Type == "markdown" {
				continue
			}
			f.byID[e.ID] = i
			f.byKey[normalizeHeading(e.Attributes.Label)] = e.ID
			f.byKey[e.Attributes.Label] = e.ID
			if _, taken := f.byKey[normalizeHeading(e.ID)]; !taken {
				f.byKey[normalizeHeading(e.ID)] = e.ID
			}
		}
	})
	return f.byKey
}

// answers maps a body's sections to the form's element ids. A heading matches
// an element by its label or its id, ignoring case, emoji, punctuation and
// spacing, and a heading that matches always ends the answer above it.
//
// Two kinds of "###" line are text, not sections: a heading the form does not
// know ("### Great team!" typed in an answer) stays in the answer above it,
// as written; a bare "###" (an empty heading, which renders as nothing) is
// cut out of it.
//
// A field whose heading comes again (the form pasted twice, a correction
// added below) keeps every section that has an answer, in order, joined by
// the repeated heading lines, and is reported in repeated: nothing the
// submitter wrote is lost, the answer above the repeat is not polluted with
// it, and validation asks for one answer. A repeat with no answer under it
// is dropped. (GitHub's @github/issue-parser keeps only the last section of
// a heading.)
func (f *Form) answers(body string) (a formAnswers) {
	byKey := f.keys()
	sc := scan(body)
	var order []string                 // ids in the order their first section comes
	sections := map[string][]section{} // id -> its sections
	var open *headLine
	openID := ""
	closeOpen := func(end int) {
		if open == nil {
			return
		}
		if _, seen := sections[openID]; !seen {
			order = append(order, openID)
		}
		sections[openID] = append(sections[openID], section{head: open, text: sc.after(open, end)})
	}
	for i := range sc.heads {
		h := &sc.heads[i]
		id, ok := byKey[h.text] // the label as the form wrote it: most bodies
		if !ok {
			if id, ok = byKey[normalizeHeading(h.text)]; !ok {
				continue
			}
		}
		closeOpen(h.start)
		open, openID = h, id
	}
	closeOpen(len(sc.body))
	a.values, a.checked = map[string]string{}, map[string][]string{}
	for _, id := range order {
		secs := sections[id]
		if len(secs) > 1 {
			kept := secs[:0:0]
			for _, sec := range secs {
				if newSection(sec.head.text, sec.text).Value != "" {
					kept = append(kept, sec)
				}
			}
			if len(kept) == 0 {
				kept = secs[:1]
			}
			secs = kept
		}
		text := secs[0].text
		for _, sec := range secs[1:] {
			text += sc.body[sec.head.start:sec.head.end] + sec.text
		}
		if len(secs) > 1 {
			a.repeated = append(a.repeated, id)
		}
		s := newSection(secs[0].head.text, text)
		a.values[id] = s.Value
		if s.Checked != nil {
			a.checked[id] = s.Checked
		}
	}
	a.matched = len(order)
	return a
}

// formAnswers are the answers a body gives to a form's fields.
type formAnswers struct {
	values   map[string]string   // id -> the answer
	checked  map[string][]string // id -> the boxes ticked, for checkboxes
	matched  int                 // how many fields have a heading in the body
	repeated []string            // ids answered under more than one heading
}

// section is one heading of a body and the text under it.
type section struct {
	head *headLine
	text string
}

// kindsInOrder returns the kinds of a form set sorted, for deterministic scans.
func kindsInOrder(forms map[Kind]*Form) []Kind {
	kinds := make([]Kind, 0, len(forms))
	for k := range forms {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	return kinds
}
