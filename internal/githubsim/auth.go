package githubsim

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

// authMode is what a route accepts as credentials.
type authMode int

const (
	authNone  authMode = iota // no credentials needed
	authApp                   // the app's RS256 JWT
	authToken                 // an installation token or a user's personal token
)

// Token lifetimes and JWT rules as GitHub applies them.
const (
	installationTokenTTL = time.Hour
	maxJWTLifetime       = 10 * time.Minute
	jwtClockSkew         = 60 * time.Second
)

// GitHub's messages for rejected credentials.
const (
	msgBadCredentials = "Bad credentials"
	msgRequiresAuth   = "Requires authentication"
	msgJWTUndecodable = "A JSON web token could not be decoded"
	msgJWTExpired     = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	msgJWTTooLong     = "'Expiration time' claim ('exp') is too far in the future"
	msgJWTIssuedLater = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
)

// authInfo is who made a request.
type authInfo struct {
	kind string // "", "app", "installation" or "user"
	app  *app
	inst *installation
	user *account
}

func (a authInfo) rateKey() string {
	switch a.kind {
	case "app":
		return "app:" + strconv.FormatInt(a.app.ID, 10)
	case "installation":
		return "installation:" + strconv.FormatInt(a.inst.ID, 10)
	case "user":
		return "user:" + a.user.Login
	}
	return "anonymous"
}

func (a authInfo) installationID() int64 {
	if a.kind == "installation" {
		return a.inst.ID
	}
	return 0
}

// actor returns the account that writes made with these credentials are
// attributed to: the app's bot user or the personal token's user.
func (a authInfo) actor() *account {
	switch a.kind {
	case "installation":
		return a.app.Bot
	case "user":
		return a.user
	}
	return nil
}

// canSee reports whether the credentials reach a repository at all.
func (a authInfo) canSee(r *repo) bool {
	switch a.kind {
	case "installation":
		return a.inst.hasRepo(r)
	case "user":
		return r.permission(a.user) != PermNone
	case "app":
		return true
	}
	return false
}

// bearer extracts the credential from "token X" or "Bearer X".
func bearer(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	for _, prefix := range []string{"token ", "bearer "} {
		if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
			return strings.TrimSpace(h[len(prefix):])
		}
	}
	return ""
}

// authenticate resolves the request's credentials for the route's auth mode.
func (s *Sim) authenticate(c *reqCtx) *response {
	switch c.route.auth {
	case authNone:
		return nil
	case authApp:
		// A JWT must come as "Bearer", GitHub refuses it with "token".
		raw := ""
		if h := strings.TrimSpace(c.r.Header.Get("Authorization")); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			raw = bearer(c.r)
		}
		a, err := s.verifyJWT(raw)
		if err != nil {
			return errorResponse(http.StatusUnauthorized, err.Error())
		}
		c.auth = authInfo{kind: "app", app: a}
		return nil
	default:
		tok := bearer(c.r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if it, ok := s.st.instTokens[tok]; ok && s.opts.Now().Before(it.ExpiresAt) {
			c.auth = authInfo{kind: "installation", app: s.st.app, inst: it.Installation}
			return nil
		}
		if ut, ok := s.st.userTokens[tok]; ok {
			c.auth = authInfo{kind: "user", user: ut.User}
			return nil
		}
		if c.route.graphql {
			return graphQLUnauthorized(tok == "")
		}
		if tok == "" {
			return errorResponse(http.StatusUnauthorized, msgRequiresAuth)
		}
		return errorResponse(http.StatusUnauthorized, msgBadCredentials)
	}
}

// authorizeLocked re-checks credentials that may have been revoked between
// authentication and the handler (an uninstalled app, for instance).
func (s *Sim) authorizeLocked(c *reqCtx) *response {
	if c.auth.kind == "installation" && s.st.installations[c.auth.inst.ID] == nil {
		if c.route.graphql {
			return graphQLUnauthorized(false)
		}
		return errorResponse(http.StatusUnauthorized, msgBadCredentials)
	}
	return nil
}

// appClaims are the claims of an app JWT. GitHub takes iss as a string
// (the app id or client id) or as a JSON number (Octokit sends the app id
// so), which jwt.RegisteredClaims cannot decode.
type appClaims struct {
	jwt.RegisteredClaims
	Iss any `json:"iss"` // shadows RegisteredClaims.Issuer
}

func (c *appClaims) issuer() string {
	switch v := c.Iss.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// jwtError is a JWT rejection carrying GitHub's message.
type jwtError string

func (e jwtError) Error() string { return string(e) }

// verifyJWT checks an app JWT as GitHub does: RS256 signed by the
// registered key of the app named by iss, iat not in the future beyond a
// small skew, exp in the future and at most ten minutes from now.
func (s *Sim) verifyJWT(raw string) (*app, error) {
	if raw == "" {
		return nil, jwtError(msgJWTUndecodable)
	}
	s.mu.Lock()
	registered := s.st.app
	s.mu.Unlock()
	if registered == nil || registered.PublicKey == nil {
		return nil, jwtError(msgJWTUndecodable)
	}
	claims := &appClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) {
		return registered.PublicKey, nil
	})
	if err != nil {
		return nil, jwtError(msgJWTUndecodable)
	}
	if iss := claims.issuer(); iss != strconv.FormatInt(registered.ID, 10) && (iss == "" || iss != registered.ClientID) {
		return nil, jwtError(msgJWTUndecodable)
	}
	now := s.opts.Now()
	if claims.IssuedAt == nil || claims.IssuedAt.After(now.Add(jwtClockSkew)) {
		return nil, jwtError(msgJWTIssuedLater)
	}
	if claims.ExpiresAt == nil || !claims.ExpiresAt.After(now) {
		return nil, jwtError(msgJWTExpired)
	}
	// GitHub measures "no more than 10 minutes into the future" from now,
	// not from iat: its own example backdates iat by a minute and sets exp
	// ten minutes ahead.
	if claims.ExpiresAt.Sub(now) > maxJWTLifetime {
		return nil, jwtError(msgJWTTooLong)
	}
	return registered, nil
}

// randomToken returns prefix followed by 36 random alphanumerics, the shape
// of GitHub's ghs_ and ghp_ tokens.
func randomToken(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < 36; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Sprintf("githubsim: read random: %v", err))
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}

// handleCreateInstallationToken issues a one-hour ghs_ token for an installation.
func (s *Sim) handleCreateInstallationToken(c *reqCtx) *response {
	id, _ := strconv.ParseInt(c.param("installation_id"), 10, 64)
	in := s.st.installations[id]
	if in == nil {
		return notFound()
	}
	var req struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	tok := randomToken("ghs_")
	expires := s.opts.Now().Add(installationTokenTTL).UTC().Truncate(time.Second)
	s.st.instTokens[tok] = installToken{Installation: in, ExpiresAt: expires}
	body := map[string]any{
		"token":                tok,
		"expires_at":           ts(expires),
		"permissions":          s.st.app.permissions(),
		"repository_selection": "selected",
	}
	if len(req.Repositories) > 0 || len(req.RepositoryIDs) > 0 {
		var repos []any
		for _, r := range in.Repos {
			o := s.repoJSON(r, repoREST)
			delete(o, "temp_clone_token") // a "repository" here, where it may not be null
			repos = append(repos, o)
		}
		body["repositories"] = repos
	}
	return createdJSON(body)
}

func (s *Sim) handleListInstallations(c *reqCtx) *response {
	list := []any{}
	for _, in := range s.sortedInstallations() {
		o := s.installationJSON(in)
		// GitHub's description of this list (not of one installation)
		// wants the account to be a user and an enterprise at once, so it
		// also carries an enterprise's name, slug and timestamps.
		account := o["account"].(obj)
		account["name"] = in.Account.Login
		account["slug"] = strings.ToLower(in.Account.Login)
		account["created_at"] = ts(in.Account.CreatedAt)
		account["updated_at"] = ts(in.Account.CreatedAt)
		list = append(list, o)
	}
	return okJSON(list)
}

// handleListInstallationRepos lists the repositories an installation token
// reaches, one page at a time, as GitHub does.
func (s *Sim) handleListInstallationRepos(c *reqCtx) *response {
	if c.auth.kind != "installation" {
		return errorResponse(http.StatusForbidden, "You must authenticate with an installation access token in order to list repositories for an installation.")
	}
	repos := c.auth.inst.Repos
	page, h := pageOf(c, repos, func(r *repo) any {
		o := s.repoJSON(r, repoREST)
		delete(o, "temp_clone_token") // a "repository" here, where it may not be null
		return o
	})
	resp := okJSON(obj{"total_count": len(repos), "repository_selection": "selected", "repositories": page})
	resp.header = h
	return resp
}

// handleGetAuthenticatedUser is GET /user: the person a token belongs to.
// Installation tokens have no user, and GitHub says so.
func (s *Sim) handleGetAuthenticatedUser(c *reqCtx) *response {
	if c.auth.kind != "user" {
		return errorResponse(http.StatusForbidden, "Resource not accessible by integration")
	}
	a := c.auth.user
	o := s.userJSON(a).(obj)
	var name, email any
	if a.Name != "" {
		name = a.Name
	}
	if a.Email != "" {
		email = a.Email
	}
	profile := obj{"name": name, "company": nil, "blog": "", "location": nil, "email": email, "hireable": nil, "bio": nil,
		"public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
		"created_at": ts(a.CreatedAt), "updated_at": ts(a.CreatedAt)}
	for k, v := range profile {
		o[k] = v
	}
	return okJSON(o)
}

func (s *Sim) handleGetInstallation(c *reqCtx) *response {
	id, _ := strconv.ParseInt(c.param("installation_id"), 10, 64)
	in := s.st.installations[id]
	if in == nil {
		return notFound()
	}
	return okJSON(s.installationJSON(in))
}

func (s *Sim) handleGetApp(c *reqCtx) *response {
	return okJSON(s.appJSON(s.st.app))
}

func (s *Sim) handleGetRepoInstallation(c *reqCtx) *response {
	for _, in := range s.sortedInstallations() {
		if in.hasRepo(c.repo) {
			return okJSON(s.installationJSON(in))
		}
	}
	return notFound()
}

// handleManifestConversion completes the app-manifest flow: it exchanges
// a code from the web flow (appmanifest.go) or from RegisterManifestCode
// for the app's credentials, once and within the hour.
func (s *Sim) handleManifestConversion(c *reqCtx) *response {
	code := c.param("code")
	m, ok := s.st.manifests[code]
	if !ok {
		return notFound()
	}
	delete(s.st.manifests, code)
	if !s.opts.Now().Before(m.expires) {
		return notFound()
	}
	if m.app != nil {
		body := s.appJSON(m.app)
		body["client_id"] = m.app.ClientID
		body["client_secret"] = m.app.ClientSecret
		body["webhook_secret"] = strOrNil(m.app.WebhookSecret) // null: the app has no active webhook
		body["pem"] = m.pem
		return createdJSON(body)
	}
	cfg := m.App
	owner := s.ensureAccountLocked(cfg.Owner, "Organization")
	a := &app{ID: cfg.ID, Slug: cfg.Slug, Name: cfg.Name, Owner: owner, CreatedAt: s.now()}
	body := s.appJSON(a)
	body["client_id"] = cfg.ClientID
	body["client_secret"] = cfg.ClientSecret
	body["webhook_secret"] = cfg.WebhookSecret
	body["pem"] = cfg.PEM
	return createdJSON(body)
}

func (s *Sim) handleRateLimit(c *reqCtx) *response {
	rate := s.rates.peek(c.auth.rateKey(), s.opts.Now())
	core := map[string]any{"limit": rate.Limit, "remaining": rate.Remaining, "reset": rate.Reset.Unix(), "used": rate.Used, "resource": "core"}
	// The other resources are not simulated; they show GitHub's fresh limits.
	fresh := func(resource string, limit int, window time.Duration) map[string]any {
		return map[string]any{"limit": limit, "remaining": limit, "reset": s.opts.Now().Add(window).Unix(), "used": 0, "resource": resource}
	}
	return okJSON(map[string]any{
		"resources": map[string]any{
			"core":                 core,
			"search":               fresh("search", 30, time.Minute),
			"graphql":              fresh("graphql", 5000, time.Hour),
			"integration_manifest": fresh("integration_manifest", 5000, time.Hour),
			"code_search":          fresh("code_search", 10, time.Minute),
		},
		"rate": core,
	})
}

var errNoApp = errors.New("githubsim: no app registered; call RegisterApp first")
