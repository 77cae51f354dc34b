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
// Routes lists every endpoint. Requests need the credentials GitHub asks
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
// pushes commits, edits files, and opens and merges pull requests, with
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
// # Fidelity
//
// conformance_test.go validates responses of every served route and every
// emitted webhook against GitHub's published OpenAPI description, webhook
// schemas and example payloads (npm @octokit/openapi, webhooks-schemas,
// webhooks-examples, pinned), reduced to testdata/conformance by
// testdata/conformance/fetch.sh.
//
// Not simulated: forks, assignees, milestones, reviews, check runs,
// search, GraphQL, installation permission scoping, and the contents of
// commit diffs beyond counts. Simplified: author_association is never
// MEMBER or OWNER (no org membership model), installation tokens cover
// every repository of the installation, and deleting a pull request's head
// branch leaves the pull request open.
package githubsim
