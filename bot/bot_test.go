package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/newsletter-bot/newsletter-bot/internal/simtest"
)

func validConfig(t *testing.T) Config {
	t.Helper()
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.AppID, c.PrivateKey, c.WebhookSecret = 42, key, "s3cret"
	c.LinkCheck = false // the test links are example.com's: nothing leaves 127.0.0.1
	return c
}

func TestConfigFromEnv(t *testing.T) {
	key, err := simtest.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{EnvAppID: "42", EnvPrivateKeyPath: path, EnvWebhookSecret: "s3cret",
		EnvAPIURL: "https://ghe.example.com/api/v3", EnvResyncEvery: "10m"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.AppID != 42 || string(c.PrivateKey) != string(key) || c.ResyncEvery != 10*time.Minute || c.apiURL() != "https://ghe.example.com/api/v3/" {
		t.Errorf("ConfigFromEnv = %+v", c)
	}
	if err := c.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}

	// A one-line secret with \n escapes is a key too.
	env = map[string]string{EnvPrivateKey: strings.ReplaceAll(string(key), "\n", `\n`)}
	if c, err = ConfigFromEnv(func(k string) string { return env[k] }); err != nil || string(c.PrivateKey) != string(key) {
		t.Errorf("escaped key: %v, equal %v", err, string(c.PrivateKey) == string(key))
	}

	for name, env := range map[string]map[string]string{
		"a bad app id":   {EnvAppID: "newsletter"},
		"two keys":       {EnvPrivateKey: "x", EnvPrivateKeyPath: path},
		"a missing file": {EnvPrivateKeyPath: filepath.Join(t.TempDir(), "nope.pem")},
		"a bad duration": {EnvResyncEvery: "often"},
	} {
		if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCheckSaysEverythingWrongAtOnce(t *testing.T) {
	c := DefaultConfig()
	c.PrivateKey = []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
	c.APIURL = "api.github.com"
	c.ResyncEvery = time.Second
	err := c.Check()
	if err == nil {
		t.Fatal("Check passed")
	}
	for _, want := range []string{EnvWebhookSecret, EnvAppID, "does not parse as an RSA key", "API URL", "at least 30s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check does not say %q:\n%v", want, err)
		}
	}
	if _, err := New(c, nil); err == nil {
		t.Error("New accepted a config that does not Check")
	}
}

// Credentials in the API URL are refused, and never printed.
func TestAPIURLWithCredentialsIsRefusedWithoutPrintingThem(t *testing.T) {
	c := validConfig(t)
	c.APIURL = "http://octocat:ghp_s3cr3tt0ken@github.example.com/api/v3/"
	err := c.Check()
	if err == nil || !strings.Contains(err.Error(), "carries credentials") {
		t.Fatalf("Check() = %v, want the credentials refused", err)
	}
	if strings.Contains(err.Error(), "ghp_s3cr3tt0ken") {
		t.Errorf("Check() prints the token: %v", err)
	}
	if got := RedactURL(c.APIURL); strings.Contains(got, "s3cr3t") || !strings.Contains(got, "github.example.com") {
		t.Errorf("RedactURL = %q", got)
	}
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhookSignatureIsChecked(t *testing.T) {
	b, err := New(validConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := b.Handler()
	body := `{"action":"opened","issue":{"number":1},"repository":{"name":"r","owner":{"login":"o"}},"installation":{"id":7}}`
	post := func(sig string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "ping")
		req.Header.Set("X-GitHub-Delivery", "d-1")
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for name, sig := range map[string]string{"no signature": "", "another secret": sign("guess", body), "garbage": "sha256=zz",
		"a SHA-1 signature": "sha1=" + strings.Repeat("0", 40)} {
		rec := post(sig)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "signature") {
			t.Errorf("%s: %d %q, want 400 naming the signature", name, rec.Code, rec.Body.String())
		}
	}
	if rec := post(sign("s3cret", body)); rec.Code != http.StatusOK {
		t.Errorf("a signed ping: %d %q, want 200", rec.Code, rec.Body.String())
	}
	// The SHA-1 header alone is not enough, however right it is.
	req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body))
	req.Header.Set("X-GitHub-Event", "ping")
	m := hmac.New(sha1.New, []byte("s3cret"))
	m.Write([]byte(body))
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("a delivery signed with SHA-1 only: %d %q, want 400", rec.Code, rec.Body.String())
	}
	// A body over GitHub's cap is refused before it is read.
	req = httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body))
	req.ContentLength = MaxWebhookBody + 1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 25 MB: %d %q, want 413", rec.Code, rec.Body.String())
	}
}

func TestSignatureErrorsHaveAType(t *testing.T) {
	body := []byte(`{}`)
	for name, sig := range map[string]string{"missing": "", "wrong secret": sign("guess", string(body)), "malformed": "sha256=xyz"} {
		req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
		if sig != "" {
			req.Header.Set(SignatureHeader, sig)
		}
		_, err := verifyDelivery(req, []byte("s3cret"))
		var se *SignatureError
		if !errors.As(err, &se) || se.Missing != (sig == "") {
			t.Errorf("%s: verifyDelivery = %v, want a *SignatureError (Missing %v)", name, err, sig == "")
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	b, err := New(validConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if get("/healthz") != http.StatusOK {
		t.Error("/healthz is not 200")
	}
	if get("/readyz") != http.StatusServiceUnavailable {
		t.Error("/readyz is ready before the credentials were checked")
	}
}

func TestQueueFullGives503(t *testing.T) {
	c := validConfig(t)
	c.QueueSize, c.Workers = 0, 1
	b, err := New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What GitHub reads when the queue has no room left.
	rec := httptest.NewRecorder()
	b.onDispatchError(rec, httptest.NewRequest(http.MethodPost, WebhookPath, nil), githubapp.ErrCapacityExceeded)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "resync") {
		t.Errorf("over capacity: %d %q, want 503 saying the resync picks it up", rec.Code, rec.Body.String())
	}
	if _, text := get(t, b.Handler(), "/metrics"); !strings.Contains(text, "newsletter_bot_webhook_queue_dropped_total 1") ||
		!strings.Contains(text, `newsletter_bot_webhook_deliveries_total{action="",event="other",outcome="dropped"} 1`) {
		t.Errorf("the drop is not counted:\n%s", grep(text, "dropped"))
	}
}
