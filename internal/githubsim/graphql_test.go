package githubsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The GraphQL tests talk plain HTTP, as any client does (go-github has no
// GraphQL), and compare the answers as JSON text where the order of keys
// is part of what GitHub answers.

// draftFixture opens a draft pull request (#1) by alice, who has write
// access, and returns its node_id as the REST API gives it.
func draftFixture(t *testing.T, opts Options) (*fixture, string) {
	t.Helper()
	f := newFixture(t, opts)
	must(t, f.sim.SetPermission(testRepo, "alice", PermWrite))
	must(t, f.sim.SetPermission(testRepo, "bob", PermRead))
	alice := f.sim.Actor("alice")
	_, err := alice.Push(testRepo, "newsletter/edition-44", Push{Files: map[string]string{"newsletter/2026-12-29.md": "# OSPO Newsletter 44\n"}})
	must(t, err)
	_, err = alice.OpenPR(testRepo, PullSpec{Head: "newsletter/edition-44", Title: "OSPO Newsletter 44", Draft: true})
	must(t, err)
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	resp, body := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter/pulls", tok, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET pulls = %d %v", resp.StatusCode, body)
	}
	list, _ := body.([]any)
	if len(list) != 1 {
		t.Fatalf("GET pulls = %v, want the draft alone", body)
	}
	id, _ := lookup(list[0], "node_id").(string)
	if id == "" {
		t.Fatalf("the draft has no node_id: %v", list[0])
	}
	f.waitHooks(t)
	return f, id
}

// postGraphQL posts a GraphQL body to path with an Authorization header as
// given and returns the status and the body as text.
func postGraphQL(t *testing.T, url, authorization, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

func graphQLBody(t *testing.T, query string, vars map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// restDraft reads a pull request's draft flag through REST.
func restDraft(t *testing.T, f *fixture, number int) any {
	t.Helper()
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	_, body := doJSON(t, http.MethodGet, fmt.Sprintf("%s/repos/acme/newsletter/pulls/%d", f.sim.URL(), number), tok, "")
	return lookup(body, "draft")
}

func TestGraphQLMarkReadyAndConvertToDraft(t *testing.T) {
	f, id := draftFixture(t, Options{})
	aliceTok, err := f.sim.UserToken("alice")
	must(t, err)

	t.Run("marking a draft ready with a variable answers as GitHub does", func(t *testing.T) {
		status, got := postGraphQL(t, f.sim.URL()+"/graphql", "bearer "+aliceTok, graphQLBody(t,
			`mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id, clientMutationId: "m1"}) { pullRequest { id isDraft number } clientMutationId } }`,
			map[string]any{"id": id}))
		want := `{"data":{"markPullRequestReadyForReview":{"pullRequest":{"id":"` + id + `","isDraft":false,"number":1},"clientMutationId":"m1"}}}`
		if status != http.StatusOK || got != want {
			t.Fatalf("POST /graphql = %d %s, want 200 %s", status, got, want)
		}
		if d := restDraft(t, f, 1); d != false {
			t.Errorf("REST draft after markPullRequestReadyForReview = %v, want false", d)
		}
		f.waitHooks(t)
		last := f.sim.Events()[len(f.sim.Events())-1]
		var p struct {
			Sender      struct{ Login string }
			PullRequest struct{ Draft bool } `json:"pull_request"`
		}
		must(t, json.Unmarshal(last.Payload, &p))
		if last.Event+"."+last.Action != "pull_request.ready_for_review" || p.Sender.Login != "alice" || p.PullRequest.Draft {
			t.Errorf("last event = %s.%s by %s (draft %v), want pull_request.ready_for_review by alice, not a draft", last.Event, last.Action, p.Sender.Login, p.PullRequest.Draft)
		}
	})

	t.Run("marking a ready pull request ready again changes nothing and sends nothing", func(t *testing.T) {
		before := len(f.sim.Events())
		status, got := postGraphQL(t, f.sim.URL()+"/graphql", "token "+aliceTok, graphQLBody(t,
			`mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } clientMutationId } }`,
			map[string]any{"id": id}))
		if want := `{"data":{"markPullRequestReadyForReview":{"pullRequest":{"isDraft":false},"clientMutationId":null}}}`; status != http.StatusOK || got != want {
			t.Fatalf("POST /graphql = %d %s, want 200 %s", status, got, want)
		}
		f.waitHooks(t)
		if n := len(f.sim.Events()); n != before {
			t.Errorf("%d events after a no-op, want none", n-before)
		}
	})

	t.Run("the app converts it to a draft at GitHub Enterprise's path with an inline id, aliases and fragments", func(t *testing.T) {
		tok, err := f.sim.InstallationToken(testInstallationID)
		must(t, err)
		query := `mutation Convert { back: convertPullRequestToDraft(input: {pullRequestId: "` + id + `"}) { __typename pr: pullRequest { ...PR ... on Node { id } state url title } } }
fragment PR on PullRequest { number isDraft }`
		status, got := postGraphQL(t, f.sim.URL()+"/api/graphql", "token "+tok, graphQLBody(t, query, nil))
		want := `{"data":{"back":{"__typename":"ConvertPullRequestToDraftPayload","pr":{"number":1,"isDraft":true,"id":"` + id +
			`","state":"OPEN","url":"https://github.com/acme/newsletter/pull/1","title":"OSPO Newsletter 44"}}}}`
		if status != http.StatusOK || got != want {
			t.Fatalf("POST /api/graphql = %d %s, want 200 %s", status, got, want)
		}
		if d := restDraft(t, f, 1); d != true {
			t.Errorf("REST draft after convertPullRequestToDraft = %v, want true", d)
		}
		f.waitHooks(t)
		last := f.sim.Events()[len(f.sim.Events())-1]
		if last.Event+"."+last.Action != "pull_request.converted_to_draft" || !strings.Contains(string(last.Payload), `"login":"newsletter-bot[bot]"`) {
			t.Errorf("last event = %s.%s, want pull_request.converted_to_draft sent by the app's bot", last.Event, last.Action)
		}
	})

	t.Run("@skip and @include leave fields out", func(t *testing.T) {
		status, got := postGraphQL(t, f.sim.URL()+"/graphql", "token "+aliceTok, graphQLBody(t,
			`mutation($id: ID!, $no: Boolean!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { number @skip(if: true) isDraft title @include(if: $no) } } }`,
			map[string]any{"id": id, "no": false}))
		if want := `{"data":{"markPullRequestReadyForReview":{"pullRequest":{"isDraft":false}}}}`; status != http.StatusOK || got != want {
			t.Fatalf("POST /graphql = %d %s, want 200 %s", status, got, want)
		}
	})
}

// TestGraphQLClientPayloads sends what GitHub's GraphQL clients send:
// githubv4 (shurcooL) declares the whole input as a variable of the input
// type, and the gh CLI names its operation and selects __typename.
func TestGraphQLClientPayloads(t *testing.T) {
	f, id := draftFixture(t, Options{})
	tok, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	for _, tt := range []struct {
		name, body, want string
	}{
		{
			name: "githubv4 converts to a draft",
			body: `{"query":"mutation($input:ConvertPullRequestToDraftInput!){convertPullRequestToDraft(input: $input){pullRequest{id,isDraft}}}","variables":{"input":{"pullRequestId":"` + id + `"}}}`,
			want: `{"data":{"convertPullRequestToDraft":{"pullRequest":{"id":"` + id + `","isDraft":true}}}}`,
		},
		{
			name: "githubv4 marks ready",
			body: `{"query":"mutation($input:MarkPullRequestReadyForReviewInput!){markPullRequestReadyForReview(input: $input){clientMutationId,pullRequest{isDraft,number,state}}}","variables":{"input":{"pullRequestId":"` + id + `","clientMutationId":"v4"}}}`,
			want: `{"data":{"markPullRequestReadyForReview":{"clientMutationId":"v4","pullRequest":{"isDraft":false,"number":1,"state":"OPEN"}}}}`,
		},
		{
			name: "gh pr ready",
			body: `{"query":"mutation PullRequestReadyForReview($input:MarkPullRequestReadyForReviewInput!){markPullRequestReadyForReview(input: $input){__typename}}","variables":{"input":{"pullRequestId":"` + id + `"}},"operationName":"PullRequestReadyForReview"}`,
			want: `{"data":{"markPullRequestReadyForReview":{"__typename":"MarkPullRequestReadyForReviewPayload"}}}`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, got := postGraphQL(t, f.sim.URL()+"/graphql", "bearer "+tok, tt.body)
			if status != http.StatusOK || got != tt.want {
				t.Errorf("POST /graphql = %d %s, want 200 %s", status, got, tt.want)
			}
		})
	}
}

func TestGraphQLErrors(t *testing.T) {
	f, id := draftFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "private", Private: true, Files: map[string]string{"README.md": "secret\n"}}))
	must(t, f.sim.SetPermission("acme/private", "alice", PermWrite))
	alice := f.sim.Actor("alice")
	_, err := alice.Push("acme/private", "topic", Push{Files: map[string]string{"x.md": "x\n"}})
	must(t, err)
	private, err := alice.OpenPR("acme/private", PullSpec{Head: "topic", Title: "Private", Draft: true})
	must(t, err)
	_, err = alice.Push(testRepo, "closed", Push{Files: map[string]string{"closed.md": "x\n"}})
	must(t, err)
	closed, err := alice.OpenPR(testRepo, PullSpec{Head: "closed", Title: "Closed", Draft: true})
	must(t, err)
	_, err = alice.CloseIssue(testRepo, closed.Number)
	must(t, err)
	issue, err := alice.OpenIssue(testRepo, "An issue", "")
	must(t, err)
	bobTok, err := f.sim.UserToken("bob")
	must(t, err)
	must(t, f.sim.AddUser("carol"))
	carolTok, err := f.sim.UserToken("carol") // a user of no repository here
	must(t, err)
	aliceTok, err := f.sim.UserToken("alice")
	must(t, err)

	ready := func(id string) string {
		return graphQLBody(t, `mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } } }`, map[string]any{"id": id})
	}
	issueNodeID := nodeID("I", func() int64 {
		f.sim.mu.Lock()
		defer f.sim.mu.Unlock()
		return f.sim.st.repos[testRepo].issue(issue.Number).ID
	}())
	tests := []struct {
		name          string
		authorization string
		body          string
		status        int
		want          string // the whole answer
	}{
		{name: "no token is refused with 401", body: ready(id), status: http.StatusUnauthorized,
			want: `{"documentation_url":"https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql","message":"This endpoint requires you to be authenticated.","status":"401"}`},
		{name: "a bad token is refused with 401", authorization: "bearer ghp_" + strings.Repeat("x", 36), body: ready(id), status: http.StatusUnauthorized,
			want: `{"documentation_url":"https://docs.github.com/graphql","message":"Bad credentials","status":"401"}`},
		{name: "malformed JSON", authorization: "bearer " + aliceTok, body: `{"query": `, status: http.StatusOK,
			want: `{"errors":[{"message":"Problems parsing JSON"}]}`},
		{name: "a body without a query", authorization: "bearer " + aliceTok, body: `{"variables": {}}`, status: http.StatusOK,
			want: `{"errors":[{"message":"A query attribute must be specified and must be a string."}]}`},
		{name: "a document that does not parse", authorization: "bearer " + aliceTok, body: `{"query": "mutation { markPullRequestReadyForReview("}`, status: http.StatusOK,
			want: `{"errors":[{"locations":[{"line":1,"column":42}],"message":"Expected Name, found \u003cEOF\u003e"}]}`},
		{name: "an unknown field of a pull request", authorization: "bearer " + aliceTok,
			body:   graphQLBody(t, `mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft mergeable } } }`, map[string]any{"id": id}),
			status: http.StatusOK,
			want:   `{"errors":[{"extensions":{"code":"undefinedField","fieldName":"mergeable","typeName":"PullRequest"},"locations":[{"line":1,"column":105}],"message":"Field 'mergeable' doesn't exist on type 'PullRequest'"}]}`},
		{name: "another mutation", authorization: "bearer " + aliceTok,
			body:   graphQLBody(t, `mutation { mergePullRequest(input: {pullRequestId: "x"}) { clientMutationId } }`, nil),
			status: http.StatusOK,
			want:   `{"errors":[{"extensions":{"code":"undefinedField","fieldName":"mergePullRequest","typeName":"Mutation"},"locations":[{"line":1,"column":12}],"message":"Field 'mergePullRequest' doesn't exist on type 'Mutation'"}]}`},
		{name: "a query of GitHub's that the subset lacks", authorization: "bearer " + aliceTok, body: graphQLBody(t, `{ viewer { login } }`, nil), status: http.StatusOK,
			want: `{"errors":[{"extensions":{"code":"undefinedField","fieldName":"viewer","typeName":"Query"},"locations":[{"line":1,"column":3}],"message":"Field 'viewer' doesn't exist on type 'Query'"}]}`},
		{name: "a valid query", authorization: "bearer " + aliceTok, body: graphQLBody(t, `query { node(id: "`+id+`") { id } }`, nil), status: http.StatusOK,
			want: `{"errors":[{"locations":[{"line":1,"column":1}],"message":"githubsim serves no GraphQL query, only the mutations markPullRequestReadyForReview and convertPullRequestToDraft; read through the REST API"}]}`},
		{name: "a missing variable", authorization: "bearer " + aliceTok, body: graphQLBody(t, `mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { clientMutationId } }`, nil), status: http.StatusOK,
			want: `{"errors":[{"extensions":{"problems":[{"explanation":"must be defined"}],"value":null},"locations":[{"line":1,"column":10}],"message":"Variable $id of type ID! was provided invalid value"}]}`},
		{name: "two operations and no operation name", authorization: "bearer " + aliceTok,
			body:   graphQLBody(t, `mutation A { markPullRequestReadyForReview(input: {pullRequestId: "`+id+`"}) { clientMutationId } } mutation B { convertPullRequestToDraft(input: {pullRequestId: "`+id+`"}) { clientMutationId } }`, nil),
			status: http.StatusOK, want: `{"errors":[{"message":"An operation name is required"}]}`},
		{name: "an unknown node id", authorization: "bearer " + aliceTok, body: ready("PR_nope"), status: http.StatusOK,
			want: `{"data":{"markPullRequestReadyForReview":null},"errors":[{"type":"NOT_FOUND","path":["markPullRequestReadyForReview"],"locations":[{"line":1,"column":22}],"message":"Could not resolve to a node with the global id of 'PR_nope'."}]}`},
		{name: "an issue's node id", authorization: "bearer " + aliceTok, body: ready(issueNodeID), status: http.StatusOK,
			want: `{"data":{"markPullRequestReadyForReview":null},"errors":[{"type":"NOT_FOUND","path":["markPullRequestReadyForReview"],"locations":[{"line":1,"column":22}],"message":"Could not resolve to a node with the global id of '` + issueNodeID + `'."}]}`},
		{name: "a reader may not mark someone else's draft ready", authorization: "bearer " + bobTok, body: ready(id), status: http.StatusOK,
			want: `{"data":{"markPullRequestReadyForReview":null},"errors":[{"type":"FORBIDDEN","path":["markPullRequestReadyForReview"],"locations":[{"line":1,"column":22}],"message":"bob does not have the correct permissions to execute ` + "`MarkPullRequestReadyForReview`" + `"}]}`},
		{name: "a private repository's pull request is not found by an outsider", authorization: "bearer " + carolTok, body: ready(private.NodeID), status: http.StatusOK,
			want: `{"data":{"markPullRequestReadyForReview":null},"errors":[{"type":"NOT_FOUND","path":["markPullRequestReadyForReview"],"locations":[{"line":1,"column":22}],"message":"Could not resolve to a node with the global id of '` + private.NodeID + `'."}]}`},
		{name: "a closed draft cannot be marked ready", authorization: "bearer " + aliceTok, body: ready(closed.NodeID), status: http.StatusOK,
			want: `{"data":{"markPullRequestReadyForReview":null},"errors":[{"type":"UNPROCESSABLE","path":["markPullRequestReadyForReview"],"locations":[{"line":1,"column":22}],"message":"Pull request #2 is closed"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.sim.Events())
			status, got := postGraphQL(t, f.sim.URL()+"/graphql", tt.authorization, tt.body)
			if status != tt.status || got != tt.want {
				t.Errorf("POST /graphql = %d %s\nwant %d %s", status, got, tt.status, tt.want)
			}
			f.waitHooks(t)
			if n := len(f.sim.Events()); n != before {
				t.Errorf("a refused request emitted %d events", n-before)
			}
		})
	}
	if d := restDraft(t, f, 1); d != true {
		t.Errorf("after the refused requests the pull request's draft = %v, want true", d)
	}
}

// TestGraphQLIsAccountedLikeREST: a GraphQL request spends the token's
// rate limit and is counted in Stats, a mutation is a content-generating
// write for the secondary limits, and a query is not.
func TestGraphQLIsAccountedLikeREST(t *testing.T) {
	f, id := draftFixture(t, Options{SecondaryLimits: SecondaryLimits{Enforce: true, PerMinute: 1, Now: newTestClock().Now}})
	tok, err := f.sim.UserToken("alice")
	must(t, err)
	f.sim.ResetStats()
	mark := graphQLBody(t, `mutation($id: ID!) { markPullRequestReadyForReview(input: {pullRequestId: $id}) { pullRequest { isDraft } } }`, map[string]any{"id": id})
	status, got := postGraphQL(t, f.sim.URL()+"/graphql", "token "+tok, mark)
	if status != http.StatusOK || !strings.Contains(got, `"isDraft":false`) {
		t.Fatalf("the first mutation = %d %s, want it through", status, got)
	}
	status, got = postGraphQL(t, f.sim.URL()+"/graphql", "token "+tok, graphQLBody(t, `{ node(id: "x") { id } }`, nil))
	if status != http.StatusOK {
		t.Errorf("a query after the minute's one write = %d %s, want 200: a query is no write", status, got)
	}
	status, got = postGraphQL(t, f.sim.URL()+"/graphql", "token "+tok, mark)
	if status != http.StatusForbidden || !strings.Contains(got, "secondary rate limit") {
		t.Errorf("a second mutation within the minute = %d %s, want 403 secondary rate limit", status, got)
	}
	st := f.sim.Stats()
	if n := st.ByRoute["POST /graphql"]; n != 3 {
		t.Errorf("Stats.ByRoute[POST /graphql] = %d, want 3", n)
	}
	if st.SecondaryLimited != 1 {
		t.Errorf("Stats.SecondaryLimited = %d, want 1", st.SecondaryLimited)
	}
	req, _ := http.NewRequest(http.MethodPost, f.sim.URL()+"/graphql", strings.NewReader(mark))
	req.Header.Set("Authorization", "token "+tok)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if used := resp.Header.Get("X-RateLimit-Used"); used != "4" {
		t.Errorf("X-RateLimit-Used after four GraphQL requests = %q, want 4", used)
	}
}
