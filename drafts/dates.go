package drafts

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	ordinalRE = regexp.MustCompile(`(?i)\b(\d{1,2})(st|nd|rd|th)\b`)
	spacesRE  = regexp.MustCompile(`\s+`)
	// dateLayouts are the forms people type dates in, after normalization
	// (ordinals and weekday names dropped, commas and spaces folded).
	dateLayouts = []string{
		"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2",
		"January 2 2006", "Jan 2 2006", "2 January 2006", "2 Jan 2006",
	}
	weekdayRE          = regexp.MustCompile(`(?i)^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+`)
	punctuationToSpace = strings.NewReplacer(",", " ", ".", " ")
	numericDateRE      = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})$`)
	// isoShapeRE and the two below are the accepted forms by their shape
	// alone, to tell a day that does not exist from text that is no date.
	isoShapeRE    = regexp.MustCompile(`^(\d{4})([-/])(\d{1,2})([-/])(\d{1,2})$`)
	monthFirstRE  = regexp.MustCompile(`^([A-Z][a-z]+) (\d{1,2}) (\d{4})$`)
	monthSecondRE = regexp.MustCompile(`^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$`)
)

// dateForms is how a date problem says what to write instead.
const dateForms = "`2026-03-16`, `March 16, 2026` or `16 March 2026`"

// DateError says why what was typed is not a day, in words for the person
// who typed it: `03/04/2027` could be 3 April 2027 or March 4, 2027: write
// it as 2027-04-03 or 2027-03-04.
type DateError struct {
	Typed string // as typed, trimmed
	// Reason follows the quote of Typed. It is markdown written here,
	// from no text typed but numbers and month names read from it, so
	// that only Typed needs neutralising.
	Reason string
}

func (e *DateError) Error() string { return strconv.Quote(e.Typed) + " " + e.Reason }

// Markdown is the error for a comment: what was typed, quoted so that
// GitHub shows it as typed and finds no mention, link or markdown in it
// (CodeSpan, cut at 100 characters as Plain cuts), then the reason.
func (e *DateError) Markdown() string {
	return CodeSpan(truncateText(cleanText(e.Typed), maxQuote)) + " " + e.Reason
}

// ParseDate reads a day in the forms people type: 2026-03-16, March 16 2026,
// March 16, 2026, 16 March 2026, Mar 16, 2026, Monday, March 16th, 2026.
// What it cannot read is a *DateError saying why: day and month as
// numbers (03/04/2026), which half the world reads as the 3rd of April and
// the other half as the 4th of March; a day that does not exist
// (2027-02-30); a day with no year; anything else.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Date{}, errors.New("is empty")
	}
	if d, err := time.Parse(time.DateOnly, t); err == nil {
		return Date{d}, nil // the common case, without the regexps below
	}
	if d, err := time.Parse("January 2, 2006", t); err == nil {
		return Date{d}, nil // the newsletter's own form
	}
	if m := numericDateRE.FindStringSubmatch(t); m != nil {
		return Date{}, numericDateError(t, m[1], m[2], m[3])
	}
	n := weekdayRE.ReplaceAllString(t, "")
	n = ordinalRE.ReplaceAllString(n, "$1")
	n = punctuationToSpace.Replace(n)
	n = strings.TrimSpace(spacesRE.ReplaceAllString(n, " "))
	n = titleMonth(n)
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, n); err == nil {
			return Date{d}, nil
		}
	}
	if err := noSuchDate(t, n); err != nil {
		return Date{}, err
	}
	for _, layout := range []string{"January 2", "Jan 2", "2 January", "2 Jan"} {
		if _, err := time.Parse(layout, n); err == nil {
			return Date{}, &DateError{t, "has no year: write it with the year, as " + dateForms}
		}
	}
	return Date{}, unreadableDate(t)
}

// unreadableDate is the error for text that has no shape of a day.
func unreadableDate(typed string) *DateError {
	return &DateError{typed, "is not a date we can read: write it as " + dateForms}
}

// numericDateError says what 03/04/2027 could be: the day first, as most
// of the world reads it, or the month first, as the United States does,
// each written as its readers write it, and how to write either so that
// nobody has to guess. A two-digit year is taken as this century's.
func numericDateError(typed, a, b, year string) *DateError {
	y, _ := strconv.Atoi(year)
	switch len(year) {
	case 2:
		y += 2000
	case 3:
		return unreadableDate(typed)
	}
	first, _ := strconv.Atoi(a)
	second, _ := strconv.Atoi(b)
	dayFirst, okDayFirst := dateOf(y, second, first)
	monthFirst, okMonthFirst := dateOf(y, first, second)
	switch {
	case okDayFirst && okMonthFirst && !dayFirst.Equal(monthFirst.Time):
		return &DateError{typed, fmt.Sprintf("could be %s or %s: write it as %s or %s",
			dayFirst.Format("2 January 2006"), LongDate(monthFirst), dayFirst.Format(time.DateOnly), monthFirst.Format(time.DateOnly))}
	case okDayFirst || okMonthFirst:
		d := dayFirst
		if !okDayFirst {
			d = monthFirst
		}
		return &DateError{typed, fmt.Sprintf("has day and month as numbers, which we do not read: if it is %s, write it as %s or %s",
			d.Format("2 January 2006"), d.Format(time.DateOnly), LongDate(d))}
	}
	return unreadableDate(typed)
}

// noSuchDate returns why typed, whose normalized form n has the shape of an
// accepted form, names no day: 2027-02-30, February 30, 2027, 2027-13-01.
// It is nil when n has no such shape.
func noSuchDate(typed, n string) *DateError {
	y, m, d, ok := dateShape(typed, n)
	if !ok {
		return nil
	}
	if m < 1 || m > 12 {
		return &DateError{typed, fmt.Sprintf("does not exist: there is no month %d (write the year, then the month, then the day)", m)}
	}
	month := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	days := month.AddDate(0, 1, -1).Day()
	switch {
	case d < 1:
		return &DateError{typed, fmt.Sprintf("does not exist: the days of %s are numbered 1 to %d", month.Format("January 2006"), days)}
	case d > days:
		return &DateError{typed, fmt.Sprintf("does not exist: %s has %d days", month.Format("January 2006"), days)}
	}
	return nil // a day, which a layout did not read: no reason to give
}

// dateShape reads year, month and day from typed, or from n, its
// normalized form, when it has the shape of an accepted form, whether or
// not they make a day.
func dateShape(typed, n string) (y, m, d int, ok bool) {
	atoi := func(s string) int { i, _ := strconv.Atoi(s); return i }
	if g := isoShapeRE.FindStringSubmatch(typed); g != nil && g[2] == g[4] {
		return atoi(g[1]), atoi(g[3]), atoi(g[5]), true
	}
	if g := monthFirstRE.FindStringSubmatch(n); g != nil {
		m := monthNamed(g[1])
		return atoi(g[3]), m, atoi(g[2]), m != 0
	}
	if g := monthSecondRE.FindStringSubmatch(n); g != nil {
		m := monthNamed(g[2])
		return atoi(g[3]), m, atoi(g[1]), m != 0
	}
	return 0, 0, 0, false
}

// dateOf returns the day y-m-d, and false if there is none.
func dateOf(y, m, d int) (Date, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return Date{t}, t.Year() == y && int(t.Month()) == m && t.Day() == d
}

// monthNamed returns the number of the month a (title-cased) word names,
// in full or by its three-letter abbreviation, or 0.
func monthNamed(w string) int {
	for _, layout := range []string{"January", "Jan"} {
		if t, err := time.Parse(layout, w); err == nil {
			return int(t.Month())
		}
	}
	return 0
}

// titleMonth capitalizes words so "march 16 2026" and "MARCH 16 2026" parse.
func titleMonth(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if len(w) > 1 && w[0] >= 'A' && w[0] <= 'z' {
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
	}
	// "Sept" is common; Go knows only "Sep".
	for i, w := range words {
		if w == "Sept" {
			words[i] = "Sep"
		}
	}
	return strings.Join(words, " ")
}

// LongDate writes a day as the newsletter does: "December 15, 2025".
func LongDate(d Date) string { return d.Format("January 2, 2006") }

// DateRange writes an event's days as the newsletter does, with an en dash:
// "March 23, 2026", "March 16–17, 2026", "March 30 – April 2, 2026",
// "December 30, 2026 – January 2, 2027".
func DateRange(start, end Date) string {
	switch {
	case end.IsZero() || !start.Before(end):
		return LongDate(start)
	case start.Year() != end.Year():
		return LongDate(start) + " – " + LongDate(end)
	case start.Month() != end.Month():
		return start.Format("January 2") + " – " + LongDate(end)
	default:
		return fmt.Sprintf("%s %d–%d, %d", start.Month(), start.Day(), end.Day(), start.Year())
	}
}

// PublicationRule is the day of the month an edition comes out.
type PublicationRule struct {
	Week    int          // 1..4 for first..fourth, -1 for last, 0 for a fixed day
	Weekday time.Weekday // with Week
	Day     int          // 1..31 with Week == 0; -1 for the last day
}

var ordinals = map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
	"fourth": 4, "4th": 4, "last": -1}

// ParsePublicationRule reads "last tuesday", "first monday", "2nd wednesday",
// "day 15" or "last day".
func ParsePublicationRule(s string) (PublicationRule, error) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) != 2 {
		return PublicationRule{}, fmt.Errorf("%q: write it as \"last tuesday\", \"first monday\", \"day 15\" or \"last day\"", s)
	}
	if f[0] == "day" {
		d, err := strconv.Atoi(f[1])
		if err != nil || d < 1 || d > 28 {
			return PublicationRule{}, fmt.Errorf("%q: the day must be a number from 1 to 28 (use \"last day\" for the end of the month)", s)
		}
		return PublicationRule{Day: d}, nil
	}
	week, ok := ordinals[f[0]]
	if !ok {
		return PublicationRule{}, fmt.Errorf("%q: %q should be first, second, third, fourth or last", s, f[0])
	}
	if f[1] == "day" && week == -1 {
		return PublicationRule{Day: -1}, nil
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if strings.ToLower(wd.String()) == f[1] {
			return PublicationRule{Week: week, Weekday: wd}, nil
		}
	}
	return PublicationRule{}, fmt.Errorf("%q: %q is not a day of the week", s, f[1])
}

// In returns the publication day in the given month.
func (r PublicationRule) In(year int, month time.Month) Date {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	switch {
	case r.Week == 0 && r.Day == -1:
		return Date{last}
	case r.Week == 0:
		return Date{first.AddDate(0, 0, r.Day-1)}
	case r.Week == -1:
		back := (int(last.Weekday()) - int(r.Weekday) + 7) % 7
		return Date{last.AddDate(0, 0, -back)}
	default:
		ahead := (int(r.Weekday) - int(first.Weekday()) + 7) % 7
		return Date{first.AddDate(0, 0, ahead+7*(r.Week-1))}
	}
}

// Next returns the first publication day on or after d.
func (r PublicationRule) Next(d Date) Date {
	p := r.In(d.Year(), d.Month())
	if p.Before(d) {
		m := d.AddDate(0, 1, 1-d.Day())
		p = r.In(m.Year(), m.Month())
	}
	return p
}
