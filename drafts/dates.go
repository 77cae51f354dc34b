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
	numericDateRE      = regexp.MustCompile(`^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$`)
)

// errAmbiguousDate is returned for 03/04/2026, which half the world reads as
// the 3rd of April and the other half as the 4th of March.
var errAmbiguousDate = errors.New("is ambiguous; write it as 2026-03-16 or March 16, 2026")

// ParseDate reads a day in the forms people type: 2026-03-16, March 16 2026,
// March 16, 2026, 16 March 2026, Mar 16, 2026, Monday, March 16th, 2026.
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
	if numericDateRE.MatchString(t) {
		return Date{}, errAmbiguousDate
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
	for _, layout := range []string{"January 2", "Jan 2", "2 January", "2 Jan"} {
		if _, err := time.Parse(layout, n); err == nil {
			return Date{}, fmt.Errorf("%q has no year; write it as 2026-03-16 or March 16, 2026", t)
		}
	}
	return Date{}, fmt.Errorf("%q is not a date we can read; write it as 2026-03-16 or March 16, 2026", t)
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
