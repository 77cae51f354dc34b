package drafts

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := NewDate(2026, 3, 16)
	for _, in := range []string{"2026-03-16", "2026-3-16", "2026/03/16", "March 16 2026", "March 16, 2026",
		"16 March 2026", "Mar 16, 2026", "mar 16 2026", "MARCH 16, 2026", "March 16th, 2026", "Monday, March 16, 2026",
		"16 Mar. 2026", "  2026-03-16  "} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseDate(in)
			if err != nil || got != want {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
			}
		})
	}
	for _, in := range []string{"", "03/16/2026", "16.03.2026", "2026-02-30", "February 29, 2026", "2026-13-01", "March 2026", "tomorrow", "Mar 16"} {
		t.Run("rejects "+in, func(t *testing.T) {
			if got, err := ParseDate(in); err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", in, got)
			}
		})
	}
	t.Run("September as Sept", func(t *testing.T) {
		if got, err := ParseDate("Sept 3, 2025"); err != nil || got != NewDate(2025, 9, 3) {
			t.Errorf("ParseDate(Sept 3, 2025) = %v, %v", got, err)
		}
	})
}

// TestDateError pins what a submitter reads when a date cannot be used:
// what they typed, quoted so that it shows as typed and pings, links and
// formats nothing, then why and what to write instead.
func TestDateError(t *testing.T) {
	const forms = "write it as `2026-03-16`, `March 16, 2026` or `16 March 2026`"
	tests := []struct {
		name, typed, want string
	}{
		{"an ambiguous date names both readings", "03/04/2027",
			"`03/04/2027` could be 3 April 2027 or March 4, 2027: write it as 2027-04-03 or 2027-03-04"},
		{"an ambiguous date with dots names both readings", "03.04.2027",
			"`03.04.2027` could be 3 April 2027 or March 4, 2027: write it as 2027-04-03 or 2027-03-04"},
		{"an ambiguous date with a two-digit year reads it as this century's", "12/11/27",
			"`12/11/27` could be 12 November 2027 or December 11, 2027: write it as 2027-11-12 or 2027-12-11"},
		{"a numeric date only the day-first reading makes a day of names that one", "13/04/2027",
			"`13/04/2027` has day and month as numbers, which we do not read: if it is 13 April 2027, write it as 2027-04-13 or April 13, 2027"},
		{"a numeric date only the month-first reading makes a day of names that one", "04/13/2027",
			"`04/13/2027` has day and month as numbers, which we do not read: if it is 13 April 2027, write it as 2027-04-13 or April 13, 2027"},
		{"a numeric date read the same either way names its one reading", "04/04/2027",
			"`04/04/2027` has day and month as numbers, which we do not read: if it is 4 April 2027, write it as 2027-04-04 or April 4, 2027"},
		{"a numeric date neither reading makes a day of shows the forms", "31/31/2027", "`31/31/2027` is not a date we can read: " + forms},
		{"a day past the end of the month does not exist", "2027-02-30", "`2027-02-30` does not exist: February 2027 has 28 days"},
		{"the 29th of February does not exist outside leap years", "2027/02/29", "`2027/02/29` does not exist: February 2027 has 28 days"},
		{"the 30th of February does not exist in a leap year", "2028-2-30", "`2028-2-30` does not exist: February 2028 has 29 days"},
		{"a day past the end of the month in words does not exist", "Monday, February 30th, 2027",
			"`Monday, February 30th, 2027` does not exist: February 2027 has 28 days"},
		{"a day past the end of an abbreviated month does not exist", "31 Apr 2027", "`31 Apr 2027` does not exist: April 2027 has 30 days"},
		{"a day 0 does not exist", "2027-03-00", "`2027-03-00` does not exist: the days of March 2027 are numbered 1 to 31"},
		{"a month 13 does not exist", "2027-13-01",
			"`2027-13-01` does not exist: there is no month 13 (write the year, then the month, then the day)"},
		{"a date without a year says so", "March 15", "`March 15` has no year: write it with the year, as `2026-03-16`, `March 16, 2026` or `16 March 2026`"},
		{"words that are no date show the forms", "next spring", "`next spring` is not a date we can read: " + forms},
		{"a mention stays in code", "@octocat 2027-03-15", "`@octocat 2027-03-15` is not a date we can read: " + forms},
		{"backticks cannot close the quote", "`03/04/2027` @team", "`` `03/04/2027` @team `` is not a date we can read: " + forms},
		{"a link stays in code", "[March 15](https://evil.example/)", "`[March 15](https://evil.example/)` is not a date we can read: " + forms},
		{"a line break is folded", "2027-03-15\n@octocat", "`2027-03-15 @octocat` is not a date we can read: " + forms},
		{"a long text is cut", strings.Repeat("x", 150), "`" + strings.Repeat("x", 99) + "…` is not a date we can read: " + forms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDate(tt.typed)
			var de *DateError
			if !errors.As(err, &de) {
				t.Fatalf("ParseDate(%q) = %v, %v; want a *DateError", tt.typed, d, err)
			}
			if got := de.Markdown(); got != tt.want {
				t.Errorf("ParseDate(%q).Markdown() = %q, want %q", tt.typed, got, tt.want)
			}
		})
	}
}

func TestDateRange(t *testing.T) {
	tests := []struct {
		name       string
		start, end Date
		want       string
	}{
		{"one day", NewDate(2026, 3, 23), Date{}, "March 23, 2026"},
		{"one day given twice", NewDate(2026, 3, 23), NewDate(2026, 3, 23), "March 23, 2026"},
		{"days in one month", NewDate(2026, 3, 16), NewDate(2026, 3, 17), "March 16–17, 2026"},
		{"event spanning two months", NewDate(2026, 3, 30), NewDate(2026, 4, 2), "March 30 – April 2, 2026"},
		{"event spanning two years", NewDate(2026, 12, 30), NewDate(2027, 1, 2), "December 30, 2026 – January 2, 2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateRange(tt.start, tt.end); got != tt.want {
				t.Errorf("DateRange(%v, %v) = %q, want %q", tt.start, tt.end, got, tt.want)
			}
		})
	}
}

func TestPublicationRule(t *testing.T) {
	tests := []struct {
		rule  string
		year  int
		month time.Month
		want  Date
	}{
		{"last tuesday", 2026, time.March, NewDate(2026, 3, 31)},
		{"last tuesday", 2026, time.November, NewDate(2026, 11, 24)},
		{"last tuesday", 2026, time.December, NewDate(2026, 12, 29)},
		{"Last Tuesday", 2026, time.February, NewDate(2026, 2, 24)},
		{"first monday", 2026, time.June, NewDate(2026, 6, 1)},
		{"2nd wednesday", 2026, time.April, NewDate(2026, 4, 8)},
		{"day 15", 2026, time.May, NewDate(2026, 5, 15)},
		{"last day", 2028, time.February, NewDate(2028, 2, 29)},
	}
	for _, tt := range tests {
		t.Run(tt.rule+" of "+tt.month.String(), func(t *testing.T) {
			r, err := ParsePublicationRule(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.In(tt.year, tt.month); got != tt.want {
				t.Errorf("%q.In(%d, %v) = %v, want %v", tt.rule, tt.year, tt.month, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "tuesday", "fifth tuesday", "last tuesdays", "day 31", "day x"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			if _, err := ParsePublicationRule(bad); err == nil {
				t.Errorf("ParsePublicationRule(%q) = nil error, want one", bad)
			}
		})
	}
}
