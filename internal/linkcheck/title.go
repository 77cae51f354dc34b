package linkcheck

import (
	"bytes"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// maxTitle bounds Result.Title, in runes.
const maxTitle = 300

// sniffTitle returns the text of the first <title> element in page (a
// prefix of an HTML document), whitespace collapsed and control
// characters dropped, or "" if none is there.
func sniffTitle(page []byte) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "title":
				if z.Next() != html.TextToken {
					return ""
				}
				return cleanTitle(string(z.Text()))
			case "body":
				return ""
			}
		}
	}
}

// cleanTitle collapses whitespace, drops control characters and bounds s.
func cleanTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxTitle {
		s = string(r[:maxTitle])
	}
	return s
}
