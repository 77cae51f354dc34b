package githubsim

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The web side of GitHub's app-manifest flow: a person's browser POSTs a
// form with a manifest field to /settings/apps/new?state=S (or
// /organizations/ORG/settings/apps/new), GitHub registers the app and
// redirects the browser to the manifest's redirect_url with a one-time
// code and the state; POST /app-manifests/{code}/conversions (auth.go)
// then hands out the app's id, private key and secrets.
// https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest

// manifestCodeTTL is how long a manifest code can be exchanged: GitHub's
// three steps must all happen within one hour.
const manifestCodeTTL = time.Hour

// maxAppNameLength is GitHub's limit on an app's name.
const maxAppNameLength = 34

// appManifest is the manifest a browser posts, with GitHub's field names.
type appManifest struct {
	Name                  string            `json:"name"`
	URL                   string            `json:"url"`
	Description           string            `json:"description"`
	HookAttributes        *hookAttributes   `json:"hook_attributes"`
	RedirectURL           string            `json:"redirect_url"`
	CallbackURLs          []string          `json:"callback_urls"`
	SetupURL              string            `json:"setup_url"`
	Public                bool              `json:"public"`
	DefaultEvents         []string          `json:"default_events"`
	DefaultPermissions    map[string]string `json:"default_permissions"`
	RequestOAuthOnInstall bool              `json:"request_oauth_on_install"`
	SetupOnUpdate         bool              `json:"setup_on_update"`
}

type hookAttributes struct {
	URL    string `json:"url"`
	Active *bool  `json:"active"` // GitHub's default is true
}

func (h *hookAttributes) active() bool { return h != nil && (h.Active == nil || *h.Active) }

// appPermissionLevels are the permissions a GitHub App can ask for and the
// levels each takes, as GitHub's OpenAPI description lists them
// (app-permissions); conformance_test.go keeps the two equal.
var appPermissionLevels = map[string][]string{
	"actions": {"read", "write"}, "administration": {"read", "write"}, "artifact_metadata": {"read", "write"},
	"attestations": {"read", "write"}, "checks": {"read", "write"}, "code_quality": {"read", "write"},
	"codespaces": {"read", "write"}, "contents": {"read", "write"}, "dependabot_secrets": {"read", "write"},
	"deployments": {"read", "write"}, "discussions": {"read", "write"}, "environments": {"read", "write"},
	"issues": {"read", "write"}, "merge_queues": {"read", "write"}, "metadata": {"read", "write"},
	"packages": {"read", "write"}, "pages": {"read", "write"}, "pull_requests": {"read", "write"},
	"repository_custom_properties": {"read", "write"}, "repository_hooks": {"read", "write"},
	"repository_projects": {"read", "write", "admin"}, "secret_scanning_alerts": {"read", "write"},
	"secrets": {"read", "write"}, "security_events": {"read", "write"}, "single_file": {"read", "write"},
	"statuses": {"read", "write"}, "vulnerability_alerts": {"read", "write"}, "workflows": {"write"},
	"custom_properties_for_organizations": {"read", "write"}, "members": {"read", "write"},
	"organization_administration": {"read", "write"}, "organization_custom_roles": {"read", "write"},
	"organization_custom_org_roles": {"read", "write"}, "organization_custom_properties": {"read", "write", "admin"},
	"organization_copilot_seat_management": {"read", "write"}, "organization_copilot_agent_settings": {"read", "write"},
	"organization_announcement_banners": {"read", "write"}, "organization_events": {"read"},
	"organization_hooks": {"read", "write"}, "organization_personal_access_tokens": {"read", "write"},
	"organization_personal_access_token_requests": {"read", "write"}, "organization_plan": {"read"},
	"organization_projects": {"read", "write", "admin"}, "organization_packages": {"read", "write"},
	"organization_secrets": {"read", "write"}, "organization_self_hosted_runners": {"read", "write"},
	"organization_user_blocking": {"read", "write"}, "email_addresses": {"read", "write"},
	"followers": {"read", "write"}, "git_ssh_keys": {"read", "write"}, "gpg_keys": {"read", "write"},
	"interaction_limits": {"read", "write"}, "profile": {"write"}, "starring": {"read", "write"},
	"enterprise_custom_properties_for_organizations": {"read", "write", "admin"},
}

// appEventPermissions are the webhook events a GitHub App can subscribe to,
// each with the permissions one of which it needs (none: any app may).
var appEventPermissions = map[string][]string{
	"branch_protection_configuration": {"administration"}, "branch_protection_rule": {"administration"},
	"check_run": {"checks"}, "check_suite": {"checks"}, "code_scanning_alert": {"security_events"},
	"commit_comment": {"contents"}, "create": {"contents"}, "custom_property_values": {"repository_custom_properties"},
	"delete": {"contents"}, "dependabot_alert": {"vulnerability_alerts"}, "deploy_key": {"administration"},
	"deployment": {"deployments"}, "deployment_protection_rule": {"deployments"}, "deployment_review": {"actions"},
	"deployment_status": {"deployments"}, "discussion": {"discussions"}, "discussion_comment": {"discussions"},
	"fork": {"contents"}, "gollum": {"contents"}, "issue_comment": {"issues", "pull_requests"},
	"issues": {"issues"}, "label": {"metadata"}, "member": {"members"}, "membership": {"members"},
	"merge_group": {"merge_queues"}, "meta": nil, "milestone": {"issues", "pull_requests"},
	"organization": {"members"}, "org_block": {"organization_user_blocking"}, "package": {"packages"},
	"page_build": {"pages"}, "project": {"repository_projects", "organization_projects"},
	"project_card":   {"repository_projects", "organization_projects"},
	"project_column": {"repository_projects", "organization_projects"}, "projects_v2": {"organization_projects"},
	"projects_v2_item": {"organization_projects"}, "public": {"metadata"},
	"pull_request": {"pull_requests"}, "pull_request_review": {"pull_requests"},
	"pull_request_review_comment": {"pull_requests"}, "pull_request_review_thread": {"pull_requests"},
	"push": {"contents"}, "registry_package": {"packages"}, "release": {"contents"}, "repository": {"metadata"},
	"repository_advisory": nil, "repository_dispatch": {"contents"},
	"repository_import": {"administration"}, "repository_ruleset": {"administration"},
	"secret_scanning_alert": {"secret_scanning_alerts"}, "secret_scanning_alert_location": {"secret_scanning_alerts"},
	"security_and_analysis": {"administration"}, "star": {"metadata"}, "status": {"statuses"},
	"team": {"members"}, "team_add": {"members"}, "watch": {"metadata"}, "workflow_dispatch": {"contents"},
	"workflow_job": {"actions"}, "workflow_run": {"actions"},
}

// problems lists what GitHub would refuse in a manifest, as sentences a
// person can act on.
func (m *appManifest) problems() []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	webURL := func(field, v string, required bool) {
		if v == "" {
			if required {
				add("%s can't be blank", field)
			}
			return
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("%s %q is not a valid URL", field, v)
		}
	}
	switch name := strings.TrimSpace(m.Name); {
	case name == "":
		add("name can't be blank (the simulator has no form to type it in)")
	case utf8.RuneCountInString(name) > maxAppNameLength:
		add("name is too long (maximum is %d characters)", maxAppNameLength)
	case appSlug(name) == "":
		add("name %q needs at least one letter or digit", name)
	}
	webURL("url", m.URL, true)
	webURL("redirect_url", m.RedirectURL, true)
	webURL("setup_url", m.SetupURL, false)
	for _, u := range m.CallbackURLs {
		webURL("callback_urls", u, true)
	}
	if m.HookAttributes != nil && (m.HookAttributes.active() || m.HookAttributes.URL != "") {
		webURL("hook_attributes.url", m.HookAttributes.URL, true)
	}
	for perm, level := range m.DefaultPermissions {
		levels, ok := appPermissionLevels[perm]
		switch {
		case !ok:
			add("default_permissions: %q is not a permission a GitHub App can have", perm)
		case !slices.Contains(levels, level):
			add("default_permissions: %s must be %s, not %q", perm, strings.Join(levels, " or "), level)
		}
	}
	for _, ev := range m.DefaultEvents {
		need, ok := appEventPermissions[ev]
		switch {
		case !ok:
			add("default_events: %q is not a webhook event a GitHub App can subscribe to", ev)
		case len(need) > 0 && !slices.ContainsFunc(need, func(p string) bool { return m.DefaultPermissions[p] != "" }):
			add("default_events: %s needs the %s permission", ev, strings.Join(need, " or "))
		}
	}
	slices.Sort(out) // permissions come from a map
	return out
}

// appSlug is the slug GitHub derives from an app's name: lower case, runs
// of anything but letters and digits turned into one hyphen.
func appSlug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	return b.String()
}

// SignIn makes login (a user, created when missing) the person whose
// browser session the simulator's web pages see, as if signed in on
// github.com. The manifest flow needs someone signed in.
func (s *Sim) SignIn(login string) error {
	if login == "" || strings.ContainsAny(login, "/ ") {
		return fmt.Errorf("githubsim: invalid login %q", login)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.ensureAccountLocked(login, "User")
	if a.Type != "User" {
		return fmt.Errorf("githubsim: %s is an %s, not a user", login, a.Type)
	}
	s.st.webUser = a
	return nil
}

// LastManifest returns the last manifest a browser posted to the
// manifest flow, exactly as received (JSON, valid or not), or nil.
func (s *Sim) LastManifest() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.st.lastManifest)
}

// AppWebhook returns the registered app's webhook: where it delivers, the
// secret it signs deliveries with, and whether it is active.
func (s *Sim) AppWebhook() (url, secret string, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app
	if a == nil {
		return "", "", false
	}
	return a.WebhookURL, a.WebhookSecret, !a.HookInactive
}

// webMux serves the simulator's web pages, which are not REST routes:
// they answer HTML, are not counted in Stats, and take no faults.
func (s *Sim) webMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /settings/apps/new", func(w http.ResponseWriter, r *http.Request) {
		s.serveNewApp(w, r, "")
	})
	mux.HandleFunc("POST /organizations/{org}/settings/apps/new", func(w http.ResponseWriter, r *http.Request) {
		s.serveNewApp(w, r, r.PathValue("org"))
	})
	return mux
}

var webPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · GitHub (simulated)</title></head>
<body><h1>{{.Title}}</h1>{{if .Text}}<p>{{.Text}}</p>{{end}}
{{if .Problems}}<ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

func webError(w http.ResponseWriter, status int, title, text string, problems ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = webPage.Execute(w, struct {
		Title, Text string
		Problems    []string
	}{title, text, problems})
}

// serveNewApp registers an app from a posted manifest, for the signed-in
// user or for org, and redirects to the manifest's redirect_url with a
// code. GitHub first shows a page to confirm the name; the simulator acts
// as if the person clicked "Create GitHub App" at once.
func (s *Sim) serveNewApp(w http.ResponseWriter, r *http.Request, org string) {
	raw := r.PostFormValue("manifest")
	state := r.URL.Query().Get("state")
	s.mu.Lock()
	s.st.lastManifest = []byte(raw)
	user := s.st.webUser
	var owner *account
	if org != "" {
		owner = s.st.accounts[strings.ToLower(org)]
	}
	s.mu.Unlock()
	switch {
	case user == nil:
		webError(w, http.StatusUnauthorized, "Sign in to GitHub", "Nobody is signed in: call Sim.SignIn first.")
		return
	case org != "" && (owner == nil || owner.Type != "Organization"):
		webError(w, http.StatusNotFound, "Page not found", fmt.Sprintf("There is no organization %q.", org))
		return
	case org == "":
		owner = user
	}
	if strings.TrimSpace(raw) == "" {
		webError(w, http.StatusUnprocessableEntity, "Invalid GitHub App manifest", "The form has no manifest field.")
		return
	}
	var m appManifest
	dec := json.NewDecoder(strings.NewReader(raw))
	if err := dec.Decode(&m); err != nil {
		webError(w, http.StatusUnprocessableEntity, "Invalid GitHub App manifest", "The manifest is not valid JSON: "+err.Error())
		return
	}
	if probs := m.problems(); len(probs) > 0 {
		webError(w, http.StatusUnprocessableEntity, "Invalid GitHub App manifest", "GitHub could not register the app:", probs...)
		return
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		webError(w, http.StatusInternalServerError, "Server error", err.Error())
		return
	}
	code, err := s.registerManifestApp(m, owner, key)
	if err != nil {
		webError(w, http.StatusUnprocessableEntity, "Invalid GitHub App manifest", "GitHub could not register the app:", err.Error())
		return
	}
	to, _ := url.Parse(m.RedirectURL) // checked by problems
	q := to.Query()
	q.Set("code", code)
	if state != "" {
		q.Set("state", state)
	}
	to.RawQuery = q.Encode()
	s.logf("githubsim: %s %s -> 302 (app %q registered)", r.Method, r.URL.RequestURI(), m.Name)
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// registerManifestApp makes the manifest's app the simulator's app (it
// serves one: this replaces any registered before) and returns a new code
// that exchanges for its credentials once, within the hour.
func (s *Sim) registerManifestApp(m appManifest, owner *account, key *rsa.PrivateKey) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.TrimSpace(m.Name)
	slug := appSlug(name)
	if a := s.st.app; a != nil && a.Slug == slug {
		return "", fmt.Errorf("name %q is already in use", name)
	}
	perms := obj{}
	for p, level := range m.DefaultPermissions {
		perms[p] = level
	}
	events := append([]string{}, m.DefaultEvents...)
	a := &app{
		ID: s.newID("app"), Slug: slug, Name: name, Description: m.Description, ExternalURL: m.URL,
		Owner: owner, Bot: s.ensureAccountLocked(slug+"[bot]", "Bot"), PublicKey: &key.PublicKey,
		HookID: s.newID("hook"), HookInactive: !m.HookAttributes.active(),
		ClientID: "Iv23li" + randomHex(7), ClientSecret: randomHex(20),
		Permissions: perms, Events: events, CreatedAt: s.now(),
	}
	if m.HookAttributes != nil {
		a.WebhookURL = m.HookAttributes.URL
	}
	if a.WebhookURL != "" && !a.HookInactive {
		a.WebhookSecret = randomHex(20)
	}
	s.st.app = a
	code := randomHex(10)
	s.st.manifests[code] = manifestCode{
		app: a, pem: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		expires: s.opts.Now().Add(manifestCodeTTL),
	}
	return code, nil
}

// handleUpdateHookConfig is PATCH /app/hook/config: the app, with its JWT,
// changes where its webhooks go and the secret that signs them. Whether
// the webhook is active is a setting of the app, which this does not
// change.
func (s *Sim) handleUpdateHookConfig(c *reqCtx) *response {
	var req struct {
		URL         *string `json:"url"`
		ContentType *string `json:"content_type"`
		Secret      *string `json:"secret"`
		InsecureSSL any     `json:"insecure_ssl"`
	}
	if resp := c.decode(&req); resp != nil {
		return resp
	}
	a := c.auth.app
	if req.URL != nil {
		if u, err := url.Parse(*req.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return validationFailed(validationError{Resource: "Hook", Field: "url", Code: "custom", Message: "url is not a valid URL"})
		}
		a.WebhookURL = *req.URL
	}
	if req.Secret != nil {
		a.WebhookSecret = *req.Secret
	}
	return okJSON(s.hookConfigJSON(a))
}

func (s *Sim) hookConfigJSON(a *app) obj {
	o := obj{"url": a.WebhookURL, "content_type": "json", "insecure_ssl": "0"}
	if a.WebhookSecret != "" {
		o["secret"] = "********" // GitHub never shows a secret again
	}
	return o
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("githubsim: read random: %v", err))
	}
	return hex.EncodeToString(b)
}
