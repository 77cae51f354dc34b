// Package githubsim is an in-process fake of api.github.com for tests and
// offline demos. go-github, ghinstallation and go-githubapp talk to it
// unmodified; only the base URL changes.
//
// # Setting up
//
//	sim := githubsim.New(githubsim.Options{Seed: 1})
//	defer sim.Close()
//	sim.RegisterApp(githubsim.AppSpec{
//		ID: 42, Slug: "newsletter-bot", PublicKey: &key.PublicKey,
//		WebhookURL: receiver.URL, WebhookSecret: "s3cret",
//	})
//	sim.CreateRepo(githubsim.RepoSpec{
//		Owner: "acme", Name: "newsletter",
//		Files: map[string]string{"README.md": "# Newsletter\n"},
//	})
//	sim.Install(7, "acme", "acme/newsletter") // emits installation.created
//	sim.SetPermission("acme/newsletter", "alice", githubsim.PermWrite)
//
// Point clients at sim.URL():
//
//	itr, _ := ghinstallation.New(http.DefaultTransport, 42, 7, pemBytes)
//	itr.BaseURL = sim.URL()
//	client, _ := github.NewClient(&http.Client{Transport: itr}).
//		WithEnterpriseURLs(sim.URL(), sim.URL()) // served under /api/v3/ too
//
// or, with go-githubapp, set Config.V3APIURL to sim.URL()+"/".
// NewHandler returns a simulator that is an http.Handler to mount
// yourself instead of listening on a loopback port.
//
// # What it serves
//
// Routes lists every REST endpoint. Requests need the credentials GitHub asks
// for: the app's RS256 JWT for /app routes (checked against the registered
// public key with GitHub's iat/exp rules), an installation token (ghs_,
// one hour) or a simulated user's personal token (UserToken, ghp_) for
// the rest; a request without them gets 401 "Requires authentication",
// one with anything else 401 "Bad credentials". Installation tokens
// reach only the installation's repositories. Responses use GitHub's JSON
// field names, status codes, error bodies (message, documentation_url,
// errors for 422), Link pagination headers, ETags with 304 handling, and
// x-ratelimit-* headers per token.
//
// Git data is content-addressed with git's own SHA-1 encoding, so blob,
// tree and commit ids equal what git computes for the same content.
//
// Listings (issues, comments, pulls, a pull request's files, branches,
// commits...) are paginated with page and per_page and render only the
// requested page. GET /repos/{owner}/{repo}/commits lists what git log
// would from the sha parameter (a branch, tag or commit; the default
// branch without it), newest first by commit date; its path, author,
// committer, since and until filters are not simulated.
// GET /repos/{owner}/{repo}/pulls/{pull_number}/files diffs each file of
// the page against where the head left the base, with git's unified patch
// (none for binary or very large files).
//
// # GraphQL
//
// A draft pull request is marked ready for review only through GraphQL on
// GitHub, so the simulator serves that sliver of it at POST /graphql (and
// POST /api/graphql, GitHub Enterprise Server's path), with the REST
// routes' tokens, rate limit, faults and Stats (route "POST /graphql"; a
// mutation counts as a content-generating write for the secondary limits):
//
//	mutation($id: ID!) {
//	  markPullRequestReadyForReview(input: {pullRequestId: $id}) {
//	    pullRequest { id number isDraft }
//	  }
//	}
//
// and convertPullRequestToDraft, taking the node_id the REST answers give.
// The document is parsed and validated (gqlparser) against a subset of
// GitHub's schema: PullRequest has id, number, isDraft, state, title and
// url; variables, aliases, fragments, @skip and @include work. Like GitHub,
// it answers 200 with {"errors": [...]} for a document it cannot read or
// validate and for any query, and null data with a typed error (NOT_FOUND,
// FORBIDDEN, UNPROCESSABLE) for a mutation that fails; no token or a bad
// one gets a 401. A change emits pull_request.ready_for_review or
// converted_to_draft.
//
// # Registering an app from a manifest
//
// Besides the REST API, the simulator serves the two web pages of GitHub's
// app-manifest flow, as github.com (or a GitHub Enterprise Server host)
// does outside /api/v3:
//
//	POST /settings/apps/new?state=S                      the signed-in user's app
//	POST /organizations/{org}/settings/apps/new?state=S  an organization's app
//
// A browser posts a form whose manifest field is the manifest's JSON.
// sim.SignIn("octocat") says who is signed in. The manifest is checked as
// GitHub checks it (JSON; name, url and redirect_url present; a URL for an
// active webhook; known permissions at levels they take; known events,
// each with a permission that covers it): a problem answers a 422 HTML
// page listing them all and registers nothing. Otherwise the simulator
// registers the app at once (GitHub first asks the person to confirm the
// name), with a fresh RSA key, the manifest's permissions and events
// (GET /app shows them), its webhook and a generated webhook secret (an
// inactive webhook gets none, null, and no deliveries; PATCH
// /app/hook/config sets the URL and secret with the app's JWT). It
// replaces any app registered before: the simulator serves one. The answer is a 302 to
// redirect_url?code=C&state=S; POST /app-manifests/{code}/conversions
// exchanges C once, within an hour of the simulator's clock, for the id,
// pem, webhook_secret, client_id and client_secret. LastManifest returns
// the manifest as posted, AppWebhook where the app's webhooks go.
//
// These pages answer HTML, are not REST routes (Routes does not list
// them, the conformance suite does not check them) and are neither
// counted in Stats nor subject to faults.
//
// # Webhooks
//
// Every change, made through the REST API or by an Actor, emits the
// webhook GitHub would (issues, issue_comment, pull_request, installation,
// installation_repositories), signed with X-Hub-Signature-256 and POSTed
// in order by one delivery goroutine. WaitForDeliveries waits for the
// queue to drain; Deliveries and Events show what was sent.
//
// # Simulated people
//
// sim.Actor("alice") opens and edits issues, comments, labels, reacts,
// pushes commits, edits files, and opens, marks ready, converts to draft
// and merges pull requests, with
// the permission checks GitHub applies. File, Issue, Comments,
// CommentReactions, PullRequests and friends read state back.
//
// # Faults and budgets
//
// AddFault injects 5xx errors, secondary and primary rate limits and
// latency per route; SetWebhookFaults duplicates, reorders and drops
// deliveries. Each draws from its own generator seeded by Options.Seed,
// and webhook faults are drawn when an event is emitted, so the same seed
// and the same sequence of calls give the same faults. Stats counts
// requests per route template, per installation, and reads versus writes.
//
// # Secondary rate limits
//
// Options.SecondaryLimits enforces GitHub's secondary rate limits per
// credential (per installation for installation tokens, per user for
// personal tokens, Actor.Token's included): at most 80 content-generating
// requests (POST, PATCH, PUT and DELETE made with a token) in any sliding
// minute, 500 in any sliding hour, and 100 requests in flight at once. A
// request over them gets GitHub's answer: 403, a retry-after of the
// seconds until the window lets a request through (1 for the concurrent
// limit), and the "exceeded a secondary rate limit" message. A refused
// request does not count. They are off by default for now, because some
// tests, the chaos test among them, write far faster than that on
// purpose; turn them on with
//
//	sim := githubsim.New(githubsim.Options{
//		SecondaryLimits: githubsim.SecondaryLimits{Enforce: true},
//	})
//
// and set PerMinute, PerHour or Concurrent to change a limit, or to a
// negative value to lift it. The windows run on the real clock
// (SecondaryLimits.Now, time.Now unless a test injects one), not on
// Options.Now: clients pace their writes in real time, and under a frozen
// simulator clock every write would fall in the same instant. What
// simulated people do through Actor methods is not a REST request and is
// not counted. Stats.SecondaryLimited counts the refusals;
// PeakWritesPerMinute and PeakConcurrent show how close clients came to
// the limits, enforced or not.
//
// # Fidelity
//
// conformance_test.go validates responses of every served route and every
// emitted webhook against GitHub's published OpenAPI description, webhook
// schemas and example payloads (npm @octokit/openapi, webhooks-schemas,
// webhooks-examples, pinned), reduced to testdata/conformance by
// testdata/conformance/fetch.sh.
//
// Not simulated: forks, assignees, milestones, reviews, check runs,
// search, GraphQL beyond the two draft mutations, installation permission
// scoping, and renames in diffs (a renamed file is removed and added). Simplified: author_association is never
// MEMBER or OWNER (no org membership model), installation tokens cover
// every repository of the installation, and deleting a pull request's head
// branch leaves the pull request open.
package githubsim
