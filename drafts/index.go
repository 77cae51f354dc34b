package drafts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file edits the index table of a newsletter README, such as the OSPO
// Newsletter's newsletter/README.md:
//
//	| **Issue** | **Link**        | **Issue** | **Link**        |
//	|-----------|-----------------|-----------|-----------------|
//	| Issue 1   | [2021-07-26](…) | Issue 14  | [2022-08-30](…) |
//	| Issue 2   | [2021-08-30](…) |           |                 |
//
// The table is column-major: editions fill the first column pair (issue
// cell, link cell) top to bottom, then the next pair. Edits are made the way
// a maintainer would make them by hand: every existing cell and everything
// outside the table is kept byte for byte, and only empty cells are
// overwritten.

// IndexEntry is one edition as the README index lists it.
type IndexEntry struct {
	Number int    // 43
	Date   string // "2026-03-11" (link text)
	URL    string // https://github.com/todogroup/ospology/blob/main/newsletter/2026-03-11.md
}

// IndexLayout says how entries are written: the cell texts and rows per column pair.
type IndexLayout struct {
	// Rows is the number of entries per column pair (13 for OSPO); entries
	// fill a column pair top to bottom, then the next pair. Zero means the
	// number of body rows the table already has.
	Rows int
	// IssueCell is a text/template for the number cell, executed with the
	// IndexEntry; empty means "Issue {{.Number}}".
	IssueCell string
	// LinkCell is a text/template for the link cell, executed with the
	// IndexEntry; empty means "[{{.Date}}]({{.URL}})".
	LinkCell string
}

const (
	defaultIssueCell = "Issue {{.Number}}"
	defaultLinkCell  = "[{{.Date}}]({{.URL}})"
)

// ErrNoIndexTable is returned, wrapped, when a README has no pipe table.
var ErrNoIndexTable = errors.New("no markdown table found")

// AddToIndex returns readme with entry added to its index table in the cell a maintainer would use.
//
// The index table is the first pipe table of readme (a fenced code block is
// not searched). The entry goes to the slot after the last filled one,
// counting column-major with layout.Rows rows per column pair; a column pair
// or rows are added when the table is full. A new cell's text is padded to
// the width of the filled cell directly above it, or else to the width of
// the empty cell it replaces, keeping at least one trailing space.
//
// If the table already lists entry.Number, readme is returned unchanged.
func AddToIndex(readme string, entry IndexEntry, layout IndexLayout) (string, error) {
	out, err := addToIndex(readme, entry, layout)
	if err != nil {
		return "", fmt.Errorf("adding edition %d to the README index: %w", entry.Number, err)
	}
	return out, nil
}

// IndexNumbers returns the edition numbers the table lists (useful to plan the next edition and to check an entry exists).
//
// Numbers are returned column-major, in table order: the first integer of
// every non-empty issue (first) cell of each column pair.
func IndexNumbers(readme string) ([]int, error) {
	t, err := parseIndexTable(readme)
	if err != nil {
		return nil, err
	}
	return t.numbers()
}

// addToIndex does the work of AddToIndex; its errors are not yet wrapped
// with the edition number.
func addToIndex(readme string, entry IndexEntry, layout IndexLayout) (string, error) {
	issue, link, err := layout.cellTexts(entry)
	if err != nil {
		return "", err
	}
	t, err := parseIndexTable(readme)
	if err != nil {
		return "", err
	}
	nums, err := t.numbers()
	if err != nil {
		return "", err
	}
	for _, n := range nums {
		if n == entry.Number {
			return readme, nil
		}
	}
	rows, err := layout.rowsFor(t)
	if err != nil {
		return "", err
	}
	last, err := t.lastFilledSlot(rows)
	if err != nil {
		return "", err
	}
	slot := last + 1
	pair, row := slot/rows, slot%rows
	for t.pairs() <= pair {
		t.addPair()
	}
	for len(t.body) <= row {
		t.addRow()
	}
	t.fill(row, 2*pair, issue)
	t.fill(row, 2*pair+1, link)
	return t.String(), nil
}

// cellTexts executes the layout's cell templates for entry.
func (l IndexLayout) cellTexts(entry IndexEntry) (issue, link string, err error) {
	issueTmpl, linkTmpl := l.IssueCell, l.LinkCell
	if issueTmpl == "" {
		issueTmpl = defaultIssueCell
	}
	if linkTmpl == "" {
		linkTmpl = defaultLinkCell
	}
	if issue, err = renderCell("issue cell", issueTmpl, entry); err != nil {
		return "", "", err
	}
	if link, err = renderCell("link cell", linkTmpl, entry); err != nil {
		return "", "", err
	}
	return issue, link, nil
}

// renderCell executes the cell template text for entry and checks that the
// result fits in one table cell. Surrounding spaces are trimmed: padding is
// the table's business.
func renderCell(name, text string, entry IndexEntry) (string, error) {
	tmpl, err := parseConfigTemplate(name, text, smallTemplate)
	if err != nil {
		return "", fmt.Errorf("parsing %s template %q: %w", name, text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, entry); err != nil {
		return "", fmt.Errorf("executing %s template %q: %w", name, text, err)
	}
	cell := strings.TrimSpace(b.String())
	switch {
	case cell == "":
		return "", fmt.Errorf("%s template %q gives an empty cell", name, text)
	case strings.ContainsAny(cell, "\r\n"):
		return "", fmt.Errorf("%s template %q gives %q, a line break would end the table row", name, text, cell)
	case len(splitPipes(cell)) > 1:
		return "", fmt.Errorf("%s template %q gives %q, an unescaped pipe would split the cell", name, text, cell)
	}
	return cell, nil
}

// rowsFor returns the number of rows per column pair to use for table t.
func (l IndexLayout) rowsFor(t *indexTable) (int, error) {
	switch {
	case l.Rows < 0:
		return 0, fmt.Errorf("index layout: Rows is %d, want a positive number", l.Rows)
	case l.Rows > 0:
		return l.Rows, nil
	case len(t.body) == 0:
		return 0, fmt.Errorf("index layout: Rows is 0 and the table on line %d has no body rows to count", t.header.line)
	}
	return len(t.body), nil
}

// tableRow is one line of a pipe table, split so that it renders back to
// the same bytes.
type tableRow struct {
	line   int      // 1-based line number in the README; 0 for an added row
	indent string   // text before the first pipe
	cells  []string // text between pipes, padding included
	trail  string   // spaces after the last pipe
	eol    string   // "\n", "\r\n", or "" on a last line without newline
}

// String renders the row back to its line, line ending included.
func (r tableRow) String() string {
	return r.indent + "|" + strings.Join(r.cells, "|") + "|" + r.trail + r.eol
}

// indexTable is a README split around its index table.
type indexTable struct {
	before string // README text before the table
	header tableRow
	sep    tableRow
	body   []tableRow
	after  string // README text after the table
}

// String renders the README with the table back in place.
func (t *indexTable) String() string {
	var b strings.Builder
	b.WriteString(t.before)
	b.WriteString(t.header.String())
	b.WriteString(t.sep.String())
	for _, r := range t.body {
		b.WriteString(r.String())
	}
	b.WriteString(t.after)
	return b.String()
}

// pairs returns the number of column pairs.
func (t *indexTable) pairs() int { return len(t.header.cells) / 2 }

// numbers returns the edition numbers in the table, column-major.
func (t *indexTable) numbers() ([]int, error) {
	var nums []int
	for p := 0; p < t.pairs(); p++ {
		for _, row := range t.body {
			cell := row.cells[2*p]
			if isEmptyCell(cell) {
				continue
			}
			n, ok := firstNumber(cell)
			if !ok {
				return nil, fmt.Errorf("index table in README: line %d: issue cell %q has no edition number",
					row.line, strings.TrimSpace(cell))
			}
			nums = append(nums, n)
		}
	}
	return nums, nil
}

// lastFilledSlot returns the column-major slot (pair*rows + row) of the last
// entry in the table, or -1 if the table has none. An entry in a row at or
// past rows means the layout doesn't match the table.
func (t *indexTable) lastFilledSlot(rows int) (int, error) {
	last := -1
	for r, row := range t.body {
		for p := 0; p < t.pairs(); p++ {
			if isEmptyCell(row.cells[2*p]) && isEmptyCell(row.cells[2*p+1]) {
				continue
			}
			if r >= rows {
				return 0, fmt.Errorf("index table in README: line %d: row %d is filled but the layout has %d rows per column pair",
					row.line, r+1, rows)
			}
			last = max(last, p*rows+r)
		}
	}
	return last, nil
}

// addPair appends a column pair: the header and separator cells are copied
// from the last pair, and every body row gets empty cells.
func (t *indexTable) addPair() {
	n := len(t.header.cells)
	issueEmpty, linkEmpty := t.emptyCell(n-2), t.emptyCell(n-1)
	t.header.cells = append(t.header.cells, t.header.cells[n-2], t.header.cells[n-1])
	t.sep.cells = append(t.sep.cells, t.sep.cells[n-2], t.sep.cells[n-1])
	for i := range t.body {
		t.body[i].cells = append(t.body[i].cells, issueEmpty, linkEmpty)
	}
}

// addRow appends a body row of empty cells, indented and ended like the
// row above it.
func (t *indexTable) addRow() {
	above := &t.sep
	if len(t.body) > 0 {
		above = &t.body[len(t.body)-1]
	}
	row := tableRow{indent: above.indent, eol: above.eol}
	if above.eol == "" {
		// The table ended the file without a newline; the new row does now.
		above.eol = t.header.eol
	}
	for c := range t.header.cells {
		row.cells = append(row.cells, t.emptyCell(c))
	}
	t.body = append(t.body, row)
}

// emptyCell returns an empty cell for column col in the style of the
// table's existing empty cells: the last empty body cell of that column, or
// of the same column in an earlier pair, or else spaces as wide as the
// column's header cell.
func (t *indexTable) emptyCell(col int) string {
	for c := col; c >= 0; c -= 2 {
		for r := len(t.body) - 1; r >= 0; r-- {
			if cells := t.body[r].cells; c < len(cells) && isEmptyCell(cells[c]) {
				return cells[c]
			}
		}
	}
	return strings.Repeat(" ", cellWidth(t.header.cells[col]))
}

// fill writes text into the empty cell at body row r, column c, padded like
// a maintainer copying the row above: to the width of the cell above if it
// is filled, else to the width of the cell being replaced.
func (t *indexTable) fill(r, c int, text string) {
	width := cellWidth(t.body[r].cells[c])
	if r > 0 && !isEmptyCell(t.body[r-1].cells[c]) {
		width = cellWidth(t.body[r-1].cells[c])
	}
	t.body[r].cells[c] = padCell(text, width)
}

// padCell returns " text" padded with spaces to width, with at least one
// trailing space.
func padCell(text string, width int) string {
	cell := " " + text
	pad := max(width-cellWidth(cell), 1)
	return cell + strings.Repeat(" ", pad)
}

// cellWidth is the width of a cell in characters.
func cellWidth(cell string) int { return utf8.RuneCountInString(cell) }

// isEmptyCell reports whether a cell holds only padding.
func isEmptyCell(cell string) bool { return strings.TrimSpace(cell) == "" }

// firstNumber returns the first run of ASCII digits in s as a number.
func firstNumber(s string) (int, bool) {
	start := strings.IndexAny(s, "0123456789")
	if start < 0 {
		return 0, false
	}
	end := start
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[start:end])
	return n, err == nil
}

// sourceLine is one line of the README with its line ending split off.
type sourceLine struct {
	text string
	eol  string // "\n", "\r\n", or "" on a last line without newline
}

// splitLines splits s into lines, keeping each line's own ending so that
// joining text+eol gives s back.
func splitLines(s string) []sourceLine {
	var lines []sourceLine
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, sourceLine{text: s})
			break
		}
		l := sourceLine{text: s[:i], eol: "\n"}
		if strings.HasSuffix(l.text, "\r") {
			l.text, l.eol = l.text[:len(l.text)-1], "\r\n"
		}
		lines = append(lines, l)
		s = s[i+1:]
	}
	return lines
}

// joinLines is the inverse of splitLines.
func joinLines(lines []sourceLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteString(l.eol)
	}
	return b.String()
}

// parseIndexTable finds the first pipe table in readme and checks that it is
// well formed: a header row, a separator row of dashes, body rows, all with
// the same even number of cells.
func parseIndexTable(readme string) (*indexTable, error) {
	t, err := splitIndexTable(readme)
	if err != nil {
		return nil, fmt.Errorf("index table in README: %w", err)
	}
	return t, nil
}

// splitIndexTable does the work of parseIndexTable.
func splitIndexTable(readme string) (*indexTable, error) {
	lines := splitLines(readme)
	start := findTableStart(lines)
	if start < 0 {
		return nil, ErrNoIndexTable
	}
	end := start + 1
	for end < len(lines) && isTableLine(lines[end].text) {
		end++
	}
	if end-start < 2 {
		return nil, fmt.Errorf("line %d: table header has no separator row under it", start+1)
	}
	rows := make([]tableRow, 0, end-start)
	for i := start; i < end; i++ {
		row, err := parseRow(lines[i], i+1)
		if err != nil {
			return nil, err
		}
		if i > start && len(row.cells) != len(rows[0].cells) {
			return nil, fmt.Errorf("line %d: row has %d cells, the header has %d", i+1, len(row.cells), len(rows[0].cells))
		}
		rows = append(rows, row)
	}
	header, sep := rows[0], rows[1]
	if err := checkSeparator(sep); err != nil {
		return nil, err
	}
	if len(header.cells)%2 != 0 {
		return nil, fmt.Errorf("line %d: table has %d columns, want issue/link column pairs", header.line, len(header.cells))
	}
	return &indexTable{
		before: joinLines(lines[:start]),
		header: header,
		sep:    sep,
		body:   rows[2:],
		after:  joinLines(lines[end:]),
	}, nil
}

// findTableStart returns the index of the first line that starts a pipe
// table a reader sees: not in code, a quote or an HTML comment (a table
// commented out, or shown in a fence as an example, is not the index).
func findTableStart(lines []sourceLine) int {
	kinds := MarkdownLines(joinLines(lines)) // line for line: both split at "\n"
	for i, l := range lines {
		if kinds[i].Kind == Text && isTableLine(l.text) {
			return i
		}
	}
	return -1
}

// isTableLine reports whether a line is a pipe table row.
func isTableLine(text string) bool {
	return strings.HasPrefix(strings.TrimLeft(text, " \t"), "|")
}

// parseRow splits a table line, numbered lineNo, into its cells.
func parseRow(l sourceLine, lineNo int) (tableRow, error) {
	rest := strings.TrimLeft(l.text, " \t")
	indent := l.text[:len(l.text)-len(rest)]
	body := strings.TrimRight(rest, " \t")
	trail := rest[len(body):]
	parts := splitPipes(body)
	// body starts with a pipe, so parts[0] is "" and len(parts) >= 2.
	if len(parts) == 2 && parts[1] == "" {
		return tableRow{}, fmt.Errorf("line %d: table row %q has no cells", lineNo, l.text)
	}
	if parts[len(parts)-1] != "" {
		return tableRow{}, fmt.Errorf("line %d: table row %q does not end with a pipe", lineNo, l.text)
	}
	return tableRow{
		line:   lineNo,
		indent: indent,
		cells:  parts[1 : len(parts)-1],
		trail:  trail,
		eol:    l.eol,
	}, nil
}

// splitPipes splits s at pipes that are not escaped with a backslash.
func splitPipes(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped character
		case '|':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// checkSeparator checks that every cell of the separator row is dashes,
// optionally with alignment colons.
func checkSeparator(sep tableRow) error {
	for i, cell := range sep.cells {
		dashes := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(cell), ":"), ":")
		if dashes == "" || strings.Trim(dashes, "-") != "" {
			return fmt.Errorf("line %d: separator cell %d is %q, want dashes", sep.line, i+1, cell)
		}
	}
	return nil
}
