package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	newsletterbot "github.com/newsletter-bot/newsletter-bot"
	"github.com/newsletter-bot/newsletter-bot/bot"
)

// setupOptions are setup's flags.
type setupOptions struct {
	webhookURL, org, githubURL, apiURL, addr, out string
	timeout                                       time.Duration
}

// runSetup is "newsletter-bot setup": it registers the GitHub App of
// app.yml through GitHub's app-manifest flow and writes the new app's
// credentials to an env file.
// https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
func runSetup(args []string, stdout, stderr io.Writer) int {
	m, err := newsletterbot.AppManifest()
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot setup: %v\n", err)
		return exitFail
	}
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o setupOptions
	fs.StringVar(&o.webhookURL, "webhook-url", "", "where GitHub will deliver webhooks: the bot's https://HOST"+bot.WebhookPath+" (required)")
	fs.StringVar(&o.org, "org", "", "register the app for this organization (default: your personal account)")
	fs.StringVar(&o.githubURL, "github-url", "https://github.com", "GitHub, or https://HOST for GitHub Enterprise Server")
	fs.StringVar(&o.apiURL, "api-url", "", "GitHub's REST API (default: derived from --github-url: https://api.github.com/ or https://HOST/api/v3/)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:3000", "where setup serves the page you open, and GitHub sends your browser back to")
	fs.StringVar(&o.out, "out", "newsletter-bot.env", "the env file to create for the new app's credentials; setup never overwrites one")
	fs.StringVar(&m.Name, "name", m.Name, "the app's name, unique on GitHub (GitHub lets you change it before creating the app)")
	fs.BoolVar(&m.Public, "public", m.Public, "let other accounts install the app")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up if GitHub has not sent the browser back by then")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsletter-bot setup --webhook-url https://HOST"+bot.WebhookPath+" [--org ORG] [flags]")
		fmt.Fprintln(stderr, "\nRegisters the GitHub App from app.yml: open the page it prints, confirm on GitHub, and it writes")
		fmt.Fprintln(stderr, "the app's id, private key and webhook secret to --out, for \"serve --env-file\".")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	s, err := newSetup(o, m)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot setup: %v\n", err)
		return exitUsage
	}
	if u, _ := url.Parse(o.webhookURL); u.Path != bot.WebhookPath {
		fmt.Fprintf(stderr, "newsletter-bot setup: note: the bot receives webhooks at %s; GitHub will deliver to %s\n", bot.WebhookPath, bot.RedactURL(o.webhookURL))
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "newsletter-bot setup: %v (choose another --addr)\n", err)
		return exitFail
	}
	ctx, stop := signalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	return s.run(ctx, ln, stdout, stderr)
}

// setupResult is the app registered, or why its credentials were not saved.
type setupResult struct {
	app *github.AppConfig
	err error
}

// setup is one run of the manifest flow.
type setup struct {
	o        setupOptions
	manifest newsletterbot.Manifest
	apiURL   string
	action   string // where the page's form posts the manifest
	state    string
	ctx      context.Context
	stderr   io.Writer
	done     chan setupResult // the outcome of the exchange, once

	mu       sync.Mutex
	finished bool
}

// newSetup checks the flags, so that nothing starts with a command line
// that cannot end well.
func newSetup(o setupOptions, m newsletterbot.Manifest) (*setup, error) {
	hook, err := url.Parse(o.webhookURL)
	switch {
	case o.webhookURL == "":
		return nil, fmt.Errorf("--webhook-url is required: where GitHub delivers webhooks, the bot's https://HOST%s", bot.WebhookPath)
	case err != nil || hook.Host == "" || (hook.Scheme != "https" && !(hook.Scheme == "http" && isLoopback(hook.Hostname()))):
		return nil, fmt.Errorf("--webhook-url %q: want an https:// URL (http:// only for localhost), such as https://bot.example.org%s", bot.RedactURL(o.webhookURL), bot.WebhookPath)
	}
	gh, err := url.Parse(o.githubURL)
	if err != nil || (gh.Scheme != "https" && gh.Scheme != "http") || gh.Host == "" || strings.Trim(gh.Path, "/") != "" {
		return nil, fmt.Errorf("--github-url %q: want https://github.com or https://HOST of GitHub Enterprise Server", bot.RedactURL(o.githubURL))
	}
	apiURL := o.apiURL
	if apiURL == "" {
		apiURL = apiURLFor(gh)
	}
	if u, err := url.Parse(apiURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("--api-url %q: want https://api.github.com/ or https://HOST/api/v3/", bot.RedactURL(o.apiURL))
	}
	if o.timeout <= 0 {
		return nil, fmt.Errorf("--timeout %s: want a positive duration such as 15m", o.timeout)
	}
	if _, err := os.Lstat(o.out); err == nil {
		return nil, fmt.Errorf("%s already exists, and setup never overwrites credentials: move it away or choose another --out "+
			"(to run the app it holds: newsletter-bot serve --env-file %s)", o.out, o.out)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--out: %w", err)
	}
	if st, err := os.Stat(filepath.Dir(o.out)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("--out %s: its directory does not exist", o.out)
	}
	action := gh.Scheme + "://" + gh.Host + "/settings/apps/new"
	if o.org != "" {
		action = gh.Scheme + "://" + gh.Host + "/organizations/" + url.PathEscape(o.org) + "/settings/apps/new"
	}
	state := rand.Text()
	return &setup{o: o, manifest: m, apiURL: strings.TrimSuffix(apiURL, "/") + "/", action: action + "?state=" + state, state: state,
		done: make(chan setupResult, 1)}, nil
}

// apiURLFor derives the REST API's URL from GitHub's: api.github.com for
// github.com, api.SUBDOMAIN.ghe.com for GitHub Enterprise Cloud with data
// residency, HOST/api/v3/ for GitHub Enterprise Server.
func apiURLFor(gh *url.URL) string {
	host := strings.ToLower(gh.Hostname())
	switch {
	case host == "github.com" || host == "www.github.com":
		return bot.DefaultAPIURL
	case strings.HasSuffix(host, ".ghe.com"):
		return "https://api." + host + "/"
	}
	return gh.Scheme + "://" + gh.Host + "/api/v3/"
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// run serves the page until GitHub sends the browser back and the
// credentials are written, or ctx ends.
func (s *setup) run(ctx context.Context, ln net.Listener, stdout, stderr io.Writer) int {
	s.ctx, s.stderr = ctx, stderr
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	s.manifest.HookAttributes = newsletterbot.HookAttributes{URL: s.o.webhookURL, Active: true}
	s.manifest.RedirectURL = base + "/redirect"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveStart)
	mux.HandleFunc("GET /redirect", s.serveRedirect)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends with Shutdown below

	fmt.Fprintf(stdout, "Registering the GitHub App %q for %s on %s.\n", s.manifest.Name, s.account(), bot.RedactURL(s.o.githubURL))
	fmt.Fprintf(stdout, "Open %s/ in a browser signed in to GitHub and press the button (waiting %s; Ctrl-C stops).\n", base, s.o.timeout)

	var res setupResult
	got := false
	select {
	case res = <-s.done:
		got = true
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown) // lets a page being written finish
	if !got {
		select {
		case res = <-s.done: // it finished as time ran out
		default:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				fmt.Fprintf(stderr, "newsletter-bot setup: gave up after %s: GitHub did not send the browser back; nothing was written\n", s.o.timeout)
			} else {
				fmt.Fprintln(stderr, "newsletter-bot setup: stopped; nothing was written")
			}
			return exitFail
		}
	}
	if res.err != nil {
		fmt.Fprintf(stderr, "newsletter-bot setup: %v\n", res.err)
		return exitFail
	}
	s.printNext(stdout, res.app)
	return exitOK
}

func (s *setup) account() string {
	if s.o.org != "" {
		return "the organization " + s.o.org
	}
	return "your personal account"
}

// serveStart is the page that explains what will happen, with the one
// button that posts the manifest to GitHub.
func (s *setup) serveStart(w http.ResponseWriter, r *http.Request) {
	manifest, err := jsonString(s.manifest)
	if err != nil {
		s.page(w, http.StatusInternalServerError, message{Title: "Setup failed", Text: []string{err.Error()}})
		return
	}
	var perms []string
	for p, level := range s.manifest.DefaultPermissions {
		perms = append(perms, p+": "+level)
	}
	slices.Sort(perms)
	gh, _ := url.Parse(s.o.githubURL)
	s.render(w, http.StatusOK, "start", map[string]any{
		"M": s.manifest, "Account": s.account(), "Host": gh.Host, "Action": s.action, "Manifest": manifest,
		"Permissions": perms, "Out": s.o.out,
	})
}

// serveRedirect is where GitHub sends the browser back with the code.
func (s *setup) serveRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(s.state)) != 1 {
		s.page(w, http.StatusBadRequest, message{Title: "This link is not from this setup", Text: []string{
			"The state in the address does not match the page newsletter-bot setup showed, so it did not come from pressing its button. Nothing was written.",
			"To register the app, open the setup page again and press the button there."}})
		fmt.Fprintln(s.stderr, "newsletter-bot setup: refused a request to /redirect whose state is not this page's (nothing written); still waiting")
		return
	}
	code := q.Get("code")
	if code == "" {
		s.page(w, http.StatusBadRequest, message{Title: "GitHub sent no code", Text: []string{"The address has no code to exchange. Nothing was written."}})
		return
	}
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		s.page(w, http.StatusConflict, message{Title: "Setup has already finished", Text: []string{"See the terminal where newsletter-bot setup ran."}})
		return
	}
	s.finished = true
	s.mu.Unlock()

	app, err := s.complete(code)
	if err != nil {
		s.page(w, http.StatusBadGateway, message{Title: "The app's credentials were not saved", Text: strings.Split(err.Error(), "\n")})
		s.done <- setupResult{err: err}
		return
	}
	s.page(w, http.StatusOK, message{Title: "Done: " + app.GetName() + " is registered", Text: []string{
		fmt.Sprintf("Its id, private key and webhook secret are in %s, readable by you only. Keep that file secret.", s.o.out),
		"Setup has stopped; the terminal says how to run the bot. Next, install the app on the repository that holds the newsletter:"},
		Link: app.GetHTMLURL() + "/installations/new", LinkText: "Install " + app.GetName()})
	s.done <- setupResult{app: app}
}

// complete exchanges the code for the new app's credentials and writes
// them; on an error nothing is written.
func (s *setup) complete(code string) (*github.AppConfig, error) {
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	gh := github.NewClient(&http.Client{Timeout: 30 * time.Second})
	gh.BaseURL, _ = url.Parse(s.apiURL) // checked by newSetup
	gh.UserAgent = "newsletter-bot"
	app, resp, err := gh.Apps.CompleteAppManifest(ctx, code)
	switch {
	case resp != nil && resp.StatusCode == http.StatusNotFound:
		return nil, errors.New("GitHub did not accept the code it sent back: it is unknown, already used, or more than an hour old. " +
			"Nothing was written. If GitHub registered an app anyway, delete it in its settings, then run setup again")
	case err != nil:
		return nil, fmt.Errorf("exchanging the code for the app's credentials (POST %sapp-manifests/{code}/conversions): %w. Nothing was written", bot.RedactURL(s.apiURL), err)
	case app.GetID() <= 0 || app.GetPEM() == "":
		return nil, errors.New("GitHub's answer holds no app id or private key. Nothing was written")
	}
	secret := app.GetWebhookSecret()
	if secret == "" {
		// GitHub answers null for an app without an active webhook, which
		// app.yml never asks for. Give it a secret rather than lose the
		// private key: serve refuses to run without one.
		secret = rand.Text()
		if err := s.setWebhookSecret(ctx, app, secret); err != nil {
			return nil, fmt.Errorf("GitHub registered the app %s (%s) without a webhook secret, and setting one failed: %w. Nothing was written. "+
				"Delete the app in its settings and run setup again", app.GetSlug(), app.GetHTMLURL(), err)
		}
	}
	data, err := envFile(app, secret, s.apiURL, time.Now())
	if err == nil {
		err = writeNewFile(s.o.out, data)
	}
	if err != nil {
		return nil, fmt.Errorf("GitHub registered the app %s (%s), but its credentials were not saved: %w. "+
			"In the app's settings, generate a private key and set a webhook secret, or delete the app and run setup again", app.GetSlug(), app.GetHTMLURL(), err)
	}
	return app, nil
}

// setWebhookSecret sets the new app's webhook secret, authenticated as
// the app (PATCH /app/hook/config with its JWT).
func (s *setup) setWebhookSecret(ctx context.Context, app *github.AppConfig, secret string) error {
	client, err := githubapp.NewClientCreator(s.apiURL, "", app.GetID(), []byte(app.GetPEM()),
		githubapp.WithClientUserAgent("newsletter-bot"), githubapp.WithClientTimeout(30*time.Second)).NewAppClient()
	if err != nil {
		return err
	}
	_, _, err = client.Apps.UpdateHookConfig(ctx, &github.HookConfig{URL: github.String(s.o.webhookURL),
		ContentType: github.String("json"), Secret: github.String(secret)})
	return err
}

// envFile is the credentials as an env file that "serve --env-file",
// docker run --env-file and kubectl create secret --from-env-file all read
// alike: comment lines, then KEY=value lines, unquoted, one line each
// (the key's newlines written as \n, which bot.ConfigFromEnv turns back).
func envFile(app *github.AppConfig, secret, apiURL string, now time.Time) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# newsletter-bot: the credentials of the GitHub App %q (id %d), %s\n", app.GetName(), app.GetID(), app.GetHTMLURL())
	fmt.Fprintf(&b, "# Written by newsletter-bot setup on %s. SECRET: it holds the app's private key and webhook secret;\n", now.UTC().Format(time.DateOnly))
	b.WriteString("# whoever reads it can act as the app. Keep it out of version control and images.\n")
	b.WriteString("# Use: newsletter-bot serve --env-file FILE, docker run --env-file FILE, or\n")
	b.WriteString("#      kubectl create secret generic newsletter-bot --from-env-file=FILE\n")
	key := strings.ReplaceAll(strings.ReplaceAll(app.GetPEM(), "\r\n", "\n"), "\n", `\n`)
	for _, kv := range [][2]string{
		{bot.EnvAppID, fmt.Sprint(app.GetID())},
		{bot.EnvPrivateKey, key},
		{bot.EnvWebhookSecret, secret},
		{bot.EnvAPIURL, apiURL},
	} {
		// Every reader takes an unquoted value literally, except that
		// godotenv expands $NAME and cuts " #comment"; refuse what one of
		// them would read differently (the value is never printed).
		v := kv[1]
		if v == "" || strings.ContainsAny(v, "\r\n$#\"'`") || strings.TrimSpace(v) != v {
			return nil, fmt.Errorf("the value of %s cannot be written on one line of an env file", kv[0])
		}
		b.WriteString(kv[0] + "=" + v + "\n")
	}
	return []byte(b.String()), nil
}

// writeNewFile creates path with data, readable by its owner only, whole
// or not at all, and never over an existing file: it writes a temporary
// file beside it and links it into place.
func writeNewFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s appeared while setup ran, and setup does not overwrite it", path)
	}
	if err != nil { // a file system without hard links
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return err
		}
	}
	return nil
}

func (s *setup) printNext(w io.Writer, app *github.AppConfig) {
	fmt.Fprintf(w, `
Registered the GitHub App %q (id %d): %s
Its id, private key and webhook secret are in %s (mode 0600). Keep that file secret: do not commit it.

Next:
  1. Install the app on the repository that holds the newsletter:
       %s/installations/new
  2. Run the bot where GitHub reaches %s, with these credentials:
       newsletter-bot serve --env-file %s
     or docker run --env-file %s ...
     or kubectl create secret generic newsletter-bot --from-env-file=%s
`, app.GetName(), app.GetID(), app.GetHTMLURL(), s.o.out, app.GetHTMLURL(), s.o.webhookURL, s.o.out, s.o.out, s.o.out)
}

// message is a page that says one thing.
type message struct {
	Title          string
	Text           []string
	Link, LinkText string
}

func (s *setup) page(w http.ResponseWriter, status int, m message) { s.render(w, status, "message", m) }

func (s *setup) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = setupPages.ExecuteTemplate(w, name, data)
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

var setupPages = template.Must(template.New("").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}} · newsletter-bot setup</title>
<style>body{font-family:system-ui,sans-serif;max-width:44em;margin:2em auto;padding:0 1em;line-height:1.5}
button{font-size:1.1em;padding:.5em 1em}</style></head><body>
{{end}}

{{define "start"}}{{template "head" "Register the GitHub App"}}
<h1>Register newsletter-bot as a GitHub App</h1>
<p>The button sends the app's manifest to {{.Host}}, which asks you to confirm the name, then registers
<strong>{{.M.Name}}</strong> as a {{if .M.Public}}public{{else}}private{{end}} app of {{.Account}}.</p>
<ul>
<li>Webhooks go to <code>{{.M.HookAttributes.URL}}</code>, for the events {{range $i, $e := .M.DefaultEvents}}{{if $i}}, {{end}}<code>{{$e}}</code>{{end}}.</li>
<li>Permissions: {{range $i, $p := .Permissions}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}.</li>
</ul>
<p>GitHub then sends your browser back here, and setup writes the app's id, private key and webhook secret to
<code>{{.Out}}</code>, readable by you only. Nothing is installed yet: you choose the repositories afterwards.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the GitHub App on {{.Host}}</button>
</form>
</body></html>
{{end}}

{{define "message"}}{{template "head" .Title}}
<h1>{{.Title}}</h1>
{{range .Text}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>{{end}}
</body></html>
{{end}}
`))
