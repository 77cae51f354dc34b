package drafts

import (
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
	for _, in := range []string{"", "03/16/2026", "16.03.2026", "2026-02-30", "March 2026", "tomorrow", "Mar 16"} {
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
