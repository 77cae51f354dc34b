// Package simtest sets up the local GitHub (internal/githubsim) the way the
// bot's tests and the offline demo need it: the app registered with a fresh
// key, a repository shaped like todogroup/ospology with the newsletter
// labels, installed, people with permissions, and go-github clients that
// authenticate exactly as in production.
package simtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v62/github"

	"github.com/newsletter-bot/newsletter-bot/drafts"
	"github.com/newsletter-bot/newsletter-bot/internal/githubsim"
)

// The simulated app and repository.
const (
	AppID          = 42
	AppSlug        = "newsletter-bot"
	BotLogin       = AppSlug + "[bot]"
	InstallationID = 7
	Owner          = "todo"
	Name           = "ospology"
	Repo           = Owner + "/" + Name
	WebhookSecret  = "simulated-webhook-secret"
)

// People in the simulated repository.
const (
	Maintainer = "maya" // maintain permission
	Member     = "ana"  // a community member, no permission
	Member2    = "ben"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// Key returns the app's private key, generated once per process.
func Key() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return key, keyErr
}

// KeyPEM returns the app's private key in PEM, as GitHub hands it out.
func KeyPEM() ([]byte, error) {
	k, err := Key()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
}

// OtherKeyPEM returns a fresh key GitHub does not know, for tests of
// refused credentials.
func OtherKeyPEM() ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
}

// Files are the repository's starting files: two earlier editions and the
// README index, in the OSPO format (written for the simulator, not copies).
var Files = map[string]string{
	"newsletter/2026-10-27.md": "# OSPO Newsletter 42\n\n## Welcome\n\nOctober's edition.\n",
	"newsletter/2026-11-24.md": "# OSPO Newsletter 43\n\n## Welcome\n\nNovember's edition.\n",
	"newsletter/README.md": "# OSPO Newsletter\n\nOne edition a month.\n\n| Issue | Date | Issue | Date |\n|---|---|---|---|\n" +
		"| Issue 42 | [2026-10-27](https://github.com/todo/ospology/blob/main/newsletter/2026-10-27.md) | | |\n" +
		"| Issue 43 | [2026-11-24](https://github.com/todo/ospology/blob/main/newsletter/2026-11-24.md) | | |\n",
}

// Setup registers the app on sim (webhooks to webhookURL, "" for none),
// creates and installs the repository, and adds the people.
func Setup(sim *githubsim.Sim, webhookURL string) error {
	k, err := Key()
	if err != nil {
		return err
	}
	if err := sim.RegisterApp(githubsim.AppSpec{ID: AppID, Slug: AppSlug, Owner: Owner, PublicKey: &k.PublicKey,
		WebhookURL: webhookURL, WebhookSecret: WebhookSecret}); err != nil {
		return err
	}
	l := drafts.DefaultConfig().Labels
	files := map[string]string{}
	for p, c := range Files {
		files[p] = c
	}
	if err := sim.CreateRepo(githubsim.RepoSpec{Owner: Owner, Name: Name, Files: files,
		Labels: []string{l.Job, l.News, l.Event, l.Accepted, l.Declined, l.NeedsInfo, l.Published, l.Deferred, l.Conflict}}); err != nil {
		return err
	}
	for _, u := range []string{Maintainer, Member, Member2} {
		if err := sim.AddUser(u); err != nil {
			return err
		}
	}
	if err := sim.SetPermission(Repo, Maintainer, githubsim.PermMaintain); err != nil {
		return err
	}
	return sim.Install(InstallationID, Owner, Repo)
}

// InstallationClient returns a go-github client for the installation,
// authenticated through ghinstallation as in production.
func InstallationClient(sim *githubsim.Sim) (*github.Client, error) {
	pemBytes, err := KeyPEM()
	if err != nil {
		return nil, err
	}
	itr, err := ghinstallation.New(http.DefaultTransport, AppID, InstallationID, pemBytes)
	if err != nil {
		return nil, fmt.Errorf("ghinstallation: %w", err)
	}
	itr.BaseURL = sim.URL()
	return github.NewClient(&http.Client{Transport: itr}).WithEnterpriseURLs(sim.URL(), sim.URL())
}

// OpenSubmission files a suggestion from the kind's issue form, as login.
func OpenSubmission(sim *githubsim.Sim, login string, k drafts.Kind, answers map[string]string) (githubsim.Issue, error) {
	forms := drafts.DefaultForms()
	title := forms[k].Title + answers[firstField(forms[k])]
	return sim.Actor(login).OpenIssueFromForm(Repo, title, forms[k].RenderBody(answers), forms[k].Labels...)
}

func firstField(f *drafts.Form) string {
	if fs := f.Fields(); len(fs) > 0 {
		return fs[0].ID
	}
	return ""
}

// Clock is the wall clock with an offset that tests move forward: give its
// Now to the simulator (githubsim.Options.Now) and to the bot, and
// GitHub's timestamps and the bot's sense of how old they are move
// together. Keep the offset under five minutes: ghinstallation signs its
// JWTs with the real clock, for ten minutes.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the real time plus the offset.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Buffer is a bytes.Buffer that goroutines write (a running command, the
// replicas' loggers) while a test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Sample returns the i-th of a stream of valid submissions for tests that
// file many: a job, a news item and an event in turn, each with its own
// link under https://example.com/ (events on days of March 2027 in turn,
// so that their section's order by date is exercised).
func Sample(i int) (drafts.Kind, map[string]string) {
	link := fmt.Sprintf("https://example.com/%d", i)
	switch i % 3 {
	case 0:
		return drafts.KindJob, map[string]string{"organization": fmt.Sprintf("Org %d", i), "title": "Engineer, Open Source",
			"link": link, "location": "United States"}
	case 1:
		return drafts.KindNews, map[string]string{"category": "Blog", "title": fmt.Sprintf("Post %d", i), "link": link}
	}
	return drafts.KindEvent, map[string]string{"name": fmt.Sprintf("Conf %d", i), "start_date": fmt.Sprintf("2027-03-%02d", 1+i%28),
		"city": "Berlin", "country": "Germany", "link": link}
}
