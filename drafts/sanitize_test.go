package drafts

import (
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is kept as it is", "Engineer, Open Source", "Engineer, Open Source"},
		{"leading and trailing white space is trimmed", " \t Comcast \n", "Comcast"},
		{"a run of white space becomes one space", "Open   \t Source", "Open Source"},
		{"CRLF becomes one space", "first line\r\nsecond line", "first line second line"},
		{"a lone LF becomes one space", "first\nsecond", "first second"},
		{"a lone CR becomes one space", "first\rsecond", "first second"},
		{"blank lines between paragraphs become one space", "one\n\n\n## two", "one ## two"},
		{"the line separator U+2028 becomes one space", "one\u2028two", "one two"},
		{"the paragraph separator U+2029 becomes one space", "one\u2029two", "one two"},
		{"a no-break space becomes a plain space", "Open\u00a0Source", "Open Source"},
		{"NUL is dropped", "Acme\x00Corp", "AcmeCorp"},
		{"other C0 controls are dropped", "a\x07b\x1bc\x7fd", "abcd"},
		{"C1 controls are dropped", "a\u0080b\u009bc", "abc"},
		{"the next-line control U+0085 folds like a line break", "a\u0085b", "a b"},
		{"the right-to-left override U+202E is dropped", "evil\u202Etxt.exe", "eviltxt.exe"},
		{"bidi isolates U+2066..U+2069 are dropped", "\u2066abc\u2069 \u2067d\u2068e", "abc de"},
		{"zero-width space and BOM are dropped", "a\u200bb\ufeffc", "abc"},
		{"soft hyphen is dropped", "Open\u00adSource", "OpenSource"},
		{"private-use characters are dropped", "a\ue000b", "ab"},
		{"the zero-width joiner in an emoji is kept", "👩\u200d💻 Team", "👩\u200d💻 Team"},
		{"a flag emoji is kept", "🇩🇪 Berlin", "🇩🇪 Berlin"},
		{"invalid UTF-8 is dropped", "Acme\xff\xfe Corp\xc3", "Acme Corp"},
		{"a replacement character typed as such is dropped", "a\ufffdb", "ab"},
		{"text of only controls and spaces becomes empty", "\x00 \u202e\r\n\t", ""},
		{"markdown is left for escapeText", "[x](javascript:alert(1))", "[x](javascript:alert(1))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in); got != tt.want {
				t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"brackets are escaped so the text cannot end the link", "a [b] c", `a \[b\] c`},
		{"a link typed in is broken up", "](javascript:x)", `\](javascript:x)`},
		{"an image typed in is broken up", "![img](u)", `!\[img\](u)`},
		{"a reference link typed in is broken up", "[x][y]", `\[x\]\[y\]`},
		{"pipes are escaped so a table cell stays one cell", "| a | b |", `\| a \| b \|`},
		{"angle brackets are escaped so no HTML appears", "<img src=x onerror=alert(1)>", `\<img src=x onerror=alert(1)\>`},
		{"a backtick is escaped so no code span opens", "use `go test`", "use \\`go test\\`"},
		{"a backslash is escaped so it escapes nothing", `C:\path\`, `C:\\path\\`},
		{"a leading # is escaped so no heading appears", "# Heading", `\# Heading`},
		{"a leading - is escaped so no list item appears", "- item", `\- item`},
		{"a leading + is escaped so no list item appears", "+ item", `\+ item`},
		{"stars are escaped so no list item, rule or emphasis appears", "* * *", `\* \* \*`},
		{"a leading = is escaped so no setext underline appears", "===", `\===`},
		{"a leading number with a dot is escaped so no ordered list appears", "1. first", `1\. first`},
		{"a leading number with a parenthesis is escaped", "12) first", `12\) first`},
		{"a # in the middle is left alone", "C# developer", "C# developer"},
		{"a - in the middle is left alone", "Open-source lead - EMEA", "Open-source lead - EMEA"},
		{"an https URL is broken up after its colon", "see https://evil.example", "see https:&#8288;//evil.example"},
		{"an http URL in capitals is broken up too", "HTTP://EVIL.EXAMPLE", "HTTP:&#8288;//EVIL.EXAMPLE"},
		{"any scheme is broken up", "ftp://x and irc://y", "ftp:&#8288;//x and irc:&#8288;//y"},
		{"a www. name is broken up before its dot", "www.evil.example", "www&#8288;.evil.example"},
		{"a WWW. name in capitals is broken up too", "WWW.Evil.Example", "WWW&#8288;.Evil.Example"},
		{"an e-mail address is broken up after its @", "foo@bar.com", "foo@&#8288;bar.com"},
		{"a mention is broken up after its @", "@octocat", "@&#8288;octocat"},
		{"a team mention is broken up after its @", "@todo/maintainers", "@&#8288;todo/maintainers"},
		{"a backslash before a mention is kept and the mention broken up", `\@octocat`, `\\@&#8288;octocat`},
		{"a mailto: address is broken up at its @", "mailto:a@b.example", "mailto:a@&#8288;b.example"},
		{"an xmpp: address is broken up at its @", "xmpp:a@b.example", "xmpp:a@&#8288;b.example"},
		{"a mailto: without an address is left alone", "mailto:foo", "mailto:foo"},
		{"an issue reference is broken up after its #", "see #12", "see #&#8288;12"},
		{"a cross-repository reference is broken up after its #", "todogroup/ospology#12", "todogroup/ospology#&#8288;12"},
		{"a GH- reference is broken up after its dash", "GH-12 and gh-3", "GH-&#8288;12 and gh-&#8288;3"},
		{"a hash tag gets no joiner, only the heading escape", "#opensource", `\#opensource`},
		{"a commit sha is broken up every six digits", "a5c3785ed8d6a35868", "a5c378&#8288;5ed8d6&#8288;a35868"},
		{"a short sha is broken up", "o/r@a5c3785", "o/r@&#8288;a5c378&#8288;5"},
		{"hex digits inside a longer word are left alone", "xa5c3785x", "xa5c3785x"},
		{"a six-digit number is left alone", "100000", "100000"},
		{"an emoji code is broken up after its first colon", ":octocat: :+1:", ":&#8288;octocat: :&#8288;+1:"},
		{"a colon before a space is left alone", "Note: x", "Note: x"},
		{"underscores that could emphasise are escaped", "_x_ and __y__", `\_x\_ and \_\_y\_\_`},
		{"tildes are escaped so no strikethrough appears", "~x~ ~~y~~", `\~x\~ \~\~y\~\~`},
		{"dollars are escaped so no math appears", "$x$", `\$x\$`},
		{"an organisation named with an @ reads as typed", "@home labs", "@&#8288;home labs"},
		{"a colon in plain text is left alone", "Note: x", "Note: x"},
		{"an underscore inside a word is left alone", "AI_dev", "AI_dev"},
		{"a time is left alone", "10:30 CET", "10:30 CET"},
		{"a dotted name without www is left alone", "Node.js", "Node.js"},
		{"non-ASCII text is left alone", "Café — naïve 東京", "Café — naïve 東京"},
		{"an entity reference is escaped so it shows as typed", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"a numeric character reference is escaped", "&#x202E;&#x40;", `\&#x202E;\&#x40;`},
		{"a decimal reference is escaped and its digits kept from a reference", "&#64;", "\\&#&#8288;64;"},
		{"a plain ampersand is left alone", "AT&T R&D", "AT&T R&D"},
		{"a leading ___ is escaped so no rule appears", "___", `\_\_\_`},
		{"a leading ~~~ is escaped so no code fence opens", "~~~ go", `\~\~\~ go`},
		{"a www. right before a URL scheme is broken up too", "www.evil.example://", "www&#8288;.evil.example:&#8288;//"},
		{"empty text stays empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeText(tt.in); got != tt.want {
				t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckLinkAccepts(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"an https link is kept byte for byte", "https://www.linkedin.com/jobs/view/4123456789/", "https://www.linkedin.com/jobs/view/4123456789/"},
		{"an http link is accepted", "http://example.com/page", "http://example.com/page"},
		{"a fragment is kept", "https://summit.openforumeurope.org/#agenda", "https://summit.openforumeurope.org/#agenda"},
		{"percent-encoding already in the link is kept", "https://github.com/decentralized-identity/org/blob/main/Org%20documents/jobs/Executive-Director.md",
			"https://github.com/decentralized-identity/org/blob/main/Org%20documents/jobs/Executive-Director.md"},
		{"a query with & and = is kept", "https://example.com/s?a=1&b=2&c", "https://example.com/s?a=1&b=2&c"},
		{"a port is kept", "https://example.com:8443/x", "https://example.com:8443/x"},
		{"surrounding white space is trimmed", "  https://example.com/x \n", "https://example.com/x"},
		{"angle brackets around the link are dropped", "<https://example.com/x>", "https://example.com/x"},
		{"parentheses are percent-encoded", "https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_%28bar%29"},
		{"a space is percent-encoded", "https://example.com/a b", "https://example.com/a%20b"},
		{"angle brackets inside are percent-encoded", "https://example.com/?q=<b>", "https://example.com/?q=%3Cb%3E"},
		{"square brackets, backslash, quote and backtick are percent-encoded", "https://example.com/[a]\\\"`", "https://example.com/%5Ba%5D%5C%22%60"},
		{"an ampersand that would read as an entity is percent-encoded", "https://example.com/?a=1&amp;b=2", "https://example.com/?a=1%26amp;b=2"},
		{"non-ASCII is kept", "https://example.com/café", "https://example.com/café"},
		{"an IP address is accepted", "http://192.0.2.1/x", "http://192.0.2.1/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkLink(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("checkLink(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCheckLinkRejects(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"a javascript: link is rejected", "javascript:alert(1)", "not an http(s) link"},
		{"a data: link is rejected", "data:text/html,<b>x</b>", "not an http(s) link"},
		{"an ftp link is rejected", "ftp://x", "not an http(s) link"},
		{"a scheme-relative link is rejected", "//example.com", "not an http(s) link"},
		{"a link without a scheme gets the https hint as code", "example.com/x", "\"example.com/x\" has no https:// in front; write `https://example.com/x`"},
		{"a link is quoted through Plain", "@octocat", `"@&#8288;octocat" is not an http(s) link`},
		{"the https hint holds a backtick in a longer fence", "a`b.example", "write ``https://a`b.example``"},
		{"a www. link without a scheme gets the https hint", "www.example.com", "has no https:// in front"},
		{"a user and password are rejected", "https://user:pw@example.com", "contains a user name or password"},
		{"a user name alone is rejected", "https://trusted.example@evil.example/", "contains a user name or password"},
		{"localhost is rejected", "https://localhost", "has no valid host name"},
		{"a host without a dot is rejected", "https://intranet/x", "has no valid host name"},
		{"a link without a host is rejected", "https:///x", "has no host name"},
		{"an opaque https: link is rejected", "https:example.com", "has no host name"},
		{"an empty link is rejected", "", "is empty"},
		{"a link of white space is rejected", " \n ", "is empty"},
		{"empty angle brackets are rejected", "<>", "is empty"},
		{"a link that is too long is rejected", "https://example.com/" + strings.Repeat("a", maxLink), "links are limited to 2000"},
		{"a control character is rejected", "https://example.com/a\x00b", "invisible characters"},
		{"a line break inside is rejected", "https://example.com/a\nb", "invisible characters"},
		{"a bidi override is rejected", "https://example.com/\u202Etxt", "invisible characters"},
		{"a line separator is rejected", "https://example.com/a\u2028b", "invisible characters"},
		{"invalid UTF-8 is rejected", "https://example.com/\xff", "invisible characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkLink(tt.in)
			if err == nil {
				t.Fatalf("checkLink(%q) = %q, nil; want an error containing %q", tt.in, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkLink(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestNormalizeLink(t *testing.T) {
	same := []struct {
		name, a, b string
	}{
		{"http and https are the same page", "http://example.com/a", "https://example.com/a"},
		{"www. does not count", "https://www.example.com/a", "https://example.com/a"},
		{"a trailing slash does not count", "https://example.com/a/", "https://example.com/a"},
		{"the fragment does not count", "https://example.com/a#section", "https://example.com/a"},
		{"utm_ parameters do not count", "https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"},
		{"tracking parameters do not count but others do", "https://example.com/a?id=3&fbclid=z", "https://example.com/a?id=3"},
		{"the case of the host does not count", "https://Example.COM/a", "https://example.com/a"},
		{"default ports do not count", "https://example.com:443/a", "https://example.com/a"},
		{"the order of query parameters does not count", "https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"all of it at once", "http://WWW.Example.com/a/?utm_campaign=nl#top", "https://example.com/a"},
	}
	for _, tt := range same {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := normalizeLink(tt.a), normalizeLink(tt.b); a != b {
				t.Errorf("normalizeLink(%q) = %q, normalizeLink(%q) = %q; want them equal", tt.a, a, tt.b, b)
			}
		})
	}
	differ := []struct {
		name, a, b string
	}{
		{"different paths are different pages", "https://example.com/a", "https://example.com/b"},
		{"the case of the path counts", "https://example.com/Jobs", "https://example.com/jobs"},
		{"different hosts are different pages", "https://a.example.com/x", "https://b.example.com/x"},
		{"a real query parameter counts", "https://example.com/a?id=1", "https://example.com/a?id=2"},
		{"a non-default port counts", "https://example.com:8443/a", "https://example.com/a"},
	}
	for _, tt := range differ {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := normalizeLink(tt.a), normalizeLink(tt.b); a == b {
				t.Errorf("normalizeLink(%q) = normalizeLink(%q) = %q; want them to differ", tt.a, tt.b, a)
			}
		})
	}
}

// TestLinksArePublishedWithoutTracking: the tracking parameters go, the rest
// of the link stays as typed, in order.
func TestLinksArePublishedWithoutTracking(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/jobs/12?utm_source=linkedin&utm_medium=social#top":     "https://example.com/jobs/12#top",
		"https://example.com/jobs/12?id=7&utm_campaign=x&b=2":                       "https://example.com/jobs/12?id=7&b=2",
		"https://www.linkedin.com/jobs/view/123/?trk=public_jobs&refId=a%3D&lipi=z": "https://www.linkedin.com/jobs/view/123/",
		"https://boards.greenhouse.io/acme/jobs/1?gh_src=abc":                       "https://boards.greenhouse.io/acme/jobs/1",
		"https://example.com/?q=open+source&page=2":                                 "https://example.com/?q=open+source&page=2",
		"https://example.com/a?UTM_Source=x&fbclid=1&source=blog":                   "https://example.com/a?source=blog",
		"https://example.com/a?":                                                    "https://example.com/a",
		"https://example.com/a?&&keep&":                                             "https://example.com/a?keep",
	} {
		got, err := checkLink(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got != want {
			t.Errorf("%s\n gives %s\n  want %s", in, got, want)
		}
		if normalizeLink(got) != normalizeLink(in) {
			t.Errorf("%s: the published link compares unlike the typed one", in)
		}
	}
}
