package githubsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"
)

const (
	testAppID          = 42
	testInstallationID = 7
	testRepo           = "acme/newsletter"
	testSecret         = "webhook-secret"
)

var (
	keyOnce  sync.Once
	keys     [2]*rsa.PrivateKey
	keyError error
)

// testKeys returns two RSA keys generated once per test binary: the app's
// and an impostor's.
func testKeys(t testing.TB) (app, other *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		for i := range keys {
			keys[i], keyError = rsa.GenerateKey(rand.Reader, 2048)
			if keyError != nil {
				return
			}
		}
	})
	if keyError != nil {
		t.Fatalf("generate RSA key: %v", keyError)
	}
	return keys[0], keys[1]
}

func pemOf(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// receiver is a webhook endpoint recording what it receives.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []received
}

type received struct {
	Event   string
	Action  string
	Header  http.Header
	Body    []byte
	Payload map[string]any
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var payload map[string]any
		_ = json.Unmarshal(body, &payload)
		action, _ := payload["action"].(string)
		rc.mu.Lock()
		rc.got = append(rc.got, received{Event: r.Header.Get("X-GitHub-Event"), Action: action, Header: r.Header.Clone(), Body: body, Payload: payload})
		rc.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// kinds returns "event.action" of everything received.
func (rc *receiver) kinds() []string {
	var out []string
	for _, r := range rc.all() {
		out = append(out, r.Event+"."+r.Action)
	}
	return out
}

type fixture struct {
	sim  *Sim
	recv *receiver
	key  *rsa.PrivateKey
}

// newFixture starts a simulator with the app registered, an organization
// repository acme/newsletter installed as installation 7, and a webhook
// receiver.
func newFixture(t testing.TB, opts Options) *fixture {
	t.Helper()
	key, _ := testKeys(t)
	sim := New(opts)
	t.Cleanup(sim.Close)
	recv := newReceiver(t)
	must(t, sim.RegisterApp(AppSpec{ID: testAppID, Slug: "newsletter-bot", Owner: "acme", PublicKey: &key.PublicKey, WebhookURL: recv.srv.URL, WebhookSecret: testSecret}))
	must(t, sim.CreateRepo(RepoSpec{
		Owner: "acme", Name: "newsletter", Labels: []string{"bug", "newsletter"},
		Files: map[string]string{"README.md": "# Newsletter\n", "newsletter/template.md": "Hello {{name}}\n"},
	}))
	must(t, sim.Install(testInstallationID, "acme", testRepo))
	return &fixture{sim: sim, recv: recv, key: key}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// installationClient is a go-github client authenticated through
// ghinstallation exactly as production code does.
func (f *fixture) installationClient(t testing.TB) *github.Client {
	t.Helper()
	itr, err := ghinstallation.New(http.DefaultTransport, testAppID, testInstallationID, pemOf(f.key))
	if err != nil {
		t.Fatalf("ghinstallation.New: %v", err)
	}
	itr.BaseURL = f.sim.URL()
	client, err := github.NewClient(&http.Client{Transport: itr}).WithEnterpriseURLs(f.sim.URL(), f.sim.URL())
	if err != nil {
		t.Fatalf("WithEnterpriseURLs: %v", err)
	}
	return client
}

// userClient is a go-github client calling as a simulated user.
func (f *fixture) userClient(t testing.TB, login string) *github.Client {
	t.Helper()
	tok, err := f.sim.UserToken(login)
	if err != nil {
		t.Fatalf("UserToken(%q): %v", login, err)
	}
	return clientWithToken(t, f.sim, tok)
}

func clientWithToken(t testing.TB, sim *Sim, tok string) *github.Client {
	t.Helper()
	client := github.NewClient(nil).WithAuthToken(tok)
	client, err := client.WithEnterpriseURLs(sim.URL(), sim.URL())
	if err != nil {
		t.Fatalf("WithEnterpriseURLs: %v", err)
	}
	return client
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// doJSON makes a raw request and decodes the JSON answer.
func doJSON(t testing.TB, method, url, token string, body string) (*http.Response, any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, data, err)
		}
	}
	return resp, v
}

func (f *fixture) waitHooks(t testing.TB) {
	t.Helper()
	if err := f.sim.WaitForDeliveries(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// testClock is a settable clock for Options.Now. It starts at the real
// time so that ghinstallation's JWTs, which read the real clock, stay valid
// until a test moves it by more than a minute.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Now().UTC().Truncate(time.Second)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// appClient is a go-github client authenticated as the app itself (JWT).
func (f *fixture) appClient(t testing.TB, key *rsa.PrivateKey) *github.Client {
	t.Helper()
	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, testAppID, pemOf(key))
	if err != nil {
		t.Fatalf("NewAppsTransport: %v", err)
	}
	atr.BaseURL = f.sim.URL()
	client, err := github.NewClient(&http.Client{Transport: atr}).WithEnterpriseURLs(f.sim.URL(), f.sim.URL())
	if err != nil {
		t.Fatalf("WithEnterpriseURLs: %v", err)
	}
	return client
}

// tokenClient is a go-github client using an installation token issued
// directly, for tests that move the simulator's clock far from real time.
func (f *fixture) tokenClient(t testing.TB) *github.Client {
	t.Helper()
	tok, err := f.sim.InstallationToken(testInstallationID)
	if err != nil {
		t.Fatalf("InstallationToken: %v", err)
	}
	return clientWithToken(t, f.sim, tok)
}

// statusOf returns the HTTP status of a go-github call, 0 without response.
func statusOf(resp *github.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// wantStatus fails the test unless a go-github call answered with status;
// for error statuses it also checks GitHub's error body.
func wantStatus(t testing.TB, what string, resp *github.Response, err error, status int) {
	t.Helper()
	if got := statusOf(resp); got != status {
		t.Fatalf("%s: status %d (err %v), want %d", what, got, err, status)
	}
	if status < 400 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return
	}
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("%s: err = %T %v, want *github.ErrorResponse", what, err, err)
	}
	if er.Message == "" || er.DocumentationURL == "" {
		t.Errorf("%s: error body = %+v, want message and documentation_url", what, er)
	}
}

// kindsOf returns "event.action" of the simulator's emitted events.
func kindsOf(events []Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Event+"."+e.Action)
	}
	return out
}

// lookup follows a dotted path through a decoded JSON payload.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// doRaw makes a raw request with an Authorization header as given ("" for
// none) and decodes the JSON answer.
func doRaw(t testing.TB, method, url, authorization, body string) (*http.Response, any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, data, err)
		}
	}
	return resp, v
}
