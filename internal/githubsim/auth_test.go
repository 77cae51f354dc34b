package githubsim

import (
	"crypto/rsa"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v62/github"
)

// signJWT signs app claims with RS256, as ghinstallation and GitHub's own
// examples do.
func signJWT(t testing.TB, key *rsa.PrivateKey, iss string, iat, exp time.Time) string {
	t.Helper()
	claims := jwt.RegisteredClaims{Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign JWT: %v", err)
	}
	return s
}

func TestCreateInstallationTokenChecksTheJWT(t *testing.T) {
	appKey, otherKey := testKeys(t)
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now})
	now := clock.Now()
	app := strconv.Itoa(testAppID)
	hs256, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Issuer: app, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
	}).SignedString([]byte("shared secret"))
	if err != nil {
		t.Fatal(err)
	}
	noExp, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: app, IssuedAt: jwt.NewNumericDate(now),
	}).SignedString(appKey)
	if err != nil {
		t.Fatal(err)
	}
	numericIss, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": testAppID, "iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(9 * time.Minute).Unix(),
	}).SignedString(appKey)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		authorization string
		status        int
		message       string
	}{
		{
			name:          "a JWT made as ghinstallation makes it is accepted",
			authorization: "Bearer " + signJWT(t, appKey, app, now.Add(-30*time.Second), now.Add(90*time.Second)),
			status:        http.StatusCreated,
		},
		{
			name:          "a JWT made as GitHub's documentation shows, issued a minute ago and expiring in ten, is accepted",
			authorization: "Bearer " + signJWT(t, appKey, app, now.Add(-time.Minute), now.Add(10*time.Minute)),
			status:        http.StatusCreated,
		},
		{
			name:          "a JWT whose iss is a JSON number, as Octokit sends it, is accepted",
			authorization: "Bearer " + numericIss,
			status:        http.StatusCreated,
		},
		{
			name:          "an expired JWT is refused",
			authorization: "Bearer " + signJWT(t, appKey, app, now.Add(-10*time.Minute), now.Add(-time.Second)),
			status:        http.StatusUnauthorized,
			message:       msgJWTExpired,
		},
		{
			name:          "a JWT without an expiry is refused",
			authorization: "Bearer " + noExp,
			status:        http.StatusUnauthorized,
			message:       msgJWTExpired,
		},
		{
			name:          "a JWT expiring more than ten minutes ahead is refused",
			authorization: "Bearer " + signJWT(t, appKey, app, now, now.Add(11*time.Minute)),
			status:        http.StatusUnauthorized,
			message:       msgJWTTooLong,
		},
		{
			name:          "a JWT issued five minutes in the future is refused",
			authorization: "Bearer " + signJWT(t, appKey, app, now.Add(5*time.Minute), now.Add(9*time.Minute)),
			status:        http.StatusUnauthorized,
			message:       msgJWTIssuedLater,
		},
		{
			name:          "a JWT signed by another key is refused",
			authorization: "Bearer " + signJWT(t, otherKey, app, now.Add(-30*time.Second), now.Add(90*time.Second)),
			status:        http.StatusUnauthorized,
			message:       msgJWTUndecodable,
		},
		{
			name:          "a JWT issued for another app is refused",
			authorization: "Bearer " + signJWT(t, appKey, "43", now.Add(-30*time.Second), now.Add(90*time.Second)),
			status:        http.StatusUnauthorized,
			message:       msgJWTUndecodable,
		},
		{
			name:          "a JWT without an issuer is refused",
			authorization: "Bearer " + signJWT(t, appKey, "", now.Add(-30*time.Second), now.Add(90*time.Second)),
			status:        http.StatusUnauthorized,
			message:       msgJWTUndecodable,
		},
		{
			name:          "an HS256 JWT is refused",
			authorization: "Bearer " + hs256,
			status:        http.StatusUnauthorized,
			message:       msgJWTUndecodable,
		},
		{
			name:          "a JWT sent with the token scheme is refused, GitHub wants Bearer",
			authorization: "token " + signJWT(t, appKey, app, now.Add(-30*time.Second), now.Add(90*time.Second)),
			status:        http.StatusUnauthorized,
			message:       msgJWTUndecodable,
		},
		{
			name:    "a request without credentials is refused",
			status:  http.StatusUnauthorized,
			message: msgJWTUndecodable,
		},
	}
	url := f.sim.URL() + "/app/installations/7/access_tokens"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := doRaw(t, http.MethodPost, url, tt.authorization, "")
			if resp.StatusCode != tt.status {
				t.Fatalf("POST %s = %d %v, want %d", url, resp.StatusCode, body, tt.status)
			}
			if tt.status != http.StatusCreated {
				if got := lookup(body, "message"); got != tt.message {
					t.Errorf("message = %q, want %q", got, tt.message)
				}
				if lookup(body, "documentation_url") == nil {
					t.Errorf("error body %v lacks documentation_url", body)
				}
				return
			}
			tok, _ := lookup(body, "token").(string)
			if !strings.HasPrefix(tok, "ghs_") || len(tok) != 40 {
				t.Errorf("token = %q, want ghs_ followed by 36 characters", tok)
			}
			if got, want := lookup(body, "expires_at"), now.Add(time.Hour).Format(time.RFC3339); got != want {
				t.Errorf("expires_at = %v, want %s", got, want)
			}
			if resp, _ := doJSON(t, http.MethodGet, f.sim.URL()+"/repos/acme/newsletter", tok, ""); resp.StatusCode != http.StatusOK {
				t.Errorf("GET repository with the new token = %d, want 200", resp.StatusCode)
			}
		})
	}
}

func TestInstallationTokenExpiresAfterAnHour(t *testing.T) {
	clock := newTestClock()
	f := newFixture(t, Options{Now: clock.Now})
	client := f.appClient(t, f.key)
	ctx := ctxT(t)
	tok, _, err := client.Apps.CreateInstallationToken(ctx, testInstallationID, nil)
	if err != nil {
		t.Fatalf("CreateInstallationToken: %v", err)
	}
	if want := clock.Now().Add(time.Hour); !tok.GetExpiresAt().Time.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", tok.GetExpiresAt(), want)
	}
	repoURL := f.sim.URL() + "/repos/acme/newsletter"
	clock.Advance(59 * time.Minute)
	if resp, body := doJSON(t, http.MethodGet, repoURL, tok.GetToken(), ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 59 minutes: GET repository = %d %v, want 200", resp.StatusCode, body)
	}
	clock.Advance(time.Minute)
	resp, body := doJSON(t, http.MethodGet, repoURL, tok.GetToken(), "")
	if resp.StatusCode != http.StatusUnauthorized || lookup(body, "message") != msgBadCredentials {
		t.Errorf("after an hour: GET repository = %d %v, want 401 Bad credentials", resp.StatusCode, body)
	}
}

// concretePath fills a route pattern with values that name existing things.
func concretePath(pattern string) string {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, seg := range segs {
		switch {
		case seg == "{owner}" || seg == "{org}":
			segs[i] = "acme"
		case seg == "{repo}":
			segs[i] = "newsletter"
		case strings.HasSuffix(seg, "...}"):
			segs[i] = "heads/main"
		case strings.HasPrefix(seg, "{"):
			segs[i] = "1"
		}
	}
	return "/" + strings.Join(segs, "/")
}

func TestEveryRouteDemandsCredentials(t *testing.T) {
	f := newFixture(t, Options{})
	instToken, err := f.sim.InstallationToken(testInstallationID)
	must(t, err)
	for _, key := range f.sim.Routes() {
		method, pattern, _ := strings.Cut(key, " ")
		var rt *route
		for _, r := range f.sim.routes {
			if r.key == key {
				rt = r
			}
		}
		if rt.auth == authNone {
			continue
		}
		url := f.sim.URL() + concretePath(pattern)
		cases := []struct {
			name, authorization, message string
		}{
			{"without credentials", "", "Requires authentication"},
			{"with an unknown token", "token ghs_" + strings.Repeat("x", 36), msgBadCredentials},
		}
		if rt.auth == authApp {
			cases = []struct{ name, authorization, message string }{
				{"without credentials", "", msgJWTUndecodable},
				{"with an installation token instead of a JWT", "token " + instToken, msgJWTUndecodable},
			}
		}
		for _, c := range cases {
			t.Run(key+" "+c.name+" answers 401", func(t *testing.T) {
				resp, body := doRaw(t, method, url, c.authorization, "")
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s %s = %d %v, want 401", method, url, resp.StatusCode, body)
				}
				if got := lookup(body, "message"); got != c.message {
					t.Errorf("message = %q, want %q", got, c.message)
				}
				if got := lookup(body, "documentation_url"); got == nil {
					t.Errorf("error body %v lacks documentation_url", body)
				}
			})
		}
	}
}

func TestInstallationTokenReachesOnlyItsRepositories(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "private-notes", Private: true}))
	client := f.installationClient(t)
	ctx := ctxT(t)
	get := func() int {
		_, resp, _ := client.Repositories.Get(ctx, "acme", "private-notes")
		return statusOf(resp)
	}
	steps := []struct {
		name   string
		do     func() error
		status int
	}{
		{"a repository outside the installation is not found", func() error { return nil }, http.StatusNotFound},
		{"a repository added to the installation is reachable", func() error { return f.sim.AddInstallationRepos(testInstallationID, "acme/private-notes") }, http.StatusOK},
		{"a repository removed from the installation is not found again", func() error { return f.sim.RemoveInstallationRepos(testInstallationID, "acme/private-notes") }, http.StatusNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			must(t, st.do())
			if got := get(); got != st.status {
				t.Errorf("Repositories.Get(acme/private-notes) = %d, want %d", got, st.status)
			}
		})
	}
	t.Run("an uninstalled installation's token is refused", func(t *testing.T) {
		must(t, f.sim.Uninstall(testInstallationID))
		_, resp, err := client.Repositories.Get(ctx, "acme", "newsletter")
		wantStatus(t, "Repositories.Get after Uninstall", resp, err, http.StatusUnauthorized)
	})
}

func TestAppEndpoints(t *testing.T) {
	f := newFixture(t, Options{})
	must(t, f.sim.CreateRepo(RepoSpec{Owner: "acme", Name: "elsewhere"}))
	client := f.appClient(t, f.key)
	ctx := ctxT(t)

	t.Run("GET /app names the registered app", func(t *testing.T) {
		a, resp, err := client.Apps.Get(ctx, "")
		wantStatus(t, "Apps.Get", resp, err, http.StatusOK)
		if a.GetID() != testAppID || a.GetSlug() != "newsletter-bot" {
			t.Errorf("Apps.Get = id %d slug %q, want %d newsletter-bot", a.GetID(), a.GetSlug(), testAppID)
		}
	})
	t.Run("GET /app/installations lists the installation on acme", func(t *testing.T) {
		list, resp, err := client.Apps.ListInstallations(ctx, nil)
		wantStatus(t, "Apps.ListInstallations", resp, err, http.StatusOK)
		if len(list) != 1 || list[0].GetID() != testInstallationID || list[0].GetAccount().GetLogin() != "acme" || list[0].GetAppID() != testAppID {
			t.Errorf("Apps.ListInstallations = %v, want installation 7 on acme", list)
		}
	})
	t.Run("GET /repos/{owner}/{repo}/installation finds the installation of an installed repository", func(t *testing.T) {
		in, resp, err := client.Apps.FindRepositoryInstallation(ctx, "acme", "newsletter")
		wantStatus(t, "FindRepositoryInstallation", resp, err, http.StatusOK)
		if in.GetID() != testInstallationID {
			t.Errorf("FindRepositoryInstallation(acme/newsletter) id = %d, want %d", in.GetID(), testInstallationID)
		}
	})
	t.Run("GET /repos/{owner}/{repo}/installation is not found for a repository not installed", func(t *testing.T) {
		_, resp, err := client.Apps.FindRepositoryInstallation(ctx, "acme", "elsewhere")
		wantStatus(t, "FindRepositoryInstallation(acme/elsewhere)", resp, err, http.StatusNotFound)
	})
	t.Run("a token for an installation that does not exist is not found", func(t *testing.T) {
		_, resp, err := client.Apps.CreateInstallationToken(ctx, 999, nil)
		wantStatus(t, "CreateInstallationToken(999)", resp, err, http.StatusNotFound)
	})
	t.Run("an app client signed by another key is refused", func(t *testing.T) {
		_, other := testKeys(t)
		_, resp, err := f.appClient(t, other).Apps.ListInstallations(ctx, nil)
		wantStatus(t, "ListInstallations with another key", resp, err, http.StatusUnauthorized)
	})
}

func TestCompleteAppManifest(t *testing.T) {
	f := newFixture(t, Options{})
	f.sim.RegisterManifestCode("code-123", AppConfig{
		ID: 99, Slug: "newsletter-bot-dev", Name: "Newsletter bot (dev)", Owner: "acme",
		ClientID: "Iv1.abc", ClientSecret: "client-secret", WebhookSecret: "hook-secret", PEM: "-----BEGIN RSA PRIVATE KEY-----\n...",
	})
	client, err := github.NewClient(nil).WithEnterpriseURLs(f.sim.URL(), f.sim.URL())
	must(t, err)
	ctx := ctxT(t)

	cfg, resp, err := client.Apps.CompleteAppManifest(ctx, "code-123")
	wantStatus(t, "CompleteAppManifest", resp, err, http.StatusCreated)
	if cfg.GetID() != 99 || cfg.GetSlug() != "newsletter-bot-dev" || cfg.GetClientID() != "Iv1.abc" || cfg.GetClientSecret() != "client-secret" ||
		cfg.GetWebhookSecret() != "hook-secret" || !strings.HasPrefix(cfg.GetPEM(), "-----BEGIN") || cfg.GetOwner().GetLogin() != "acme" {
		t.Errorf("CompleteAppManifest = %+v, want the registered configuration", cfg)
	}
	_, resp, err = client.Apps.CompleteAppManifest(ctx, "code-123")
	wantStatus(t, "CompleteAppManifest a second time", resp, err, http.StatusNotFound)
}

func TestJWTMayNameTheAppByClientID(t *testing.T) {
	appKey, _ := testKeys(t)
	clock := newTestClock()
	sim := New(Options{Now: clock.Now})
	t.Cleanup(sim.Close)
	must(t, sim.RegisterApp(AppSpec{ID: testAppID, Slug: "newsletter-bot", PublicKey: &appKey.PublicKey, ClientID: "Iv1.abc123"}))
	must(t, sim.CreateRepo(RepoSpec{Owner: "acme", Name: "newsletter"}))
	must(t, sim.Install(testInstallationID, "acme", testRepo))
	now := clock.Now()
	tests := []struct {
		name, iss string
		status    int
	}{
		{name: "the client id is accepted as issuer", iss: "Iv1.abc123", status: http.StatusCreated},
		{name: "the app id is accepted as issuer", iss: strconv.Itoa(testAppID), status: http.StatusCreated},
		{name: "another client id is refused", iss: "Iv1.other", status: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwtStr := signJWT(t, appKey, tt.iss, now.Add(-30*time.Second), now.Add(90*time.Second))
			resp, body := doRaw(t, http.MethodPost, sim.URL()+"/app/installations/7/access_tokens", "Bearer "+jwtStr, "")
			if resp.StatusCode != tt.status {
				t.Errorf("iss %q: POST access_tokens = %d %v, want %d", tt.iss, resp.StatusCode, body, tt.status)
			}
		})
	}
}
