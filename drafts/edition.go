package drafts

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pathData is what the newsletter.path and newsletter.title templates see.
type pathData struct {
	Number                 int
	Date, Year, Month, Day string
}

func newPathData(number int, d Date) pathData {
	return pathData{Number: number, Date: d.String(), Year: d.Format("2006"), Month: d.Format("01"), Day: d.Format("02")}
}

// NewEdition returns edition number published on date, with its title and
// file path from the config.
func NewEdition(cfg *Config, number int, date Date) (Edition, error) {
	data := newPathData(number, date)
	title, err := cfg.parsed.title.ExecuteString(data)
	if err != nil {
		return Edition{}, fmt.Errorf("newsletter.title: %w", err)
	}
	p, err := cfg.parsed.path.ExecuteString(data)
	if err != nil {
		return Edition{}, fmt.Errorf("newsletter.path: %w", err)
	}
	// compile checked the path for one edition; a template can give
	// another path for another number or date.
	if why := cfg.editionPathProblem(p); why != "" {
		return Edition{}, fmt.Errorf("newsletter.path %q gives %q for edition %d of %s, which %s; %s",
			cfg.Newsletter.Path, p, number, date, why, editionPathRule)
	}
	return Edition{Number: number, Date: date, Title: title, Path: p}, nil
}

// EditionDir is the folder to list to find the edition files: the part of
// the path template before its first field ("newsletter" for
// "newsletter/{{.Date}}.md", "issues" for "issues/{{.Year}}/{{.Number}}.md").
// Files may sit in folders below it.
func EditionDir(cfg *Config) string {
	p, err := sentinelPath(cfg)
	if err != nil {
		return "."
	}
	if i := strings.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// sentinel values stand in for the template's fields to turn the path
// template into a pattern that recognizes existing edition files.
const (
	sentNumber = "\x00N\x00"
	sentDate   = "\x00D\x00"
	sentYear   = "\x00Y\x00"
	sentMonth  = "\x00M\x00"
	sentDay    = "\x00d\x00"
)

// sentinelPath renders the path template with sentinels for its fields.
func sentinelPath(cfg *Config) (string, error) {
	var b strings.Builder
	if err := cfg.parsed.path.Execute(&b, struct {
		Number                 string
		Date, Year, Month, Day string
	}{sentNumber, sentDate, sentYear, sentMonth, sentDay}); err != nil {
		return "", fmt.Errorf("newsletter.path: %w", err)
	}
	return path.Clean(b.String()), nil
}

// editionPathPattern matches the paths the config's path template produces.
func editionPathPattern(cfg *Config) (*regexp.Regexp, error) {
	p, err := sentinelPath(cfg)
	if err != nil {
		return nil, err
	}
	re := regexp.QuoteMeta(p)
	re = strings.NewReplacer(
		sentNumber, `(?P<number>\d+)`,
		sentDate, `(?P<date>\d{4}-\d{2}-\d{2})`,
		sentYear, `(?P<year>\d{4})`,
		sentMonth, `(?P<month>\d{2})`,
		sentDay, `(?P<day>\d{2})`,
	).Replace(re)
	return regexp.Compile("^" + re + "$")
}

// EditionFile is an edition already in the repository.
type EditionFile struct {
	Path   string
	Number int  // from its title; 0 when unknown
	Date   Date // from its path; zero when the path has no date
}

// ParseEditionPath reports whether p is an edition file by the config's path
// pattern, with the date and number its name carries.
func ParseEditionPath(cfg *Config, p string) (EditionFile, bool) {
	re, err := editionPathPattern(cfg)
	if err != nil {
		return EditionFile{}, false
	}
	m := re.FindStringSubmatch(p)
	if m == nil {
		return EditionFile{}, false
	}
	f := EditionFile{Path: p}
	var y, mo, d string
	for i, name := range re.SubexpNames() {
		switch name {
		case "number":
			f.Number, _ = strconv.Atoi(m[i])
		case "date":
			if t, err := time.Parse(time.DateOnly, m[i]); err == nil {
				f.Date = Date{t}
			}
		case "year":
			y = m[i]
		case "month":
			mo = m[i]
		case "day":
			d = m[i]
		}
	}
	if f.Date.IsZero() && y != "" && mo != "" {
		if d == "" {
			d = "01"
		}
		if t, err := time.Parse(time.DateOnly, y+"-"+mo+"-"+d); err == nil {
			f.Date = Date{t}
		}
	}
	return f, true
}

var titleNumberRE = regexp.MustCompile(`(\d+)\D*$`)

// TitleNumber reads the edition number from a file's title line
// ("# OSPO Newsletter 43"): the last number on the first "# " line.
func TitleNumber(content string) (int, bool) {
	for _, line := range strings.SplitN(content, "\n", 20) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "# ") {
			continue
		}
		m := titleNumberRE.FindStringSubmatch(line)
		if m == nil {
			return 0, false
		}
		n, err := strconv.Atoi(m[1])
		return n, err == nil
	}
	return 0, false
}

// PlanNext plans the edition after the existing ones: its number is the
// highest title number plus one, its date the first publication day (by
// newsletter.publication) that is on or after today and after the newest
// existing edition.
func PlanNext(cfg *Config, existing []EditionFile, today Date) (Edition, error) {
	number, from := 0, today
	for _, f := range existing {
		number = max(number, f.Number)
		if !f.Date.IsZero() && !f.Date.Before(from) {
			from = Date{f.Date.AddDate(0, 0, 1)}
		}
	}
	return NewEdition(cfg, number+1, cfg.parsed.pub.Next(from))
}

// PublicationDay returns the configured publication day in the given month.
func PublicationDay(cfg *Config, year int, month time.Month) Date {
	return cfg.parsed.pub.In(year, month)
}

// IndexLayoutOf returns how the config writes entries into the README index.
func IndexLayoutOf(cfg *Config) IndexLayout {
	return IndexLayout{Rows: cfg.Index.Rows, IssueCell: cfg.Index.IssueCell, LinkCell: cfg.Index.LinkCell}
}
