package drafts

import (
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Suggest returns the names that what was typed is likely a slip for, for a
// "did you mean" hint, in the order of names: those at the smallest edit
// distance (Levenshtein, in any case) when it is at most 2 and at most half
// of what was typed, so that "acept" finds "accept" and "ok" finds nothing;
// else the name that what was typed begins, when only one does ("acc" for
// "accept"); else none.
func Suggest(typed string, names []string) []string {
	typed = strings.ToLower(strings.TrimSpace(typed))
	if typed == "" {
		return nil
	}
	dist := make([]int, len(names))
	best := 3 // farther than any hint
	for i, name := range names {
		dist[i] = levenshtein.ComputeDistance(typed, strings.ToLower(name))
		best = min(best, dist[i])
	}
	if best <= 2 && 2*best <= utf8.RuneCountInString(typed) {
		var closest []string
		for i, name := range names {
			if dist[i] == best {
				closest = append(closest, name)
			}
		}
		return closest
	}
	var prefixed []string
	for _, name := range names {
		if strings.HasPrefix(strings.ToLower(name), typed) {
			prefixed = append(prefixed, name)
		}
	}
	if len(prefixed) == 1 {
		return prefixed
	}
	return nil
}
