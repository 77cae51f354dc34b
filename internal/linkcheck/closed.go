package linkcheck

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// The closed-job heuristic. Job boards rarely answer 404 for a closed
// posting; they redirect to the company's list of jobs, a search page or
// the home page. looksClosed says whether a job link (from, the link as
// submitted) that redirected to to looks like that, from the two URLs
// alone, in this order:
//
//  1. The posting's identifier survives: if to still carries an
//     identifier of from (a run of letters and digits with a digit in it,
//     three long at least, from from's path or query values: 4012345,
//     R12345, the parts of a UUID; or, when from has none, its last path
//     segment, a slug such as senior-engineer) anywhere in its path or
//     query, it is the same posting moved (http to https, a new host, a
//     locale or a slug added, a login wall) and not closed. A from
//     without a path or query has nothing to lose and is never closed.
//  2. Generic page: to's path, leading locale segments (en, en-us)
//     dropped, is empty (the home page), or its last segment is a listing
//     (careers, jobs, job, openings, positions, vacancies, ...), or it
//     contains "search" (search, job-search, SearchJobs, search?q=).
//  3. Lost identifier: to is on the same site as from (same registrable
//     domain) and its path is a shorter prefix of from's, segment by
//     segment: /acme/jobs/4012345 to /acme (Greenhouse), /acme/<uuid> to
//     /acme (Lever, Ashby), /en-US/External/job/Berlin/Engineer_R12345 to
//     /en-US/External (Workday).
//
// Anything else (a different page of a different site, a deeper path) is
// not judged closed. The heuristic is only applied to a link that
// redirected and whose final page answered 2xx.
func looksClosed(from, to *url.URL) bool {
	ids, slug := identifiers(from)
	if len(ids) == 0 {
		return false
	}
	toTokens := tokens(to)
	toText := strings.ToLower(to.Path + " " + queryText(to))
	for _, id := range ids {
		if slug && strings.Contains(toText, id) || !slug && toTokens[id] {
			return false
		}
	}

	segs := segments(to.Path)
	generic := segs
	for len(generic) > 0 && locale.MatchString(generic[0]) {
		generic = generic[1:]
	}
	if len(generic) == 0 {
		return true
	}
	last := generic[len(generic)-1]
	if listingSegments[last] || strings.Contains(last, "search") {
		return true
	}

	fromSegs := segments(from.Path)
	if len(segs) == 0 || len(segs) >= len(fromSegs) || site(from) != site(to) {
		return false
	}
	for i, s := range segs {
		if s != fromSegs[i] {
			return false
		}
	}
	return true
}

// listingSegments are last path segments of pages that list or search
// jobs rather than show one.
var listingSegments = map[string]bool{
	"careers": true, "career": true, "jobs": true, "job": true,
	"openings": true, "open-positions": true, "positions": true,
	"vacancies": true, "opportunities": true, "all-jobs": true,
	"join-us": true, "joinus": true, "work-with-us": true,
	"jobboard": true, "job-board": true, "postings": true,
	"results": true,
}

// locale matches a path segment that only picks a language: en, de,
// en-us, pt_br.
var locale = regexp.MustCompile(`^[a-z]{2}([-_][a-z]{2})?$`)

// segments splits a path into its non-empty segments, in lower case.
func segments(path string) []string {
	var out []string
	for _, s := range strings.Split(strings.ToLower(path), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// identifiers returns what identifies the posting u points to: its
// tokens (see tokens) three long at least with a digit in them; or, if it
// has none, its last path segment as a slug (to be found as a substring);
// or, without a path, its query's tokens.
func identifiers(u *url.URL) (ids []string, slug bool) {
	all := tokens(u)
	for t := range all {
		if len(t) >= 3 && strings.ContainsAny(t, "0123456789") {
			ids = append(ids, t)
		}
	}
	if len(ids) > 0 {
		return ids, false
	}
	if segs := segments(u.Path); len(segs) > 0 {
		return segs[len(segs)-1:], true
	}
	for t := range all {
		ids = append(ids, t)
	}
	return ids, false
}

// tokens is the set of lower-case runs of letters and digits in u's path
// and query values.
func tokens(u *url.URL) map[string]bool {
	set := map[string]bool{}
	for _, t := range strings.FieldsFunc(strings.ToLower(u.Path+" "+queryText(u)), notAlnum) {
		set[t] = true
	}
	return set
}

func notAlnum(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }

// queryText is u's query values, decoded, separated by spaces.
func queryText(u *url.URL) string {
	var b strings.Builder
	for _, vs := range u.Query() {
		for _, v := range vs {
			b.WriteString(v)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// site is u's registrable domain (acme.co.uk for jobs.acme.co.uk), or its
// host when there is none (an IP address, localhost).
func site(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}
