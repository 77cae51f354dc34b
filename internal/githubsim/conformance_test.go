package githubsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The conformance tests check the simulator against GitHub's own published
// descriptions: every REST response against the OpenAPI description
// (@octokit/openapi) and every webhook payload against the webhook schemas
// (@octokit/webhooks-schemas) and example payloads
// (@octokit/webhooks-examples). They read only the small files that
// testdata/conformance/fetch.sh derives from pinned versions of those
// packages, so they run offline.

const conformanceDir = "testdata/conformance"

// conformance is the derived testdata, loaded and compiled once.
type conformance struct {
	routes   map[string]string          // simulator route key -> "METHOD /openapi/path"
	ops      map[string]openAPIOp       // "METHOD /openapi/path" -> operation
	events   map[string][]string        // webhook event -> actions the simulator emits
	examples map[string]json.RawMessage // "event.action" -> GitHub's example payload

	mu       sync.Mutex // guards compiler and schemas
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

// openAPIOp is one operation of rest.json: the documented statuses and
// whether each has a JSON body schema.
type openAPIOp struct {
	index       int
	operationID string
	hasSchema   map[string]bool
}

const (
	restURL     = "file:///conformance/rest.json"
	webhooksURL = "file:///conformance/webhooks.json"
)

var (
	conformanceOnce sync.Once
	conformanceData *conformance
	conformanceErr  error
)

func loadConformance(t testing.TB) *conformance {
	t.Helper()
	conformanceOnce.Do(func() { conformanceData, conformanceErr = readConformance() })
	if conformanceErr != nil {
		t.Fatalf("load %s: %v", conformanceDir, conformanceErr)
	}
	return conformanceData
}

func readConformance() (*conformance, error) {
	c := &conformance{
		routes:   map[string]string{},
		ops:      map[string]openAPIOp{},
		examples: map[string]json.RawMessage{},
		compiler: jsonschema.NewCompiler(),
		schemas:  map[string]*jsonschema.Schema{},
	}
	// Formats (uri, date-time, email...) are assertions here, not notes.
	c.compiler.AssertFormat()
	// The library's uri-template check splits the template at slashes, so
	// it rejects expressions like {/sha} and GitHub's own examples with it.
	c.compiler.RegisterFormat(&jsonschema.Format{Name: "uri-template", Validate: validateURITemplate})

	var routes []struct{ Route, OpenAPI string }
	if err := readJSON("routes.json", &routes); err != nil {
		return nil, err
	}
	for _, r := range routes {
		if _, dup := c.routes[r.Route]; dup {
			return nil, fmt.Errorf("routes.json lists %q twice", r.Route)
		}
		c.routes[r.Route] = r.OpenAPI
	}

	var rest struct {
		Operations []struct {
			Method, Path, OperationID string
			Responses                 map[string]json.RawMessage
		}
	}
	if err := readJSON("rest.json", &rest); err != nil {
		return nil, err
	}
	for i, op := range rest.Operations {
		o := openAPIOp{index: i, operationID: op.OperationID, hasSchema: map[string]bool{}}
		for status, schema := range op.Responses {
			o.hasSchema[status] = string(schema) != "null"
		}
		c.ops[op.Method+" "+op.Path] = o
	}

	var hooks struct{ Events map[string][]string }
	if err := readJSON("webhooks.json", &hooks); err != nil {
		return nil, err
	}
	c.events = hooks.Events

	var examples struct {
		Examples []struct {
			Event, Action string
			Payload       json.RawMessage
		}
	}
	if err := readJSON("examples.json", &examples); err != nil {
		return nil, err
	}
	for _, e := range examples.Examples {
		c.examples[e.Event+"."+e.Action] = e.Payload
	}

	for name, u := range map[string]string{"rest.json": restURL, "webhooks.json": webhooksURL} {
		f, err := os.Open(filepath.Join(conformanceDir, name))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		if err := c.compiler.AddResource(u, doc); err != nil {
			return nil, fmt.Errorf("add %s: %w", name, err)
		}
	}
	return c, nil
}

// validateURITemplate accepts an RFC 6570 template: expressions in braces,
// not nested, each an optional operator and comma-separated variable names
// with optional modifiers, around text that is a URI.
func validateURITemplate(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	var literal strings.Builder
	for rest := s; rest != ""; {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			literal.WriteString(rest)
			break
		}
		if rest[open] == '}' {
			return fmt.Errorf("unmatched closing brace")
		}
		literal.WriteString(rest[:open])
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return fmt.Errorf("unclosed or nested expression")
		}
		if !uriTemplateExprRE.MatchString(rest[open+1 : open+1+end]) {
			return fmt.Errorf("invalid expression {%s}", rest[open+1:open+1+end])
		}
		literal.WriteString("x")
		rest = rest[open+1+end+1:]
	}
	if _, err := url.Parse(literal.String()); err != nil {
		return err
	}
	return nil
}

var uriTemplateExprRE = regexp.MustCompile(`^[+#./;?&]?[A-Za-z0-9_%.]+(:[0-9]+|\*)?(,[A-Za-z0-9_%.]+(:[0-9]+|\*)?)*$`)

func readJSON(name string, v any) error {
	data, err := os.ReadFile(filepath.Join(conformanceDir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

// schema compiles (once) the schema at a location in the derived files.
func (c *conformance) schema(loc string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[loc]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(loc)
	if err != nil {
		return nil, err
	}
	c.schemas[loc] = s
	return s, nil
}

// validate checks a JSON document against the schema at loc.
func (c *conformance) validate(loc string, body []byte) error {
	s, err := c.schema(loc)
	if err != nil {
		return fmt.Errorf("compile %s: %w", loc, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return s.Validate(doc)
}

// ---- REST ----

// exchange is one request the recorder saw and the simulator's answer.
type exchange struct {
	method string
	uri    string // path and query, as sent
	route  string // the simulator route that served it, "" when none
	status int
	header http.Header
	body   []byte
}

func (e exchange) String() string { return fmt.Sprintf("%s %s -> %d", e.method, e.uri, e.status) }

// recorder is an http.RoundTripper under the go-github and ghinstallation
// clients that keeps every exchange, attributed to the simulator route
// that served it.
type recorder struct {
	sim  *Sim
	next http.RoundTripper

	mu  sync.Mutex
	got []exchange
}

func (rec *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rec.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	p := strings.TrimPrefix(req.URL.EscapedPath(), "/api/v3")
	route := ""
	if rt, _ := rec.sim.match(req.Method, rec.sim.rewriteRepositoryID(p)); rt != nil {
		route = rt.key
	}
	rec.mu.Lock()
	rec.got = append(rec.got, exchange{method: req.Method, uri: req.URL.RequestURI(), route: route, status: resp.StatusCode, header: resp.Header.Clone(), body: body})
	rec.mu.Unlock()
	return resp, nil
}

func (rec *recorder) exchanges() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]exchange(nil), rec.got...)
}

// TestConformanceREST drives every route the simulator serves through
// go-github, authenticated by ghinstallation as production code is, and
// validates every response body against the schema GitHub's OpenAPI
// description gives for that operation and status: the successes, and the
// error answers the scenario provokes on purpose.
func TestConformanceREST(t *testing.T) {
	conf := loadConformance(t)
	f := newFixture(t, Options{})
	rec := &recorder{sim: f.sim, next: http.DefaultTransport}
	driveREST(t, f, rec)
	got := rec.exchanges()

	byRoute := map[string][]exchange{}
	for _, e := range got {
		if e.route == "" {
			t.Errorf("%v: no simulator route serves this request", e)
			continue
		}
		byRoute[e.route] = append(byRoute[e.route], e)
	}

	served := map[string]bool{}
	for _, route := range f.sim.Routes() {
		served[route] = true
		t.Run(route, func(t *testing.T) {
			opKey, ok := conf.routes[route]
			if !ok {
				t.Fatalf("route %s has no conformance case: map it to its OpenAPI operation in %s/routes.json, run fetch.sh, and drive it in driveREST", route, conformanceDir)
			}
			op, ok := conf.ops[opKey]
			if !ok {
				t.Fatalf("rest.json has no operation %s: run %s/fetch.sh", opKey, conformanceDir)
			}
			es := byRoute[route]
			success := false
			for _, e := range es {
				success = success || (e.status >= 200 && e.status < 300)
				checkRESTExchange(t, conf, opKey, op, e)
			}
			if !success {
				t.Errorf("driveREST made no successful call to %s (%s); exchanges: %v", route, op.operationID, es)
			}
		})
	}
	for route := range conf.routes {
		if !served[route] {
			t.Errorf("routes.json maps %s, which the simulator does not serve", route)
		}
	}

	// The main error shapes must have been exercised and checked above.
	for _, want := range []struct {
		route  string
		status int
	}{
		{"POST /app/installations/{installation_id}/access_tokens", http.StatusUnauthorized},
		{"GET /app/installations/{installation_id}", http.StatusNotFound},
		{"GET /repos/{owner}/{repo}/issues/{issue_number}", http.StatusNotFound},
		{"POST /repos/{owner}/{repo}/issues", http.StatusUnprocessableEntity},
		{"POST /repos/{owner}/{repo}/git/refs", http.StatusUnprocessableEntity},
		{"POST /repos/{owner}/{repo}/labels", http.StatusUnprocessableEntity},
		{"PUT /repos/{owner}/{repo}/contents/{path...}", http.StatusConflict},
		{"PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", http.StatusMethodNotAllowed},
	} {
		found := false
		for _, e := range byRoute[want.route] {
			found = found || e.status == want.status
		}
		if !found {
			t.Errorf("driveREST provoked no %d from %s", want.status, want.route)
		}
	}
}

// checkRESTExchange validates one response against the operation's
// documented response for its status.
func checkRESTExchange(t *testing.T, conf *conformance, opKey string, op openAPIOp, e exchange) {
	t.Helper()
	status := fmt.Sprint(e.status)
	hasSchema, documented := op.hasSchema[status]
	if !documented {
		t.Errorf("%v: %s does not document status %d (body %s)", e, opKey, e.status, e.body)
		return
	}
	if e.status == http.StatusNoContent || e.status == http.StatusNotModified {
		if len(e.body) != 0 {
			t.Errorf("%v: body %q, want none", e, e.body)
		}
		return
	}
	if ct := e.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%v: Content-Type %q, want application/json", e, ct)
	}
	if e.status >= 400 {
		// GitHub's error bodies always carry these two, whatever the
		// operation's description says (basic-error requires neither).
		var body struct {
			Message          *string `json:"message"`
			DocumentationURL *string `json:"documentation_url"`
		}
		if err := json.Unmarshal(e.body, &body); err != nil || body.Message == nil || *body.Message == "" || body.DocumentationURL == nil || !strings.HasPrefix(*body.DocumentationURL, "https://docs.github.com/") {
			t.Errorf("%v: error body %s lacks message or documentation_url", e, e.body)
		}
	}
	if !hasSchema {
		return
	}
	loc := fmt.Sprintf("%s#/operations/%d/responses/%s", restURL, op.index, status)
	if err := conf.validate(loc, e.body); err != nil {
		t.Errorf("%v does not match %s %s (%s):\n%v\nbody: %s", e, op.operationID, status, opKey, err, truncate(e.body, 4000))
	}
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// driveREST calls every route, in an order that builds the state the next
// call needs, through clients whose transport is rec.
func driveREST(t *testing.T, f *fixture, rec *recorder) {
	t.Helper()
	ctx := ctxT(t)
	sim := f.sim
	const owner, name = "acme", "newsletter"
	must(t, sim.SetPermission(testRepo, "alice", PermWrite))
	must(t, sim.AddTeamMember("acme", "maintainers", "alice", "maintainer"))

	enterprise := func(hc *http.Client) *github.Client {
		c, err := github.NewClient(hc).WithEnterpriseURLs(sim.URL(), sim.URL())
		if err != nil {
			t.Fatalf("WithEnterpriseURLs: %v", err)
		}
		return c
	}
	appTransport := func(key []byte) *ghinstallation.AppsTransport {
		atr, err := ghinstallation.NewAppsTransport(rec, testAppID, key)
		if err != nil {
			t.Fatalf("NewAppsTransport: %v", err)
		}
		atr.BaseURL = sim.URL()
		return atr
	}
	appKey := pemOf(f.key)
	_, otherKey := testKeys(t)
	app := enterprise(&http.Client{Transport: appTransport(appKey)})
	impostor := enterprise(&http.Client{Transport: appTransport(pemOf(otherKey))})
	anonymous := enterprise(&http.Client{Transport: rec})
	itr, err := ghinstallation.New(rec, testAppID, testInstallationID, appKey)
	if err != nil {
		t.Fatalf("ghinstallation.New: %v", err)
	}
	itr.BaseURL = sim.URL()
	gh := enterprise(&http.Client{Transport: itr})

	// ok fails the test when a call that should succeed did not.
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// fails fails the test when a call that should fail with status did not.
	fails := func(what string, resp *github.Response, err error, status int) {
		t.Helper()
		if err == nil || resp == nil || resp.StatusCode != status {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			t.Fatalf("%s: status %d, err %v; want %d", what, code, err, status)
		}
	}

	// Apps, with the app's JWT.
	_, _, err = app.Apps.Get(ctx, "")
	ok("get app", err)
	_, _, err = app.Apps.ListInstallations(ctx, nil)
	ok("list installations", err)
	_, _, err = app.Apps.GetInstallation(ctx, testInstallationID)
	ok("get installation", err)
	_, resp, err := app.Apps.GetInstallation(ctx, 999)
	fails("get a missing installation", resp, err, http.StatusNotFound)
	_, _, err = app.Apps.FindRepositoryInstallation(ctx, owner, name)
	ok("find repository installation", err)
	_, _, err = app.Apps.CreateInstallationToken(ctx, testInstallationID, &github.InstallationTokenOptions{Repositories: []string{name}})
	ok("create installation token for a repository", err)
	_, resp, err = impostor.Apps.CreateInstallationToken(ctx, testInstallationID, nil)
	fails("create installation token with a JWT signed by another key", resp, err, http.StatusUnauthorized)
	sim.RegisterManifestCode("manifest-code", AppConfig{
		ID: 43, Slug: "newsletter-bot-staging", Name: "newsletter-bot staging", Owner: "acme",
		ClientID: "Iv1.8a61f9b3a7aba766", ClientSecret: "1726be1638095a19edd134c77bde3aa2ece1e5d8",
		WebhookSecret: "e340154128314309424b7c8e90325147d99fdafa", PEM: string(pemOf(otherKey)),
	})
	_, _, err = anonymous.Apps.CompleteAppManifest(ctx, "manifest-code")
	ok("complete app manifest", err)
	_, resp, err = anonymous.Apps.CompleteAppManifest(ctx, "manifest-code")
	fails("complete an app manifest twice", resp, err, http.StatusNotFound)
	_, _, err = app.Apps.UpdateHookConfig(ctx, &github.HookConfig{Secret: github.String(testSecret)}) // the same secret: deliveries below still verify
	ok("update the app's webhook configuration", err)

	// From here on, as the installation (the first call fetches its token
	// through POST /app/installations/{id}/access_tokens).
	_, _, err = gh.RateLimit.Get(ctx)
	ok("get rate limit", err)
	repos, _, err := gh.Apps.ListRepos(ctx, &github.ListOptions{PerPage: 1})
	ok("list the installation's repositories", err)
	if repos.GetTotalCount() < 1 || len(repos.Repositories) != 1 {
		t.Errorf("installation repositories: total %d, %d on a page of 1", repos.GetTotalCount(), len(repos.Repositories))
	}
	_, resp, err = gh.Users.Get(ctx, "")
	fails("get the authenticated user with an installation token", resp, err, http.StatusForbidden)
	must(t, f.sim.AddUser("carol"))
	carolToken, err := sim.UserToken("carol")
	ok("carol's token", err)
	me, _, err := anonymous.WithAuthToken(carolToken).Users.Get(ctx, "")
	ok("get the authenticated user", err)
	if me.GetLogin() != "carol" {
		t.Errorf("GET /user with carol's token: login %q", me.GetLogin())
	}
	_, _, err = gh.Repositories.Get(ctx, owner, name)
	ok("get repository", err)

	// Contents.
	_, _, _, err = gh.Repositories.GetContents(ctx, owner, name, "", nil)
	ok("list root contents", err)
	_, _, _, err = gh.Repositories.GetContents(ctx, owner, name, "newsletter", nil)
	ok("list a directory", err)
	_, _, _, err = gh.Repositories.GetContents(ctx, owner, name, "README.md", nil)
	ok("get a file", err)
	_, _, resp, err = gh.Repositories.GetContents(ctx, owner, name, "missing.md", nil)
	fails("get a missing file", resp, err, http.StatusNotFound)
	created, _, err := gh.Repositories.CreateFile(ctx, owner, name, "newsletter/2025-01-28.md", &github.RepositoryContentFileOptions{
		Message: github.String("Add edition 41"), Content: []byte("# OSPO Newsletter 41\n"), Branch: github.String("main"),
	})
	ok("create a file", err)
	_, _, err = gh.Repositories.UpdateFile(ctx, owner, name, "newsletter/2025-01-28.md", &github.RepositoryContentFileOptions{
		Message: github.String("Edit edition 41"), Content: []byte("# OSPO Newsletter 41\n\nHello.\n"), SHA: created.Content.SHA,
	})
	ok("update a file", err)
	_, resp, err = gh.Repositories.UpdateFile(ctx, owner, name, "newsletter/2025-01-28.md", &github.RepositoryContentFileOptions{
		Message: github.String("Stale edit"), Content: []byte("stale\n"), SHA: created.Content.SHA,
	})
	fails("update a file from a stale sha", resp, err, http.StatusConflict)
	_, _, err = gh.Repositories.GetBranch(ctx, owner, name, "main", 0)
	ok("get branch", err)
	commits, _, err := gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: "main", ListOptions: github.ListOptions{PerPage: 2}})
	ok("list commits", err)
	if len(commits) != 2 || commits[0].GetCommit().GetMessage() != "Edit edition 41" {
		t.Errorf("ListCommits(main, per_page=2): %d commits, the first %q; want 2, the newest first", len(commits), commits[0].GetCommit().GetMessage())
	}
	_, _, err = gh.Repositories.ListCommits(ctx, owner, name, nil)
	ok("list the default branch's commits", err)
	_, resp, err = gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: "no-such-branch"})
	fails("list the commits of a missing branch", resp, err, http.StatusNotFound)

	// Git data: blob, tree, commit, refs.
	mainRef, _, err := gh.Git.GetRef(ctx, owner, name, "heads/main")
	ok("get ref", err)
	mainSHA := mainRef.GetObject().GetSHA()
	_, _, err = gh.Git.ListMatchingRefs(ctx, owner, name, &github.ReferenceListOptions{Ref: "heads/"})
	ok("list matching refs", err)
	_, _, err = gh.Git.ListMatchingRefs(ctx, owner, name, nil)
	ok("list all refs", err)
	blob, _, err := gh.Git.CreateBlob(ctx, owner, name, &github.Blob{Content: github.String("- [Blog] Title — summary.\n"), Encoding: github.String("utf-8")})
	ok("create blob", err)
	_, _, err = gh.Git.GetBlob(ctx, owner, name, blob.GetSHA())
	ok("get blob", err)
	mainCommit, _, err := gh.Git.GetCommit(ctx, owner, name, mainSHA)
	ok("get commit", err)
	_, _, err = gh.Git.GetTree(ctx, owner, name, mainCommit.GetTree().GetSHA(), true)
	ok("get tree", err)
	tree, _, err := gh.Git.CreateTree(ctx, owner, name, mainCommit.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.String("newsletter/2025-02-25.md"), Mode: github.String("100644"), Type: github.String("blob"), SHA: blob.SHA},
	})
	ok("create tree", err)
	commit, _, err := gh.Git.CreateCommit(ctx, owner, name, &github.Commit{
		Message: github.String("Draft edition 42"), Tree: &github.Tree{SHA: tree.SHA}, Parents: []*github.Commit{{SHA: github.String(mainSHA)}},
	}, nil)
	ok("create commit", err)
	_, _, err = gh.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/newsletter/edition-42"), Object: &github.GitObject{SHA: github.String(mainSHA)}})
	ok("create ref", err)
	_, resp, err = gh.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/newsletter/edition-42"), Object: &github.GitObject{SHA: github.String(mainSHA)}})
	fails("create an existing ref", resp, err, http.StatusUnprocessableEntity)
	_, _, err = gh.Git.UpdateRef(ctx, owner, name, &github.Reference{Ref: github.String("heads/newsletter/edition-42"), Object: &github.GitObject{SHA: commit.SHA}}, false)
	ok("update ref", err)
	_, _, err = gh.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/scratch"), Object: &github.GitObject{SHA: github.String(mainSHA)}})
	ok("create a scratch ref", err)
	_, err = gh.Git.DeleteRef(ctx, owner, name, "heads/scratch")
	ok("delete ref", err)
	branches, _, err := gh.Repositories.ListBranches(ctx, owner, name, nil)
	ok("list branches", err)
	if len(branches) != 2 || branches[0].GetName() != "main" || branches[1].GetName() != "newsletter/edition-42" {
		t.Errorf("ListBranches: %d branches (%v), want main and newsletter/edition-42", len(branches), branches)
	}

	// Labels.
	_, _, err = gh.Issues.ListLabels(ctx, owner, name, nil)
	ok("list labels", err)
	_, _, err = gh.Issues.CreateLabel(ctx, owner, name, &github.Label{Name: github.String("newsletter: needs-info"), Color: github.String("fbca04"), Description: github.String("The submission misses something")})
	ok("create label", err)
	_, resp, err = gh.Issues.CreateLabel(ctx, owner, name, &github.Label{Name: github.String("newsletter: needs-info"), Color: github.String("fbca04")})
	fails("create an existing label", resp, err, http.StatusUnprocessableEntity)
	_, _, err = gh.Issues.GetLabel(ctx, owner, name, "newsletter: needs-info")
	ok("get label", err)

	// Issues and their labels.
	iss, _, err := gh.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title: github.String("[Job] Comcast | Engineer, Open Source"), Body: github.String("### Company\n\nComcast\n"), Labels: &[]string{"newsletter"},
	})
	ok("create issue", err)
	n := iss.GetNumber()
	_, resp, err = gh.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("")})
	fails("create an issue without a title", resp, err, http.StatusUnprocessableEntity)
	_, _, err = gh.Issues.Get(ctx, owner, name, n)
	ok("get issue", err)
	_, resp, err = gh.Issues.Get(ctx, owner, name, 999)
	fails("get a missing issue", resp, err, http.StatusNotFound)
	_, _, err = gh.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{Body: github.String("### Company\n\nComcast\n\n### Role\n\nEngineer\n")})
	ok("edit issue", err)
	_, _, err = gh.Issues.AddLabelsToIssue(ctx, owner, name, n, []string{"bug"})
	ok("add labels", err)
	_, _, err = gh.Issues.ListLabelsByIssue(ctx, owner, name, n, nil)
	ok("list issue labels", err)
	_, _, err = gh.Issues.ReplaceLabelsForIssue(ctx, owner, name, n, []string{"newsletter", "newsletter: needs-info"})
	ok("replace labels", err)
	_, err = gh.Issues.RemoveLabelForIssue(ctx, owner, name, n, "newsletter: needs-info")
	ok("remove label", err)
	_, err = gh.Issues.RemoveLabelsForIssue(ctx, owner, name, n)
	ok("remove all labels", err)
	_, _, err = gh.Issues.AddLabelsToIssue(ctx, owner, name, n, []string{"newsletter"})
	ok("add labels back", err)

	// Comments and reactions.
	cm, _, err := gh.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String("<!-- newsletter-bot:status -->\nThanks!")})
	ok("create comment", err)
	_, _, err = gh.Issues.ListComments(ctx, owner, name, n, nil)
	ok("list issue comments", err)
	_, _, err = gh.Issues.ListComments(ctx, owner, name, 0, nil)
	ok("list repository comments", err)
	_, _, err = gh.Issues.GetComment(ctx, owner, name, cm.GetID())
	ok("get comment", err)
	_, _, err = gh.Issues.EditComment(ctx, owner, name, cm.GetID(), &github.IssueComment{Body: github.String("<!-- newsletter-bot:status -->\nAccepted.")})
	ok("edit comment", err)
	x, _, err := gh.Reactions.CreateIssueCommentReaction(ctx, owner, name, cm.GetID(), "+1")
	ok("react to comment", err)
	_, _, err = gh.Reactions.CreateIssueCommentReaction(ctx, owner, name, cm.GetID(), "+1")
	ok("react to comment again", err)
	_, _, err = gh.Reactions.ListIssueCommentReactions(ctx, owner, name, cm.GetID(), nil)
	ok("list comment reactions", err)
	_, err = gh.Reactions.DeleteIssueCommentReaction(ctx, owner, name, cm.GetID(), x.GetID())
	ok("delete comment reaction", err)
	_, _, err = gh.Reactions.CreateIssueReaction(ctx, owner, name, n, "eyes")
	ok("react to issue", err)
	_, _, err = gh.Reactions.CreateIssueReaction(ctx, owner, name, n, "eyes")
	ok("react to issue again", err)
	_, _, err = gh.Reactions.ListIssueReactions(ctx, owner, name, n, nil)
	ok("list issue reactions", err)
	doomed, _, err := gh.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String("to be deleted")})
	ok("create a second comment", err)
	_, err = gh.Issues.DeleteComment(ctx, owner, name, doomed.GetID())
	ok("delete comment", err)
	_, _, err = gh.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("not_planned")})
	ok("close issue", err)

	// People.
	_, _, err = gh.Repositories.GetPermissionLevel(ctx, owner, name, "alice")
	ok("get permission level", err)
	_, _, err = gh.Teams.GetTeamMembershipBySlug(ctx, owner, "maintainers", "alice")
	ok("get team membership", err)

	// Pull requests.
	pr, _, err := gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{
		Title: github.String("OSPO Newsletter 42"), Head: github.String("newsletter/edition-42"), Base: github.String("main"), Body: github.String("In this edition: 1 job."),
	})
	ok("create pull request", err)
	_, _, err = gh.PullRequests.List(ctx, owner, name, nil)
	ok("list pull requests", err)
	_, _, err = gh.PullRequests.Get(ctx, owner, name, pr.GetNumber())
	ok("get pull request", err)
	files, _, err := gh.PullRequests.ListFiles(ctx, owner, name, pr.GetNumber(), nil)
	ok("list pull request files", err)
	if len(files) != 1 || files[0].GetFilename() != "newsletter/2025-02-25.md" || files[0].GetStatus() != "added" {
		t.Errorf("ListFiles: %v, want newsletter/2025-02-25.md added", files)
	}
	_, _, err = gh.PullRequests.Edit(ctx, owner, name, pr.GetNumber(), &github.PullRequest{Title: github.String("OSPO Newsletter 42 (draft)")})
	ok("edit pull request", err)
	merged, resp, err := gh.PullRequests.IsMerged(ctx, owner, name, pr.GetNumber())
	ok("is merged before the merge", err)
	if merged || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("IsMerged before the merge = %v (status %d), want false (404)", merged, resp.StatusCode)
	}
	_, _, err = gh.PullRequests.Merge(ctx, owner, name, pr.GetNumber(), "", &github.PullRequestOptions{MergeMethod: "merge"})
	ok("merge pull request", err)
	_, resp, err = gh.PullRequests.Merge(ctx, owner, name, pr.GetNumber(), "", nil)
	fails("merge a merged pull request", resp, err, http.StatusMethodNotAllowed)
	merged, _, err = gh.PullRequests.IsMerged(ctx, owner, name, pr.GetNumber())
	ok("is merged", err)
	if !merged {
		t.Fatalf("IsMerged after the merge = false, want true")
	}
	// The lists again, now holding a closed issue and a merged pull request.
	_, _, err = gh.Issues.ListByRepo(ctx, owner, name, &github.IssueListByRepoOptions{State: "all"})
	ok("list issues", err)
	_, _, err = gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "all"})
	ok("list all pull requests", err)
	_, _, err = gh.PullRequests.Get(ctx, owner, name, pr.GetNumber())
	ok("get the merged pull request", err)
	_, _, err = gh.PullRequests.ListFiles(ctx, owner, name, pr.GetNumber(), &github.ListOptions{PerPage: 1})
	ok("list the merged pull request's files", err)
	_, _, err = gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: "main"})
	ok("list commits through a merge", err)
}

// ---- webhooks ----

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestConformanceWebhooks triggers every event and action the simulator
// emits, receives the deliveries over HTTP, and checks each against GitHub's
// webhook schema and example payload, and its headers and signature.
func TestConformanceWebhooks(t *testing.T) {
	conf := loadConformance(t)
	f := newFixture(t, Options{})
	driveWebhooks(t, f)
	f.waitHooks(t)

	got := f.recv.all()
	emitted := map[string]Event{}
	for _, ev := range f.sim.Events() {
		emitted[ev.DeliveryID] = ev
	}
	if len(got) != len(emitted) {
		t.Errorf("received %d deliveries, the simulator emitted %d events", len(got), len(emitted))
	}
	seenIDs := map[string]bool{}
	seenKinds := map[string]bool{}
	for _, d := range got {
		kind := d.Event + "." + d.Action
		seenKinds[kind] = true
		id := d.Header.Get("X-GitHub-Delivery")
		if seenIDs[id] {
			t.Errorf("%s: X-GitHub-Delivery %q was already used", kind, id)
		}
		seenIDs[id] = true
		if ev, ok := emitted[id]; !ok || ev.Event != d.Event || !bytes.Equal(ev.Payload, d.Body) {
			t.Errorf("%s: delivery %q is not the event the simulator recorded under that id (%s.%s)", kind, id, ev.Event, ev.Action)
		}
		t.Run(kind, func(t *testing.T) { checkDelivery(t, conf, d) })
	}
	for event, actions := range conf.events {
		for _, action := range actions {
			if !seenKinds[event+"."+action] {
				t.Errorf("driveWebhooks triggered no %s.%s", event, action)
			}
		}
	}
}

// checkDelivery checks one received webhook.
func checkDelivery(t *testing.T, conf *conformance, d received) {
	t.Helper()
	if d.Event == "" {
		t.Fatalf("no X-GitHub-Event header")
	}
	if id := d.Header.Get("X-GitHub-Delivery"); !uuidRE.MatchString(id) {
		t.Errorf("X-GitHub-Delivery = %q, want a version 4 UUID", id)
	}
	if ua := d.Header.Get("User-Agent"); !strings.HasPrefix(ua, "GitHub-Hookshot/") {
		t.Errorf("User-Agent = %q, want GitHub-Hookshot/...", ua)
	}
	// ValidatePayload below would fall back on the SHA-1 X-Hub-Signature;
	// check the SHA-256 one on its own.
	sig := d.Header.Get("X-Hub-Signature-256")
	if !strings.HasPrefix(sig, "sha256=") {
		t.Errorf("X-Hub-Signature-256 = %q, want sha256=...", sig)
	} else if _, err := github.ValidatePayloadFromBody("application/json", bytes.NewReader(d.Body), sig, []byte(testSecret)); err != nil {
		t.Errorf("X-Hub-Signature-256 %q: %v", sig, err)
	}
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(d.Body))
	req.Header = d.Header.Clone()
	if _, err := github.ValidatePayload(req, []byte(testSecret)); err != nil {
		t.Errorf("github.ValidatePayload: %v", err)
	}
	if got := github.WebHookType(req); got != d.Event {
		t.Errorf("github.WebHookType = %q, want %q", got, d.Event)
	}
	if _, err := github.ParseWebHook(d.Event, d.Body); err != nil {
		t.Errorf("github.ParseWebHook(%q): %v", d.Event, err)
	}

	loc := fmt.Sprintf("%s#/definitions/%s$%s", webhooksURL, d.Event, d.Action)
	known := false
	for _, a := range conf.events[d.Event] {
		known = known || a == d.Action
	}
	if !known {
		t.Fatalf("%s.%s is not in webhooks.json: add it to EVENTS in derive.js and run fetch.sh", d.Event, d.Action)
	}
	if err := conf.validate(loc, d.Body); err != nil {
		t.Errorf("payload does not match the %s.%s schema:\n%v\npayload: %s", d.Event, d.Action, err, truncate(d.Body, 4000))
	}

	// Keys GitHub's own example carries that the simulator leaves out.
	// (Extra keys are the schema's business; it forbids most.)
	if raw, ok := conf.examples[d.Event+"."+d.Action]; ok {
		var ex any
		if err := json.Unmarshal(raw, &ex); err != nil {
			t.Fatalf("decode GitHub's example: %v", err)
		}
		var missing []string
		for _, p := range missingKeys("", ex, d.Payload) {
			if !notModelled(d.Event+"."+d.Action, p) {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			t.Errorf("payload lacks keys of GitHub's example: %s", strings.Join(missing, ", "))
		}
	}
}

// exampleDataKeys are keys of GitHub's example payloads that hold data the
// simulator does not model rather than structure it leaves out, by
// "event.action" ("*" for every one), with everything under them.
var exampleDataKeys = map[string][]string{
	// The example app was granted other permissions than the simulated one.
	"*": {"installation.permissions"},
	// Only an issue transferred from another repository carries changes.
	"issues.opened": {"changes"},
}

func notModelled(kind, path string) bool {
	for _, k := range append(exampleDataKeys["*"], exampleDataKeys[kind]...) {
		if path == k || strings.HasPrefix(path, k+".") {
			return true
		}
	}
	return false
}

// missingKeys lists, as dotted paths, the object keys present in want that
// got lacks, descending into objects and the first element of arrays.
func missingKeys(path string, want, got any) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return nil
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			gv, ok := g[k]
			if !ok {
				out = append(out, p)
				continue
			}
			out = append(out, missingKeys(p, w[k], gv)...)
		}
	case []any:
		if g, ok := got.([]any); ok && len(w) > 0 && len(g) > 0 {
			out = append(out, missingKeys(path+"[0]", w[0], g[0])...)
		}
	}
	return out
}

// driveWebhooks makes the simulator emit every event and action it knows,
// through the REST API and through actors.
func driveWebhooks(t *testing.T, f *fixture) {
	t.Helper()
	ctx := ctxT(t)
	sim := f.sim
	const owner, name = "acme", "newsletter"
	gh := f.installationClient(t)
	must(t, sim.SetPermission(testRepo, "alice", PermWrite))
	must(t, sim.SetPermission(testRepo, "bob", PermRead))
	alice, bob := sim.Actor("alice"), sim.Actor("bob")
	ok := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// installation.created was emitted by newFixture's Install.
	must(t, sim.CreateRepo(RepoSpec{Owner: "acme", Name: "events", Files: map[string]string{"README.md": "# Events\n"}}))
	ok("add repository to installation", sim.AddInstallationRepos(testInstallationID, "acme/events"))
	ok("remove repository from installation", sim.RemoveInstallationRepos(testInstallationID, "acme/events"))

	// issues, by an outside contributor and by the app.
	sub, err := bob.OpenIssue(testRepo, "[News] Open source in 2025", "### Link\n\nhttps://example.com/news\n")
	ok("bob opens an issue", err)
	iss, _, err := gh.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("Edition 42 tracking"), Labels: &[]string{"newsletter"}})
	ok("app opens a labeled issue", err)
	_, _, err = gh.Issues.Edit(ctx, owner, name, sub.Number, &github.IssueRequest{Title: github.String("[News] Open source in 2025 (updated)"), Body: github.String("### Link\n\nhttps://example.com/news2\n")})
	ok("app edits an issue", err)
	_, _, err = gh.Issues.AddLabelsToIssue(ctx, owner, name, sub.Number, []string{"newsletter: needs-info"})
	ok("app labels an issue", err)
	ok("alice unlabels an issue", alice.RemoveLabel(testRepo, sub.Number, "newsletter: needs-info"))
	notPlanned := "not_planned"
	closed := "closed"
	_, err = alice.EditIssue(testRepo, iss.GetNumber(), IssueEdit{State: &closed, StateReason: &notPlanned})
	ok("alice closes an issue as not planned", err)
	_, err = alice.ReopenIssue(testRepo, iss.GetNumber())
	ok("alice reopens an issue", err)

	// issue_comment.
	c, err := alice.Comment(testRepo, sub.Number, "/newsletter accept")
	ok("alice comments", err)
	bot, _, err := gh.Issues.CreateComment(ctx, owner, name, sub.Number, &github.IssueComment{Body: github.String("<!-- newsletter-bot:status -->\nAccepted.")})
	ok("app comments", err)
	_, _, err = gh.Issues.EditComment(ctx, owner, name, bot.GetID(), &github.IssueComment{Body: github.String("<!-- newsletter-bot:status -->\nAccepted for edition 42.")})
	ok("app edits its comment", err)
	_, err = alice.EditComment(testRepo, c.ID, "/newsletter defer")
	ok("alice edits her comment", err)
	ok("alice deletes her comment", alice.DeleteComment(testRepo, c.ID))

	// pull_request, and issue_comment on a pull request.
	_, err = alice.Push(testRepo, "newsletter/edition-42", Push{Files: map[string]string{"newsletter/2025-02-25.md": "# OSPO Newsletter 42\n"}, Message: "Draft edition 42"})
	ok("alice pushes a branch", err)
	pr, err := alice.OpenPR(testRepo, PullSpec{Head: "newsletter/edition-42", Title: "OSPO Newsletter 42", Body: "Draft.", Draft: true})
	ok("alice opens a draft pull request", err)
	_, err = alice.MarkReady(testRepo, pr.Number)
	ok("alice marks the pull request ready", err)
	tok, err := sim.InstallationToken(testInstallationID)
	ok("installation token", err)
	resp, body := doJSON(t, http.MethodPost, sim.URL()+"/graphql", tok,
		`{"query":"mutation($id: ID!) { convertPullRequestToDraft(input: {pullRequestId: $id}) { pullRequest { isDraft } } }","variables":{"id":"`+pr.NodeID+`"}}`)
	if resp.StatusCode != http.StatusOK || lookup(body, "data.convertPullRequestToDraft.pullRequest.isDraft") != true {
		t.Fatalf("the app turns the pull request back into a draft through GraphQL: %d %v", resp.StatusCode, body)
	}
	_, err = alice.MarkReady(testRepo, pr.Number)
	ok("alice marks the pull request ready again", err)
	_, err = alice.Push(testRepo, "newsletter/edition-42", Push{Files: map[string]string{"newsletter/2025-02-25.md": "# OSPO Newsletter 42\n\nIntro.\n"}})
	ok("alice pushes to the pull request", err)
	_, _, err = gh.PullRequests.Edit(ctx, owner, name, pr.Number, &github.PullRequest{Title: github.String("OSPO Newsletter 42 (draft)")})
	ok("app edits the pull request title", err)
	_, err = alice.Push(testRepo, "release", Push{Files: map[string]string{"RELEASE.md": "release branch\n"}})
	ok("alice pushes a release branch", err)
	_, _, err = gh.PullRequests.Edit(ctx, owner, name, pr.Number, &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("release")}})
	ok("app changes the pull request base", err)
	_, _, err = gh.PullRequests.Edit(ctx, owner, name, pr.Number, &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.String("main")}})
	ok("app changes the pull request base back", err)
	_, _, err = gh.Issues.AddLabelsToIssue(ctx, owner, name, pr.Number, []string{"newsletter"})
	ok("app labels the pull request", err)
	_, err = gh.Issues.RemoveLabelForIssue(ctx, owner, name, pr.Number, "newsletter")
	ok("app unlabels the pull request", err)
	_, err = alice.Comment(testRepo, pr.Number, "Looks good.")
	ok("alice comments on the pull request", err)
	_, err = alice.CloseIssue(testRepo, pr.Number)
	ok("alice closes the pull request", err)
	_, err = alice.ReopenIssue(testRepo, pr.Number)
	ok("alice reopens the pull request", err)
	_, err = alice.MergePR(testRepo, pr.Number)
	ok("alice merges the pull request", err)

	// installation.deleted last: nothing is delivered for the repository after.
	ok("uninstall", sim.Uninstall(testInstallationID))
}

// TestConformanceExamples checks the derived webhook schemas against
// GitHub's own example payloads: if they disagree, derive.js (or the pinned
// packages) is wrong, not the simulator.
func TestConformanceExamples(t *testing.T) {
	conf := loadConformance(t)
	if len(conf.examples) == 0 {
		t.Fatal("examples.json holds no examples")
	}
	for kind, payload := range conf.examples {
		t.Run(kind, func(t *testing.T) {
			event, action, _ := strings.Cut(kind, ".")
			if err := conf.validate(fmt.Sprintf("%s#/definitions/%s$%s", webhooksURL, event, action), payload); err != nil {
				t.Errorf("GitHub's example does not match the derived schema:\n%v", err)
			}
		})
	}
}

// TestConformanceSchemasReject guards against a validator that accepts
// anything: a document GitHub sends passes, and each small corruption of it
// that GitHub would never send fails.
func TestConformanceSchemasReject(t *testing.T) {
	conf := loadConformance(t)
	var payload map[string]any
	if err := json.Unmarshal(conf.examples["issues.opened"], &payload); err != nil {
		t.Fatalf("decode the issues.opened example: %v", err)
	}
	issueJSON, err := json.Marshal(payload["issue"]) // GitHub's issue, also REST-shaped
	if err != nil {
		t.Fatal(err)
	}
	opLoc := func(op, status string) string {
		return fmt.Sprintf("%s#/operations/%d/responses/%s", restURL, conf.ops[op].index, status)
	}
	var (
		issueLoc    = opLoc("GET /repos/{owner}/{repo}/issues/{issue_number}", "200")
		invalidLoc  = opLoc("POST /repos/{owner}/{repo}/issues", "422")
		openedLoc   = webhooksURL + "#/definitions/issues$opened"
		openedJSON  = []byte(conf.examples["issues.opened"])
		invalidJSON = []byte(`{"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest", "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}]}`)
	)
	for _, tc := range []struct {
		name    string
		loc     string
		valid   []byte
		corrupt func(doc map[string]any)
	}{
		{"issue_without_a_title", issueLoc, issueJSON, func(d map[string]any) { delete(d, "title") }},
		{"issue_with_a_string_number", issueLoc, issueJSON, func(d map[string]any) { d["number"] = "1" }},
		{"issue_with_a_null_user_login", issueLoc, issueJSON, func(d map[string]any) { d["user"].(map[string]any)["login"] = nil }},
		{"issue_with_an_html_url_that_is_no_uri", issueLoc, issueJSON, func(d map[string]any) { d["html_url"] = "not a uri" }},
		{"validation_error_without_documentation_url", invalidLoc, invalidJSON, func(d map[string]any) { delete(d, "documentation_url") }},
		{"validation_error_without_an_error_code", invalidLoc, invalidJSON, func(d map[string]any) { delete(d["errors"].([]any)[0].(map[string]any), "code") }},
		{"issues_opened_with_another_action", openedLoc, openedJSON, func(d map[string]any) { d["action"] = "closed" }},
		{"issues_opened_with_an_unknown_key", openedLoc, openedJSON, func(d map[string]any) { d["surprise"] = true }},
		{"issues_opened_without_a_sender", openedLoc, openedJSON, func(d map[string]any) { delete(d, "sender") }},
		{"issues_opened_with_a_numeric_body", openedLoc, openedJSON, func(d map[string]any) { d["issue"].(map[string]any)["body"] = 42 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := conf.validate(tc.loc, tc.valid); err != nil {
				t.Fatalf("%s rejects the uncorrupted document: %v", tc.loc, err)
			}
			var doc map[string]any
			if err := json.Unmarshal(tc.valid, &doc); err != nil {
				t.Fatal(err)
			}
			tc.corrupt(doc)
			corrupted, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := conf.validate(tc.loc, corrupted); err == nil {
				t.Errorf("%s accepts the corrupted document %s", tc.loc, truncate(corrupted, 300))
			}
		})
	}
}
