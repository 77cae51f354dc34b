package githubsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// GitHub's GraphQL API, the sliver of it that REST cannot stand in for:
// a draft pull request is marked ready for review (and a pull request
// turned back into a draft) only through the mutations
// markPullRequestReadyForReview and convertPullRequestToDraft. The
// simulator serves those two at POST /graphql (and /api/graphql, GitHub
// Enterprise Server's path), behind the REST routes' authentication, rate
// accounting and faults. The document is parsed and validated by gqlparser
// against graphQLSchema, a faithful subset of GitHub's schema, so variables,
// aliases, fragments, @skip and @include work as on GitHub, and a field the
// subset lacks is refused as GitHub refuses an unknown one.
//
// GitHub answers every GraphQL request it could read the credentials of
// with 200: a document that does not parse or validate gets
// {"errors": [...]} alone, and a mutation that fails gets its field null
// in "data" and an entry in "errors" with a type (NOT_FOUND, FORBIDDEN,
// UNPROCESSABLE) and the path of the field.

// graphQLPath is where GitHub serves GraphQL.
const graphQLPath = "/graphql"

// graphQLSchemaSDL is the part of GitHub's public schema the simulator
// serves: the two mutations with their input and payload types, as GitHub
// names them, and the fields of PullRequest it can answer. Query holds
// node so that the schema is complete; the simulator answers no query.
const graphQLSchemaSDL = `
interface Node {
  id: ID!
}

scalar URI

enum PullRequestState {
  CLOSED
  MERGED
  OPEN
}

type PullRequest implements Node {
  id: ID!
  isDraft: Boolean!
  number: Int!
  state: PullRequestState!
  title: String!
  url: URI!
}

input MarkPullRequestReadyForReviewInput {
  clientMutationId: String
  pullRequestId: ID!
}

type MarkPullRequestReadyForReviewPayload {
  clientMutationId: String
  pullRequest: PullRequest
}

input ConvertPullRequestToDraftInput {
  clientMutationId: String
  pullRequestId: ID!
}

type ConvertPullRequestToDraftPayload {
  clientMutationId: String
  pullRequest: PullRequest
}

type Query {
  node(id: ID!): Node
}

type Mutation {
  convertPullRequestToDraft(input: ConvertPullRequestToDraftInput!): ConvertPullRequestToDraftPayload
  markPullRequestReadyForReview(input: MarkPullRequestReadyForReviewInput!): MarkPullRequestReadyForReviewPayload
}
`

var (
	graphQLSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "github.graphql", Input: graphQLSchemaSDL})
	graphQLRules  = func() *rules.Rules {
		r := rules.NewDefaultRules()
		r.ReplaceRule(rules.FieldsOnCorrectTypeRule.Name, undefinedFieldRule)
		return r
	}()
)

// graphQLTokenLimit bounds the tokens of a document, as GitHub bounds a
// query's size, so a huge one costs little to refuse.
const graphQLTokenLimit = 10000

// undefinedFieldRule refuses a field a type does not have, in GitHub's
// words and with its error code.
func undefinedFieldRule(observers *core.Events, addError core.AddErrFunc) {
	observers.OnField(func(_ *core.Walker, f *ast.Field) {
		if f.ObjectDefinition == nil || f.Definition != nil {
			return
		}
		addError(
			core.Message("Field '%s' doesn't exist on type '%s'", f.Name, f.ObjectDefinition.Name),
			core.At(f.Position),
			func(e *gqlerror.Error) {
				e.Extensions = map[string]any{"code": "undefinedField", "typeName": f.ObjectDefinition.Name, "fieldName": f.Name}
			},
		)
	})
}

// graphQLError is one entry of a GraphQL answer's errors, with GitHub's keys
// in GitHub's order.
type graphQLError struct {
	Type       string              `json:"type,omitempty"`
	Path       []any               `json:"path,omitempty"`
	Extensions map[string]any      `json:"extensions,omitempty"`
	Locations  []gqlerror.Location `json:"locations,omitempty"`
	Message    string              `json:"message"`
}

func fromGQLError(e *gqlerror.Error) graphQLError {
	out := graphQLError{Message: e.Message, Locations: e.Locations, Extensions: e.Extensions}
	for _, p := range e.Path {
		switch p := p.(type) {
		case ast.PathName:
			out.Path = append(out.Path, string(p))
		case ast.PathIndex:
			out.Path = append(out.Path, int(p))
		}
	}
	return out
}

func at(pos *ast.Position) []gqlerror.Location {
	if pos == nil {
		return nil
	}
	return []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
}

// graphQLRequest is a GraphQL request read and validated: the operation to
// run with its coerced variables, or the errors that answer it.
type graphQLRequest struct {
	op   *ast.OperationDefinition
	vars map[string]any
	errs []graphQLError
}

// mutation reports whether the request runs a mutation.
func (q *graphQLRequest) mutation() bool {
	return len(q.errs) == 0 && q.op != nil && q.op.Operation == ast.Mutation
}

// graphQL reads the request's GraphQL document once: the secondary limits
// look at it (a mutation is a write) before the handler runs it.
func (c *reqCtx) graphQL() *graphQLRequest {
	if c.gql == nil {
		c.gql = parseGraphQL(c.body)
	}
	return c.gql
}

// parseGraphQL reads a POST body, {"query", "variables", "operationName"},
// parses the document and validates it against graphQLSchema.
func parseGraphQL(body []byte) *graphQLRequest {
	fail := func(errs ...graphQLError) *graphQLRequest { return &graphQLRequest{errs: errs} }
	var req struct {
		Query         any             `json:"query"`
		Variables     json.RawMessage `json:"variables"`
		OperationName string          `json:"operationName"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return fail(graphQLError{Message: "Problems parsing JSON"})
	}
	query, ok := req.Query.(string)
	if !ok || strings.TrimSpace(query) == "" {
		return fail(graphQLError{Message: "A query attribute must be specified and must be a string."})
	}
	vars := map[string]any{}
	if raw := bytes.TrimSpace(req.Variables); len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&vars); err != nil {
			return fail(graphQLError{Message: "Variables are invalid JSON: " + err.Error()})
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, graphQLTokenLimit)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return fail(fromGQLError(ge))
		}
		return fail(graphQLError{Message: err.Error()})
	}
	if verrs := validator.ValidateWithRules(graphQLSchema, doc, graphQLRules); len(verrs) > 0 {
		out := make([]graphQLError, 0, len(verrs))
		for _, e := range verrs {
			out = append(out, fromGQLError(e))
		}
		return fail(out...)
	}
	var op *ast.OperationDefinition
	switch {
	case req.OperationName != "":
		if op = doc.Operations.ForName(req.OperationName); op == nil {
			return fail(graphQLError{Message: fmt.Sprintf("No operation named %q", req.OperationName)})
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	default:
		return fail(graphQLError{Message: "An operation name is required"})
	}
	coerced, err := validator.VariableValues(graphQLSchema, op, vars)
	if err != nil {
		var ge *gqlerror.Error
		if !errors.As(err, &ge) {
			return fail(graphQLError{Message: err.Error()})
		}
		out := graphQLError{Message: ge.Message, Extensions: map[string]any{"problems": []any{obj{"explanation": ge.Message}}}}
		if len(ge.Path) > 1 {
			// variable.<name>...: GitHub names the variable and its type.
			if name, ok := ge.Path[1].(ast.PathName); ok {
				if def := op.VariableDefinitions.ForName(string(name)); def != nil {
					out.Message = fmt.Sprintf("Variable $%s of type %s was provided invalid value", name, def.Type.String())
					out.Locations = at(def.Position)
					out.Extensions["value"] = vars[string(name)]
				}
			}
		}
		return fail(out)
	}
	return &graphQLRequest{op: op, vars: coerced}
}

// graphQLUnauthorized is GitHub's GraphQL answer to a request without
// credentials or with bad ones: a 401, as for REST, in GraphQL's words.
func graphQLUnauthorized(missing bool) *response {
	if missing {
		return jsonResponse(http.StatusUnauthorized, obj{
			"message":           "This endpoint requires you to be authenticated.",
			"documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
			"status":            "401",
		})
	}
	return jsonResponse(http.StatusUnauthorized, obj{
		"message":           msgBadCredentials,
		"documentation_url": "https://docs.github.com/graphql",
		"status":            "401",
	})
}

// gqlObject is a JSON object whose keys keep the order of the selection,
// as GraphQL answers are ordered.
type gqlObject []gqlEntry

type gqlEntry struct {
	key   string
	value any
}

func (o gqlObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// handleGraphQL runs a GraphQL request: each mutation field in order, as
// GraphQL runs mutations.
func (s *Sim) handleGraphQL(c *reqCtx) *response {
	q := c.graphQL()
	if len(q.errs) > 0 {
		return okJSON(obj{"errors": q.errs})
	}
	if q.op.Operation != ast.Mutation {
		return okJSON(obj{"errors": []graphQLError{{
			Locations: at(q.op.Position),
			Message: "githubsim serves no GraphQL " + string(q.op.Operation) + ", only the mutations " +
				"markPullRequestReadyForReview and convertPullRequestToDraft; read through the REST API",
		}}})
	}
	var errs []graphQLError
	data := gqlObject{}
	for _, group := range collectFields(q.op.SelectionSet, "Mutation", q.vars) {
		f := group[0]
		key := responseKey(f)
		if f.Name == "__typename" {
			data = append(data, gqlEntry{key, "Mutation"})
			continue
		}
		payload, err := s.runDraftMutation(c, f, q.vars, group)
		if err != nil {
			err.Path = []any{key}
			err.Locations = at(f.Position)
			errs = append(errs, *err)
			data = append(data, gqlEntry{key, nil})
			continue
		}
		data = append(data, gqlEntry{key, payload})
	}
	body := gqlObject{{"data", data}}
	if len(errs) > 0 {
		body = append(body, gqlEntry{"errors", errs})
	}
	return okJSON(body)
}

// runDraftMutation runs markPullRequestReadyForReview or
// convertPullRequestToDraft and renders its payload.
func (s *Sim) runDraftMutation(c *reqCtx, f *ast.Field, vars map[string]any, group []*ast.Field) (any, *graphQLError) {
	draft := f.Name == "convertPullRequestToDraft"
	input, _ := f.ArgumentMap(vars)["input"].(map[string]any)
	id, _ := input["pullRequestId"].(string)
	clientMutationID := input["clientMutationId"]
	r, p := s.pullByNodeIDLocked(c, id)
	if p == nil {
		return nil, &graphQLError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a node with the global id of '%s'.", id)}
	}
	by := c.auth.actor()
	if c.auth.kind == "user" && !draftChangeAllowed(r, p, c.auth.user) {
		mutation := "MarkPullRequestReadyForReview"
		if draft {
			mutation = "ConvertPullRequestToDraft"
		}
		return nil, &graphQLError{Type: "FORBIDDEN", Message: fmt.Sprintf("%s does not have the correct permissions to execute `%s`", by.Login, mutation)}
	}
	if err := s.setDraftLocked(r, p, by, draft); err != nil {
		var ae *apiError
		msg := err.Error()
		if errors.As(err, &ae) {
			msg = ae.message
		}
		return nil, &graphQLError{Type: "UNPROCESSABLE", Message: msg}
	}
	payloadType := "MarkPullRequestReadyForReviewPayload"
	if draft {
		payloadType = "ConvertPullRequestToDraftPayload"
	}
	var sel ast.SelectionSet
	for _, g := range group {
		sel = append(sel, g.SelectionSet...)
	}
	out := gqlObject{}
	for _, fields := range collectFields(sel, payloadType, vars) {
		pf := fields[0]
		var v any
		switch pf.Name {
		case "__typename":
			v = payloadType
		case "clientMutationId":
			v = clientMutationID
		case "pullRequest":
			var sub ast.SelectionSet
			for _, g := range fields {
				sub = append(sub, g.SelectionSet...)
			}
			v = s.pullRequestGraphQL(r, p, sub, vars)
		}
		out = append(out, gqlEntry{responseKey(pf), v})
	}
	return out, nil
}

// pullRequestGraphQL renders the selected fields of a PullRequest; the
// schema admits no other field.
func (s *Sim) pullRequestGraphQL(r *repo, p *pull, sel ast.SelectionSet, vars map[string]any) gqlObject {
	out := gqlObject{}
	for _, fields := range collectFields(sel, "PullRequest", vars) {
		f := fields[0]
		var v any
		switch f.Name {
		case "__typename":
			v = "PullRequest"
		case "id":
			v = nodeID("PR", p.ID)
		case "isDraft":
			v = p.Draft
		case "number":
			v = p.Issue.Number
		case "state":
			v = "OPEN"
			if p.Merged {
				v = "MERGED"
			} else if p.Issue.State == "closed" {
				v = "CLOSED"
			}
		case "title":
			v = p.Issue.Title
		case "url":
			v = s.web("/%s/pull/%d", r.fullName(), p.Issue.Number)
		}
		out = append(out, gqlEntry{responseKey(f), v})
	}
	return out
}

func responseKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// collectFields is GraphQL's CollectFields: the fields a selection set
// selects on an object of type typeName, through fragments and minus what
// @skip and @include leave out, grouped by response key in order.
func collectFields(sel ast.SelectionSet, typeName string, vars map[string]any) [][]*ast.Field {
	var groups [][]*ast.Field
	index := map[string]int{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if !included(s.Directives, vars) {
					continue
				}
				key := responseKey(s)
				if k, ok := index[key]; ok {
					groups[k] = append(groups[k], s)
					continue
				}
				index[key] = len(groups)
				groups = append(groups, []*ast.Field{s})
			case *ast.InlineFragment:
				if included(s.Directives, vars) && appliesTo(s.TypeCondition, typeName) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if included(s.Directives, vars) && s.Definition != nil && appliesTo(s.Definition.TypeCondition, typeName) {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(sel)
	return groups
}

// appliesTo reports whether a fragment's type condition covers an object
// of type typeName (PullRequest is the only Node).
func appliesTo(condition, typeName string) bool {
	return condition == "" || condition == typeName || (condition == "Node" && typeName == "PullRequest")
}

// included applies @skip(if:) and @include(if:).
func included(dirs ast.DirectiveList, vars map[string]any) bool {
	for _, d := range dirs {
		cond, _ := d.ArgumentMap(vars)["if"].(bool)
		switch d.Name {
		case "skip":
			if cond {
				return false
			}
		case "include":
			if !cond {
				return false
			}
		}
	}
	return true
}

// pullByNodeIDLocked finds the pull request a node id names among the
// repositories the request's credentials reach.
func (s *Sim) pullByNodeIDLocked(c *reqCtx, id string) (*repo, *pull) {
	rest, ok := strings.CutPrefix(id, "PR_")
	if !ok {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, nil
	}
	n, ok := strings.CutPrefix(string(raw), "PR:")
	if !ok {
		return nil, nil
	}
	pullID, err := strconv.ParseInt(n, 10, 64)
	if err != nil || nodeID("PR", pullID) != id {
		return nil, nil
	}
	for _, r := range s.st.repos {
		if !c.auth.canSee(r) {
			continue
		}
		for _, i := range r.Issues {
			if i.PR != nil && i.PR.ID == pullID {
				return r, i.PR
			}
		}
	}
	return nil, nil
}
