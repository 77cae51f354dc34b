package drafts

import (
	"strings"
	"sync"

	"github.com/agnivade/levenshtein"
	"github.com/biter777/countries"
)

// Country is a country as the ISO 3166 data of github.com/biter777/countries
// knows it.
type Country struct {
	Code string // alpha-2, "DE"
	Name string // the library's English name, "Germany"
	Flag string // "🇩🇪"
}

// LookupCountry finds a country by name, alias or ISO code, in any case:
// "Germany", "germany", "DE", "DEU", "USA", "United States", "UK",
// "The Netherlands".
func LookupCountry(s string) (Country, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".")
	if len(s) > 4 && strings.EqualFold(s[:4], "the ") {
		s = s[4:]
	}
	if s == "" {
		return Country{}, false
	}
	// No cache: a lookup takes 0.1 to 1 µs for a name people type (7 µs at
	// 100 bytes), a few hundred of them are a fraction of a millisecond per
	// edition, and a cache keyed by text from issues would grow with every
	// name anyone types into this process, which serves every installation.
	c := countries.ByName(s)
	if c == countries.Unknown || !c.IsValid() {
		return Country{}, false
	}
	return Country{Code: c.Alpha2(), Name: c.String(), Flag: c.Emoji()}, true
}

var (
	countryNamesOnce sync.Once
	countryNames     []string
)

// SuggestCountry returns the country name closest to what was typed, for a
// "did you mean" hint, or "" when nothing is close.
func SuggestCountry(s string) string {
	countryNamesOnce.Do(func() {
		for _, c := range countries.All() {
			countryNames = append(countryNames, c.String())
		}
	})
	typed := strings.ToLower(strings.TrimSpace(s))
	best, bestDist := "", 1<<30
	for _, name := range countryNames {
		d := levenshtein.ComputeDistance(typed, strings.ToLower(name))
		if d < bestDist {
			best, bestDist = name, d
		}
	}
	// Close means at most a third of the letters differ.
	if bestDist*3 > len([]rune(typed)) || bestDist == 0 {
		return ""
	}
	return best
}

var remoteWords = map[string]bool{"remote": true, "global": true, "worldwide": true,
	"anywhere": true, "remote / global": true, "remote/global": true, "fully remote": true}

// isRemote reports whether a job location means "anywhere".
func isRemote(s string) bool { return remoteWords[strings.ToLower(strings.TrimSpace(s))] }

var onlineWords = map[string]bool{"online": true, "virtual": true, "remote": true}

func isOnline(s string) bool { return onlineWords[strings.ToLower(strings.TrimSpace(s))] }

// countryDisplayName is how an event line writes the country: the repository's
// override (config country_names) first, then the name as the submitter typed
// it when that is a proper name ("South Korea", not "kr"), else the library's.
func countryDisplayName(c Country, typed string, overrides map[string]string) string {
	if name, ok := overrides[c.Code]; ok {
		return name
	}
	typed = strings.TrimSpace(typed)
	if len(typed) > 3 && typed != strings.ToLower(typed) && typed != strings.ToUpper(typed) {
		return typed
	}
	return c.Name
}
