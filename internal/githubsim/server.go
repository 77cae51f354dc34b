package githubsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a simulator. The zero value is usable.
type Options struct {
	// Seed makes fault injection reproducible: the same seed and the same
	// sequence of requests give the same faults. Zero means 1.
	Seed int64
	// Now is the simulator's clock; nil means time.Now. Token expiry,
	// timestamps and the primary rate-limit windows all read it; the
	// secondary limits run on the real clock (SecondaryLimits.Now).
	Now func() time.Time
	// RateLimit is the primary rate limit per token per hour; zero means
	// 5000, GitHub's limit for installations and personal tokens.
	RateLimit int
	// HTMLURL is the web base used in html_url fields; empty means
	// "https://github.com".
	HTMLURL string
	// WebhookTimeout bounds one webhook delivery; zero means 10 seconds.
	WebhookTimeout time.Duration
	// SecondaryLimits are GitHub's secondary rate limits: 80 writes a
	// minute, 500 an hour and 100 requests in flight per credential. The
	// zero value does not enforce them (yet); see SecondaryLimits.Enforce.
	SecondaryLimits SecondaryLimits
	// Logf, when set, receives one line per request and delivery.
	Logf func(format string, args ...any)
}

// Sim is an in-process fake of api.github.com. Create it with New, point
// go-github or ghinstallation at URL, and Close it when done. All methods
// are safe for concurrent use.
type Sim struct {
	opts    Options
	srv     *httptest.Server
	apiURL  string
	htmlURL string
	routes  []*route
	pages   *http.ServeMux // web pages, not REST (appmanifest.go)

	mu sync.Mutex // guards everything below and the objects they point to
	st state

	faults    *faultInjector
	rates     *rateLimiter
	secondary *secondaryLimiter
	stats     *accountant
	hooks     *deliveryQueue
}

// state is the simulated GitHub data. It is guarded by Sim.mu.
type state struct {
	nextID        map[string]int64
	accounts      map[string]*account // lower-case login -> account
	repos         map[string]*repo    // lower-case "owner/name" -> repo
	app           *app
	installations map[int64]*installation
	teams         map[string]*team // lower-case "org/slug" -> team
	instTokens    map[string]installToken
	userTokens    map[string]userToken
	manifests     map[string]manifestCode
	events        []Event
	webUser       *account // signed in on the web pages (SignIn)
	lastManifest  []byte   // the last manifest posted to the web flow
}

// New starts a simulator on a loopback httptest server.
func New(opts Options) *Sim {
	s := newSim(opts)
	s.srv = httptest.NewServer(s)
	s.apiURL = s.srv.URL
	return s
}

// NewHandler returns a simulator that is not listening anywhere: mount it
// (it is an http.Handler) and pass the public base URL under which it is
// mounted, e.g. "http://127.0.0.1:8080", so that url fields point back at it.
func NewHandler(baseURL string, opts Options) *Sim {
	s := newSim(opts)
	s.apiURL = strings.TrimRight(baseURL, "/")
	return s
}

func newSim(opts Options) *Sim {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.HTMLURL == "" {
		opts.HTMLURL = "https://github.com"
	}
	if opts.WebhookTimeout == 0 {
		opts.WebhookTimeout = 10 * time.Second
	}
	s := &Sim{
		opts:    opts,
		htmlURL: strings.TrimRight(opts.HTMLURL, "/"),
		st: state{
			nextID:        map[string]int64{},
			accounts:      map[string]*account{},
			repos:         map[string]*repo{},
			installations: map[int64]*installation{},
			teams:         map[string]*team{},
			instTokens:    map[string]installToken{},
			userTokens:    map[string]userToken{},
			manifests:     map[string]manifestCode{},
		},
		faults:    newFaultInjector(opts.Seed),
		rates:     newRateLimiter(opts.RateLimit),
		secondary: newSecondaryLimiter(opts.SecondaryLimits),
		stats:     newAccountant(),
	}
	s.hooks = newDeliveryQueue(s)
	s.routes = s.buildRoutes()
	s.pages = s.webMux()
	return s
}

// URL returns the API base URL, without a trailing slash. Use it as
// go-github's BaseURL (with a trailing slash), ghinstallation's BaseURL, or
// go-githubapp's V3APIURL.
func (s *Sim) URL() string { return s.apiURL }

// Close stops webhook delivery and the HTTP server.
func (s *Sim) Close() {
	s.hooks.close()
	if s.srv != nil {
		s.srv.Close()
	}
}

func (s *Sim) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

func (s *Sim) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// newID hands out increasing ids per kind of object; kinds start at
// different offsets so ids of different kinds rarely coincide.
func (s *Sim) newID(kind string) int64 {
	offsets := map[string]int64{
		"account": 1000, "repo": 100000, "issue": 2000000, "comment": 3000000,
		"label": 4000000, "reaction": 5000000, "pull": 6000000, "hook": 7000000,
		"installation": 8000000, "team": 9000000, "app": 900,
	}
	if s.st.nextID[kind] == 0 {
		s.st.nextID[kind] = offsets[kind]
	}
	s.st.nextID[kind]++
	return s.st.nextID[kind]
}

// response is what a route handler returns; serveHTTP encodes it.
type response struct {
	status int
	body   any    // encoded as JSON unless nil
	raw    []byte // sent as is (Accept: application/vnd.github.raw) when set
	header http.Header
	// encoded is body as JSON once withETag has encoded it, so that write
	// does not encode a page a second time.
	encoded []byte
}

func jsonResponse(status int, body any) *response { return &response{status: status, body: body} }

func okJSON(body any) *response      { return jsonResponse(http.StatusOK, body) }
func createdJSON(body any) *response { return jsonResponse(http.StatusCreated, body) }
func noContent() *response           { return &response{status: http.StatusNoContent} }

const docsURL = "https://docs.github.com/rest"

// errorResponse is an error with GitHub's body: message, documentation_url
// and status.
func errorResponse(status int, message string) *response {
	return jsonResponse(status, map[string]any{
		"message":           message,
		"documentation_url": docsURL,
		"status":            strconv.Itoa(status),
	})
}

func notFound() *response { return errorResponse(http.StatusNotFound, "Not Found") }

// validationError is one entry of the errors array of a 422 response.
type validationError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

// validationFailed is GitHub's 422 "Validation Failed" with an errors array.
func validationFailed(errs ...validationError) *response {
	return jsonResponse(http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            errs,
		"documentation_url": docsURL,
		"status":            "422",
	})
}

// apiError is a failure of a simulated operation with the status and body
// GitHub would answer; operations shared by REST handlers and the actor API
// return it so both report the same thing.
type apiError struct {
	status  int
	message string
	errs    []validationError
}

func (e *apiError) Error() string {
	if len(e.errs) > 0 && e.errs[0].Message != "" {
		return fmt.Sprintf("%d %s: %s", e.status, e.message, e.errs[0].Message)
	}
	return fmt.Sprintf("%d %s", e.status, e.message)
}

func newAPIError(status int, message string) *apiError {
	return &apiError{status: status, message: message}
}

func invalid(errs ...validationError) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, message: "Validation Failed", errs: errs}
}

// errResponse turns an operation's error into GitHub's error response.
func errResponse(err error) *response {
	var ae *apiError
	if errors.As(err, &ae) {
		if len(ae.errs) > 0 {
			return validationFailed(ae.errs...)
		}
		return errorResponse(ae.status, ae.message)
	}
	return errorResponse(http.StatusInternalServerError, err.Error())
}

// requirePerm checks that a personal-token user holds at least the given
// permission on the request's repository; installations hold every
// permission the simulated app asks for.
func (c *reqCtx) requirePerm(level string) *response {
	if c.auth.kind != "user" || c.repo == nil {
		return nil
	}
	if permRank[c.repo.permission(c.auth.user)] >= permRank[level] {
		return nil
	}
	what := level
	if level == PermWrite {
		what = "push"
	}
	return errorResponse(http.StatusForbidden, fmt.Sprintf("Must have %s access to repository", what))
}

// reqCtx carries one request through routing, auth and its handler.
type reqCtx struct {
	s      *Sim
	r      *http.Request
	route  *route
	params map[string]string
	body   []byte
	auth   authInfo
	repo   *repo
	gql    *graphQLRequest // the parsed GraphQL request, once parsed
}

func (c *reqCtx) param(name string) string { return c.params[name] }

func (c *reqCtx) intParam(name string) int {
	n, _ := strconv.Atoi(c.params[name])
	return n
}

func (c *reqCtx) query(name string) string { return c.r.URL.Query().Get(name) }

// decode unmarshals the JSON request body into v; an empty body leaves v as is.
func (c *reqCtx) decode(v any) *response {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errorResponse(http.StatusBadRequest, "Problems parsing JSON")
	}
	return nil
}

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.pages.Handler(r); pattern != "" {
		s.pages.ServeHTTP(w, r) // a web page, not the REST API
		return
	}
	start := time.Now()
	path := r.URL.EscapedPath()
	path = strings.TrimPrefix(path, "/api/v3")
	if path == "" {
		path = "/"
	}
	if path == "/api/graphql" {
		path = "/graphql" // GitHub Enterprise Server's GraphQL endpoint
	}
	path = s.rewriteRepositoryID(path)

	rt, params := s.match(r.Method, path)
	if rt == nil {
		s.stats.record(r.Method+" (unmatched)", 0, false, false)
		s.write(w, r, nil, errorResponse(http.StatusNotFound, "Not Found"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.write(w, r, nil, errorResponse(http.StatusBadRequest, "Problems reading body"))
		return
	}
	c := &reqCtx{s: s, r: r, route: rt, params: params, body: body}
	resp := withETag(r, s.handle(c))
	// 304s and reading the rate limit are free, and a rate-limited answer
	// already carries its headers.
	counted := resp.status != http.StatusNotModified && rt.key != "GET /rate_limit" && resp.header.Get("X-RateLimit-Remaining") == ""
	rate := s.rates.finish(c.auth.rateKey(), counted, s.opts.Now())
	resp.setRateHeaders(rate)
	s.stats.record(rt.key, c.auth.installationID(), rt.method != http.MethodGet, resp.status == http.StatusNotModified)
	s.write(w, r, c, resp)
	s.logf("githubsim: %s %s -> %d (%s)", r.Method, r.URL.RequestURI(), resp.status, time.Since(start).Round(time.Microsecond))
}

// handle runs authentication, faults, rate limiting and the route's handler.
func (s *Sim) handle(c *reqCtx) *response {
	if resp := s.authenticate(c); resp != nil {
		return resp
	}
	rateKey := c.auth.rateKey()
	// A request is in flight from here, so that one held by a latency
	// fault or waiting for the state counts against the concurrent limit.
	ok, inFlight := s.secondary.enter(rateKey)
	s.stats.peaks(0, inFlight)
	if !ok {
		return s.secondaryLimited(c, time.Second)
	}
	defer s.secondary.leave(rateKey)
	if resp := s.applyFaults(c); resp != nil {
		return resp
	}
	if rate := s.rates.peek(rateKey, s.opts.Now()); rate.Remaining <= 0 {
		return primaryRateLimited(c, rate)
	}
	if c.isContentWrite() {
		retry, lastMinute := s.secondary.write(rateKey)
		s.stats.peaks(lastMinute, 0)
		if retry > 0 {
			return s.secondaryLimited(c, retry)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if resp := s.authorizeLocked(c); resp != nil {
		return resp
	}
	if owner, name := c.param("owner"), c.param("repo"); owner != "" && name != "" {
		rp := s.st.repos[strings.ToLower(owner+"/"+name)]
		if rp == nil || !c.auth.canSee(rp) {
			return notFound()
		}
		c.repo = rp
	}
	resp := c.route.h(c)
	if resp == nil {
		return errorResponse(http.StatusInternalServerError, "githubsim: handler returned no response")
	}
	return resp
}

// write encodes a response, adding ETag and handling If-None-Match.
func (s *Sim) write(w http.ResponseWriter, r *http.Request, c *reqCtx, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", requestID(r))
	if resp.status == http.StatusNotModified {
		w.WriteHeader(resp.status)
		return
	}
	if resp.raw != nil {
		h.Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(resp.raw)))
		w.WriteHeader(resp.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(resp.raw)
		}
		return
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	data := resp.encoded
	if data == nil {
		var err error
		if data, err = json.Marshal(resp.body); err != nil {
			http.Error(w, fmt.Sprintf("githubsim: encode response: %v", err), http.StatusInternalServerError)
			return
		}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// etagFor is GitHub's weak validator for a JSON body.
func etagFor(data []byte) string {
	sum := sha256.Sum256(data)
	return `W/"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches implements weak comparison of an If-None-Match header.
func etagMatches(header, etag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, candidate := range strings.Split(header, ",") {
		c := strings.TrimSpace(candidate)
		if c == "*" || strip(c) == strip(etag) {
			return true
		}
	}
	return false
}

// withETag adds the ETag to a successful GET and turns it into a 304 when
// the client already holds that version.
func withETag(r *http.Request, resp *response) *response {
	if r.Method != http.MethodGet || resp.status != http.StatusOK || resp.body == nil {
		return resp
	}
	data, err := json.Marshal(resp.body)
	if err != nil {
		return resp
	}
	resp.encoded = data
	etag := etagFor(data)
	if resp.header == nil {
		resp.header = http.Header{}
	}
	resp.header.Set("ETag", etag)
	resp.header.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	resp.header.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		return &response{status: http.StatusNotModified, header: resp.header}
	}
	return resp
}

func requestID(r *http.Request) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%p%s%d", r, r.URL, time.Now().UnixNano())))
	return strings.ToUpper(hex.EncodeToString(sum[:4]) + ":" + hex.EncodeToString(sum[4:8]))
}

// rewriteRepositoryID maps GitHub's /repositories/{id}/... form, which
// Link headers use, onto /repos/{owner}/{repo}/....
func (s *Sim) rewriteRepositoryID(path string) string {
	rest, ok := strings.CutPrefix(path, "/repositories/")
	if !ok {
		return path
	}
	idStr, tail, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return path
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rp := range s.st.repos {
		if rp.ID == id {
			p := "/repos/" + url.PathEscape(rp.Owner.Login) + "/" + url.PathEscape(rp.Name)
			if tail != "" {
				p += "/" + tail
			}
			return p
		}
	}
	return path
}

// route is one REST endpoint, or the GraphQL endpoint.
type route struct {
	method  string
	pattern string
	key     string // "METHOD pattern", the accounting key
	segs    []string
	auth    authMode
	graphql bool // POST /graphql: not a REST route (Routes leaves it out)
	h       func(*reqCtx) *response
}

// match finds the first route whose method and pattern fit the path.
// Parameters named *_number or *_id must be numeric; a final {name...}
// parameter takes the rest of the path.
func (s *Sim) match(method, escapedPath string) (*route, map[string]string) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	parts := strings.Split(strings.Trim(escapedPath, "/"), "/")
	for _, rt := range s.routes {
		if rt.method != method {
			continue
		}
		if params, ok := matchSegments(rt.segs, parts); ok {
			return rt, params
		}
	}
	return nil, nil
}

func matchSegments(segs, parts []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") {
			if i >= len(parts) {
				return nil, false
			}
			name := strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "...}")
			rest := make([]string, 0, len(parts)-i)
			for _, p := range parts[i:] {
				u, err := url.PathUnescape(p)
				if err != nil {
					return nil, false
				}
				rest = append(rest, u)
			}
			params[name] = strings.Join(rest, "/")
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		if strings.HasPrefix(seg, "{") {
			name := strings.Trim(seg, "{}")
			v, err := url.PathUnescape(parts[i])
			if err != nil || v == "" {
				return nil, false
			}
			if strings.HasSuffix(name, "_number") || strings.HasSuffix(name, "_id") {
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return nil, false
				}
			}
			params[name] = v
			continue
		}
		if seg != parts[i] {
			return nil, false
		}
	}
	if len(segs) != len(parts) {
		return nil, false
	}
	return params, true
}

// buildRoutes lists every endpoint. Order matters: the first match wins, so
// literal segments come before parameters that could also match them.
func (s *Sim) buildRoutes() []*route {
	var rs []*route
	add := func(method, pattern string, auth authMode, h func(*reqCtx) *response) {
		rs = append(rs, &route{
			method:  method,
			pattern: pattern,
			key:     method + " " + pattern,
			segs:    strings.Split(strings.Trim(pattern, "/"), "/"),
			auth:    auth,
			h:       h,
		})
	}
	// Apps.
	add("POST", "/app/installations/{installation_id}/access_tokens", authApp, s.handleCreateInstallationToken)
	add("GET", "/app/installations", authApp, s.handleListInstallations)
	add("GET", "/app/installations/{installation_id}", authApp, s.handleGetInstallation)
	add("GET", "/app", authApp, s.handleGetApp)
	add("GET", "/repos/{owner}/{repo}/installation", authApp, s.handleGetRepoInstallation)
	add("POST", "/app-manifests/{code}/conversions", authNone, s.handleManifestConversion)
	add("PATCH", "/app/hook/config", authApp, s.handleUpdateHookConfig)
	add("GET", "/rate_limit", authToken, s.handleRateLimit)
	add("GET", "/installation/repositories", authToken, s.handleListInstallationRepos)
	add("GET", "/user", authToken, s.handleGetAuthenticatedUser)

	// Repositories and git data.
	add("GET", "/repos/{owner}/{repo}", authToken, s.handleGetRepo)
	add("GET", "/repos/{owner}/{repo}/contents", authToken, s.handleGetContents)
	add("GET", "/repos/{owner}/{repo}/contents/{path...}", authToken, s.handleGetContents)
	add("PUT", "/repos/{owner}/{repo}/contents/{path...}", authToken, s.handlePutContents)
	add("GET", "/repos/{owner}/{repo}/branches", authToken, s.handleListBranches)
	add("GET", "/repos/{owner}/{repo}/branches/{branch...}", authToken, s.handleGetBranch)
	add("GET", "/repos/{owner}/{repo}/git/ref/{ref...}", authToken, s.handleGetRef)
	add("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref...}", authToken, s.handleMatchingRefs)
	add("GET", "/repos/{owner}/{repo}/git/matching-refs", authToken, s.handleMatchingRefs)
	add("POST", "/repos/{owner}/{repo}/git/refs", authToken, s.handleCreateRef)
	add("PATCH", "/repos/{owner}/{repo}/git/refs/{ref...}", authToken, s.handleUpdateRef)
	add("DELETE", "/repos/{owner}/{repo}/git/refs/{ref...}", authToken, s.handleDeleteRef)
	add("POST", "/repos/{owner}/{repo}/git/blobs", authToken, s.handleCreateBlob)
	add("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}", authToken, s.handleGetBlob)
	add("POST", "/repos/{owner}/{repo}/git/trees", authToken, s.handleCreateTree)
	add("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha...}", authToken, s.handleGetTree)
	add("POST", "/repos/{owner}/{repo}/git/commits", authToken, s.handleCreateCommit)
	add("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", authToken, s.handleGetCommit)
	add("GET", "/repos/{owner}/{repo}/commits", authToken, s.handleListCommits)

	// Issue comments and their reactions (before /issues/{issue_number}).
	add("GET", "/repos/{owner}/{repo}/issues/comments", authToken, s.handleListRepoComments)
	add("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", authToken, s.handleGetComment)
	add("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", authToken, s.handleUpdateComment)
	add("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}", authToken, s.handleDeleteComment)
	add("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", authToken, s.handleCreateCommentReaction)
	add("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", authToken, s.handleListCommentReactions)
	add("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}", authToken, s.handleDeleteCommentReaction)

	// Issues.
	add("GET", "/repos/{owner}/{repo}/issues", authToken, s.handleListIssues)
	add("POST", "/repos/{owner}/{repo}/issues", authToken, s.handleCreateIssue)
	add("GET", "/repos/{owner}/{repo}/issues/{issue_number}", authToken, s.handleGetIssue)
	add("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", authToken, s.handleUpdateIssue)
	add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels", authToken, s.handleListIssueLabels)
	add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", authToken, s.handleAddIssueLabels)
	add("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels", authToken, s.handleSetIssueLabels)
	add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels", authToken, s.handleClearIssueLabels)
	add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", authToken, s.handleRemoveIssueLabel)
	add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.handleListIssueComments)
	add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", authToken, s.handleCreateComment)
	add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/reactions", authToken, s.handleCreateIssueReaction)
	add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/reactions", authToken, s.handleListIssueReactions)
	add("GET", "/repos/{owner}/{repo}/labels", authToken, s.handleListLabels)
	add("POST", "/repos/{owner}/{repo}/labels", authToken, s.handleCreateLabel)
	add("GET", "/repos/{owner}/{repo}/labels/{name}", authToken, s.handleGetLabel)

	// People.
	add("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", authToken, s.handleGetPermission)
	add("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", authToken, s.handleGetTeamMembership)

	// Pull requests.
	add("GET", "/repos/{owner}/{repo}/pulls", authToken, s.handleListPulls)
	add("POST", "/repos/{owner}/{repo}/pulls", authToken, s.handleCreatePull)
	add("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", authToken, s.handleGetPull)
	add("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", authToken, s.handleUpdatePull)
	add("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge", authToken, s.handleMergePull)
	add("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/merge", authToken, s.handleGetPullMerged)
	add("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", authToken, s.handleListPullFiles)

	// GraphQL (graphql.go), also served at /api/graphql as GitHub
	// Enterprise Server serves it.
	add("POST", graphQLPath, authToken, s.handleGraphQL)
	rs[len(rs)-1].graphql = true
	return rs
}

// Routes returns the "METHOD /pattern" of every REST endpoint the
// simulator serves; POST /graphql is not one of them.
func (s *Sim) Routes() []string {
	out := make([]string, 0, len(s.routes))
	for _, rt := range s.routes {
		if !rt.graphql {
			out = append(out, rt.key)
		}
	}
	return out
}

// WaitForDeliveries blocks until every webhook queued so far has been
// delivered (or dropped), or ctx is done. An event held back by a
// WebhookFaults.Reorder fault is released and delivered first.
func (s *Sim) WaitForDeliveries(ctx context.Context) error {
	return s.hooks.wait(ctx)
}
