// Package linkcheck checks the links that people submit to the newsletter:
// does the page answer, is it gone, and, for a job posting, does it now
// redirect to a general careers or search page (the job may have closed).
//
// # Threat model
//
// Anyone on the internet can file a submission, so every link is chosen by
// a possible attacker, and the bot runs next to things that must not be
// reached from outside: a cloud metadata service (169.254.169.254,
// metadata.google.internal), the cluster's private network, services on
// loopback. A link checker that fetches whatever it is given is a
// server-side request forgery (SSRF) tool, so a Checker refuses, as a
// Problem and without sending a request:
//
//   - schemes other than http and https, and links with a user name or
//     password in them;
//   - ports other than 80 and 443, unless Options.Ports names them;
//   - host names that are local by construction: localhost and
//     *.localhost, *.local, *.internal, *.localdomain, *.home.arpa,
//     single-label names (which resolve through the search domains of the
//     bot's own network), and names whose last label is a number (odd
//     spellings of IPv4 addresses such as 127.1 or 2130706433);
//   - addresses that are not public unicast: loopback, RFC 1918 private,
//     RFC 4193 unique local (fc00::/7), link-local (169.254.0.0/16,
//     fe80::/10), CGNAT (100.64.0.0/10), unspecified, multicast, broadcast,
//     reserved, documentation and benchmarking ranges, IPv6 outside
//     2000::/3, and IPv4 addresses written inside IPv6 (::ffff:a.b.c.d,
//     NAT64 64:ff9b::/96, 6to4 2002::/16) when the IPv4 address is one of
//     these.
//
// The names are only a shortcut for a clear message. The guard is at
// dial time: the Checker resolves the name itself and dials each address
// through a net.Dialer whose Control function inspects the address the
// socket is about to connect to, so a name that resolves to a private
// address, or one whose DNS answer changes between a first look and the
// connection (DNS rebinding), is refused all the same. Every redirect
// target is checked again, before it is fetched, by the same rules.
// Options.AllowLoopback (for tests and the demo) lets loopback addresses
// and the name localhost through, and nothing else that is private.
//
// A check sends one GET (HEAD is answered wrongly by too many sites) with
// an honest User-Agent, no cookies, no credentials and no proxy from the
// environment; follows at most a few redirects itself; reads at most a
// small prefix of the body (enough for the page title) and closes the
// connection; and gives up after a short timeout. At most one request at a
// time goes to a host and only a few run at once overall, so a flood of
// submissions cannot make the bot flood a site. Results are cached for a
// day by normalised URL, in a bounded LRU.
//
// # Closed job postings
//
// Job boards rarely answer 404 for a closed posting; they redirect to a
// list of jobs, a search page or the home page. For a link the caller says
// is a job, a Checker that followed a redirect to a 2xx page judges it
// MayBeClosed when the final URL no longer carries the posting's
// identifier (a token with a digit in it such as 4012345, R12345 or a
// UUID part; without one, the last path segment) and either the final
// page is generic (the home page, with or without a locale segment; a
// last segment such as careers, jobs, openings or positions; or anything
// with "search" in its last segment) or its path is a shorter prefix of
// the posting's on the same site (Greenhouse /acme/jobs/4012345 to
// /acme, Lever and Ashby /acme/<uuid> to /acme, Workday
// /en-US/External/job/Berlin/Engineer_R12345 to /en-US/External). A
// redirect that keeps the identifier (http to https, a new host, a locale
// or slug added, a login page with the posting in its query) is not.
//
// # What is not checked
//
// A check says whether the server answered, not what the page says: a
// site that answers 200 with "this job has closed", a soft 404, a page
// that needs JavaScript, or a redirect done by a meta tag or a script is
// seen as OK. The job heuristic reads URLs only and can be wrong both
// ways, which is why it says "may be closed" and is not a Problem. Sites that refuse bots
// (403, 429, challenge pages) give warnings, never Problems. Nothing about
// the content is judged: malware, phishing or a misleading title are out
// of scope, and the Title a Result carries is untrusted text.
package linkcheck
