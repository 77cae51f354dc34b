package drafts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ospoLayout is the OSPO Newsletter's index layout.
var ospoLayout = IndexLayout{Rows: 13}

// edition43 is the edition after the last one in README-42.md.
var edition43 = ospoEntry(43, "2026-03-11")

// ospoEntry returns an OSPO Newsletter index entry.
func ospoEntry(n int, date string) IndexEntry {
	return IndexEntry{
		Number: n,
		Date:   date,
		URL:    "https://github.com/todogroup/ospology/blob/main/newsletter/" + date + ".md",
	}
}

// readIndexTestdata returns the contents of testdata/index/name.
func readIndexTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "index", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// md joins lines into a markdown file with LF line endings.
func md(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// lineDiff returns a line-by-line diff of two files, easier to read than a
// diff of two long strings.
func lineDiff(want, got string) string {
	return cmp.Diff(strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n"))
}

// tableLines returns the lines of the first block of lines that start with
// a pipe; it is the tests' own, deliberately naive, view of the table.
func tableLines(readme string) []string {
	var table []string
	for _, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "|") {
			table = append(table, l)
		} else if len(table) > 0 {
			break
		}
	}
	return table
}

// cellsOf splits a table line into the text between its pipes.
func cellsOf(line string) []string {
	line = strings.TrimSuffix(line, "\r")
	return strings.Split(line[1:len(line)-1], "|")
}

func TestAddToIndexMatchesGolden(t *testing.T) {
	readme := readIndexTestdata(t, "README-42.md")
	want := readIndexTestdata(t, "README-43.golden.md")

	got, err := AddToIndex(readme, edition43, ospoLayout)
	if err != nil {
		t.Fatalf("AddToIndex(README-42.md, 43) error: %v", err)
	}
	if got != want {
		t.Errorf("AddToIndex(README-42.md, 43) differs from README-43.golden.md (-want +got):\n%s", lineDiff(want, got))
	}
}

func TestAddToIndex(t *testing.T) {
	small := md(
		"# Small news",
		"",
		"| **Issue** | **Link**         | **Issue** | **Link**         |",
		"|-----------|------------------|-----------|------------------|",
		"| Issue 1   | [2024-01-01](a)  |           |                  |",
		"| Issue 2   | [2024-02-01](b)  |           |                  |",
		"|           |                  |           |                  |",
		"",
		"Footer | not a table",
	)
	tests := []struct {
		name   string
		readme string
		entry  IndexEntry
		layout IndexLayout
		want   string
	}{
		{
			name:   "an entry fills the next row of the column pair, padded like the row above",
			readme: small,
			entry:  IndexEntry{Number: 3, Date: "2024-03-01", URL: "c"},
			layout: IndexLayout{Rows: 3},
			want: md(
				"# Small news",
				"",
				"| **Issue** | **Link**         | **Issue** | **Link**         |",
				"|-----------|------------------|-----------|------------------|",
				"| Issue 1   | [2024-01-01](a)  |           |                  |",
				"| Issue 2   | [2024-02-01](b)  |           |                  |",
				"| Issue 3   | [2024-03-01](c)  |           |                  |",
				"",
				"Footer | not a table",
			),
		},
		{
			name: "an entry after a full column pair starts the top of the next pair",
			readme: md(
				"| **Issue** | **Link**         | **Issue** | **Link**         |",
				"|-----------|------------------|-----------|------------------|",
				"| Issue 1   | [2024-01-01](a)  |           |                  |",
				"| Issue 2   | [2024-02-01](b)  |           |                  |",
				"| Issue 3   | [2024-03-01](c)  |           |                  |",
			),
			entry:  IndexEntry{Number: 4, Date: "2024-04-01", URL: "d"},
			layout: IndexLayout{Rows: 3},
			want: md(
				"| **Issue** | **Link**         | **Issue** | **Link**         |",
				"|-----------|------------------|-----------|------------------|",
				"| Issue 1   | [2024-01-01](a)  | Issue 4   | [2024-04-01](d)  |",
				"| Issue 2   | [2024-02-01](b)  |           |                  |",
				"| Issue 3   | [2024-03-01](c)  |           |                  |",
			),
		},
		{
			name: "a cell is padded to the width of the filled cell above, not its own",
			readme: md(
				"| Issue | Link   |",
				"|-------|--------|",
				"| 1     | [a](a)          |",
				"|       |        |",
			),
			entry:  IndexEntry{Number: 2, Date: "b", URL: "b"},
			layout: IndexLayout{Rows: 2, IssueCell: "{{.Number}}"},
			want: md(
				"| Issue | Link   |",
				"|-------|--------|",
				"| 1     | [a](a)          |",
				"| 2     | [b](b)          |",
			),
		},
		{
			name: "a cell longer than the padding gets one trailing space",
			readme: md(
				"| Issue | Link |",
				"|-------|------|",
				"| 9     | x    |",
				"|       |      |",
			),
			entry:  IndexEntry{Number: 10, Date: "2024-10-01", URL: "https://example.com/10"},
			layout: IndexLayout{Rows: 2, IssueCell: "{{.Number}}"},
			want: md(
				"| Issue | Link |",
				"|-------|------|",
				"| 9     | x    |",
				"| 10    | [2024-10-01](https://example.com/10) |",
			),
		},
		{
			name: "an empty table gets a first row of cells as wide as the header",
			readme: md(
				"| Issue     | Link       |",
				"| --------- | :--------: |",
			),
			entry:  IndexEntry{Number: 1, Date: "d1", URL: "u1"},
			layout: IndexLayout{Rows: 3},
			want: md(
				"| Issue     | Link       |",
				"| --------- | :--------: |",
				"| Issue 1   | [d1](u1)   |",
			),
		},
		{
			name: "a layout with more rows than the table adds a row of empty cells",
			readme: md(
				"  | **Issue** | **Link** | **Issue** | **Link** |",
				"  |---|---|---|---|",
				"  | Issue 1 | [d1](u1) |  |  |",
			),
			entry:  IndexEntry{Number: 2, Date: "d2", URL: "u2"},
			layout: IndexLayout{Rows: 2},
			want: md(
				"  | **Issue** | **Link** | **Issue** | **Link** |",
				"  |---|---|---|---|",
				"  | Issue 1 | [d1](u1) |  |  |",
				"  | Issue 2 | [d2](u2) |  |  |",
			),
		},
		{
			name:   "a table at the end of a file without a newline gets rows on new lines",
			readme: "| Issue | Link |\n|---|---|\n| Issue 1 | [d1](u1) |",
			entry:  IndexEntry{Number: 2, Date: "d2", URL: "u2"},
			layout: IndexLayout{Rows: 2},
			want:   "| Issue | Link |\n|---|---|\n| Issue 1 | [d1](u1) |\n| Issue 2 | [d2](u2) |",
		},
		{
			name:   "a zero Rows layout uses the number of rows the table has",
			readme: small,
			entry:  IndexEntry{Number: 3, Date: "2024-03-01", URL: "c"},
			layout: IndexLayout{},
			want: md(
				"# Small news",
				"",
				"| **Issue** | **Link**         | **Issue** | **Link**         |",
				"|-----------|------------------|-----------|------------------|",
				"| Issue 1   | [2024-01-01](a)  |           |                  |",
				"| Issue 2   | [2024-02-01](b)  |           |                  |",
				"| Issue 3   | [2024-03-01](c)  |           |                  |",
				"",
				"Footer | not a table",
			),
		},
		{
			name:   "custom cell templates are used for the new cells",
			readme: small,
			entry:  IndexEntry{Number: 3, Date: "2024-03-01", URL: "c"},
			layout: IndexLayout{Rows: 3, IssueCell: "#{{.Number}}", LinkCell: "<{{.URL}}>"},
			want: md(
				"# Small news",
				"",
				"| **Issue** | **Link**         | **Issue** | **Link**         |",
				"|-----------|------------------|-----------|------------------|",
				"| Issue 1   | [2024-01-01](a)  |           |                  |",
				"| Issue 2   | [2024-02-01](b)  |           |                  |",
				"| #3        | <c>              |           |                  |",
				"",
				"Footer | not a table",
			),
		},
		{
			name: "a pipe table inside a fenced code block is not the index",
			readme: md(
				"```",
				"| not | the index |",
				"|-----|-----------|",
				"```",
				"",
				"| Issue   | Link     |",
				"|---------|----------|",
				"| Issue 1 | [d1](u1) |",
				"|         |          |",
			),
			entry:  IndexEntry{Number: 2, Date: "d2", URL: "u2"},
			layout: IndexLayout{Rows: 2},
			want: md(
				"```",
				"| not | the index |",
				"|-----|-----------|",
				"```",
				"",
				"| Issue   | Link     |",
				"|---------|----------|",
				"| Issue 1 | [d1](u1) |",
				"| Issue 2 | [d2](u2) |",
			),
		},
		{
			name: "escaped pipes in existing cells are kept and do not split them",
			readme: md(
				"| Issue   | Link         |",
				"|---------|--------------|",
				"| Issue 1 | [a \\| b](u1) |",
				"|         |              |",
			),
			entry:  IndexEntry{Number: 2, Date: "d2", URL: "u2"},
			layout: IndexLayout{Rows: 2},
			want: md(
				"| Issue   | Link         |",
				"|---------|--------------|",
				"| Issue 1 | [a \\| b](u1) |",
				"| Issue 2 | [d2](u2)     |",
			),
		},
		{
			name:   "an edition the table already lists leaves the readme unchanged",
			readme: small,
			entry:  IndexEntry{Number: 2, Date: "other-date", URL: "other"},
			layout: IndexLayout{Rows: 3},
			want:   small,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddToIndex(tt.readme, tt.entry, tt.layout)
			if err != nil {
				t.Fatalf("AddToIndex(%q, %+v, %+v) error: %v", tt.readme, tt.entry, tt.layout, err)
			}
			if got != tt.want {
				t.Errorf("AddToIndex(%q, %+v, %+v) = %q, want %q\n(-want +got):\n%s",
					tt.readme, tt.entry, tt.layout, got, tt.want, lineDiff(tt.want, got))
			}
		})
	}
}

func TestAddToIndexIsIdempotent(t *testing.T) {
	readme42 := readIndexTestdata(t, "README-42.md")
	readme43 := readIndexTestdata(t, "README-43.golden.md")
	tests := []struct {
		name   string
		readme string
		entry  IndexEntry
	}{
		{"re-adding the last listed edition changes nothing", readme42, ospoEntry(42, "2026-02-14")},
		{"re-adding the first listed edition changes nothing", readme42, ospoEntry(1, "2021-07-26")},
		{"adding edition 43 a second time changes nothing", readme43, edition43},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddToIndex(tt.readme, tt.entry, ospoLayout)
			if err != nil {
				t.Fatalf("AddToIndex(readme, %d) error: %v", tt.entry.Number, err)
			}
			if got != tt.readme {
				t.Errorf("AddToIndex(readme, %d) changed the readme (-want +got):\n%s", tt.entry.Number, lineDiff(tt.readme, got))
			}
		})
	}
}

func TestAddToIndexKeepsCRLF(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	readme := crlf(readIndexTestdata(t, "README-42.md"))
	want := crlf(readIndexTestdata(t, "README-43.golden.md"))

	got, err := AddToIndex(readme, edition43, ospoLayout)
	if err != nil {
		t.Fatalf("AddToIndex(CRLF README-42.md, 43) error: %v", err)
	}
	if got != want {
		t.Errorf("AddToIndex(CRLF README-42.md, 43) differs from CRLF README-43.golden.md (-want +got):\n%s", lineDiff(want, got))
	}
}

func TestAddToIndexOpensAFifthColumnPair(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		t.Run(fmt.Sprintf("with %q line endings", eol), func(t *testing.T) {
			readme42 := strings.ReplaceAll(readIndexTestdata(t, "README-42.md"), "\n", eol)
			readme := readme42
			for n := 43; n <= 53; n++ {
				var err error
				readme, err = AddToIndex(readme, ospoEntry(n, fmt.Sprintf("2027-01-%02d", n-40)), ospoLayout)
				if err != nil {
					t.Fatalf("AddToIndex(readme, %d) error: %v", n, err)
				}
			}

			checkIndexNumbers(t, readme, 53)
			checkOutsideTableUnchanged(t, readme42, readme)
			checkTableRenders(t, readme, 10, eol)

			table := tableLines(readme)
			header, sep, first, second := cellsOf(table[0]), cellsOf(table[1]), cellsOf(table[2]), cellsOf(table[3])
			oldHeader, oldSep := cellsOf(tableLines(readme42)[0]), cellsOf(tableLines(readme42)[1])
			if diff := cmp.Diff(oldHeader[6:8], header[8:10]); diff != "" {
				t.Errorf("new header cells are not a copy of the previous pair's (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(oldSep[6:8], sep[8:10]); diff != "" {
				t.Errorf("new separator cells are not a copy of the previous pair's (-want +got):\n%s", diff)
			}
			wantFirst := []string{
				" Issue 53  ",
				" [2027-01-13](https://github.com/todogroup/ospology/blob/main/newsletter/2027-01-13.md)" + strings.Repeat(" ", 17),
			}
			if diff := cmp.Diff(wantFirst, first[8:10]); diff != "" {
				t.Errorf("edition 53 cells (-want +got):\n%s", diff)
			}
			wantEmpty := []string{strings.Repeat(" ", 11), strings.Repeat(" ", 104)}
			if diff := cmp.Diff(wantEmpty, second[8:10]); diff != "" {
				t.Errorf("empty cells of the new pair (-want +got):\n%s", diff)
			}
		})
	}
}

// checkIndexNumbers checks that IndexNumbers(readme) is 1..last.
func checkIndexNumbers(t *testing.T, readme string, last int) {
	t.Helper()
	got, err := IndexNumbers(readme)
	if err != nil {
		t.Fatalf("IndexNumbers(readme) error: %v", err)
	}
	if diff := cmp.Diff(oneTo(last), got); diff != "" {
		t.Errorf("IndexNumbers(readme) (-want +got):\n%s", diff)
	}
}

// checkOutsideTableUnchanged checks that got only differs from orig in
// the table lines.
func checkOutsideTableUnchanged(t *testing.T, orig, got string) {
	t.Helper()
	outside := func(s string) []string {
		var out []string
		for _, l := range strings.SplitAfter(s, "\n") {
			if !strings.HasPrefix(l, "|") {
				out = append(out, l)
			}
		}
		return out
	}
	if diff := cmp.Diff(outside(orig), outside(got)); diff != "" {
		t.Errorf("text outside the table changed (-want +got):\n%s", diff)
	}
}

// checkTableRenders checks that every table line has the same number of
// cells, wantCells, and ends with eol.
func checkTableRenders(t *testing.T, readme string, wantCells int, eol string) {
	t.Helper()
	for i, l := range tableLines(readme) {
		if got := len(cellsOf(l)); got != wantCells {
			t.Errorf("table line %d has %d cells, want %d: %q", i+1, got, wantCells, l)
		}
		if gotCR, wantCR := strings.HasSuffix(l, "\r"), eol == "\r\n"; gotCR != wantCR {
			t.Errorf("table line %d: ends with CR = %t, want %t", i+1, gotCR, wantCR)
		}
	}
}

// oneTo returns 1, 2, ..., n.
func oneTo(n int) []int {
	nums := make([]int, n)
	for i := range nums {
		nums[i] = i + 1
	}
	return nums
}

func TestAddToIndexFillsColumnMajor(t *testing.T) {
	readme := md(
		"Intro",
		"",
		"| **Issue** | **Link** | **Issue** | **Link** |",
		"|-----------|----------|-----------|----------|",
		"",
		"Outro",
	)
	for n := 1; n <= 7; n++ {
		var err error
		readme, err = AddToIndex(readme, IndexEntry{Number: n, Date: fmt.Sprint("d", n), URL: fmt.Sprint("u", n)}, IndexLayout{Rows: 3})
		if err != nil {
			t.Fatalf("AddToIndex(readme, %d) error: %v", n, err)
		}
	}
	want := md(
		"Intro",
		"",
		"| **Issue** | **Link** | **Issue** | **Link** | **Issue** | **Link** |",
		"|-----------|----------|-----------|----------|-----------|----------|",
		"| Issue 1   | [d1](u1) | Issue 4   | [d4](u4) | Issue 7   | [d7](u7) |",
		"| Issue 2   | [d2](u2) | Issue 5   | [d5](u5) |           |          |",
		"| Issue 3   | [d3](u3) | Issue 6   | [d6](u6) |           |          |",
		"",
		"Outro",
	)
	if readme != want {
		t.Errorf("AddToIndex(readme, 1..7) = %q, want %q\n(-want +got):\n%s", readme, want, lineDiff(want, readme))
	}
}

func TestAddToIndexErrors(t *testing.T) {
	table := md(
		"| Issue   | Link     |",
		"|---------|----------|",
		"| Issue 1 | [d1](u1) |",
		"|         |          |",
	)
	tests := []struct {
		name    string
		readme  string
		layout  IndexLayout
		wantErr string
	}{
		{
			name:    "a readme without a table is an error",
			readme:  md("# News", "", "No table here."),
			wantErr: "adding edition 2 to the README index: index table in README: no markdown table found",
		},
		{
			name:    "a header without a separator row is an error",
			readme:  md("| Issue | Link |", "", "text"),
			wantErr: "line 1: table header has no separator row under it",
		},
		{
			name:    "a separator that isn't dashes is an error",
			readme:  md("| Issue | Link |", "| ----- | ==== |", "| Issue 1 | x |"),
			wantErr: `line 2: separator cell 2 is " ==== ", want dashes`,
		},
		{
			name:    "a row with a different number of cells is an error",
			readme:  md("| Issue | Link |", "|---|---|", "| Issue 1 | x | extra |"),
			wantErr: "line 3: row has 3 cells, the header has 2",
		},
		{
			name:    "a row without a closing pipe is an error",
			readme:  md("| Issue | Link |", "|---|---|", "| Issue 1 | x"),
			wantErr: "line 3: table row \"| Issue 1 | x\" does not end with a pipe",
		},
		{
			name:    "a table with an odd number of columns is an error",
			readme:  md("| Issue | Link | Notes |", "|---|---|---|"),
			wantErr: "table has 3 columns, want issue/link column pairs",
		},
		{
			name:    "an issue cell without a number is an error",
			readme:  md("| Issue | Link |", "|---|---|", "| Issue one | x |"),
			wantErr: `line 3: issue cell "Issue one" has no edition number`,
		},
		{
			name:    "an issue cell template that doesn't parse is an error",
			readme:  table,
			layout:  IndexLayout{IssueCell: "Issue {{.Number"},
			wantErr: `parsing issue cell template "Issue {{.Number"`,
		},
		{
			name:    "a link cell template that fails to execute is an error",
			readme:  table,
			layout:  IndexLayout{LinkCell: "[{{.Title}}]({{.URL}})"},
			wantErr: `executing link cell template "[{{.Title}}]({{.URL}})"`,
		},
		{
			name:    "a template giving a pipe is an error",
			readme:  table,
			layout:  IndexLayout{LinkCell: "{{.Date}} | {{.URL}}"},
			wantErr: "an unescaped pipe would split the cell",
		},
		{
			name:    "a template giving a line break is an error",
			readme:  table,
			layout:  IndexLayout{LinkCell: "{{.Date}}\n{{.URL}}"},
			wantErr: "a line break would end the table row",
		},
		{
			name:    "a template giving an empty cell is an error",
			readme:  table,
			layout:  IndexLayout{IssueCell: "{{if false}}x{{end}}"},
			wantErr: "gives an empty cell",
		},
		{
			name:    "a negative Rows is an error",
			readme:  table,
			layout:  IndexLayout{Rows: -1},
			wantErr: "Rows is -1, want a positive number",
		},
		{
			name:    "a zero Rows layout with an empty table is an error",
			readme:  md("| Issue | Link |", "|---|---|"),
			wantErr: "Rows is 0 and the table on line 1 has no body rows",
		},
		{
			name:    "a filled row past the layout's Rows is an error",
			readme:  md("| Issue | Link |", "|---|---|", "| Issue 1 | a |", "| Issue 0 | b |"),
			layout:  IndexLayout{Rows: 1},
			wantErr: "line 4: row 2 is filled but the layout has 1 rows per column pair",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := IndexEntry{Number: 2, Date: "d2", URL: "u2"}
			got, err := AddToIndex(tt.readme, entry, tt.layout)
			if err == nil {
				t.Fatalf("AddToIndex(%q, %+v, %+v) = %q, want an error containing %q", tt.readme, entry, tt.layout, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("AddToIndex(%q, %+v, %+v) error = %q, want it to contain %q", tt.readme, entry, tt.layout, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "adding edition 2 to the README index: ") {
				t.Errorf("AddToIndex(...) error = %q, want it to say which edition was being added", err)
			}
		})
	}
}

func TestAddToIndexNoTableIsErrNoIndexTable(t *testing.T) {
	_, err := AddToIndex("# News\n", edition43, ospoLayout)
	if !errors.Is(err, ErrNoIndexTable) {
		t.Errorf("AddToIndex(\"# News\\n\", 43) error = %v, want errors.Is(err, ErrNoIndexTable)", err)
	}
}

func TestIndexNumbers(t *testing.T) {
	tests := []struct {
		name   string
		readme string
		want   []int
	}{
		{
			name:   "the OSPO README lists editions 1 to 42",
			readme: readIndexTestdata(t, "README-42.md"),
			want:   oneTo(42),
		},
		{
			name:   "the OSPO README golden lists editions 1 to 43",
			readme: readIndexTestdata(t, "README-43.golden.md"),
			want:   oneTo(43),
		},
		{
			name: "numbers are read column-major, in table order",
			readme: md(
				"| Issue | Link | Issue | Link |",
				"|---|---|---|---|",
				"| Issue 10 | a | Issue #30 | c |",
				"| Issue 20 | b |  |  |",
			),
			want: []int{10, 20, 30},
		},
		{
			name:   "an empty table lists no editions",
			readme: md("| Issue | Link |", "|---|---|", "|  |  |"),
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IndexNumbers(tt.readme)
			if err != nil {
				t.Fatalf("IndexNumbers(%q) error: %v", tt.readme, err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("IndexNumbers(...) = %v, want %v (-want +got):\n%s", got, tt.want, diff)
			}
		})
	}
}

func TestIndexNumbersErrors(t *testing.T) {
	tests := []struct {
		name    string
		readme  string
		wantErr string
	}{
		{"a readme without a table is an error", "# News\n", "index table in README: no markdown table found"},
		{"a malformed table is an error", md("| Issue | Link |", "|---|---|", "| 1 |"), "index table in README: line 3: row has 1 cells, the header has 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IndexNumbers(tt.readme)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("IndexNumbers(%q) = %v, %v; want an error containing %q", tt.readme, got, err, tt.wantErr)
			}
		})
	}
}
