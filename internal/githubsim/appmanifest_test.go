package githubsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

// manifestJSON is a manifest as newsletter-bot's setup posts it, with the
// webhook going to hookURL.
func manifestJSON(hookURL string) string {
	return `{"name":"Newsletter Bot","url":"https://github.com/newsletter-bot/newsletter-bot",
		"description":"Turns suggestions into a newsletter",
		"hook_attributes":{"url":"` + hookURL + `","active":true},
		"redirect_url":"http://127.0.0.1:3000/redirect","public":false,
		"default_events":["issues","issue_comment","pull_request"],
		"default_permissions":{"issues":"write","pull_requests":"write","contents":"write","metadata":"read","members":"read"}}`
}

// postManifest plays the browser: it posts the form to the simulator's
// page and returns the answer without following a redirect.
func postManifest(t *testing.T, sim *Sim, path, state, manifest string) (*http.Response, string) {
	t.Helper()
	u := sim.URL() + path
	if state != "" {
		u += "?state=" + url.QueryEscape(state)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.PostForm(u, url.Values{"manifest": {manifest}})
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// manifestCode follows a 302 from the manifest flow: it checks the
// redirect and returns the code.
func manifestCodeFrom(t *testing.T, resp *http.Response, wantRedirect, wantState string) string {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("manifest flow answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != wantRedirect || q.Get("state") != wantState || q.Get("code") == "" {
		t.Fatalf("redirected to %s, want %s?code=...&state=%s", loc, wantRedirect, wantState)
	}
	return q.Get("code")
}

func anonymousClient(t *testing.T, sim *Sim, rt http.RoundTripper) *github.Client {
	t.Helper()
	c, err := github.NewClient(&http.Client{Transport: rt}).WithEnterpriseURLs(sim.URL(), sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func appClient(t *testing.T, sim *Sim, rt http.RoundTripper, id int64, pem string) *github.Client {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(rt, id, []byte(pem))
	if err != nil {
		t.Fatalf("NewAppsTransport with the pem from the conversion: %v", err)
	}
	atr.BaseURL = sim.URL()
	return anonymousClient(t, sim, atr)
}

// TestManifestFlow registers an app as a person's browser and setup do,
// and checks that the app is real: its key signs JWTs the simulator
// accepts, GET /app shows what the manifest asked for, it can be
// installed, and its webhooks are signed with the secret handed out. The
// REST answers are checked against GitHub's OpenAPI description.
func TestManifestFlow(t *testing.T) {
	conf := loadConformance(t)
	ctx := ctxT(t)
	sim := New(Options{})
	t.Cleanup(sim.Close)
	recv := newReceiver(t)
	must(t, sim.SignIn("octocat"))
	rec := &recorder{sim: sim, next: http.DefaultTransport}

	manifest := manifestJSON(recv.srv.URL + "/api/github/hook")
	resp, body := postManifest(t, sim, "/settings/apps/new", "s7ate", manifest)
	code := manifestCodeFrom(t, resp, "http://127.0.0.1:3000/redirect", "s7ate")
	if got := string(sim.LastManifest()); got != manifest {
		t.Errorf("LastManifest() = %s, want what was posted: %s (page %s)", got, manifest, body)
	}

	cfg, _, err := anonymousClient(t, sim, rec).Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		t.Fatalf("CompleteAppManifest(%q): %v", code, err)
	}
	if cfg.GetName() != "Newsletter Bot" || cfg.GetSlug() != "newsletter-bot" || cfg.GetOwner().GetLogin() != "octocat" ||
		cfg.GetOwner().GetType() != "User" || cfg.GetHTMLURL() != "https://github.com/apps/newsletter-bot" ||
		cfg.GetExternalURL() != "https://github.com/newsletter-bot/newsletter-bot" ||
		!strings.HasPrefix(cfg.GetPEM(), "-----BEGIN RSA PRIVATE KEY-----") ||
		cfg.GetWebhookSecret() == "" || cfg.GetClientID() == "" || cfg.GetClientSecret() == "" {
		t.Errorf("CompleteAppManifest = %+v", cfg)
	}
	if _, resp, err := anonymousClient(t, sim, rec).Apps.CompleteAppManifest(ctx, code); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a code exchanged twice: %v, want 404", err)
	}

	app := appClient(t, sim, rec, cfg.GetID(), cfg.GetPEM())
	got, _, err := app.Apps.Get(ctx, "")
	if err != nil {
		t.Fatalf("GET /app with the new app's JWT: %v", err)
	}
	wantPerms := map[string]string{"issues": "write", "pull_requests": "write", "contents": "write", "metadata": "read", "members": "read"}
	var perms map[string]string
	b, _ := json.Marshal(got.GetPermissions())
	_ = json.Unmarshal(b, &perms)
	if got.GetID() != cfg.GetID() || !equalMaps(perms, wantPerms) || !slices.Equal(got.Events, []string{"issues", "issue_comment", "pull_request"}) {
		t.Errorf("GET /app = id %d, permissions %v, events %v; want id %d and the manifest's", got.GetID(), perms, got.Events, cfg.GetID())
	}

	must(t, sim.CreateRepo(RepoSpec{Owner: "octocat", Name: "news"}))
	must(t, sim.Install(11, "octocat", "octocat/news"))
	must(t, sim.WaitForDeliveries(ctx))
	hooks := recv.all()
	if len(hooks) != 1 || hooks[0].Event != "installation" {
		t.Fatalf("deliveries after installing the new app: %v", recv.kinds())
	}
	mac := hmac.New(sha256.New, []byte(cfg.GetWebhookSecret()))
	mac.Write(hooks[0].Body)
	if sig := hooks[0].Header.Get("X-Hub-Signature-256"); sig != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("installation.created is signed %s, not with the webhook_secret the conversion returned", sig)
	}

	for _, e := range rec.exchanges() {
		opKey := conf.routes[e.route]
		checkRESTExchange(t, conf, opKey, conf.ops[opKey], e)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestManifestFlowForAnOrganization(t *testing.T) {
	sim := New(Options{})
	t.Cleanup(sim.Close)
	must(t, sim.SignIn("octocat"))
	must(t, sim.AddOrg("acme"))
	resp, _ := postManifest(t, sim, "/organizations/acme/settings/apps/new", "s", manifestJSON("https://bot.example.org/api/github/hook"))
	code := manifestCodeFrom(t, resp, "http://127.0.0.1:3000/redirect", "s")
	cfg, _, err := anonymousClient(t, sim, http.DefaultTransport).Apps.CompleteAppManifest(ctxT(t), code)
	if err != nil || cfg.GetOwner().GetLogin() != "acme" || cfg.GetOwner().GetType() != "Organization" {
		t.Errorf("CompleteAppManifest after the organization's page: owner %+v, %v; want acme, an Organization", cfg.GetOwner(), err)
	}

	resp, body := postManifest(t, sim, "/organizations/nobody/settings/apps/new", "s", manifestJSON("https://bot.example.org/api/github/hook"))
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "nobody") {
		t.Errorf("an unknown organization's page: %d %s, want 404", resp.StatusCode, body)
	}
}

func TestManifestFlowNeedsSomeoneSignedIn(t *testing.T) {
	sim := New(Options{})
	t.Cleanup(sim.Close)
	resp, body := postManifest(t, sim, "/settings/apps/new", "s", manifestJSON("https://bot.example.org/api/github/hook"))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "SignIn") {
		t.Errorf("nobody signed in: %d %s, want 401 naming SignIn", resp.StatusCode, body)
	}
}

// TestManifestFlowRejects lists what GitHub refuses in a manifest: the
// page says what is wrong, answers 422 and registers nothing.
func TestManifestFlowRejects(t *testing.T) {
	valid := func(edit func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(manifestJSON("https://bot.example.org/api/github/hook")), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, tc := range []struct {
		name, manifest string
		want           []string
	}{
		{"a_manifest_that_is_not_JSON", `{"name": "x",`, []string{"not valid JSON"}},
		{"no_manifest_at_all", "", []string{"no manifest field"}},
		{"no_name", valid(func(m map[string]any) { delete(m, "name") }), []string{"name can&#39;t be blank"}},
		{"a_name_too_long", valid(func(m map[string]any) { m["name"] = strings.Repeat("n", 35) }), []string{"name is too long"}},
		{"no_redirect_url", valid(func(m map[string]any) { delete(m, "redirect_url") }), []string{"redirect_url can&#39;t be blank"}},
		{"no_homepage", valid(func(m map[string]any) { delete(m, "url") }), []string{"url can&#39;t be blank"}},
		{"an_active_webhook_without_url", valid(func(m map[string]any) { m["hook_attributes"] = map[string]any{"active": true} }),
			[]string{"hook_attributes.url can&#39;t be blank"}},
		{"a_webhook_url_that_is_no_URL", valid(func(m map[string]any) { m["hook_attributes"] = map[string]any{"url": "bot.example.org"} }),
			[]string{"hook_attributes.url &#34;bot.example.org&#34; is not a valid URL"}},
		{"an_unknown_permission_level", valid(func(m map[string]any) {
			m["default_permissions"] = map[string]any{"issues": "admin", "metadata": "read", "pull_requests": "write"}
		}), []string{"issues must be read or write, not &#34;admin&#34;"}},
		{"an_unknown_permission", valid(func(m map[string]any) {
			m["default_permissions"].(map[string]any)["newsletters"] = "write"
		}), []string{"&#34;newsletters&#34; is not a permission"}},
		{"an_unknown_event", valid(func(m map[string]any) { m["default_events"] = []string{"issues", "newsletter"} }),
			[]string{"&#34;newsletter&#34; is not a webhook event"}},
		{"an_event_without_its_permission", valid(func(m map[string]any) {
			m["default_permissions"] = map[string]any{"metadata": "read"}
			m["default_events"] = []string{"issues", "pull_request"}
		}), []string{"issues needs the issues permission", "pull_request needs the pull_requests permission"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := New(Options{})
			t.Cleanup(sim.Close)
			must(t, sim.SignIn("octocat"))
			resp, body := postManifest(t, sim, "/settings/apps/new", "s", tc.manifest)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d, Content-Type %q; want 422, an HTML page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("the page does not say %q:\n%s", want, body)
				}
			}
			if u, _, _ := sim.AppWebhook(); u != "" || sim.BotLogin() != "" {
				t.Errorf("an app was registered anyway (bot %q, webhook %q)", sim.BotLogin(), u)
			}
		})
	}
}

// TestManifestCodes: a code works once and for an hour, as GitHub's do.
func TestManifestCodes(t *testing.T) {
	clock := newTestClock()
	sim := New(Options{Now: clock.Now})
	t.Cleanup(sim.Close)
	must(t, sim.SignIn("octocat"))
	gh := anonymousClient(t, sim, http.DefaultTransport)
	ctx := ctxT(t)

	resp, _ := postManifest(t, sim, "/settings/apps/new", "s", manifestJSON("https://bot.example.org/api/github/hook"))
	code := manifestCodeFrom(t, resp, "http://127.0.0.1:3000/redirect", "s")
	clock.Advance(59 * time.Minute)
	if _, _, err := gh.Apps.CompleteAppManifest(ctx, code); err != nil {
		t.Errorf("a code 59 minutes old: %v", err)
	}

	resp, _ = postManifest(t, sim, "/settings/apps/new", "s", manifestJSON("https://bot.example.org/api/github/hook"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("registering the same name twice: %d, want 422", resp.StatusCode)
	}
	resp, _ = postManifest(t, sim, "/settings/apps/new", "s", strings.Replace(manifestJSON("https://bot.example.org/api/github/hook"), "Newsletter Bot", "Newsletter Bot 2", 1))
	code = manifestCodeFrom(t, resp, "http://127.0.0.1:3000/redirect", "s")
	clock.Advance(time.Hour)
	if _, resp, err := gh.Apps.CompleteAppManifest(ctx, code); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a code an hour old: %v, want 404", err)
	}
	if _, resp, err := gh.Apps.CompleteAppManifest(ctx, "no-such-code"); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown code: %v, want 404", err)
	}
}

// TestManifestWithoutActiveWebhook: GitHub hands out no webhook secret
// (null) for an app without an active webhook; the app can set one later
// with PATCH /app/hook/config.
func TestManifestWithoutActiveWebhook(t *testing.T) {
	conf := loadConformance(t)
	ctx := ctxT(t)
	sim := New(Options{})
	t.Cleanup(sim.Close)
	must(t, sim.SignIn("octocat"))
	rec := &recorder{sim: sim, next: http.DefaultTransport}
	recv := newReceiver(t)
	hookURL := recv.srv.URL + "/api/github/hook"
	manifest := strings.Replace(manifestJSON(hookURL), `"active":true`, `"active":false`, 1)
	resp, _ := postManifest(t, sim, "/settings/apps/new", "s", manifest)
	code := manifestCodeFrom(t, resp, "http://127.0.0.1:3000/redirect", "s")
	cfg, _, err := anonymousClient(t, sim, rec).Apps.CompleteAppManifest(ctx, code)
	if err != nil || cfg.WebhookSecret != nil {
		t.Fatalf("CompleteAppManifest for an inactive webhook: secret %v, %v; want null", cfg.GetWebhookSecret(), err)
	}
	hc, _, err := appClient(t, sim, rec, cfg.GetID(), cfg.GetPEM()).Apps.UpdateHookConfig(ctx, &github.HookConfig{Secret: github.String("n3w")})
	if err != nil || hc.GetSecret() != "********" || hc.GetURL() != hookURL {
		t.Errorf("UpdateHookConfig = %+v, %v; want the URL and a masked secret", hc, err)
	}
	if u, secret, active := sim.AppWebhook(); u != hookURL || secret != "n3w" || active {
		t.Errorf("AppWebhook() = %q, %q, %v; want the manifest's URL, the new secret, inactive", u, secret, active)
	}
	must(t, sim.CreateRepo(RepoSpec{Owner: "octocat", Name: "news"}))
	must(t, sim.Install(11, "octocat", "octocat/news"))
	must(t, sim.WaitForDeliveries(ctx))
	if got := recv.kinds(); len(got) != 0 || len(sim.Events()) != 1 {
		t.Errorf("an inactive webhook received %v (events recorded: %d), want nothing delivered", got, len(sim.Events()))
	}
	for _, e := range rec.exchanges() {
		opKey := conf.routes[e.route]
		checkRESTExchange(t, conf, opKey, conf.ops[opKey], e)
	}
}

// The permissions a manifest may ask for are those GitHub's OpenAPI
// description lists, at the same levels.
func TestManifestPermissionsAreGitHubs(t *testing.T) {
	var rest struct {
		Defs map[string]struct {
			Properties map[string]struct{ Enum []string }
		} `json:"$defs"`
	}
	if err := readJSON("rest.json", &rest); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for p, s := range rest.Defs["app-permissions"].Properties {
		want[p] = s.Enum
	}
	if len(want) == 0 {
		t.Fatal("rest.json has no app-permissions")
	}
	for p, levels := range want {
		if !slices.Equal(appPermissionLevels[p], levels) {
			t.Errorf("appPermissionLevels[%q] = %v, GitHub's description says %v", p, appPermissionLevels[p], levels)
		}
	}
	for p := range appPermissionLevels {
		if want[p] == nil {
			t.Errorf("appPermissionLevels has %q, which GitHub's description does not list", p)
		}
	}
	for ev, perms := range appEventPermissions {
		for _, p := range perms {
			if want[p] == nil {
				t.Errorf("appEventPermissions[%q] names %q, which is no permission", ev, p)
			}
		}
	}
}
