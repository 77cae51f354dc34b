package drafts

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

// mustDate parses an ISO date for a test, or panics.
func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
